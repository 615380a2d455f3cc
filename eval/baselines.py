"""The obvious alternatives, fed the same stream in the same order, each seeing what the sender sent.

All three work as tutorials show them: word 5-gram shingles of the raw lower-cased text (`raw.lower().split()`,
no extraction, no cleaning; an HTML copy is its page), every earlier article a candidate, no time window.
Each article joins the story of its most similar earlier match, or starts a new one.

1. datasketch `MinHashLSH(threshold=0.5, num_perm=128)` with the default (SHA-1) hash; LSH hits are the matches.
2. SimHash, 64 bits, Hamming distance <= 3 (Manku, Jain and Das Sarma 2007), from the `simhash` package, the
   shingles as features.
3. Exact Jaccard >= 0.5 on the same shingles, by brute force (an inverted index counts every overlap).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np
from datasketch import MinHash, MinHashLSH
from simhash import Simhash

from .dataset import Item
from .metrics import Prediction

SHINGLE = 5


def shingles(raw: str, k: int = SHINGLE) -> set[str]:
    words = raw.lower().split()
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def _predict(item_id: str, scored: list[tuple[float, str]], story: dict[str, str]) -> Prediction:
    if not scored:
        story[item_id] = item_id
        return Prediction(False, item_id, [])
    best = max(scored)[1]
    story[item_id] = story[best]
    return Prediction(True, story[best], [m for _, m in scored])


def datasketch_lsh(items: list[Item]) -> dict[str, Prediction]:
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    sketches: dict[str, MinHash] = {}
    story: dict[str, str] = {}
    out = {}
    for it in items:
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in shingles(it.raw)])
        hits = lsh.query(m)
        out[it.id] = _predict(it.id, [(m.jaccard(sketches[h]), h) for h in hits], story)
        lsh.insert(it.id, m)
        sketches[it.id] = m
    return out


def simhash(items: list[Item], max_distance: int = 3) -> dict[str, Prediction]:
    values = np.zeros(len(items), dtype=np.uint64)
    story: dict[str, str] = {}
    out = {}
    for i, it in enumerate(items):
        v = np.uint64(Simhash(sorted(shingles(it.raw)), f=64).value)
        dist = np.bitwise_count(values[:i] ^ v)
        hits = np.nonzero(dist <= max_distance)[0]
        out[it.id] = _predict(it.id, [(-float(dist[j]), items[j].id) for j in hits], story)
        values[i] = v
    return out


def exact_jaccard(items: list[Item], threshold: float = 0.5) -> dict[str, Prediction]:
    postings: dict[str, list[int]] = defaultdict(list)
    sizes: list[int] = []
    story: dict[str, str] = {}
    out = {}
    for i, it in enumerate(items):
        s = shingles(it.raw)
        overlap: Counter[int] = Counter()
        for sh in s:
            overlap.update(postings[sh])
        scored = []
        for j, inter in overlap.items():
            jac = inter / (len(s) + sizes[j] - inter)
            if jac >= threshold:
                scored.append((jac, items[j].id))
        out[it.id] = _predict(it.id, scored, story)
        for sh in s:
            postings[sh].append(i)
        sizes.append(len(s))
    return out


BASELINES: dict[str, Callable[[list[Item]], dict[str, Prediction]]] = {
    "datasketch MinHashLSH(0.5, 128)": datasketch_lsh,
    "SimHash 64-bit, Hamming <= 3": simhash,
    "exact Jaccard >= 0.5": exact_jaccard,
}

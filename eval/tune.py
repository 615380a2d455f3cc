"""Tune the detection defaults on the dev splits only: `python -m eval.tune`.

Every setting in the grid runs both dev streams through the real rule (check.lua): the real pages
(eval/real, hand-labelled, the production path) decide; the generated copies (eval/syndicate.py, pipelined
with the text pipeline's output cached) must stay as good as they were (look-alikes and recurring reports
not flagged). The held-out splits are never read here.

    python -m eval.tune                                    # the default grid
    python -m eval.tune --grid '[{"jaccard_threshold": 0.6}, {"containment_threshold": 0.4}]'
"""

from __future__ import annotations

import argparse
import ast
import itertools

from dedupe.config import Settings
from dedupe.service import params_from

from . import real
from .dataset import build
from .metrics import score
from .service_run import private_redis, run_prepared, stories_of

NEGATIVE_KINDS = ("original", "lookalike", "recurring", "real_copy")


def default_grid() -> list[dict]:
    return [
        dict(jaccard_threshold=j, containment_threshold=c, containment_caution=z, sentence_share=s, numbers_min=n)
        for j, c, z, s, n in itertools.product((0.5, 0.6), (0.55, 0.65), (0.0, 0.5), (0.34, 0.5), (0.5, 0.65))
    ]


def objective(real_s: dict, gen: dict) -> tuple:
    """Precision first on both (targets met?), then real recall, then generated recall."""
    a = real_s["all"]
    look = gen["kinds"].get("lookalike", {}).get("flagged", 0.0)
    recurring = gen["kinds"].get("recurring", {}).get("flagged", 0.0)
    ok = a["precision"] >= 0.98 and gen["precision"] >= 0.995 and look <= 0.005 and recurring <= 0.005
    return (ok, round(a["recall"], 4), round(gen["recall"], 4))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", help="a Python list of dicts of Settings overrides (default: the rule's thresholds)")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    grid = ast.literal_eval(args.grid) if args.grid else default_grid()
    gen_items = [it for it in build() if it.split == "dev"]
    stories = stories_of(gen_items)
    real_items, lang, undated = real.build()
    real_items = [it for it in real_items if it.split == "dev"]
    results = []
    with private_redis() as client:
        for overrides in grid:
            settings = Settings().model_copy(update=overrides)
            gen = score(gen_items, run_prepared(gen_items, stories, client, settings, params_from(settings)))
            preds, _ = real.run(real_items, undated, client, settings)
            real_s = real.summary(real_items, preds, lang)
            results.append((objective(real_s, gen), overrides, real_s, gen))
            print(objective(real_s, gen), overrides, flush=True)
    results.sort(key=lambda r: r[0], reverse=True)
    print("\nbest on dev:")
    for obj, overrides, real_s, gen in results[: args.top]:
        kinds = gen["kinds"]
        flags = {k: round(kinds[k]["flagged"], 4) for k in ("lookalike", "recurring", "original") if k in kinds}
        print(obj, overrides, f"real P={real_s['all']['precision']:.3f} R={real_s['all']['recall']:.3f}",
              f"gen P={gen['precision']:.4f} R={gen['recall']:.4f}", flags)  # fmt: skip
    print("\nSet the chosen values in dedupe/config.py, then report with `python -m eval` and `python -m eval.real`.")


if __name__ == "__main__":
    main()

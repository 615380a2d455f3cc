"""`python -m bench [--quick]`: the four benchmarks of issue 4, figures printed and written to
results/local/ (git-ignored), or with --update-results to the committed results/.

Full run (default): about 15-25 minutes on 2 cores. `--quick`: a smoke run of well under a minute, with small
sizes and the Python load generator, that proves every part still works; its figures mean nothing.
The figures record the commit they were measured on (and whether the measured code differed from it);
tests/test_results_fresh.py fails when results/bench.json is older than the code it measures.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from dedupe.config import Settings
from dedupe.service import params_from

from . import backfill, cluster, fingerprint, http, index
from .corpus import Corpus
from .report import markdown
from .util import git_state

ROOT = Path(__file__).resolve().parent.parent

FULL = {
    "fp_articles": 1000,
    "fp_real": 1000,
    "fp_cjk": 410,  # the 41 Chinese and Japanese pages, ten times over
    "fp_runs": 5,
    "sizes": [10_000, 100_000, 1_000_000],
    "ds_sizes": [10_000, 100_000],
    "index_runs": 5,
    "index_per_run": 600,
    "index_pool": None,  # every real article is a source of the realistic bulk
    "http_requests": 10_000,
    "http_runs": 5,
    "backfill": 100_000,
    "cluster_sizes": [10_000, 100_000],  # add 1_000_000 with `python -m bench.cluster --sizes ...` (about an hour)
}
QUICK = {"fp_articles": 60, "fp_real": 30, "fp_cjk": 20, "fp_runs": 3, "sizes": [2_000], "ds_sizes": [2_000],
         "index_runs": 3, "index_per_run": 100, "index_pool": 150, "http_requests": 200, "http_runs": 1,
         "backfill": 300, "cluster_sizes": [1_000]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, seconds not minutes")
    ap.add_argument("--out", default=None, help="folder for bench.md and bench.json (default results/local)")
    ap.add_argument("--update-results", action="store_true", help="write the committed results/bench.*")
    ap.add_argument("--only", default="fingerprint,index,http,backfill,cluster", help="comma-separated parts to run")
    ap.add_argument("--ds-max", type=int, default=None, help="largest datasketch index size (full default 100k)")
    ap.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk is there")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)
    if args.ds_max:
        cfg["ds_sizes"] = [s for s in cfg["sizes"] if s <= args.ds_max]
    parts = set(args.only.split(","))
    corpus = Corpus(seed=args.seed)
    params = params_from(Settings())  # the shipped defaults
    results: dict = {"mode": "quick" if args.quick else "full", "config": cfg, "params": params.describe(),
                     "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                                 "cores": __import__("os").cpu_count()},
               "git": git_state(ROOT)}  # fmt: skip
    started = time.perf_counter()

    if "fingerprint" in parts:
        print("1. fingerprinting (one core)", flush=True)
        arts = list(corpus.articles(cfg["fp_articles"], prefix="fp"))
        results["fingerprint"] = r = fingerprint.run(arts, cfg["fp_runs"], params, real=cfg["fp_real"],
                                                     cjk=cfg["fp_cjk"])  # fmt: skip
        for name in ("synthetic", "real_english", "cjk"):
            c = r[name]
            print(f"  {name}: ours {c['ours_per_s']:,.0f}/s, datasketch best {c['datasketch_best_per_s']:,.0f}/s "
                  f"({c['ratio_best']:.1f}x), naive {c['datasketch_naive_per_s']:,.0f}/s ({c['ratio_naive']:.1f}x), "
                  f"median {c['median_size']:.0f} {c['unit']}", flush=True)  # fmt: skip

    if "index" in parts:
        print("2. index check-and-insert", flush=True)
        results["index"] = index.run(cfg["sizes"], cfg["ds_sizes"], cfg["index_runs"], cfg["index_per_run"],
                                     pool=cfg["index_pool"], log=lambda s: print(s, flush=True))  # fmt: skip

    if "http" in parts:
        print("3. end to end over HTTP (gunicorn -w 2)", flush=True)
        arts = list(corpus.articles(min(cfg["http_requests"], 5000), prefix="http"))
        use_wrk = not (args.quick or args.no_wrk)
        results["http"] = http.run(arts, cfg["http_requests"], cfg["http_runs"], use_wrk=use_wrk, ablations=True,
                                   log=lambda s: print(s, flush=True))  # fmt: skip

    if "backfill" in parts:
        print("4. bulk backfill (python -m dedupe backfill)", flush=True)
        results["backfill"] = backfill.run(corpus, cfg["backfill"], log=lambda s: print(s, flush=True))

    if "cluster" in parts:
        print("5. one index on a Redis Cluster (3 masters + 3 replicas) beside one server", flush=True)
        results["cluster"] = cluster.run(cfg["cluster_sizes"], days=10.0, horizon_h=60.0, runs=cfg["index_runs"],
                                         per_run=cfg["index_per_run"], pool=cfg["index_pool"],
                                         log=lambda s: print(s, flush=True))  # fmt: skip

    results["seconds"] = time.perf_counter() - started
    out = Path(args.out or ROOT / ("results" if args.update_results else "results/local"))
    out.mkdir(parents=True, exist_ok=True)
    stem = "bench-quick" if args.quick else "bench"
    (out / f"{stem}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (out / f"{stem}.md").write_text(markdown(results))
    print(markdown(results))
    print(f"written: {out / (stem + '.md')} and {out / (stem + '.json')} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench.batch`: batch intake over HTTP against single checks, in the same run, and against backfill.

The service under gunicorn (-w 2, sync workers, a private Redis), as bench/http.py serves it. Per run, on an
empty index each time: single checks (POST /v1/check, `wrk` when installed, else the Python load generator),
then the same number of articles as batches (POST /v1/check/batch, B articles each, the Python load generator:
one request carries B articles, so its CPU cost is small), then the backfill CLI on its own archive (both
cores). Figures: articles per second; ratios are taken within each run, medians over the runs.

    python -m bench.batch                          # 5,000 articles a run, batches of 100, 3 runs
    python -m bench.batch --articles 1000 --runs 1 # a quick look
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import threading
import time
from pathlib import Path

from support.redis_server import private_redis

from .backfill import run as backfill_run
from .corpus import Corpus
from .http import Gunicorn, _python_client, _wrk, have_wrk
from .util import median, percentile


def _batches(payloads: list[dict], size: int, tag: str) -> list[bytes]:
    """The articles as batch bodies, fresh ids, serialised before the clock starts."""
    out = []
    for start in range(0, len(payloads), size):
        chunk = [{**p, "id": f"{tag}-{start + i}"} for i, p in enumerate(payloads[start : start + size])]
        out.append(json.dumps(chunk).encode())
    return out


def _post_batches(port: int, bodies: list[bytes], connections: int) -> dict:
    latencies: list[float] = []
    failed = [0]
    articles = [0]
    lock = threading.Lock()

    def worker(mine: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        lat, bad, done = [], 0, 0
        for body in mine:
            started = time.perf_counter()
            conn.request("POST", "/v1/check/batch", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            answer = response.read()
            lat.append(time.perf_counter() - started)
            if response.status != 200:
                bad += 1
                continue
            results = json.loads(answer)["results"]
            done += sum("error" not in r for r in results)
        with lock:
            latencies.extend(lat)
            failed[0] += bad
            articles[0] += done

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(bodies[w::connections],)) for w in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"articles_per_s": articles[0] / wall, "articles": articles[0], "requests": len(latencies),
            "p50_ms": 1e3 * percentile(latencies, 50), "p99_ms": 1e3 * percentile(latencies, 99),
            "failed": failed[0]}  # fmt: skip


def run(n: int, batch: int, runs: int, connections: int, backfill_n: int, use_wrk: bool, log=print) -> dict:
    corpus = Corpus(seed=42)
    payloads = [a.payload() for a in corpus.articles(n, prefix="bb")]
    for p in payloads:
        p.pop("url")
    wrk = have_wrk(install=True) if use_wrk else None
    per_run = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp, private_redis() as server:
        bodies_path = Path(tmp) / "bodies.jsonl"  # for wrk: each line an article without its id (wrk adds it)
        raw = [json.dumps({k: v for k, v in p.items() if k != "id"})[1:] for p in payloads]
        bodies_path.write_text("".join("{" + x + "\n" for x in raw))
        prom = Path(tmp) / "prometheus"
        prom.mkdir()
        env = {"REDIS_URL": server.url, "DEDUPE_NAMESPACE": "benchbatch", "PROMETHEUS_MULTIPROC_DIR": str(prom),
               "DEDUPE_LOG_LEVEL": "WARNING"}  # fmt: skip
        service = Gunicorn("app:app", env)
        try:
            for r in range(runs):
                server.client().flushall()
                if wrk:
                    single = _wrk(wrk, service.port, bodies_path, n, connections, f"s{r}", 800.0)
                else:
                    single = _python_client(service.port, [x.encode() for x in raw], n, connections, f"s{r}")
                server.client().flushall()
                batched = _post_batches(service.port, _batches(payloads, batch, f"b{r}"), connections)
                row = {"single": single, "batch": batched, "ratio": batched["articles_per_s"] / single["req_per_s"]}
                per_run.append(row)
                log(f"  run {r + 1}: single {single['req_per_s']:,.0f} articles/s (p99 {single['p99_ms']:.1f} ms), "
                    f"batch of {batch} {batched['articles_per_s']:,.0f} articles/s (p99 {batched['p99_ms']:.0f} ms "
                    f"a batch), ratio {row['ratio']:.2f}")  # fmt: skip
        finally:
            service.stop()
    fill = backfill_run(corpus, backfill_n, log=log)
    out = {"articles_per_run": n, "batch": batch, "connections": connections, "runs": per_run,
           "load_generator_single": "wrk" if wrk else "python", "load_generator_batch": "python",
           "single_per_s": median([r["single"]["req_per_s"] for r in per_run]),
           "batch_per_s": median([r["batch"]["articles_per_s"] for r in per_run]),
           "batch_over_single": median([r["ratio"] for r in per_run]), "backfill": fill}  # fmt: skip
    out["batch_over_backfill"] = out["batch_per_s"] / fill["per_s"] if "per_s" in fill else None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=5000, help="articles per run (single and batched)")
    ap.add_argument("--batch", type=int, default=100, help="articles per batch request")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--backfill", type=int, default=20_000, help="articles for the backfill CLI")
    ap.add_argument("--no-wrk", action="store_true", help="single checks with the Python load generator")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "results/local")
    args = ap.parse_args(argv)
    res = run(args.articles, args.batch, args.runs, args.connections, args.backfill, not args.no_wrk)
    summary = (f"single {res['single_per_s']:,.0f}/s ({res['load_generator_single']}), batch {res['batch_per_s']:,.0f}"
               f"/s: {res['batch_over_single']:.2f}x single; backfill {res['backfill'].get('per_s', 0):,.0f}/s: batch "
               f"is {res['batch_over_backfill'] or 0:.0%} of it")  # fmt: skip
    print(summary)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench-batch.json").write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

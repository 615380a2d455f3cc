"""Bounded soak: benchmark the maximum, then hold about 70% of it for a few minutes, sampling over time.

    python -m tests.reliability.soak --minutes 5 --retention-days 0.001

Starts its own Redis and the service (gunicorn -w 2) on loopback, in a temporary directory, and stops
them at the end. Traffic: new stories (65%), syndicated copies of recent ones (25%), lookups (10%),
every id new, so the index grows until retention (DEDUPE_RETENTION_DAYS) removes as much as arrives.
Each sample: error rate, p50/p99 latency, worker RSS, Redis used memory, indexed articles. The verdict
compares memory after retention is reached with memory at the end ("flat": growth under 15%).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from support.redis_server import RedisServer

from .harness import PREFIX, Service
from .util import assert_consistent, copy_of, story


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Traffic:
    """Client threads sending the mix, paced to `rate` requests/s overall (None: as fast as they can)."""

    def __init__(self, url: str, threads: int, rate: float | None, seconds: float, seed_base: int) -> None:
        self.url, self.threads, self.rate, self.seconds = url, threads, rate, seconds
        self.lock = threading.Lock()
        self.n = seed_base
        self.recent: list[int] = []
        self.window: list[tuple[float, int]] = []  # (latency s, status) since the last sample
        self.total = self.errors = 0
        self.stop = threading.Event()

    def _next(self, rng: random.Random) -> tuple[str, dict]:
        with self.lock:
            self.n += 1
            n = self.n
            pick = rng.random()
            if pick < 0.65 or not self.recent:
                self.recent = [*self.recent[-199:], n]
                return f"soak-{n}", {"text": story(n)}
            src = rng.choice(self.recent)
        if pick < 0.9:
            return f"soak-copy-{n}", {"text": copy_of(story(src), f"Outlet {n % 17}")}
        return f"soak-look-{n}", {"text": story(src), "index": False}

    def _run(self, k: int, started: float) -> None:
        rng, session = random.Random(k), requests.Session()
        interval = self.threads / self.rate if self.rate else 0.0
        due = started + k * interval / self.threads
        while not self.stop.is_set() and time.monotonic() - started < self.seconds:
            if interval:
                due += interval
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            article_id, fields = self._next(rng)
            t0 = time.perf_counter()
            try:
                status = session.post(self.url + "/v1/check", json={"id": article_id, **fields}, timeout=10).status_code
            except requests.RequestException:
                status = 0
            took = time.perf_counter() - t0
            with self.lock:
                self.total += 1
                self.errors += status != 200
                self.window.append((took, status))

    def start(self) -> list[threading.Thread]:
        started = time.monotonic()
        ts = [threading.Thread(target=self._run, args=(k, started), daemon=True) for k in range(self.threads)]
        for t in ts:
            t.start()
        return ts

    def drain(self) -> list[tuple[float, int]]:
        with self.lock:
            window, self.window = self.window, []
        return window


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(minutes: float, retention_days: float, bench_seconds: float, sample_s: float, threads: int,
        load: float, workdir: Path) -> dict:  # fmt: skip
    redis_srv = RedisServer(workdir / "redis").start()
    svc = Service(workdir / "svc", redis_srv.url, DEDUPE_RETENTION_DAYS=str(retention_days),
                  DEDUPE_REDIS_TIMEOUT_S="2.0")  # fmt: skip
    try:
        svc.start()
        # 1. the maximum: closed loop, as fast as the clients go
        bench = Traffic(svc.url, threads, None, bench_seconds, seed_base=10_000_000)
        for t in bench.start():
            t.join(bench_seconds + 15)
        max_rps = bench.total / bench_seconds
        redis_srv.client().flushall()  # the soak starts on an empty index
        # 2. the soak at `load` x the maximum, sampled every sample_s
        rate = max(1.0, load * max_rps)
        seconds = minutes * 60
        traffic = Traffic(svc.url, threads, rate, seconds, seed_base=0)
        started = time.monotonic()
        ts = traffic.start()
        samples, client = [], redis_srv.client()
        while time.monotonic() - started < seconds + 1 and any(t.is_alive() for t in ts):
            time.sleep(min(sample_s, max(0.1, seconds - (time.monotonic() - started) + 0.5)))
            window = traffic.drain()
            latencies = [w[0] for w in window]
            samples.append({
                "t_s": round(time.monotonic() - started, 1),
                "requests": len(window),
                "rps": round(len(window) / sample_s, 1),
                "errors": sum(1 for w in window if w[1] != 200),
                "p50_ms": round(1000 * pct(latencies, 0.5), 1),
                "p99_ms": round(1000 * pct(latencies, 0.99), 1),
                "worker_rss_mib": [round(rss_kib(p) / 1024, 1) for p in sorted(svc.worker_pids())],
                "redis_used_mib": round(int(client.info("memory")["used_memory"]) / 2**20, 2),
                "articles": int(client.hlen(PREFIX + "ids")),
            })  # fmt: skip
            print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
        for t in ts:
            t.join(15)
        verify_started = time.monotonic()
        assert_consistent(redis_srv.url, client, timeout=900)
        verify_s = time.monotonic() - verify_started
        retention_s = retention_days * 86400
        steady = [s for s in samples if s["t_s"] >= retention_s + sample_s] or samples[-1:]
        first, last = steady[0], steady[-1]
        rss_first, rss_last = sum(first["worker_rss_mib"]), sum(last["worker_rss_mib"])
        all_lat = [s["p99_ms"] for s in samples]
        return {
            "max_rps": round(max_rps, 1),
            "target_rps": round(rate, 1),
            "achieved_rps": round(traffic.total / seconds, 1),
            "minutes": minutes,
            "retention_s": retention_s,
            "requests": traffic.total,
            "errors": traffic.errors,
            "error_rate": round(traffic.errors / max(1, traffic.total), 6),
            "p99_ms_median_of_samples": round(statistics.median(all_lat), 1) if all_lat else None,
            "p99_ms_worst_sample": max(all_lat) if all_lat else None,
            "redis_mib_after_retention": first["redis_used_mib"],
            "redis_mib_end": last["redis_used_mib"],
            "workers_rss_mib_after_retention": round(rss_first, 1),
            "workers_rss_mib_end": round(rss_last, 1),
            "articles_after_retention": first["articles"],
            "articles_end": last["articles"],
            "memory_flat": last["redis_used_mib"] <= 1.15 * first["redis_used_mib"] and rss_last <= 1.15 * rss_first,
            "index_consistent": True,
            "verify_seconds": round(verify_s, 1),
            "samples": samples,
        }
    finally:
        svc.stop()
        redis_srv.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.reliability.soak", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--retention-days", type=float, default=0.001, help="0.001 days = 86.4 s")
    p.add_argument("--bench-seconds", type=float, default=20.0)
    p.add_argument("--sample-seconds", type=float, default=10.0)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--load", type=float, default=0.7, help="fraction of the benchmarked maximum")
    p.add_argument("--out", help="write the JSON result here too")
    args = p.parse_args(argv)
    if args.minutes * 60 > 3600 or args.bench_seconds > 600:
        p.error("bounded: at most 60 minutes of soak and 10 of benchmark")
    with tempfile.TemporaryDirectory(prefix="dedupe-soak-") as tmp:
        result = run(args.minutes, args.retention_days, args.bench_seconds, args.sample_seconds, args.threads,
                     args.load, Path(tmp))  # fmt: skip
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0 if result["errors"] == 0 and result["memory_flat"] else 1


if __name__ == "__main__":
    sys.exit(main())

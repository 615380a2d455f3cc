"""`python -m bench.cluster`: one index on a local Redis Cluster (3 masters + 3 replicas) beside one server, in
the same run, on the same realistic articles (bench/index.py's stream): checks/s, p50/p99, round trips per
check, and the bytes each master holds, at each size.

The bulk spreads `--days` simulated days (default 10) over its articles, so at every size the matching horizon
(`--horizon-hours`, default 60 as issue 11 sizes it; the service's default is 96) holds the same share of
them. Both systems run the same redis-server binary (support/redis_cluster.redis_executable) and the same code
(RedisIndex.check, check_many); the cluster's client is the service's own (dedupe.store.cluster.connect).
Checks alternate between the two systems run by run. Round trips are sends counted in the client (a fan-out to
three masters counts three; they are pipelined, not sequential round trips of latency).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import redis

from dedupe.config import Settings
from dedupe.service import params_from, rules_from
from dedupe.store import RedisIndex, bucket_bits_for
from dedupe.store import cluster as cluster_client
from support.redis_cluster import RedisCluster, cluster_ports, redis_executable

from .index import BULK_MIX, MEASURED_MIX, T0, Realistic, meta_of
from .util import RoundTrips, median, percentile, used_memory

HOUR = 3600.0
RETENTION_S = 30 * 86400.0
LOAD_BATCH = 1000


@contextlib.contextmanager
def single_node(workdir: Path) -> Iterator[redis.Redis]:
    """One redis-server (the cluster's binary, not cluster-enabled) on a free port."""
    port = cluster_ports(1)[0]
    args = [redis_executable(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(workdir)]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        for _ in range(200):
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    break
            time.sleep(0.02)
        yield client
    finally:
        proc.terminate()
        proc.wait()


class System:
    def __init__(self, name: str, client: Any, params: Any, horizon_s: float, expected: int) -> None:
        self.name, self.client = name, client
        bits = bucket_bits_for(expected, params)
        self.index = RedisIndex(client, params, "bench", bits, store_text=False, horizon_s=horizon_s)
        self.index.ensure()
        self.rules = rules_from(Settings())

    def load(self, batch: list) -> None:
        for i in range(0, len(batch), LOAD_BATCH):
            part = batch[i : i + LOAD_BATCH]
            self.index.check_many(part, self.rules, now=part[-1][1].ts, retention_s=RETENTION_S)

    def measure(self, checks: list, tag: str) -> dict[str, float]:
        RoundTrips.install()
        latencies, trips0, t0 = [], RoundTrips.count, time.perf_counter()
        for fp, meta in checks:
            meta = dataclasses.replace(meta, id=f"{tag}-{meta.id}")
            s = time.perf_counter()
            self.index.check(fp, meta, self.rules, store=True, now=meta.ts, retention_s=RETENTION_S)
            latencies.append(time.perf_counter() - s)
        wall = time.perf_counter() - t0
        return {"checks_per_s": len(checks) / wall, "p50_ms": 1e3 * percentile(latencies, 50),
                "p99_ms": 1e3 * percentile(latencies, 99),
                "round_trips_per_check": (RoundTrips.count - trips0) / len(checks)}  # fmt: skip


def _memory(single: redis.Redis, cluster: RedisCluster, base: dict[str, int]) -> dict[str, Any]:
    masters = cluster.masters_now()
    per_master = {str(p): used_memory(cluster.node(p)) - base.get(str(p), 0) for p in masters}
    one = used_memory(single) - base["single"]
    hot = cluster.master_of_key("dd:{bench}:meta")
    return {
        "single_node_bytes": one,
        "per_master_bytes": per_master,
        "hot_master": str(hot),
        "busiest_master_share": max(per_master.values()) / one,
        "cluster_total_bytes": sum(per_master.values()),
    }


def run(sizes: list[int], days: float, horizon_h: float, runs: int, per_run: int, pool: int | None,
        log: Callable[[str], None] = print) -> dict[str, Any]:  # fmt: skip
    params = params_from(Settings())
    stream = Realistic(params, pool=pool)
    out: dict[str, Any] = {"sizes": sizes, "days": days, "horizon_hours": horizon_h, "binary": redis_executable(),
                           "single": {}, "cluster": {}, "memory": {}}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp, single_node(Path(tmp)) as single:
        cluster = RedisCluster(Path(tmp) / "cluster").start()
        try:
            client = cluster_client.connect(cluster.url, 5.0)
            base = {"single": used_memory(single), **{str(p): used_memory(cluster.node(p)) for p in cluster.ports}}
            systems = [System("single", single, params, horizon_h * HOUR, max(sizes)),
                       System("cluster", client, params, horizon_h * HOUR, max(sizes))]  # fmt: skip
            _grow(sizes, days, runs, per_run, stream, systems, single, cluster, base, out, log)
        finally:
            cluster.stop()
    return out


def _grow(sizes, days, runs, per_run, stream, systems, single, cluster, base, out, log) -> None:  # type: ignore[no-untyped-def]
    step = days * 86400.0 / max(sizes)
    number = 0

    def meta(ident: str, n: int):  # type: ignore[no-untyped-def]
        return dataclasses.replace(meta_of(ident, n), ts=T0 + n * step)

    for size in sizes:
        while number < size:
            todo = min(10 * LOAD_BATCH, size - number)
            batch = [(stream.next(BULK_MIX)[1], meta(f"bulk-{number + i}", number + i)) for i in range(todo)]
            number += todo
            for s in systems:
                s.load(batch)
        rows: dict[str, list[dict[str, float]]] = {s.name: [] for s in systems}
        for r in range(runs):
            checks = [(stream.next(MEASURED_MIX, remember=False)[1], meta(f"m{size}r{r}-{i}", number + i))
                      for i in range(per_run)]  # fmt: skip
            number += per_run
            for s in systems[r % 2 :] + systems[: r % 2]:
                rows[s.name].append(s.measure(checks, s.name[:2]))
        for s in systems:
            out[s.name][size] = row = {k: median([x[k] for x in rows[s.name]]) for k in rows[s.name][0]}
            log(f"  {s.name} at {size:,}: {row['checks_per_s']:,.0f} checks/s, p50 {row['p50_ms']:.2f} ms, "
                f"p99 {row['p99_ms']:.2f} ms, {row['round_trips_per_check']:.2f} round trips/check")  # fmt: skip
        out["memory"][size] = mem = _memory(single, cluster, base)
        ratio = out["cluster"][size]["checks_per_s"] / out["single"][size]["checks_per_s"]
        out["cluster"][size]["ratio_to_single"] = ratio
        log(f"  at {size:,}: cluster {ratio:.0%} of single's checks/s; "
            f"single node {mem['single_node_bytes'] / 1e6:,.1f} MB,"
            f" masters {', '.join(f'{b / 1e6:,.1f}' for b in mem['per_master_bytes'].values())} MB "
            f"(busiest {mem['busiest_master_share']:.0%} of single)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated index sizes (add 1000000 for 1M)")
    ap.add_argument("--days", type=float, default=10.0, help="simulated days the bulk spans")
    ap.add_argument("--horizon-hours", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--per-run", type=int, default=600)
    ap.add_argument("--pool", type=int, default=None, help="real articles as sources (default: all)")
    ap.add_argument("--out", default=None, help="write the figures as JSON here")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    result = run(sizes, args.days, args.horizon_hours, args.runs, args.per_run, args.pool,
                 log=lambda s: print(s, flush=True))  # fmt: skip
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

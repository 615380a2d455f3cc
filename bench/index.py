"""Part 2: index check-and-insert against a real Redis, as the index grows (10k, 100k, 1M articles).

Ours: `RedisIndex.check(store=True)`, one EVALSHA that looks up, scores and inserts. Baseline: datasketch's
`MinHashLSH` on its own Redis storage at the same num_perm and body bands (20 x 3), used as its docs show:
`query()` then `insert()` per article, `insertion_session()` for the bulk load. Each runs on its own private
redis-server, so `INFO memory` deltas belong to one index only.

The bulk of the index is synthetic: fingerprints of unrelated articles (random signatures, band keys and
sizes, realistic metadata), loaded through a pipeline of the same script calls the service makes. The measured
checks use real fingerprints of corpus articles (about 15% copies, so candidates are found and scored).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import redis
from datasketch import MinHash, MinHashLSH

from dedupe.config import Settings
from dedupe.fingerprint import Fingerprint, Params, _template
from dedupe.index import ArticleMeta, RedisIndex
from dedupe.service import params_from, rules_from

from .util import RoundTrips, median, percentile, private_redis, used_memory

FP_FIELDS = {f.name for f in dataclasses.fields(Fingerprint)}
NOW = 1_800_000_000.0
RETENTION_S = 30 * 86400.0
LOAD_BATCH = 1000


class Measured:
    """Real articles to check: their fingerprints, metadata and body MinHash values (for datasketch)."""

    def __init__(self, fps: list[Fingerprint], metas: list[ArticleMeta], values: list[np.ndarray]) -> None:
        self.fps, self.metas, self.values = fps, metas, values


def synthetic(start: int, count: int, params: Params, rng: np.random.Generator):
    """`count` unrelated articles' fingerprints and metadata, ids bulk-<start>..."""
    sigs = rng.integers(0, 1 << 16, size=(count, params.num_perm + params.lead_perm), dtype=np.uint16)
    sizes = rng.integers(400, 900, size=count)
    ts = NOW - rng.uniform(0, 20 * 86400, size=count)
    out = []
    for i in range(count):
        n = start + i
        fp = Fingerprint(
            signature=sigs[i, : params.num_perm].astype("<u2").tobytes(),
            lead_signature=sigs[i, params.num_perm :].astype("<u2").tobytes(),
            shingles=int(sizes[i]), params=params,
        )  # fmt: skip
        meta = ArticleMeta(
            id=f"bulk-{n}", ts=float(ts[i]), has_published=True, published_at="2027-01-15T08:30:00Z",
            title=f"Synthetic headline number {n} about a story that is about seventy characters",
            url=f"https://www.example-outlet.com/news/2027/01/15/synthetic-story-{n}-slug-words",
            outlet="example-outlet",
        )  # fmt: skip
        out.append((fp, meta))
    return out


def ds_minhash(values: np.ndarray, params: Params) -> MinHash:
    tpl = _template(params.num_perm, params.seed)
    return MinHash(num_perm=params.num_perm, hashvalues=values, permutations=tpl.permutations, scheme="affine32")


class Ours:
    name = "ours"

    def __init__(self, client: redis.Redis, params: Params) -> None:
        self.client = client
        self.index = RedisIndex(client, params, "bench")
        self.index.ensure()
        self.rules = rules_from(Settings())
        self.params = params
        self.loaded = 0

    def load_to(self, n: int, rng: np.random.Generator, progress=None) -> float:
        """Bulk-load synthetic articles until `n` are loaded; returns articles/s of the load."""
        t0, todo = time.perf_counter(), n - self.loaded
        while self.loaded < n:
            batch = synthetic(self.loaded, min(LOAD_BATCH * 10, n - self.loaded), self.params, rng)
            for i in range(0, len(batch), LOAD_BATCH):
                self.index.check_many(batch[i : i + LOAD_BATCH], self.rules, now=NOW, retention_s=RETENTION_S)
            self.loaded += len(batch)
            if progress:
                progress(self.loaded)
        return todo / max(1e-9, time.perf_counter() - t0)

    def count(self) -> int:
        return self.index.count()

    def check(self, m: Measured, i: int, run_tag: str) -> int:
        meta = m.metas[i]
        meta = ArticleMeta(**{**meta.__dict__, "id": f"{run_tag}-{meta.id}"})
        answer = self.index.check(m.fps[i], meta, self.rules, store=True, now=NOW, retention_s=RETENTION_S)
        return len(answer.matches)


class Datasketch:
    name = "datasketch"

    def __init__(self, port: int, params: Params) -> None:
        self.params = params
        self.lsh = MinHashLSH(
            num_perm=params.num_perm,
            params=(params.body_bands, params.body_rows),
            storage_config={"type": "redis", "basename": b"bench", "redis": {"host": "127.0.0.1", "port": port}},
        )
        self.loaded = 0

    def load_to(self, n: int, rng: np.random.Generator, progress=None) -> float:
        t0, todo = time.perf_counter(), n - self.loaded
        with self.lsh.insertion_session(buffer_size=50_000) as session:
            while self.loaded < n:
                count = min(10_000, n - self.loaded)
                values = rng.integers(0, 1 << 32, size=(count, self.params.num_perm), dtype=np.uint32)
                for i in range(count):
                    session.insert(f"bulk-{self.loaded + i}", ds_minhash(values[i], self.params))
                self.loaded += count
                if progress:
                    progress(self.loaded)
        return todo / max(1e-9, time.perf_counter() - t0)

    def check(self, m: Measured, i: int, run_tag: str) -> int:
        mh = ds_minhash(m.values[i], self.params)
        found = self.lsh.query(mh)
        self.lsh.insert(f"{run_tag}-{m.metas[i].id}", mh)
        return len(found)


def measure(system, client: redis.Redis, m: Measured, lo: int, hi: int, run_tag: str) -> dict:
    """Check-and-insert articles lo..hi one by one: latency, throughput, round trips, Redis commands."""
    RoundTrips.install()
    latencies = []
    stats0 = client.info("stats")["total_commands_processed"]
    trips0 = RoundTrips.count
    matched = 0
    t0 = time.perf_counter()
    for i in range(lo, hi):
        s = time.perf_counter()
        matched += system.check(m, i, run_tag) > 0
        latencies.append(time.perf_counter() - s)
    wall = time.perf_counter() - t0
    trips = RoundTrips.count - trips0
    # INFO itself is one command on the server; Lua scripts' inner calls are not counted by this stat.
    commands = client.info("stats")["total_commands_processed"] - stats0 - 1
    n = hi - lo
    return {
        "checks_per_s": n / wall,
        "p50_ms": 1e3 * percentile(latencies, 50),
        "p99_ms": 1e3 * percentile(latencies, 99),
        "round_trips_per_check": trips / n,
        "commands_per_check": commands / n,
        "matched_share": matched / n,
    }


def _per_size(system, client, m: Measured, runs: int, per_run: int, size: int, slot: int) -> dict:
    """`runs` runs of `per_run` checks; each size (slot) gets its own articles, the same for both systems."""
    first = slot * runs * per_run
    results = [
        measure(system, client, m, first + r * per_run, first + (r + 1) * per_run, f"s{size}r{r}") for r in range(runs)
    ]
    keys = results[0].keys()
    return {"runs": results, **{k: median([r[k] for r in results]) for k in keys}}


def measured(articles, params: Params) -> Measured:
    """Fingerprints (ours) and body MinHash values (for datasketch) of real corpus articles."""
    from dedupe.fingerprint import fingerprint, minhash, shingle_hashes
    from dedupe.text import article_tokens

    fps, metas, values = [], [], []
    for a in articles:
        words = article_tokens(a.text, title=a.title)
        fps.append(fingerprint(words, params))
        values.append(minhash(shingle_hashes(words, params.shingle_size), params.num_perm, params.seed))
        metas.append(ArticleMeta(id=a.id, ts=NOW - 60, has_published=False, published_at=None, title=a.title,
                                 url=f"https://news.example.org/{a.id}", outlet="bench"))  # fmt: skip
    return Measured(fps, metas, values)


def run(m: Measured, sizes: list[int], ds_sizes: list[int], runs: int, per_run: int, log=print) -> dict:
    """Both systems at each size; measured checks use the same real fingerprints for both.

    `m` holds len(sizes) * runs * per_run articles; datasketch sizes must be among `sizes`.
    """
    params = params_from(Settings())  # the shipped defaults
    out: dict = {"sizes": sizes, "ds_sizes": ds_sizes, "ours": {}, "datasketch": {}}
    rng = np.random.default_rng(7)
    with private_redis() as server:
        client = server.client()
        base = used_memory(client)
        ours = Ours(client, params)
        for size in sizes:
            rate = ours.load_to(size, rng)
            mem = used_memory(client) - base
            count = ours.count()
            log(f"  ours: {count:,} indexed (bulk load {rate:,.0f}/s), {mem / count:,.0f} B/article")
            row = _per_size(ours, client, m, runs, per_run, size, sizes.index(size))
            row.update(indexed=count, bulk_load_per_s=rate, bytes_per_article=mem / count)
            row["lua_usec_per_call"] = _lua_usec(client)
            out["ours"][size] = row
            log(f"    {row['checks_per_s']:,.0f} checks/s  p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  "
                f"{row['round_trips_per_check']:.2f} round trips/check")  # fmt: skip
            client.config_resetstat()
        client.flushall()
    rng = np.random.default_rng(7)
    with private_redis() as server:
        client = server.client()
        base = used_memory(client)
        ds = Datasketch(server.port, params)
        for size in ds_sizes:
            rate = ds.load_to(size, rng)
            mem = used_memory(client) - base
            log(f"  datasketch: {size:,} indexed (bulk load {rate:,.0f}/s), {mem / size:,.0f} B/article")
            row = _per_size(ds, client, m, runs, per_run, size, sizes.index(size))
            row.update(indexed=size, bulk_load_per_s=rate, bytes_per_article=mem / size)
            out["datasketch"][size] = row
            log(f"    {row['checks_per_s']:,.0f} checks/s  p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  "
                f"{row['round_trips_per_check']:.2f} round trips/check")  # fmt: skip
        client.flushall()
    return out


def _lua_usec(client: redis.Redis) -> float:
    """Mean server-side time of one check script (EVALSHA), from INFO commandstats."""
    stats = client.info("commandstats")
    ev = stats.get("cmdstat_evalsha") or {}
    return float(ev.get("usec_per_call", float("nan")))

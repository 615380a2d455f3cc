"""`python -m dedupe verify`: is every article whole? Reads the key layout of check.lua, changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from redis import Redis

from ..fingerprint import Fingerprint, Params
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
    c, k, problems = index.client, index.keys, []
    ids = {key.decode(): int(v) for key, v in c.hscan_iter(k.ids, count=1000)}
    numbers = [k.number_of(key) for key in c.scan_iter(match=k.pattern("a"), count=1000)]
    records: dict[int, Record] = {}
    for chunk in _chunks(numbers, 1000):
        for n, raw in zip(chunk, c.mget([k.article(n) for n in chunk]), strict=True):
            if raw is not None:
                records[n] = read_record(raw)
    for ext, n in ids.items():
        if n not in records:
            problems.append(f"id {ext!r} -> article {n}: no record")
        elif records[n][ID].decode() != ext:
            problems.append(f"id {ext!r} -> article {n}, whose record names {records[n][ID]!r}")
    aged = {int(m) for m in c.zrange(k.age, 0, -1)}
    bits = int(c.hget(k.meta, "bucket_bits") or index.bucket_bits)
    checks = []  # (article, band key, story) to confirm in one pipeline per chunk
    for n, rec in records.items():
        if len(rec) != RECORD_FIELDS or ids.get(rec[ID].decode()) != n:
            problems.append(f"article {n} ({rec[ID]!r}) is incomplete or not in ids")
            continue
        if n not in aged:
            problems.append(f"article {n} missing from the retention queue")
        keys = _band_keys(rec[SIG], rec[SENTS], index.params)
        checks += [(n, key, None) for key, flag in zip(keys, rec[LINKED], strict=True) if flag == ord("1")]
        checks.append((n, None, rec[STORY].decode()))
    for chunk in _chunks(checks, 2000):
        pipe = c.pipeline(transaction=False)
        for n, key, story in chunk:
            if key is not None:
                pipe.hget(k.bucket(bucket_number(key, bits)), key)
            else:
                pipe.zscore(k.story(story), story_member(n))
        for (n, key, story), found in zip(chunk, pipe.execute(), strict=True):
            if key is not None and str(n) not in (found or b"").decode().split(","):
                problems.append(f"article {n}: band {key.hex()} does not list it")
            elif key is None and found is None:
                problems.append(f"article {n} missing from its story {story}")
    for _, bands in _read_all(c, c.scan_iter(match=k.pattern("b"), count=1000), "hgetall"):
        for band, members in bands.items():
            problems += [f"band {band.hex()} lists missing article {m}" for m in members.decode().split(",")
                         if int(m) not in records]  # fmt: skip
    for key, members in _read_all(c, c.scan_iter(match=k.pattern("s"), count=1000), "zrange", 0, -1):
        story = k.story_of(key)
        for m in members:
            rec = records.get(int(m))
            if rec is None or rec[STORY].decode() != story:
                problems.append(f"story {story} lists article {int(m)}, which is not in it")
    problems.extend(f"retention queue lists missing article {n}" for n in aged - records.keys())
    return problems + _view_problems(c, k, records)


def _view_problems(c: Redis, k: Keys, records: dict[int, Record]) -> list[str]:
    """The view's keys: a story text only beside its record, a URL naming an article of that URL, a recent
    story that has copies."""
    texts = (k.number_of(key) for key in c.scan_iter(match=k.pattern("t"), count=1000))
    problems = [f"story text t:{n} of missing article {n}" for n in texts if n not in records]
    for url, n in c.hscan_iter(k.urls, count=1000):
        if int(n) not in records or records[int(n)][URL] != url:
            problems.append(f"URL {url!r} names article {int(n)}, which is missing or has another URL")
    stories = {rec[STORY].decode() for rec in records.values()}
    problems += [f"recent story {s.decode()!r} has no copy" for s in c.zrange(k.recent, 0, -1)
                 if s.decode() not in stories]  # fmt: skip
    return problems


def _read_all(client: Redis, keys: Iterable[bytes], command: str, *args: object) -> Iterator[tuple[bytes, Any]]:
    """(key, reply) for every key, a thousand keys per pipeline: an index has up to millions of buckets."""
    keys = iter(keys)
    while chunk := list(islice(keys, 1000)):
        pipe = client.pipeline(transaction=False)
        for key in chunk:
            getattr(pipe, command)(key, *args)
        yield from zip(chunk, pipe.execute(), strict=True)


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _band_keys(sig: bytes, sentences: bytes, params: Params) -> tuple[bytes, ...]:
    """Bucket keys of a stored article (body, lead, sentences), as check.lua derives them."""
    body = 2 * params.num_perm
    fp = Fingerprint(signature=sig[:body], lead_signature=sig[body:], shingles=0, params=params, sentences=sentences)
    return fp.band_keys

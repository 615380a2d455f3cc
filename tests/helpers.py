"""Helpers shared by the contract tests: requests, webhook signing, metrics, and the index consistency check."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgpack
import redis
from prometheus_client.parser import text_string_to_metric_families
from standardwebhooks.webhooks import Webhook
from werkzeug.serving import make_server

from dedupe.store.keys import Keys, bucket_number, story_member

PREFIX = "dd:{test}:"


def check(client, article_id: str, text: str | None = None, *, expect: int = 200, **fields: Any) -> dict:
    """POST /v1/check and return the JSON answer, asserting the status."""
    body = {"id": article_id, **({"text": text} if text is not None else {}), **fields}
    response = client.post("/v1/check", json=body)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.get_json()


def signed_delivery(
    secret: str,
    payload: Any,
    *,
    msg_id: str | None = None,
    at: datetime | None = None,
) -> tuple[str, dict[str, str]]:
    """A webhook body and its Standard Webhooks headers, signed as the CMS would."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(tz=UTC)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
        "Content-Type": "application/json",
    }
    return body, headers


def deliver(client, secret: str, payload: Any, **kw: Any):
    body, headers = signed_delivery(secret, payload, **kw)
    return client.post("/v1/webhooks/cms", data=body, headers=headers)


def stale(minutes: float) -> datetime:
    return datetime.now(tz=UTC) - timedelta(minutes=minutes)


def metrics(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """/metrics parsed with prometheus_client's own parser: {(sample name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def metric(snapshot: dict, name: str, **labels: str) -> float:
    return snapshot.get((name, tuple(sorted(labels.items()))), 0.0)


def _keys(prefix: str, spread: bool = False) -> Keys:
    """The names of the index whose matching-slot prefix is `prefix` ("dd:{<namespace>}:")."""
    return Keys(prefix[len("dd:{") : -len("}:")], spread=spread)


def index_snapshot(client: redis.Redis, prefix: str = PREFIX) -> dict[bytes, object]:
    """Every index key (webhook delivery records aside) with its contents: to prove that nothing changed.
    The matching slot's keys and, on a cluster, the records and texts spread under per-article tags."""
    keys = _keys(prefix, spread=True)
    out: dict[bytes, object] = {}
    found = set(client.scan_iter(match=prefix + "*"))
    for kind in ("a", "t"):
        found |= set(client.scan_iter(match=keys.spread_pattern(kind)))
    for key in sorted(found):
        if key.startswith(keys.deliveries.encode()):
            continue
        kind = client.type(key)
        if kind == b"hash":
            out[key] = client.hgetall(key)
        elif kind == b"zset":
            out[key] = client.zrange(key, 0, -1, withscores=True)
        elif kind == b"string":
            out[key] = client.get(key)
        else:
            out[key] = client.dump(key)
    return out


# A stored article (check.lua, RECORD): a MessagePack array in one string key.
RECORD = (
    "id", "sig", "size", "ts", "hp", "pub", "title", "url", "outlet", "at", "story", "linked", "sentences", "numbers",
    "wire",
)  # fmt: skip


def read_record(client: redis.Redis, key: str | bytes) -> dict[str, object] | None:
    raw = client.get(key)
    return None if raw is None else dict(zip(RECORD, msgpack.unpackb(raw, raw=True), strict=True))


def band_keys(sig: bytes, layout: bytes, sentences: bytes = b"") -> list[bytes]:
    """The bucket keys check.lua derives from a record: rows of 16-bit slots (body, lead), then the first
    sentences' 32-bit hashes."""
    slots, body_bands, body_rows, lead_bands, lead_rows, indexed = (int(x) for x in layout.split(b","))
    body = [sig[i * 2 * body_rows : (i + 1) * 2 * body_rows] for i in range(body_bands)]
    base = 2 * slots
    lead = [sig[base + i * 2 * lead_rows : base + (i + 1) * 2 * lead_rows] for i in range(lead_bands)]
    return body + lead + [sentences[i * 4 : (i + 1) * 4] for i in range(min(indexed, len(sentences) // 4))]


def index_problems(client: redis.Redis, prefix: str = PREFIX) -> list[str]:
    """Consistency of the key layout described at the top of check.lua (independent of dedupe's own code but for
    the key names, which come from dedupe.store.keys).

    Every `ids` entry has its `a:<n>` record naming it back; every band a record says it linked lists the
    record in its `b:` bucket; every bucket entry and story member is a live record of that story. A cooled
    record (spread layout, past the matching horizon) is linked nowhere.
    """
    k = _keys(prefix)
    problems: list[str] = []
    bits = int(client.hget(k.meta, "bucket_bits") or 16)
    layout = client.hget(k.meta, "layout")
    ids = {key.decode(): int(v) for key, v in client.hgetall(k.ids).items()}
    records = {k.number_of(key): read_record(client, key) for key in client.scan_iter(match=k.pattern("a"))}
    for ext, n in ids.items():
        rec = records.get(n)
        if rec is None:
            problems.append(f"ids[{ext!r}] = {n}: no a:{n}")
        elif rec["id"].decode() != ext:
            problems.append(f"ids[{ext!r}] = {n}, but a:{n} names {rec['id']!r}")
    for n, rec in records.items():
        problems += _record_problems(client, k, n, rec, ids, bits, layout)
    for key in client.scan_iter(match=k.pattern("b")):
        for band, members in client.hgetall(key).items():
            for m in members.decode().split(","):
                if int(m) not in records:
                    problems.append(f"{key.decode()} band {band.hex()} lists missing a:{m}")
    for key in client.scan_iter(match=k.pattern("s")):
        story = k.story_of(key)
        for m in client.zrange(key, 0, -1):
            rec = records.get(int(m))
            if rec is None or rec["story"].decode() != story:
                problems.append(f"s:{story} lists a:{int(m)}, which is not an article of it")
    return problems


def _record_problems(client, k: Keys, n: int, rec: dict, ids: dict, bits: int, layout: bytes) -> list[str]:
    problems = []
    if ids.get(rec["id"].decode()) != n:
        problems.append(f"a:{n} is not in ids")
    linked = rec["linked"] or b""
    for band, flag in zip(band_keys(rec["sig"], layout, rec["sentences"]), linked, strict=bool(linked)):
        if flag != ord("1"):
            continue
        members = (client.hget(k.bucket(bucket_number(band, bits)), band) or b"").decode().split(",")
        if str(n) not in members:
            problems.append(f"a:{n}: band {band.hex()} does not point back to it")
    story = rec["story"].decode()
    if client.zscore(k.story(story), story_member(n)) is None:
        problems.append(f"a:{n} missing from s:{story}")
    return problems


def assert_index_consistent(client: redis.Redis, settings) -> None:
    """Both checks, always: the test's own reading of the key layout, and `python -m dedupe verify`'s
    (dedupe.cli.verify, exit status 0); a missing `verify` is a failure, never a skip."""
    assert index_problems(client, Keys(settings.namespace).prefix) == []
    from dedupe import cli

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = cli.verify(argparse.Namespace(), settings)
    assert status == 0, printed.getvalue()


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """The app on a real HTTP server (a thread, a free loopback port): for clients that need a socket."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)

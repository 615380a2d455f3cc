"""Every key name of an index and the layout of its article record, spelled once for Python.

check.lua builds the same names from the prefix it is given (`KEYS[1]`); tests/test_storage.py checks
that what the script writes is what these names say. The keys the check script touches share the hash tag
`{namespace}` (the matching slot), so under Redis Cluster one script may touch them all.

Two layouts. On one server (and embedded) everything is in that slot, as it always was. Spread (Redis
Cluster): the matching slot keeps only what decides (bands, the records of articles within the matching
horizon, ids, stories); each article's whole record and story text live under a hash tag of its own,
`{namespace:<n>}`, so they spread over every master (`record` and `text` below name them).
"""

from __future__ import annotations

from typing import Any

import msgpack

# The fields of a stored article (check.lua, RECORD): one MessagePack array in one string key.
ID, SIG, SIZE, TS, HP, PUB, TITLE, URL, OUTLET, AT, STORY, LINKED, SENTS, NUMS, WIRE = range(15)
RECORD_FIELDS = 15

Record = list[Any]  # one decoded record: bytes fields, indexed by the names above


def read_record(raw: bytes | None) -> Record | None:
    return None if raw is None else msgpack.unpackb(raw, raw=True)


class Keys:
    """The names of one index's keys (see check.lua's Layout for what each holds)."""

    def __init__(self, namespace: str, spread: bool = False) -> None:
        self.namespace = namespace
        self.spread = spread  # the cluster layout: records and texts under per-article hash tags
        self.prefix = f"dd:{{{namespace}}}:"
        self.meta = self.prefix + "meta"  # hash: params, epoch, bucket_bits, layout
        self.ids = self.prefix + "ids"  # hash: article id -> arrival number
        self.age = self.prefix + "age"  # zset: arrival number by indexing time (retention)
        self.recent = self.prefix + "recent"  # zset: story id by last copy's indexing time (the view)
        self.urls = self.prefix + "u"  # hash: URL -> arrival number
        self.deliveries = self.prefix + "wh:"  # + webhook-id digest: the delivery's answer
        self.hot = self.prefix + "hot"  # zset (spread layout): articles still matchable, by indexing time

    def article(self, number: int) -> str:
        return f"{self.prefix}a:{number}"

    def text(self, number: int) -> str:
        """The story text: in the matching slot on one server, under the article's own tag when spread."""
        return f"dd:{{{self.namespace}:{number}}}:t" if self.spread else f"{self.prefix}t:{number}"

    def record(self, number: int) -> str:
        """Where the article's whole record is read: `article(n)` on one server, its own tag when spread."""
        return f"dd:{{{self.namespace}:{number}}}:a" if self.spread else self.article(number)

    def spread_pattern(self, kind: str) -> str:
        """A SCAN pattern for every spread key of one kind ("a" record, "t" text), on every master."""
        return f"dd:{{{self.namespace}:[0-9]*}}:{kind}"

    @staticmethod
    def spread_number_of(key: bytes) -> int:
        """The arrival number in a spread key `dd:{ns:<n>}:a`."""
        return int(key.decode().rsplit("}", 1)[0].rsplit(":", 1)[1])

    def story(self, story_id: str) -> str:
        return f"{self.prefix}s:{story_id}"

    def bucket(self, number: int) -> str:
        return f"{self.prefix}b:{number}"

    def pattern(self, kind: str) -> str:
        """A SCAN pattern for every key of one kind: "a", "t", "s" or "b"."""
        return f"{self.prefix}{kind}:*"

    @staticmethod
    def number_of(key: bytes) -> int:
        """The arrival number in an `a:<n>` or `t:<n>` key."""
        return int(key.decode().rsplit(":", 1)[1])

    def story_of(self, key: bytes) -> str:
        return key.decode()[len(self.prefix) + 2 :]


def story_member(number: int) -> str:
    """How a story's zset names an article: zero-padded, so equal scores order by arrival."""
    return f"{number:012d}"


def bucket_number(band_key: bytes, bucket_bits: int) -> int:
    """The bucket (hash `b:<n>`) a band key lives in: its first 24 bits, cut to bucket_bits (as check.lua)."""
    return int.from_bytes(band_key[:3], "big") >> (24 - bucket_bits)

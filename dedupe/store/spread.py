"""The spread layout's second step (Redis Cluster): each article's whole record and story text under a hash tag
of its own, so they spread over every master; written after the check script decided, from what it returned.

On one server (Keys.spread false) the check script keeps records and texts in the matching slot itself: every
method here then writes nothing and reads the matching slot, so both layouts run this same code.

A record or text that could not be written (a master down) fails the request (503): the sender's retry is
answered "unchanged" by the script, which returns the record again, and this step writes it then. Each key has
a TTL of retention plus a day, so a key whose removal never ran (a crash between the two steps) still goes.
"""

from __future__ import annotations

from typing import Any

from . import cluster
from .keys import Keys
from .records import IndexAnswer

SLACK_S = 86400  # spread keys outlive retention by this much: the explicit removal comes first


class Spread:
    def __init__(self, client: Any, keys: Keys) -> None:
        self.client = client
        self.keys = keys

    def apply(self, done: list[tuple[IndexAnswer, bytes]], retention_s: float) -> None:
        """Write the records the script stored (with their texts), remove those of the articles it removed: one
        pipelined fan-out over the masters. `done`: each answer, with its article's compressed text (b"": none)."""
        if not self.keys.spread:
            return
        ttl = int(retention_s) + SLACK_S
        pipes = cluster.Fanout(self.client)
        for answer, text in done:
            for gone in answer.removed:
                self._delete(pipes, gone)
            n = answer.number
            if answer.record and n is not None:
                key = self.keys.record(n)  # the record and the text share the article's tag
                pipes.add(key, "set", key, answer.record, ex=ttl)
                if text:
                    pipes.add(key, "set", self.keys.text(n), text, ex=ttl)
                elif answer.status != "unchanged":
                    pipes.add(key, "delete", self.keys.text(n))
        pipes.execute()

    def remove(self, numbers: list[int]) -> None:
        """Remove the spread keys of articles the script removed (delete, purge)."""
        if self.keys.spread and numbers:
            pipes = cluster.Fanout(self.client)
            for n in numbers:
                self._delete(pipes, n)
            pipes.execute()

    def _delete(self, pipes: cluster.Fanout, n: int) -> None:
        pipes.add(self.keys.record(n), "delete", self.keys.record(n), self.keys.text(n))  # one slot: its tag

    def records(self, numbers: list[int]) -> list[bytes | None]:
        """The whole records of these articles (None: absent). Spread: the per-article key, else the matching
        slot's (within the horizon whole, a skeleton past it: enough for the API, not for matching)."""
        found = cluster.get_many(self.client, [self.keys.record(n) for n in numbers])
        if self.keys.spread and None in found:
            lost = [i for i, raw in enumerate(found) if raw is None]
            hot = cluster.get_many(self.client, [self.keys.article(numbers[i]) for i in lost])
            for i, raw in zip(lost, hot, strict=True):
                found[i] = raw
        return found

    def texts(self, numbers: list[int]) -> list[bytes | None]:
        return cluster.get_many(self.client, [self.keys.text(n) for n in numbers])

"""Webhook deliveries already answered: a redelivery (same `webhook-id`) gets the same answer."""

from __future__ import annotations

import hashlib

import redis

from . import replies
from .keys import Keys


class Deliveries:
    """What the webhook answered to each `webhook-id`, so that a redelivery gets the same answer.

    Whether a delivery was applied is recorded by the check script itself (see Event); the answer is
    stored here afterwards, and recomputed without side effects in the rare case it was not.
    """

    DONE = b"done"  # written by the check script; replaced by the answer once it is stored

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client = client
        self.prefix = Keys(namespace).deliveries

    @staticmethod
    def key_suffix(webhook_id: str) -> str:
        return hashlib.sha256(webhook_id.encode("utf-8", "replace")).hexdigest()[:32]

    def recall(self, webhook_id: str) -> bytes | None:
        """The stored answer, DONE if applied but not answered yet, or None if never applied."""
        return replies.raw(self.client.get(self.prefix + self.key_suffix(webhook_id)))

    def remember(self, webhook_id: str, answer: bytes, ttl_s: float) -> None:
        self.client.set(self.prefix + self.key_suffix(webhook_id), answer, ex=max(1, int(ttl_s)))

"""Redis replies, typed at the one place they are read.

redis-py declares most commands as returning `Awaitable[Any] | Any` (one signature for the sync and async
clients) and a reply as `bytes | str`; this service's clients are synchronous and never decode, so a reply
is bytes, an int, a list or None. These helpers say which, and fail loudly when it is not.
"""

from __future__ import annotations

from typing import Any


def raw(reply: Any) -> bytes | None:
    """A bulk string (None when the key or field is absent)."""
    if reply is None or isinstance(reply, bytes):
        return reply
    raise TypeError(f"expected bytes from Redis, got {type(reply).__name__}")


def text(reply: Any) -> str | None:
    value = raw(reply)
    return None if value is None else value.decode()


def integer(reply: Any) -> int | None:
    """An integer reply, or a bulk string holding one (None when absent)."""
    return None if reply is None else int(reply)


def items(reply: Any) -> list[bytes]:
    """A multi-bulk reply of strings (members, keys, fields)."""
    if not isinstance(reply, list):
        raise TypeError(f"expected a list from Redis, got {type(reply).__name__}")
    return reply


def pairs(reply: Any) -> list[tuple[bytes, float]]:
    """A zset range read WITHSCORES: (member, score)."""
    return [(bytes(m), float(s)) for m, s in items(reply)]


def mapping(reply: Any) -> dict[bytes, bytes]:
    """HGETALL."""
    if not isinstance(reply, dict):
        raise TypeError(f"expected a dict from Redis, got {type(reply).__name__}")
    return reply


def numbers(reply: Any) -> list[int]:
    """Article numbers as check.lua lists them: "n,n,..." ("" for none)."""
    value = raw(reply) or b""
    return [int(n) for n in value.split(b",") if n]

"""Rate limits per API key on /v1 (Flask-Limiter), counted in the service's own Redis.

Off unless DEDUPE_RATE_LIMIT is set (e.g. `600/minute;20000/hour`). One budget per caller across every
/v1 endpoint: a caller is its API key when it sends a configured one (the key is never stored: Redis sees
a digest), else its address. The CMS webhook (signed, and retried by its sender) and the operations
endpoints are not limited. When Redis cannot count, requests pass (the check itself then answers 503).
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

import redis
from flask import Flask, g, request
from flask_limiter import Limiter, RequestLimit

from ..config import Settings
from ..store import embedded


def storage_uri(settings: Settings) -> str:
    """The service's Redis as a `limits` storage URI: REDIS_URL (a cluster's nodes with DEDUPE_REDIS_CLUSTER),
    or the embedded server's Unix socket."""
    url = settings.redis_url or f"unix://{embedded.socket_path(settings.data_dir)}"
    if url.startswith("unix://"):
        return "redis+unix://" + url.removeprefix("unix://")
    if settings.redis_cluster:
        return "redis+cluster://" + url.split("://", 1)[-1]
    return url


def _storage_options(settings: Settings, client: redis.Redis) -> dict[str, Any]:
    """The service's own connection pool (same Redis, same timeouts, no second set of connections); a cluster
    client has one pool per node, so there `limits` opens its own cluster client on the same nodes."""
    options: dict[str, Any] = {"key_prefix": key_prefix(settings)}
    if not settings.redis_cluster:
        options["connection_pool"] = client.connection_pool
    return options


def key_prefix(settings: Settings) -> str:
    """Where the counters live in Redis: beside the index, never inside its `dd:{namespace}:` keys."""
    return f"dedupe-limits:{settings.namespace}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def init_app(app: Flask, settings: Settings, client: redis.Redis) -> Limiter | None:
    if not settings.rate_limit:
        return None
    known = {_digest(k) for k in settings.api_keys}

    def caller() -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token and (digest := _digest(token.strip())) in known:
            return f"key:{digest}"
        return f"addr:{request.remote_addr or 'unknown'}"  # no key, or one the API refuses with 401

    def exempt() -> bool:
        return not request.path.startswith("/v1/") or request.path.startswith("/v1/webhooks/")

    def on_breach(limit: RequestLimit) -> None:
        # errors.py's 429 handler sends this as Retry-After: when the window has room again
        window_s = limit.limit.get_expiry()
        g.retry_after_s = max(1, min(window_s, math.ceil(limit.reset_at - time.time())))

    return Limiter(
        caller,
        app=app,
        application_limits=[settings.rate_limit],
        application_limits_exempt_when=exempt,
        strategy="sliding-window-counter",
        storage_uri=storage_uri(settings),
        storage_options=_storage_options(settings, client),
        swallow_errors=True,
        headers_enabled=False,  # X-RateLimit-* headers would cost a second Redis round trip per request
        on_breach=on_breach,
    )

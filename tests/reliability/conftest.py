"""Fixtures of the reliability suite: a private Redis to kill, pause and fill, and the service under gunicorn.

Everything runs on loopback, on free ports, in the test's temporary directory; every wait is bounded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.redis_server import RedisServer

from .harness import NAMESPACE, PREFIX, ROOT, WEBHOOK_SECRET, WEBHOOK_SECRET_2, Service

__all__ = ["NAMESPACE", "PREFIX", "ROOT", "WEBHOOK_SECRET", "WEBHOOK_SECRET_2", "Service"]


@pytest.fixture
def redis_srv(outage_redis: RedisServer) -> RedisServer:
    """A Redis of this test's own, with an fsync-always AOF: what it acknowledged survives a SIGKILL."""
    return outage_redis


@pytest.fixture
def start_service(tmp_path: Path):
    """Start one or more services (each torn down at the end of the test)."""
    started: list[Service] = []

    def _start(redis_url: str, wait: bool = True, **env: str) -> Service:
        svc = Service(tmp_path / f"svc{len(started)}", redis_url, **env)
        started.append(svc)
        return svc.start(wait=wait)

    yield _start
    for svc in started:
        svc.stop()


@pytest.fixture
def service(redis_srv: RedisServer, start_service) -> Service:
    return start_service(redis_srv.url)

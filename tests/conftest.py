"""Shared fixtures: one private Redis for the run, flushed around each test; the app built on it."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from dedupe.config import Settings
from dedupe.web import create_app
from dedupe.wiring import build_services
from support.redis_server import RedisServer

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> redis.Redis:
    client = redis_server.client()
    client.flushall()
    yield client
    client.flushall()


@pytest.fixture
def settings(redis_server: RedisServer, redis_client: redis.Redis) -> Settings:
    return Settings(redis_url=redis_server.url, namespace="test")


@pytest.fixture
def make_app(settings: Settings):
    def _make(**overrides):
        s = Settings(**{**settings.__dict__, **overrides})
        return create_app(s, build_services(s))

    return _make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (FIXTURES / "seed-article.txt").read_text(encoding="utf-8")


# -- added for the contract suite -----------------------------------------------------------------------


@pytest.fixture
def index(settings: Settings, redis_client: redis.Redis):
    """The RedisIndex the app would build, on the test Redis (for the storage tests)."""
    from dedupe.service import params_from
    from dedupe.store import RedisIndex

    idx = RedisIndex(redis_client, params_from(settings), settings.namespace)
    idx.ensure()
    return idx


@pytest.fixture
def outage_redis(tmp_path: Path):
    """A Redis of this test's own, to kill and restart; with an fsync-always AOF so what it acknowledged survives."""
    server = RedisServer(tmp_path / "outage-redis", "--appendonly", "yes", "--appendfsync", "always").start()
    yield server
    server.stop()


@pytest.fixture
def outage_settings(outage_redis: RedisServer) -> Settings:
    return Settings(
        redis_url=outage_redis.url, namespace="test", redis_timeout_s=1.0, webhook_secrets=(WEBHOOK_SECRET,)
    )


@pytest.fixture
def outage_app(outage_settings: Settings):
    return create_app(outage_settings, build_services(outage_settings))


#: Standard Webhooks secrets (base64 after the prefix), two of them for the rotation tests.
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WEBHOOK_SECRET_2 = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24="

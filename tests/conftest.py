"""Shared fixtures: one private Redis for the run, flushed around each test; the app built on it."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from dedupe import build_services, create_app
from dedupe.config import Settings
from tests.redis_server import RedisServer

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

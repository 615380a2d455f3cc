"""The embedded default: no REDIS_URL starts a redis-server under DEDUPE_DATA_DIR, durable and shared."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis

from dedupe.config import Settings
from dedupe.store import embedded
from dedupe.web import create_app
from support import articles
from tests.helpers import check


@pytest.fixture
def data_dir(tmp_path: Path):
    path = tmp_path / "data"
    yield path
    embedded.stop(str(path))


def env_settings(data_dir: Path) -> Settings:
    settings = Settings.from_env({"DEDUPE_DATA_DIR": str(data_dir), "DEDUPE_NAMESPACE": "embedded"})
    assert settings.redis_url == ""
    return settings


def test_without_redis_url_the_service_starts_an_embedded_redis_under_the_data_dir(data_dir):
    client = create_app(env_settings(data_dir)).test_client()
    assert client.get("/readyz").status_code == 200
    assert embedded.socket_path(str(data_dir)).exists()
    assert (data_dir / "redis.conf").exists()
    first = check(client, "a", articles.wire_original())
    assert first["duplicate"] is False
    assert check(client, "b", articles.SEED)["duplicate"] is True
    stored = redis.Redis(unix_socket_path=str(embedded.socket_path(str(data_dir))))
    assert stored.hlen("dd:{embedded}:ids") == 2


def test_embedded_data_survives_a_restart_of_the_server(data_dir):
    settings = env_settings(data_dir)
    client = create_app(settings).test_client()
    story = check(client, "a", articles.wire_original())["story_id"]
    embedded.stop(str(data_dir))
    assert not embedded._answers(embedded.socket_path(str(data_dir)))
    restarted = create_app(settings).test_client()  # starts it again from its files
    response = restarted.get("/v1/articles/a")
    assert response.status_code == 200
    assert response.get_json()["story_id"] == story
    result = check(restarted, "b", articles.SEED)
    assert result["duplicate"] is True
    assert result["story_id"] == story


def test_processes_share_one_embedded_index(data_dir):
    settings = env_settings(data_dir)
    url, started = embedded.ensure_running(str(data_dir))
    assert started is True
    assert embedded.ensure_running(str(data_dir)) == (url, False)  # the second finds it running
    one = create_app(settings).test_client()
    two = create_app(settings).test_client()
    check(one, "a", articles.wire_original())
    result = check(two, "b", articles.SEED)
    assert result["duplicate"] is True
    assert [m["id"] for m in result["matches"]] == ["a"]
    assert two.get("/v1/articles/a").status_code == 200
    two.delete("/v1/articles/a")
    assert one.get("/v1/articles/a").status_code == 404


def test_stop_is_harmless_when_nothing_runs(tmp_path, data_dir):
    never = tmp_path / "never-started"
    assert embedded.stop(str(never)) is None
    assert not never.exists()  # it created nothing
    # stopped twice: the second stop finds nothing to do, and leaves the data where the next start finds it
    check(create_app(env_settings(data_dir)).test_client(), "a", articles.wire_original())
    embedded.stop(str(data_dir))
    files = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*"))
    started = time.monotonic()
    assert embedded.stop(str(data_dir)) is None
    assert time.monotonic() - started < 1.0  # nothing to wait for
    assert sorted(p.relative_to(data_dir) for p in data_dir.rglob("*")) == files
    assert embedded.ensure_running(str(data_dir))[1] is True
    assert redis.Redis(unix_socket_path=str(embedded.socket_path(str(data_dir)))).hkeys("dd:{embedded}:ids") == [b"a"]

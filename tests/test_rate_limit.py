"""Rate limits per API key (DEDUPE_RATE_LIMIT), counted in the service's own Redis: 429 in the JSON error
envelope with Retry-After; off by default; the operations endpoints and the webhook are never limited."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from dedupe.config import Settings, SettingsError
from dedupe.store import embedded
from dedupe.web import create_app, ratelimit
from support import articles
from support.redis_server import free_port
from tests.conftest import WEBHOOK_SECRET
from tests.helpers import deliver, metric, metrics

K1 = {"Authorization": "Bearer key-one"}
K2 = {"Authorization": "Bearer key-two"}


@pytest.fixture
def limited(make_app):
    return make_app(api_keys=("key-one", "key-two"), rate_limit="3/minute", webhook_secrets=(WEBHOOK_SECRET,))


def limiter_keys(client: redis.Redis, namespace: str = "test") -> list[bytes]:
    return list(client.scan_iter(match=f"dedupe-limits:{namespace}:*"))


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert "3 per 1 minute" in error["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-Request-ID"]


def test_a_key_over_its_limit_gets_429_with_retry_after(limited, redis_client):
    client = limited.test_client()
    for i in range(3):
        assert client.get(f"/v1/articles/a{i}", headers=K1).status_code == 404
    assert_rate_limited(client.get("/v1/articles/a", headers=K1))
    assert_rate_limited(client.post("/v1/check", json={"id": "a", "text": articles.SEED}, headers=K1))
    # nothing was stored by the refused check
    assert redis_client.hlen("dd:{test}:ids") == 0


def test_each_key_has_its_own_budget_across_every_v1_endpoint(limited):
    client = limited.test_client()
    assert client.post("/v1/check", json={"id": "a", "text": articles.SEED}, headers=K1).status_code == 200
    assert client.get("/v1/articles/a", headers=K1).status_code == 200
    assert client.get("/v1/stories/none", headers=K1).status_code == 404
    assert_rate_limited(client.delete("/v1/articles/a", headers=K1))
    assert client.delete("/v1/articles/a", headers=K2).status_code == 204


def test_operations_endpoints_and_the_webhook_are_not_limited(limited):
    client = limited.test_client()
    for _ in range(3):
        client.get("/v1/articles/x", headers=K1)
    assert_rate_limited(client.get("/v1/articles/x", headers=K1))
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        for _ in range(5):
            assert client.get(path, headers=K1).status_code == 200, path
    payload = {"type": "article.published", "data": {"id": "w", "text": articles.SEED}}
    for i in range(5):
        assert deliver(client, WEBHOOK_SECRET, payload, msg_id=f"m{i}").status_code == 200


def test_counters_live_in_the_services_redis_and_workers_share_them(make_app, redis_client):
    # two apps on one Redis, as two gunicorn workers (or two machines) are
    first = make_app(api_keys=("key-one",), rate_limit="3/minute").test_client()
    second = make_app(api_keys=("key-one",), rate_limit="3/minute").test_client()
    assert first.get("/v1/articles/x", headers=K1).status_code == 404
    assert second.get("/v1/articles/x", headers=K1).status_code == 404
    assert first.get("/v1/articles/x", headers=K1).status_code == 404
    assert_rate_limited(second.get("/v1/articles/x", headers=K1))
    keys = limiter_keys(redis_client)
    assert keys, "the counters should be in the service's Redis"
    assert not any(b"key-one" in key for key in keys), "the API key itself is never written to Redis"


def test_without_a_configured_key_callers_are_limited_by_address(make_app):
    app = make_app(api_keys=("key-one",), rate_limit="3/minute")
    here = app.test_client()
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for _ in range(3):
        assert here.get("/v1/articles/x", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert_rate_limited(here.get("/v1/articles/x", headers={"Authorization": "Bearer guess-again"}))
    assert elsewhere.get("/v1/articles/x", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert here.get("/v1/articles/x", headers=K1).status_code == 404  # a real key has a budget of its own


def test_off_by_default(client, redis_client):
    for _ in range(20):
        assert client.get("/v1/articles/x").status_code == 404
    assert limiter_keys(redis_client) == []


def test_limited_requests_are_counted_as_429(limited):
    client = limited.test_client()
    for _ in range(5):
        client.get("/v1/articles/x", headers=K1)
    snapshot = metrics(client)
    assert (
        metric(snapshot, "dedupe_http_requests_total", endpoint="unmatched", method="GET", status="429")
        + metric(
            snapshot,
            "dedupe_http_requests_total",
            endpoint="/v1/articles/<path:article_id>",
            method="GET",
            status="429",
        )
        == 2
    )


def test_when_redis_is_down_requests_pass_to_the_services_own_503(redis_client):
    settings = Settings(
        redis_url=f"redis://127.0.0.1:{free_port()}/0", namespace="test", redis_timeout_s=0.5, rate_limit="1/minute"
    )
    client = create_app(settings).test_client()
    for _ in range(3):
        response = client.post("/v1/check", json={"id": "a", "text": articles.SEED})
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "redis_unavailable"


def test_the_embedded_redis_is_used_through_its_unix_socket(tmp_path: Path):
    data_dir = tmp_path / "data"
    settings = Settings(redis_url="", data_dir=str(data_dir), namespace="emb", rate_limit="2/minute")
    assert ratelimit.storage_uri(settings) == f"redis+unix://{embedded.socket_path(str(data_dir))}"
    try:
        client = create_app(settings).test_client()
        assert client.get("/v1/articles/x").status_code == 404
        assert client.get("/v1/articles/x").status_code == 404
        assert client.get("/v1/articles/x").status_code == 429
        stored = redis.Redis(unix_socket_path=str(embedded.socket_path(str(data_dir))))
        assert list(stored.scan_iter(match="dedupe-limits:emb:*"))
    finally:
        embedded.stop(str(data_dir))


def test_storage_uri_follows_redis_url():
    assert ratelimit.storage_uri(Settings(redis_url="redis://:pw@h:6379/2")) == "redis://:pw@h:6379/2"
    assert ratelimit.storage_uri(Settings(redis_url="rediss://h:6380/0")) == "rediss://h:6380/0"
    assert ratelimit.storage_uri(Settings(redis_url="unix:///run/redis.sock")) == "redis+unix:///run/redis.sock"


@pytest.mark.parametrize("value", ["lots", "10/fortnight", "ten per minute"])
def test_a_bad_limit_is_refused_at_start(value):
    with pytest.raises(SettingsError, match="DEDUPE_RATE_LIMIT"):
        Settings.from_env({"DEDUPE_RATE_LIMIT": value})


def test_several_limits_are_accepted():
    assert Settings.from_env({"DEDUPE_RATE_LIMIT": "10/second;20000/hour"}).rate_limit == "10/second;20000/hour"

"""/metrics (parsed with prometheus_client's parser), /healthz and /readyz."""

from __future__ import annotations

from support import articles
from tests.conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_2
from tests.helpers import check, deliver, metric, metrics, stale

ORIGINAL = articles.wire_original()


def test_metrics_are_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    names = {name for name, _ in metrics(client)}
    for expected in (
        "dedupe_checks_total",
        "dedupe_check_seconds_bucket",
        "dedupe_check_seconds_count",
        "dedupe_check_seconds_sum",
        "dedupe_indexed_articles",
    ):
        assert expected in names


def test_check_counters_move_by_result(client):
    before = metrics(client)
    check(client, "a", ORIGINAL)
    check(client, "b", articles.SEED)
    check(client, "c", articles.brief(), index=False)
    after = metrics(client)
    assert (
        metric(after, "dedupe_checks_total", result="unique") - metric(before, "dedupe_checks_total", result="unique")
        == 1
    )
    assert (
        metric(after, "dedupe_checks_total", result="duplicate")
        - metric(before, "dedupe_checks_total", result="duplicate")
        == 2
    )


def test_check_latency_histogram_counts_every_check(client):
    before = metrics(client)
    for i in range(3):
        check(client, f"a{i}", ORIGINAL)
    after = metrics(client)
    assert metric(after, "dedupe_check_seconds_count") - metric(before, "dedupe_check_seconds_count") == 3
    assert metric(after, "dedupe_check_seconds_sum") > metric(before, "dedupe_check_seconds_sum")
    assert metric(after, "dedupe_check_seconds_bucket", le="+Inf") == metric(after, "dedupe_check_seconds_count")


def test_rejected_checks_are_not_counted(client):
    before = metrics(client)
    client.post("/v1/check", json={"id": "a"})
    after = metrics(client)
    assert metric(after, "dedupe_check_seconds_count") == metric(before, "dedupe_check_seconds_count")


def test_indexed_articles_follows_the_index(client):
    assert metric(metrics(client), "dedupe_indexed_articles") == 0
    check(client, "a", ORIGINAL)
    check(client, "b", articles.SEED)
    check(client, "c", articles.UNRELATED, index=False)
    assert metric(metrics(client), "dedupe_indexed_articles") == 2
    client.delete("/v1/articles/a")
    assert metric(metrics(client), "dedupe_indexed_articles") == 1
    assert metric(metrics(client), "dedupe_redis_up") == 1


def test_webhook_deliveries_are_counted_by_outcome(make_app):
    client = make_app(webhook_secrets=(WEBHOOK_SECRET,)).test_client()
    payload = {"type": "article.published", "data": {"id": "a", "text": ORIGINAL}}
    deliver(client, WEBHOOK_SECRET, payload, msg_id="m1")
    deliver(client, WEBHOOK_SECRET, payload, msg_id="m1")
    deliver(client, WEBHOOK_SECRET_2, payload)
    deliver(client, WEBHOOK_SECRET, payload, at=stale(10))
    deliver(client, WEBHOOK_SECRET, {"type": "nope", "data": {}})
    snapshot = metrics(client)

    def outcome(name: str) -> float:
        return metric(snapshot, "dedupe_webhook_deliveries_total", outcome=name)

    assert (outcome("processed"), outcome("redelivered"), outcome("rejected"), outcome("invalid")) == (1, 1, 2, 1)
    assert metric(snapshot, "dedupe_checks_total", result="unique") == 1


def test_unconfigured_webhook_is_counted(client):
    deliver(client, WEBHOOK_SECRET, {"type": "article.published", "data": {"id": "a", "text": ORIGINAL}})
    assert metric(metrics(client), "dedupe_webhook_deliveries_total", outcome="unconfigured") == 1


def test_healthz_and_readyz_are_200_when_redis_answers(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}

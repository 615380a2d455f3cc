"""dedupe-client (client/) against the live service: a real HTTP server (werkzeug, in a thread) on a free port,
the test Redis behind it. Retries meet real 503s (Redis killed) and real 429s (the rate limiter)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis
import requests
from dedupe_client import CheckResult, DedupeClient, DedupeError, ItemError, StoredArticle, Story, sign_webhook
from standardwebhooks.webhooks import Webhook

from support import articles
from tests.conftest import WEBHOOK_SECRET
from tests.helpers import serving

ORIGINAL = articles.wire_original()


@pytest.fixture
def url(make_app) -> Iterator[str]:
    with serving(make_app(webhook_secrets=(WEBHOOK_SECRET,))) as base:
        yield base


class Waits(list):
    """A sleep that records what the client waited (and sleeps a bounded real time)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(min(seconds, 1.5))


def test_check_get_story_delete_round_trip_with_typed_answers(url):
    client = DedupeClient(url)
    first = client.check("orig", ORIGINAL, outlet="AFP", published_at="2022-01-27T08:02:00Z")
    assert isinstance(first, CheckResult) and first.duplicate is False and first.words > 500
    copy = client.check("ndtv", articles.SEED, title=articles.HEADLINE, published_at="2022-01-27T14:05:00+05:30")
    assert copy.duplicate is True and copy.story_id == first.story_id and copy.warnings == []
    match = copy.matches[0]
    assert (match.id, match.outlet, match.relation) == ("orig", "AFP", "copy")
    assert match.evidence in ("jaccard", "sentences", "containment", "lead") and match.shared_sentences > 0
    stored = client.get("ndtv")
    assert isinstance(stored, StoredArticle) and stored.title == articles.HEADLINE
    assert stored.published_at == "2022-01-27T08:35:00Z"
    story = client.story(first.story_id)
    assert isinstance(story, Story) and [a.id for a in story.articles] == ["orig", "ndtv"]
    assert client.delete("ndtv") is True and client.delete("ndtv") is False
    assert client.get("ndtv") is None and client.story("no-such-story") is None


def test_answers_lose_nothing_in_the_types(url):
    """The dataclasses hold every field the service sent (asdict gives the JSON back)."""
    body = {"id": "a", "text": ORIGINAL}
    requests.post(url + "/v1/check", json=body, timeout=10).raise_for_status()
    raw = requests.post(url + "/v1/check", json={**body, "id": "b", "index": False}, timeout=10).json()
    assert dataclasses.asdict(DedupeClient(url).check("b", ORIGINAL, index=False)) == raw
    raw_stored = requests.get(url + "/v1/articles/a", timeout=10).json()
    assert dataclasses.asdict(DedupeClient(url).get("a")) == raw_stored


def test_check_batch_answers_in_order_with_item_errors(url):
    results = DedupeClient(url).check_batch(
        [{"id": "a", "text": ORIGINAL}, {"id": "b"}, {"id": "c", "text": articles.brief(), "index": False}]
    )
    assert [type(r) for r in results] == [CheckResult, ItemError, CheckResult]
    assert results[1].index == 1 and results[1].id == "b" and results[1].error.field == "text"
    assert results[2].duplicate is True and results[2].indexed is False


def test_errors_raise_with_the_services_code_and_field(make_app):
    with serving(make_app(api_keys=("right-key",))) as base:
        with pytest.raises(DedupeError) as refused:
            DedupeClient(base, api_key="wrong").check("a", ORIGINAL)
        assert (refused.value.status, refused.value.code) == (401, "unauthorized")
        client = DedupeClient(base, api_key="right-key")
        with pytest.raises(DedupeError) as invalid:
            client.check("a", ORIGINAL, published_at="yesterday")
        assert (invalid.value.status, invalid.value.field) == (422, "published_at")
        assert client.check("a", ORIGINAL).indexed is True


def test_429_is_retried_after_retry_after(make_app):
    with serving(make_app(rate_limit="2/second")) as base:
        waits = Waits()
        client = DedupeClient(base, sleep=waits, max_retries=6)
        results = [client.check(f"a{i}", ORIGINAL, index=False) for i in range(5)]
    assert all(isinstance(r, CheckResult) for r in results)
    assert waits and set(waits) == {1.0}  # the limiter's Retry-After for a one-second window


def test_retries_are_bounded_and_waits_capped(make_app, redis_client):
    with serving(make_app(rate_limit="1/minute")) as base:
        client = DedupeClient(base, max_retries=2, max_retry_wait=0.05, sleep=(waits := Waits()))
        client.check("a", ORIGINAL)
        with pytest.raises(DedupeError) as limited:
            client.check("b", ORIGINAL)
        metrics = requests.get(base + "/metrics", timeout=10).text
    assert limited.value.status == 429 and limited.value.code == "rate_limited"
    assert waits == [0.05, 0.05]  # Retry-After said up to 60 s: capped; two retries, then the error
    assert 'dedupe_http_requests_total{endpoint="/v1/check",method="POST",status="429"} 3.0' in metrics


def test_503_is_retried_until_redis_is_back(outage_app, outage_redis):
    with serving(outage_app) as base:
        DedupeClient(base).check("orig", ORIGINAL)
        outage_redis.kill()
        waits: list[float] = []

        def sleep(seconds: float) -> None:  # Redis comes back while the client waits
            waits.append(seconds)
            if len(waits) == 1:
                outage_redis.start()
                redis.Redis.from_url(outage_redis.url).ping()

        result = DedupeClient(base, sleep=sleep).check("copy", articles.SEED)
    assert result.duplicate is True and [m.id for m in result.matches] == ["orig"]
    assert waits[0] == 2.0  # the service's Retry-After


def test_503_is_raised_when_retries_run_out(outage_app, outage_redis):
    with serving(outage_app) as base:
        outage_redis.kill()
        waits = []
        with pytest.raises(DedupeError) as down:
            DedupeClient(base, max_retries=1, sleep=waits.append).check("a", ORIGINAL)
    assert down.value.status == 503 and down.value.code.startswith("redis_") and waits == [2.0]


def test_webhook_signing_matches_standard_webhooks_and_the_service(url):
    body = '{"type": "article.deleted", "data": {"id": "x"}}'
    headers = sign_webhook(WEBHOOK_SECRET, body, msg_id="msg_1", timestamp=1_700_000_000)
    expected = Webhook(WEBHOOK_SECRET).sign("msg_1", datetime.fromtimestamp(1_700_000_000, tz=UTC), body)
    assert headers == {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": expected}
    client = DedupeClient(url)
    event = {"type": "article.published", "data": {"id": "w1", "text": ORIGINAL}}
    answer = client.deliver_webhook(WEBHOOK_SECRET, event, msg_id="msg_a")
    assert answer == client.deliver_webhook(WEBHOOK_SECRET, event, msg_id="msg_a")  # a redelivery: same answer
    assert client.get("w1") is not None
    with pytest.raises(DedupeError) as refused:
        client.deliver_webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ==", event)
    assert refused.value.status == 401

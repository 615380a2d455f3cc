"""Redis going away in the middle of a run: 503 with Retry-After, then recovery, nothing half-written."""

from __future__ import annotations

import threading
import time

import pytest

from dedupe.service import params_from
from dedupe.web.deps import services
from support import articles
from tests.conftest import WEBHOOK_SECRET
from tests.helpers import assert_index_consistent, check, deliver, metric, metrics

ORIGINAL = articles.wire_original()
COPIES = [articles.SEED, articles.wrapped_copy(), articles.cut_copy(), articles.brief(), articles.edited_copy()]


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"].startswith("redis_")
    assert error["message"]


def wait_ready(client, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the app did not recover after Redis came back"
        time.sleep(0.05)


def test_while_redis_is_down_every_endpoint_answers_503_with_retry_after(outage_app, outage_redis):
    client = outage_app.test_client()
    check(client, "a", ORIGINAL)
    outage_redis.kill()
    started = time.monotonic()
    assert_unavailable(client.post("/v1/check", json={"id": "b", "text": articles.SEED}))
    assert_unavailable(client.post("/v1/check", json={"id": "b", "text": articles.SEED, "index": False}))
    assert_unavailable(client.get("/v1/articles/a"))
    assert_unavailable(client.delete("/v1/articles/a"))
    assert_unavailable(client.get("/v1/stories/x"))
    assert_unavailable(client.get("/readyz"))
    assert time.monotonic() - started < 30  # fails fast, never hangs
    assert client.get("/healthz").status_code == 200
    snapshot = metrics(client)
    assert metric(snapshot, "dedupe_redis_up") == 0
    assert metric(snapshot, "dedupe_redis_errors_total", kind="unavailable") >= 6
    # bad input is still told apart from an outage
    assert client.post("/v1/check", json={"text": "x"}).status_code == 422


def test_app_recovers_when_redis_comes_back_without_a_restart(outage_app, outage_redis, outage_settings):
    client = outage_app.test_client()
    story = check(client, "a", ORIGINAL)["story_id"]
    outage_redis.kill()
    assert_unavailable(client.post("/v1/check", json={"id": "b", "text": articles.SEED}))
    outage_redis.start()
    wait_ready(client)
    result = check(client, "b", articles.SEED)  # what was acknowledged before the outage is still there (AOF)
    assert result["duplicate"] is True
    assert result["story_id"] == story
    assert client.get("/v1/articles/a").status_code == 200
    assert_index_consistent(outage_redis.client(), outage_settings)


def test_redis_restarted_empty_is_reinitialised_by_itself(tmp_path):
    from dedupe.config import Settings
    from dedupe.web import create_app
    from dedupe.wiring import build_services
    from support.redis_server import RedisServer

    server = RedisServer(tmp_path / "volatile").start()  # no persistence: it comes back empty
    try:
        settings = Settings(redis_url=server.url, namespace="test", redis_timeout_s=1.0)
        client = create_app(settings, build_services(settings)).test_client()
        check(client, "a", ORIGINAL)
        server.kill()
        server.start()
        wait_ready(client)
        assert server.client().hlen("dd:{test}:ids") == 0  # it did come back empty
        assert client.get("/v1/articles/a").status_code == 404
        assert check(client, "b", articles.SEED)["duplicate"] is False  # the index starts over, no error
        assert check(client, "c", articles.brief())["duplicate"] is True
        assert server.client().hget("dd:{test}:meta", "params").decode() == params_from(settings).describe()
        assert_index_consistent(server.client(), settings)
    finally:
        server.stop()


def test_killing_redis_in_the_middle_of_a_run_leaves_nothing_half_written(outage_app, outage_redis, outage_settings):
    """Writers keep checking while Redis is killed and restarted; afterwards the index is sound and every
    article the service acknowledged (200) is there, while every 503 left either nothing or a whole article."""
    statuses: dict[str, int] = {}
    started_at: dict[str, float] = {}
    stop = threading.Event()
    lock = threading.Lock()
    failures: list[BaseException] = []  # what a writer raised (a failed assert too): re-raised in the test

    def writer(worker: int) -> None:
        try:
            write(worker)
        except BaseException as exc:
            with lock:
                failures.append(exc)
            stop.set()

    def write(worker: int) -> None:
        client = outage_app.test_client()
        i = 0
        while not stop.is_set() and i < 400:
            article_id = f"w{worker}-{i}"
            text = (
                COPIES[i % len(COPIES)] if i % 3 else articles.UNRELATED + f"\n\nUpdate number {worker}-{i} of the day."
            )
            began = time.monotonic()
            response = client.post("/v1/check", json={"id": article_id, "text": text})
            assert response.status_code in (200, 503), response.get_data(as_text=True)
            if response.status_code == 503:
                assert_unavailable(response)
            with lock:
                statuses[article_id] = response.status_code
                started_at[article_id] = began
            i += 1

    def wait_for(condition, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)

    client = outage_app.test_client()
    check(client, "original", ORIGINAL)
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: len(statuses) >= 15)
        outage_redis.kill()  # SIGKILL while the writers run
        wait_for(lambda: sum(s == 503 for s in statuses.values()) >= 6)
        outage_redis.start()
        wait_ready(client)
        ready_at = time.monotonic()
        wait_for(lambda: sum(t > ready_at for t in list(started_at.values())) >= 15)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a writer was still running 30 s after it was told to stop"
    if failures:
        raise failures[0]
    assert 200 in statuses.values() and 503 in statuses.values()
    after_recovery = [statuses[k] for k, t in started_at.items() if t > ready_at]
    assert len(after_recovery) >= 15
    assert after_recovery == [200] * len(after_recovery)  # the app recovered by itself
    redis = outage_redis.client()
    assert_index_consistent(redis, outage_settings)
    stored = {k.decode() for k in redis.hkeys("dd:{test}:ids")}
    acknowledged = {k for k, s in statuses.items() if s == 200}
    assert acknowledged | {"original"} <= stored  # every acknowledged write survived the SIGKILL
    assert stored - acknowledged - {"original"} <= {k for k, s in statuses.items() if s == 503}


def test_webhook_that_failed_while_redis_was_down_is_processed_when_retried(outage_app, outage_redis):
    client = outage_app.test_client()
    payload = {"type": "article.published", "data": {"id": "a", "text": ORIGINAL}}
    outage_redis.kill()
    assert_unavailable(deliver(client, WEBHOOK_SECRET, payload, msg_id="msg_1"))
    outage_redis.start()
    wait_ready(client)
    retried = deliver(client, WEBHOOK_SECRET, payload, msg_id="msg_1")
    assert retried.status_code == 200
    assert retried.get_json()["result"]["indexed"] is True
    assert client.get("/v1/articles/a").status_code == 200
    again = deliver(client, WEBHOOK_SECRET, payload, msg_id="msg_1")
    assert again.get_json() == retried.get_json()


def test_webhook_interrupted_before_its_check_is_processed_when_retried(outage_app, outage_redis):
    """Redis dies after the delivery was looked up but before it was applied: nothing may be left behind that
    turns the sender's retry, after recovery, into a 409 or a no-op."""
    client = outage_app.test_client()
    index = services(outage_app).dedupe.index
    real_check = index.check

    def dying_check(*args, **kwargs):  # Redis dies after the lookup, just before the check script runs
        outage_redis.kill()
        return real_check(*args, **kwargs)

    index.check = dying_check
    payload = {"type": "article.published", "data": {"id": "a", "text": ORIGINAL}}
    assert_unavailable(deliver(client, WEBHOOK_SECRET, payload, msg_id="msg_1"))
    index.check = real_check
    assert outage_redis.proc.poll() is not None
    outage_redis.start()
    wait_ready(client)
    retried = deliver(client, WEBHOOK_SECRET, payload, msg_id="msg_1")
    assert retried.status_code == 200, retried.get_data(as_text=True)
    assert client.get("/v1/articles/a").status_code == 200


@pytest.mark.parametrize("endpoint", ["/v1/check", "/v1/webhooks/cms"])
def test_outage_failures_are_never_500(outage_app, outage_redis, endpoint):
    client = outage_app.test_client()
    outage_redis.kill()
    payload = {"type": "article.published", "data": {"id": "a", "text": ORIGINAL}}
    if endpoint == "/v1/check":
        response = client.post(endpoint, json={"id": "a", "text": ORIGINAL})
    else:
        response = deliver(client, WEBHOOK_SECRET, payload)
    assert_unavailable(response)


def test_webhook_applied_but_unanswered_when_redis_died_is_answered_not_reapplied(outage_app, outage_redis):
    """Redis dies after the check script applied the delivery, before its answer was stored: the retry gets
    the same verdict, and the article is stored once."""
    client = outage_app.test_client()
    deliveries = services(outage_app).deliveries
    real_remember = deliveries.remember

    def dying_remember(*args, **kwargs):
        outage_redis.kill()  # the fixture's AOF is fsynced on every write: the script's effect survives
        return real_remember(*args, **kwargs)

    first = deliver(client, WEBHOOK_SECRET, {"type": "article.published", "data": {"id": "a", "text": ORIGINAL}})
    assert first.status_code == 200
    deliveries.remember = dying_remember
    payload = {"type": "article.published", "data": {"id": "b", "text": ORIGINAL}}
    assert_unavailable(deliver(client, WEBHOOK_SECRET, payload, msg_id="msg_b"))
    deliveries.remember = real_remember
    outage_redis.start()
    wait_ready(client)
    retried = deliver(client, WEBHOOK_SECRET, payload, msg_id="msg_b")
    assert retried.status_code == 200, retried.get_data(as_text=True)
    result = retried.get_json()["result"]
    assert result["duplicate"] is True and result["indexed"] is True
    assert [m["id"] for m in result["matches"]] == ["a"]
    story = client.get(f"/v1/stories/{result['story_id']}").get_json()
    assert [a["id"] for a in story["articles"]] == ["a", "b"]

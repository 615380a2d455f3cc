"""Races on a live deployment (gunicorn -w 2, many concurrent clients): the final state must be one that a
sequential order of the same requests gives, and each webhook delivery is processed once."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers import signed_delivery

from .conftest import PREFIX, WEBHOOK_SECRET
from .test_faults import metric_value
from .util import assert_consistent, copy_of, event, story

pytestmark = pytest.mark.slow
THREADS = 12


def at_once(calls: list, threads: int = THREADS) -> list:
    """Run the calls in rounds of `threads`, each round's threads released together by a barrier; their results
    in order. A broken barrier (a thread that never arrived) fails the test: the race would not have been one."""
    results = []
    with ThreadPoolExecutor(threads) as pool:
        for start in range(0, len(calls), threads):
            batch = calls[start : start + threads]
            barrier = threading.Barrier(len(batch))

            def run(call, barrier=barrier):
                barrier.wait(timeout=30)  # raises BrokenBarrierError, re-raised here by map's iterator
                return call()

            results += pool.map(run, batch)
    return results


def post(url: str, **kw):
    return lambda: requests.post(url, timeout=10, **kw)


def test_concurrent_copies_of_a_new_story_have_exactly_one_original(service, redis_srv):
    for round_ in range(5):
        text = story(700 + round_)
        calls = [
            post(service.url + "/v1/check", json={"id": f"r{round_}-{i}", "text": copy_of(text, f"Outlet {i}"),
                                                  "published_at": "2026-02-01T10:00:00Z"})
            for i in range(THREADS)
        ]  # fmt: skip
        answers = [r.json() for r in at_once(calls)]
        originals = [a for a in answers if a["duplicate"] is False]
        assert len(originals) == 1, answers
        assert len({a["story_id"] for a in answers}) == 1, answers
    assert_consistent(redis_srv.url, redis_srv.client())


def test_the_same_webhook_delivered_at_once_is_processed_once(service, redis_srv):
    before = metric_value(service, "dedupe_webhook_deliveries_total", outcome="processed")
    for round_ in range(3):
        payload = event("article.published", f"dup-{round_}", round_, text=story(800 + round_))
        body, headers = signed_delivery(WEBHOOK_SECRET, payload, msg_id=f"msg_dup_{round_}")
        answers = at_once([post(service.url + "/v1/webhooks/cms", data=body, headers=headers)] * THREADS)
        assert [r.status_code for r in answers] == [200] * THREADS
        bodies = {r.text for r in answers}
        assert len(bodies) == 1, bodies  # the processed answer, and replays of it (stored or looked up anew)
    assert metric_value(service, "dedupe_webhook_deliveries_total", outcome="processed") == before + 3
    assert redis_srv.client().get(PREFIX + "seq") == b"3"  # three articles created, no more
    assert_consistent(redis_srv.url, redis_srv.client())


def _lifecycle(article_id: str, seed: int, end_deleted: bool) -> list[dict]:
    """published, updated, deleted, re-published (and deleted again): event times give the sequential order."""
    base = seed * 100
    evs = [
        event("article.published", article_id, base + 1, text=story(seed), title="v1"),
        event("article.updated", article_id, base + 2, text=story(seed) + "\n\n" + story(seed + 1, 1), title="v2"),
        event("article.deleted", article_id, base + 3),
        event("article.published", article_id, base + 4, text=story(seed + 2), title="v3"),
    ]
    if end_deleted:
        evs.append(event("article.deleted", article_id, base + 5))
    return evs


def test_update_delete_republish_racing_end_in_the_sequential_state(service, redis_srv):
    """Every order of arrival (shuffled, sent at once) ends as the events' time order says."""
    rng = random.Random(5)
    calls, expected = [], {}
    for k in range(8):
        article_id, end_deleted = f"life-{k}", k % 2 == 1
        expected[article_id] = None if end_deleted else "v3"
        for n, payload in enumerate(_lifecycle(article_id, 900 + 10 * k, end_deleted)):
            body, headers = signed_delivery(WEBHOOK_SECRET, payload, msg_id=f"msg_{article_id}_{n}")
            calls.append(post(service.url + "/v1/webhooks/cms", data=body, headers=headers))
    rng.shuffle(calls)
    answers = at_once(calls)
    assert all(r.status_code == 200 for r in answers), [r.text for r in answers if r.status_code != 200]
    for article_id, title in expected.items():
        r = service.request("GET", f"/v1/articles/{article_id}")
        if title is None:
            assert r.status_code == 404, (article_id, r.text)
        else:
            assert r.status_code == 200 and r.json()["title"] == title, (article_id, r.text)
    assert_consistent(redis_srv.url, redis_srv.client())


def test_api_check_and_delete_racing_leave_a_sequential_state(service, redis_srv):
    """Without event times (the /v1 API), the final state is that of some sequential order: the article is
    absent, or present as one of the versions sent, and the index is sound."""
    versions = {f"t{i}": story(1000 + i) for i in range(3)}
    calls = []
    for k in range(6):
        article_id = f"api-{k}"
        for title, text in versions.items():
            calls.append(post(service.url + "/v1/check", json={"id": article_id, "text": text, "title": title}))
        calls.append(lambda a=article_id: requests.delete(f"{service.url}/v1/articles/{a}", timeout=10))
    random.Random(7).shuffle(calls)
    answers = at_once(calls)
    assert {r.status_code for r in answers} <= {200, 204, 404}
    for k in range(6):
        r = service.request("GET", f"/v1/articles/api-{k}")
        assert r.status_code == 404 or r.json()["title"] in versions
    assert_consistent(redis_srv.url, redis_srv.client())


def test_out_of_order_webhooks(service, redis_srv):
    """The documented rule: an event older (by `timestamp`, else data.updated_at) than the last event applied
    to its article changes nothing and is answered 200 with `ignored`, so the CMS does not retry it."""

    def send(payload, msg_id):
        body, headers = signed_delivery(WEBHOOK_SECRET, payload, msg_id=msg_id)
        return service.request("POST", "/v1/webhooks/cms", data=body, headers=headers)

    # updated before published: the update stays
    assert send(event("article.updated", "o1", 20, text=story(1100), title="new"), "m1").status_code == 200
    late = send(event("article.published", "o1", 10, text=story(1101), title="old"), "m2")
    assert late.status_code == 200 and "ignored" in late.json()
    assert service.request("GET", "/v1/articles/o1").json()["title"] == "new"
    # deleted before published: the article stays deleted (the delete leaves a tombstone)
    assert send(event("article.deleted", "o2", 20), "m3").json()["deleted"] is False
    late = send(event("article.published", "o2", 10, text=story(1102)), "m4")
    assert late.status_code == 200 and "ignored" in late.json()
    assert service.request("GET", "/v1/articles/o2").status_code == 404
    # a re-publish after the delete (a later time) is applied
    assert "result" in send(event("article.published", "o2", 30, text=story(1102)), "m5").json()
    assert service.request("GET", "/v1/articles/o2").status_code == 200
    # data.updated_at orders events that have no `timestamp`
    p1 = {"type": "article.updated", "data": {"id": "o3", "text": story(1103), "title": "b",
                                              "updated_at": "2026-01-01T12:00:00Z"}}  # fmt: skip
    p2 = {"type": "article.updated", "data": {"id": "o3", "text": story(1104), "title": "a",
                                              "updated_at": "2026-01-01T11:00:00+00:00"}}  # fmt: skip
    assert send(p1, "m6").status_code == 200 and "ignored" in send(p2, "m7").json()
    assert service.request("GET", "/v1/articles/o3").json()["title"] == "b"
    # an unparseable event time is refused, naming the field
    bad = send({**event("article.deleted", "o4", 0), "timestamp": "yesterday"}, "m8")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "timestamp"
    assert_consistent(redis_srv.url, redis_srv.client())

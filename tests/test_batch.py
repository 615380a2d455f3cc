"""POST /v1/check/batch: one answer per article in order, per-item errors, one Redis round trip, all or nothing
on a Redis failure; the same verdicts as the same articles sent one by one to /v1/check."""

from __future__ import annotations

import json

from redis.connection import Connection

from dedupe.config import Settings
from support import articles
from tests.helpers import assert_index_consistent, check, metric, metrics
from tests.test_redis_outage import wait_ready

ORIGINAL = articles.wire_original()
STREAM = [
    ("orig", ORIGINAL),
    ("ndtv", articles.SEED),
    ("wrapped", articles.wrapped_copy()),
    ("cut", articles.cut_copy()),
    ("brief", articles.brief()),
    ("edited", articles.edited_copy()),
    ("unrelated", (articles.FIXTURES / "unrelated-article.txt").read_text(encoding="utf-8")),
    ("topic", (articles.FIXTURES / "same-topic-article.txt").read_text(encoding="utf-8")),
]


def batch(client, items, *, expect: int = 200, **kw) -> dict:
    response = client.post("/v1/check/batch", json=items, **kw) if "data" not in kw else client.post(
        "/v1/check/batch", **kw
    )  # fmt: skip
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.get_json()


def verdict(result: dict) -> tuple:
    """What a check decided, without the story id (its prefix is per index)."""
    matches = [(m["id"], m["similarity"], m["containment"], m["relation"], m["evidence"]) for m in result["matches"]]
    return result["id"], result["duplicate"], result["indexed"], result["words"], matches


def test_same_verdicts_as_one_by_one_checks_in_order(make_app, settings: Settings):
    one_by_one = make_app(namespace="single").test_client()
    singles = [check(one_by_one, i, text) for i, text in STREAM]
    results = batch(make_app(namespace="batched").test_client(), [{"id": i, "text": t} for i, t in STREAM])["results"]
    assert [verdict(r) for r in results] == [verdict(r) for r in singles]
    assert [r["duplicate"] for r in results][:6] == [False, True, True, True, True, True]  # each saw those before
    assert len({r["story_id"] for r in results[:6]}) == 1
    assert not results[6]["duplicate"] and not results[7]["duplicate"]


def test_invalid_items_get_their_own_error_and_never_fail_the_others(client):
    items = [
        {"id": "a", "text": ORIGINAL},
        {"id": "no-text"},
        "not an object",
        {"id": "bad-date", "text": ORIGINAL, "published_at": "yesterday"},
        {"id": "furniture", "text": "Leave a Reply"},
        {"id": "b", "text": articles.SEED},
    ]
    results = batch(client, items)["results"]
    assert len(results) == len(items)
    assert [r.get("id") for r in results] == ["a", "no-text", None, "bad-date", "furniture", "b"]
    errors = {r["index"]: r["error"] for r in results if "error" in r}
    assert sorted(errors) == [1, 2, 3, 4]
    assert errors[1]["field"] == "text" and errors[3]["field"] == "published_at" and errors[4]["field"] == "text"
    assert all(e["code"] == "invalid_field" and e["message"] for e in errors.values())
    assert results[0]["duplicate"] is False and results[5]["duplicate"] is True
    assert [m["id"] for m in results[5]["matches"]] == ["a"]
    assert client.get("/v1/articles/no-text").status_code == 404


def test_each_article_index_flag_decides_whether_it_is_stored(client, redis_client, settings):
    results = batch(
        client,
        [{"id": "look", "text": ORIGINAL, "index": False}, {"id": "a", "text": articles.SEED},
         {"id": "look2", "text": articles.brief(), "index": False}],
    )["results"]  # fmt: skip
    assert [r["indexed"] for r in results] == [False, True, False]
    assert results[1]["matches"] == []  # "look" was not stored, so "a" did not see it
    assert [m["id"] for m in results[2]["matches"]] == ["a"]
    assert client.get("/v1/articles/look").status_code == 404 and client.get("/v1/articles/look2").status_code == 404
    assert client.get("/v1/articles/a").status_code == 200
    assert_index_consistent(redis_client, settings)


def test_ndjson_one_article_a_line_and_a_bad_line_is_its_own_error(client):
    body = "\n".join(
        [json.dumps({"id": "a", "text": ORIGINAL}), "", "{not json", json.dumps({"id": "b", "text": ORIGINAL})]
    )
    results = batch(client, None, data=body.encode(), content_type="application/x-ndjson")["results"]
    assert len(results) == 3  # the blank line is no item
    assert results[0]["id"] == "a" and results[2]["duplicate"] is True
    assert results[1]["index"] == 1 and results[1]["error"]["code"] == "malformed_json"
    assert "line 3" in results[1]["error"]["message"]


def test_one_redis_round_trip_per_batch(client, monkeypatch):
    batch(client, [{"id": "warm", "text": ORIGINAL}])  # loads the script once
    sent = []
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    results = batch(client, [{"id": f"c{i}", "text": text} for i, (_, text) in enumerate(STREAM)])["results"]
    assert len(results) == len(STREAM) and all("error" not in r for r in results)
    assert len(sent) == 1


def test_batch_limits_and_whole_body_errors(make_app):
    client = make_app(max_batch=3, max_body_bytes=1024, max_batch_bytes=40_000).test_client()
    items = [{"id": f"a{i}", "text": ORIGINAL} for i in range(3)]  # far over max_body_bytes, under the batch's
    assert len(json.dumps(items)) > 1024
    assert len(batch(client, items)["results"]) == 3
    too_many = batch(client, [*items, {"id": "x", "text": "y"}], expect=413)["error"]
    assert too_many["code"] == "batch_too_large" and "3" in too_many["message"]
    too_big = batch(client, [{"id": "big", "text": "word " * 10_000}], expect=413)["error"]
    assert too_big["code"] == "body_too_large" and "40000" in too_big["message"]
    assert batch(client, {"id": "a", "text": ORIGINAL}, expect=422)["error"]["field"] == "body"
    assert batch(client, None, data=b"[{", content_type="application/json", expect=400)["error"]["code"]
    assert batch(client, None, data=b"[]", content_type="text/plain", expect=415)["error"]["code"]
    assert batch(client, [])["results"] == []


def test_checked_articles_are_counted_as_single_checks(client):
    before = metrics(client)
    batch(client, [{"id": "a", "text": ORIGINAL}, {"id": "b", "text": articles.SEED}, {"id": "c"}])
    after = metrics(client)

    def moved(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert moved("dedupe_checks_total", result="unique") == 1
    assert moved("dedupe_checks_total", result="duplicate") == 1
    assert moved("dedupe_check_seconds_count") == 2  # the invalid item is not a check


def test_redis_failure_fails_the_whole_batch_and_a_retry_is_clean(outage_app, outage_redis, outage_settings):
    client = outage_app.test_client()
    check(client, "first", ORIGINAL)
    outage_redis.kill()
    items = [{"id": "a", "text": articles.SEED}, {"id": "bad"}, {"id": "b", "text": articles.brief()}]
    response = client.post("/v1/check/batch", json=items)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"]["code"].startswith("redis_") and "results" not in response.get_json()
    outage_redis.start()
    wait_ready(client)
    results = batch(client, items)["results"]
    assert [r.get("duplicate") for r in results] == [True, None, True]
    assert_index_consistent(outage_redis.client(), outage_settings)


def test_a_batch_after_the_script_was_flushed_loads_it_and_keeps_the_order(client, redis_client):
    batch(client, [{"id": "a", "text": ORIGINAL}])
    redis_client.script_flush()  # as after a Redis restart without persistence of scripts
    results = batch(client, [{"id": "b", "text": articles.SEED}, {"id": "c", "text": articles.brief()}])["results"]
    assert [r["duplicate"] for r in results] == [True, True]
    assert {m["id"] for m in results[1]["matches"]} == {"a", "b"}  # the brief saw both, b stored before it

"""The CMS webhook (Standard Webhooks): signatures, replay, redelivery, rotation, and its events."""

from __future__ import annotations

import json

import pytest

from support import articles
from tests.conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_2
from tests.helpers import check, deliver, index_snapshot, signed_delivery, stale

URL = "/v1/webhooks/cms"
ORIGINAL = articles.wire_original()
COPY = articles.SEED


def published(article_id: str, text: str, kind: str = "article.published", **fields) -> dict:
    return {"type": kind, "data": {"id": article_id, "text": text, **fields}}


@pytest.fixture
def wh_app(make_app):
    return make_app(webhook_secrets=(WEBHOOK_SECRET,))


@pytest.fixture
def wh(wh_app):
    return wh_app.test_client()


def test_published_event_is_checked_and_indexed(wh):
    response = deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL, outlet="AFP"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["type"] == "article.published"
    assert body["result"]["id"] == "a"
    assert body["result"]["duplicate"] is False
    assert body["result"]["indexed"] is True
    assert wh.get("/v1/articles/a").get_json()["outlet"] == "AFP"
    copy = deliver(wh, WEBHOOK_SECRET, published("b", COPY)).get_json()["result"]
    assert copy["duplicate"] is True
    assert copy["story_id"] == body["result"]["story_id"]


def test_webhook_always_indexes_even_when_told_not_to(wh):
    deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL, index=False))
    assert wh.get("/v1/articles/a").status_code == 200


def test_updated_event_replaces_the_fingerprint(wh):
    deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL))
    response = deliver(wh, WEBHOOK_SECRET, published("a", articles.UNRELATED, "article.updated"))
    assert response.status_code == 200
    assert response.get_json()["type"] == "article.updated"
    assert response.get_json()["result"]["duplicate"] is False
    assert check(wh, "probe", COPY, index=False)["matches"] == []


def test_deleted_event_removes_the_article(wh):
    deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL))
    response = deliver(wh, WEBHOOK_SECRET, {"type": "article.deleted", "data": {"id": "a"}})
    assert response.status_code == 200
    assert response.get_json() == {"type": "article.deleted", "id": "a", "deleted": True}
    assert wh.get("/v1/articles/a").status_code == 404
    again = deliver(wh, WEBHOOK_SECRET, {"type": "article.deleted", "data": {"id": "a"}})
    assert again.get_json()["deleted"] is False


def test_webhook_does_not_need_an_api_key(make_app):
    client = make_app(webhook_secrets=(WEBHOOK_SECRET,), api_keys=("k",)).test_client()
    response = deliver(client, WEBHOOK_SECRET, published("a", ORIGINAL))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()  # processed in full, not merely let through
    assert body["type"] == "article.published"
    assert (body["result"]["id"], body["result"]["duplicate"], body["result"]["indexed"]) == ("a", False, True)
    stored = client.get("/v1/articles/a", headers={"Authorization": "Bearer k"})
    assert stored.status_code == 200 and stored.get_json()["story_id"] == body["result"]["story_id"]
    assert client.get("/v1/articles/a").status_code == 401  # while /v1 itself still wants the key


# -- signatures -----------------------------------------------------------------------------------------------


def assert_401(response):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_signature_from_another_secret_is_401(wh, redis_client):
    assert_401(deliver(wh, WEBHOOK_SECRET_2, published("a", ORIGINAL)))
    assert set(index_snapshot(redis_client)) == {b"dd:{test}:meta"}  # nothing but the index metadata


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_signature_header_is_401(wh, missing):
    body, headers = signed_delivery(WEBHOOK_SECRET, published("a", ORIGINAL))
    del headers[missing]
    assert_401(wh.post(URL, data=body, headers=headers))


@pytest.mark.parametrize(
    "signature",
    ["", "v1,", "v1,AAAA", "garbage", "v2,abc", "v1,not base64!!", "v1,a,b"],
)
def test_malformed_signature_is_401(wh, signature):
    body, headers = signed_delivery(WEBHOOK_SECRET, published("a", ORIGINAL))
    headers["webhook-signature"] = signature
    assert_401(wh.post(URL, data=body, headers=headers))


def test_tampered_body_is_401(wh, redis_client):
    body, headers = signed_delivery(WEBHOOK_SECRET, published("a", ORIGINAL))
    assert_401(wh.post(URL, data=body.replace('"a"', '"b"'), headers=headers))
    assert set(index_snapshot(redis_client)) == {b"dd:{test}:meta"}  # nothing but the index metadata


def test_signature_for_another_webhook_id_is_401(wh):
    body, headers = signed_delivery(WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_1")
    headers["webhook-id"] = "msg_2"
    assert_401(wh.post(URL, data=body, headers=headers))


@pytest.mark.parametrize("minutes", [5.5, 60, 60 * 24])
def test_stale_timestamp_is_401(wh, minutes):
    assert_401(deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), at=stale(minutes)))


def test_timestamp_from_the_future_is_401(wh):
    assert_401(deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), at=stale(-10)))


def test_recent_timestamp_within_tolerance_is_accepted(wh):
    response = deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), at=stale(4))
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["result"]
    assert (result["id"], result["indexed"]) == ("a", True)
    assert wh.get("/v1/articles/a").get_json()["story_id"] == result["story_id"]


def test_replayed_request_after_five_minutes_is_401_and_changes_nothing(wh, redis_client):
    body, headers = signed_delivery(WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_old", at=stale(6))
    assert_401(wh.post(URL, data=body, headers=headers))
    assert set(index_snapshot(redis_client)) == {b"dd:{test}:meta"}  # nothing but the index metadata


def test_both_rotation_secrets_are_accepted(make_app):
    client = make_app(webhook_secrets=(WEBHOOK_SECRET, WEBHOOK_SECRET_2)).test_client()
    first = deliver(client, WEBHOOK_SECRET, published("a", ORIGINAL))
    assert first.status_code == 200, first.get_data(as_text=True)
    second = deliver(client, WEBHOOK_SECRET_2, published("b", COPY))
    assert second.status_code == 200, second.get_data(as_text=True)
    a, b = first.get_json()["result"], second.get_json()["result"]  # both applied, to the same index
    assert (a["id"], a["duplicate"], a["indexed"]) == ("a", False, True)
    assert (b["id"], b["duplicate"], b["indexed"]) == ("b", True, True)
    assert [m["id"] for m in b["matches"]] == ["a"] and b["story_id"] == a["story_id"]
    assert_401(deliver(client, "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", published("c", COPY)))


def test_rotation_secrets_can_come_from_the_environment():
    from dedupe.config import Settings

    settings = Settings.from_env({"DEDUPE_WEBHOOK_SECRET": f"{WEBHOOK_SECRET}, {WEBHOOK_SECRET_2}"})
    assert settings.webhook_secrets == (WEBHOOK_SECRET, WEBHOOK_SECRET_2)


def test_without_a_configured_secret_the_webhook_is_503(client, redis_client):
    response = deliver(client, WEBHOOK_SECRET, published("a", ORIGINAL))
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"
    assert set(index_snapshot(redis_client)) == {b"dd:{test}:meta"}  # nothing but the index metadata


# -- redelivery -------------------------------------------------------------------------------------------


def test_redelivery_returns_the_same_answer_and_changes_nothing(wh, redis_client):
    payload = published("a", ORIGINAL)
    first = deliver(wh, WEBHOOK_SECRET, payload, msg_id="msg_1")
    before = index_snapshot(redis_client)
    again = deliver(wh, WEBHOOK_SECRET, payload, msg_id="msg_1")  # re-signed with a new timestamp, as senders do
    assert again.status_code == first.status_code == 200
    assert again.get_json() == first.get_json()
    assert index_snapshot(redis_client) == before


def test_identical_replay_within_tolerance_is_answered_from_the_record(wh, redis_client):
    body, headers = signed_delivery(WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_1")
    first = wh.post(URL, data=body, headers=headers)
    before = index_snapshot(redis_client)
    second = wh.post(URL, data=body, headers=headers)
    assert second.get_data() == first.get_data()
    assert index_snapshot(redis_client) == before


def test_late_redelivery_does_not_undo_a_later_update(wh):
    first = deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_publish")
    deliver(wh, WEBHOOK_SECRET, published("a", articles.UNRELATED, "article.updated"), msg_id="msg_update")
    again = deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_publish")
    assert again.get_json() == first.get_json()
    assert check(wh, "probe", COPY, index=False)["matches"] == []  # the update still stands
    assert [m["id"] for m in check(wh, "probe", articles.UNRELATED, index=False)["matches"]] == ["a"]


def test_redelivered_delete_does_not_delete_a_republished_article(wh):
    deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_1")
    deleted = deliver(wh, WEBHOOK_SECRET, {"type": "article.deleted", "data": {"id": "a"}}, msg_id="msg_2")
    deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_3")
    again = deliver(wh, WEBHOOK_SECRET, {"type": "article.deleted", "data": {"id": "a"}}, msg_id="msg_2")
    assert again.get_json() == deleted.get_json()
    assert wh.get("/v1/articles/a").status_code == 200


def test_different_webhook_ids_are_processed_separately(wh):
    first = deliver(wh, WEBHOOK_SECRET, published("a", ORIGINAL), msg_id="msg_1").get_json()
    second = deliver(wh, WEBHOOK_SECRET, published("b", COPY), msg_id="msg_2").get_json()
    assert first["result"]["duplicate"] is False
    assert second["result"]["duplicate"] is True


# -- invalid payloads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"data": {"id": "a", "text": ORIGINAL}}, 422, "type"),
        ({"type": "article.archived", "data": {"id": "a", "text": ORIGINAL}}, 422, "type"),
        ({"type": "article.published"}, 422, "data"),
        ({"type": "article.published", "data": "text"}, 422, "data"),
        ({"type": "article.published", "data": {"text": ORIGINAL}}, 422, "data.id"),
        ({"type": "article.published", "data": {"id": 7, "text": ORIGINAL}}, 422, "data.id"),
        ({"type": "article.published", "data": {"id": "a"}}, 422, "data.text"),
        ({"type": "article.published", "data": {"id": "a", "text": "Source link"}}, 422, "data.text"),
        ({"type": "article.updated", "data": {"id": "a", "text": ORIGINAL, "published_at": "2022-01-27"}}, 422,
         "data.published_at"),
        ({"type": "article.deleted", "data": {}}, 422, "data.id"),
        ({"type": "article.deleted", "data": {"id": ""}}, 422, "data.id"),
        ([1, 2], 422, "body"),
        ("{not json", 400, None),
    ],
)  # fmt: skip
def test_invalid_payload_is_4xx_naming_the_field(wh, redis_client, payload, status, field):
    response = deliver(wh, WEBHOOK_SECRET, payload)
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    if field is not None:
        assert error["field"] == field
    assert set(index_snapshot(redis_client)) == {b"dd:{test}:meta"}  # nothing but the index metadata


def test_redelivered_invalid_payload_gets_the_same_error(wh):
    payload = {"type": "article.published", "data": {"id": "a"}}
    first = deliver(wh, WEBHOOK_SECRET, payload, msg_id="msg_bad")
    second = deliver(wh, WEBHOOK_SECRET, payload, msg_id="msg_bad")
    assert first.status_code == second.status_code == 422
    assert json.loads(first.get_data()) == json.loads(second.get_data())

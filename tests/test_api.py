"""The HTTP contract of /v1: the answer's shape, what `duplicate` means, ids, reads, deletes, errors, auth."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from support import articles
from tests.helpers import check, index_snapshot

ORIGINAL = articles.wire_original()
COPY = articles.SEED
BRIEF = articles.brief(paragraphs=5)
MATCH_FIELDS = {
    "id", "similarity", "containment", "outlet", "url", "title", "published_at", "story_id", "relation", "evidence",
    "shared_sentences", "sentences", "alignment",
}  # fmt: skip


# -- the answer -------------------------------------------------------------------------------------------


def test_check_answer_has_every_documented_field(client):
    check(client, "a", ORIGINAL, title="Russia says", url="https://afp.example/a", outlet="AFP",
          published_at="2022-01-27T10:00:00+03:00")  # fmt: skip
    result = check(client, "b", COPY, published_at="2022-01-27T12:00:00Z")
    assert set(result) == {"id", "duplicate", "story_id", "indexed", "matches", "words", "warnings"}
    assert result["id"] == "b"
    (match,) = result["matches"]
    assert set(match) == MATCH_FIELDS
    assert match["id"] == "a"
    assert match["title"] == "Russia says"
    assert match["url"] == "https://afp.example/a"
    assert match["outlet"] == "AFP"
    assert match["published_at"] == "2022-01-27T07:00:00Z"
    assert 0.99 <= match["similarity"] <= 1
    assert 0.99 <= match["containment"] <= 1


def test_matches_are_ordered_best_first(client):
    check(client, "brief", BRIEF)
    check(client, "cut", articles.cut_copy())
    check(client, "full", COPY)
    result = check(client, "probe", ORIGINAL, index=False)
    assert [m["id"] for m in result["matches"]] == ["full", "cut", "brief"]
    sims = [m["similarity"] for m in result["matches"]]
    assert sims == sorted(sims, reverse=True)


# -- what `duplicate` means ---------------------------------------------------------------------------------


def test_first_copy_is_not_a_duplicate_even_when_checked_again_after_its_copies(client):
    first = check(client, "first", ORIGINAL)
    check(client, "copy-1", COPY)
    check(client, "copy-2", BRIEF)
    again = check(client, "first", ORIGINAL)
    assert again["duplicate"] is False
    assert again["story_id"] == first["story_id"]
    assert {m["id"] for m in again["matches"]} == {"copy-1", "copy-2"}


def test_later_copy_with_earlier_published_at_is_not_a_duplicate(client):
    stored = check(client, "late-publisher", COPY, published_at="2022-01-27T12:00:00Z")
    result = check(client, "wire", ORIGINAL, published_at="2022-01-27T09:00:00Z")
    assert result["duplicate"] is False
    assert result["story_id"] == stored["story_id"]
    assert [m["id"] for m in result["matches"]] == ["late-publisher"]
    # and the story lists the earliest published first, whatever the arrival order
    listed = client.get(f"/v1/stories/{stored['story_id']}").get_json()["articles"]
    assert [a["id"] for a in listed] == ["wire", "late-publisher"]


def test_equal_published_at_is_decided_by_arrival(client):
    assert check(client, "a", ORIGINAL, published_at="2022-01-27T10:00:00Z")["duplicate"] is False
    assert check(client, "b", COPY, published_at="2022-01-27T13:00:00+03:00")["duplicate"] is True


def test_missing_dates_are_decided_by_arrival(client):
    assert check(client, "a", ORIGINAL)["duplicate"] is False
    # an article without a date has no time to compare: it meets its story whatever the other's date
    late = check(client, "b", COPY, published_at="2000-01-01T00:00:00Z")
    assert late["duplicate"] is True
    assert [m["id"] for m in late["matches"]] == ["a"]
    assert check(client, "c", BRIEF)["duplicate"] is True


def test_one_date_missing_is_decided_by_arrival(client):
    now = datetime.now(tz=UTC).isoformat()
    assert check(client, "dated", ORIGINAL, published_at=now)["duplicate"] is False
    assert check(client, "undated", COPY)["duplicate"] is True


def test_story_id_is_shared_by_all_copies_and_stable(client):
    first = check(client, "a", ORIGINAL)["story_id"]
    assert check(client, "b", COPY)["story_id"] == first
    assert check(client, "c", BRIEF)["story_id"] == first
    assert check(client, "a", ORIGINAL)["story_id"] == first
    assert check(client, "probe", articles.cut_copy(), index=False)["story_id"] == first
    assert client.get("/v1/articles/a").get_json()["story_id"] == first


# -- index: false, idempotency, updates -------------------------------------------------------------------


def test_index_false_looks_without_storing(client, redis_client):
    check(client, "a", ORIGINAL)
    before = index_snapshot(redis_client)
    result = check(client, "b", COPY, index=False)
    assert result["indexed"] is False
    assert result["duplicate"] is True
    assert [m["id"] for m in result["matches"]] == ["a"]
    assert client.get("/v1/articles/b").status_code == 404
    assert index_snapshot(redis_client) == before


def test_index_false_on_an_empty_index_stores_nothing(client, redis_client):
    result = check(client, "a", ORIGINAL, index=False)
    assert result == {"id": "a", "duplicate": False, "story_id": None, "indexed": False, "matches": [],
                      "words": result["words"], "warnings": []}  # fmt: skip
    assert client.get("/v1/articles/a").status_code == 404


def test_same_id_and_same_text_again_changes_nothing(client, redis_client):
    check(client, "a", ORIGINAL, outlet="AFP")
    first = check(client, "b", COPY, outlet="NDTV", published_at="2022-01-27T10:00:00Z")
    before = index_snapshot(redis_client)
    again = check(client, "b", COPY, outlet="NDTV", published_at="2022-01-27T10:00:00Z")
    assert again == first
    assert index_snapshot(redis_client) == before


def test_same_id_and_same_text_without_dates_keeps_its_first_arrival(client, redis_client):
    check(client, "a", ORIGINAL)
    check(client, "b", COPY)
    before = index_snapshot(redis_client)
    assert check(client, "a", ORIGINAL)["duplicate"] is False
    assert check(client, "b", COPY)["duplicate"] is True
    assert index_snapshot(redis_client) == before


def test_same_id_with_new_text_replaces_the_fingerprint(client):
    first = check(client, "a", ORIGINAL)
    updated = check(client, "a", articles.UNRELATED)
    assert updated["duplicate"] is False
    assert updated["matches"] == []
    assert updated["indexed"] is True
    # the old text no longer matches it
    old = check(client, "probe", COPY, index=False)
    assert old["matches"] == []
    assert old["duplicate"] is False
    # the new text matches its own copies
    new_copy = check(client, "chennai-copy", "CHENNAI (AFP) - " + articles.UNRELATED)
    assert new_copy["duplicate"] is True
    assert [m["id"] for m in new_copy["matches"]] == ["a"]
    assert new_copy["story_id"] == updated["story_id"]
    assert updated["story_id"] == first["story_id"]  # it is still the one story it always was


def test_update_with_edited_text_is_never_a_duplicate_of_itself(client):
    check(client, "a", ORIGINAL)
    result = check(client, "a", articles.edited_copy())
    assert result["duplicate"] is False
    assert result["matches"] == []


def test_update_keeps_the_story_when_the_text_is_still_a_copy(client):
    original = check(client, "a", ORIGINAL)
    check(client, "b", COPY)
    updated = check(client, "b", articles.edited_copy())
    assert updated["duplicate"] is True
    assert updated["story_id"] == original["story_id"]
    listed = client.get(f"/v1/stories/{original['story_id']}").get_json()["articles"]
    assert [a["id"] for a in listed] == ["a", "b"]


# -- reads and deletes ----------------------------------------------------------------------------------


def test_get_article_returns_what_is_stored(client):
    stored = check(client, "a/1", ORIGINAL, title="T", url="https://x.example/a", outlet="AFP",
                   published_at="2022-01-27T10:00:00Z")  # fmt: skip
    response = client.get("/v1/articles/a/1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == "a/1"
    assert body["story_id"] == stored["story_id"]
    assert (body["title"], body["url"], body["outlet"]) == ("T", "https://x.example/a", "AFP")
    assert body["published_at"] == "2022-01-27T10:00:00Z"
    assert body["shingles"] > 500  # the narrative: shingles mostly inside quotations are not counted
    assert body["indexed_at"].endswith("Z")


def test_unknown_article_is_404_with_json_error(client):
    response = client.get("/v1/articles/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_delete_article_then_it_is_gone_and_no_longer_matched(client):
    check(client, "a", ORIGINAL)
    response = client.delete("/v1/articles/a")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get("/v1/articles/a").status_code == 404
    assert client.delete("/v1/articles/a").status_code == 404
    result = check(client, "b", COPY)
    assert result["duplicate"] is False
    assert result["matches"] == []


def test_delete_unknown_article_is_404(client):
    response = client.delete("/v1/articles/never-seen")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_story_lists_its_copies_earliest_first(client):
    story = check(client, "c", BRIEF, published_at="2022-01-27T15:00:00Z")["story_id"]
    check(client, "a", ORIGINAL, published_at="2022-01-27T09:00:00Z")
    check(client, "b", COPY, published_at="2022-01-27T12:00:00Z")
    response = client.get(f"/v1/stories/{story}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["story_id"] == story
    assert [a["id"] for a in body["articles"]] == ["a", "b", "c"]
    assert [a["published_at"] for a in body["articles"]] == sorted(a["published_at"] for a in body["articles"])


def test_story_forgets_a_deleted_copy(client):
    story = check(client, "a", ORIGINAL)["story_id"]
    check(client, "b", COPY)
    client.delete("/v1/articles/a")
    assert [a["id"] for a in client.get(f"/v1/stories/{story}").get_json()["articles"]] == ["b"]
    client.delete("/v1/articles/b")
    assert client.get(f"/v1/stories/{story}").status_code == 404


def test_unknown_story_is_404(client):
    response = client.get("/v1/stories/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# -- OpenAPI ------------------------------------------------------------------------------------------------


def test_openapi_document_is_served_and_valid(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_openapi_lists_every_path_the_app_serves(app, client):
    spec = client.get("/openapi.json").get_json()
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule == "/openapi.json" or rule.rule.startswith("/ui"):
            continue  # /ui is the newsroom view (HTML), not the API
        path = rule.rule.replace("<path:", "{").replace("<", "{").replace(">", "}")
        served.add(path)
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert path in spec["paths"], path
        for method in methods:
            assert method.lower() in spec["paths"][path], (path, method)
    assert served <= set(spec["paths"])


def test_openapi_request_schema_names_every_check_field(client):
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["ArticleIn"]
    assert {"id", "text", "html", "title", "url", "outlet", "published_at", "index"} <= set(schema["properties"])


# -- errors -------------------------------------------------------------------------------------------------


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if field is not None:
        assert error["field"] == field
    return error


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"id": "a", "text": }', b"not json", b"", b"\xff\xfe", b'{"id": "a"} trailing', b"[" * 100_000],
    ids=["unclosed", "missing-value", "not-json", "empty", "bad-utf8", "trailing-data", "deep-nesting"],
)
def test_malformed_json_is_400(client, raw):
    assert_error(client.post("/v1/check", data=raw, content_type="application/json"), 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ORIGINAL}, "id"),
        ({"id": 42, "text": ORIGINAL}, "id"),
        ({"id": None, "text": ORIGINAL}, "id"),
        ({"id": "", "text": ORIGINAL}, "id"),
        ({"id": "   ", "text": ORIGINAL}, "id"),
        ({"id": "x" * 257, "text": ORIGINAL}, "id"),
        ({"id": ["a"], "text": ORIGINAL}, "id"),
        ({"id": "a", "text": ORIGINAL, "published_at": "2022-01-27"}, "published_at"),
        ({"id": "a", "text": ORIGINAL, "published_at": "2022-01-27T10:00:00"}, "published_at"),
        ({"id": "a", "text": ORIGINAL, "published_at": "yesterday"}, "published_at"),
        ({"id": "a", "text": ORIGINAL, "published_at": "27/01/2022 10:00 +0000"}, "published_at"),
        ({"id": "a", "text": ORIGINAL, "published_at": 1643277600}, "published_at"),
        ({"id": "a", "text": ORIGINAL, "published_at": "1643277600"}, "published_at"),
        ({"id": "a", "text": ORIGINAL, "published_at": "2022-13-45T10:00:00Z"}, "published_at"),
        ({"id": "a", "text": ORIGINAL, "index": "false"}, "index"),
        ({"id": "a", "text": ORIGINAL, "index": 0}, "index"),
        ({"id": "a", "text": ORIGINAL, "index": None}, "index"),
        ({"id": "a"}, "text"),
        ({"id": "a", "text": "", "html": ""}, "text"),
        ({"id": "a", "text": "   \n  "}, "text"),
        ({"id": "a", "text": None, "html": None}, "text"),
        ({"id": "a", "text": 12}, "text"),
        ({"id": "a", "text": ORIGINAL, "title": 5}, "title"),
        ({"id": "a", "text": "Source link\n\nLeave a Reply\n\n© 2022 AFP\n\nAdvertisement"}, "text"),
        ({"id": "a", "html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"}, "html"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_missing_or_invalid_field_is_422_naming_it(client, redis_client, body, field):
    before = index_snapshot(redis_client)
    assert_error(client.post("/v1/check", json=body), 422, field)
    assert index_snapshot(redis_client) == before


@pytest.mark.parametrize("body", [[], "a string", 42, None, [{"id": "a", "text": "x"}]])
def test_json_that_is_not_an_object_is_422(client, body):
    assert_error(client.post("/v1/check", data=json.dumps(body), content_type="application/json"), 422, "body")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None])
def test_wrong_content_type_is_415(client, content_type):
    body = json.dumps({"id": "a", "text": ORIGINAL})
    headers = {"Content-Type": content_type} if content_type else {}
    assert_error(client.post("/v1/check", data=body, headers=headers), 415)


def test_json_content_type_with_charset_is_accepted(client):
    body = json.dumps({"id": "a", "text": ORIGINAL, "title": "Zürich café"}, ensure_ascii=False).encode()
    response = client.post("/v1/check", data=body, content_type="application/json; charset=utf-8")
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()  # the article was read, checked and stored, its UTF-8 intact
    assert (result["id"], result["duplicate"], result["indexed"], result["matches"]) == ("a", False, True, [])
    stored = client.get("/v1/articles/a").get_json()
    assert (stored["story_id"], stored["title"]) == (result["story_id"], "Zürich café")


def test_body_over_the_limit_is_413(make_app):
    client = make_app(max_body_bytes=4096).test_client()
    assert_error(client.post("/v1/check", json={"id": "a", "text": ORIGINAL}), 413)
    small = {"id": "a", "text": articles.brief(paragraphs=3)}
    assert client.post("/v1/check", json=small).status_code == 200


def test_unknown_route_and_wrong_method_are_json_errors(client):
    assert_error(client.get("/v1/nothing-here"), 404)
    response = client.get("/v1/check")
    assert_error(response, 405)
    assert "POST" in response.headers["Allow"]


def test_lone_surrogates_and_control_characters_are_not_a_500(client):
    raw = (
        b'{"id": "a\\ud800", "text": "' + ORIGINAL.replace('"', "").replace("\n", "\\n").encode() + b'\\udfff\\u0000"}'
    )
    response = client.post("/v1/check", data=raw, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["id"] == "a\ufffd"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON | st.text(max_size=300),
        "text": JSON | st.sampled_from([BRIEF, "Source link", ""]),
        "html": JSON | st.sampled_from(["<p>", "<html><body><p>" + BRIEF + "</p></body></html>"]),
        "title": JSON,
        "url": JSON,
        "outlet": JSON,
        "published_at": JSON | st.sampled_from(["2022-01-27T10:00:00Z", "2022-01-27T10:00:00", "2022-02-30T00:00:00Z"]),
        "index": JSON,
    },
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=JSON | FIELDS)
def test_bad_input_is_never_a_500(client, body):
    response = client.post("/v1/check", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 400, 413, 422), response.get_data(as_text=True)
    if response.status_code != 200:
        assert set(response.get_json()["error"]) <= {"code", "message", "field"}


# -- API keys -----------------------------------------------------------------------------------------------


@pytest.fixture
def keyed_client(make_app):
    return make_app(api_keys=("key-one", "key-two")).test_client()


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Bearer wrong", "Basic key-one", "key-one", "Bearer key-one-and-more", "Bearer key"],
)
def test_v1_without_a_valid_key_is_401(keyed_client, header):
    headers = {"Authorization": header} if header is not None else {}
    for response in (
        keyed_client.post("/v1/check", json={"id": "a", "text": ORIGINAL}, headers=headers),
        keyed_client.get("/v1/articles/a", headers=headers),
        keyed_client.delete("/v1/articles/a", headers=headers),
        keyed_client.get("/v1/stories/s", headers=headers),
    ):
        assert_error(response, 401)


def test_v1_rejected_request_stores_nothing(keyed_client, redis_client):
    before = index_snapshot(redis_client)
    keyed_client.post("/v1/check", json={"id": "a", "text": ORIGINAL}, headers={"Authorization": "Bearer no"})
    assert index_snapshot(redis_client) == before


@pytest.mark.parametrize("key", ["key-one", "key-two"])
def test_every_configured_key_works(keyed_client, key):
    headers = {"Authorization": f"Bearer {key}"}
    response = keyed_client.post("/v1/check", json={"id": "a", "text": ORIGINAL}, headers=headers)
    assert response.status_code == 200
    assert keyed_client.get("/v1/articles/a", headers=headers).status_code == 200
    assert keyed_client.get("/v1/articles/a", headers={"Authorization": f"bearer {key}"}).status_code == 200


def test_keys_do_not_guard_health_metrics_and_openapi(keyed_client):
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert keyed_client.get(path).status_code == 200, path


def test_without_keys_v1_is_open(client):
    assert client.post("/v1/check", json={"id": "a", "text": ORIGINAL}).status_code == 200


def test_domain_errors_map_to_statuses_through_one_table():
    from dedupe.exceptions import DedupeError, IndexMismatch, InvalidInput, NotFound
    from dedupe.web.errors import describe

    assert describe(InvalidInput("text", "no story text")) == (422, "invalid_field", "no story text", "text")
    assert describe(InvalidInput("text", "x").within("data.")) == (422, "invalid_field", "x", "data.text")
    assert describe(NotFound("no article"))[:2] == (404, "not_found")
    assert describe(IndexMismatch("params differ"))[:2] == (503, "index_mismatch")
    assert describe(DedupeError("unmapped"))[:2] == (500, "internal_error")  # never a crash in the handler

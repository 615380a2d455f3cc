"""/openapi.json's schemas are generated from the models, and real answers are exactly what they describe.

Each answer below is validated against the schema its operation documents for its status, made strict (no
property the schema does not name): a field added to an answer but not to its model (and so not to the
description) fails here, as does a field the description promises that an answer lacks.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator

from dedupe.alignment import Alignment
from dedupe.models import CheckResult, Match, StoredArticle
from dedupe.web import openapi
from support import articles
from tests.conftest import WEBHOOK_SECRET
from tests.helpers import deliver

ORIGINAL = articles.wire_original()
COPY = articles.SEED


def strict(schema: Any) -> Any:
    """The schema with additionalProperties false on every object that names its properties."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (strict(v) if k != "properties" else {n: strict(p) for n, p in v.items()}) for k, v in schema.items()}
    if "properties" in schema and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    return out


@pytest.fixture
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def assert_documented(spec: dict, path: str, method: str, response) -> None:
    """The answer's status is documented for the operation, and its body is valid for that status's schema."""
    responses = spec["paths"][path][method]["responses"]
    assert str(response.status_code) in responses, (path, method, response.status_code)
    content = responses[str(response.status_code)].get("content", {}).get("application/json")
    if content is None:
        return
    schema = strict({**content["schema"], "components": spec["components"]})
    errors = [e.message for e in OAS31Validator(schema).iter_errors(response.get_json())]
    assert errors == [], (path, method, response.status_code, errors)


@pytest.mark.parametrize("model", [CheckResult, Match, StoredArticle, Alignment], ids=lambda m: m.__name__)
def test_each_answer_model_is_its_schema_field_for_field(spec, model):
    schema = spec["components"]["schemas"][model.__name__]
    names = [f.name for f in dataclasses.fields(model)]
    assert list(schema["properties"]) == names
    assert sorted(schema["required"]) == sorted(names), "to_dict sends every field: each is required"


def test_the_spec_is_generated_once_and_handed_out_as_a_copy():
    first = openapi.spec("1")
    first["components"]["schemas"]["Match"]["properties"].clear()
    assert openapi.spec("1")["components"]["schemas"]["Match"]["properties"]


def test_real_answers_are_what_the_description_says(spec, make_app):
    client = make_app(webhook_secrets=(WEBHOOK_SECRET,)).test_client()
    doc = functools.partial(assert_documented, spec)
    first = {"id": "a", "text": ORIGINAL, "title": "T", "url": "https://x.example/a", "outlet": "AFP",
             "published_at": "2022-01-27T10:00:00Z"}  # fmt: skip
    doc("/v1/check", "post", client.post("/v1/check", json=first))
    copy = client.post("/v1/check", json={"id": "b", "text": COPY, "published_at": "2022-01-27T12:00:00Z"})
    assert copy.get_json()["matches"] and copy.get_json()["matches"][0]["alignment"]
    doc("/v1/check", "post", copy)
    doc("/v1/check", "post", client.post("/v1/check", json={"id": "c", "text": "too short", "index": False}))
    doc("/v1/check", "post", client.post("/v1/check", json={"id": "d"}))  # 422
    doc("/v1/check", "post", client.post("/v1/check", data=b"{", content_type="application/json"))  # 400
    batch = client.post("/v1/check/batch", json=[{"id": "e", "text": COPY, "index": False}, {"id": "f"}, 7])
    assert [sorted(r)[0] for r in batch.get_json()["results"]] == ["duplicate", "error", "error"]
    doc("/v1/check/batch", "post", batch)
    doc("/v1/articles/{article_id}", "get", client.get("/v1/articles/a"))
    doc("/v1/articles/{article_id}", "get", client.get("/v1/articles/nope"))  # 404
    story = copy.get_json()["story_id"]
    doc("/v1/stories/{story_id}", "get", client.get(f"/v1/stories/{story}"))
    doc("/v1/webhooks/cms", "post", deliver(client, WEBHOOK_SECRET, {"type": "article.updated", "data": first}))
    deleted = deliver(client, WEBHOOK_SECRET, {"type": "article.deleted", "data": {"id": "b"}})
    assert deleted.get_json()["deleted"] is True
    doc("/v1/webhooks/cms", "post", deleted)
    doc("/v1/webhooks/cms", "post", deliver(client, "whsec_" + "A" * 32, {"type": "article.deleted"}))  # 401
    doc("/v1/articles/{article_id}", "delete", client.delete("/v1/articles/a"))

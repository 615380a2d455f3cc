"""The OpenAPI 3.1 description served at /openapi.json: the paths, written here; every request and response
schema generated from the types the service reads and answers with (`schemas.components()`)."""

from __future__ import annotations

from typing import Any

from . import schemas

SECURED: list[dict[str, list[str]]] = [{"bearer": []}, {}]  # a bearer key when DEDUPE_API_KEYS is set; else none


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _error(description: str) -> dict[str, Any]:
    return _ok("Error", description)


COMMON = {
    "400": _error("Malformed JSON."),
    "401": _error("Missing or unknown API key."),
    "413": _error("Body too large."),
    "415": _error("Not application/json."),
    "422": _error("A field is missing or invalid; `field` names it."),
    "503": _error("The index (Redis) is unavailable; retry after Retry-After seconds."),
}
READ = {"401": COMMON["401"], "503": COMMON["503"]}


def spec(version: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "dedupe: syndicated news copy detection", "version": version},
        "components": {
            "schemas": schemas.components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {**_check_paths(), **_read_paths(), **_webhook_paths(), **_ops_paths()},
    }


def _check_paths() -> dict[str, Any]:
    check = {
        "summary": "Is this article a copy of one already seen? Stores it unless index is false.",
        "security": SECURED,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ArticleIn")}}},
        "responses": {"200": _ok("CheckResult", "The verdict, matches best first."), **COMMON},
    }
    # any array: each item is meant to be an ArticleIn, and one that is not is answered with an ItemError
    articles = {"type": "array", "items": {"description": "An ArticleIn (a /v1/check body); else an ItemError."}}
    batch = {
        "summary": "Check many articles in order, in one round trip; one answer per article, in its place.",
        "description": "A JSON array of /v1/check bodies, or NDJSON (one a line), up to DEDUPE_MAX_BATCH "
        "articles and DEDUPE_MAX_BATCH_BYTES. Each article sees those before it. An invalid item gets an "
        "ItemError in its place and never fails the others; a Redis failure fails the whole batch (503).",
        "security": SECURED,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": articles},
                "application/x-ndjson": {"schema": {"type": "string", "description": "One article a line."}},
            },
        },
        "responses": {
            "200": _ok("BatchResult", "One CheckResult or ItemError per article, in order."),
            **COMMON,
            "413": _error("More than DEDUPE_MAX_BATCH articles, or a body over DEDUPE_MAX_BATCH_BYTES."),
            "415": _error("Neither application/json nor application/x-ndjson."),
            "422": _error("The body is not a JSON array."),
        },
    }
    return {"/v1/check": {"post": check}, "/v1/check/batch": {"post": batch}}


def _path_parameter(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}]


def _read_paths() -> dict[str, Any]:
    article = {
        "parameters": _path_parameter("article_id"),
        "get": {
            "summary": "What is stored for an article.",
            "security": SECURED,
            "responses": {"200": _ok("StoredArticle", "Stored."), "404": _error("Unknown id."), **READ},
        },
        "delete": {
            "summary": "Remove an article from the index.",
            "security": SECURED,
            "responses": {"204": {"description": "Removed."}, "404": _error("Unknown id."), **READ},
        },
    }
    story = {
        "parameters": _path_parameter("story_id"),
        "get": {
            "summary": "The copies of one story, earliest first.",
            "security": SECURED,
            "responses": {"200": _ok("Story", "The story."), "404": _error("Unknown story."), **READ},
        },
    }
    return {"/v1/articles/{article_id}": article, "/v1/stories/{story_id}": story}


def _webhook_paths() -> dict[str, Any]:
    headers = ("webhook-id", "webhook-timestamp", "webhook-signature")
    cms = {
        "summary": "CMS webhook (Standard Webhooks signature).",
        "parameters": [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}} for h in headers],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("WebhookEvent")}}},
        "responses": {
            "200": _ok("WebhookAnswer", "Processed (or a redelivery's stored answer)."),
            "401": _error("Bad or missing signature, or stale timestamp."),
            **{k: v for k, v in COMMON.items() if k != "401"},
        },
    }
    return {"/v1/webhooks/cms": {"post": cms}}


def _ops_paths() -> dict[str, Any]:
    prometheus = {"description": "Prometheus text format.", "content": {"text/plain": {"schema": {"type": "string"}}}}
    return {
        "/healthz": {"get": {"summary": "The process is alive.", "responses": {"200": {"description": "ok"}}}},
        "/readyz": {
            "get": {"summary": "Redis answers.", "responses": {"200": {"description": "ready"}, "503": COMMON["503"]}}
        },
        "/metrics": {"get": {"summary": "Prometheus metrics.", "responses": {"200": prometheus}}},
    }

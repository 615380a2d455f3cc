"""The OpenAPI 3.1 description served at /openapi.json. The request schema comes from the model itself."""

from __future__ import annotations

from typing import Any

from ..models import ArticleIn

_NULLABLE_STR = {"type": ["string", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
#: Match.alignment: counted in hashed sentences (5 tokens or more, distinct, the first 64 of each article).
ALIGNMENT = {
    "type": "object",
    "description": "How the checked article carries the match, sentence by sentence.",
    "required": ["shared", "sentences", "match_sentences", "added_top", "added_inside", "added_end", "cut_top",
                 "cut_after", "summary"],
    "properties": {
        "shared": {**_COUNT, "description": "Sentences of the checked article found in the match."},
        "sentences": {**_COUNT, "description": "Sentences of the checked article."},
        "match_sentences": {**_COUNT, "description": "Sentences of the match."},
        "added_top": {**_COUNT, "description": "Sentences of its own before the first shared one."},
        "added_inside": {**_COUNT, "description": "Sentences of its own between shared ones."},
        "added_end": {**_COUNT, "description": "Sentences of its own after the last shared one."},
        "cut_top": {**_COUNT, "description": "Sentences of the match before the first one it carries."},
        "cut_after": {
            "type": ["integer", "null"], "minimum": 1,
            "description": "It stops after this sentence of the match (1-based) while the match goes on; else null.",
        },
        "summary": {"type": "string", "description": 'e.g. "shares 14 of its 16 sentences; adds 1 sentence at the '
                    'top; stops after sentence 9 of 30".'},
    },
}  # fmt: skip


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def spec(version: str) -> dict[str, Any]:
    article_schema = ArticleIn.model_json_schema(ref_template="#/components/schemas/{model}")
    stored = {
        "type": "object",
        "required": ["id", "story_id", "indexed_at", "shingles"],
        "properties": {
            "id": {"type": "string"},
            "story_id": {"type": "string"},
            "title": _NULLABLE_STR,
            "url": _NULLABLE_STR,
            "outlet": _NULLABLE_STR,
            "published_at": _NULLABLE_STR,
            "indexed_at": {"type": "string"},
            "shingles": {"type": "integer"},
        },
    }
    match = {
        "type": "object",
        "required": ["id", "similarity", "containment", "story_id", "relation", "evidence"],
        "properties": {
            "id": {"type": "string"},
            "similarity": {"type": "number", "minimum": 0, "maximum": 1, "description": "Estimated Jaccard."},
            "containment": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "Share of the shorter article found in the longer.",
            },
            "outlet": _NULLABLE_STR,
            "url": _NULLABLE_STR,
            "title": _NULLABLE_STR,
            "published_at": _NULLABLE_STR,
            "story_id": {"type": "string"},
            "relation": {
                "type": "string",
                "enum": ["copy", "version"],
                "description": "copy: the text was taken (verbatim, edited, an excerpt); version: the same wire "
                "story re-topped or updated.",
            },
            "evidence": {
                "type": "string",
                "enum": ["jaccard", "sentences", "containment", "lead", "wire_id"],
                "description": "The rule that decided: near-identical text, shared sentences, containment of "
                "the shorter article, the same opening, or the same wire item.",
            },
            "shared_sentences": {"type": "integer", "minimum": 0, "description": "Sentences both articles hold."},
            "sentences": {"type": "integer", "minimum": 0, "description": "Sentences of the shorter article."},
            "alignment": {"$ref": "#/components/schemas/Alignment"},
        },
    }
    result = {
        "type": "object",
        "required": ["id", "duplicate", "story_id", "indexed", "matches"],
        "properties": {
            "id": {"type": "string"},
            "duplicate": {"type": "boolean"},
            "story_id": _NULLABLE_STR,
            "indexed": {"type": "boolean"},
            "matches": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}},
            "words": {"type": "integer", "minimum": 0, "description": "Words of story text kept (fingerprinted)."},
            "warnings": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Problems short of an error, e.g. a text too short to match reliably.",
            },
        },
    }
    error_body = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
    }
    error = {"type": "object", "required": ["error"], "properties": {"error": error_body}}
    event = {
        "type": "object",
        "required": ["type", "data"],
        "properties": {
            "type": {"enum": ["article.published", "article.updated", "article.deleted"]},
            "data": {"type": "object", "description": "The fields of /v1/check; only id for deleted."},
        },
    }
    story = {
        "type": "object",
        "required": ["story_id", "articles"],
        "properties": {
            "story_id": {"type": "string"},
            "articles": {"type": "array", "items": {"$ref": "#/components/schemas/StoredArticle"}},
        },
    }
    common = {
        "400": _error("Malformed JSON."),
        "401": _error("Missing or unknown API key."),
        "413": _error("Body too large."),
        "415": _error("Not application/json."),
        "422": _error("A field is missing or invalid; `field` names it."),
        "503": _error("The index (Redis) is unavailable; retry after Retry-After seconds."),
    }
    article_id = [{"name": "article_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "dedupe: syndicated news copy detection", "version": version},
        "components": {
            "schemas": {
                "ArticleIn": article_schema,
                "CheckResult": result,
                "Match": match,
                "Alignment": ALIGNMENT,
                "StoredArticle": stored,
                "Story": story,
                "Error": error,
                "WebhookEvent": event,
                **_batch_schemas(error_body),
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/v1/check": {
                "post": {
                    "summary": "Is this article a copy of one already seen? Stores it unless index is false.",
                    "security": [{"bearer": []}, {}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleIn"}}},
                    },
                    "responses": {"200": _ok("CheckResult", "The verdict, matches best first."), **common},
                }
            },
            "/v1/check/batch": _batch_path(common),
            "/v1/articles/{article_id}": {
                "parameters": article_id,
                "get": {
                    "summary": "What is stored for an article.",
                    "security": [{"bearer": []}, {}],
                    "responses": {
                        "200": _ok("StoredArticle", "Stored."),
                        "404": _error("Unknown id."),
                        "401": common["401"],
                        "503": common["503"],
                    },
                },
                "delete": {
                    "summary": "Remove an article from the index.",
                    "security": [{"bearer": []}, {}],
                    "responses": {
                        "204": {"description": "Removed."},
                        "404": _error("Unknown id."),
                        "401": common["401"],
                        "503": common["503"],
                    },
                },
            },
            "/v1/stories/{story_id}": {
                "parameters": [{"name": "story_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {
                    "summary": "The copies of one story, earliest first.",
                    "security": [{"bearer": []}, {}],
                    "responses": {
                        "200": _ok("Story", "The story."),
                        "404": _error("Unknown story."),
                        "401": common["401"],
                        "503": common["503"],
                    },
                },
            },
            "/v1/webhooks/cms": {
                "post": {
                    "summary": "CMS webhook (Standard Webhooks signature).",
                    "parameters": [
                        {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                        for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookEvent"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "Processed (or a redelivery's stored answer).",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "401": _error("Bad or missing signature, or stale timestamp."),
                        **{k: v for k, v in common.items() if k != "401"},
                    },
                }
            },
            "/healthz": {"get": {"summary": "The process is alive.", "responses": {"200": {"description": "ok"}}}},
            "/readyz": {
                "get": {
                    "summary": "Redis answers.",
                    "responses": {"200": {"description": "ready"}, "503": common["503"]},
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics.",
                    "responses": {
                        "200": {
                            "description": "Prometheus text format.",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
        },
    }


def _batch_schemas(error_body: dict[str, Any]) -> dict[str, Any]:
    item_error = {
        "type": "object",
        "required": ["index", "id", "error"],
        "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "The item's place in the batch, from 0."},
            "id": {**_NULLABLE_STR, "description": "The item's id, when it had one."},
            "error": error_body,
        },
    }
    one = {"oneOf": [{"$ref": "#/components/schemas/CheckResult"}, {"$ref": "#/components/schemas/ItemError"}]}
    batch = {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": one}}}
    return {"ItemError": item_error, "BatchResult": batch}


def _batch_path(common: dict[str, Any]) -> dict[str, Any]:
    # any array: each item is meant to be an ArticleIn, and one that is not is answered with an ItemError
    articles = {"type": "array", "items": {"description": "An ArticleIn (a /v1/check body); else an ItemError."}}
    return {
        "post": {
            "summary": "Check many articles in order, in one round trip; one answer per article, in its place.",
            "description": "A JSON array of /v1/check bodies, or NDJSON (one a line), up to DEDUPE_MAX_BATCH "
            "articles and DEDUPE_MAX_BATCH_BYTES. Each article sees those before it. An invalid item gets an "
            "ItemError in its place and never fails the others; a Redis failure fails the whole batch (503).",
            "security": [{"bearer": []}, {}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": articles},
                    "application/x-ndjson": {"schema": {"type": "string", "description": "One article a line."}},
                },
            },
            "responses": {
                "200": _ok("BatchResult", "One CheckResult or ItemError per article, in order."),
                **common,
                "413": _error("More than DEDUPE_MAX_BATCH articles, or a body over DEDUPE_MAX_BATCH_BYTES."),
                "415": _error("Neither application/json nor application/x-ndjson."),
                "422": _error("The body is not a JSON array."),
            },
        }
    }

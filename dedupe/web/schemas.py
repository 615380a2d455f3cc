"""The JSON Schemas of /openapi.json's components, generated from the types the service answers with.

The domain answers (CheckResult, Match, StoredArticle, Alignment) and the request (ArticleIn) are the models
themselves; what only the web layer answers (errors, a batch, a story, the webhook's answer) is typed here.
pydantic writes every schema, so a field added to a model is in the description the moment it is answered.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from pydantic.json_schema import JsonSchemaMode
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from ..alignment import Alignment
from ..models import ArticleIn, CheckResult, StoredArticle

REF = "#/components/schemas/{model}"
_Count = Annotated[int, Field(ge=0)]

#: Alignment (dedupe/alignment.py) says its fields in comments; their descriptions, one for each field.
ALIGNMENT_FIELDS = {
    "shared": "Sentences of the checked article found in the match.",
    "sentences": "Sentences of the checked article.",
    "match_sentences": "Sentences of the match.",
    "added_top": "Sentences of its own before the first shared one.",
    "added_inside": "Sentences of its own between shared ones.",
    "added_end": "Sentences of its own after the last shared one.",
    "cut_top": "Sentences of the match before the first one it carries.",
    "cut_after": "It stops after this sentence of the match (1-based) while the match goes on; else null.",
    "summary": 'In words, e.g. "shares 14 of its 16 sentences; adds 1 sentence at the top; stops after sentence 9 '
    'of 30".',
}


class ErrorBody(TypedDict):
    code: Annotated[str, Field(description="Machine-readable, e.g. invalid_field, not_found, unavailable.")]
    message: str
    field: NotRequired[Annotated[str, Field(description="The field at fault, when one is.")]]


class Error(TypedDict):
    error: ErrorBody


class ItemError(TypedDict):
    """A batch item that was not checked; it never fails the others."""

    index: Annotated[_Count, Field(description="The item's place in the batch, from 0.")]
    id: Annotated[str | None, Field(description="The item's id, when it had one.")]
    error: ErrorBody


class BatchResult(TypedDict):
    results: Annotated[list[CheckResult | ItemError], Field(description="One answer per article, in its place.")]


class Story(TypedDict):
    story_id: str
    articles: Annotated[list[StoredArticle], Field(description="Its copies, earliest first.")]


EventType = Literal["article.published", "article.updated", "article.deleted"]


@with_config(ConfigDict(extra="allow"))
class WebhookEvent(TypedDict):
    type: EventType
    data: Annotated[dict[str, Any], Field(description="The fields of /v1/check; only id for deleted.")]
    timestamp: NotRequired[Annotated[str, Field(description="RFC 3339 time of the event; orders an article's.")]]


class WebhookAnswer(TypedDict):
    """Processed, or a redelivery's stored answer: a check's result, a deletion, or an event ignored as stale."""

    type: EventType
    id: NotRequired[str]
    result: NotRequired[CheckResult]
    deleted: NotRequired[bool]
    ignored: NotRequired[Annotated[str, Field(description="Why nothing changed.")]]


_TYPES: list[tuple[type, JsonSchemaMode]] = [
    (ArticleIn, "validation"),
    (WebhookEvent, "validation"),
    (CheckResult, "serialization"),
    (StoredArticle, "serialization"),
    (Story, "serialization"),
    (BatchResult, "serialization"),
    (Error, "serialization"),
    (WebhookAnswer, "serialization"),
]


def components() -> dict[str, Any]:
    """components/schemas: each type above and every type it holds (Match, Alignment, ErrorBody, ...)."""
    return copy.deepcopy(_components())


@cache
def _components() -> dict[str, Any]:
    inputs: list[tuple[str, JsonSchemaMode, TypeAdapter[Any]]] = [(t.__name__, m, TypeAdapter(t)) for t, m in _TYPES]
    _, defs = TypeAdapter.json_schemas(inputs, ref_template=REF)
    schemas: dict[str, Any] = defs["$defs"]  # every type above is named, so each is a definition
    _describe(schemas["Alignment"], ALIGNMENT_FIELDS, Alignment)
    return dict(sorted(schemas.items()))


def _describe(schema: dict[str, Any], descriptions: dict[str, str], model: type) -> None:
    if set(descriptions) != set(schema["properties"]):
        raise RuntimeError(f"ALIGNMENT_FIELDS must describe exactly the fields of {model.__qualname__}")
    for name, text in descriptions.items():
        schema["properties"][name]["description"] = text

"""The service's answers as dataclasses: one per OpenAPI schema (Match, CheckResult, ItemError, StoredArticle,
Story), field for field. Fields the service adds later are ignored, so an older client keeps working."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


@dataclass(frozen=True)
class Alignment:
    """How the checked article carries a match, in sentences (see the service's README)."""

    shared: int
    sentences: int
    match_sentences: int
    added_top: int
    added_inside: int
    added_end: int
    cut_top: int
    cut_after: int | None
    summary: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alignment:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Match:
    id: str
    similarity: float
    containment: float
    story_id: str
    relation: Literal["copy", "version"]
    evidence: Literal["jaccard", "sentences", "containment", "lead", "wire_id"]
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: str | None = None
    shared_sentences: int = 0
    sentences: int = 0
    alignment: Alignment | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Match:
        known = _known(cls, data)
        if data.get("alignment") is not None:
            known["alignment"] = Alignment.from_json(data["alignment"])
        return cls(**known)


@dataclass(frozen=True)
class CheckResult:
    id: str
    duplicate: bool
    story_id: str | None
    indexed: bool
    matches: list[Match] = field(default_factory=list)
    words: int = 0
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        known = _known(cls, data)
        known["matches"] = [Match.from_json(m) for m in data.get("matches", [])]
        return cls(**known)


@dataclass(frozen=True)
class ErrorBody:
    code: str
    message: str
    field: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ErrorBody:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class ItemError:
    """A batch item that was not checked: its place in the batch, its id when it had one, and why."""

    index: int
    id: str | None
    error: ErrorBody

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemError:
        return cls(index=data["index"], id=data.get("id"), error=ErrorBody.from_json(data["error"]))


@dataclass(frozen=True)
class StoredArticle:
    id: str
    story_id: str
    indexed_at: str
    shingles: int
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published_at: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredArticle:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Story:
    story_id: str
    articles: list[StoredArticle]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Story:
        return cls(story_id=data["story_id"], articles=[StoredArticle.from_json(a) for a in data["articles"]])


def batch_item(data: dict[str, Any]) -> CheckResult | ItemError:
    return ItemError.from_json(data) if "error" in data else CheckResult.from_json(data)


#: The OpenAPI schema each type mirrors (components/schemas), for the test that keeps them equal.
SCHEMAS: dict[str, type] = {
    "Match": Match,
    "Alignment": Alignment,
    "CheckResult": CheckResult,
    "ItemError": ItemError,
    "StoredArticle": StoredArticle,
    "Story": Story,
}

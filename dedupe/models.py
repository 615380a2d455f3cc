"""What crosses the service's edge: the article a caller sends, and the answer it gets back.

Parsing happens here, once, so that everything behind it works on valid, typed values.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_ID_CHARS = 256
_SURROGATES = re.compile("[\ud800-\udfff]")
#: RFC 3339 date-time with an offset: the one date format the API accepts (articles and webhook events).
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _clean(value: str | None) -> str | None:
    """Lone surrogates (legal in JSON, not in UTF-8) become U+FFFD so nothing downstream chokes."""
    return None if value is None else _SURROGATES.sub("\ufffd", value)


class ArticleIn(BaseModel):
    """One article as `POST /v1/check` and the CMS webhook carry it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS, description="Caller's id for the article.")
    text: str | None = Field(None, description="Plain text of the article (this or `html`).")
    html: str | None = Field(None, description="A whole HTML page or fragment (this or `text`).")
    title: str | None = Field(None, max_length=2_000)
    url: str | None = Field(None, max_length=4_096)
    outlet: str | None = Field(None, max_length=500)
    published_at: AwareDatetime | None = Field(None, description="RFC 3339 date-time with offset.")
    index: bool = Field(True, strict=True, description="false: look without storing.")

    @field_validator("id", "text", "html", "title", "url", "outlet", mode="before")
    @classmethod
    def _no_surrogates(cls, value: object) -> object:
        # before: pydantic's own str check refuses lone surrogates (422) before an "after" validator runs
        return _clean(value) if isinstance(value, str) else value

    @field_validator("published_at", mode="before")
    @classmethod
    def _rfc3339(cls, value: object) -> object:
        """Only RFC 3339 text: pydantic alone would also take epoch numbers and "1643270400"."""
        if value is not None and not (isinstance(value, str) and RFC3339.fullmatch(value)):
            raise ValueError("must be an RFC 3339 date-time with offset, e.g. 2022-01-27T10:00:00Z")
        return value

    @field_validator("id", mode="after")
    @classmethod
    def _id_visible(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _one_body(self) -> ArticleIn:
        if not (self.text and self.text.strip()) and not (self.html and self.html.strip()):
            raise ValueError("one of `text` or `html` is required and must not be empty")
        return self

    @field_validator("published_at", mode="after")
    @classmethod
    def _has_utc_form(cls, value: datetime | None) -> datetime | None:
        """0001-01-01T00:00:00+14:00 is valid RFC 3339 but has no UTC form in Python's calendar."""
        if value is not None:
            try:
                format_time(value.timestamp())
            except (ValueError, OverflowError, OSError):
                raise ValueError("out of range: must fall between years 1 and 9999 in UTC") from None
        return value

    @property
    def published_ts(self) -> float | None:
        return None if self.published_at is None else self.published_at.timestamp()


def format_time(ts: float | None) -> str | None:
    """Epoch seconds to RFC 3339 UTC, the one format the API answers in."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Match:
    id: str
    similarity: float
    containment: float
    outlet: str | None
    url: str | None
    title: str | None
    published_at: str | None
    story_id: str
    relation: str = "copy"  # copy: the text was taken (verbatim, edited, excerpt); version: re-topped or updated
    evidence: str = ""  # what decided: jaccard | sentences | containment | lead | wire_id
    shared_sentences: int = 0  # sentences the two articles share ...
    sentences: int = 0  # ... of the shorter one's


@dataclass(frozen=True)
class CheckResult:
    id: str
    duplicate: bool
    story_id: str | None
    indexed: bool
    matches: list[Match] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredArticle:
    id: str
    story_id: str
    title: str | None
    url: str | None
    outlet: str | None
    published_at: str | None
    indexed_at: str
    shingles: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

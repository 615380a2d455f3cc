"""What crosses the service's edge: the article a caller sends, and the answer it gets back.

Parsing happens here, once, so that everything behind it works on valid, typed values.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import wire
from .alignment import Alignment
from .exceptions import InvalidInput

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
    ninjs: dict[str, Any] | None = Field(
        None,
        description="An IPTC ninjs item (1.x or 2.x) instead of text/html: body, headline, date and uri read from it.",
    )
    xml: str | None = Field(
        None, max_length=wire.MAX_XML_CHARS,
        description="A NITF document or NewsML-G2 newsItem instead of text/html: body, headline, date and identity.",
    )  # fmt: skip
    wire_id: str | None = Field(
        None, max_length=1_000,
        description="The wire item's identity across its versions (e.g. its URI); taken from ninjs/xml when absent.",
    )  # fmt: skip

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

    @field_validator("ninjs", mode="after")
    @classmethod
    def _ninjs(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            wire.from_ninjs(value)  # a WireFormatError is a ValueError: 422 naming the field
        return value

    @field_validator("xml", mode="after")
    @classmethod
    def _xml(cls, value: str | None) -> str | None:
        if value is not None:
            wire.from_xml(value)
        return value

    @model_validator(mode="after")
    def _one_body(self) -> ArticleIn:
        if (
            self.ninjs is None
            and self.xml is None
            and not (self.text and self.text.strip())
            and not (self.html and self.html.strip())
        ):
            raise ValueError("one of `text`, `html`, `ninjs` or `xml` is required and must not be empty")
        return self

    def content(self) -> Content:
        """What to fingerprint: the caller's fields, completed from a ninjs or XML wire item when one is given."""
        item = wire.from_ninjs(self.ninjs) if self.ninjs is not None else None
        if item is None and self.xml is not None:
            item = wire.from_xml(self.xml)
        item = item or wire.WireItem()
        published = self.published_at or item.published_at
        return Content(
            text=self.text if self.text and self.text.strip() else item.text,
            html=self.html if self.html and self.html.strip() else item.html,
            title=self.title or item.title,
            published_ts=None if published is None else published.timestamp(),
            wire_id=self.wire_id or item.wire_id,
        )

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


def parse_article(payload: Any, where: str = "") -> ArticleIn:
    """Validate an article; the first problem is reported with the field it concerns (prefixed by `where`)."""
    if not isinstance(payload, dict):
        raise InvalidInput(where.rstrip(".") or "body", "must be a JSON object")
    try:
        return ArticleIn.model_validate(payload)
    except ValidationError as exc:
        raise InvalidInput(where + first_field(exc), exc.errors(include_url=False)[0]["msg"]) from None


def first_field(exc: ValidationError) -> str:
    """The field of a validation error's first problem ("text" for the one model-wide rule: text or html)."""
    return ".".join(str(p) for p in exc.errors(include_url=False)[0]["loc"]) or "text"


@dataclass(frozen=True)
class Content:
    text: str | None
    html: str | None
    title: str | None
    published_ts: float | None
    wire_id: str | None


def format_time(ts: float | None) -> str | None:
    """Epoch seconds to RFC 3339 UTC, the one format the API answers in."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat().replace("+00:00", "Z")


#: Match.relation and Match.evidence: their values (the OpenAPI enums).
RELATIONS = ("copy", "version")
EVIDENCE = ("jaccard", "sentences", "containment", "lead", "wire_id")
#: Every field of an answer is always sent (to_dict), so the OpenAPI schemas mark every one required.
_ANSWER = ConfigDict(json_schema_serialization_defaults_required=True)
_Share = Annotated[float, Field(ge=0, le=1)]
_Count = Annotated[int, Field(ge=0)]
_Time = Annotated[str | None, Field(description="RFC 3339 UTC, e.g. 2022-01-27T08:02:00Z; null when not sent.")]


@dataclass(frozen=True)
class Match:
    """An article of the same story already in the index."""

    __pydantic_config__ = _ANSWER

    id: str
    similarity: Annotated[_Share, Field(description="Estimated Jaccard similarity of the two articles' shingles.")]
    containment: Annotated[_Share, Field(description="Share of the shorter article found in the longer.")]
    outlet: str | None
    url: str | None
    title: str | None
    published_at: _Time
    story_id: str
    relation: Annotated[
        str,
        Field(
            json_schema_extra={"enum": list(RELATIONS)},
            description="copy: the text was taken (verbatim, edited, an excerpt); version: the same wire story "
            "re-topped or updated.",
        ),
    ]
    evidence: Annotated[
        str,
        Field(
            json_schema_extra={"enum": list(EVIDENCE)},
            description="The rule that decided: near-identical text, shared sentences, containment of the shorter "
            "article, the same opening, or the same wire item.",
        ),
    ]
    shared_sentences: Annotated[_Count, Field(description="Sentences the two articles share ...")] = 0
    sentences: Annotated[_Count, Field(description="... of the shorter one's.")] = 0
    alignment: Annotated[Alignment | None, Field(description="How the checked article carries the match.")] = None


@dataclass(frozen=True)
class CheckResult:
    """The answer to POST /v1/check (and each checked article of a batch)."""

    __pydantic_config__ = _ANSWER

    id: str
    duplicate: Annotated[bool, Field(description="The index holds an earlier copy of the same story.")]
    story_id: Annotated[str | None, Field(description="Groups every copy of one story; stable as copies arrive.")]
    indexed: Annotated[bool, Field(description="The article was stored (index was not false).")]
    matches: Annotated[list[Match], Field(description="Copies of the same story, best first.")] = field(
        default_factory=list
    )
    words: Annotated[_Count, Field(description="Words of story text kept once boilerplate is removed.")] = 0
    warnings: Annotated[list[str], Field(description="Problems short of an error, e.g. a text too short.")] = field(
        default_factory=list
    )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredArticle:
    """What the index holds for an article (GET /v1/articles/{id}; each copy of a story)."""

    __pydantic_config__ = _ANSWER

    id: str
    story_id: str
    title: str | None
    url: str | None
    outlet: str | None
    published_at: _Time
    indexed_at: Annotated[str, Field(description="When it was stored, RFC 3339 UTC.")]
    shingles: Annotated[_Count, Field(description="Shingles of its fingerprint.")]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

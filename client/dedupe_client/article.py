"""The article a caller sends (schema ArticleIn).

No `from __future__ import annotations` here: a TypedDict needs its NotRequired markers evaluated to know
which keys are required (Article.__required_keys__).
"""

from typing import Any, NotRequired, TypedDict


class Article(TypedDict):
    """One article as POST /v1/check takes it (schema ArticleIn): `text`, `html`, `ninjs` or `xml` is required."""

    id: str
    text: NotRequired[str]
    html: NotRequired[str]
    title: NotRequired[str]
    url: NotRequired[str]
    outlet: NotRequired[str]
    published_at: NotRequired[str]  # RFC 3339 with offset
    index: NotRequired[bool]
    ninjs: NotRequired[dict[str, Any]]  # an IPTC ninjs item instead of text/html
    xml: NotRequired[str]  # a NITF or NewsML-G2 document instead of text/html
    wire_id: NotRequired[str]  # the wire item's identity across its versions

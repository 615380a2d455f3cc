"""Wire formats: an IPTC ninjs item (JSON), or a NITF document or NewsML-G2 news item (XML), to the fields of
an article. Pure functions, no I/O.

XML is parsed with defusedxml (no DTD, no entities, nothing fetched), bounded in size and depth. A wire
identity (ninjs `uri`, NewsML-G2 `guid`, NITF `doc-id`) is kept: it is the strongest evidence that two items
are versions of one story, whatever their text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

MAX_XML_CHARS = 2_000_000
MAX_DEPTH = 64
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}:?\d{2})?")


class WireFormatError(ValueError):
    """The item cannot be read: the message says why."""


@dataclass(frozen=True)
class WireItem:
    text: str | None = None
    html: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    wire_id: str | None = None  # the item's identity across its versions
    version: str | None = None


def _date(value: object) -> datetime | None:
    """An ISO 8601 date-time, or NITF's compact form (20220127T100000Z); None when it is neither or naive."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    compact = _COMPACT_DATE.fullmatch(text)
    if compact:
        y, mo, d, h, mi, s, zone = compact.groups()
        text = f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone or 'Z'}"
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def from_ninjs(item: dict[str, Any]) -> WireItem:
    """ninjs 1.x (`headline`, `body_text`, `body_html`) and 2.x (`headlines`, `bodies`)."""

    def first_value(key: str, want: str | None = None) -> str | None:
        for entry in item.get(key) or []:
            usable = isinstance(entry, dict) and isinstance(entry.get("value"), str)
            if usable and (want is None or want in str(entry.get("contenttype", ""))):
                return entry["value"]
        return None

    text = item.get("body_text") or first_value("bodies", "text/plain")
    html = item.get("body_html") or first_value("bodies", "html")
    if not isinstance(text, str) and not isinstance(html, str):
        raise WireFormatError("a ninjs item needs body_text, body_html or a bodies entry with a value")
    title = item.get("headline") or first_value("headlines")
    uri = item.get("uri")
    return WireItem(
        text=text if isinstance(text, str) else None,
        html=html if isinstance(html, str) and not isinstance(text, str) else None,
        title=title if isinstance(title, str) else None,
        published_at=_date(item.get("firstcreated")) or _date(item.get("versioncreated")),
        wire_id=uri if isinstance(uri, str) and uri else None,
        version=str(item["version"]) if item.get("version") is not None else None,
    )


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(node: Element, *path: str) -> Element | None:
    """The first descendant along `path` by local names, whatever the namespaces."""
    for name in path:
        parent = node
        found = next((child for child in parent.iter() if _local(child.tag) == name and child is not parent), None)
        if found is None:
            return None
        node = found
    return node


def _paragraphs(node: Element) -> str:
    paras = ["".join(p.itertext()).strip() for p in node.iter() if _local(p.tag) in ("p", "hl2")]
    return "\n".join(p for p in paras if p) or "".join(node.itertext()).strip()


def _check_depth(root: Element) -> None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise WireFormatError(f"XML nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in node)


def _nitf(root: Element, wire_id: str | None = None, version: str | None = None) -> WireItem:
    content = _find(root, "body.content")
    if content is None:
        raise WireFormatError("a NITF document needs body/body.content")
    doc_id = _find(root, "doc-id")
    issued = _find(root, "date.issue")
    headline = _find(root, "hl1")
    headline = headline if headline is not None else _find(root, "title")
    return WireItem(
        text=_paragraphs(content),
        title="".join(headline.itertext()).strip() or None if headline is not None else None,
        published_at=_date(issued.get("norm")) if issued is not None else None,
        wire_id=wire_id or (doc_id.get("id-string") if doc_id is not None else None),
        version=version,
    )


def _newsml(item: Element) -> WireItem:
    guid, version = item.get("guid"), item.get("version")
    nitf = _find(item, "nitf")
    if nitf is not None:
        found = _nitf(nitf, guid, version)
    else:
        data = _find(item, "inlineData")
        xml = _find(item, "inlineXML")
        body = data if data is not None else xml
        if body is None:
            raise WireFormatError("a NewsML-G2 newsItem needs contentSet/inlineXML or inlineData")
        found = WireItem(text=_paragraphs(body), wire_id=guid, version=version)
    headline = _find(item, "contentMeta", "headline")
    created = next(
        (
            n
            for n in map(lambda tag: _find(item, tag), ("contentCreated", "firstCreated", "versionCreated"))
            if n is not None
        ),
        None,
    )
    return WireItem(
        text=found.text,
        title=found.title or ("".join(headline.itertext()).strip() if headline is not None else None),
        published_at=found.published_at or (_date(created.text) if created is not None else None),
        wire_id=guid or found.wire_id,
        version=version,
    )


@lru_cache(maxsize=16)
def from_xml(document: str) -> WireItem:
    """A NITF document, or a NewsML-G2 newsItem (alone or in a newsMessage), with its text inline.

    Cached: validation reads the item once to refuse a bad one with a 422, the check reads it again.
    """
    if len(document) > MAX_XML_CHARS:
        raise WireFormatError(f"XML larger than {MAX_XML_CHARS} characters")
    try:
        root = ElementTree.fromstring(document.encode("utf-8", "replace"), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise WireFormatError(f"XML with a DTD or entities is refused ({type(exc).__name__})") from None
    except ElementTree.ParseError as exc:
        raise WireFormatError(f"not well-formed XML: {exc}") from None
    _check_depth(root)
    name = _local(root.tag)
    if name == "nitf":
        return _nitf(root)
    item = root if name == "newsItem" else _find(root, "newsItem")
    if item is None:
        raise WireFormatError(f"expected a NITF document or a NewsML-G2 newsItem, not <{name}>")
    return _newsml(item)

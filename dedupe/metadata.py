"""An HTML page's own title and publication time (trafilatura's metadata), for articles sent without them.

Only a complete time is taken: a date and time of day with an offset (`article:published_time`, JSON-LD
`datePublished` ...). A bare date would put the article at midnight UTC, up to a day before its real time,
and make it the "first" copy of stories it only republished.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import trafilatura

from .models import ArticleIn, format_time
from .normalise import MAX_HTML_CHARS

log = logging.getLogger(__name__)
MAX_TITLE_CHARS = 2_000  # ArticleIn.title's limit
_DATE_CONFIG = {"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass(frozen=True)
class PageMetadata:
    title: str | None
    published_at: datetime | None


def page_metadata(html: str) -> PageMetadata:
    """The page's title and publication time (aware), each None when the page does not say."""
    try:
        doc = trafilatura.extract_metadata(html[:MAX_HTML_CHARS], date_config=_DATE_CONFIG)
    except Exception as exc:  # a parser failure costs the metadata, never the check
        log.debug("no metadata from the page: %s", exc)
        return PageMetadata(None, None)
    if doc is None:
        return PageMetadata(None, None)
    title = (doc.title or "").strip()[:MAX_TITLE_CHARS] or None
    return PageMetadata(title, _aware(doc.date))


def _aware(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
        format_time(when.timestamp())  # has a UTC form (years 1-9999), as ArticleIn requires
    except (ValueError, OverflowError, OSError):
        return None  # a bare date ("...T00:00:00" without an offset) or out of range
    return when


def with_page_metadata(article: ArticleIn) -> ArticleIn:
    """The article with the title and publication time its HTML gives, where the caller gave none."""
    if not (article.html and article.html.strip()) or (article.title is not None and article.published_at is not None):
        return article
    found = page_metadata(article.html)
    update: dict[str, object] = {}
    if article.title is None and found.title:
        update["title"] = found.title
    if article.published_at is None and found.published_at is not None:
        update["published_at"] = found.published_at
    return article.model_copy(update=update) if update else article

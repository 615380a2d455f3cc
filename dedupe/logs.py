"""Logging, configured once per process: one JSON object a line (or plain text), each with its request id.

`configure()` installs one handler on the root logger (the app factory and gunicorn.conf.py both call it;
a second call replaces the first handler, never adds one). The request id is whatever the web layer put in
REQUEST_ID for the request being served (web/access.py); this module knows nothing of Flask.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import IO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_HANDLER_FLAG = "_dedupe_handler"
#: The id of the request being served in this thread (None outside a request).
REQUEST_ID: ContextVar[str | None] = ContextVar("dedupe_request_id", default=None)


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class _ContextFilter(logging.Filter):
    """Adds `request_id` (and, while a trace is recorded, `trace_id`) to every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        trace_id = _trace_id()
        if trace_id and not hasattr(record, "trace_id"):
            record.trace_id = trace_id
        return True


def _trace_id() -> str | None:
    tracing = sys.modules.get("opentelemetry.trace")  # only when tracing was set up: never import it here
    if tracing is None:
        return None
    context = tracing.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test runner swaps it), not the one at creation."""

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.request_id_text = getattr(record, "request_id", None) or "-"
        return super().format(record)


def _formatter(fmt: str) -> logging.Formatter:
    if fmt == "text":
        return _TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id_text)s] %(message)s")
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )


def configure(level: str = "INFO", fmt: str = "json", stream: IO[str] | None = None) -> logging.Handler:
    """Install the service's one log handler on the root logger (replacing an earlier one of ours)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_FLAG, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    setattr(handler, _HANDLER_FLAG, True)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(_formatter(fmt))
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler


def mask_url(url: str) -> str:
    """The URL with any password (in the user part or a `password=` parameter) replaced by ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, sep, _ = userinfo.partition(":")
        netloc = f"{user}:***@{host}" if sep else f"***@{host}"
    query = parts.query
    if query:
        pairs = [(k, "***" if k.lower() == "password" else v) for k, v in parse_qsl(query, keep_blank_values=True)]
        query = urlencode(pairs, safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # nothing to hide (and unix:///path keeps its form)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

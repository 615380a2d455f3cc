"""Logging, configured once per process: one JSON object a line (or plain text), each with its request id.

`configure()` installs one handler on the root logger (the app factory and gunicorn.conf.py both call it;
a second call replaces the first handler, never adds one). `init_app()` gives every request an id (the
caller's `X-Request-ID` when it is a sane token, else a new one), echoes it in the answer, and writes one
access line per request, on the `dedupe.access` logger.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Callable
from typing import IO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, g, has_app_context, request

REQUEST_ID_HEADER = "X-Request-ID"
#: An incoming id is kept when it is a short token of these characters; anything else gets a new id.
_SANE_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
_HANDLER_FLAG = "_dedupe_handler"
access_log = logging.getLogger("dedupe.access")

#: Called with (endpoint, method, status, seconds) once per request, e.g. the request metrics.
Observer = Callable[[str, str, int, float], None]


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    return g.get("request_id") if has_app_context() else None


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
    def stream(self) -> IO[str]:  # type: ignore[override]
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


def _method_label(method: str) -> str:
    return method if method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS") else "other"


def init_app(app: Flask, observe: Observer | None = None) -> None:
    """Request ids, the access log and (through `observe`) the request metrics, for every request.

    Registered before any other hook, so a request refused early (401, 429, 413) still has its id, its
    access line and its count.
    """

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_ID.fullmatch(incoming) else _new_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        # every request pays for this hook: the proxies are read once, the line is built only when logged
        req, ctx = request._get_current_object(), g._get_current_object()
        rid = getattr(ctx, "request_id", None) or _new_id()
        response.headers[REQUEST_ID_HEADER] = rid
        seconds = time.perf_counter() - getattr(ctx, "request_started", time.perf_counter())
        endpoint = req.url_rule.rule if req.url_rule is not None else "unmatched"
        status = response.status_code
        if observe is not None:
            observe(endpoint, _method_label(req.method), status, seconds)
        if access_log.isEnabledFor(logging.INFO):
            ms = seconds * 1000
            access_log.info(
                "%s %s %d %.1fms",
                req.method,
                req.path,
                status,
                ms,
                extra={
                    "request_id": rid,
                    "method": req.method,
                    "path": req.path,
                    "endpoint": endpoint,
                    "status": status,
                    "duration_ms": round(ms, 3),
                    "remote_addr": req.remote_addr,
                },
            )
        return response


def _new_id() -> str:
    return os.urandom(16).hex()

"""Every request gets an id (the caller's `X-Request-ID` when it is a sane token, else a new one), echoed
in the answer and on every log line written while it is served, and one access line on `dedupe.access`."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable

from flask import Flask, Request, Response, current_app, g, request

from ..logs import REQUEST_ID

REQUEST_ID_HEADER = "X-Request-ID"
#: An incoming id is kept when it is a short token of these characters; anything else gets a new id.
_SANE_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
access_log = logging.getLogger("dedupe.access")

#: Called with (endpoint, method, status, seconds) once per request, e.g. the request metrics.
Observer = Callable[[str, str, int, float], None]


def _method_label(method: str) -> str:
    return method if method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS") else "other"


def init_app(app: Flask, observe: Observer | None = None) -> None:
    """Request ids, the access log and (through `observe`) the request metrics, for every request.

    Registered before any other hook, so a request refused early (401, 429, 413) still has its id, its
    access line and its count.
    """
    app.extensions["dedupe.observe"] = observe
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_end)


def _start() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_ID.fullmatch(incoming) else _new_id()
    g.request_id_token = REQUEST_ID.set(g.request_id)
    g.request_started = time.perf_counter()


def _end(_: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)


def _finish(response: Response) -> Response:
    # every request pays for this hook: the proxies are read once, the line is built only when logged
    req, ctx = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
    rid = getattr(ctx, "request_id", None) or _new_id()
    response.headers[REQUEST_ID_HEADER] = rid
    seconds = time.perf_counter() - getattr(ctx, "request_started", time.perf_counter())
    endpoint = req.url_rule.rule if req.url_rule is not None else "unmatched"
    observe: Observer | None = current_app.extensions.get("dedupe.observe")
    if observe is not None:
        observe(endpoint, _method_label(req.method), response.status_code, seconds)
    if access_log.isEnabledFor(logging.INFO):
        _access_line(req, rid, endpoint, response.status_code, seconds)
    return response


def _access_line(req: Request, rid: str, endpoint: str, status: int, seconds: float) -> None:
    ms = seconds * 1000
    fields = {"request_id": rid, "method": req.method, "path": req.path, "endpoint": endpoint, "status": status,
              "duration_ms": round(ms, 3), "remote_addr": req.remote_addr}  # fmt: skip
    access_log.info("%s %s %d %.1fms", req.method, req.path, status, ms, extra=fields)


def _new_id() -> str:
    return os.urandom(16).hex()

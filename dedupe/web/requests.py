"""Reading a request's body: JSON only, and a 415 or 400 that says what is wrong with it."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from .errors import MalformedBody, UnsupportedMediaType


def read_json(raw: bytes | None = None) -> Any:
    """The request's JSON body, or a 415/400 that says what is wrong with it."""
    if raw is None:
        if request.mimetype != "application/json":
            raise UnsupportedMediaType(f"Content-Type must be application/json, not {request.mimetype or 'none'!r}")
        raw = request.get_data(cache=True)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedBody(f"body is not valid JSON: {exc}") from None

"""The request's dependencies, typed: views ask for what they need instead of reaching into the app."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app

from ..wiring import Services

_KEY = "dedupe"


def install(app: Flask, services: Services) -> None:
    app.extensions[_KEY] = services


def services(app: Flask | None = None) -> Services:
    """This app's services (the current app's during a request)."""
    return cast(Services, (app or current_app).extensions[_KEY])

"""The HTTP layer: the app factory, its blueprints, error mapping, request logging, limits and tracing."""

from .app import create_app

__all__ = ["create_app"]

"""`create_app()`: the Flask app around one set of services (built here unless given)."""

from __future__ import annotations

import logging
import os

from flask import Flask

from .. import __version__, logs
from ..config import Settings
from ..store import embedded
from ..wiring import Services, build_services
from . import access, api, deps, errors, ops, ratelimit, tracing, ui, webhooks

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    settings = settings or (services.settings if services else Settings.from_env())
    logs.configure(settings.log_level, settings.log_format)  # before build_services: its warnings are logged
    services = services or build_services(settings)
    app = Flask(__name__)
    # request id, access line and request metrics first, so even a request refused by a later hook has them
    access.init_app(app, observe=services.metrics.observe_request)
    exporter = tracing.exporter_from_env()
    if exporter is not None:
        app.extensions["dedupe.tracer_provider"] = tracing.instrument(app, services.redis, exporter)
    limiter = ratelimit.init_app(app, settings, services.redis)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]  # Flask's default provider has it
    deps.install(app, services)
    errors.register(app, on_redis_error=lambda kind: services.metrics.redis_errors.labels(kind).inc())
    for blueprint in (api.bp, webhooks.bp, ops.bp):
        app.register_blueprint(blueprint)
    ui.init_app(app, services)
    _log_startup(settings, services, limiter is not None, exporter is not None)
    return app


def _log_startup(settings: Settings, services: Services, rate_limited: bool, traced: bool) -> None:
    """One line that says what this process serves: which Redis, which namespace, which parameters."""
    if settings.redis_url:
        where = logs.mask_url(settings.redis_url)
    else:
        where = f"embedded (unix://{embedded.socket_path(settings.data_dir)}, data in {settings.data_dir})"
    params = services.dedupe.index.params.describe()
    log.info(
        "dedupe %s serving: redis=%s namespace=%s params=%s",
        __version__,
        where,
        settings.namespace,
        params,
        extra={
            "event": "startup",
            "version": __version__,
            "redis": where,
            "data_dir": None if settings.redis_url else settings.data_dir,
            "namespace": settings.namespace,
            "params": params,
            "rate_limit": settings.rate_limit if rate_limited else None,
            "tracing": traced,
            "api_keys": len(settings.api_keys),
            "pid": os.getpid(),
        },
    )

"""dedupe: find syndicated copies of news stories. `create_app()` builds the whole service once."""

from __future__ import annotations

import atexit
import logging
import os
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, Response, jsonify

from . import embedded, errors, logs, ratelimit, tracing
from .config import Settings
from .fingerprint import warm_up
from .index import Deliveries, RedisIndex, bucket_bits_for
from .metrics import CONTENT_TYPE, Metrics
from .service import Deduplicator, params_from

__version__ = "1.2.0"
log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a request needs, built once per process and passed in, never a hidden global."""

    settings: Settings
    redis: redis.Redis
    dedupe: Deduplicator
    deliveries: Deliveries
    metrics: Metrics
    webhook_verifiers: list[Any]


def connect(settings: Settings) -> redis.Redis:
    """A client for REDIS_URL, or for the embedded server (started here if nothing runs yet)."""
    url = settings.redis_url
    if not url:
        url, started = embedded.ensure_running(settings.data_dir)
        if started:
            atexit.register(embedded.stop, settings.data_dir)
    return redis.Redis.from_url(
        url,
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=settings.redis_timeout_s,
        health_check_interval=30,
        retry_on_timeout=False,
    )


def build_services(settings: Settings, client: redis.Redis | None = None) -> Services:
    from .webhooks import verifiers

    client = client or connect(settings)
    params = params_from(settings)
    bits = bucket_bits_for(settings.expected_articles, params)
    index = RedisIndex(client, params, settings.namespace, bits, store_text=settings.store_text)
    try:
        index.ensure()
    except redis.RedisError as exc:  # start anyway: /readyz says 503 and the check script initialises later
        log.warning("Redis not reachable at start (%s); serving 503 until it is", exc)
    dedupe = Deduplicator(index, settings)
    warm_up()
    return Services(
        settings=settings,
        redis=client,
        dedupe=dedupe,
        deliveries=Deliveries(client, settings.namespace),
        metrics=Metrics(index.count),
        webhook_verifiers=verifiers(settings.webhook_secrets),
    )


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    from . import api, ui, webhooks
    from .openapi import spec

    settings = settings or (services.settings if services else Settings.from_env())
    logs.configure(settings.log_level, settings.log_format)  # before build_services: its warnings are logged
    services = services or build_services(settings)
    app = Flask(__name__)
    # request id, access line and request metrics first, so even a request refused by a later hook has them
    logs.init_app(app, observe=services.metrics.observe_request)
    exporter = tracing.exporter_from_env()
    if exporter is not None:
        app.extensions["dedupe.tracer_provider"] = tracing.instrument(app, services.redis, exporter)
    limiter = ratelimit.init_app(app, settings, services.redis)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    app.extensions["dedupe"] = services
    errors.register(app, on_redis_error=lambda kind: services.metrics.redis_errors.labels(kind).inc())
    app.register_blueprint(api.bp)
    app.register_blueprint(webhooks.bp)
    ui.init_app(app, services)
    openapi = spec(__version__)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz() -> Response:
        services.dedupe.index.ready()  # a RedisError or IndexMismatch becomes the 503 of errors.register
        return jsonify({"status": "ready"})

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(
            services.metrics.render(), mimetype=CONTENT_TYPE.split(";")[0], headers={"Content-Type": CONTENT_TYPE}
        )

    @app.get("/openapi.json")
    def openapi_json() -> Response:
        return jsonify(openapi)

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

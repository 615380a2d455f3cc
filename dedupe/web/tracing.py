"""Optional OpenTelemetry tracing of the Flask requests and the Redis commands they make.

On when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP over HTTP/protobuf, e.g. http://collector:4318; the
exporter reads the other standard OTEL_EXPORTER_OTLP_* variables itself, and OTEL_SERVICE_NAME names the
service, `dedupe` by default). Nothing is imported from OpenTelemetry when it is off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import redis
from flask import Flask, g

#: Not traced: probes and scrapes would drown the requests that matter.
EXCLUDED_URLS = "/healthz,/readyz,/metrics"


def exporter_from_env(env: Mapping[str, str] | None = None) -> Any | None:
    env = os.environ if env is None else env
    if not env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def instrument(app: Flask, client: redis.Redis, exporter: Any, *, batch: bool = True) -> Any:
    """Trace `app`'s requests and `client`'s commands into `exporter`; returns the TracerProvider.

    The provider is passed to both instrumentations, not installed globally: a process (or a test run)
    can hold several apps, each with its own.
    """
    from opentelemetry.instrumentation.flask import FlaskInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.trace import get_current_span

    from .. import __version__

    attributes = {"service.version": __version__}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = "dedupe"
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
    FlaskInstrumentor().instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)
    RedisInstrumentor().instrument_client(client, tracer_provider=provider)

    @app.before_request
    def _tag_span() -> None:  # the request id (dedupe.logs) on the request's span, to go from a log line to it
        span = get_current_span()
        if span.is_recording() and g.get("request_id"):
            span.set_attribute("dedupe.request_id", g.request_id)

    return provider

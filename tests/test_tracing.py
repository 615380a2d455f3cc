"""Optional OpenTelemetry tracing: a server span per request with the Redis commands it made as children,
recorded here by the SDK's in-memory exporter; off (nothing instrumented) without OTEL_EXPORTER_OTLP_ENDPOINT."""

from __future__ import annotations

import json

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from dedupe.web import create_app, tracing
from dedupe.wiring import build_services
from support import articles


@pytest.fixture
def traced(settings):
    services = build_services(settings)
    app = create_app(settings, services)
    exporter = InMemorySpanExporter()
    provider = tracing.instrument(app, services.redis, exporter, batch=False)
    yield app, exporter
    provider.shutdown()


def test_a_check_is_one_server_span_with_its_redis_commands_as_children(traced):
    app, exporter = traced
    response = app.test_client().post("/v1/check", json={"id": "a", "text": articles.SEED})
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    (server,) = [s for s in spans if s.kind == SpanKind.SERVER]
    assert server.attributes["http.route"] == "/v1/check"
    assert server.attributes["http.status_code"] == 200
    assert server.attributes["dedupe.request_id"] == response.headers["X-Request-ID"]
    assert server.resource.attributes["service.name"] == "dedupe"
    commands = [s for s in spans if s.kind == SpanKind.CLIENT]
    assert commands, "the check script's Redis call should be traced"
    assert {s.attributes["db.system"] for s in commands} == {"redis"}
    assert any(s.name in ("EVALSHA", "EVAL") for s in commands), [s.name for s in commands]
    for span in commands:
        assert span.context.trace_id == server.context.trace_id
        assert span.parent.span_id == server.context.span_id


def test_log_lines_of_a_traced_request_carry_its_trace_id(traced, capsys):
    app, exporter = traced
    capsys.readouterr()
    app.test_client().get("/v1/articles/nope")
    (server,) = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    (access,) = [line for line in lines if line["logger"] == "dedupe.access"]
    assert access["trace_id"] == format(server.context.trace_id, "032x")


def test_probes_and_scrapes_are_not_traced(traced):
    app, exporter = traced
    client = app.test_client()
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200
    assert [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER] == []


def test_without_an_otlp_endpoint_nothing_is_instrumented(settings, monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    assert tracing.exporter_from_env() is None
    app = create_app(settings)
    assert "dedupe.tracer_provider" not in app.extensions
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)


def test_with_an_otlp_endpoint_the_app_exports_over_otlp_http(settings, monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    exporter = tracing.exporter_from_env()
    assert type(exporter).__name__ == "OTLPSpanExporter"
    assert exporter._endpoint == "http://127.0.0.1:4318/v1/traces"
    services = build_services(settings)
    app = create_app(settings, services)
    provider = app.extensions["dedupe.tracer_provider"]
    try:
        assert app._is_instrumented_by_opentelemetry
        assert getattr(services.redis, "_is_instrumented_by_opentelemetry", False)
    finally:
        provider.shutdown()  # nothing was recorded: nothing is sent

"""Every metric the service exports, declared in one place, with Prometheus naming.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes counters and histograms add up across workers. The
number of indexed articles is read from Redis at scrape time, so it is right whatever the worker count.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
#: Whole requests: from a health check (well under 1 ms) to a large HTML page or a Redis timeout (seconds).
_HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _IndexCollector(Collector):
    def __init__(self, count: Callable[[], int]) -> None:
        self._count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("dedupe_redis_up", "1 when the index (Redis) answered this scrape.")
        try:
            articles = self._count()
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("dedupe_indexed_articles", "Articles currently in the index.", value=articles)


class Metrics:
    def __init__(self, count_articles: Callable[[], int]) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.registry = CollectorRegistry()
        r = self.registry
        self.checks = Counter("dedupe_checks_total", "Articles checked, by result.", ["result"], registry=r)
        self.check_seconds = Histogram(
            "dedupe_check_seconds",
            "Time to check one article, validation to answer.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.webhooks = Counter(
            "dedupe_webhook_deliveries_total", "CMS webhook deliveries, by outcome.", ["outcome"], registry=r
        )
        kinds = "Requests failed by the index: timeout (slow), full, unavailable."
        self.redis_errors = Counter("dedupe_redis_errors_total", kinds, ["kind"], registry=r)
        # Every HTTP request, by route template (`/v1/articles/<path:article_id>`, or `unmatched`), method and status.
        answered = "HTTP requests answered, by route, method and status."
        self.http_requests = Counter(
            "dedupe_http_requests_total", answered, ["endpoint", "method", "status"], registry=r
        )
        timed = "Time to answer an HTTP request, first hook to response, by route and method."
        self.http_seconds = Histogram(
            "dedupe_http_request_duration_seconds", timed, ["endpoint", "method"], buckets=_HTTP_BUCKETS, registry=r
        )
        self._http_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        for result in ("duplicate", "unique"):
            self.checks.labels(result)
        self._index = _IndexCollector(count_articles)
        if not self.multiprocess:
            self.registry.register(self._index)

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        # labels() takes a lock and builds its key on every call: keep each series' child (few: routes x methods)
        key = (endpoint, method, status)
        children = self._http_children.get(key)
        if children is None:
            children = (
                self.http_requests.labels(endpoint, method, str(status)),
                self.http_seconds.labels(endpoint, method),
            )
            self._http_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(self._index)
        return generate_latest(registry)

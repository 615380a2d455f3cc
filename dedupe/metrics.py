"""Every metric the service exports, declared in one place, with Prometheus naming.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes counters and histograms add up across workers. The
number of indexed articles is read from Redis at scrape time, so it is right whatever the worker count.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


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
        self.checks = Counter("dedupe_checks_total", "Articles checked, by result.", ["result"], registry=self.registry)
        self.check_seconds = Histogram(
            "dedupe_check_seconds",
            "Time to check one article, validation to answer.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.webhooks = Counter(
            "dedupe_webhook_deliveries_total",
            "CMS webhook deliveries, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.redis_errors = Counter(
            "dedupe_redis_errors_total",
            "Requests failed by the index: timeout (slow), full, unavailable.",
            ["kind"],
            registry=self.registry,
        )
        for result in ("duplicate", "unique"):
            self.checks.labels(result)
        self._index = _IndexCollector(count_articles)
        if not self.multiprocess:
            self.registry.register(self._index)

    def render(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(self._index)
        return generate_latest(registry)

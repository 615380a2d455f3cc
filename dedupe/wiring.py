"""Build the service's parts once per process, from its settings: Redis, the index, the decision, metrics."""

from __future__ import annotations

import atexit
import logging
from dataclasses import dataclass

import redis
from standardwebhooks.webhooks import Webhook

from .config import Settings
from .fingerprint import warm_up
from .metrics import Metrics
from .service import Deduplicator, params_from
from .store import Deliveries, RedisIndex, bucket_bits_for, cluster, embedded

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a request needs, built once per process and passed in, never a hidden global."""

    settings: Settings
    redis: redis.Redis
    dedupe: Deduplicator
    deliveries: Deliveries
    metrics: Metrics
    webhook_verifiers: list[Webhook]  # one per accepted secret: a secret is rotated without downtime


def connect(settings: Settings) -> redis.Redis:
    """A client for REDIS_URL (a Redis Cluster with DEDUPE_REDIS_CLUSTER=1), or for the embedded server
    (started here if nothing runs yet)."""
    url = settings.redis_url
    if settings.redis_cluster:
        if not url:
            raise ValueError("DEDUPE_REDIS_CLUSTER=1 needs REDIS_URL (any node of the cluster)")
        log.info("Redis Cluster mode: discovering the cluster from %s", url.rsplit("@", 1)[-1])
        return cluster.connect(url, settings.redis_timeout_s, settings.redis_wait_ms)  # type: ignore[return-value]
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
    client = client or connect(settings)
    params = params_from(settings)
    bits = bucket_bits_for(settings.expected_articles, params)
    horizon_s = None if settings.match_horizon_hours is None else settings.match_horizon_hours * 3600.0
    index = RedisIndex(client, params, settings.namespace, bits, store_text=settings.store_text, horizon_s=horizon_s)
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
        webhook_verifiers=[Webhook(secret) for secret in settings.webhook_secrets],
    )

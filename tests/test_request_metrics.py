"""Per-endpoint HTTP metrics: dedupe_http_requests_total{endpoint,method,status} and
dedupe_http_request_duration_seconds{endpoint,method}, in-process and summed over gunicorn's workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from support import articles
from tests.helpers import check, metric, metrics

REQUESTS = "dedupe_http_requests_total"
SECONDS = "dedupe_http_request_duration_seconds"
ARTICLE = "/v1/articles/<path:article_id>"


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    return metric(after, name, **labels) - metric(before, name, **labels)


def test_requests_are_counted_by_route_method_and_status(client):
    before = metrics(client)
    check(client, "a", articles.wire_original())
    check(client, "b", expect=422)
    client.get("/v1/articles/a")
    client.get("/v1/articles/nope")
    client.get("/v1/articles/also-nope")
    client.delete("/v1/articles/a")
    client.get("/healthz")
    client.get("/no/such/path")
    client.put("/v1/check", json={})
    after = metrics(client)
    counted = {
        (labels["endpoint"], labels["method"], labels["status"]): after[(name, key)] - before.get((name, key), 0)
        for (name, key) in after
        if name == REQUESTS and (labels := dict(key))
    }
    moved = {k: v for k, v in counted.items() if v and k[0] != "/metrics"}
    assert moved == {
        ("/v1/check", "POST", "200"): 1,
        ("/v1/check", "POST", "422"): 1,
        (ARTICLE, "GET", "200"): 1,
        (ARTICLE, "GET", "404"): 2,  # one series for every article id: the route, not the path
        (ARTICLE, "DELETE", "204"): 1,
        ("/healthz", "GET", "200"): 1,
        ("unmatched", "GET", "404"): 1,
        ("unmatched", "PUT", "405"): 1,  # routing failed: no route to name
    }


def test_latency_histogram_per_route(client):
    before = metrics(client)
    for i in range(3):
        check(client, f"a{i}", articles.wire_original())
    client.get("/healthz")
    after = metrics(client)
    assert delta(before, after, f"{SECONDS}_count", endpoint="/v1/check", method="POST") == 3
    assert delta(before, after, f"{SECONDS}_count", endpoint="/healthz", method="GET") == 1
    assert delta(before, after, f"{SECONDS}_sum", endpoint="/v1/check", method="POST") > 0
    inf = metric(after, f"{SECONDS}_bucket", endpoint="/v1/check", method="POST", le="+Inf")
    assert inf == metric(after, f"{SECONDS}_count", endpoint="/v1/check", method="POST")
    # a check (fingerprint + Redis round trip) is slower than a health probe: the histogram sees it
    check_mean = delta(before, after, f"{SECONDS}_sum", endpoint="/v1/check", method="POST") / 3
    health_mean = delta(before, after, f"{SECONDS}_sum", endpoint="/healthz", method="GET")
    assert check_mean > health_mean


def test_refused_requests_are_counted_with_their_status(make_app):
    client = make_app(api_keys=("k1",)).test_client()
    before = metrics(client)
    client.post("/v1/check", json={"id": "a", "text": "x"})
    client.post("/v1/check", json={"id": "a", "text": "x"}, headers={"Authorization": "Bearer wrong"})
    after = metrics(client)
    assert delta(before, after, REQUESTS, endpoint="/v1/check", method="POST", status="401") == 2


def test_unusual_methods_share_one_label(client):
    before = metrics(client)
    client.open("/healthz", method="BREW")
    after = metrics(client)
    assert delta(before, after, REQUESTS, endpoint="unmatched", method="other", status="405") == 1


def served_by(metrics_dir: Path) -> dict[str, float]:
    """Per worker (its counter file), how many article requests it counted: read from the files themselves."""
    out = {}
    for path in metrics_dir.glob("counter_*.db"):
        total = 0.0
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            _, sample, labels, _ = json.loads(key)  # [family, sample name, labels, help]
            if sample == REQUESTS and labels.get("endpoint") == ARTICLE:
                total += value
        out[path.stem] = total
    return out


@pytest.mark.slow
def test_request_metrics_add_up_over_gunicorn_workers(tmp_path: Path, redis_server):
    from tests.reliability.harness import Service

    svc = Service(tmp_path / "svc", redis_server.url)
    try:
        svc.start()
        sent = 0
        # a new connection each time, until both workers have served some (bounded)
        while sent < 40 or (sent < 400 and sum(v > 0 for v in served_by(tmp_path / "svc" / "metrics").values()) < 2):
            response = requests.get(svc.url + f"/v1/articles/x{sent}", headers={"Connection": "close"}, timeout=5)
            assert response.status_code == 404
            sent += 1
        per_worker = served_by(tmp_path / "svc" / "metrics")
        for _ in range(2):  # whichever worker answers the scrape, it reports every worker's counts
            scrape = requests.get(svc.url + "/metrics", headers={"Connection": "close"}, timeout=5)
            samples = {
                (s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(scrape.text)
                for s in family.samples
            }
            assert metric(samples, REQUESTS, endpoint=ARTICLE, method="GET", status="404") == sent
            assert metric(samples, f"{SECONDS}_count", endpoint=ARTICLE, method="GET") == sent
    finally:
        svc.stop()
    assert sum(v > 0 for v in per_worker.values()) == 2, per_worker
    assert sum(per_worker.values()) == sent

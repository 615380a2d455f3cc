"""One index across a real local Redis Cluster (3 masters, 3 replicas, started once for this module): the same
answers as one server, exactly one original under a race, records spread over every master, `verify`, the
matching horizon, and a master killed under the service (503 with Retry-After, then recovery by itself)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from dedupe import cli
from dedupe.config import Settings
from dedupe.models import ArticleIn
from dedupe.service import Deduplicator
from dedupe.store import Keys
from dedupe.store.cluster import ClusterClient, split_nodes
from dedupe.store.index import horizon_for
from dedupe.web import create_app
from dedupe.wiring import build_services, connect
from support import articles
from support.redis_cluster import RedisCluster, private_cluster
from tests.helpers import check, serving
from tests.reliability.util import story, wait_for

NS = "ctest"
HOUR = 3600.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[RedisCluster]:
    with private_cluster() as c:
        yield c


@pytest.fixture
def settings(cluster: RedisCluster) -> Iterator[Settings]:
    cluster.wait_ok()
    cluster.flushall()
    every_node = ",".join(f"127.0.0.1:{port}" for port in cluster.ports)  # starts while any one node is down
    yield Settings(redis_url=f"redis://{every_node}/0", namespace=NS, redis_timeout_s=1.0, redis_cluster=True)
    cluster.flushall()


@pytest.fixture
def app(settings: Settings):
    return create_app(settings, build_services(settings))


@pytest.fixture
def client(app):
    return app.test_client()


def _verify(settings: Settings) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = cli.verify(argparse.Namespace(), settings)
    return status, printed.getvalue()


def test_cluster_mode_is_selected_and_answers_as_one_server(settings, client):
    assert isinstance(connect(settings), ClusterClient)
    first = check(client, "afp-1", articles.wire_original(), published_at="2022-01-27T08:00:00Z", outlet="AFP")
    copy = check(client, "ndtv-1", articles.SEED, published_at="2022-01-27T09:00:00Z", outlet="NDTV")
    other = check(client, "other", articles.UNRELATED)
    assert (first["duplicate"], copy["duplicate"], other["duplicate"]) == (False, True, False)
    assert copy["story_id"] == first["story_id"] != other["story_id"]
    assert copy["matches"][0]["id"] == "afp-1" and copy["matches"][0]["outlet"] == "AFP"
    batch = client.post("/v1/check/batch", json=[{"id": "b-1", "text": articles.wrapped_copy()}, {"id": "x"}])
    assert [r.get("duplicate") for r in batch.get_json()["results"]] == [True, None]
    assert client.get("/v1/articles/ndtv-1").get_json()["outlet"] == "NDTV"
    story = client.get(f"/v1/stories/{first['story_id']}").get_json()
    assert [a["id"] for a in story["articles"]] == ["afp-1", "ndtv-1", "b-1"]
    assert check(client, "ndtv-1", articles.SEED, published_at="2022-01-27T09:00:00Z")["duplicate"] is True
    assert client.delete("/v1/articles/other").status_code == 204
    assert client.get("/v1/articles/other").status_code == 404
    assert client.get("/ui/").status_code == 200 and client.get("/readyz").status_code == 200
    assert _verify(settings) == (0, "index is consistent\n")


def test_records_and_texts_spread_over_every_master(settings, client, cluster):
    for i in range(60):
        check(client, f"a-{i}", story(i))
    keys = Keys(NS, spread=True)
    masters = cluster.masters_now()
    per_master = {p: sum(1 for _ in cluster.node(p).scan_iter(match=keys.spread_pattern("a"))) for p in masters}
    texts = {p: sum(1 for _ in cluster.node(p).scan_iter(match=keys.spread_pattern("t"))) for p in masters}
    assert sum(per_master.values()) == 60 and sum(texts.values()) == 60
    assert all(n >= 5 for n in per_master.values()), per_master  # ~20 each: every master holds records
    hot = cluster.master_of_key(keys.meta)
    assert cluster.node(hot).hlen(keys.ids) == 60  # the matching slot, on one master
    assert _verify(settings)[0] == 0


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url + "/v1/check", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read())


def test_concurrent_copies_of_a_new_story_give_one_original_and_one_story(settings, cluster):
    apps = [create_app(settings, build_services(settings)) for _ in range(3)]  # three service instances
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(serving(app)) for app in apps]
        for round_ in range(5):
            text = story(1000 + round_)  # a new story each round
            answers: list[dict] = []
            barrier = threading.Barrier(6)

            def copy(i: int, body: dict = {"text": text}, barrier=barrier, answers=answers, round_=round_) -> None:  # noqa: B006
                barrier.wait()
                answers.append(_post(urls[i % 3], {"id": f"r{round_}-{i}", **body}))

            threads = [threading.Thread(target=copy, args=(i,)) for i in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(a["duplicate"] for a in answers) == [False] + [True] * 5, answers
            assert len({a["story_id"] for a in answers}) == 1
    assert _verify(settings)[0] == 0


def test_verify_names_a_lost_record_on_its_master(settings, client):
    check(client, "a", articles.wire_original())
    check(client, "b", articles.SEED)
    c = connect(settings)
    keys = Keys(NS, spread=True)
    n = int(c.hget(keys.ids, "a"))
    c.delete(keys.record(n))
    status, out = _verify(settings)
    assert status == 1 and f"article {n}: no record under its own key" in out
    assert client.get("/v1/articles/a").status_code == 200  # read from the matching slot meanwhile
    check(client, "a", articles.wire_original())  # the same text again: "unchanged", and the record written again
    assert _verify(settings) == (0, "index is consistent\n")


def test_with_wait_every_write_waits_for_a_replica(settings, cluster):
    settings = settings.model_copy(update={"redis_wait_ms": 200})
    client = create_app(settings, build_services(settings)).test_client()
    hot = cluster.node(cluster.master_of_key(Keys(NS).meta))
    hot.config_resetstat()
    assert check(client, "a", articles.wire_original())["duplicate"] is False
    batch = client.post("/v1/check/batch", json=[{"id": "b", "text": articles.SEED}]).get_json()["results"]
    assert batch[0]["duplicate"] is True
    assert hot.info("commandstats")["cmdstat_wait"]["calls"] >= 2  # the check's and the batch's


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_past_the_horizon_an_article_is_no_candidate_but_stays_readable_until_retention(settings):
    services = build_services(Settings(**{**settings.__dict__, "retention_days": 10.0}))
    clock = Clock(1_643_277_600.0)
    dedupe = Deduplicator(services.dedupe.index, services.settings, clock=clock)
    assert horizon_for(dedupe.rules, dedupe.retention_s) == 96 * HOUR  # the long window (72 h) + 24 h late
    dedupe.check(ArticleIn(id="orig", text=articles.wire_original()))
    clock.now += 50 * HOUR
    assert dedupe.check(ArticleIn(id="late-copy", text=articles.SEED)).duplicate is True  # undated: joins
    clock.now += 97 * HOUR  # past 72 + 24 h: the next write cools both
    assert dedupe.check(ArticleIn(id="much-later", text=articles.SEED)).duplicate is False
    assert dedupe.get("orig").id == "orig" and dedupe.story(dedupe.get("orig").story_id)
    assert _verify(settings)[0] == 0
    clock.now += 11 * 24 * HOUR
    assert dedupe.purge_expired() == 3
    c = services.redis
    assert not list(c.scan_iter(match=Keys(NS, spread=True).spread_pattern("a")))
    assert _verify(settings) == (0, "index is consistent\n")


def _ok(response):  # the answer of a 200, else None (retry)
    return response.get_json() if response.status_code == 200 else None


def test_a_master_holding_only_records_down_stops_no_decision_and_loses_no_write(settings, client, cluster):
    keys = Keys(NS, spread=True)
    hot = cluster.master_of_key(keys.meta)
    other = next(p for p in cluster.masters_now() if p != hot)
    cluster.kill(other)
    looks = [client.post("/v1/check", json={"id": f"l-{i}", "text": story(300 + i), "index": False}) for i in range(5)]
    assert [r.status_code for r in looks] == [200] * 5  # decisions need only the matching slot
    stored = {i: client.post("/v1/check", json={"id": f"s-{i}", "text": story(200 + i)}) for i in range(20)}
    refused = [i for i, r in stored.items() if r.status_code == 503]
    assert refused and len(refused) < 20, [r.status_code for r in stored.values()]  # those whose record lives there
    assert all(stored[i].headers["Retry-After"] for i in refused)
    cluster.wait_ok()  # the replica took over
    for i in refused:  # the sender retries after Retry-After: the same text is "unchanged", its record written now
        body = {"id": f"s-{i}", "text": story(200 + i)}
        answer, _ = wait_for(lambda body=body: _ok(client.post("/v1/check", json=body)), 10)
        assert answer["duplicate"] is False
    assert all(client.get(f"/v1/articles/s-{i}").status_code == 200 for i in range(20))
    assert _verify(settings) == (0, "index is consistent\n")
    cluster.restart(other)
    cluster.wait_ok()


def test_a_killed_master_gives_503_with_retry_after_then_the_service_recovers(settings, client, cluster):
    keys = Keys(NS, spread=True)
    for i in range(10):
        check(client, f"before-{i}", story(100 + i))
    time.sleep(0.5)  # replication is asynchronous: what was acknowledged a moment before the kill may be lost
    hot = cluster.master_of_key(keys.meta)
    cluster.kill(hot)
    started, statuses = time.monotonic(), []
    while time.monotonic() - started < 30:
        response = client.post("/v1/check", json={"id": f"during-{len(statuses)}", "text": articles.wire_original()})
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.headers["Retry-After"] and response.get_json()["error"]["code"].startswith("redis_")
        if response.status_code == 200:
            break
        time.sleep(0.2)
    assert statuses[0] == 503 and statuses[-1] == 200, statuses
    assert cluster.master_of_key(keys.meta) != hot  # its replica took over
    assert all(client.get(f"/v1/articles/before-{i}").status_code == 200 for i in range(10))
    assert check(client, "after", articles.SEED)["duplicate"] is True  # the copy meets the story checked during it
    cluster.restart(hot)  # it rejoins as a replica
    cluster.wait_ok()
    assert _verify(settings) == (0, "index is consistent\n")


def test_redis_url_may_name_several_nodes_and_cluster_mode_needs_one():
    first, others = split_nodes("redis://:secret@10.0.0.1:7000,10.0.0.2:7001, 10.0.0.3:7002/0")
    assert first == "redis://:secret@10.0.0.1:7000/0"
    assert [(n.host, n.port) for n in others] == [("10.0.0.2", 7001), ("10.0.0.3", 7002)]
    assert split_nodes("redis://10.0.0.1:7000") == ("redis://10.0.0.1:7000", [])
    with pytest.raises(ValueError, match="needs REDIS_URL"):
        connect(Settings(redis_url="", namespace=NS, redis_cluster=True))


def test_rate_limits_are_counted_on_the_cluster(settings):
    """DEDUPE_RATE_LIMIT in cluster mode: the counters live on the cluster (limits' own cluster client), the
    third request in the window gets 429 with Retry-After."""
    limited = settings.model_copy(update={"rate_limit": "2/minute"})
    client = create_app(limited, build_services(limited)).test_client()
    statuses = [client.post("/v1/check", json={"id": f"r{i}", "text": articles.SEED}).status_code for i in range(3)]
    assert statuses == [200, 200, 429]

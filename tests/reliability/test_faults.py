"""Faults injected into a live deployment (gunicorn -w 2, a private Redis): kill, empty restart, mismatch,
slow, full, and webhook deliveries during an outage. After each fault the index must verify."""

from __future__ import annotations

import threading
import time

import pytest

from tests.helpers import signed_delivery

from .conftest import PREFIX, WEBHOOK_SECRET
from .util import assert_consistent, logical_state, story, wait_for

pytestmark = pytest.mark.slow


def metric_value(svc, name: str, **labels: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    text = svc.request("GET", "/metrics").text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total


def test_smoke_service_answers(service, redis_srv):
    r = service.check("a1", story(1))
    assert r.status_code == 200, r.text
    assert r.json()["duplicate"] is False
    assert service.request("GET", "/readyz").status_code == 200
    assert_consistent(redis_srv.url, redis_srv.client())


class Load:
    """Threads posting checks of new stories until stopped (bounded by count and time), recording answers."""

    def __init__(self, svc, threads: int = 4, max_requests: int = 3000, max_seconds: float = 60) -> None:
        self.svc, self.max_requests, self.deadline = svc, max_requests, time.monotonic() + max_seconds
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.results: list[tuple[float, str, int, str | None, str]] = []  # (t, id, status, Retry-After, code)
        self.errors: list[str] = []
        self.counter = 0
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, worker: int) -> None:
        try:
            self._load()
        except BaseException as exc:  # whatever ends a thread early is a failure the test sees (load.errors)
            with self.lock:
                self.errors.append(f"load thread {worker} died: {exc!r}")

    def _load(self) -> None:
        import requests

        session = requests.Session()
        while not self.stop_event.is_set() and time.monotonic() < self.deadline:
            with self.lock:
                if self.counter >= self.max_requests:
                    return
                self.counter += 1
                n = self.counter
            article_id = f"load-{n}"
            try:
                r = session.post(self.svc.url + "/v1/check", json={"id": article_id, "text": story(10_000 + n)},
                                 timeout=10)  # fmt: skip
            except Exception as exc:
                with self.lock:
                    self.errors.append(f"{article_id}: {exc!r}")
                continue
            code = ""
            if r.status_code != 200:
                try:  # an error answer must be the JSON error document: anything else is a failure, not a stop
                    code = r.json()["error"]["code"]
                except Exception as exc:
                    with self.lock:
                        self.errors.append(f"{article_id}: {r.status_code} without a JSON error ({exc!r}): "
                                           f"{r.text[:200]!r}")  # fmt: skip
                    continue
            with self.lock:
                self.results.append((time.monotonic(), article_id, r.status_code, r.headers.get("Retry-After"), code))

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=15)
        with self.lock:
            self.errors += [f"{t.name} still running 15 s after the stop" for t in self.threads if t.is_alive()]
        if exc[1] is not None and self.errors:  # the test failed while under load: say what the load met
            raise AssertionError(f"load errors: {self.errors[:5]}") from exc[1]

    def statuses(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for _, _, status, _, _ in self.results:
            out[status] = out.get(status, 0) + 1
        return out


def test_redis_killed_mid_load_then_recovers_without_restart(service, redis_srv):
    """SIGKILL Redis under load: 503 + Retry-After, no worker dies, /readyz 503; back by itself after restart."""
    workers = service.worker_pids()
    assert len(workers) == 2
    with Load(service) as load:
        wait_for(lambda: len(load.results) >= 40, timeout=20)
        redis_srv.kill()
        killed_at = time.monotonic()
        ready = service.request("GET", "/readyz")
        assert ready.status_code == 503 and ready.headers.get("Retry-After")
        wait_for(lambda: sum(1 for r in load.results if r[0] > killed_at + 0.2 and r[2] == 503) >= 20, timeout=20)
        restarted_at = time.monotonic()
        redis_srv.start()
        redis_up = time.monotonic() - restarted_at
        wait_for(lambda: service.request("GET", "/readyz").status_code == 200, timeout=10)
        ready_after = time.monotonic() - restarted_at
        wait_for(lambda: any(r[0] > restarted_at and r[2] == 200 for r in load.results), timeout=10)
        check_after = min(r[0] for r in load.results if r[0] > restarted_at and r[2] == 200) - restarted_at
        time.sleep(0.5)
    assert not load.errors, load.errors[:5]
    statuses = load.statuses()
    assert set(statuses) <= {200, 503}, statuses
    for _, _, status, retry_after, code in load.results:
        if status == 503:
            assert retry_after and int(retry_after) > 0
            assert code.startswith("redis_"), code
    assert service.worker_pids() == workers, "a worker died or was replaced"
    assert ready_after < 5 and check_after < 5, (ready_after, check_after)
    # nothing acknowledged is lost (AOF fsync always), nothing is half-written
    client = redis_srv.client()
    acknowledged = {r[1] for r in load.results if r[2] == 200}
    stored = {k.decode() for k in client.hkeys(PREFIX + "ids")}
    assert acknowledged <= stored
    assert_consistent(redis_srv.url, client)
    assert metric_value(service, "dedupe_redis_errors_total", kind="unavailable") >= 1
    print(
        f"\nkill: statuses={statuses}; after restart began: Redis up {redis_up:.2f}s, readyz 200 {ready_after:.2f}s,"
        f" first check 200 {check_after:.2f}s; workers {sorted(workers)} unchanged"
    )


def test_redis_restarted_empty_reinitialises_the_index(service, redis_srv):
    """Redis comes back without its data: /readyz notices and re-initialises; checks go on, on an empty index."""
    assert service.check("before", story(1)).status_code == 200
    redis_srv.kill()
    for f in redis_srv.workdir.glob("appendonly*"):
        f.unlink()
    restarted_at = time.monotonic()
    redis_srv.start()
    client = redis_srv.client()
    assert client.dbsize() == 0, client.keys()
    wait_for(lambda: service.request("GET", "/readyz").status_code == 200, timeout=10)
    took = time.monotonic() - restarted_at
    assert client.hget(PREFIX + "meta", "params"), "readyz did not re-initialise the index"
    assert "index is empty" in service.log()
    r = service.check("after", story(1))
    assert r.status_code == 200 and r.json()["duplicate"] is False  # "before" is gone: the index is empty
    assert service.check("after-copy", story(1)).json()["duplicate"] is True
    assert_consistent(redis_srv.url, client)
    print(f"\nempty restart: readyz 200 (index re-initialised) {took:.2f}s after restart began")


def test_service_with_other_parameters_is_refused_with_what_differs(service, redis_srv, start_service):
    """A second deployment with another shingle size on the same namespace: it refuses to start, saying why."""
    from dedupe.config import Settings

    assert service.check("a", story(1)).status_code == 200
    other = start_service(redis_srv.url, wait=False, DEDUPE_SHINGLE_SIZE="7")
    try:
        other.proc.wait(timeout=30)
    except Exception:
        pytest.fail("gunicorn with mismatched parameters kept running:\n" + other.log()[-2000:])
    assert other.proc.returncode != 0
    log = other.log()
    size = Settings().shingle_size
    assert "index parameters differ" in log and f"shingle: index '{size}', service '7'" in log, log[-2000:]
    # the running service is untouched
    assert service.check("b", story(2)).status_code == 200
    assert_consistent(redis_srv.url, redis_srv.client())


def test_mismatched_index_appearing_under_a_running_service_gives_clear_503(service, redis_srv):
    """The Redis behind a running service is swapped for one with another's index: 503 index_mismatch."""
    client = redis_srv.client()
    assert service.check("a", story(1)).status_code == 200
    params = client.hget(PREFIX + "meta", "params").decode()
    client.hset(PREFIX + "meta", "params", params.replace("perm=128", "perm=256"))
    r = service.check("b", story(2))
    assert r.status_code == 503 and r.headers.get("Retry-After")
    assert r.json()["error"]["code"] == "index_mismatch"
    assert "perm: index '256', service '128'" in r.json()["error"]["message"]
    ready = service.request("GET", "/readyz")
    assert ready.status_code == 503 and ready.json()["error"]["code"] == "index_mismatch"
    assert client.hget(PREFIX + "ids", "b") is None
    client.hset(PREFIX + "meta", "params", params)
    assert service.check("b", story(2)).status_code == 200


def test_redis_paused_gives_bounded_503s_and_a_metric(service, redis_srv):
    """CLIENT PAUSE (a slow Redis): each request gives up after about DEDUPE_REDIS_TIMEOUT_S, never hangs."""
    client = redis_srv.client()
    assert service.check("warm", story(1)).status_code == 200
    before = metric_value(service, "dedupe_redis_errors_total", kind="timeout")
    workers = service.worker_pids()
    client.execute_command("CLIENT", "PAUSE", 4000, "ALL")
    paused_at = time.monotonic()
    answers = []
    for i in range(4):
        started = time.monotonic()
        r = service.check(f"slow-{i}", story(100 + i), published_at="2026-01-01T00:00:00Z")
        answers.append(
            (r.status_code, r.headers.get("Retry-After"), r.json()["error"]["code"], time.monotonic() - started)
        )
    ready = service.request("GET", "/readyz")
    assert ready.status_code == 503
    for status, retry_after, code, took in answers:
        assert (status, code) == (503, "redis_timeout") and retry_after
        assert took < 2.0, took
    _, took = wait_for(lambda: service.check("after-pause", story(200)).status_code == 200, timeout=10)
    recovered = time.monotonic() - paused_at
    assert service.worker_pids() == workers
    assert metric_value(service, "dedupe_redis_errors_total", kind="timeout") >= before + 4
    # a check that timed out was not stored behind the client's back (its connection was dropped)
    time.sleep(0.2)
    assert all(client.hget(PREFIX + "ids", f"slow-{i}") is None for i in range(4))
    assert_consistent(redis_srv.url, client)
    print(f"\npause: answers {[round(a[3], 2) for a in answers]}s each, recovered {recovered:.2f}s after pause began")


def test_redis_full_gives_503_full_and_a_metric(service, redis_srv):
    """maxmemory reached with noeviction: writes get 503 redis_full, lookups still work, nothing half-written."""
    client = redis_srv.client()
    for i in range(5):
        assert service.check(f"pre-{i}", story(i)).status_code == 200
    used = int(client.info("memory")["used_memory"])
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", used // 2)
    try:
        answers = [service.check(f"full-{i}", story(300 + i)) for i in range(5)]
        for r in answers:
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "redis_full" and r.headers.get("Retry-After")
        look = service.check("look", story(1), index=False)
        assert look.status_code == 200 and look.json()["duplicate"] is True
        assert metric_value(service, "dedupe_redis_errors_total", kind="full") >= 5
        body, headers = signed_delivery(
            WEBHOOK_SECRET, {"type": "article.published", "data": {"id": "wh-full", "text": story(400)}}
        )
        r = service.request("POST", "/v1/webhooks/cms", data=body, headers=headers)
        assert r.status_code == 503, r.text
    finally:
        client.config_set("maxmemory", 0)
    assert_consistent(redis_srv.url, client)
    assert all(client.hget(PREFIX + "ids", f"full-{i}") is None for i in range(5))
    assert service.check("full-0", story(300)).status_code == 200
    r = service.request("POST", "/v1/webhooks/cms", data=body, headers=headers)
    assert r.status_code == 200, r.text


def _outage_events() -> list[tuple[str, dict]]:
    """Thirty deliveries: stories and their copies, updates and deletes (each with its event time)."""
    from .util import copy_of, event

    events = []
    for i in range(8):
        pub = f"2026-01-01T0{i}:00:00Z"
        events.append(("s", event("article.published", f"s{i}", i * 60, text=story(500 + i), published_at=pub)))
        events.append(("c", event("article.published", f"c{i}", i * 60 + 5, text=copy_of(story(500 + i), "Herald"),
                                  published_at=pub.replace(":00:00Z", ":30:00Z"))))  # fmt: skip
    for i in range(0, 8, 2):
        events.append(("u", event("article.updated", f"s{i}", 1000 + i, text=story(500 + i) + "\n\nUpdated: more.",
                                  title=f"s{i} v2", published_at=f"2026-01-01T0{i}:00:00Z")))  # fmt: skip
    for i in (1, 5):
        events.append(("d", event("article.deleted", f"c{i}", 2000 + i)))
    for i in range(8, 12):
        events.append(("s", event("article.published", f"s{i}", i * 60, text=story(500 + i),
                                  published_at=f"2026-01-01T{i:02d}:00:00Z")))  # fmt: skip
    return [(f"msg_outage_{n}", payload) for n, (_, payload) in enumerate(events)]


def test_webhooks_during_outage_get_non_2xx_and_retries_leave_the_same_index(service, redis_srv):
    """Deliveries while Redis is dead get 503; the CMS's retries (later, out of order, some twice) leave the
    index exactly as the same deliveries with no outage do (control: an in-process app, its own namespace)."""
    from dedupe.config import Settings
    from dedupe.web import create_app
    from dedupe.wiring import build_services
    from tests.helpers import deliver

    events = _outage_events()
    control_settings = Settings(redis_url=redis_srv.url, namespace="control", webhook_secrets=(WEBHOOK_SECRET,))
    control = create_app(control_settings, build_services(control_settings)).test_client()
    for msg_id, payload in events:
        assert deliver(control, WEBHOOK_SECRET, payload, msg_id=msg_id).status_code == 200
    expected = logical_state(redis_srv.client(), "dd:{control}:")

    def send(msg_id: str, payload: dict):
        body, headers = signed_delivery(WEBHOOK_SECRET, payload, msg_id=msg_id)  # each attempt signed anew
        return service.request("POST", "/v1/webhooks/cms", data=body, headers=headers)

    failed, answers = [], {}
    outage = range(10, 22)  # these are sent while Redis is down
    for n, (msg_id, payload) in enumerate(events):
        if n == outage.start:
            redis_srv.kill()
        if n == outage.stop:
            restarted = time.monotonic()
            redis_srv.start()
        r = send(msg_id, payload)
        if n in outage:
            assert r.status_code == 503 and r.headers.get("Retry-After"), r.text
            failed.append((msg_id, payload))
        else:
            assert r.status_code == 200, r.text
            answers[msg_id] = r.json()
    recovered = time.monotonic() - restarted
    # the CMS retries the failed ones (after the later ones: out of order), and redelivers some that succeeded
    for msg_id, payload in failed:
        _, _ = wait_for(lambda m=msg_id, p=payload: send(m, p).status_code == 200, timeout=10)
    for msg_id in list(answers)[:5]:
        payload = dict(events)[msg_id]
        r = send(msg_id, payload)
        assert r.status_code == 200 and r.json() == answers[msg_id]  # the stored answer, replayed
    client = redis_srv.client()
    assert logical_state(client) == expected
    assert_consistent(redis_srv.url, client)
    assert metric_value(service, "dedupe_webhook_deliveries_total", outcome="processed") == len(events)
    print(f"\nwebhook outage: {len(failed)} deliveries got 503, all retried OK; service answered {recovered:.2f}s "
          f"after restart began")  # fmt: skip

"""Logs: JSON lines with a request id on every line of a request, an access line per request, a startup line
that names the Redis (password masked), and gunicorn's own lines in the same format; its control socket."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dedupe import logs
from dedupe.config import Settings, SettingsError
from dedupe.store import embedded
from dedupe.web import create_app
from support import articles
from support.redis_server import free_port


def json_lines(text: str) -> list[dict]:
    """Every line of the service's stderr, each parsed as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "dedupe.access"]


def test_an_incoming_request_id_is_echoed_and_on_the_access_line(client, capsys):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": "cms-7f3a:42"})
    assert response.headers["X-Request-ID"] == "cms-7f3a:42"
    (line,) = access_lines(json_lines(capsys.readouterr().err))
    assert line["request_id"] == "cms-7f3a:42"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["endpoint"] == "/healthz"
    assert line["level"] == "INFO"
    assert 0 <= line["duration_ms"] < 5000
    assert "time" in line


def test_without_one_each_request_gets_a_new_id(client, capsys):
    capsys.readouterr()
    first = client.get("/v1/articles/nope")
    second = client.get("/v1/articles/nope")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert ids[0] != ids[1]
    lines = access_lines(json_lines(capsys.readouterr().err))
    assert [(line["request_id"], line["status"], line["endpoint"]) for line in lines] == [
        (ids[0], 404, "/v1/articles/<path:article_id>"),
        (ids[1], 404, "/v1/articles/<path:article_id>"),
    ]


@pytest.mark.parametrize("bad", ["x" * 200, "two words", "a\tb", "é"])
def test_an_unsafe_incoming_id_is_replaced(client, capsys, bad):
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    (line,) = access_lines(json_lines(capsys.readouterr().err))
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_requests_refused_early_still_have_an_id_and_an_access_line(make_app, capsys):
    client = make_app(api_keys=("k1",), max_body_bytes=2048).test_client()
    capsys.readouterr()
    unauthorized = client.post("/v1/check", json={"id": "a", "text": "x"}, headers={"X-Request-ID": "r-401"})
    too_large = client.post(
        "/v1/check", data="x" * 4096, headers={"Authorization": "Bearer k1", "Content-Type": "application/json"}
    )
    assert unauthorized.status_code == 401
    assert unauthorized.headers["X-Request-ID"] == "r-401"
    assert too_large.status_code == 413
    lines = access_lines(json_lines(capsys.readouterr().err))
    assert [(line["status"], line["request_id"]) for line in lines] == [
        (401, "r-401"),
        (413, too_large.headers["X-Request-ID"]),
    ]


def test_lines_logged_while_serving_carry_the_request_id(redis_client, capsys):
    # a Redis that is not there: the error handler logs a warning, inside the request
    settings = Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", namespace="test", redis_timeout_s=0.5)
    client = create_app(settings).test_client()
    capsys.readouterr()
    response = client.post("/v1/check", json={"id": "a", "text": articles.SEED}, headers={"X-Request-ID": "down-1"})
    assert response.status_code == 503
    lines = json_lines(capsys.readouterr().err)
    warnings = [line for line in lines if line["logger"] == "dedupe.web.errors"]
    assert warnings and all(line["request_id"] == "down-1" for line in warnings)
    assert warnings[0]["level"] == "WARNING"
    assert "redis unavailable" in warnings[0]["message"]
    assert access_lines(lines)[-1]["request_id"] == "down-1"


def test_the_startup_line_names_redis_with_its_password_masked(redis_server, redis_client, capsys):
    url = f"redis://dedupe:hunter2-secret@127.0.0.1:{redis_server.port}/0"
    capsys.readouterr()
    create_app(Settings(redis_url=url, namespace="startup-ns"))
    err = capsys.readouterr().err
    assert "hunter2" not in err
    (line,) = [line for line in json_lines(err) if line.get("event") == "startup"]
    assert line["redis"] == f"redis://dedupe:***@127.0.0.1:{redis_server.port}/0"
    assert line["namespace"] == "startup-ns"
    assert line["params"].startswith("scheme=") and "shingle=6;perm=128" in line["params"]
    assert line["data_dir"] is None
    assert line["request_id"] is None
    assert "redis://dedupe:***@" in line["message"] and "startup-ns" in line["message"]


def test_the_startup_line_names_the_embedded_redis_and_its_data_dir(tmp_path, capsys):
    data_dir = tmp_path / "data"
    try:
        capsys.readouterr()
        create_app(Settings(redis_url="", data_dir=str(data_dir), namespace="emb"))
        (line,) = [line for line in json_lines(capsys.readouterr().err) if line.get("event") == "startup"]
    finally:
        embedded.stop(str(data_dir))
    assert line["redis"].startswith(f"embedded (unix://{embedded.socket_path(str(data_dir))}")
    assert line["data_dir"] == str(data_dir)
    assert line["namespace"] == "emb"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://:pw@h:6379/0", "redis://:***@h:6379/0"),
        ("rediss://user:pw@h:6380/1", "rediss://user:***@h:6380/1"),
        ("redis://pw@h", "redis://***@h"),
        ("redis://h:6379/0?password=pw&socket_timeout=1", "redis://h:6379/0?password=***&socket_timeout=1"),
        ("redis://h:6379/0", "redis://h:6379/0"),
        ("unix:///data/redis.sock", "unix:///data/redis.sock"),
    ],
)
def test_mask_url(url, masked):
    assert logs.mask_url(url) == masked


def test_text_format_for_a_terminal(make_app, capsys):
    client = make_app(log_format="text").test_client()
    capsys.readouterr()
    client.get("/healthz", headers={"X-Request-ID": "t-1"})
    err = capsys.readouterr().err
    assert re.search(r"^\S+ \S+ INFO dedupe\.access \[t-1\] GET /healthz 200 [\d.]+ms$", err, re.M), err


def test_the_level_setting_is_applied(make_app, capsys):
    client = make_app(log_level="WARNING").test_client()
    capsys.readouterr()
    client.get("/healthz")
    assert access_lines(json_lines(capsys.readouterr().err)) == []


def test_configure_twice_leaves_one_handler():
    import logging

    logs.configure("INFO", "json")
    logs.configure("INFO", "json")
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_dedupe_handler", False)]
    assert len(ours) == 1


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"DEDUPE_LOG_LEVEL": "LOUD"}, "DEDUPE_LOG_LEVEL"),
        ({"DEDUPE_LOG_FORMAT": "xml"}, "DEDUPE_LOG_FORMAT"),
    ],
)
def test_bad_log_settings_are_refused(env, problem):
    with pytest.raises(SettingsError, match=problem):
        Settings.from_env(env)


# -- under gunicorn ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_gunicorn_instances_log_json_and_each_has_its_own_control_socket(tmp_path: Path, redis_server):
    from tests.reliability.harness import Service

    # a HOME where nothing can be created (as /app in the image, even for root here): gunicorn's default
    # control socket, $HOME/.gunicorn/gunicorn.ctl, would fail
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    services = [Service(tmp_path / f"svc{i}", redis_server.url, HOME=str(home)) for i in range(2)]
    try:
        for svc in services:
            svc.start()
        for i, svc in enumerate(services):
            assert svc.request("GET", "/healthz", headers={"X-Request-ID": f"gu-{i}"}).status_code == 200
    finally:
        for svc in services:
            svc.stop()
    sockets = []
    for i, svc in enumerate(services):
        lines = json_lines(svc.log())  # every line, gunicorn's own included, is JSON
        messages = [line["message"] for line in lines]
        failures = ("Control server error", "Failed to start control socket", "Permission denied")
        assert not [m for m in messages if any(f in m for f in failures)]
        (listening,) = [m for m in messages if m.startswith("Control socket listening at ")]
        sockets.append(listening.removeprefix("Control socket listening at "))
        assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
        assert len([line for line in lines if line.get("event") == "startup"]) == 2  # one per worker
        (access,) = [line for line in access_lines(lines) if line["request_id"] == f"gu-{i}"]
        assert (access["path"], access["status"]) == ("/healthz", 200)
    assert sockets[0] != sockets[1]
    assert not any(s.startswith(str(home)) for s in sockets)
    assert not any(Path(s).exists() for s in sockets)  # removed with the instance

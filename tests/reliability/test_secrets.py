"""Secrets: compared in constant time by the library, never logged, several accepted at once for rotation."""

from __future__ import annotations

import inspect
import logging

import pytest

from dedupe import api
from tests.helpers import deliver, signed_delivery

from .conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_2
from .util import event, story

OTHER_SECRET = "whsec_dGhpcmQtc2VjcmV0LW5vdC1jb25maWd1cmVk"
API_KEYS = ("key-current-5f1c0e", "key-next-9a7b21")


def test_comparisons_are_constant_time_library_calls():
    from standardwebhooks import webhooks

    assert "hmac.compare_digest" in inspect.getsource(api._authenticate)
    assert "hmac.compare_digest" in inspect.getsource(webhooks.Webhook.verify)


def test_two_webhook_secrets_are_accepted_at_once_for_rotation(make_app):
    client = make_app(webhook_secrets=(WEBHOOK_SECRET, WEBHOOK_SECRET_2)).test_client()
    for n, secret in enumerate((WEBHOOK_SECRET, WEBHOOK_SECRET_2)):
        r = deliver(client, secret, event("article.published", f"rot-{n}", n, text=story(1200 + n)))
        assert r.status_code == 200, r.get_data(as_text=True)
    assert deliver(client, OTHER_SECRET, event("article.deleted", "rot-0", 9)).status_code == 401
    body, headers = signed_delivery(WEBHOOK_SECRET, event("article.deleted", "rot-0", 9))
    headers["webhook-signature"] = headers["webhook-signature"][:-4] + "AAA="  # tampered
    assert client.post("/v1/webhooks/cms", data=body, headers=headers).status_code == 401
    # after rotation only the new secret is configured: the old one is refused
    rotated = make_app(webhook_secrets=(WEBHOOK_SECRET_2,)).test_client()
    assert deliver(rotated, WEBHOOK_SECRET, event("article.deleted", "rot-1", 9)).status_code == 401


def test_two_api_keys_are_accepted_at_once(make_app):
    client = make_app(api_keys=API_KEYS).test_client()
    for key in API_KEYS:
        r = client.post("/v1/check", json={"id": key, "text": story(1300)}, headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 200
    for header in ("Bearer nope", "Bearer " + API_KEYS[0][:-1], "Basic " + API_KEYS[0], ""):
        assert client.get("/v1/articles/x", headers={"Authorization": header}).status_code == 401


def test_secrets_are_never_logged(make_app, caplog):
    """Wrong keys, wrong signatures, a Redis failure and an unexpected error: no secret or presented token
    reaches the log."""
    caplog.set_level(logging.DEBUG)
    app = make_app(api_keys=API_KEYS, webhook_secrets=(WEBHOOK_SECRET,), redis_url="redis://127.0.0.1:1/0",
                   redis_timeout_s=0.2)  # fmt: skip
    client = app.test_client()
    presented = "Bearer stolen-token-31337"
    client.get("/v1/articles/x", headers={"Authorization": presented})
    client.post("/v1/check", json={"id": "a", "text": story(1)}, headers={"Authorization": f"Bearer {API_KEYS[0]}"})
    deliver(client, OTHER_SECRET, event("article.deleted", "x", 0))
    deliver(client, WEBHOOK_SECRET, event("article.deleted", "x", 0))  # valid, Redis down: 503, logged
    assert "redis" in caplog.text.lower()  # something was logged
    for secret in (*API_KEYS, WEBHOOK_SECRET, WEBHOOK_SECRET.removeprefix("whsec_"), OTHER_SECRET, "stolen-token"):
        assert secret not in caplog.text


@pytest.mark.slow
def test_live_service_log_holds_no_secret(redis_srv, start_service):
    svc = start_service(redis_srv.url, GUNICORN_ACCESSLOG="-", DEDUPE_API_KEYS=",".join(API_KEYS))
    svc.request("GET", "/v1/articles/x", headers={"Authorization": "Bearer stolen-token-31337"})
    svc.request("POST", "/v1/check", json={"id": "a", "text": story(1)},
                headers={"Authorization": f"Bearer {API_KEYS[1]}"})  # fmt: skip
    body, headers = signed_delivery(OTHER_SECRET, event("article.deleted", "x", 0))
    svc.request("POST", "/v1/webhooks/cms", data=body, headers=headers)
    redis_srv.kill()
    body, headers = signed_delivery(WEBHOOK_SECRET, event("article.deleted", "x", 0))
    assert svc.request("POST", "/v1/webhooks/cms", data=body, headers=headers).status_code == 503
    svc.stop()
    log = svc.log()
    assert "/v1/webhooks/cms" in log  # the access log is on
    for secret in (*API_KEYS, WEBHOOK_SECRET.removeprefix("whsec_"), WEBHOOK_SECRET_2.removeprefix("whsec_"),
                   "stolen-token"):  # fmt: skip
        assert secret not in log

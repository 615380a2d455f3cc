"""Secrets: compared in constant time by hmac.compare_digest, never logged, several accepted at once for rotation."""

from __future__ import annotations

import base64
import hmac
import logging

import pytest

from tests.helpers import deliver, signed_delivery

from .conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_2
from .util import event, story

OTHER_SECRET = "whsec_dGhpcmQtc2VjcmV0LW5vdC1jb25maWd1cmVk"
API_KEYS = ("key-current-5f1c0e", "key-next-9a7b21")


class CompareSpy:
    """Stands in for hmac.compare_digest: records each comparison, answers as the real one (or as forced)."""

    def __init__(self, forced: bool | None = None) -> None:
        self.calls: list[tuple[bytes, bytes]] = []
        self.forced = forced

    def __call__(self, a, b) -> bool:
        self.calls.append((bytes(a), bytes(b)))
        return REAL_COMPARE(a, b) if self.forced is None else self.forced


REAL_COMPARE = hmac.compare_digest


def spy_on_compare(monkeypatch, forced: bool | None = None) -> CompareSpy:
    spy = CompareSpy(forced)
    monkeypatch.setattr(hmac, "compare_digest", spy)  # the module attribute both the app and the library call
    return spy


def test_api_key_is_compared_with_every_configured_key_by_compare_digest(make_app, monkeypatch):
    """Right keys pass and wrong ones (same length, shorter, longer) are refused, each after one constant-time
    comparison with every configured key: no early exit tells which key matched, and no other comparison
    decides (forced answers of compare_digest are obeyed)."""
    client = make_app(api_keys=API_KEYS).test_client()
    same_length = API_KEYS[0][:-1] + ("x" if API_KEYS[0][-1] != "x" else "y")
    presented = {API_KEYS[0]: 200, API_KEYS[1]: 200, same_length: 401, API_KEYS[0][:5]: 401, API_KEYS[1] + "0": 401}
    assert len(same_length) == len(API_KEYS[0])
    for token, status in presented.items():
        spy = spy_on_compare(monkeypatch)
        response = client.get("/v1/articles/x", headers={"Authorization": f"Bearer {token}"})
        expected = 404 if status == 200 else 401  # past the key check, the article is unknown
        assert response.status_code == expected, (token, response.get_data(as_text=True))
        assert sorted(spy.calls) == sorted((token.encode(), key.encode()) for key in API_KEYS), token
    # compare_digest alone decides: made to say "no", the right key is refused; made to say "yes", a wrong one passes
    spy_on_compare(monkeypatch, forced=False)
    assert client.get("/v1/articles/x", headers={"Authorization": f"Bearer {API_KEYS[0]}"}).status_code == 401
    spy_on_compare(monkeypatch, forced=True)
    assert client.get("/v1/articles/x", headers={"Authorization": f"Bearer {same_length}"}).status_code == 404


def test_webhook_signature_is_compared_by_compare_digest_for_every_secret(make_app, monkeypatch):
    """A signature from an unknown secret is compared, in constant time, with each configured secret's before
    it is refused; a right one is accepted; and compare_digest's answer alone decides."""
    client = make_app(webhook_secrets=(WEBHOOK_SECRET, WEBHOOK_SECRET_2)).test_client()
    payload = event("article.deleted", "cmp-0", 1)
    spy = spy_on_compare(monkeypatch)
    body, headers = signed_delivery(OTHER_SECRET, payload)
    assert client.post("/v1/webhooks/cms", data=body, headers=headers).status_code == 401
    presented = base64.b64decode(headers["webhook-signature"].removeprefix("v1,"))
    assert [b for _, b in spy.calls] == [presented, presented]  # once per configured secret
    expected = {a for a, _ in spy.calls}
    assert len(expected) == 2 and presented not in expected  # each secret's own signature, neither the presented
    for secret in (WEBHOOK_SECRET, WEBHOOK_SECRET_2):
        spy = spy_on_compare(monkeypatch)
        assert deliver(client, secret, payload).status_code == 200
        assert spy.calls and REAL_COMPARE(*spy.calls[-1])  # the last comparison is the one that matched
    spy_on_compare(monkeypatch, forced=False)
    assert deliver(client, WEBHOOK_SECRET, payload).status_code == 401
    spy_on_compare(monkeypatch, forced=True)
    assert deliver(client, OTHER_SECRET, payload).status_code == 200


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

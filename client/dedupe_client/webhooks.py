"""Standard Webhooks signing (https://www.standardwebhooks.com/), as the service's CMS webhook verifies it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from datetime import datetime


def sign_webhook(
    secret: str, body: str | bytes, *, msg_id: str | None = None, timestamp: datetime | float | None = None
) -> dict[str, str]:
    """The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers for `body`, signed with `secret`
    (`whsec_` and base64, as DEDUPE_WEBHOOK_SECRET holds it): v1, base64 HMAC-SHA256 of `id.timestamp.body`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    if isinstance(timestamp, datetime):
        timestamp = timestamp.timestamp()
    seconds = str(int(time.time() if timestamp is None else timestamp))
    payload = body.encode() if isinstance(body, str) else body
    digest = hmac.new(key, f"{msg_id}.{seconds}.".encode() + payload, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": seconds,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }

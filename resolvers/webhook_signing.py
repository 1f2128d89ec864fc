"""Standard Webhooks signatures (https://www.standardwebhooks.com): `whsec_` secrets, HMAC-SHA256 over
"{webhook-id}.{webhook-timestamp}.{body}", one `v1,<base64>` per live secret in `webhook-signature`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(signing_secrets: Iterable[str], message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """The three headers of one attempt; during a rotation both secrets sign, so receivers on either work."""
    timestamp = int(sent_at.timestamp())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in signing_secrets),
    }

"""Secrets handed to clients (session, reset, later invitation and API tokens).

Tokens carry ≥256 random bits, so a fast keyed hash is enough at rest: a stolen
table is useless without the server's secret key, and lookups stay one index probe.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(secret_key: str, token: str) -> bytes:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).digest()

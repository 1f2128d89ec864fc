"""Secrets the gateway must be able to read back (webhook signing secrets), encrypted at rest.

A signing secret cannot be stored as a hash: every delivery signs with it. It is sealed with AES-256-GCM
under a key derived from GATEWAY_SECRET_KEY (HKDF-SHA256, one key per purpose), with the owning row's id as
associated data, so a copied table is useless without the server's key and a ciphertext moved to another
row does not open. `cryptography` implements both; nothing here is hand-rolled.
"""

from __future__ import annotations

import os
import uuid
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
VERSION = b"\x01"  # the first byte names the scheme, so a later one can be told apart


@lru_cache(maxsize=8)
def _cipher(secret_key: str, purpose: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(secret_key.encode())
    return AESGCM(key)


def seal(secret_key: str, purpose: str, owner: uuid.UUID, plaintext: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + _cipher(secret_key, purpose).encrypt(nonce, plaintext.encode(), owner.bytes)


def unseal(secret_key: str, purpose: str, owner: uuid.UUID, sealed: bytes) -> str:
    """The plaintext; raises `cryptography.exceptions.InvalidTag` if the key, the owner or the bytes differ."""
    if sealed[:1] != VERSION:
        raise ValueError("unknown sealing scheme")
    nonce, ciphertext = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    return _cipher(secret_key, purpose).decrypt(nonce, ciphertext, owner.bytes).decode()

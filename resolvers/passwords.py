from __future__ import annotations

import asyncio
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from gateway.i18n import Text, text

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3
# zxcvbn refuses inputs over 72 characters (its cost grows fast); a longer password is scored by its start.
SCORED_PREFIX = 72

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
# Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-same-cost")


@dataclass(frozen=True, slots=True)
class PolicyViolation:
    code: str
    message: str | Text


def check_policy(password: str, email: str, full_name: str = "") -> PolicyViolation | None:
    if len(password) < MIN_LENGTH:
        return PolicyViolation(
            "PASSWORD_TOO_SHORT", text("The password must be at least {count} characters.", count=MIN_LENGTH)
        )
    if len(password) > MAX_LENGTH:
        return PolicyViolation(
            "PASSWORD_TOO_LONG", text("The password must be at most {count} characters.", count=MAX_LENGTH)
        )
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 3 and local_part in password.lower():
        return PolicyViolation("PASSWORD_CONTAINS_EMAIL", "The password must not contain your email address.")
    user_inputs = [email, local_part, *full_name.split()]
    result = zxcvbn(password[:SCORED_PREFIX], user_inputs=user_inputs)
    if result["score"] < MIN_SCORE:
        # zxcvbn's own hints are English only: the advice is ours, in the reader's language.
        return PolicyViolation(
            "PASSWORD_TOO_GUESSABLE",
            "The password is too easy to guess: add more words or characters that are hard to guess.",
        )
    return None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)

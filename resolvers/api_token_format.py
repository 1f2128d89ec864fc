"""What an API token looks like: a type prefix, a random body and a checksum, as GitHub's tokens are.

`gwp_` (personal access token) or `gwo_` (organization integration token), then 43 base62 characters of
randomness (256 bits) and 6 base62 characters of CRC32 over everything before them. Secret scanners find
them with `\\bgw[po]_[0-9A-Za-z]{49}\\b`; the checksum lets them (and the gateway, before any lookup) tell a
real token from a look-alike.
"""

from __future__ import annotations

import re
import secrets
import string
import zlib

from permissions.principal import TokenKind

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
PREFIXES = {TokenKind.PERSONAL: "gwp", TokenKind.INTEGRATION: "gwo"}
KINDS = {prefix: kind for kind, prefix in PREFIXES.items()}
BODY_LENGTH = 43  # 62**43 > 2**256
CHECKSUM_LENGTH = 6  # 62**6 > 2**32
PATTERN = re.compile(r"^(gw[po])_([0-9A-Za-z]{%d})$" % (BODY_LENGTH + CHECKSUM_LENGTH))  # noqa: UP031
SCANNER_REGEX = r"\bgw[po]_[0-9A-Za-z]{49}\b"


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, ALPHABET[0])


def checksum(head: str) -> str:
    return base62(zlib.crc32(head.encode()), CHECKSUM_LENGTH)


def new_secret(kind: TokenKind) -> str:
    head = f"{PREFIXES[kind]}_" + "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return head + checksum(head)


def kind_of(token: str) -> TokenKind | None:
    """The kind a well-formed token with a valid checksum names; None for anything else."""
    found = PATTERN.match(token)
    if found is None:
        return None
    head, check = token[:-CHECKSUM_LENGTH], token[-CHECKSUM_LENGTH:]
    if not secrets.compare_digest(checksum(head), check):
        return None
    return KINDS[found.group(1)]


def looks_like_api_token(token: str) -> bool:
    """By prefix only: whether a bearer token is meant as an API token (not a login session)."""
    return token.startswith(tuple(f"{p}_" for p in KINDS))

"""What each kind of product needs to be configured, and how each value is checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from gateway.i18n import N_
from resolvers import domains
from resolvers.emails import normalize_email

_SSH_KEY = re.compile(
    r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384) [A-Za-z0-9+/=]{40,}( .{0,100})?$"
)


def _hostname(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    parsed = domains.parse_domain(value)
    return None if isinstance(parsed, domains.DomainProblem) else parsed.ascii


def _choice(*options: str) -> Callable[[Any], str | None]:
    return lambda value: value if value in options else None


def _text(limit: int) -> Callable[[Any], str | None]:
    return lambda value: value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= limit else None


def _email(value: Any) -> str | None:
    return normalize_email(value) if isinstance(value, str) else None


def _ssh_key(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and _SSH_KEY.match(value.strip()) else None


# kind -> setting -> (check returning the clean value or None, what a good value looks like)
REQUIRED: dict[str, dict[str, tuple[Callable[[Any], Any], str]]] = {
    "HOSTING": {
        "domain": (_hostname, N_("Enter the site's domain name.")),
        "phpVersion": (_choice("8.1", "8.2", "8.3"), N_("Choose PHP 8.1, 8.2 or 8.3.")),
    },
    "WORDPRESS_HOSTING": {
        "domain": (_hostname, N_("Enter the site's domain name.")),
        "siteTitle": (_text(120), N_("Enter a title of at most 120 characters.")),
        "adminEmail": (_email, N_("Enter the administrator's email address.")),
    },
    "SERVER": {
        "hostname": (_hostname, N_("Enter a fully qualified host name.")),
        "os": (
            _choice("debian-12", "ubuntu-24.04", "rocky-9", "windows-2022"),
            N_("Choose debian-12, ubuntu-24.04, rocky-9 or windows-2022."),
        ),
        "sshPublicKey": (_ssh_key, N_("Enter an OpenSSH public key (ed25519, rsa or ecdsa).")),
    },
    "MAIL": {"domain": (_hostname, N_("Enter the mail domain."))},
    "SSL": {"commonName": (_hostname, N_("Enter the host name the certificate is for."))},
}


def check(kind: str, settings: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The cleaned settings, and (setting, what it should be) for each missing or wrong one."""
    wanted = REQUIRED.get(kind, {})
    clean: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, (validate, expected) in wanted.items():
        value = validate(settings.get(name))
        if value is None:
            problems.append((name, expected))
        else:
            clean[name] = value
    unknown = sorted(set(settings) - set(wanted))
    problems += [(name, N_("This is not a setting of this product.")) for name in unknown]
    return clean, problems

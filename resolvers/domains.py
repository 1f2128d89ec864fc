"""Domain names as customers type them: IDNA, lengths, label rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

import idna

from gateway.i18n import Text

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class DomainName:
    ascii: str  # what registries and DNS use (xn-- labels)
    unicode: str  # what people read
    tld: str

    @property
    def second_level(self) -> bool:
        return self.ascii.count(".") == 1


@dataclass(frozen=True, slots=True)
class DomainProblem:
    code: str
    message: str | Text


def parse_domain(raw: str) -> DomainName | DomainProblem:
    name = raw.strip().rstrip(".").lower()
    if not name or " " in name:
        return DomainProblem("DOMAIN_INVALID", "Enter a domain name such as example.it.")
    if len(name) > 253:
        return DomainProblem("DOMAIN_TOO_LONG", "A domain name is at most 253 characters.")
    if any(len(label) > 63 for label in name.split(".")):
        return DomainProblem("DOMAIN_LABEL_TOO_LONG", "Each part of a domain name is at most 63 characters.")
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
        unicode_name = idna.decode(ascii_name)
    except idna.IDNAError:
        return DomainProblem("DOMAIN_INVALID", "This is not a valid domain name (letters, digits and hyphens).")
    if len(ascii_name) > 253:
        return DomainProblem("DOMAIN_TOO_LONG", "A domain name is at most 253 characters.")
    labels = ascii_name.split(".")
    if len(labels) < 2:
        return DomainProblem("DOMAIN_INVALID", "Include the extension, e.g. example.it.")
    for label in labels:
        if len(label) > 63:
            return DomainProblem("DOMAIN_LABEL_TOO_LONG", "Each part of a domain name is at most 63 characters.")
        if not _LABEL.match(label):
            return DomainProblem(
                "DOMAIN_INVALID", "Each part uses letters, digits and inner hyphens, and cannot start or end with '-'."
            )
        if label[2:4] == "--" and not label.startswith("xn--"):
            return DomainProblem("DOMAIN_INVALID", "Hyphens in the third and fourth position are reserved.")
    return DomainName(ascii=ascii_name, unicode=unicode_name, tld=labels[-1])


def display_name(name: str) -> str:
    """A stored name as people read it: every IDNA (xn--) domain in it in Unicode."""
    if "xn--" not in name:
        return name
    words = []
    for word in name.split(" "):
        try:
            words.append(idna.decode(word) if "xn--" in word else word)
        except idna.IDNAError:
            words.append(word)
    return " ".join(words)


def ascii_form(term: str) -> str | None:
    """The ASCII (xn--) form of a search term typed in Unicode, or None when it has none."""
    if term.isascii():
        return None
    try:
        return idna.encode(term.strip().rstrip(".").lower(), uts46=True).decode("ascii")
    except idna.IDNAError:
        return None

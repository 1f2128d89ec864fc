from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalize_email(raw: str) -> str | None:
    """The canonical form stored and compared (case-insensitive), or None when not an address."""
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return info.normalized.lower()

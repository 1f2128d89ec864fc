"""What every `gateway` command shares: its failure, and reading the ids people paste."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any


class CommandError(Exception):
    """The command could not do what was asked: its message is printed as one line, and the exit status is 1."""


def object_id(value: str, type_name: str) -> uuid.UUID:
    """A UUID, or the API's global id of a `type_name` (what `id` answers in GraphQL)."""
    # Imported here: the schema is heavy, and `gateway --version` or a usage error should not wait for it.
    from schema.common import decode_id

    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    found = decode_id(value.strip(), type_name)
    if found is None:
        raise CommandError(f"{value!r} is neither a UUID nor a global id of type {type_name}")
    return found


def id_argument(type_name: str) -> Callable[[str], uuid.UUID]:
    """For argparse: `object_id`, so a bad id is refused before anything starts."""

    def parse(value: str) -> uuid.UUID:
        try:
            return object_id(value, type_name)
        except CommandError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def aware_datetime(value: str) -> datetime:
    """For argparse: an ISO date-time with its UTC offset (times are never local)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO date-time, e.g. 2026-01-01T00:00+00:00") from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} has no UTC offset, e.g. 2026-01-01T00:00+00:00")
    return parsed


def refused(outcome: Any) -> Any:
    """The value of a resolver's `Outcome`, or its first problem as the command's failure (in English)."""
    if not outcome.ok:
        raise CommandError(outcome.problems[0].render("en"))
    return outcome.value

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """The one source of "now"; tests hand the app a clock they can move."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock(Clock):
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when

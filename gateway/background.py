"""Periodic work inside `gateway serve`: mail delivery and the time-driven jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def every(seconds: float, name: str, work: Callable[[], Awaitable[object]]) -> None:
    """Run `work` forever, `seconds` apart; a failing round is logged and the next one runs anyway."""
    while True:
        try:
            await work()
        except Exception:
            log.exception("background round failed", extra={"task": name})
        await asyncio.sleep(seconds)

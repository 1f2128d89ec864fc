from __future__ import annotations

import calendar
from datetime import datetime


def add_months(when: datetime, months: int) -> datetime:
    """Same day and time `months` later; the 31st becomes the month's last day when it has fewer."""
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)

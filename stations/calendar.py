"""Calendar arithmetic every app shares: terms in years and months (Asia/Shanghai dates)."""

from __future__ import annotations

import calendar
import datetime


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (or earlier); 29 February becomes 1 March, so that a
    term from 29 February 2024 to 28 February 2027 is exactly three years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return datetime.date(day.year + years, 3, 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), or the month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))

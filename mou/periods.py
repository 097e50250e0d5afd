"""Reporting periods: ``2026``, ``2026-H1``, ``2026-Q3``, ``2026-07`` or an event's date.

A frequency is the model's value (``annual``, ``semiannual``, ``quarterly``, ``monthly``,
``per_event``; the model's enumeration compares equal to these strings). This module
imports nothing heavy, so `mou due` starts without pydantic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    "annual": (re.compile(r"^(\d{4})$"), "a year such as 2026"),
    "semiannual": (re.compile(r"^(\d{4})-H([12])$"), "a half-year such as 2026-H1"),
    "quarterly": (re.compile(r"^(\d{4})-Q([1-4])$"), "a quarter such as 2026-Q3"),
    "monthly": (re.compile(r"^(\d{4})-(\d{2})$"), "a month such as 2026-07"),
    "per_event": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "a date such as 2026-07-14"),
}
FREQUENCIES = tuple(_FORMS)
CALENDAR = 1  # a year beginning in January
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)  # fmt: skip  (as the model's Month writes them: not the locale's names)
_ONE_DAY = dt.timedelta(days=1)
_MONTHS_PER_PART = {"semiannual": 6, "quarterly": 3, "monthly": 1}


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: its first and last day, and how it is written."""

    start: dt.date
    end: dt.date
    text: str


@lru_cache(maxsize=4096)  # `mou due` asks the same periods of thousands of agreements
def parse_period(text: str, frequency: str, year_starts: int = CALENDAR) -> Period:
    """The period ``text`` names; ValueError saying what fits ``frequency`` if it is none.

    A year (``annual``) is a fiscal year beginning on the 1st of month ``year_starts``
    and named by the calendar year it ends in: with 10, "2027" is 2026-10-01 to
    2027-09-30. Halves, quarters and months are always calendar ones.
    """
    pattern, example = _FORMS[frequency]
    match = pattern.match(text)
    if match is None:
        article = "an" if frequency == "annual" else "a"
        raise ValueError(f"{text!r} is not {article} {frequency} period: give {example}")
    parts = [int(part) for part in match.groups()]
    try:
        start, end = _bounds(frequency, parts, year_starts)
    except ValueError:
        raise ValueError(f"{text!r} is no such {frequency} period") from None
    if not 1900 <= start.year <= 2200:
        raise ValueError(f"{text!r}: the year must lie between 1900 and 2200")
    return Period(start, end, text)


def parse_any_period(text: str) -> Period:
    """A period written in any frequency's form (for a report "through" it); ValueError."""
    for frequency in _FORMS:
        if _FORMS[frequency][0].match(text):
            return parse_period(text, frequency)
    raise ValueError(f"{text!r} is not a period: give 2026, 2026-H1, 2026-Q3, 2026-07 or a date")


def _bounds(frequency: str, parts: list[int], year_starts: int) -> tuple[dt.date, dt.date]:
    year = parts[0]
    if frequency == "annual":
        if year_starts == CALENDAR:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        return dt.date(year - 1, year_starts, 1), dt.date(year, year_starts, 1) - _ONE_DAY
    if frequency == "per_event":
        day = dt.date(year, parts[1], parts[2])
        return day, day
    months = _MONTHS_PER_PART[frequency]
    first = (parts[1] - 1) * months + 1
    if not 1 <= first <= 12:
        raise ValueError(first)
    last = first + months - 1
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


@lru_cache(maxsize=4096)
def period_containing(day: dt.date, frequency: str, year_starts: int = CALENDAR) -> Period:
    """The period of ``frequency`` that ``day`` falls in (the day itself for per-event);
    a year begins on the 1st of month ``year_starts`` (see :func:`parse_period`)."""
    if frequency == "annual":
        ends_in = day.year + (1 if year_starts != CALENDAR and day.month >= year_starts else 0)
        return parse_period(f"{ends_in}", frequency, year_starts)
    if frequency == "per_event":
        return parse_period(day.isoformat(), frequency)
    part = (day.month - 1) // _MONTHS_PER_PART[frequency] + 1
    text = {
        "semiannual": f"{day.year}-H{part}",
        "quarterly": f"{day.year}-Q{part}",
        "monthly": f"{day.year}-{day.month:02d}",
    }[frequency]
    return parse_period(text, frequency)


def year_start(month: object) -> int:
    """The month number a fiscal year named by ``month`` ("october") begins in; January
    for anything else (no fiscal year stated)."""
    return MONTH_NAMES.index(month) + 1 if month in MONTH_NAMES else CALENDAR

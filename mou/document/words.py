"""Words the document is written in: paragraphs, figures, amounts, lettered lists.

Shared by the context builders (:mod:`mou.document.context`, :mod:`mou.document.money`)
so that every article writes a figure, an amount or a list the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .marks import shown_like

FREQUENCY = {
    "monthly": "monthly",
    "quarterly": "quarterly",
    "semiannual": "twice a year",
    "annual": "annually",
    "per_event": "after each event",
}


def text(value: str) -> str:
    """User text with Windows and old-Mac line endings turned into plain line breaks."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def paras(*values: str | None) -> list[str]:
    """Paragraphs of one or more texts: a blank line separates paragraphs."""
    return [p for v in values if v is not None for p in text(v).split("\n\n")]


def number(value: float | int) -> str:
    """A figure as a person writes it: 1,250 or 12.5, never 1250.0."""
    figure = Decimal(repr(value))  # repr: a marked integer's str carries its marks
    if figure == figure.to_integral_value():
        return shown_like(value, f"{int(figure):,}")
    return shown_like(value, f"{figure:,f}".rstrip("0"))


def money(value: float | None) -> str:
    """US dollars: $1,250,000 or $1,250.50."""
    if value is None:
        return "—"
    return "$" + shown_like(value, f"{float(value):,.2f}".removesuffix(".00"))


def percent(value: float) -> str:
    """A share: 33.33%."""
    return f"{number(value)}%"


def label(value: str) -> str:
    """An enum value as words: special_district → Special district."""
    return value.replace("_", " ").capitalize()


def clause(heading: str | None, *paragraphs: str | None) -> dict[str, Any]:
    """A clause: its heading (None for an unheaded one) and its paragraphs."""
    return {"heading": heading, "paras": paras(*paragraphs)}


def join(names: list[str]) -> str:
    """Names in a sentence: A, B and C."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def letter(index: int) -> str:
    """The letter of item ``index`` (from 0) in a lettered list: a, b, … z, aa, … zz, aaa …

    Two letters ran out after zz (703 items of one party), which failed every export.
    """
    letters = "abcdefghijklmnopqrstuvwxyz"
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = letters[rest] + name
    return name


def lettered(clauses: Iterable[Any]) -> list[str]:
    """Clause texts as a lettered list: (a) …, (b) …"""
    return [f"({letter(i)}) {c.text}" for i, c in enumerate(clauses)]

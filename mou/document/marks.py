"""Invisible marks around the text a field produces, so a render can say where each field is.

A marked render (:mod:`mou.document.spans`) gives every field value an opening mark (a
private-use character that numbers the field) and a closing mark. Text keeps its marks
through the context's f-strings; numbers and dates are wrapped in marked subclasses whose
formatting adds the marks. Nothing here changes a render without marks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

CLOSE = "\ue000"
FIRST = 0xE100  # opening marks are FIRST + field number, up to LAST
LAST = 0xF8FF


def opening(index: int) -> str:
    """The opening mark of field ``index``."""
    if FIRST + index > LAST:
        raise ValueError(f"too many fields to mark ({index})")
    return chr(FIRST + index)


def is_opening(char: str) -> bool:
    """Whether ``char`` opens a field."""
    return FIRST <= ord(char) <= LAST


def shown_like(value: Any, shown: str) -> str:
    """``shown`` (how ``value`` reads in the document) inside ``value``'s marks, if it has any."""
    mark = getattr(value, "mou_mark", None)
    return shown if mark is None else f"{mark}{shown}{CLOSE}"


class MarkedInt(int):
    """An integer field that reads, wherever it is formatted, between its marks."""

    mou_mark: str

    def __format__(self, spec: str) -> str:
        return shown_like(self, int.__format__(int(self), spec))

    def __str__(self) -> str:
        return shown_like(self, int.__repr__(int(self)))


class MarkedFloat(float):
    """A figure field; ``str`` stays plain (the context parses it), formatting is marked."""

    mou_mark: str

    def __format__(self, spec: str) -> str:
        return shown_like(self, float.__format__(float(self), spec))


class MarkedDate(dt.date):
    """A date field that reads between its marks when formatted."""

    mou_mark: str

    def __format__(self, spec: str) -> str:
        return shown_like(self, dt.date.__format__(dt.date(self.year, self.month, self.day), spec))


def marked(value: Any, index: int, kind: str) -> Any:
    """``value`` carrying the marks of field ``index``; ``kind`` is text, integer, number
    or date (the field's type: a figure field may hold a whole number)."""
    mark = opening(index)
    if kind == "text":
        return f"{mark}{value}{CLOSE}"
    wrapped: Any
    if kind == "integer":
        wrapped = MarkedInt(value)
    elif kind == "number":
        wrapped = MarkedFloat(value)
    else:
        wrapped = MarkedDate(value.year, value.month, value.day)
    wrapped.mou_mark = mark
    return wrapped

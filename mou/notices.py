"""Notices: one-line remarks for the user that are not problems (nothing failed).

A loader that reads an older file says so here rather than printing: the front end
that asked decides where such lines go (the CLI prints them on standard error once
each; elsewhere they are dropped). Collection is per context, so concurrent wizard
sessions and worker threads never see each other's notices.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_collected: ContextVar[list[str] | None] = ContextVar("mou_notices", default=None)


def notice(text: str) -> None:
    """Record ``text`` for whoever is collecting; the same line is kept once."""
    lines = _collected.get()
    if lines is not None and text not in lines:
        lines.append(text)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect the notices recorded inside the block into the list it yields."""
    lines: list[str] = []
    token = _collected.set(lines)
    try:
        yield lines
    finally:
        _collected.reset(token)


@contextmanager
def suppressed() -> Iterator[None]:
    """Drop the notices recorded inside the block (a command that acts on them itself)."""
    token = _collected.set(None)
    try:
        yield
    finally:
        _collected.reset(token)

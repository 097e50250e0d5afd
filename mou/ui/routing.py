"""Where the pages live and how to move between them, without knowing any page's code.

The app module (:mod:`mou.ui.app`) lists the pages, in order, and hands the list to
:func:`register` on every run; a page moves on with :func:`go` and finds its Back and
Next with :func:`neighbours`, both by URL slug. So pages never import one another and
nothing here imports a page. The cost: only pages the app registered can be reached,
so a page function run on its own cannot move on.

Streamlit's ``st.switch_page`` needs an ``st.Page`` equal to the one given to
``st.navigation``; pages are identified by their URL slug, so one built again from the
same slug is that page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Route:
    """A page's address and label: URL slug, title and icon."""

    slug: str
    title: str
    icon: str


AGREEMENTS = Route("agreements", "Agreements", ":material/folder_open:")
REVIEW = Route("review", "Review and save", ":material/fact_check:")
HISTORY = Route("history", "History", ":material/history:")
EXPORT = Route("export", "Export", ":material/download:")
INTAKE = Route("returned-copy", "Partner's returned copy", ":material/move_to_inbox:")
SIGNATURES = Route("signatures", "Signatures", ":material/signature:")
MEASUREMENTS = Route("measurements", "Measurements", ":material/monitoring:")
DASHBOARD = Route("dashboard", "Dashboard", ":material/dashboard:")

Entry = tuple[Route, Callable[[], None]]
"""A page: its route and the function that draws it."""

# One assignment per run, so a session reading it never sees it half filled.
_REGISTERED: dict[str, tuple[Entry, tuple[Entry, ...]]] = {}


def register(
    home: Entry, sections: Mapping[str, Sequence[Entry]], beside: Sequence[Entry] = ()
) -> dict[str, list[st.Page]]:
    """Remember the app's pages; return them grouped for ``st.navigation``.

    ``home`` is the default page and ``beside`` the pages listed with it (about the whole
    workspace); ``sections`` hold the pages about the open draft by sidebar group, in the
    order Back / Next walks through them.
    """
    walk = tuple(entry for entries in sections.values() for entry in entries)
    _REGISTERED["pages"] = (home, walk)
    _REGISTERED["beside"] = (home, tuple(beside))
    grouped = {name: [_page(entry) for entry in entries] for name, entries in sections.items()}
    return {"": [_page(home, default=True), *(_page(e) for e in beside)], **grouped}


def go(slug: str) -> None:
    """Switch to the page ``slug`` (a button's action)."""
    home, walk = _REGISTERED["pages"]
    everything = (home, *_REGISTERED.get("beside", (home, ()))[1], *walk)
    entry = next(entry for entry in everything if entry[0].slug == slug)
    st.switch_page(_page(entry, default=entry is home))


def first() -> str:
    """The slug of the first draft page, where an agreement just opened begins."""
    return _REGISTERED["pages"][1][0][0].slug


def neighbours(slug: str) -> tuple[str | None, str | None]:
    """The slugs of the draft pages before and after ``slug`` (None at either end)."""
    order = [route.slug for route, _ in _REGISTERED["pages"][1]]
    index = order.index(slug)
    before = order[index - 1] if index > 0 else None
    return before, order[index + 1] if index + 1 < len(order) else None


def _page(entry: Entry, *, default: bool = False) -> st.Page:
    route, draw = entry
    return st.Page(draw, title=route.title, icon=route.icon, url_path=route.slug, default=default)

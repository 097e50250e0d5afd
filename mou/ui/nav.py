"""The app's pages, in the order a liaison works, and a way to move between them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from .pages import agreements, export, history, review, wizard


@dataclass(frozen=True)
class PageSpec:
    """One page: its URL slug, title, icon and the function that draws it."""

    slug: str
    title: str
    icon: str
    draw: Callable[[], None]


AGREEMENTS = PageSpec("agreements", "Agreements", ":material/folder_open:", agreements.show)
STEPS = [PageSpec(s.slug, s.title, s.icon, s.draw) for s in wizard.STEPS] + [
    PageSpec("review", "Review and save", ":material/fact_check:", review.show)
]
RECORDS = [
    PageSpec("history", "History", ":material/history:", history.show),
    PageSpec("export", "Export", ":material/download:", export.show),
]

DRAFT_PAGES = STEPS + RECORDS


def _page(spec: PageSpec) -> st.Page:
    return st.Page(
        spec.draw,
        title=spec.title,
        icon=spec.icon,
        url_path=spec.slug,
        default=spec is AGREEMENTS,
    )


def sections() -> dict[str, list[st.Page]]:
    """Pages grouped for the sidebar."""
    return {
        "": [_page(AGREEMENTS)],
        "Draft": [_page(s) for s in STEPS],
        "Records": [_page(s) for s in RECORDS],
    }


def go(slug: str) -> None:
    """Switch to the page ``slug`` (a button's action)."""
    spec = next(s for s in [AGREEMENTS, *STEPS, *RECORDS] if s.slug == slug)
    st.switch_page(_page(spec))

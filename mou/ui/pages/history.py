"""History: who changed the agreement, when and why; old revisions read-only; comparison.

Revisions never change, so what is read from them (the agreement, its reading, the
changes between two) is cached by revision (:func:`mou.ui.state.revision`) and drawn
lazily: the latest revisions first, one part of a revision at a time, only the tab
that is open, and a long change list in pages.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ...changes.diff import Change, diff
from ...changes.redline import redline_docx
from ...chars import visible
from ...errors import MouError
from .. import routing, state
from ..changes import show_change_list
from ..chrome import back_next, open_draft_page
from ..reading import Line, part_html, read_parts
from ..style import count

TABLE_PAGE = 20
"""Revisions listed at first, and added by each "Show more"."""
CHANGES_PAGE = 150
"""Changes drawn at first, and added by each "Show more"."""


def show() -> None:
    """Draw the page."""
    draft = open_draft_page(routing.HISTORY.title)
    if draft is None:
        return
    _body(draft)
    back_next(routing.HISTORY.slug)


def _body(draft: state.Draft) -> None:
    try:
        revisions = _revisions(draft.agreement_id)
    except MouError as err:
        st.error(err.message)
        return
    if not revisions:
        st.info("No saved revisions yet: save the draft on the Review page first.")
        return
    _table(revisions)
    # Only the open tab is drawn: each reads whole revisions.
    old_tab, compare_tab = st.tabs(
        ["Open a revision", "Compare two revisions"], key="hist-tab", on_change="rerun"
    )
    try:
        if old_tab.open:
            with old_tab:
                _read_only(draft.agreement_id, revisions)
        if compare_tab.open:
            with compare_tab:
                _compare(draft.agreement_id, revisions)
    except MouError as err:  # a revision that cannot be read (a broken hand edit)
        st.error(err.message)


def _revisions(agreement_id: str) -> list[Any]:
    with state.workspace() as ws:
        if agreement_id not in ws.ids():
            return []
        return ws.history(agreement_id)


def _table(revisions: list[Any]) -> None:
    """The latest revisions, newest first, and a button to list more of them."""
    shown = st.session_state.get("hist-shown", TABLE_PAGE)
    rows = [
        {
            "revision": r.sha[:8],
            "when": f"{r.date:%Y-%m-%d %H:%M}",
            "who": visible(r.author),
            "message": visible(r.message.strip()),
        }
        for r in revisions[:shown]
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "revision": "Revision",
            "when": "When",
            "who": "Who",
            "message": st.column_config.TextColumn("Message", width="large"),
        },
    )
    if len(revisions) > shown:
        st.caption(f"The latest {shown} of {count(len(revisions), 'revision')}.")
        if st.button(f"Show {min(TABLE_PAGE, len(revisions) - shown)} more", key="hist-more"):
            st.session_state["hist-shown"] = shown + TABLE_PAGE
            st.rerun()


def _label(revisions: list[Any]) -> dict[str, str]:
    return {
        r.sha: visible(f"{r.sha[:8]} · {r.date:%Y-%m-%d %H:%M} · {r.author}") for r in revisions
    }


def _read_only(agreement_id: str, revisions: list[Any]) -> None:
    """One saved revision, read-only, one part at a time, as the wizard names things."""
    labels = _label(revisions)
    sha = st.selectbox("Revision", list(labels), format_func=labels.__getitem__, key="hist-open")
    parts = reading(agreement_id, sha)
    sizes = {part: count(len(lines), "line") for part, lines in parts.items()}
    part = st.selectbox(
        "Part of the agreement", list(parts), format_func=lambda p: f"{p} ({sizes[p]})",
        key="hist-part",
    )  # fmt: skip
    st.caption("Read-only: the agreement exactly as it was saved in that revision.")
    st.html(part_html(parts[part]))


def reading(agreement_id: str, sha: str) -> dict[str, list[Line]]:
    """The revision ``sha`` of the agreement read part by part (cached: it never changes)."""
    return _reading(str(state.workspace_root()), agreement_id, sha)


@st.cache_resource(max_entries=16, show_spinner=False)
def _reading(root: str, agreement_id: str, sha: str) -> dict[str, list[Line]]:
    return read_parts(state.revision(agreement_id, sha))


def _compare(agreement_id: str, revisions: list[Any]) -> None:
    if len(revisions) < 2:
        st.info("Only one revision so far; there is nothing to compare yet.")
        return
    labels = _label(revisions)
    shas = list(labels)
    left, right = st.columns(2)
    old = left.selectbox("Older", shas, index=1, format_func=labels.__getitem__, key="cmp-old")
    new = right.selectbox("Newer", shas, index=0, format_func=labels.__getitem__, key="cmp-new")
    _paged_changes(agreement_id, old, new)
    st.download_button(
        "Download the redline (.docx)",
        data=lambda: redline_bytes(agreement_id, old, new),
        file_name=f"{agreement_id}-{old[:8]}-{new[:8]}-redline.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/difference:",
        key="cmp-redline",
    )


def _paged_changes(agreement_id: str, old: str, new: str) -> None:
    """The changes from ``old`` to ``new``, the first :data:`CHANGES_PAGE` at first: a
    browser slows down with thousands of them drawn at once."""
    found = changes(agreement_id, old, new)
    shown = f"cmp-shown-{old}-{new}"
    limit = st.session_state.get(shown, CHANGES_PAGE)
    show_change_list(found[:limit], empty="These revisions do not differ.")
    if len(found) > limit:
        st.caption(f"The first {limit} of {count(len(found), 'change')}.")
        if st.button(f"Show {min(CHANGES_PAGE, len(found) - limit)} more", key="cmp-more"):
            st.session_state[shown] = limit + CHANGES_PAGE
            st.rerun()


def changes(agreement_id: str, old: str, new: str) -> list[Change]:
    """Every change from revision ``old`` to ``new`` (cached: revisions never change)."""
    return _changes(str(state.workspace_root()), agreement_id, old, new)


@st.cache_resource(max_entries=16, show_spinner=False)
def _changes(root: str, agreement_id: str, old: str, new: str) -> list[Change]:
    return diff(state.revision(agreement_id, old), state.revision(agreement_id, new))


def redline_bytes(agreement_id: str, old: str, new: str) -> bytes:
    """The Word redline (tracked changes) from revision ``old`` to ``new``."""
    with state.workspace() as ws:
        return redline_docx(ws, agreement_id, old, new)

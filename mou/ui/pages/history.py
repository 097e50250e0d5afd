"""History: who changed the agreement, when and why; old revisions read-only; comparison."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ...changes.redline import redline_docx
from ...chars import visible
from ...errors import MouError
from ...model import to_data
from ...yamlio import dump
from .. import routing, state
from ..changes import show_changes
from ..chrome import back_next, open_draft_page


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
    old_tab, compare_tab = st.tabs(["Open a revision", "Compare two revisions"])
    with old_tab:
        _read_only(draft.agreement_id, revisions)
    with compare_tab:
        _compare(draft.agreement_id, revisions)


def _revisions(agreement_id: str) -> list[Any]:
    with state.workspace() as ws:
        if agreement_id not in ws.ids():
            return []
        return ws.history(agreement_id)


def _table(revisions: list[Any]) -> None:
    rows = [
        {
            "revision": r.sha[:8],
            "when": f"{r.date:%Y-%m-%d %H:%M}",
            "who": visible(r.author),
            "message": visible(r.message.strip()),
        }
        for r in revisions
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


def _label(revisions: list[Any]) -> dict[str, str]:
    return {
        r.sha: visible(f"{r.sha[:8]} · {r.date:%Y-%m-%d %H:%M} · {r.author}") for r in revisions
    }


def _read_only(agreement_id: str, revisions: list[Any]) -> None:
    labels = _label(revisions)
    sha = st.selectbox("Revision", list(labels), format_func=labels.__getitem__, key="hist-open")
    with state.workspace() as ws:
        loaded = ws.load(agreement_id, sha)
    st.caption("Read-only: this is the file exactly as it was saved in that revision.")
    # The stylesheet (style.py) makes the code's own box, which takes the keyboard focus,
    # scroll at 480 px: a scrolling box the keyboard cannot reach fails WCAG 2.1.1.
    st.code(dump(to_data(loaded.agreement)), language="yaml")


def _compare(agreement_id: str, revisions: list[Any]) -> None:
    if len(revisions) < 2:
        st.info("Only one revision so far; there is nothing to compare yet.")
        return
    labels = _label(revisions)
    shas = list(labels)
    left, right = st.columns(2)
    old = left.selectbox("Older", shas, index=1, format_func=labels.__getitem__, key="cmp-old")
    new = right.selectbox("Newer", shas, index=0, format_func=labels.__getitem__, key="cmp-new")
    with state.workspace() as ws:
        before, after = ws.load(agreement_id, old), ws.load(agreement_id, new)
    show_changes(before.agreement, after.agreement, empty="These revisions do not differ.")
    st.download_button(
        "Download the redline (.docx)",
        data=lambda: redline_bytes(agreement_id, old, new),
        file_name=f"{agreement_id}-{old[:8]}-{new[:8]}-redline.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/difference:",
        key="cmp-redline",
    )


def redline_bytes(agreement_id: str, old: str, new: str) -> bytes:
    """The Word redline (tracked changes) from revision ``old`` to ``new``."""
    with state.workspace() as ws:
        return redline_docx(ws, agreement_id, old, new)

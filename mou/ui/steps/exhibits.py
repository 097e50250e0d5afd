"""Step 9, Exhibits: lettered tables, texts and attached files bound after the signatures.

Only the chosen exhibit is drawn. Switching an exhibit's kind sets the other kind's
content aside (kept for this session), since an exhibit holds one kind at a time. An
uploaded file is kept with the draft and committed beside the agreement by the next save.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ...attachments import (
    MAX_ATTACHMENT_BYTES,
    attachment_path,
    content_problem,
    next_letter,
    safe_name,
    sha256_of,
)
from ...model import ExhibitKind
from .. import fields as f
from ..controls import pick, remove_button, set_aside_unless
from ..rows import Column, Table, get_in, json_path
from ..state import Draft
from .step import Step

KIND_LABELS = {
    "table": "A table (rates, a budget…)",
    "text": "Text",
    "file": "An attached file (PDF or Word)",
}
_CONTENT = {"table": ("columns", "rows"), "text": ("text",), "file": ("file", "sha256")}


def exhibits(draft: Draft) -> None:
    """Exhibits, each lettered and titled; the text cites them as "Exhibit A"."""
    items = draft.data.get("exhibits") or []
    st.caption(
        "Exhibits are bound after the signature pages in letter order; cite each one in the "
        "text (“as set out in Exhibit A”)."
    )
    index = pick(
        draft,
        "exhibits",
        items,
        lambda x: f"{x.get('letter')}. {x.get('title', '')}"[:40],
        "Exhibit",
    )
    if index is not None:
        with st.container(border=True):
            _exhibit(draft, ("exhibits", index))
            remove_button(draft, ("exhibits",), index, "exhibit")
    _add_exhibit(draft, items)


def _exhibit(draft: Draft, p: tuple[Any, ...]) -> None:
    left, mid, right = st.columns([1, 4, 3])
    with left:
        f.text(draft, (*p, "letter"), "Letter")
    with mid:
        f.text(draft, (*p, "title"), "Title")
    with right:
        f.choice(draft, (*p, "kind"), "Holds", list(ExhibitKind), labels=KIND_LABELS)
    kind = str(get_in(draft.data, (*p, "kind")) or "")
    for other, names in _CONTENT.items():
        for name in names:
            set_aside_unless(draft, (*p, name), other == kind)
    if kind == "table":
        _table(draft, p)
    elif kind == "text":
        f.text(draft, (*p, "text"), "Text (a blank line starts a paragraph)", area=True, height=200)
    elif kind == "file":
        _file(draft, p)


def _table(draft: Draft, p: tuple[Any, ...]) -> None:
    f.lines(draft, (*p, "columns"), "Column headings (one per line)", height=90)
    columns = [str(c) for c in get_in(draft.data, (*p, "columns")) or []]
    _fit_rows(draft, p, len(columns))
    spec = Table(
        (*p, "rows"),
        tuple(Column(f"c{i}", heading) for i, heading in enumerate(columns)),
        name_field="c0",
        cells=True,
    )
    if columns:
        f.table(draft, spec, caption="Rows of the table")


def _fit_rows(draft: Draft, p: tuple[Any, ...], width: int) -> None:
    """Give every row one cell per column after the headings changed, and redraw the table."""
    rows = get_in(draft.data, (*p, "rows")) or []
    if all(len(row.get("cells") or []) == width for row in rows):
        return
    for row in rows:
        row["cells"] = (list(row.get("cells") or []) + [""] * width)[:width]
    draft.touch()
    epoch = f"{draft.key(json_path((*p, 'rows')))}::epoch"
    st.session_state[epoch] = st.session_state.get(epoch, 0) + 1  # new columns, new editor


def _file(draft: Draft, p: tuple[Any, ...]) -> None:
    upload = st.file_uploader(
        f"The PDF or Word file (at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB)",
        type=["pdf", "docx"],
        key=f"{draft.key(json_path(p))}::upload",
    )
    if upload is not None:
        before = get_in(draft.data, (*p, "sha256"))
        problem = take_upload(draft, p, upload.name, upload.getvalue())
        if problem:
            st.error(f"{upload.name}: {problem}; nothing was attached.")
        elif get_in(draft.data, (*p, "sha256")) != before:
            _redraw(draft, p, ("file", "sha256"))  # the fields below show the new file
    name = get_in(draft.data, (*p, "file"))
    if name:
        waiting = " (uploaded; committed by your next save)" if name in draft.attachments else ""
        st.caption(f"Stored as {attachment_path(draft.agreement_id, name)}{waiting}.")
    left, right = st.columns([2, 3])
    with left:
        f.text(draft, (*p, "file"), "File name")
    with right:
        f.text(draft, (*p, "sha256"), "SHA-256")


def _redraw(draft: Draft, p: tuple[Any, ...], names: tuple[str, ...]) -> None:
    """Give the fields ``names`` new widgets, which start from the draft's new values."""
    for name in names:
        cleared = f"{draft.key(json_path((*p, name)))}::cleared"
        st.session_state[cleared] = st.session_state.get(cleared, 0) + 1


def take_upload(draft: Draft, p: tuple[Any, ...], name: str, data: bytes) -> str | None:
    """Record an uploaded file on the exhibit at ``p`` and keep its bytes for the save;
    why it cannot be attached (nothing recorded), or None."""
    stored = safe_name(name)
    problem = content_problem(stored, data)
    if problem:
        return problem
    for index, other in enumerate(draft.data.get("exhibits") or []):
        if other.get("file") == stored and ("exhibits", index) != tuple(p):
            return f"Exhibit {other.get('letter')} already attaches a file named {stored}"
    draft.attachments[stored] = data
    f.write(draft, (*p, "file"), stored)
    f.write(draft, (*p, "sha256"), sha256_of(data))
    return None


def _add_exhibit(draft: Draft, items: list[Any]) -> None:
    with st.form(draft.key("$.exhibits::add"), clear_on_submit=True):
        st.markdown("**Add an exhibit**")
        left, right = st.columns([3, 2])
        title = left.text_input("Title of the new exhibit", key=draft.key("$.exhibits::new-title"))
        kind = right.selectbox(
            "The new exhibit holds",
            list(ExhibitKind),
            format_func=KIND_LABELS.__getitem__,
            key=draft.key("$.exhibits::new-kind"),
        )
        if st.form_submit_button("Add exhibit", icon=":material/add:"):
            if not title.strip():
                st.error("Give the exhibit a title.")
                return
            letter = next_letter([str(x.get("letter") or "") for x in items])
            draft.data.setdefault("exhibits", []).append(
                {"letter": letter, "title": title.strip(), "kind": str(kind)}
            )
            draft.touch()
            st.rerun()


STEP = Step("exhibits", "Exhibits", ":material/attach_file:", ("exhibits",), exhibits, "Exhibits")

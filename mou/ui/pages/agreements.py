"""The Agreements page: every agreement in the workspace, a search, and a new-agreement form."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ...errors import MouError
from ...model import AgreementType, Status
from ...presets import preset_with_hints
from .. import routing, state, syncing
from ..fields import humanize
from ..rows import party_labels
from ..style import code, plain


def show() -> None:
    """Draw the page."""
    st.title(routing.AGREEMENTS.title)
    _introduction()
    _unsaved_notice()
    syncing.panel()
    try:
        summaries = _summaries()
    except MouError as err:
        st.error(f"Cannot read the workspace: {err.message}")
        return
    rows = _filtered(summaries + _unsaved_new(summaries))
    _table(rows)
    _open(rows)
    st.divider()
    _new_agreement({row["id"] for row in summaries})


def _introduction() -> None:
    """What the app is for and how to begin, for someone who opens it the first time."""
    st.markdown(
        "**mou** drafts memoranda of understanding and other agreements between agencies "
        "and partners, step by step: parties and signatories, shared goals with measurable "
        "metrics, roles, resources and funding, information sharing, term. It checks the "
        "draft against the rules a reviewing attorney applies and exports the Word document "
        "every party signs."
    )
    st.markdown(
        "**To start**, create a new agreement from the preset for its type (below), or "
        "pick one in the list and open it.  \n"
        "**Where your work is kept:** edits stay in this browser session while you move "
        "between steps and pages; **Review and save** records them as a revision, with your "
        "name and a message, in the workspace's git repository "
        f"({code(state.workspace_root())}). Until then the agreement is unchanged; the "
        "unsaved edits are kept aside in the repository's `.git/mou-drafts`, so a reload "
        "of this tab or a lost connection loses nothing."
    )


def _unsaved_notice() -> None:
    for problem in state.keep_problems():
        st.warning(plain(problem), icon=":material/warning:")
    dirty = [d for d in state.drafts().values() if d.dirty]
    if dirty:
        names = ", ".join(f"`{d.agreement_id}`" for d in dirty)
        st.warning(
            f"Unsaved changes in {names}. They are kept for this browser tab, even across a "
            "reload; save them on the Review page to record them as a revision.",
            icon=":material/warning:",
        )


def _unsaved_new(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the new agreements of this session that were never saved, so they can be
    found, searched and opened again like any other."""
    listed = {row["id"] for row in summaries}
    return [
        {
            "id": draft.agreement_id,
            "title": draft.data.get("title") or "",
            "type": humanize(str(draft.data.get("type") or "")),
            "status": humanize(str(draft.data.get("status") or "draft")),
            "parties": ", ".join(party_labels(draft.data).values()),
            "expires": (draft.data.get("term") or {}).get("expiration_date") or "until terminated",
            "changed": "not saved yet (this browser session)",
        }
        for draft in state.drafts().values()
        if draft.base is None and draft.agreement_id not in listed
    ]


def _summaries() -> list[dict[str, Any]]:
    with state.workspace() as ws:
        summaries = ws.list()
    return [
        {
            "id": s.id,
            "title": s.title,
            "type": humanize(s.type),
            "status": humanize(s.status),
            "parties": ", ".join(s.parties),
            "expires": s.expiration_date or "until terminated",
            "changed": f"{s.author}, {s.date:%Y-%m-%d %H:%M}",
        }
        for s in summaries
    ]


def _filtered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    search, kind, status = st.columns([3, 2, 2])
    words = search.text_input("Search", placeholder="Title, id or party", key="list-search")
    types = kind.multiselect(
        "Filter by type", [humanize(t) for t in AgreementType], key="list-type"
    )
    statuses = status.multiselect(
        "Filter by status", [humanize(s) for s in Status], key="list-status"
    )
    needle = words.strip().lower()
    return [
        row
        for row in rows
        if (not needle or needle in " ".join(map(str, row.values())).lower())
        and (not types or row["type"] in types)
        and (not statuses or row["status"] in statuses)
    ]


def _table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.info("No agreements match. Start a new one below.")
        return
    frame = pd.DataFrame(rows)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.TextColumn("Id"),
            "title": st.column_config.TextColumn("Title", width="large"),
            "type": "Type",
            "status": "Status",
            "parties": "Parties",
            "expires": "Expires",
            "changed": "Last change",
        },
    )


def _open(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    titles = {row["id"]: f"{row['title']} ({row['id']})" for row in rows}
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Agreement", list(titles), format_func=titles.__getitem__, key="list-open"
    )
    if right.button("Open", type="primary", width="stretch", key="list-open-button"):
        try:
            state.open_agreement(chosen)
        except MouError as err:
            st.error(err.message)
            return
        routing.go(routing.first())


def _new_agreement(existing: set[str]) -> None:
    st.header("New agreement")
    with st.container(border=True):
        kind = st.selectbox("Type", list(AgreementType), format_func=humanize, key="new-type")
        title = st.text_input(
            "Title",
            key="new-title",
            placeholder="e.g. Regional Gun Violence Task Force MOU",
            on_change=_suggest_id,
            args=(existing,),
        )
        agreement_id = st.text_input(
            "Id (the file name)",
            key="new-id",
            placeholder="made from the title, e.g. regional-gun-violence-task-force-mou",
            help="Suggested from the title; change it if you like: 3 to 64 lower-case "
            "letters, digits and hyphens.",
        )
        if not st.button("Create from preset", type="primary", key="new-create"):
            return
    agreement_id = agreement_id.strip() or state.suggest_id(title, existing)
    problem = _new_problem(agreement_id, title, existing)
    if problem:
        st.error(problem)
        return
    state.start_new(*preset_with_hints(str(kind), agreement_id, title))
    routing.go(routing.first())


_SUGGESTED = "new-id-suggested"


def _suggest_id(existing: set[str]) -> None:
    """Fill the id in from the title, unless the user typed an id of their own."""
    typed = str(st.session_state.get("new-id") or "").strip()
    if typed and typed != st.session_state.get(_SUGGESTED):
        return
    title = str(st.session_state.get("new-title") or "")
    suggestion = state.suggest_id(title, existing) if title.strip() else ""
    st.session_state["new-id"] = st.session_state[_SUGGESTED] = suggestion


def _new_problem(agreement_id: str, title: str, existing: set[str]) -> str | None:
    problem = state.new_id_problem(agreement_id, existing)
    if problem:
        return f"Id: {plain(problem)}"
    if not title.strip():
        return "Title: give the agreement a title."
    return None

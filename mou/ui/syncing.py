"""Sync from the wizard: a Sync control, what came in, and conflicts settled field by field.

The same `mou sync` as the command line (:func:`mou.store.sync.sync` with the field merge),
so the wizard and the CLI cannot disagree. A conflict is shown on one screen, each
conflicting field with both values and who made them, and a choice per field; applying
the choices syncs again, the merge committing them. After a save the wizard syncs on its
own when the workspace's branch has an upstream ($MOU_SYNC_AFTER_SAVE=0 turns that off),
so several app servers over one remote stay in step.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from ..changes.merge import Prefer, sync_merger
from ..errors import MouError
from ..settings import sync_after_save
from ..store.sync import FileConflict, SyncConflict, SyncResult, has_upstream, sync, sync_target
from . import state
from .style import plain

RESULT = "mou_sync_result"
CONFLICTS = "mou_sync_conflicts"
_SIDES: tuple[Prefer, ...] = ("mine", "theirs")


def panel() -> None:
    """The Sync control with the last outcome and, on a conflict, the choices."""
    try:
        target = sync_target(state.workspace_root())
    except MouError as err:
        st.caption(f"Sync is not available: {plain(err.message)}")
        return
    if target is None:
        st.caption("This workspace has no git remote to share it through.")
        return
    remote, branch = target
    text, button = st.columns([4, 1], vertical_alignment="center")
    text.markdown(f"**Shared through `{remote}`** (branch `{branch}`)")
    if button.button(f"Sync with {remote}", key="sync-now", icon=":material/sync:"):
        run()
    _outcome()
    _conflicts()


def run(choices: dict[str, dict[str, Prefer]] | None = None, author: str | None = None) -> None:
    """Sync now; the outcome (or the conflict) is kept for the page to show."""
    st.session_state.pop(RESULT, None)
    st.session_state.pop(CONFLICTS, None)
    try:
        result = sync(
            state.workspace_root(), sync_merger(None, choices), author=author or _author()
        )
    except SyncConflict as conflict:
        st.session_state[CONFLICTS] = conflict.files
    except MouError as err:
        st.session_state[RESULT] = err.message
    else:
        st.session_state[RESULT] = result


def after_save_note(author: str) -> tuple[str, str] | None:
    """After a save: sync when the branch has an upstream (and the setting allows); what
    to tell the person saving, as ``(kind, text)`` with kind caption or warning, or None.

    Returned, not drawn: the Review page runs again after a save and shows it then.
    """
    root = state.workspace_root()
    if not sync_after_save() or not has_upstream(root):
        return None
    run(author=author)
    outcome = st.session_state.get(RESULT)
    if isinstance(outcome, SyncResult):
        return "caption", f":material/sync: Shared: {plain(_summary(outcome))}"
    if CONFLICTS in st.session_state:
        return "warning", (
            "Saved here, but not shared yet: it conflicts with changes on the remote. "
            "Settle them under Sync on the Agreements page."
        )
    return "warning", f"Saved here, but not shared yet: {plain(str(outcome))}"


def _author() -> str | None:
    """Who merges: the signed-in person, else the name and e-mail given in this session."""
    try:
        who = state.proxy_identity() or state.author()
    except MouError:
        return None
    if who.get("name") and who.get("email"):
        return f"{who['name']} <{who['email']}>"
    return None  # git's own user.name and user.email


def _summary(result: SyncResult) -> str:
    if result.outcome == "in step":
        return f"in step with {result.remote}."
    parts = [f"{result.outcome} ({result.remote}, {result.revision[:8]})"]
    if result.incoming:
        parts.append(f"brought in {', '.join(result.incoming)}")
    if result.outgoing:
        parts.append(f"sent {', '.join(result.outgoing)}")
    if result.merged:
        parts.append(f"merged field by field: {', '.join(result.merged)}")
    return "; ".join(parts) + "."


def _outcome() -> None:
    outcome = st.session_state.get(RESULT)
    if isinstance(outcome, SyncResult):
        st.success(plain(_summary(outcome)).capitalize(), icon=":material/sync:")
        if outcome.incoming:
            st.markdown("**Incoming changes:** " + ", ".join(f"`{i}`" for i in outcome.incoming))
    elif outcome is not None:
        st.error(f"Not synced: {plain(str(outcome))}", icon=":material/sync_problem:")


def _conflicts() -> None:
    files: list[FileConflict] | None = st.session_state.get(CONFLICTS)
    if not files:
        return
    st.error(
        "Not synced: these fields were changed here and on the remote in ways that cannot "
        "both hold. Nothing changed, here or there. Choose a value for each, then sync.",
        icon=":material/merge_type:",
    )
    choices: dict[str, dict[str, Prefer]] = {}
    open_ = False
    for found in files:
        st.markdown(f"**{plain(found.agreement_id or found.path)}**")
        for index, conflict in enumerate(found.conflicts):
            side = _choice(found, index, conflict)
            if side is None:
                open_ = True
            else:
                choices.setdefault(found.agreement_id or found.path, {})[conflict["path"]] = side
    if open_:
        st.info("Some conflicts can only be settled by editing and saving; see above.")
    if st.button("Apply my choices and sync", key="sync-apply", type="primary"):
        run(choices)
        st.rerun()


def _choice(found: FileConflict, index: int, conflict: dict[str, Any]) -> Prefer | None:
    """One conflicting field of a sync: both values, who made them, and a choice."""
    key = f"sync-choice-{found.path}-{index}"
    return field_choice(key, conflict, found.mine_by or "here", found.theirs_by or "the remote")


def field_choice(key: str, conflict: dict[str, Any], mine_by: str, theirs_by: str) -> Prefer | None:
    """One field both sides changed (a merge conflict as JSON): both values side by side,
    who made them, and "Keep mine" or "Keep theirs"; None when no side can be kept."""
    label = plain(conflict.get("label") or conflict["path"])
    st.markdown(f"- **{label}** — {plain(conflict['reason'])}")
    if conflict["mine"] is None and conflict["theirs"] is None:
        return None  # a merge that would be invalid as a whole: no side to pick
    mine, theirs = st.columns(2)
    mine.caption(f"Mine ({plain(mine_by)})")
    mine.code(_shown(conflict["mine"]), language=None, wrap_lines=True)
    theirs.caption(f"Theirs ({plain(theirs_by)})")
    theirs.code(_shown(conflict["theirs"]), language=None, wrap_lines=True)
    chosen = st.radio(
        f"Keep for {label}",
        _SIDES,
        format_func=lambda side: "Keep mine" if side == "mine" else "Keep theirs",
        key=key,
        horizontal=True,
    )
    return chosen


def _shown(value: Any) -> str:
    if value is None:
        return "(removed)"
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)

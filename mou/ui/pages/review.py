"""Review and save: the readiness checklist, a live preview, and the save form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st

from ...changes.merge import Merged, Prefer, merge
from ...document.ooxml import document_text
from ...document.render import render_docx
from ...document.template import template_for
from ...errors import ConflictError, InvalidAgreement, MouError
from ...model import to_data
from ...validate import validate_data
from .. import routing, state, syncing
from ..changes import show_changes
from ..chrome import back_next, open_draft_page
from ..controls import focus_on
from ..fields import humanize
from ..lifecycle import refusal_of
from ..readiness import findings
from ..rows import in_words, paths_in, place
from ..steps import step_of
from ..style import count, plain


def show() -> None:
    """Draw the page."""
    draft = open_draft_page(routing.REVIEW.title)
    if draft is None:
        return
    if draft.conflict is not None:
        conflict(draft)
    checklist, preview = st.tabs(["Readiness", "Preview"])
    with checklist:
        readiness(draft)
    with preview:
        _preview(draft)
    st.divider()
    save_form(draft)
    back_next(routing.REVIEW.slug)


# --------------------------------------------------------------------------- readiness


def readiness(draft: state.Draft) -> None:
    """The checklist: every problem at once, in the words of the wizard, with its step."""
    items = findings(draft)
    errors = sum(1 for item in items if item[0] == "error")
    status = humanize(str(draft.data.get("status") or "draft"))
    if not items:
        st.success(
            f"Every readiness rule passes: this text can be exported for signature "
            f"(status: {status}).",
            icon=":material/verified:",
        )
        return
    if errors:
        warnings = count(len(items) - errors, "warning")
        st.error(f"Not ready for signature: {count(errors, 'error')}, {warnings}.")
    else:
        st.warning(f"No errors, {count(len(items), 'warning')} to consider (status: {status}).")
    for index, (severity, _rule, path, message) in enumerate(items):
        _finding(draft, index, severity, path, message)


def _finding(draft: state.Draft, index: int, severity: str, path: str, message: str) -> None:
    """One checklist line, and the button to the step, part and row that fix it."""
    target = next(iter(paths_in(message)), path)  # "add one under $.responsibilities"
    step = step_of(target)
    icon = ":red-badge[Error]" if severity == "error" else ":orange-badge[Warning]"
    text, button = st.columns([5, 1], vertical_alignment="center")
    where = plain(place(path, draft.data))
    text.markdown(f"{icon} **{where}:** {plain(in_words(message, draft.data))}")
    if button.button(
        f"Fix in {step.short}",
        key=f"fix-{index}",
        width="stretch",
        help=f"Go to the step “{step.title}”",
    ):
        focus_on(draft, target)
        routing.go(step.slug)


# --------------------------------------------------------------------------- preview


def _preview(draft: state.Draft) -> None:
    if draft.problems():
        st.info("The preview appears once the draft has no validation problems.")
        return
    revision = draft.base or "unsaved"
    template = template_for(state.workspace_root())  # the one `mou export` would use
    try:
        # Keyed by the template's identity too: a restyled template reads differently.
        version = f"{template}@{template.stat().st_mtime_ns}"
        data_json = json.dumps(draft.data, sort_keys=True)
        text = draft.memo(
            f"preview {version}",
            lambda: preview_text(data_json, revision, draft.dirty, version),
        )
    except OSError as err:
        st.error(f"Cannot render the preview: {template}: {err.strerror or err}")
        return
    except MouError as err:
        st.error(f"Cannot render the preview: {err.message}")
        return
    st.caption("The document as it will be rendered (text only; export gives the Word file).")
    with st.container(height=560, border=True):
        st.text(text)


@st.cache_data(max_entries=16, show_spinner="Rendering the preview…")
def preview_text(data_json: str, revision: str, draft: bool, template: str) -> str:
    """The rendered document's text for agreement data (cached by content).

    ``template`` is the template's path, then ``@`` and its modification time (the
    cache key changes when the file does).
    """
    agreement = validate_data(json.loads(data_json))
    shown = None if revision == "unsaved" else revision
    path = Path(template.rsplit("@", 1)[0])
    return document_text(render_docx(agreement, shown, draft, path))


# --------------------------------------------------------------------------- save


def save_form(draft: state.Draft) -> None:
    """Message and author → one commit, or a clear reason why not."""
    st.header("Save")
    refusal = refusal_of(draft)
    if refusal is not None:
        st.error(f"Not saved: {plain(refusal)}.", icon=":material/lock:")
        if st.button("Go to Signatures", key="review-to-signatures"):
            routing.go(routing.SIGNATURES.slug)
        return
    try:
        signed_in = state.proxy_identity()
    except MouError as err:
        st.error(f"Not possible to save: {plain(err.message)}", icon=":material/lock:")
        return
    who = signed_in or state.author()
    with st.form("save", border=True):
        message = st.text_input("What changed, and why", key="save-message")
        if signed_in is None:
            left, right = st.columns(2)
            name = left.text_input("Your name", value=who["name"], key="save-name")
            email = right.text_input("Your email", value=who["email"], key="save-email")
        else:
            name, email = signed_in["name"], signed_in["email"]
            st.caption(f"Saving as **{plain(name)}** ({plain(email)}), as your sign-in says.")
        submitted = st.form_submit_button(
            "Save revision", type="primary", disabled=not draft.dirty and draft.base is not None
        )
    if not draft.dirty and draft.base is not None:
        st.caption("No unsaved changes.")
    if submitted:
        if signed_in is None:
            who.update(name=name, email=email)
        _save(draft, message, name, email)
    _saved_notes(draft)
    if draft.dirty:
        _discard(draft)


def _discard(draft: state.Draft) -> None:
    with st.expander("Discard unsaved changes"):
        lost = "the whole new agreement" if draft.base is None else "every edit since the save"
        st.caption(f"Goes back to the saved revision: {lost} is lost, with no undo.")
        sure = st.checkbox("Yes, throw my unsaved changes away", key="discard-sure")
        if st.button("Discard my changes", key="discard", disabled=not sure):
            state.discard(draft)
            st.rerun()


def _save(draft: state.Draft, message: str, name: str, email: str) -> None:
    try:
        saved = state.save(draft, message, name, email)
    except InvalidAgreement as err:
        st.error(f"Not saved: the draft has {count(len(err.problems), 'problem')}; see Readiness.")
        return
    except ConflictError:
        st.rerun()  # the conflict panel at the top explains and offers the choices
    except MouError as err:
        st.error(f"Not saved: {err.message}")
        return
    notes = [("success", f"Saved as revision {saved.revision[:8]}.")]
    shared = syncing.after_save_note(f"{name.strip()} <{email.strip()}>")
    if saved.workspace_file_kept:
        notes.append(
            (
                "warning",
                f"The workspace's own file agreements/{draft.agreement_id}.yaml holds other "
                "unsaved edits (made outside the wizard); it was left as it was and now "
                "differs from the saved revision.",
            )
        )
    # Run the page again, so that everything above the form (header, checklist, sidebar)
    # shows the saved state; the notes are shown once, by that run.
    if shared is not None:
        notes.append(shared)
    st.session_state[_SAVED_NOTES] = (draft.agreement_id, notes)
    st.rerun()


_SAVED_NOTES = "review-saved-notes"


def _saved_notes(draft: state.Draft) -> None:
    kept = st.session_state.pop(_SAVED_NOTES, None)
    if kept is None or kept[0] != draft.agreement_id:
        return
    for kind, text in kept[1]:
        if kind == "success":
            st.success(text, icon=":material/check_circle:")
        elif kind == "caption":
            st.caption(text)
        else:
            st.warning(text, icon=":material/warning:")


# --------------------------------------------------------------------------- conflict


def conflict(draft: state.Draft) -> None:
    """Someone saved first: what they changed, and the user's choices. Nothing is overwritten."""
    theirs = draft.conflict
    assert theirs is not None
    with st.container(border=True):
        st.error(
            f"Not saved: {plain(theirs.author)} saved this agreement (revision "
            f"{theirs.revision[:8]}) after you started editing. Nothing was overwritten.",
            icon=":material/merge_type:",
        )
        _their_changes(draft)
        _choices(draft)


def _their_changes(draft: state.Draft) -> None:
    assert draft.conflict is not None
    st.markdown("**Their version compared with yours**")
    try:
        mine = validate_data(draft.data)
        theirs = validate_data(draft.conflict.data)
    except InvalidAgreement:
        st.caption("Your draft has problems, so only the changed sections can be listed.")
        changed = sorted(_changed_sections(draft.data, draft.conflict.data))
        st.markdown(", ".join(f"`{s}`" for s in changed) or "No differences.")
        return
    show_changes(mine, theirs)


def _another_id(draft: state.Draft) -> None:
    """A new draft whose id someone took first can still be saved, under another id."""
    with st.form("another-id", border=False):
        new_id = st.text_input("Or save yours under another id", key="another-id-value")
        if not st.form_submit_button("Use this id"):
            return
    try:
        state.rename_new(draft, new_id.strip())
    except MouError as err:
        st.error(plain(err.message))
        return
    st.rerun()


def _changed_sections(mine: dict[str, Any], theirs: dict[str, Any]) -> set[str]:
    return {key for key in {*mine, *theirs} if mine.get(key) != theirs.get(key)}


def _choices(draft: state.Draft) -> None:
    """Reload theirs, combine (field by field where both changed one), or keep editing."""
    assert draft.conflict is not None
    merged = _field_merge(draft)
    reload, combine, keep = st.columns(3)
    if reload.button("Reload their version", help="Discard your changes", width="stretch"):
        state.reload_theirs(draft)
        st.rerun()
    if (
        merged is not None
        and merged.clean
        and combine.button("Apply my changes to theirs", type="primary", width="stretch")
    ):
        _adopt_merge(draft, merged)
    if keep.button("Keep editing", width="stretch"):
        draft.conflict = None
        st.rerun()
    if draft.base is None:
        _another_id(draft)
    if merged is not None and not merged.clean:
        _field_choices(draft, merged)


def _field_merge(draft: state.Draft, choices: dict[str, Prefer] | None = None) -> Merged | None:
    """Your edits and theirs merged field by field against the revision you started from
    (the merge `mou sync` makes); None while your draft has problems (see Readiness)."""
    assert draft.conflict is not None
    try:
        base = validate_data(draft.saved) if draft.saved is not None else None
        mine, theirs = validate_data(draft.data), validate_data(draft.conflict.data)
    except InvalidAgreement:
        st.caption("Fix the problems of your draft (see Readiness) to combine it with theirs.")
        return None
    return merge(base, mine, theirs, choices=choices)


def _field_choices(draft: state.Draft, merged: Merged) -> None:
    """Each field you both changed: both values, and which to keep; everything else
    combines on its own."""
    st.markdown(
        f"**You both changed {count(len(merged.conflicts), 'field')}.** Choose for each "
        "whose value to keep; every other edit, yours and theirs, is kept."
    )
    who = draft.conflict.author if draft.conflict is not None else "them"
    chosen: dict[str, Prefer] = {}
    for index, found in enumerate(merged.conflicts):
        side = syncing.field_choice(f"review-choice-{index}", found.as_json(), "you", who)
        if side is not None:
            chosen[found.path] = side
    if st.button("Apply my choices", type="primary", key="review-apply-choices"):
        _apply_choices(draft, chosen)


def _apply_choices(draft: state.Draft, chosen: dict[str, Prefer]) -> None:
    """Merge again with the sides chosen; say why when the result still cannot stand."""
    settled = _field_merge(draft, chosen)
    if settled is None or not settled.clean:
        reasons = "; ".join(c.reason for c in (settled.conflicts if settled else ()))
        st.error(f"Not combined: {plain(reasons or 'your draft has problems')}.")
        return
    _adopt_merge(draft, settled)


def _adopt_merge(draft: state.Draft, merged: Merged) -> None:
    """Continue from their revision with the merged text: exactly your edits (and the
    values you chose) show as unsaved."""
    assert draft.conflict is not None and merged.agreement is not None
    draft.replace(draft.conflict.data, draft.conflict.revision)
    draft.data = to_data(merged.agreement)
    draft.touch()
    st.rerun()

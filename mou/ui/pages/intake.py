"""A partner's returned Word copy: upload it, decide on each change it proposes beside the
field it changes (with the comments and unmapped edits found there), and save the accepted
changes as one revision that credits the partner and names the file by its SHA-256.

The copy opens as the draft of its agreement (:func:`mou.ui.state.take_in_copy`); the
decisions are made in the draft's own data (:mod:`mou.changes.decisions`), so the wizard's
steps, the Review page and this page always agree on what will be saved.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ...changes.decisions import (
    ACCEPTED,
    EDITED,
    FieldNotes,
    Taken,
    accept,
    authors,
    by_field,
    commit_message,
    credits,
    decision,
    one_line,
    reject,
)
from ...changes.intake import FieldChange, Remark, Unmapped
from ...errors import ConflictError, InvalidAgreement, MouError
from .. import routing, state
from ..changes import change_html
from ..chrome import back_next
from ..rows import place
from ..style import count, plain

NOTE = "mou_intake_note"
"""A message for the next run of this page (a save, or a decision that could not be made)."""


def show() -> None:
    """Draw the page."""
    st.title(routing.INTAKE.title)
    note = st.session_state.pop(NOTE, None)
    if note is not None:
        kind, text = note
        (st.success if kind == "success" else st.error)(text)
    draft = state.current()
    if draft is not None and draft.intake is not None:
        decide(draft, draft.intake)
    else:
        upload_form()
        _pending_copies()
    back_next(routing.INTAKE.slug)


# --------------------------------------------------------------------------- upload


def upload_form() -> None:
    """The returned file and, when its properties were stripped, its revision."""
    st.write(
        "Upload the Word copy a partner sent back. Each edit is mapped to the field it "
        "falls in and proposed as a change to accept or reject; comments and edits of the "
        "template's own wording are shown beside the nearest field."
    )
    with st.form("intake-upload", border=True):
        uploaded = st.file_uploader("Returned copy (.docx)", type=["docx"], key="intake-file")
        revision = st.text_input(
            "Exported from revision (only when the copy no longer says)", key="intake-revision"
        )
        submitted = st.form_submit_button("Read the copy", type="primary")
    if submitted:
        _read(uploaded, revision)


def _read(uploaded: Any, revision: str) -> None:
    if uploaded is None:
        st.error("Returned copy: choose the partner's .docx first.")
        return
    name = one_line(uploaded.name) or "the upload"
    try:
        with st.spinner("Reading the copy and mapping its edits…"):
            state.take_in_copy(uploaded.name, uploaded.getvalue(), revision)
    except MouError as err:
        st.error(f"{plain(name)}: {plain(err.message)}", icon=":material/block:")
        return
    st.rerun()


def _pending_copies() -> None:
    """Copies taken in earlier in this session and not yet saved or put aside."""
    for agreement_id, draft in state.drafts().items():
        if draft.intake is None:
            continue
        source = draft.intake.source.name
        if st.button(
            f"Continue with {source} ({agreement_id})", key=f"intake-resume-{agreement_id}"
        ):
            st.session_state[state.OPEN] = agreement_id
            st.rerun()


# --------------------------------------------------------------------------- deciding


def decide(draft: state.Draft, taken: Taken) -> None:
    """The copy's changes by field, each to accept or reject; then the save form."""
    _source(draft, taken)
    if draft.conflict is not None:
        _conflict(draft)
    notes = by_field(taken.intake)
    changes = taken.intake.changes
    accepted = sum(decision(draft.data, c, taken) == ACCEPTED for c in changes)
    st.markdown(
        f"{count(len(changes), 'proposed change')} ({accepted} accepted) · "
        f"{count(len(taken.intake.unmapped), 'unmapped edit')} · "
        f"{count(len(taken.intake.comments), 'comment')}"
    )
    for note in notes:
        _field(draft, taken, note)
    _problems(draft)
    st.divider()
    save_form(draft, taken)
    _put_aside(draft)


def _source(draft: state.Draft, taken: Taken) -> None:
    intake = taken.intake
    title = plain(draft.data.get("title") or draft.agreement_id)
    st.caption(f"{title} · `{draft.agreement_id}`")
    st.markdown(
        f"**{plain(taken.source.name)}**, a copy of revision `{intake.base[:8]}` · "
        f"SHA-256 `{taken.source.sha256[:16]}…`"
    )
    latest = draft.memo("intake-latest", lambda: _latest(draft.agreement_id))
    if latest and latest != intake.base:
        st.warning(
            f"The agreement has changed since this copy was exported (now revision "
            f"`{latest[:8]}`). Saving checks the accepted changes against that revision; "
            "nothing is overwritten.",
            icon=":material/history:",
        )


def _latest(agreement_id: str) -> str | None:
    with state.workspace() as ws:
        return ws.load(agreement_id).revision if agreement_id in ws.ids() else None


def _field(draft: state.Draft, taken: Taken, note: FieldNotes) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(note.label)}**")
        if note.change is not None:
            _change(draft, taken, note.change)
        for remark in note.comments:
            _comment(remark)
        for edit in note.unmapped:
            _unmapped(edit)


def _change(draft: state.Draft, taken: Taken, change: FieldChange) -> None:
    words, choice = st.columns([5, 1], vertical_alignment="center")
    with words:
        st.html(change_html(change))
        when = f" on {change.date[:10]}" if change.date else ""
        who = f"Proposed by {plain(change.by)}{when}" if change.by else "Untracked edit"
        st.caption(who + (" (tracked change)" if change.by else " (the copy names no author)"))
    decided = decision(draft.data, change, taken)
    key = f"{draft.key('intake:' + change.path)}@{decided}"  # a new widget per decision
    choice.checkbox("Accept", value=decided == ACCEPTED, key=key,
                    on_change=_decided, args=(draft, change, key))  # fmt: skip
    if decided == EDITED:
        words.caption(
            ":material/edit: Edited in the wizard since: neither the partner's value nor "
            "the original. Ticking puts the partner's value back; unticking, the original."
        )


def _decided(draft: state.Draft, change: FieldChange, key: str) -> None:
    taken = draft.intake
    if taken is None or key not in st.session_state:
        return
    try:
        (accept if st.session_state[key] else reject)(draft.data, change, taken)
    except MouError as err:
        st.session_state[NOTE] = ("error", plain(err.message))
    draft.touch()


def _comment(remark: Remark) -> None:
    when = f" · {remark.date[:10]}" if remark.date else ""
    quoted = f"  \n:gray[on “{plain(remark.quoted)}”]" if remark.quoted else ""
    st.markdown(
        f":material/comment: **{plain(remark.author or 'Unknown')}**{when}: "
        f"{plain(remark.text)}{quoted}"
    )


def _unmapped(edit: Unmapped) -> None:
    by = f" — {plain(edit.by)}" if edit.by else ""
    old, new = plain(edit.old.strip()), plain(edit.new.strip())
    what = f"“{old}” → “{new}”"
    if not old or not new:
        what = f"inserted “{new}”" if new else f"deleted “{old}”"
    st.markdown(
        f":material/warning: **Unmapped edit** in {plain(edit.location)} ({plain(edit.reason)}): "
        f"{what}{by}  \n:gray[Not in the proposal: retype it in its step if agreed.]"
    )


def _problems(draft: state.Draft) -> None:
    found = draft.problems()
    if not found:
        return
    st.error(
        f"The agreement as decided has {count(len(found), 'problem')}; it can be saved "
        "once there are none (reject a change, or fix it in its step):"
    )
    for problem in found:
        st.markdown(f"- **{plain(place(problem.path, draft.data))}:** {plain(problem.message)}")


# --------------------------------------------------------------------------- saving


def save_form(draft: state.Draft, taken: Taken) -> None:
    """Message, the liaison's name and e-mail, the partners' e-mails → one revision."""
    st.header("Save the accepted changes")
    who = state.author()
    names = authors(taken.intake)
    with st.form("intake-save", border=True):
        default = f"Take in the partner's returned copy {taken.source.name}"
        message = st.text_input("What changed, and why", value=default, key="intake-message")
        left, right = st.columns(2)
        name = left.text_input("Your name", value=who["name"], key="intake-name")
        email = right.text_input("Your email", value=who["email"], key="intake-email")
        given = _author_emails(taken, names)
        submitted = st.form_submit_button(
            "Save accepted changes", type="primary", disabled=not draft.dirty
        )
    if not draft.dirty:
        st.caption("Every change is rejected: nothing to save.")
    _message_preview(draft, taken)
    if submitted:
        who.update(name=name, email=email)
        taken.emails = given
        _save(draft, message, name, email)


def _author_emails(taken: Taken, names: list[str]) -> dict[str, str]:
    if names:
        st.caption(
            "The authors of accepted tracked changes are credited as co-authors "
            "(`Co-authored-by:`); give their e-mail addresses if you know them."
        )
    return {
        author: st.text_input(
            f"E-mail of {author}", value=taken.emails.get(author, ""), key=f"intake-credit-{n}"
        )
        for n, author in enumerate(names)
    }


def _message_preview(draft: state.Draft, taken: Taken) -> None:
    with st.expander("The revision's message"):
        try:
            st.text(commit_message("(what changed, and why)", taken, draft.data))
        except MouError as err:
            st.caption(plain(err.message))


def _save(draft: state.Draft, message: str, name: str, email: str) -> None:
    taken = draft.intake
    assert taken is not None
    accepted = [c for c in taken.intake.changes if decision(draft.data, c, taken) == ACCEPTED]
    try:
        saved = state.save(draft, message, name, email)
    except InvalidAgreement as err:
        st.error(f"Not saved: the agreement as decided has {count(len(err.problems), 'problem')}.")
        return
    except ConflictError:
        st.rerun()  # the conflict is on the draft now: the page says it at the top
    except MouError as err:
        st.error(f"Not saved: {plain(err.message)}")
        return
    credited = ", ".join(credits(accepted, {})) or "nobody (untracked edits only)"
    text = f"Saved as revision {saved.revision[:8]}, crediting {credited}."
    st.session_state[NOTE] = ("success", plain(text))
    st.rerun()


def _conflict(draft: state.Draft) -> None:
    theirs = draft.conflict
    assert theirs is not None
    revision = f" (revision {theirs.revision[:8]} by {plain(theirs.author)})"
    st.error(
        f"Not saved: {draft.agreement_id} was saved again{revision} after this copy was "
        "exported. Nothing was overwritten: the Review page shows what changed and can "
        "apply the accepted changes on top; saving there still credits the partner."
    )
    if st.button("Go to Review and save", key="intake-to-review"):
        routing.go(routing.REVIEW.slug)


def _put_aside(draft: state.Draft) -> None:
    with st.expander("Put this copy aside"):
        st.caption("Forgets the copy and every decision on it; nothing is saved.")
        if st.button("Put the copy aside", key="intake-aside", icon=":material/close:"):
            state.put_aside(draft)
            st.rerun()

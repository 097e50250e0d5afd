"""The frame around every page about the open draft: its header, its footer, Back / Next.

A wizard step is headed by the agreement, the step's number and a progress bar; the
pages after the steps (Review, History, Export) by the agreement and its id. Every one
of them ends with Back / Next through the draft pages in the order
:mod:`mou.ui.routing` was given, and points to the Agreements page when nothing is
open. The frame knows no page and no step: callers pass the title, the position and
the problems to show.
"""

from __future__ import annotations

import streamlit as st

from . import routing
from .lifecycle import refusal_of
from .rows import in_words, place, under
from .state import Draft, current
from .style import count, plain


def nothing_open() -> None:
    """Say that no agreement is open, with a button to the Agreements page."""
    st.title("No agreement open")
    st.write("Open an agreement from the list, or start a new one from a preset.")
    if st.button("Go to Agreements", type="primary"):
        routing.go(routing.AGREEMENTS.slug)


def open_draft_page(title: str) -> Draft | None:
    """Head a page after the steps with the open draft; None (and a pointer) when none is open."""
    draft = current()
    if draft is None:
        nothing_open()
        return None
    st.caption(f"{plain(draft.data.get('title') or draft.agreement_id)} · `{draft.agreement_id}`")
    st.title(title)
    if draft.base is None:
        st.info("New agreement — not saved yet.", icon=":material/edit_note:")
    elif draft.dirty:
        st.info("Unsaved changes.", icon=":material/edit_note:")
    signed_text_notice(draft)
    return draft


def signed_text_notice(draft: Draft) -> None:
    """Say, on every page about the draft, when its text is signed and cannot be saved."""
    refusal = refusal_of(draft)
    if refusal is not None:
        st.warning(
            f"{plain(refusal)}. Edits here cannot be saved; start an amendment on the "
            "Signatures page.",
            icon=":material/lock:",
        )


def step_header(draft: Draft, title: str, number: int, total: int) -> None:
    """The header of a wizard step: agreement, "step n of m", title, progress, unsaved marker."""
    name = plain(draft.data.get("title") or draft.agreement_id)
    st.caption(f"{name} · step {number} of {total}")
    st.title(title)
    st.progress(number / total)
    signed_text_notice(draft)
    for line in draft.notices:  # e.g. a revision written in schema version 1
        st.caption(f":material/history: {plain(line)}; saving writes the current version.")
    slot = st.container()  # drawn always: the first edit must not move the fields below
    if draft.dirty:
        slot.info(
            "Unsaved changes — they are kept while you move between steps and across a "
            "reload of this tab; save them "
            "on the Review page.",
            icon=":material/edit_note:",
        )


def step_footer(draft: Draft, slug: str, problems: list[tuple[str, str]], shown: set[str]) -> None:
    """The end of a wizard step: its ``(path, message)`` problems not already shown beside
    a field on the page (``shown`` places), each once, then Back / Next."""
    rest = list(
        dict.fromkeys(
            (path, in_words(message, draft.data))
            for path, message in problems
            if not any(under(path, place_) for place_ in shown)
        )
    )
    if rest:
        label = f"{count(len(rest), 'problem')} in other parts of this step"
        with st.expander(label, expanded=False):
            for path, message in rest:
                st.markdown(f"- **{plain(place(path, draft.data))}:** {plain(message)}")
    back_next(slug)


def back_next(slug: str) -> None:
    """Back / Next buttons through the draft pages (steps, review, history, export)."""
    before, after = routing.neighbours(slug)
    st.divider()
    back, _, ahead = st.columns([1, 3, 1])
    # The arrows are icons, which screen readers skip: an arrow typed into the label
    # would be read out as part of the button's name ("Next, right arrow").
    if before and back.button(
        "Back", key=f"back-{slug}", icon=":material/arrow_back:", width="stretch"
    ):
        routing.go(before)
    if after and ahead.button(
        "Next",
        key=f"next-{slug}",
        type="primary",
        icon=":material/arrow_forward:",
        icon_position="right",
        width="stretch",
    ):
        routing.go(after)

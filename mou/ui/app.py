"""The app shell: the pages in order, page configuration, and the sidebar shared by every page.

This is the one module that knows every page. It lists them for ``st.navigation`` and
hands the same list to :mod:`mou.ui.routing`, through which pages send the user to
one another by slug, so no page imports another.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from . import lifecycle, routing, state, style
from .pages import (
    agreements,
    dashboard,
    export,
    history,
    intake,
    measurements,
    review,
    signatures,
)
from .steps import STEPS, draw

HOME: routing.Entry = (routing.AGREEMENTS, agreements.show)
SECTIONS: dict[str, list[routing.Entry]] = {
    "Draft": [
        *((step.route, partial(draw, step)) for step in STEPS),
        (routing.REVIEW, review.show),
    ],
    "Records": [
        (routing.HISTORY, history.show),
        (routing.SIGNATURES, signatures.show),
        (routing.MEASUREMENTS, measurements.show),
        (routing.EXPORT, export.show),
    ],
    "Partners": [(routing.INTAKE, intake.show)],
}
"""The pages about the open draft, by sidebar group, in Back / Next order."""
BESIDE: list[routing.Entry] = [(routing.DASHBOARD, dashboard.show)]
"""Pages about the whole workspace, listed beside the agreements."""


def main() -> None:
    """Run one pass of the app: configure, draw the sidebar, run the chosen page."""
    st.set_page_config(
        page_title="mou — agreements", page_icon=":material/handshake:", layout="wide"
    )
    style.apply()
    pages = routing.register(HOME, SECTIONS, BESIDE)
    chosen = st.navigation(pages, position="hidden")
    state.keep_across_reloads()
    _links(pages)
    try:
        chosen.run()
    finally:  # also when the page reruns or switches: the edit it made is kept
        state.keep_drafts()
    _sidebar()  # after the page, so a save made just now shows as saved
    style.warn_before_leaving(any(d.dirty for d in state.drafts().values()))


def _links(pages: dict[str, list[st.Page]]) -> None:
    """The sidebar's links to every page, by group, drawn by the app rather than by
    ``st.navigation``: Streamlit's own list puts group headers inside the ``<ul>``, which
    screen readers (and axe-core's ``list`` rule) cannot read as a list."""
    with st.sidebar:
        for group, members in pages.items():
            if group:
                st.caption(group)
            for member in members:
                st.page_link(member)


def _sidebar() -> None:
    with st.sidebar:
        draft = state.current()
        if draft is not None:
            title = draft.data.get("title") or draft.agreement_id
            badge = ":orange-badge[Unsaved changes]" if draft.dirty else ":green-badge[Saved]"
            if draft.base is None:
                badge = ":orange-badge[New — not saved yet]"
            st.markdown(f"**Open:** {style.plain(title)}  \n`{draft.agreement_id}` · {badge}")
            life = lifecycle.state_of(draft)
            if life is not None:
                st.markdown(f"**State:** {lifecycle.STATE_LABELS.get(life, life)}")
        st.caption(f"Workspace: `{state.workspace_root()}`")

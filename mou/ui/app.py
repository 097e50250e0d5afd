"""The app shell: the pages in order, page configuration, and the sidebar shared by every page.

This is the one module that knows every page. It lists them for ``st.navigation`` and
hands the same list to :mod:`mou.ui.routing`, through which pages send the user to
one another by slug, so no page imports another.
"""

from __future__ import annotations

from functools import partial
from typing import Literal

import streamlit as st

from . import fields, lifecycle, routing, state, style
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
NAV = "mou-nav-"
"""The key prefix of the sidebar's entries, followed by the page's slug."""


def main() -> None:
    """Run one pass of the app: configure, draw the sidebar, run the chosen page."""
    st.set_page_config(
        page_title="mou — agreements", page_icon=":material/handshake:", layout="wide"
    )
    style.apply()
    pages = routing.register(HOME, SECTIONS, BESIDE)
    chosen = st.navigation(pages, position="hidden")
    state.keep_across_reloads()
    fields.keep_pending_edits()  # before the page is left: see _links
    target = _links(chosen.title)
    if target is not None:
        state.keep_drafts()
        routing.go(target)
    try:
        chosen.run()
    finally:  # also when the page reruns or switches: the edit it made is kept
        state.keep_drafts()
    _sidebar()  # after the page, so a save made just now shows as saved
    style.warn_before_leaving(any(d.dirty for d in state.drafts().values()))


def _links(current: str) -> str | None:
    """The sidebar's entries for every page, by group; the slug of the one clicked.

    Drawn by the app rather than by ``st.navigation``, whose list puts group headers
    inside the ``<ul>`` (screen readers and axe-core's ``list`` rule cannot read it).
    Buttons rather than ``st.page_link``: the browser sends a page link's click with the
    sidebar's widgets only, and Streamlit drops the page's widgets on the switch, so
    a value typed and left by that click could be lost before it reached the draft
    (issue 16). A button's click carries every field; the switch follows its run.
    """
    clicked = None
    with st.sidebar:
        for group, entries in {"": [HOME, *BESIDE], **SECTIONS}.items():
            if group:
                st.caption(group)
            for route, _ in entries:
                here = route.title == current
                kind: Literal["secondary", "tertiary"] = "secondary" if here else "tertiary"
                if st.button(route.title, key=NAV + route.slug, icon=route.icon, type=kind):
                    clicked = route.slug
    return clicked


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

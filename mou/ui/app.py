"""The app shell: page configuration, navigation, and the sidebar shared by every page."""

from __future__ import annotations

import streamlit as st

from . import nav, state, style


def main() -> None:
    """Run one pass of the app: configure, draw the sidebar, run the chosen page."""
    st.set_page_config(
        page_title="mou — agreements", page_icon=":material/handshake:", layout="wide"
    )
    style.apply()
    page = st.navigation(nav.sections(), position="sidebar", expanded=True)
    page.run()
    _sidebar()  # after the page, so a save made just now shows as saved
    style.warn_before_leaving(any(d.dirty for d in state.drafts().values()))


def _sidebar() -> None:
    with st.sidebar:
        draft = state.current()
        if draft is not None:
            title = draft.data.get("title") or draft.agreement_id
            badge = ":orange-badge[Unsaved changes]" if draft.dirty else ":green-badge[Saved]"
            if draft.base is None:
                badge = ":orange-badge[New — not saved yet]"
            st.markdown(f"**Open:** {style.plain(title)}  \n`{draft.agreement_id}` · {badge}")
        st.caption(f"Workspace: `{state.workspace_root()}`")

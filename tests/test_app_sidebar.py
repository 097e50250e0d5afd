"""The sidebar's entries and the edits a click on them leaves behind (issue 16).

A field's ``on_change`` is where its edit reaches the draft, but Streamlit stops a callback
at its first look at ``st.session_state`` when another message from the browser is
waiting, as the click that left the field is. The browser test with a slowed server
(tests/test_browser.py) shows that race; here the callback is switched off outright, so
only the app's own pass over pending edits at the start of the run can save the value.
"""

from __future__ import annotations

import pytest

from mou.ui import fields
from tests.test_app import draft_of, key, start, titles, with_agreement, workspace
from tests.test_app_ux import create

__all__ = ["with_agreement", "workspace"]  # fixtures used below


@pytest.fixture
def callbacks_cut_short(monkeypatch):
    monkeypatch.setattr(fields, "_commit", lambda *args: None)


def test_sidebar_entries_open_their_page_and_mark_the_current_one(workspace):
    at = create(start(), "lake-partnership", "Lake Partnership")
    at.button(key="mou-nav-parties").click().run()
    assert "Parties and signatories" in titles(at)
    assert at.button(key="mou-nav-parties").proto.type == "secondary"
    assert at.button(key="mou-nav-basics").proto.type == "tertiary"


def test_a_value_whose_on_change_was_cut_short_reaches_the_draft_on_a_sidebar_click(
    workspace, callbacks_cut_short
):
    at = create(start(), "lake-partnership", "Lake Partnership")
    at.text_input(key=key(at, "$.number")).set_value("LP-2027-01")
    at.text_area(key=key(at, "$.purpose")).set_value("A safer lake shore.")
    at.button(key="mou-nav-parties").click().run()  # one message: the values and the click
    assert "Parties and signatories" in titles(at)
    assert draft_of(at).data["number"] == "LP-2027-01"
    assert draft_of(at).data["purpose"] == "A safer lake shore."
    at.button(key="mou-nav-basics").click().run()
    assert at.text_input(key=key(at, "$.number")).value == "LP-2027-01"


def test_a_field_left_alone_never_overwrites_the_draft(workspace, callbacks_cut_short):
    at = create(start(), "lake-partnership", "Lake Partnership")
    draft_of(at).data["number"] = "changed elsewhere"  # e.g. an undo, while Basics is shown
    at.button(key="mou-nav-parties").click().run()
    assert draft_of(at).data["number"] == "changed elsewhere"

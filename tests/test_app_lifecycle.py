"""The wizard after the signature (issue 12, slice 5), through Streamlit's AppTest.

Real workspaces: signatures recorded on the Signatures page land as commits, an executed
agreement shows its state and refuses to save, "Start amendment" opens one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mou.store.lifecycle import read_record
from mou.store.workspace import Workspace
from tests.support.lifecycle import AUTHOR, sign_in_process
from tests.test_app import (
    assert_clean,
    commit,
    goto,
    open_agreement,
    ready_data,
    start,
    texts,
)
from tests.test_app import workspace as workspace

AGREEMENT = "river-partnership"
EVERYONE = ["party-a/head", "party-b/head"]


@pytest.fixture
def saved(workspace: Path) -> Path:
    commit(workspace, ready_data())
    return workspace


def _record(root: Path):
    with Workspace(root) as ws:
        return read_record(ws, AGREEMENT)


def _fill_sign_form(at, who: str, day: dt.date) -> None:
    at.selectbox(key="sign-who").set_value(who)
    at.date_input(key="sign-date").set_value(day)
    at.text_input(key="sign-name").set_value(AUTHOR.name)
    at.text_input(key="sign-email").set_value(AUTHOR.email)
    next(b for b in at.button if b.label == "Record signature").click().run()


def test_signatures_recorded_in_the_wizard_execute_the_agreement(saved: Path) -> None:
    at = open_agreement(start(), AGREEMENT)
    goto(at, "signatures")
    assert_clean(at)
    assert "Approved — ready for signature" in texts(at)
    _fill_sign_form(at, EVERYONE[0], dt.date.today())
    assert_clean(at)
    assert "awaiting party-b/head" in texts(at)
    goto(at, "signatures")
    _fill_sign_form(at, EVERYONE[1], dt.date.today())
    assert "Executed on" in texts(at)
    record = _record(saved)
    assert record.execution(0) is not None and len(record.signatures) == 2
    goto(at, "signatures")
    assert "**State:** Executed" in texts(at)


def test_a_bad_signature_is_one_line_and_nothing_is_recorded(saved: Path) -> None:
    at = open_agreement(start(), AGREEMENT)
    goto(at, "signatures")
    _fill_sign_form(at, EVERYONE[0], dt.date.today() + dt.timedelta(days=30))
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "in the future" in errors[0]
    assert _record(saved).signatures == ()


def test_an_executed_agreement_refuses_edits_and_offers_an_amendment(saved: Path) -> None:
    sign_in_process(saved, AGREEMENT, EVERYONE)
    at = open_agreement(start(), AGREEMENT)
    assert "changes go through an amendment" in texts(at)  # on the first step already
    goto(at, "review")
    assert_clean(at)
    assert not [b for b in at.button if b.label == "Save revision"]
    assert any("Not saved: executed on" in e.value for e in at.error)
    goto(at, "export")
    assert any(b.label == "Download conformed copy" for b in at.get("download_button"))
    goto(at, "signatures")
    at.text_input(key="amend-message").set_value("Add a member")
    at.text_input(key="amend-name").set_value(AUTHOR.name)
    at.text_input(key="amend-email").set_value(AUTHOR.email)
    next(b for b in at.button if b.label == "Start amendment").click().run()
    assert "Amendment No. 1 opened" in texts(at)
    assert _record(saved).open_amendment() is not None
    goto(at, "review")
    assert any(b.label == "Save revision" for b in at.button)

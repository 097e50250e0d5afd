"""Unsaved drafts survive a reload (issue 16, "nothing typed is lost"): kept on disk in
the git directory under the tab's token, brought back by a new session with that token."""

from __future__ import annotations

import secrets
import subprocess

import pytest
from streamlit.testing.v1 import AppTest

from mou.errors import MouError
from mou.store import drafts as kept
from tests.test_app import (
    APP,
    _submit,
    assert_clean,
    draft_of,
    goto,
    key,
    open_agreement,
    save,
    start,
    texts,
    with_agreement,
    workspace,
)
from tests.test_app_ux import create

__all__ = ["with_agreement", "workspace"]  # fixtures used below

RECORD = {"data": {"id": "lake-partnership", "title": "Lake"}, "base": None, "saved": None}


def token() -> str:
    return secrets.token_urlsafe(16)


def test_a_draft_is_written_read_back_and_removed_inside_the_git_dir(workspace):
    tab = token()
    kept.write(workspace, tab, "lake-partnership", RECORD)
    path = workspace / ".git" / "mou-drafts" / tab / "lake-partnership.json"
    assert path.is_file()
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    status = subprocess.run(["git", "status", "--porcelain"], cwd=workspace, capture_output=True)
    assert status.stdout == b""  # git never sees a kept draft
    assert kept.read_all(workspace, tab) == ({"lake-partnership": RECORD}, [])
    kept.remove(workspace, tab, "lake-partnership")
    assert kept.read_all(workspace, tab) == ({}, [])


@pytest.mark.parametrize("bad", ["", "short", "../../../../etc/passwd", "a" * 21 + "/", None])
def test_a_bad_token_reaches_no_path(workspace, bad):
    assert not kept.valid_token(bad)
    with pytest.raises(MouError, match="not a draft token"):
        kept.write(workspace, bad, "lake-partnership", RECORD)  # type: ignore[arg-type]


def test_an_unreadable_draft_is_skipped_with_one_line(workspace):
    tab = token()
    kept.write(workspace, tab, "lake-partnership", RECORD)
    broken = workspace / ".git" / "mou-drafts" / tab / "river-partnership.json"
    broken.write_text('{"data": ', encoding="utf-8")
    records, problems = kept.read_all(workspace, tab)
    assert list(records) == ["lake-partnership"]
    assert len(problems) == 1 and "river-partnership.json: cannot be read back" in problems[0]


def reloaded(tab: str) -> AppTest:
    """A new session of the same tab: the URL still carries its token."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["draft"] = tab
    return at.run()


def test_an_unsaved_edit_comes_back_in_a_new_session_of_the_same_tab(with_agreement):
    at = open_agreement(start(), "river-partnership")
    tab = at.session_state["mou_draft_token"]
    assert kept.valid_token(tab) and at.query_params["draft"] == tab
    at.text_area(key=key(at, "$.purpose")).set_value("Cleaner river banks.").run()
    again = reloaded(tab)
    assert_clean(again)
    assert draft_of(again).data["purpose"] == "Cleaner river banks."
    goto(again, "basics")  # the URL a reload keeps names the page
    assert again.text_area(key=key(again, "$.purpose")).value == "Cleaner river banks."
    goto(again, "agreements")
    assert "Unsaved changes in `river-partnership`" in texts(again)
    save(again, "Cleaner banks")
    assert kept.read_all(with_agreement, tab) == ({}, [])  # saved: nothing left aside


def test_a_discarded_draft_does_not_come_back(with_agreement):
    at = open_agreement(start(), "river-partnership")
    tab = at.session_state["mou_draft_token"]
    at.text_area(key=key(at, "$.purpose")).set_value("Gone soon.").run()
    assert list(kept.read_all(with_agreement, tab)[0]) == ["river-partnership"]
    goto(at, "review")
    at.checkbox(key="discard-sure").check().run()
    _submit(at, "Discard my changes")
    assert kept.read_all(with_agreement, tab) == ({}, [])
    again = goto(reloaded(tab), "basics")
    assert again.text_area(key=key(again, "$.purpose")).value != "Gone soon."


def test_a_bad_or_unknown_token_starts_empty_with_a_new_one(with_agreement):
    for bad in ("../../etc", "x" * 22):
        at = reloaded(bad)
        assert_clean(at)
        assert at.session_state["mou_drafts"] == {}
        replaced = at.query_params["draft"]
        assert replaced != bad and kept.valid_token(replaced)


def test_a_broken_kept_draft_is_named_on_the_agreements_page(with_agreement):
    tab = token()
    folder = with_agreement / ".git" / "mou-drafts" / tab
    folder.mkdir(parents=True)
    (folder / "river-partnership.json").write_text("not json", encoding="utf-8")
    at = reloaded(tab)
    assert_clean(at)
    assert "river-partnership.json: cannot be read back" in texts(at).replace("\\", "")


def test_an_unsaved_new_agreement_is_listed_again_after_a_reload(with_agreement):
    at = create(start(), "lake-partnership", "Lake Partnership")
    at.text_area(key=key(at, "$.purpose")).set_value("Safer lake shore.").run()
    again = reloaded(at.session_state["mou_draft_token"])
    assert set(again.dataframe[0].value["id"]) == {"river-partnership", "lake-partnership"}
    open_agreement(again, "lake-partnership")
    assert again.text_area(key=key(again, "$.purpose")).value == "Safer lake shore."

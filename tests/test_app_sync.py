"""The wizard shares the workspace through its git remote: Sync, conflicts, saves, sign-in."""

from __future__ import annotations

import pytest

from mou.store.workspace import Workspace
from mou.ui import state
from tests.support.remotes import AGREEMENT, clone, do_sync, load, make_remote, save_edit
from tests.support.workspaces import assert_fsck_clean, git, head
from tests.test_app import assert_clean, goto, key, open_agreement, save, start, texts


def remote_head(bare) -> str:
    return git(bare, "rev-parse", "refs/heads/main").strip()


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """A remote; the app serves alice's clone; bob works in his own."""
    bare = make_remote(tmp_path)
    alice, bob = clone(tmp_path, bare.as_uri(), "alice"), clone(tmp_path, bare.as_uri(), "bob")
    monkeypatch.setenv("MOU_WORKSPACE", str(alice))
    return bare, alice, bob


def test_sync_brings_in_incoming_changes(shared):
    bare, alice, bob = shared
    save_edit(bob, lambda d: d.update(title="Bob's title"))
    do_sync(bob)
    at = goto(start(), "agreements")
    at.button(key="sync-now").click().run()
    assert_clean(at)
    shown = texts(at)
    assert "Incoming changes:" in shown and AGREEMENT in shown
    assert head(alice) == remote_head(bare)
    assert load(alice).title == "Bob's title"


def test_a_conflict_is_settled_field_by_field_on_one_screen(shared):
    bare, alice, bob = shared
    save_edit(alice, lambda d: d.update(title="Alice's title", purpose="Alice's purpose."))
    save_edit(bob, lambda d: d.update(title="Bob's title", purpose="Bob's purpose."))
    do_sync(bob)
    before = (head(alice), remote_head(bare))
    at = goto(start(), "agreements")
    at.button(key="sync-now").click().run()
    assert_clean(at)
    shown = texts(at)
    assert "Nothing changed, here or there" in shown
    assert "Mine (Alice <alice@agency.gov>" in shown and "Theirs (Bob <bob@agency.gov>" in shown
    assert (head(alice), remote_head(bare)) == before
    radios = {r.label: r for r in at.radio}
    assert set(radios) == {"Keep for Title", "Keep for Purpose"}
    radios["Keep for Title"].set_value("theirs")
    radios["Keep for Purpose"].set_value("mine")
    at.button(key="sync-apply").click().run()
    assert_clean(at)
    agreement = load(alice)
    assert (agreement.title, agreement.purpose) == ("Bob's title", "Alice's purpose.")
    assert head(alice) == remote_head(bare)
    assert_fsck_clean(bare)


def _edit_title_and_save(at, title: str):
    open_agreement(at, AGREEMENT)
    at.text_input(key=key(at, "$.title")).set_value(title).run()
    return save(at, "Retitle")


def test_a_save_is_shared_when_the_branch_has_an_upstream(shared):
    bare, alice, bob = shared
    save_edit(bob, lambda d: d.update(purpose="Bob's purpose."))
    do_sync(bob)
    at = _edit_title_and_save(start(), "Saved in the wizard")
    assert_clean(at)
    assert "Shared:" in texts(at)
    assert head(alice) == remote_head(bare)
    do_sync(bob)
    assert (load(bob).title, load(bob).purpose) == ("Saved in the wizard", "Bob's purpose.")


def test_sharing_after_a_save_can_be_turned_off(shared, monkeypatch):
    bare, alice, _ = shared
    monkeypatch.setenv("MOU_SYNC_AFTER_SAVE", "0")
    before = remote_head(bare)
    at = _edit_title_and_save(start(), "Kept here")
    assert_clean(at)
    assert load(alice).title == "Kept here"
    assert remote_head(bare) == before


def test_behind_a_proxy_the_saver_is_the_signed_in_person(shared, monkeypatch):
    _, alice, _ = shared
    monkeypatch.setenv("MOU_SYNC_AFTER_SAVE", "0")
    monkeypatch.setenv("MOU_TRUSTED_EMAIL_HEADER", "X-Forwarded-Email")
    monkeypatch.setenv("MOU_TRUSTED_NAME_HEADER", "X-Forwarded-User")
    headers = {"X-Forwarded-Email": "carol@agency.gov", "X-Forwarded-User": "Carol Proxy"}
    monkeypatch.setattr(state, "request_headers", lambda: headers)
    at = start()
    open_agreement(at, AGREEMENT)
    at.text_input(key=key(at, "$.title")).set_value("Signed in").run()
    goto(at, "review")
    assert not [t for t in at.text_input if t.key in ("save-name", "save-email")]
    assert "Saving as **Carol Proxy** (carol@agency.gov)" in texts(at)
    at.text_input(key="save-message").set_value("Retitle")
    next(b for b in at.button if b.label == "Save revision").click().run()
    assert_clean(at)
    with Workspace(alice) as ws:
        latest = ws.history(AGREEMENT)[0]
    assert (latest.author, latest.email) == ("Carol Proxy", "carol@agency.gov")


def test_behind_a_proxy_a_request_without_identity_cannot_save(shared, monkeypatch):
    _, alice, _ = shared
    monkeypatch.setenv("MOU_TRUSTED_EMAIL_HEADER", "X-Forwarded-Email")
    monkeypatch.setattr(state, "request_headers", lambda: {})
    before = head(alice)
    at = start()
    open_agreement(at, AGREEMENT)
    at.text_input(key=key(at, "$.title")).set_value("Sneaked in").run()
    goto(at, "review")
    assert_clean(at)
    assert "the sign-in proxy did not say who you are (no X-Forwarded-Email header)" in texts(at)
    assert not [b for b in at.button if b.label == "Save revision"]
    assert head(alice) == before

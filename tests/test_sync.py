"""`mou sync` against a real remote: a bare repository over file://, and git daemon on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mou.errors import MouError, UsageError
from mou.store.sync import SyncConflict
from mou.store.workspace import Workspace
from mou.validate import validate_data
from tests.support.colleague import colleague_commit_during
from tests.support.remotes import (
    AGREEMENT,
    agreement_data,
    clone,
    do_sync,
    git_daemon,
    git_http,
    load,
    make_remote,
    person,
    save_edit,
    stop,
)
from tests.support.runner import ROOT, snapshot
from tests.support.workspaces import assert_fsck_clean, git, head


def remote_head(bare: Path) -> str:
    return git(bare, "rev-parse", "refs/heads/main").strip()


def retitle(title: str):
    return lambda data: data.update(title=title)


def reword_duty(party: str, text: str):
    def change(data):
        next(r for r in data["responsibilities"] if r["id"] == f"duty-{party}")["text"] = text

    return change


@pytest.fixture
def pair(tmp_path):
    """A remote and two clones of it, alice's and bob's."""
    bare = make_remote(tmp_path)
    url = bare.as_uri()
    return bare, clone(tmp_path, url, "alice"), clone(tmp_path, url, "bob")


def test_edits_of_different_fields_reach_both_clones(pair, mou):
    bare, alice, bob = pair
    save_edit(alice, retitle("Metro Violent Crime Task Force"), message="Retitle")
    save_edit(bob, reword_duty("b", "Party B assigns two detectives."), message="Detectives")
    assert do_sync(alice).outcome == "pushed"
    result = mou("sync", "--workspace", str(bob))
    assert result.returncode == 0, result.stderr
    assert b"merged field by field: metro-tf" in result.stdout
    assert do_sync(alice).outcome == "fast-forwarded"
    for root in (alice, bob):
        agreement = load(root)
        assert agreement.title == "Metro Violent Crime Task Force"
        assert agreement.responsibilities[1].text == "Party B assigns two detectives."
        assert head(root) == remote_head(bare)
        assert git(root, "status", "--porcelain") == ""  # files and index followed
        assert_fsck_clean(root)
    assert_fsck_clean(bare)
    authors = git(bare, "log", "--format=%an|%cn|%s", "main").splitlines()
    assert "Alice|mou|Retitle" in authors and "Bob|mou|Detectives" in authors
    merge = git(bare, "log", "-1", "--format=%an|%cn|%P|%B", "main")
    assert merge.startswith("Bob|mou|") and len(merge.split("|")[2].split()) == 2
    assert "Merged: metro-tf" in merge


def test_in_step_is_exit_zero_and_changes_nothing(pair, mou):
    bare, alice, _ = pair
    before = remote_head(bare)
    result = mou("sync", "--workspace", str(alice), "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["outcome"] == "in step"
    assert remote_head(bare) == before == head(alice)


def test_same_field_is_a_conflict_and_nothing_changes_anywhere(pair, mou):
    bare, alice, bob = pair
    save_edit(alice, retitle("Alice's title"))
    do_sync(alice)
    save_edit(bob, retitle("Bob's title"))
    save_edit(bob, reword_duty("c", "Party C provides analysts."))
    before = (head(bob), snapshot(bob), git(bob, "ls-files", "-s"), remote_head(bare))
    result = mou("sync", "--workspace", str(bob))
    assert result.returncode == 3
    lines = result.stderr.decode().splitlines()
    assert any(
        "agreements/metro-tf.yaml: $.title:" in line
        and "mine (Bob <bob@agency.gov>" in line
        and '"Bob\'s title"' in line
        and "theirs (Alice <alice@agency.gov>" in line
        and '"Alice\'s title"' in line
        for line in lines
    ), lines
    assert "nothing changed" in lines[-1]
    assert (head(bob), snapshot(bob), git(bob, "ls-files", "-s"), remote_head(bare)) == before
    as_json = mou("sync", "--workspace", str(bob), "--json")
    assert as_json.returncode == 3
    [found] = json.loads(as_json.stdout)["conflicts"]
    assert found["id"] == AGREEMENT
    assert found["conflicts"][0]["mine"] == "Bob's title"
    assert found["conflicts"][0]["theirs"] == "Alice's title"

    settled = mou("sync", "--workspace", str(bob), "--prefer", "theirs")
    assert settled.returncode == 0, settled.stderr
    assert b"settled: agreements/metro-tf.yaml: $.title" in settled.stdout
    agreement = load(bob)
    assert agreement.title == "Alice's title"  # the conflicting field, one way
    assert agreement.responsibilities[2].text == "Party C provides analysts."  # the rest merged
    assert remote_head(bare) == head(bob)


def test_prefer_mine_keeps_my_value(pair):
    _, alice, bob = pair
    save_edit(alice, retitle("Alice's title"))
    do_sync(alice)
    save_edit(bob, retitle("Bob's title"))
    assert do_sync(bob, prefer="mine").outcome == "merged"
    assert do_sync(alice).outcome == "fast-forwarded"
    assert load(alice).title == "Bob's title"


def test_prose_edits_merge_by_words_unless_they_overlap(pair):
    _, alice, bob = pair
    save_edit(alice, lambda d: d.update(purpose=d["purpose"].replace("join forces", "unite")))
    do_sync(alice)
    save_edit(bob, lambda d: d.update(purpose=d["purpose"].replace("sharing data", "sharing")))
    do_sync(bob)
    assert load(bob).purpose == (
        "The parties unite to reduce violent crime in the metro region by sharing."
    )
    save_edit(alice, lambda d: d.update(purpose=d["purpose"].replace("unite", "cooperate")))
    do_sync(bob)
    save_edit(bob, lambda d: d.update(purpose=d["purpose"].replace("unite", "ally")))
    with pytest.raises(SyncConflict) as caught:
        do_sync(alice)
        do_sync(bob)
    assert caught.value.files[0].conflicts[0]["path"] == "$.purpose"


def test_an_invalid_merge_is_a_conflict(tmp_path):
    data = agreement_data()
    data["funding"]["cost_shares"] = [
        {"party": "party-a", "percent": 50},
        {"party": "party-b", "percent": 50},
    ]
    data["funding"]["joint_costs"] = "Rent of the shared office."
    bare = make_remote(tmp_path, [data])
    alice, bob = clone(tmp_path, bare.as_uri(), "alice"), clone(tmp_path, bare.as_uri(), "bob")

    def join_c(from_index: int):
        def change(d):
            d["funding"]["cost_shares"][from_index]["percent"] = 30
            d["funding"]["cost_shares"].append({"party": "party-c", "percent": 20})

        return change

    save_edit(alice, join_c(0))
    do_sync(alice)
    save_edit(bob, join_c(1))
    before = (head(bob), remote_head(bare))
    with pytest.raises(SyncConflict) as caught:
        do_sync(bob)
    assert "invalid" in caught.value.files[0].conflicts[0]["reason"]
    assert (head(bob), remote_head(bare)) == before


def test_reorder_on_one_side_and_edit_on_the_other(pair):
    _, alice, bob = pair
    save_edit(alice, lambda d: d["responsibilities"].reverse())
    do_sync(alice)
    save_edit(bob, reword_duty("a", "Party A leads."))
    do_sync(bob)
    agreement = load(bob)
    assert [r.id for r in agreement.responsibilities] == ["duty-c", "duty-b", "duty-a"]
    assert agreement.responsibilities[2].text == "Party A leads."


def test_unsaved_edits_in_the_way_refuse_before_anything_moves(pair, mou):
    bare, alice, bob = pair
    save_edit(alice, retitle("Alice's title"))
    do_sync(alice)
    path = bob / "agreements" / f"{AGREEMENT}.yaml"
    path.write_text(path.read_text().replace("Metro Task Force", "Typing, not saved"))
    before = (head(bob), snapshot(bob), remote_head(bare))
    result = mou("sync", "--workspace", str(bob))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert b"agreements/metro-tf.yaml: has changes not saved" in result.stderr
    assert (head(bob), snapshot(bob), remote_head(bare)) == before


def test_a_new_agreement_on_the_remote_arrives_as_a_file(pair):
    _, alice, bob = pair
    with_new = agreement_data("second-tf")
    with Workspace(alice) as ws:
        ws.save(validate_data(with_new), "New agreement", person("alice"), new=True)
    do_sync(alice)
    save_edit(bob, retitle("Bob's"))
    result = do_sync(bob)
    assert result.incoming == ["second-tf"] and result.outgoing == [AGREEMENT]
    assert (bob / "agreements" / "second-tf.yaml").is_file()
    assert git(bob, "status", "--porcelain") == ""


def test_unreachable_remote_is_one_line_and_nothing_changes(pair, mou, tmp_path):
    bare, _, bob = pair
    save_edit(bob, retitle("Bob's"))
    git(bob, "remote", "set-url", "origin", (tmp_path / "gone.git").as_uri())
    before = (head(bob), snapshot(bob))
    result = mou("sync", "--workspace", str(bob))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(b"origin: cannot fetch from the remote: ")
    assert (head(bob), snapshot(bob)) == before
    git(bob, "remote", "set-url", "origin", bare.as_uri())
    assert do_sync(bob).outcome == "pushed"


def test_unknown_remote_name_is_a_usage_error(pair, mou):
    _, alice, _ = pair
    result = mou("sync", "--workspace", str(alice), "--remote", "--upload-pack=touch x")
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        "--remote '--upload-pack=touch x': no such remote (configured: origin)"
    ]
    with pytest.raises(UsageError):
        do_sync(alice, remote="upstream")


def test_a_push_refused_because_the_remote_moved_is_retried(tmp_path):
    bare = make_remote(tmp_path)
    url = bare.as_uri()
    alice, carol = clone(tmp_path, url, "alice"), clone(tmp_path, url, "carol")
    save_edit(carol, reword_duty("c", "Carol's edit."))  # waiting to push
    save_edit(alice, retitle("Alice's title"))
    # Alice's pre-push hook lets Carol push first, once: Alice's push is then refused.
    hook = alice / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e '{tmp_path}/raced' ] && exit 0\n"
        f"touch '{tmp_path}/raced'\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"git -C '{carol}' push --quiet origin main >/dev/null 2>&1\n"
    )
    hook.chmod(0o755)
    result = do_sync(alice)
    assert (tmp_path / "raced").exists()
    assert result.rounds == 2 and result.outcome == "merged"
    assert load(alice).title == "Alice's title"
    assert load(alice).responsibilities[2].text == "Carol's edit."
    assert remote_head(bare) == head(alice)
    assert_fsck_clean(bare)


def test_a_push_that_fails_loses_nothing_and_the_next_sync_completes(pair, mou):
    bare, alice, bob = pair
    save_edit(alice, retitle("Alice's title"))
    do_sync(alice)
    save_edit(bob, reword_duty("b", "Bob's edit."))
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the server is down for maintenance' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = (head(bob), snapshot(bob), remote_head(bare))
    result = mou("sync", "--workspace", str(bob))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert b"origin: push failed:" in result.stderr
    assert (head(bob), snapshot(bob), remote_head(bare)) == before
    hook.unlink()
    assert do_sync(bob).outcome == "merged"
    assert load(bob).title == "Alice's title"
    assert_fsck_clean(bare)
    assert_fsck_clean(bob)


def test_over_the_network_a_killed_server_loses_nothing(tmp_path):
    bare = make_remote(tmp_path)
    with git_daemon(tmp_path) as (base_url, _):
        url = f"{base_url}/{bare.name}"
        alice, bob = clone(tmp_path, url, "alice"), clone(tmp_path, url, "bob")
        save_edit(alice, retitle("Alice's title"))
        assert do_sync(alice).outcome == "pushed"
    save_edit(bob, reword_duty("b", "Bob's edit."))
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ntouch '{tmp_path}/pushing'\nsleep 30\n")
    hook.chmod(0o755)
    before = (head(bob), snapshot(bob), remote_head(bare))
    with git_daemon(tmp_path) as (base_url, daemon):
        git(bob, "remote", "set-url", "origin", f"{base_url}/{bare.name}")

        def kill_when_pushing() -> None:
            deadline = time.monotonic() + 60
            while not (tmp_path / "pushing").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            stop(daemon)

        killer = threading.Thread(target=kill_when_pushing)
        killer.start()
        with pytest.raises(MouError) as caught:
            do_sync(bob)
        killer.join()
    assert caught.value.message.startswith("origin: push failed:")
    assert (head(bob), snapshot(bob), remote_head(bare)) == before
    assert_fsck_clean(bare)
    hook.unlink()
    with git_daemon(tmp_path) as (base_url, _):
        git(bob, "remote", "set-url", "origin", f"{base_url}/{bare.name}")
        assert do_sync(bob).outcome == "merged"
    assert load(bob).title == "Alice's title"
    assert remote_head(bare) == head(bob)
    assert_fsck_clean(bare)


def test_a_sync_killed_after_moving_the_branch_is_finished_by_the_next(pair):
    """The journal a killed sync leaves: the next one brings the files and index up."""
    _, alice, bob = pair
    save_edit(alice, retitle("Alice's title"))
    do_sync(alice)
    git(bob, "fetch", "--quiet", "origin")
    old, new = head(bob), git(bob, "rev-parse", "origin/main").strip()
    # As if killed right after the compare-and-swap: branch moved, files and index not.
    (bob / ".git" / "mou-sync-pending.json").write_text(
        json.dumps({"old": old, "new": new, "token": "f" * 32})
    )
    (bob / ".git" / "index.lock").write_text("f" * 32)
    git(bob, "update-ref", "refs/heads/main", new, old)
    assert do_sync(bob).outcome == "in step"
    assert not (bob / ".git" / "index.lock").exists()
    assert git(bob, "status", "--porcelain") == ""
    assert "Alice's title" in (bob / "agreements" / f"{AGREEMENT}.yaml").read_text()


REPLICA = r"""
import json, sys
from pathlib import Path
from mou.errors import MouError
from tests.support.remotes import do_sync, save_edit

root, party, rounds, record = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]

def reword(text):
    def change(data):
        next(r for r in data["responsibilities"] if r["id"] == f"duty-{party}")["text"] = text
    return change

with open(record, "a") as out:
    for n in range(rounds):
        text = f"Replica {party} round {n}."
        revision = save_edit(root, reword(text), message=text)
        try:
            outcome = do_sync(root).outcome
        except MouError as err:
            outcome = "failed: " + err.message
        out.write(json.dumps({"revision": revision, "text": text, "sync": outcome}) + "\n")
        out.flush()
"""


def test_three_replicas_saving_and_syncing_at_once_lose_no_save(tmp_path):
    bare = make_remote(tmp_path)
    replicas = {p: clone(tmp_path, bare.as_uri(), f"replica-{p}") for p in "abc"}
    records = {p: tmp_path / f"record-{p}.jsonl" for p in "abc"}
    rounds = 10
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", REPLICA, str(root), p, str(rounds), str(records[p])],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for p, root in replicas.items()
    ]
    assert all(worker.wait(timeout=600) == 0 for worker in workers)
    for root in replicas.values():  # whoever failed a round (the remote kept moving) catches up
        do_sync(root)
    for root in replicas.values():
        do_sync(root)
    final = remote_head(bare)
    outcomes = [
        json.loads(line)["sync"] for r in records.values() for line in r.read_text().splitlines()
    ]
    assert "merged" in outcomes  # the replicas did race
    for p, root in replicas.items():
        saves = [json.loads(line) for line in records[p].read_text().splitlines()]
        assert len(saves) == rounds
        for save in saves:  # every save is in the remote's history
            git(bare, "merge-base", "--is-ancestor", save["revision"], final)
        assert head(root) == final
        texts = {r.id: r.text for r in load(root).responsibilities}
        assert texts == {f"duty-{q}": f"Replica {q} round {rounds - 1}." for q in "abc"}
        assert git(root, "status", "--porcelain") == ""
    assert_fsck_clean(bare)


def test_the_first_sync_to_an_empty_remote_pushes_everything(tmp_path, mou):
    bare = make_remote(tmp_path)
    alice = clone(tmp_path, bare.as_uri(), "alice")
    empty = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", str(empty))
    git(alice, "remote", "add", "fresh", empty.as_uri())
    result = do_sync(alice, remote="fresh")
    assert result.outcome == "pushed" and result.outgoing == [AGREEMENT]
    assert git(empty, "rev-parse", "refs/heads/main").strip() == head(alice)
    assert do_sync(alice, remote="fresh").outcome == "in step"


def test_a_malformed_author_is_refused_before_anything_runs(pair, mou):
    bare, alice, _ = pair
    save_edit(alice, retitle("Alice's"))
    result = mou("sync", "--workspace", str(alice), "--author", "nobody")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(b"--author 'nobody': give a name and an e-mail address")
    assert remote_head(bare) != head(alice)


def _killed_after_writing_alices_agreement(pair, token: str) -> tuple[str, Path, str]:
    """Alice's sync landed; Bob's was killed after writing her agreement into his
    workspace, before moving his branch. Gives his branch, the file and its old text."""
    _, alice, bob = pair
    save_edit(alice, retitle("Alice's title"))
    do_sync(alice)
    git(bob, "fetch", "--quiet", "origin")
    old, new = head(bob), git(bob, "rev-parse", "origin/main").strip()
    (bob / ".git" / "mou-sync-pending.json").write_text(
        json.dumps({"old": old, "new": new, "token": token})
    )
    path = bob / "agreements" / f"{AGREEMENT}.yaml"
    before = path.read_text()
    path.write_text(git(bob, "show", f"{new}:agreements/{AGREEMENT}.yaml"))
    return old, path, before


def _sync_with_the_remote_away(root: Path) -> None:
    """A sync that cannot reach the remote: it fails, but only after undoing a killed one."""
    url = git(root, "remote", "get-url", "origin").strip()
    git(root, "remote", "set-url", "origin", url + "-gone")
    with pytest.raises(MouError):
        do_sync(root)
    git(root, "remote", "set-url", "origin", url)


def test_a_sync_killed_before_moving_the_branch_is_undone_by_the_next(pair):
    """Files written ahead of the branch go back, so nothing stands in the next sync's way."""
    bob = pair[2]
    _, path, before = _killed_after_writing_alices_agreement(pair, "e" * 32)
    _sync_with_the_remote_away(bob)
    assert path.read_text() == before
    assert git(bob, "status", "--porcelain") == ""
    assert not (bob / ".git" / "mou-sync-pending.json").exists()
    assert do_sync(bob).outcome == "fast-forwarded"
    assert load(bob).title == "Alice's title"


def test_over_smart_http_two_clones_merge_by_field(tmp_path):
    bare = make_remote(tmp_path)
    with git_http(tmp_path) as base_url:
        url = f"{base_url}/{bare.name}"
        alice, bob = clone(tmp_path, url, "alice"), clone(tmp_path, url, "bob")
        save_edit(alice, retitle("Alice's title"))
        save_edit(bob, reword_duty("b", "Bob's edit."))
        assert do_sync(alice).outcome == "pushed"
        assert do_sync(bob).outcome == "merged"
        assert do_sync(alice).outcome == "fast-forwarded"
    for root in (alice, bob):
        agreement = load(root)
        assert agreement.title == "Alice's title"
        assert agreement.responsibilities[1].text == "Bob's edit."
        assert head(root) == remote_head(bare)
    assert_fsck_clean(bare)


@pytest.mark.parametrize("bob_edits", [False, True], ids=["fast-forward", "merge"])
def test_a_plain_commit_as_the_sync_moves_the_branch_does_not_revert_it(
    pair, tmp_path, monkeypatch, bob_edits
):
    # Issue 10: the sync moved the branch before it put the new index in place, so a
    # colleague's `git commit` reading HEAD just after the move and the index just before
    # committed the old agreement on top of the sync. Now the index goes first, with the
    # branch locked by git meanwhile, as in a save.
    _, alice, bob = pair
    save_edit(alice, retitle("Alice's title"))
    do_sync(alice)
    if bob_edits:
        save_edit(bob, reword_duty("b", "Bob's own wording."))
    colleague = colleague_commit_during(bob, tmp_path, monkeypatch, ref="refs/heads/main")
    result = do_sync(bob)
    assert result.outcome == ("merged" if bob_edits else "fast-forwarded")
    assert colleague.started(), "the colleague's commit never started"
    assert colleague.finish() == "0", colleague.log()
    # The colleague's commit landed on the sync's and brought only the note.
    assert git(bob, "rev-parse", "HEAD~1").strip() == result.revision
    assert git(bob, "show", "--name-only", "--format=", "HEAD").split() == ["notes.txt"]
    assert load(bob).title == "Alice's title"
    if bob_edits:
        texts = {r.id: r.text for r in load(bob).responsibilities}
        assert texts["duty-b"] == "Bob's own wording."
    assert git(bob, "status", "--porcelain", "--", "agreements") == ""


def test_a_sync_killed_after_staging_before_moving_the_branch_is_undone_by_the_next(pair):
    """Killed with the files written and the index staged but the branch not moved: the
    next sync puts both back, so no commit can carry the incoming content by accident."""
    bob = pair[2]
    old, path, before = _killed_after_writing_alices_agreement(pair, "d" * 32)
    git(bob, "add", str(path))
    (bob / ".git" / "index.lock").write_text("d" * 32)
    _sync_with_the_remote_away(bob)
    assert path.read_text() == before
    assert git(bob, "status", "--porcelain") == ""
    assert head(bob) == old

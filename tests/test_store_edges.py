"""Saves at the edges (issue 10): plain git alongside, odd trees, filters, locks, policy.

Each test pins one way a save on the main branch could be undone, written outside the
workspace, stored unfiltered, steal a live git's lock or skip the repository's rules.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mou.errors import ConflictError, MouError
from mou.store import gitlocks
from mou.store import workspace as store_workspace
from mou.store.create import init_workspace
from mou.store.workspace import Workspace
from tests.support.workspaces import AUTHOR, draft, git, head, make_workspace, read_only

ROOT = Path(__file__).resolve().parent.parent
AGREEMENT = "agreements/metro-tf.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


@pytest.fixture
def ws(root: Path) -> Iterator[Workspace]:
    workspace = Workspace(root)
    yield workspace
    workspace.close()


def _hook(root: Path, name: str, body: str) -> Path:
    hook = root / ".git" / "hooks" / name
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)
    return hook


def _committed(root: Path) -> str:
    return git(root, "show", f"HEAD:{AGREEMENT}")


# ---------------------------------------------------------------------- item 2: plain git


def test_a_plain_commit_right_after_the_branch_moves_does_not_undo_the_save(
    ws: Workspace, root: Path
) -> None:
    # Issue 10, item 2: the save moved the branch before the index; a `git add; git commit`
    # landing in between committed the old index on top and so reverted the save. The
    # reference-transaction hook runs exactly there, once the branch has moved.
    ws.save(draft("metro-tf"), "First", AUTHOR)
    _hook(
        root,
        "reference-transaction",
        '[ "$1" = committed ] || exit 0\n'
        "[ -e .git/raced ] && exit 0\n"
        "touch .git/raced\n"
        "echo note > notes.txt\n"
        "git add notes.txt && git commit -qm 'plain commit'\n"
        "exit 0\n",
    )
    saved = ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    assert (root / ".git" / "raced").exists(), "the racing commit was not attempted"
    assert "title: Renamed" in _committed(root)
    assert saved.revision in git(root, "rev-list", "HEAD").split()
    assert git(root, "status", "--porcelain", "--", "agreements") == ""


# ---------------------------------------------------------------------- item 3: file not updated


def test_a_save_whose_working_file_cannot_be_written_is_reported_as_saved(
    ws: Workspace, root: Path
) -> None:
    # Issue 10, item 3: the commit had landed, yet the save said "cannot write here".
    ws.save(draft("metro-tf"), "First", AUTHOR)
    before = (root / AGREEMENT).read_bytes()
    with read_only(root / "agreements"):
        saved = ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    assert saved.created and saved.revision == head(root)
    assert saved.workspace_file_error and "agreements" in saved.workspace_file_error
    assert "title: Renamed" in _committed(root)
    assert (root / AGREEMENT).read_bytes() == before  # stale, as reported
    # The index follows the commit: a plain `git commit` now cannot revert the save.
    assert git(root, "diff", "--cached", "--name-only") == ""


def test_a_full_disk_while_writing_the_working_file_is_reported_as_saved(
    ws: Workspace, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.save(draft("metro-tf"), "First", AUTHOR)

    def disk_full(path: Path, data: bytes) -> None:
        raise MouError(f"{path}: cannot write here: No space left on device")

    monkeypatch.setattr(store_workspace, "write_no_follow", disk_full)
    saved = ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    assert saved.created and "No space left on device" in (saved.workspace_file_error or "")
    assert "title: Renamed" in _committed(root)


def test_saving_the_stale_working_file_again_never_reverts_the_save(
    ws: Workspace, root: Path
) -> None:
    # Issue 10, item 3: a retry committed the stale working file and silently undid the save.
    from mou.validate import load_file

    ws.save(draft("metro-tf"), "First", AUTHOR)
    with read_only(root / "agreements"):
        landed = ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    stale = load_file(root / AGREEMENT)
    with pytest.raises(ConflictError, match=f"undo that revision.*--base {landed.revision[:10]}"):
        ws.save(stale, "Retry", AUTHOR)
    assert head(root) == landed.revision
    undone = ws.save(stale, "Undo the rename on purpose", AUTHOR, base=landed.revision)
    assert undone.created and "title: Metro Task Force" in _committed(root)


def test_undoing_a_plain_git_commit_needs_no_base(ws: Workspace, root: Path) -> None:
    # Only a mou save can leave a stale working file behind; putting back what a plain
    # commit replaced (a broken file, say) is a repair and stays allowed.
    first = ws.save(draft("metro-tf"), "First", AUTHOR)
    (root / AGREEMENT).write_text(_committed(root).replace("Metro Task Force", "Edited"))
    git(root, "commit", "-qam", "edited with plain git")
    repaired = ws.save(draft("metro-tf"), "Put the title back", AUTHOR)
    assert repaired.created and ws.load("metro-tf", first.revision).raw == _committed(root).encode()


# ---------------------------------------------------------------------- item 5: not a file


def _commit_link(root: Path, target: Path) -> None:
    (root / AGREEMENT).symlink_to(target)
    git(root, "add", AGREEMENT)
    git(root, "commit", "-qm", "a link where an agreement goes")


def test_a_committed_symbolic_link_is_never_written_through(
    ws: Workspace, root: Path, tmp_path: Path
) -> None:
    # Issue 10, item 5: the save followed agreements/x.yaml -> /anywhere and wrote there.
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    _commit_link(root, outside)
    before = head(root)
    with pytest.raises(MouError, match="is committed as a symbolic link, not a file") as err:
        ws.save(draft("metro-tf"), "First", AUTHOR)
    assert "\n" not in str(err.value)
    with pytest.raises(
        ConflictError, match=re.escape("already exists (committed as a symbolic link)")
    ):
        ws.save(draft("metro-tf"), "First", AUTHOR, new=True)
    assert outside.read_text() == "not yours\n" and head(root) == before
    assert (root / AGREEMENT).is_symlink()


def test_a_submodule_at_an_agreements_path_is_not_replaced(ws: Workspace, root: Path) -> None:
    # Issue 10, item 5: a gitlink at agreements/x.yaml was silently replaced by the save.
    link = f"160000,{'1' * 40},{AGREEMENT}"
    git(root, "update-index", "--add", "--cacheinfo", link)
    git(root, "commit", "-qm", "a submodule where an agreement goes")
    before = head(root)
    with pytest.raises(MouError, match="is committed as a submodule, not a file"):
        ws.save(draft("metro-tf"), "First", AUTHOR)
    assert head(root) == before


def test_a_symbolic_link_in_the_working_tree_refuses_the_save(
    ws: Workspace, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    (root / AGREEMENT).symlink_to(outside)  # never committed
    before = head(root)
    with pytest.raises(MouError, match="is a symbolic link in the working tree"):
        ws.save(draft("metro-tf"), "First", AUTHOR)
    with pytest.raises(ConflictError, match="already exists in the working tree"):
        ws.save(draft("metro-tf"), "First", AUTHOR, new=True)
    assert outside.read_text() == "not yours\n" and head(root) == before


def test_an_agreements_folder_that_is_a_link_refuses_the_save(
    ws: Workspace, root: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "agreements" / ".gitkeep").unlink()
    (root / "agreements").rmdir()
    (root / "agreements").symlink_to(elsewhere)
    with pytest.raises(MouError, match="agreements: is a symbolic link in the working tree"):
        ws.save(draft("metro-tf"), "First", AUTHOR)
    assert list(elsewhere.iterdir()) == []


# ---------------------------------------------------------------------- item 6: filters


def test_a_clean_filter_on_agreements_refuses_the_save(ws: Workspace, root: Path) -> None:
    # Issue 10, item 6: a save stored plaintext where .gitattributes asked for a filter
    # (git-crypt, LFS); here a real one that reverses every line.
    git(root, "config", "filter.reverse.clean", "rev")
    git(root, "config", "filter.reverse.smudge", "rev")
    (root / ".gitattributes").write_text("agreements/*.yaml filter=reverse\n")
    git(root, "add", ".gitattributes")
    git(root, "commit", "-qm", "reverse agreements in the repository")
    before = head(root)
    with pytest.raises(MouError, match="gives it filter=reverse") as err:
        ws.save(draft("metro-tf"), "First", AUTHOR)
    assert str(err.value).startswith(f"{AGREEMENT}: ") and "\n" not in str(err.value)
    assert head(root) == before
    assert not (root / AGREEMENT).exists()


# ---------------------------------------------------------------------- item 8: git's locks


@pytest.fixture
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gitlocks, "GIT_LOCK_WAIT_S", 0.5)


def test_a_live_git_commands_index_lock_is_never_removed(
    ws: Workspace, root: Path, short_lock_wait: None
) -> None:
    # Issue 10, item 8: mou deleted an index.lock older than 2 s, even one a running git held.
    ws.save(draft("metro-tf"), "First", AUTHOR)
    lock = root / ".git" / "index.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "open(sys.argv[1], 'x').close(); print('held', flush=True); time.sleep(60)",
         str(lock)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        os.utime(lock, (time.time() - 60, time.time() - 60))  # a long `git add`, say
        before = head(root)
        with pytest.raises(MouError, match="git is busy") as err:
            ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
        message = str(err.value)
        assert "\n" not in message and str(lock) in message and f"rm '{lock}'" in message
        assert lock.exists() and holder.poll() is None
        assert head(root) == before
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    lock.unlink()
    assert ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR).created


def test_a_git_ref_lock_nobody_can_vouch_for_is_reported_not_removed(
    ws: Workspace, root: Path, short_lock_wait: None
) -> None:
    # A lock names no owner: an old one may still belong to a running git command.
    ws.save(draft("metro-tf"), "First", AUTHOR)
    branch = git(root, "symbolic-ref", "HEAD").strip()
    lock = root / ".git" / f"{branch}.lock"
    lock.write_text("")
    os.utime(lock, (time.time() - 60, time.time() - 60))
    before = head(root)
    with pytest.raises(MouError, match="git is busy") as err:
        ws.save(draft("metro-tf", title="Next"), "Next", AUTHOR)
    assert f"rm '{lock}'" in str(err.value) and lock.exists()
    assert head(root) == before and not (root / ".git" / "index.lock").exists()
    assert git(root, "status", "--porcelain") == ""


# A save killed at a chosen point: argv[2] names the method that kills it, as SIGKILL would
# (no clean-up at all).
KILLED_AT = r"""
import os, sys
from pathlib import Path
from mou.store import git as store_git
from mou.store.workspace import Workspace
from tests.support.workspaces import AUTHOR, draft

def killed(*args, **kwargs):
    os._exit(9)

if sys.argv[2] == "commit":
    store_git.PreparedRefUpdate.commit = killed
else:
    setattr(Workspace, sys.argv[2], killed)
with Workspace(Path(sys.argv[1])) as ws:
    ws.save(draft("metro-tf", title="Landed"), "Landed", AUTHOR)
"""


def _killed_save(root: Path, at: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", KILLED_AT, str(root), at], env=env)
    assert done.returncode == 9


def test_the_index_lock_of_a_killed_save_is_cleared_by_the_next(ws: Workspace, root: Path) -> None:
    # The one lock mou may remove: its own, left by a writer that died holding it (here
    # with the new index entry built, before git's lock on the branch was taken).
    ws.save(draft("metro-tf"), "First", AUTHOR)
    before = head(root)
    _killed_save(root, "_prepare_move")
    assert (root / ".git" / "index.lock").exists() and head(root) == before
    ws.save(draft("other-tf"), "Next save", AUTHOR)
    assert not (root / ".git" / "index.lock").exists()
    assert "title: Landed" not in _committed(root)
    assert git(root, "status", "--porcelain") == ""


def test_a_save_killed_between_staging_and_moving_the_branch_is_undone(
    ws: Workspace, root: Path
) -> None:
    # The index takes the new entry before the branch moves; killed in between, git sees
    # update-ref's input end and leaves the branch, and the next save puts the entry back.
    ws.save(draft("metro-tf"), "First", AUTHOR)
    before = head(root)
    _killed_save(root, "commit")
    assert head(root) == before and "title: Landed" not in _committed(root)
    assert git(root, "diff", "--cached", "--name-only").strip() == AGREEMENT  # staged only
    ws.save(draft("other-tf"), "Next save", AUTHOR)
    assert "title: Landed" not in _committed(root)
    assert git(root, "status", "--porcelain") == ""


def test_a_save_killed_after_moving_the_branch_is_finished_by_the_next(
    ws: Workspace, root: Path
) -> None:
    ws.save(draft("metro-tf"), "First", AUTHOR)
    _killed_save(root, "_update_working_file")
    assert "title: Landed" in _committed(root)
    assert not (root / ".git" / "index.lock").exists()  # released before the branch moved
    ws.save(draft("other-tf"), "Next save", AUTHOR)
    assert "title: Landed" in (root / AGREEMENT).read_text()
    assert git(root, "status", "--porcelain") == ""


# ---------------------------------------------------------------------- item 9: policy


def _signing_key(root: Path, tmp_path: Path) -> Path:
    key = tmp_path / "signing-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed-signers"
    allowed.write_text(f"{AUTHOR.email} {(tmp_path / 'signing-key.pub').read_text()}")
    git(root, "config", "gpg.format", "ssh")
    git(root, "config", "user.signingkey", str(key))
    git(root, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    git(root, "config", "commit.gpgsign", "true")
    return key


def test_commit_gpgsign_signs_the_save(ws: Workspace, root: Path, tmp_path: Path) -> None:
    # Issue 10, item 9: with commit.gpgsign=true the saves were unsigned.
    _signing_key(root, tmp_path)
    saved = ws.save(draft("metro-tf"), "First", AUTHOR)
    checked = subprocess.run(
        ["git", "verify-commit", saved.revision], cwd=root, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "Good" in checked.stderr


def test_init_signs_its_commit_too(tmp_path: Path) -> None:
    root = tmp_path / "agency"
    root.mkdir()
    git(root, "init", "-q")
    _signing_key(root, tmp_path)
    assert init_workspace(root) is True
    checked = subprocess.run(["git", "verify-commit", "HEAD"], cwd=root, capture_output=True)
    assert checked.returncode == 0, checked.stderr


def test_a_signature_that_cannot_be_made_refuses_the_save(
    ws: Workspace, root: Path, tmp_path: Path
) -> None:
    key = _signing_key(root, tmp_path)
    key.unlink()
    before = head(root)
    with pytest.raises(
        MouError, match=re.escape("commit.gpgsign is set and the commit could not be signed")
    ):
        ws.save(draft("metro-tf"), "First", AUTHOR)
    assert head(root) == before and not (root / AGREEMENT).exists()


def test_a_signing_program_that_hangs_is_stopped_and_refuses_the_save(
    ws: Workspace, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A key that waits for a passphrase nobody will type must not hang the save.
    _signing_key(root, tmp_path)
    program = tmp_path / "ssh-keygen-waiting"
    program.write_text("#!/bin/sh\nsleep 300\n")
    program.chmod(0o755)
    git(root, "config", "gpg.ssh.program", str(program))
    monkeypatch.setenv("MOU_HOOK_TIMEOUT", "1")
    before, started = head(root), time.monotonic()
    with pytest.raises(MouError, match="could not be signed: did not finish within 1 s"):
        ws.save(draft("metro-tf"), "First", AUTHOR)
    assert time.monotonic() - started < 60  # bounded, not hung for the program's 300 s
    assert head(root) == before


def test_the_pre_commit_hook_sees_the_save_and_may_refuse_it(ws: Workspace, root: Path) -> None:
    # Issue 10, item 9: pre-commit and commit-msg hooks were skipped silently.
    _hook(
        root,
        "pre-commit",
        "git diff --cached --name-only > .git/seen\n"
        "git show :agreements/metro-tf.yaml | grep -q 'title: Forbidden' || exit 0\n"
        "echo 'forbidden titles are not allowed here' >&2\n"
        "exit 1\n",
    )
    ws.save(draft("metro-tf"), "First", AUTHOR)
    assert (root / ".git" / "seen").read_text().split() == [AGREEMENT]
    before = head(root)
    with pytest.raises(
        MouError, match=r"pre-commit hook refused the save: forbidden titles are not allowed here$"
    ):
        ws.save(draft("metro-tf", title="Forbidden"), "Try", AUTHOR)
    assert head(root) == before


def test_the_commit_msg_hook_may_rewrite_or_refuse_the_message(ws: Workspace, root: Path) -> None:
    _hook(
        root,
        "commit-msg",
        'grep -q WIP "$1" && { echo "no WIP commits" >&2; exit 1; }\n'
        'printf "\\nReviewed-by: Policy Bot\\n" >> "$1"\n',
    )
    saved = ws.save(draft("metro-tf"), "First", AUTHOR)
    message = git(root, "log", "-1", "--format=%B", saved.revision)
    assert message.strip() == "First\n\nReviewed-by: Policy Bot"
    with pytest.raises(MouError, match=r"commit-msg hook refused the save: no WIP commits$"):
        ws.save(draft("metro-tf", title="Renamed"), "WIP rename", AUTHOR)
    assert head(root) == saved.revision


def test_a_hanging_hook_is_stopped_and_refuses_the_save(
    ws: Workspace, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOU_HOOK_TIMEOUT", "1")
    _hook(root, "pre-commit", "sleep 300\n")
    before = head(root)
    started = time.monotonic()
    with pytest.raises(MouError, match="pre-commit hook ran longer than 1 s and was stopped"):
        ws.save(draft("metro-tf"), "First", AUTHOR)
    assert time.monotonic() - started < 60  # bounded, not hung for the hook's 300 s
    assert head(root) == before


def test_a_hook_found_through_core_hookspath_runs(
    ws: Workspace, root: Path, tmp_path: Path
) -> None:
    hooks = tmp_path / "policy-hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'central policy says no' >&2\nexit 1\n")
    (hooks / "pre-commit").chmod(stat.S_IRWXU)
    git(root, "config", "core.hooksPath", str(hooks))
    with pytest.raises(MouError, match="central policy says no"):
        ws.save(draft("metro-tf"), "First", AUTHOR)

"""Plain git merges agreements by field too: `mou init` and `mou clone` register the driver."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mou.store.create import MERGE_DRIVER
from tests.support.remotes import AGREEMENT, load, make_remote, save_edit
from tests.support.runner import ROOT
from tests.support.workspaces import assert_fsck_clean, git, make_workspace


def plain_git(root: Path, *args: str) -> subprocess.CompletedProcess:
    """git as a person runs it; the driver it starts runs this checkout's mou."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)


def mou_clone(mou, url: str, root: Path) -> Path:
    result = mou("clone", url, str(root))
    assert result.returncode == 0, result.stderr
    git(root, "config", "user.name", root.name.title())
    git(root, "config", "user.email", f"{root.name}@agency.gov")
    return root


def retitle(title: str):
    return lambda data: data.update(title=title)


def test_init_writes_the_attribute_and_registers_the_driver(tmp_path):
    root = make_workspace(tmp_path)
    assert (root / ".gitattributes").read_text() == "agreements/*.yaml merge=mou\n"
    assert ".gitattributes" in git(root, "ls-files")
    assert git(root, "config", "merge.mou.driver").strip() == MERGE_DRIVER


def test_git_pull_merges_edits_of_different_fields(tmp_path, mou):
    bare = make_remote(tmp_path)
    alice = mou_clone(mou, bare.as_uri(), tmp_path / "alice")
    bob = mou_clone(mou, bare.as_uri(), tmp_path / "bob")
    save_edit(alice, retitle("Alice's title"))
    git(alice, "push", "--quiet", "origin", "HEAD")

    def reword(data):
        data["responsibilities"][1]["text"] = "Bob's words."

    save_edit(bob, reword)
    pulled = plain_git(bob, "pull", "--no-rebase", "--no-edit", "origin", "main")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    agreement = load(bob)
    assert agreement.title == "Alice's title"
    assert agreement.responsibilities[1].text == "Bob's words."
    assert mou("validate", "--workspace", str(bob)).returncode == 0
    assert_fsck_clean(bob)


def test_git_rebase_merges_by_field_too(tmp_path, mou):
    bare = make_remote(tmp_path)
    alice = mou_clone(mou, bare.as_uri(), tmp_path / "alice")
    bob = mou_clone(mou, bare.as_uri(), tmp_path / "bob")
    save_edit(alice, retitle("Alice's title"))
    git(alice, "push", "--quiet", "origin", "HEAD")
    save_edit(bob, lambda d: d.update(purpose="Bob's purpose."))
    pulled = plain_git(bob, "pull", "--rebase", "origin", "main")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    agreement = load(bob)
    assert (agreement.title, agreement.purpose) == ("Alice's title", "Bob's purpose.")


def test_a_conflict_leaves_a_file_validate_reports_by_path(tmp_path, mou):
    bare = make_remote(tmp_path)
    alice = mou_clone(mou, bare.as_uri(), tmp_path / "alice")
    bob = mou_clone(mou, bare.as_uri(), tmp_path / "bob")
    save_edit(alice, retitle("Alice's title"))
    git(alice, "push", "--quiet", "origin", "HEAD")
    save_edit(bob, retitle("Bob's title"))
    save_edit(bob, lambda d: d.update(purpose="Bob's purpose."))
    pulled = plain_git(bob, "pull", "--no-rebase", "--no-edit", "origin", "main")
    assert pulled.returncode != 0
    assert f"agreements/{AGREEMENT}.yaml: $.title: changed on both sides" in pulled.stderr
    text = (bob / "agreements" / f"{AGREEMENT}.yaml").read_text()
    assert "<<<<<<< mine" in text and ">>>>>>> theirs" in text
    assert text.count("Bob's purpose.") == 2  # what merged is on both sides of the markers
    checked = mou("validate", "--workspace", str(bob))
    assert checked.returncode == 1
    [line] = checked.stdout.decode().splitlines()
    assert line.endswith(
        "$.title: unresolved merge conflict: changed on both sides to different values"
    )
    assert line.startswith(str(bob / "agreements" / f"{AGREEMENT}.yaml") + ":4:")


def test_clone_refuses_an_option_for_a_url_and_a_full_folder(tmp_path, mou):
    result = mou("clone", "--upload-pack=touch /tmp/x", str(tmp_path / "c"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    folder = tmp_path / "full"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = mou("clone", (tmp_path / "nowhere.git").as_uri(), str(folder))
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        f"{folder}: exists and is not an empty folder; choose another"
    ]
    assert (folder / "keep.txt").read_text() == "mine"
    result = mou("clone", (tmp_path / "nowhere.git").as_uri(), str(tmp_path / "new"))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "new").exists()

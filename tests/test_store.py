"""The git-backed workspace, through mou.store, on real repositories."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mou.errors import ConflictError, InvalidAgreement, MouError, UsageError
from mou.ids import agreement_path
from mou.model import to_data
from mou.schema import schema_text
from mou.store.create import init_workspace
from mou.store.listing import CACHE_FILE, scan_summary, summary_fields
from mou.store.workspace import LOCK_FILE, Author, Workspace, canonical_bytes
from mou.yamlio import dump
from tests.support.workspaces import (
    AUTHOR,
    assert_fsck_clean,
    changed_paths,
    draft,
    git,
    head,
    make_workspace,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


@pytest.fixture
def ws(root: Path):
    workspace = Workspace(root)
    yield workspace
    workspace.close()


# ---------------------------------------------------------------------- init


def test_init_makes_a_workspace_in_one_commit(tmp_path: Path) -> None:
    root = tmp_path / "new"
    assert init_workspace(root) is True
    assert (root / "agreements").is_dir()
    assert (root / "README.md").read_text().startswith("# Agreements workspace")
    assert (root / "schemas/agreement.schema.json").read_text() == schema_text()
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(root, "status", "--porcelain") == ""
    shipped = sorted(p.name for p in (ROOT / "mou/data/templates").glob("*.docx"))
    assert sorted(p.name for p in (root / "templates").glob("*.docx")) == shipped


def test_init_on_an_existing_workspace_changes_nothing(root: Path) -> None:
    (root / "README.md").write_text("our own readme\n")
    before, files = head(root), sorted(p.name for p in root.iterdir())
    assert init_workspace(root) is False
    assert head(root) == before
    assert sorted(p.name for p in root.iterdir()) == files
    assert (root / "README.md").read_text() == "our own readme\n"


def test_init_in_an_existing_repository_keeps_staged_work(tmp_path: Path) -> None:
    root = tmp_path / "agency"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "Plain Git")
    git(root, "config", "user.email", "plain@example.org")
    (root / "notes.txt").write_text("old\n")
    git(root, "add", "notes.txt")
    git(root, "commit", "-qm", "notes")
    (root / "notes.txt").write_text("staged edit\n")
    git(root, "add", "notes.txt")
    assert init_workspace(root) is True
    assert "notes.txt" not in changed_paths(root, "HEAD")
    assert git(root, "diff", "--cached", "--name-only").split() == ["notes.txt"]


def test_init_beside_a_plain_commit_keeps_its_files_committed(tmp_path: Path) -> None:
    # Issue 10, item 2, for init: the branch moved before the index took the new files, so
    # a plain `git commit` in between committed an index without them, deleting them again.
    root = tmp_path / "agency"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "Plain Git")
    git(root, "config", "user.email", "plain@example.org")
    hook = root / ".git" / "hooks" / "reference-transaction"
    hook.write_text(
        "#!/bin/sh\n"
        '[ "$1" = committed ] || exit 0\n'
        "[ -e .git/raced ] && exit 0\n"
        "touch .git/raced\n"
        "echo note > notes.txt\n"
        "git add notes.txt && git commit -qm 'plain commit'\n"
        "exit 0\n"
    )
    hook.chmod(0o755)
    assert init_workspace(root) is True
    assert (root / ".git" / "raced").exists(), "the racing commit was not attempted"
    committed = git(root, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert "agreements/.gitkeep" in committed and "README.md" in committed
    assert git(root, "status", "--porcelain", "--", "agreements", "schemas", "README.md") == ""


# ---------------------------------------------------------------------- save


def test_save_is_one_commit_touching_only_the_agreement(ws: Workspace, root: Path) -> None:
    before = head(root)
    saved = ws.save(draft("metro-tf"), "First draft", AUTHOR)
    assert saved.created and saved.revision == head(root)
    assert git(root, "rev-parse", "HEAD~1").strip() == before
    assert changed_paths(root, "HEAD") == ["agreements/metro-tf.yaml"]
    meta = git(root, "log", "-1", "--format=%an|%ae|%cn|%B").strip()
    assert meta == "Jane Roe|jane.roe@agency.gov|mou|First draft"
    committed = git(root, "show", "HEAD:agreements/metro-tf.yaml").encode()
    assert (root / "agreements/metro-tf.yaml").read_bytes() == committed
    assert committed == dump(to_data(draft("metro-tf"))).encode()
    assert git(root, "status", "--porcelain") == ""
    assert_fsck_clean(root)


def test_save_leaves_unrelated_staged_and_unstaged_work_untouched(
    ws: Workspace, root: Path
) -> None:
    (root / "README.md").write_text("staged readme\n")
    (root / "notes.txt").write_text("staged new file\n")
    git(root, "add", "README.md", "notes.txt")
    (root / "README.md").write_text("staged readme\nplus an unstaged line\n")
    (root / "schemas/agreement.schema.json").write_text("{}\n")
    (root / "scratch.txt").write_text("untracked\n")
    staged, unstaged = git(root, "diff", "--cached"), git(root, "diff")
    status = git(root, "status", "--porcelain")
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    assert changed_paths(root, "HEAD") == ["agreements/metro-tf.yaml"]
    assert git(root, "diff", "--cached") == staged
    assert git(root, "diff") == unstaged
    assert git(root, "status", "--porcelain") == status
    assert (root / "scratch.txt").read_text() == "untracked\n"


def test_save_keeps_other_edits_of_the_workspace_file_and_says_so(
    ws: Workspace, root: Path
) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    path = root / "agreements/metro-tf.yaml"
    path.write_text(path.read_text().replace("status: draft", "status: in_review"))
    git(root, "add", "agreements/metro-tf.yaml")
    path.write_text(path.read_text() + "# and a note\n")
    staged, edited = git(root, "ls-files", "--stage", "--", str(path)), path.read_bytes()
    saved = ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    assert saved.created and saved.workspace_file_kept
    assert path.read_bytes() == edited
    assert git(root, "ls-files", "--stage", "--", str(path)) == staged
    assert "title: Renamed" in git(root, "show", "HEAD:agreements/metro-tf.yaml")


def test_a_workspace_file_holding_the_previous_agreement_in_other_bytes_is_brought_up_to_date(
    ws: Workspace, root: Path
) -> None:
    # CRLF line ends (git's core.autocrlf) or a blank line are no one's edit: left in
    # place, the stale file would undo this save at the next save of the file.
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    path = root / "agreements/metro-tf.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    saved = ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    assert not saved.workspace_file_kept
    assert path.read_bytes() == git(root, "show", "HEAD:agreements/metro-tf.yaml").encode()
    assert git(root, "status", "--porcelain") == ""


def test_a_save_keeps_content_someone_staged(ws: Workspace, root: Path) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    path = root / "agreements/metro-tf.yaml"
    original = path.read_bytes()
    path.write_text(path.read_text().replace("status: draft", "status: in_review"))
    git(root, "add", "agreements/metro-tf.yaml")
    path.write_bytes(original)  # staged edit, working file as committed: status "MM"
    staged = git(root, "ls-files", "--stage", "--", "agreements/metro-tf.yaml")
    ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    assert git(root, "ls-files", "--stage", "--", "agreements/metro-tf.yaml") == staged


def _rewrite_head_author(root: Path, author_line: str) -> str:
    """Replace HEAD by the same commit with a raw author line (as a hand-made commit has)."""
    tree, parent = git(root, "rev-parse", "HEAD^{tree}").strip(), head(root)
    commit = f"tree {tree}\nparent {git(root, 'rev-parse', 'HEAD~1').strip()}\n{author_line}\n"
    commit += "committer Jo <jo@x.gov> 1764672000 +0000\n\nhand-made\n"
    made = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
        cwd=root, input=commit.encode(), capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    git(root, "update-ref", "HEAD", made, parent)
    return made


@pytest.mark.parametrize(
    "author_line", ["author Jo <jo@x.gov> 1764672000 +2400", "author Jo <jo@x.gov>"]
)
def test_a_commit_with_a_date_python_cannot_read_does_not_hide_history(
    ws: Workspace, root: Path, author_line: str
) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    odd = _rewrite_head_author(root, author_line)
    assert ws.history("metro-tf")[0].sha == odd
    assert [(r.id, r.revision) for r in ws.list()] == [("metro-tf", odd)]


def test_list_works_where_its_cache_cannot_be_written(ws: Workspace, root: Path) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    (root / ".git" / CACHE_FILE).mkdir()  # as a read-only .git would refuse the file
    assert [r.title for r in ws.list()] == ["Metro Task Force"]


def test_a_submodule_in_the_agreements_folder_is_not_an_agreement(
    ws: Workspace, root: Path
) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    link = "160000,1234567890123456789012345678901234567890,agreements/vendored.yaml"
    git(root, "update-index", "--add", "--cacheinfo", link)
    git(root, "commit", "-qm", "A submodule where agreements live")
    assert [r.id for r in ws.list()] == ["metro-tf"]
    assert ws.ids() == ["metro-tf"]


def test_list_credits_a_merge_that_added_an_agreement(ws: Workspace, root: Path) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    # The branch mou init made is named by whatever git defaults to here: use that name.
    trunk = git(root, "symbolic-ref", "--short", "HEAD").strip()
    git(root, "checkout", "-qb", "side")
    ws.save(draft("side-tf"), "On a side branch", AUTHOR)
    git(root, "checkout", "-q", trunk)
    ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    git(root, "merge", "-q", "--no-commit", "side")
    (root / "agreements/merged-tf.yaml").write_text(dump(to_data(draft("merged-tf"))))
    git(root, "add", "agreements/merged-tf.yaml")
    git(root, "commit", "-qm", "Merge side, adding an agreement")
    ws.save(draft("side-tf", title="Later"), "Later change elsewhere", AUTHOR)
    merge = git(root, "rev-parse", "HEAD~1").strip()
    listed = {r.id: r.revision for r in ws.list()}
    assert listed["merged-tf"] == merge == ws.history("merged-tf")[0].sha


def test_save_replaces_the_workspace_file_when_it_holds_that_agreement(
    ws: Workspace, root: Path
) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    path = root / "agreements/metro-tf.yaml"
    renamed = draft("metro-tf", title="Renamed")
    path.write_text(dump(to_data(renamed)).replace("title: Renamed", "title: 'Renamed'"))
    git(root, "add", "agreements/metro-tf.yaml")
    saved = ws.save(renamed, "Rename", AUTHOR)
    assert saved.created and not saved.workspace_file_kept
    assert path.read_bytes() == dump(to_data(renamed)).encode()
    assert git(root, "status", "--porcelain") == ""


def test_equal_content_makes_no_commit(ws: Workspace, root: Path) -> None:
    first = ws.save(draft("metro-tf"), "First draft", AUTHOR)
    again = ws.save(draft("metro-tf"), "Nothing new", AUTHOR)
    assert again.created is False and again.revision == first.revision
    assert head(root) == first.revision


def test_revision_is_the_last_change_of_that_agreement(ws: Workspace, root: Path) -> None:
    first = ws.save(draft("metro-tf"), "First draft", AUTHOR)
    ws.save(draft("other-tf"), "Another agreement", AUTHOR)
    assert ws.save(draft("metro-tf"), "Same", AUTHOR).revision == first.revision
    assert ws.load("metro-tf").revision == first.revision


def test_invalid_agreement_is_never_committed(ws: Workspace, root: Path) -> None:
    # A duplicate party id passes pydantic but not the reference rules.
    broken = draft("metro-tf").model_copy(deep=True)
    broken.parties[1].id = broken.parties[0].id  # duplicate party id
    before = head(root)
    with pytest.raises(InvalidAgreement, match="duplicate id 'party-a'"):
        ws.save(broken, "Broken", AUTHOR)
    assert head(root) == before
    assert not (root / "agreements/metro-tf.yaml").exists()


def test_message_and_author_are_required(ws: Workspace, root: Path) -> None:
    with pytest.raises(UsageError, match="message"):
        ws.save(draft("metro-tf"), "  ", AUTHOR)
    for text in ("Jane Roe", "Jane Roe <>", "<jane@x.gov>", "Jane <jane@x>", ""):
        with pytest.raises(UsageError, match="e-mail"):
            Author.parse(text)
    assert Author.parse(" Jane Q. Roe <jane@x.gov> ") == Author("Jane Q. Roe", "jane@x.gov")
    with pytest.raises(UsageError, match="control characters"):
        Author("Jane\nCommitter: Eve", "jane@x.gov")  # would forge a line in the commit


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Jane\x1fRoe <jane@x.gov>", "control characters"),
        ("Jane\x1bRoe <jane@x.gov>", "control characters"),
        ("Jane\x7f <jane@x.gov>", "control characters"),
        ("Jane\tRoe <jane@x.gov>", "control characters"),
        (". <jane@x.gov>", "not only punctuation"),
        ("'' <jane@x.gov>", "not only punctuation"),
    ],
)
def test_author_git_would_alter_or_refuse_is_a_usage_error(text: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem) as caught:
        Author.parse(text)
    assert "\n" not in caught.value.message


def test_a_name_ending_in_a_full_stop_is_saved(ws: Workspace, root: Path) -> None:
    ws.save(draft("metro-tf"), "First draft", Author.parse("Jane Roe Jr. <jane@x.gov>"))
    (revision,) = ws.history("metro-tf")
    assert (revision.author, revision.email) == ("Jane Roe Jr", "jane@x.gov")  # git's trim


def test_message_with_control_characters_is_refused(ws: Workspace, root: Path) -> None:
    before = head(root)
    for message in ("Fix\x1edone", "Fix\x1b[31m", "Fix\rdone", "Fix\x00"):
        with pytest.raises(UsageError, match="control character"):
            ws.save(draft("metro-tf"), message, AUTHOR)
    assert head(root) == before
    ws.save(draft("metro-tf"), "Subject\n\n\tIndented body", AUTHOR)
    assert ws.history("metro-tf")[0].message == "Subject\n\n\tIndented body"


def test_detached_head_is_refused(ws: Workspace, root: Path) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    git(root, "checkout", "-q", "--detach", "HEAD")
    before = head(root)
    with pytest.raises(MouError, match="detached"):
        ws.save(draft("metro-tf", title="Changed"), "Edit", AUTHOR)
    assert head(root) == before


def test_save_on_an_unborn_branch_makes_the_root_commit(tmp_path: Path) -> None:
    root = tmp_path / "bare-start"
    root.mkdir()
    git(root, "init", "-q")
    with Workspace(root) as ws:
        saved = ws.save(draft("metro-tf"), "First", AUTHOR)
        assert ws.ids() == ["metro-tf"]
    assert git(root, "rev-list", "--count", "HEAD").strip() == "1"
    assert saved.revision == head(root)


def test_tree_order_matches_git_for_tricky_names(ws: Workspace, root: Path) -> None:
    # Regression: git sorts a folder "a" as "a/", after "a-b" and "a.yaml" ("/" > "-", ".").
    (root / "agreements/abc").mkdir()
    (root / "agreements/abc/notes.txt").write_text("x\n")
    (root / "agreements/abc-x.txt").write_text("y\n")
    git(root, "add", "agreements")
    git(root, "commit", "-qm", "odd names")
    for agreement_id in ("abc", "abc-d", "ab0", "abc0"):
        ws.save(draft(agreement_id), f"Add {agreement_id}", AUTHOR)
    assert_fsck_clean(root)
    assert ws.ids() == ["ab0", "abc", "abc-d", "abc0"]
    assert git(root, "status", "--porcelain") == ""


# ---------------------------------------------------------------------- conflicts


def test_stale_base_is_a_conflict_naming_both_revisions(ws: Workspace, root: Path) -> None:
    first = ws.save(draft("metro-tf"), "First draft", AUTHOR)
    second = ws.save(draft("metro-tf", title="Theirs"), "Their edit", AUTHOR)
    with pytest.raises(ConflictError) as caught:
        ws.save(draft("metro-tf", title="Mine"), "My edit", AUTHOR, base=first.revision)
    assert first.revision[:10] in caught.value.message
    assert second.revision[:10] in caught.value.message
    assert caught.value.exit_code == 3
    assert head(root) == second.revision
    assert ws.load("metro-tf").agreement.title == "Theirs"


def test_creating_an_id_someone_created_meanwhile_is_a_conflict(ws: Workspace, root: Path) -> None:
    theirs = ws.save(draft("metro-tf", title="Theirs"), "Created first", AUTHOR, new=True)
    with pytest.raises(ConflictError) as caught:
        ws.save(draft("metro-tf", title="Mine"), "Created second", AUTHOR, new=True)
    assert theirs.revision[:10] in caught.value.message and caught.value.exit_code == 3
    assert head(root) == theirs.revision
    assert ws.load("metro-tf").agreement.title == "Theirs"


def test_saves_to_different_agreements_never_conflict(ws: Workspace, root: Path) -> None:
    mine = ws.save(draft("metro-tf"), "Mine", AUTHOR)
    ws.save(draft("other-tf"), "Someone else's agreement", AUTHOR)
    saved = ws.save(draft("metro-tf", title="Edited"), "Edit", AUTHOR, base=mine.revision)
    assert saved.created and saved.revision == head(root)


def test_a_branch_moved_by_plain_git_mid_save_is_not_overwritten(
    ws: Workspace, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The GitPython trap: read the head, commit, move the head without checking.
    # Here another writer commits between our read and our move; both must survive.
    real_commit = Workspace._commit
    outsider: list[str] = []

    def commit_then_race(self: Workspace, *args: object) -> str:
        sha = real_commit(self, *args)
        if not outsider:
            (root / "outside.txt").write_text("committed by plain git\n")
            git(root, "add", "outside.txt")
            git(root, "commit", "-qm", "outside writer")
            outsider.append(head(root))
        return sha

    monkeypatch.setattr(Workspace, "_commit", commit_then_race)
    saved = ws.save(draft("metro-tf"), "Mine", AUTHOR)
    assert git(root, "rev-parse", "HEAD~1").strip() == outsider[0]
    assert saved.revision == head(root)
    assert changed_paths(root, "HEAD") == ["agreements/metro-tf.yaml"]


# ---------------------------------------------------------------------- reading


def test_load_at_head_sha_tag_and_ancestor(ws: Workspace, root: Path) -> None:
    revisions = [
        ws.save(draft("metro-tf", title=f"Title {n}"), f"Edit {n}", AUTHOR).revision
        for n in range(3)
    ]
    git(root, "tag", "v1", revisions[0])
    assert ws.load("metro-tf").agreement.title == "Title 2"
    assert ws.load("metro-tf", revisions[1]).agreement.title == "Title 1"
    assert ws.load("metro-tf", revisions[1][:8]).revision == revisions[1]
    assert ws.load("metro-tf", "v1").agreement.title == "Title 0"
    loaded = ws.load("metro-tf", "HEAD~2")
    assert loaded.agreement.title == "Title 0" and loaded.revision == revisions[0]
    assert loaded.raw == git(root, "show", f"{revisions[0]}:agreements/metro-tf.yaml").encode()


@pytest.mark.parametrize(
    ("agreement_id", "rev", "message"),
    [
        ("metro-tf", "no-such-rev", "unknown revision 'no-such-rev'"),
        ("metro-tf", "HEAD~9", "unknown revision 'HEAD~9'"),
        ("metro-tf", "--all", "unknown revision '--all'"),
        ("absent-id", "HEAD", "no agreement 'absent-id'"),
        ("../etc/passwd", "HEAD", "not a valid agreement id"),
        ("metro-tf", "HEAD~1", "no agreement 'metro-tf' at revision 'HEAD~1'"),
    ],
)
def test_load_refuses_bad_ids_and_revisions(
    ws: Workspace, agreement_id: str, rev: str, message: str
) -> None:
    ws.save(draft("metro-tf"), "First", AUTHOR)
    with pytest.raises(MouError, match=message.replace(".", r"\.")):
        ws.load(agreement_id, rev)


def test_history_is_newest_first_with_author_date_message(ws: Workspace, root: Path) -> None:
    ws.save(draft("metro-tf"), "First draft", AUTHOR)
    other = Author("Sam Poe", "sam@county.gov")
    ws.save(draft("other-tf"), "Unrelated", other)
    ws.save(draft("metro-tf", title="Second"), "Second draft\n\nWith a body.", other)
    history = ws.history("metro-tf")
    assert [r.message for r in history] == ["Second draft\n\nWith a body.", "First draft"]
    assert [(r.author, r.email) for r in history] == [
        ("Sam Poe", "sam@county.gov"),
        ("Jane Roe", "jane.roe@agency.gov"),
    ]
    assert all(r.date.tzinfo is not None for r in history)
    assert history[0].sha == head(root)
    with pytest.raises(MouError, match="no agreement 'absent-id'"):
        ws.history("absent-id")


def test_ids_and_is_committed(ws: Workspace, root: Path) -> None:
    ws.save(draft("metro-tf"), "First", AUTHOR)
    ws.save(draft("other-tf"), "Second", AUTHOR)
    assert ws.ids() == ["metro-tf", "other-tf"]
    assert ws.is_committed("metro-tf")
    path = root / agreement_path("metro-tf")
    path.write_text(path.read_text().replace("Metro Task Force", "Edited"))
    assert not ws.is_committed("metro-tf")
    assert ws.is_committed("never-saved")


def test_list_summarises_every_agreement(ws: Workspace, root: Path) -> None:
    term = {
        **to_data(draft("x-tf"))["term"],
        "effective_rule": "fixed_date",
        "effective_date": "2026-07-01",
        "expiration_date": "2029-06-30",
    }
    ws.save(draft("metro-tf", status="in_review", term=term), "First", AUTHOR)
    other = Author("Sam Poe", "sam@county.gov")
    last = ws.save(draft("other-tf", title='It\'s "quoted": yes #1'), "Second", other)
    rows = {row.id: row for row in ws.list()}
    assert list(rows) == ["metro-tf", "other-tf"]
    metro = rows["metro-tf"]
    assert (metro.title, metro.type, metro.status) == (
        "Metro Task Force",
        "task_force",
        "in_review",
    )
    assert (metro.effective_date, metro.expiration_date) == ("2026-07-01", "2029-06-30")
    assert metro.parties == ["PA", "PB"] and metro.author == "Jane Roe"
    assert rows["other-tf"].title == 'It\'s "quoted": yes #1'
    assert rows["other-tf"].revision == last.revision and rows["other-tf"].author == "Sam Poe"


def test_list_follows_new_saves_resets_and_a_damaged_cache(ws: Workspace, root: Path) -> None:
    first = ws.save(draft("metro-tf"), "First", AUTHOR)
    assert [r.title for r in ws.list()] == ["Metro Task Force"]
    second = ws.save(draft("metro-tf", title="Renamed"), "Rename", AUTHOR)
    assert [(r.title, r.revision) for r in ws.list()] == [("Renamed", second.revision)]
    git(root, "reset", "-q", "--hard", first.revision)  # history rewound: cache is stale
    assert [(r.title, r.revision) for r in ws.list()] == [("Metro Task Force", first.revision)]
    (root / ".git" / CACHE_FILE).write_text("{not json")
    assert [r.revision for r in ws.list()] == [first.revision]
    assert json.loads((root / ".git" / CACHE_FILE).read_text())["head"] == first.revision


@pytest.mark.parametrize(
    "damage",
    [
        {"head": 7},
        {"head": "--output=/tmp/x"},
        {"changes": {"metro-tf": "abc"}},
        {"changes": {"metro-tf": ["abc", "Jane"]}},
        {"changes": {"metro-tf": ["abc", "Jane", "not a date"]}},
        {"fields": {"x": "a string"}},
        {"fields": {"x": {"title": "T"}}},
        {"fields": {"x": {**summary_fields(""), "parties": "PA"}}},
        {"fields": {"x": {**summary_fields(""), "title": 3}}},
    ],
)
def test_list_rebuilds_a_cache_with_entries_of_the_wrong_shape(
    ws: Workspace, root: Path, damage: dict
) -> None:
    saved = ws.save(draft("metro-tf"), "First", AUTHOR)
    expected = [row.as_json() for row in ws.list()]
    cache_file = root / ".git" / CACHE_FILE
    cache = json.loads(cache_file.read_text())
    blob = next(iter(cache["fields"]))
    for key, value in damage.items():
        if key == "fields":  # damage the entry list() reads, whatever its blob sha
            value = {blob: value["x"]}
        cache[key] = value
    cache_file.write_text(json.dumps(cache))
    assert [row.as_json() for row in ws.list()] == expected
    assert json.loads(cache_file.read_text())["head"] == saved.revision


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n'\"#:- "),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT)
def test_summary_scanner_agrees_with_the_yaml_loader(title: str) -> None:
    try:
        agreement = draft("metro-tf", title=title)
    except InvalidAgreement:
        return
    text = canonical_bytes(agreement).decode()
    fields = summary_fields(text)
    assert fields["title"] == agreement.title
    assert fields["parties"] == ["PA", "PB"]
    scanned = scan_summary(text)
    assert scanned is None or scanned == fields


def test_summary_of_a_hand_written_file_goes_through_the_loader() -> None:
    text = "title: >\n  Folded\n  title\ntype: task_force\nstatus: draft\n"
    assert scan_summary(text) is None
    assert summary_fields(text)["title"] == "Folded title\n"
    assert summary_fields(": : :\n- [")["status"] == "invalid"
    commented = "title: Plain # a comment\ntype: task_force\nstatus: draft\n"
    assert scan_summary(commented) is None and summary_fields(commented)["title"] == "Plain"
    spanning = "title: 'two\n  lines'\ntype: task_force\nstatus: draft\n"
    assert scan_summary(spanning) is None and summary_fields(spanning)["title"] == "two lines"


# ---------------------------------------------------------------------- resources, locks


def test_ids_that_the_model_refuses_are_refused_by_the_store(ws: Workspace) -> None:
    # One pattern (mou.ids) serves the model and the store: a name the model would
    # refuse as an id is no agreement to the store either.
    for bad in ("ab", "Upper-case", "-leading", "a" * 65, "dots.in.it"):
        with pytest.raises(MouError, match="not a valid agreement id"):
            ws.history(bad)
        with pytest.raises(Exception, match="id"):
            draft(bad)


def test_not_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(MouError, match="not a git repository"):
        Workspace(tmp_path)
    with pytest.raises(MouError, match="no such workspace folder"):
        Workspace(tmp_path / "missing")


def _child_pids() -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                children.add(int(entry.name))
    return children


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to count processes")
def test_open_close_loop_leaks_no_git_processes(root: Path) -> None:
    with Workspace(root) as ws:
        ws.save(draft("metro-tf"), "First", AUTHOR)
    before = _child_pids()
    for _ in range(50):
        with Workspace(root) as ws:
            ws.ids()  # reads trees through GitPython's persistent `git cat-file` processes
    time.sleep(0.2)
    assert len(_child_pids() - before) == 0


def test_a_killed_lock_holder_does_not_block_the_next_save(ws: Workspace, root: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock\n"
            "FileLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)",
            str(root / ".git" / LOCK_FILE),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        os.kill(holder.pid, signal.SIGKILL)
    finally:
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    started = time.monotonic()
    ws.save(draft("metro-tf"), "After the crash", AUTHOR)
    assert time.monotonic() - started < 5


def test_a_save_killed_after_its_commit_is_finished_by_the_next(
    ws: Workspace, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kill point between moving the branch and writing the working-tree file.
    ws.save(draft("metro-tf"), "First", AUTHOR)
    temp = root / "agreements" / ".metro-tf.yaml.abc123.tmp"

    def killed(self: Workspace, path: str, raw: bytes, *blobs: str | None) -> None:
        temp.write_bytes(raw[:10])  # atomic_write's temporary file, cut short
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Workspace, "_update_working_file", killed)
        with pytest.raises(KeyboardInterrupt):
            ws.save(draft("metro-tf", title="Landed"), "Landed", AUTHOR)
    assert git(root, "status", "--porcelain") != ""
    ws.save(draft("other-tf"), "Next save", AUTHOR)
    assert git(root, "status", "--porcelain") == ""
    assert "title: Landed" in (root / "agreements/metro-tf.yaml").read_text()
    assert not temp.exists()


def test_recovery_leaves_an_edit_made_after_the_crash(
    ws: Workspace, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.save(draft("metro-tf"), "First", AUTHOR)

    def killed(self: Workspace, path: str, raw: bytes, *blobs: str | None) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Workspace, "_update_working_file", killed)
        with pytest.raises(KeyboardInterrupt):
            ws.save(draft("metro-tf", title="Landed"), "Landed", AUTHOR)
    path = root / "agreements/metro-tf.yaml"
    path.write_text(path.read_text() + "# a note typed after the crash\n")
    typed = path.read_text()
    ws.save(draft("other-tf"), "Next save", AUTHOR)
    assert path.read_text() == typed
    assert git(root, "diff", "--cached", "--name-only") == ""  # index entry caught up


def test_list_and_history_after_a_merge(ws: Workspace, root: Path) -> None:
    first = ws.save(draft("metro-tf"), "First", AUTHOR)
    main = git(root, "symbolic-ref", "--short", "HEAD").strip()
    git(root, "switch", "-q", "-c", "side")
    side = ws.save(draft("river-tf"), "On a side branch", AUTHOR)
    git(root, "switch", "-q", main)
    ours = ws.save(draft("metro-tf", title="Edited on main"), "Main edit", AUTHOR, first.revision)
    git(root, "merge", "-q", "--no-ff", "-m", "Merge side", "side")
    rows = {row.id: row.revision for row in ws.list()}
    assert rows == {"metro-tf": ours.revision, "river-tf": side.revision}
    assert [r.sha for r in ws.history("river-tf")] == [side.revision]
    assert git(root, "status", "--porcelain") == ""

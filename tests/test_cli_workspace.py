"""The workspace commands as a user runs them: mou init, save, show, log, list."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.runner import ROOT, run_mou, snapshot
from tests.support.workspaces import assert_fsck_clean, git, head, make_workspace, read_only

AUTHOR = "Jane Roe <jane.roe@agency.gov>"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


def mou_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run mou with ``root`` as the current directory (the workspace is found from it)."""
    return run_mou(*args, cwd=root)


def new_and_save(root: Path, agreement_id: str = "metro-tf", message: str = "First") -> str:
    """Write a preset agreement into agreements/ and save it in process (setup, not under test)."""
    from mou.store.workspace import Author, Workspace
    from tests.support.workspaces import draft

    with Workspace(root) as ws:
        saved = ws.save(draft(agreement_id, title="Metro"), message, Author.parse(AUTHOR))
    return saved.revision


def test_init_creates_then_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "agency-mous"
    first = run_mou("init", str(target), cwd=tmp_path)
    assert first.returncode == 0 and b"workspace created" in first.stdout
    assert (target / "agreements").is_dir() and (target / "schemas/agreement.schema.json").exists()
    before, files = head(target), snapshot(target)
    again = run_mou("init", str(target), cwd=tmp_path)
    assert again.returncode == 0 and b"already a workspace; nothing changed" in again.stdout
    assert head(target) == before and snapshot(target) == files


def test_save_commits_the_workspace_file(root: Path) -> None:
    created = mou_in(root, "new", "metro-tf", "--type", "task_force", "--title", "Metro")
    assert created.returncode == 0
    result = mou_in(root, "save", "agreements/metro-tf.yaml", "-m", "First", "--author", AUTHOR)
    assert result.returncode == 0, result.stderr
    revision = head(root)
    assert result.stdout.decode() == f"agreements/metro-tf.yaml: saved as revision {revision}\n"
    assert git(root, "log", "-1", "--format=%an <%ae>|%s").strip() == f"{AUTHOR}|First"
    assert git(root, "status", "--porcelain") == ""
    assert_fsck_clean(root)


def test_save_from_anywhere_writes_the_canonical_file(root: Path, tmp_path: Path) -> None:
    new_and_save(root)
    canonical = (root / "agreements/metro-tf.yaml").read_text()
    outside = tmp_path / "inbox" / "metro-tf.yaml"
    outside.parent.mkdir()
    # Same data, not canonical: no schema comment, extra blank lines, a flow list.
    messy = canonical.replace("# yaml-language-server", "# x").replace("\nparties:", "\n\nparties:")
    outside.write_text(messy.replace("title: Metro", "title:   'Metro, revised'"))
    result = mou_in(root, "save", str(outside), "-m", "Revise title", "--author", AUTHOR)
    assert result.returncode == 0, result.stderr
    saved = (root / "agreements/metro-tf.yaml").read_text()
    assert saved == canonical.replace("title: Metro", "title: Metro, revised")
    assert git(root, "status", "--porcelain") == ""


def test_unchanged_save_says_so(root: Path) -> None:
    revision = new_and_save(root)
    result = mou_in(root, "save", "agreements/metro-tf.yaml", "-m", "Again", "--author", AUTHOR)
    assert result.returncode == 0
    assert result.stdout.decode().strip() == (
        f"agreements/metro-tf.yaml: unchanged since revision {revision}; no commit made"
    )
    assert head(root) == revision


def test_stale_base_exits_3_and_writes_nothing(root: Path, tmp_path: Path) -> None:
    first = new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    mine = tmp_path / "metro-tf.yaml"
    mine.write_text(path.read_text().replace("title: Metro", "title: Mine"))
    path.write_text(path.read_text().replace("title: Metro", "title: Theirs"))
    theirs = mou_in(root, "save", str(path), "-m", "Theirs", "--author", AUTHOR, "--base", first)
    assert theirs.returncode == 0
    before, files = head(root), snapshot(root)
    result = mou_in(root, "save", str(mine), "-m", "Mine", "--author", AUTHOR, "--base", first)
    assert result.returncode == 3
    message = result.stderr.decode().strip()
    assert "\n" not in message and first[:10] in message and before[:10] in message
    assert head(root) == before and snapshot(root) == files


def test_save_new_refuses_an_existing_agreement(root: Path, tmp_path: Path) -> None:
    new_and_save(root)
    mine = tmp_path / "metro-tf.yaml"
    mine.write_text((root / "agreements/metro-tf.yaml").read_text().replace("Metro", "Mine"))
    before, files = head(root), snapshot(root)
    result = mou_in(root, "save", str(mine), "-m", "Mine", "--author", AUTHOR, "--new")
    assert result.returncode == 3 and "created meanwhile" in result.stderr.decode()
    assert head(root) == before and snapshot(root) == files
    both = mou_in(root, "save", str(mine), "-m", "x", "--author", AUTHOR, "--new", "--base", before)
    assert both.returncode == 2


def test_show_prints_canonical_yaml_at_a_revision(root: Path) -> None:
    new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    first = path.read_text()
    path.write_text(first.replace("title: Metro", "title: Second"))
    assert mou_in(root, "save", str(path), "-m", "Two", "--author", AUTHOR).returncode == 0
    assert mou_in(root, "show", "metro-tf").stdout.decode() == path.read_text()
    assert mou_in(root, "show", "metro-tf", "--rev", "HEAD~1").stdout.decode() == first


def test_log_text_and_json(root: Path) -> None:
    revision = new_and_save(root, message="First draft\n\nWhy: kickoff.")
    text = mou_in(root, "log", "metro-tf").stdout.decode()
    assert text.startswith(revision[:10]) and "Jane Roe <jane.roe@agency.gov>  First draft" in text
    rows = json.loads(mou_in(root, "log", "metro-tf", "--json").stdout)
    assert [sorted(r) for r in rows] == [["author", "date", "email", "message", "sha"]]
    assert rows[0]["sha"] == revision and rows[0]["message"] == "First draft\n\nWhy: kickoff."
    assert rows[0]["date"].endswith("+00:00") or rows[0]["date"][-6] in "+-"


def test_list_text_and_json(root: Path) -> None:
    new_and_save(root, "metro-tf")
    last = new_and_save(root, "river-tf")
    rows = json.loads(mou_in(root, "list", "--json").stdout)
    assert [r["id"] for r in rows] == ["metro-tf", "river-tf"]
    assert sorted(rows[1]) == sorted(
        [
            "id",
            "title",
            "type",
            "status",
            "parties",
            "effective_date",
            "expiration_date",
            "revision",
            "author",
            "date",
            "state",
        ]
    )
    assert rows[1]["state"] == "draft"
    assert rows[1]["revision"] == last and rows[1]["parties"] == ["PA", "PB"]
    assert (rows[1]["type"], rows[1]["status"], rows[1]["author"]) == (
        "task_force",
        "draft",
        "Jane Roe",
    )
    text = mou_in(root, "list").stdout.decode().splitlines()
    assert [line.split()[0] for line in text] == ["metro-tf", "river-tf"]


def test_log_and_list_show_commits_whose_names_and_messages_hold_separators(root: Path) -> None:
    # Plain git accepts any byte but NUL in a name or message; mou once split its log on these.
    new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    path.write_text(path.read_text().replace("title: Metro", "title: By plain git"))
    git(root, "add", "agreements/metro-tf.yaml")
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ann\x1e\x1fLee", "GIT_AUTHOR_EMAIL": "a@x.gov"}
    message = "Fix\x1eup\x1f\n\nBody \x1e line"
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, env=env, check=True)
    rows = json.loads(mou_in(root, "log", "metro-tf", "--json").stdout)
    assert [(r["author"], r["message"]) for r in rows] == [
        ("Ann\x1e\x1fLee", message),
        ("Jane Roe", "First"),
    ]
    assert rows[0]["sha"] == head(root)
    for _ in range(2):  # once building the cache, once reading it
        listed = mou_in(root, "list", "--json")
        assert listed.returncode == 0, listed.stderr
        [row] = json.loads(listed.stdout)
        assert (row["title"], row["author"], row["revision"]) == (
            "By plain git",
            "Ann\x1e\x1fLee",
            head(root),
        )
    assert mou_in(root, "log", "metro-tf").returncode == 0


def test_saving_the_workspace_file_leaves_it_canonical(root: Path) -> None:
    new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    canonical = path.read_text()
    # Same data in another layout (no schema comment, a blank line, quoted text), plus an edit.
    messy = canonical.replace("# yaml-language-server", "# x").replace("\nparties:", "\n\nparties:")
    path.write_text(messy.replace("title: Metro", "title:   'Metro, revised'"))
    result = mou_in(root, "save", str(path), "-m", "Revise", "--author", AUTHOR)
    assert result.returncode == 0 and result.stderr == b""
    assert path.read_text() == canonical.replace("title: Metro", "title: Metro, revised")
    assert git(root, "status", "--porcelain") == ""


def test_saving_a_copy_keeps_unsaved_edits_in_the_workspace_file(
    root: Path, tmp_path: Path
) -> None:
    new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    copy = tmp_path / "inbox" / "metro-tf.yaml"
    copy.parent.mkdir()
    copy.write_text(path.read_text().replace("title: Metro", "title: From the inbox"))
    path.write_text(path.read_text().replace("status: draft", "status: in_review"))  # not saved
    edited = path.read_bytes()
    result = mou_in(root, "save", str(copy), "-m", "Inbox title", "--author", AUTHOR)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == edited  # the unrelated edit survives
    revision = head(root)
    assert result.stdout.decode() == f"agreements/metro-tf.yaml: saved as revision {revision}\n"
    assert result.stderr.decode() == (
        f"agreements/metro-tf.yaml: kept its unsaved edits, so it now differs from revision "
        f"{revision[:10]}\n"
    )
    assert "title: From the inbox" in mou_in(root, "show", "metro-tf").stdout.decode()
    assert git(root, "status", "--porcelain") == " M agreements/metro-tf.yaml\n"


def test_workspace_found_from_a_subfolder_and_from_the_environment(
    root: Path, tmp_path: Path
) -> None:
    new_and_save(root)
    from_subfolder = run_mou("list", "--json", cwd=root / "agreements")
    assert [r["id"] for r in json.loads(from_subfolder.stdout)] == ["metro-tf"]
    from_env = run_mou("list", "--json", cwd=tmp_path, env={"MOU_WORKSPACE": str(root)})
    assert [r["id"] for r in json.loads(from_env.stdout)] == ["metro-tf"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["show", "nope-id"], 1, "no agreement 'nope-id' at revision 'HEAD'"),
        (["show", "Bad_Id"], 1, "'Bad_Id' is not a valid agreement id"),
        (["log", "nope-id"], 1, "no agreement 'nope-id' in the history"),
        (["show", "metro-tf", "--rev", "deadbeef"], 1, "unknown revision 'deadbeef'"),
        (
            ["save", "agreements/metro-tf.yaml", "-m", "x", "--author", AUTHOR, "--base", "v9"],
            1,
            "unknown revision 'v9'",
        ),
        (
            ["save", "agreements/metro-tf.yaml", "-m", "x", "--author", "Jane Roe"],
            2,
            "--author 'Jane Roe': give a name and an e-mail address",
        ),
        (
            ["save", "agreements/metro-tf.yaml", "-m", " ", "--author", AUTHOR],
            2,
            "a save needs a message",
        ),
        (
            ["save", "agreements/absent.yaml", "-m", "x", "--author", AUTHOR],
            1,
            "agreements/absent.yaml: cannot read",
        ),
        (
            ["save", "agreements/metro-tf.yaml", "-m", "x", "--author", ". <j@x.gov>"],
            2,
            "author '.': a name and an e-mail address are required, not only punctuation",
        ),
        (
            ["save", "agreements/metro-tf.yaml", "-m", "x", "--author", "Ann\x1fLee <a@x.gov>"],
            2,
            "control characters are not allowed in a name or e-mail address",
        ),
        (
            ["save", "agreements/metro-tf.yaml", "-m", "Fix\x1edone", "--author", AUTHOR],
            2,
            "the message (-m) holds a control character",
        ),
        (
            ["save", "agreements/Bad Name.yaml", "-m", "x", "--author", AUTHOR],
            1,
            "'Bad Name' is not a valid agreement id",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    root: Path, args: list[str], code: int, message: str
) -> None:
    new_and_save(root)
    before, files = head(root), snapshot(root)
    result = mou_in(root, *args)
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert head(root) == before and snapshot(root) == files


def test_a_git_failure_during_save_is_one_line_and_commits_nothing(root: Path) -> None:
    new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    path.write_text(path.read_text().replace("title: Metro", "title: Second"))
    before = head(root)
    env = {"GIT_AUTHOR_DATE": "not a date"}  # git commit-tree refuses it
    result = run_mou("save", str(path), "-m", "x", "--author", AUTHOR, cwd=root, env=env)
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("agreements/metro-tf.yaml: not saved: git: fatal: invalid date format")
    assert head(root) == before


@pytest.mark.parametrize("command", [["log", "metro-tf"], ["list"], ["show", "metro-tf"]])
def test_a_git_failure_while_reading_is_one_line(root: Path, command: list[str]) -> None:
    new_and_save(root)
    git(root, "config", "log.date", "nonsense")  # every `git log` now fails
    result = mou_in(root, *command)
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "git: fatal: unknown date format nonsense" in err


def test_invalid_file_lists_every_problem_and_commits_nothing(root: Path) -> None:
    new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    path.write_text(
        path.read_text()
        .replace("type: task_force", "type: taskforce")
        .replace("title: Metro", "titel: Metro")
    )
    before, files = head(root), snapshot(root)
    result = mou_in(root, "save", str(path), "-m", "x", "--author", AUTHOR)
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) >= 2
    assert all(line.startswith(str(path)) for line in lines)
    assert any("'titel'" in line for line in lines) and any("taskforce" in line for line in lines)
    assert head(root) == before and snapshot(root) == files


def test_not_a_git_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for args in (["list"], ["show", "metro-tf"], ["log", "metro-tf"]):
        result = run_mou(*args, "--workspace", str(plain), cwd=tmp_path)
        assert result.returncode == 1
        assert (
            result.stderr.decode()
            == f"{plain}: not a git repository; run `mou init {plain}` first\n"
        )
    assert list(plain.iterdir()) == []


def test_detached_head_save_is_refused(root: Path) -> None:
    new_and_save(root)
    git(root, "checkout", "-q", "--detach")
    path = root / "agreements/metro-tf.yaml"
    path.write_text(path.read_text().replace("title: Metro", "title: Detached"))
    before = head(root)
    result = mou_in(root, "save", str(path), "-m", "x", "--author", AUTHOR)
    assert result.returncode == 1 and "HEAD is detached" in result.stderr.decode()
    assert head(root) == before


def test_help_lists_the_workspace_commands_without_importing_git() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from mou.cli import cli\n"
        "out = CliRunner().invoke(cli, ['--help']).output\n"
        "print('git' in sys.modules, 'Workspace:' in out, all(c in out for c in "
        "['init', 'save', 'show', 'log', 'list']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True", "True"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [(["list"], "metro-tf  [draft]"), (["log", "metro-tf"], "Jane Roe")],
    ids=["list", "log"],
)
def test_list_and_log_start_without_pydantic(root: Path, command: list[str], expected) -> None:
    # They read git alone; loading pydantic and the JSON Schema tripled their start-up
    # when the store began importing the model at the top of the module.
    new_and_save(root)
    code = (
        "import sys; from mou.cli import cli\n"
        f"try:\n    cli.main({command!r}, prog_name='mou')\nexcept SystemExit:\n    pass\n"
        "heavy = ('pydantic', 'jsonschema', 'docxtpl', 'streamlit')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MOU_WORKSPACE": str(root)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    *shown, imported = result.stdout.strip().splitlines()
    assert imported == "[]"
    assert expected in shown[0]  # it did its work


def test_a_save_whose_working_file_cannot_be_written_says_saved_and_exits_0(root: Path) -> None:
    # Issue 10, item 3: the commit landed, yet `mou save` said "cannot write here", exit 1;
    # the retry then committed the stale working file and silently undid the save.
    first = new_and_save(root)
    path = root / "agreements/metro-tf.yaml"
    stale = path.read_text()
    edited = root.parent / "metro-tf.yaml"
    edited.write_text(stale.replace("title: Metro", "title: Second"))
    with read_only(root / "agreements"):
        result = mou_in(root, "save", str(edited), "-m", "Second", "--author", AUTHOR)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert out.count("\n") == 1 and out.startswith(
        f"agreements/metro-tf.yaml: saved as revision {head(root)}; "
        "the working file could not be updated: "
    )
    assert path.read_text() == stale and head(root) != first
    retry = mou_in(root, "save", "agreements/metro-tf.yaml", "-m", "Retry", "--author", AUTHOR)
    err = retry.stderr.decode()
    assert retry.returncode == 3 and err.count("\n") == 1, err
    assert "would undo that revision" in err
    assert "title: Second" in git(root, "show", "HEAD:agreements/metro-tf.yaml")


def test_a_symbolic_link_at_the_agreements_path_is_one_line_and_writes_nothing(
    root: Path, tmp_path: Path
) -> None:
    # Issue 10, item 5, as a user meets it: a link committed by someone else.
    new_and_save(root)
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    (root / "agreements/river-tf.yaml").symlink_to(outside)
    git(root, "add", "agreements/river-tf.yaml")
    git(root, "commit", "-qm", "a link")
    copy = tmp_path / "river-tf.yaml"
    copy.write_text((root / "agreements/metro-tf.yaml").read_text().replace("metro-tf", "river-tf"))
    before = head(root)
    for extra, code in (([], 1), (["--new"], 3)):
        result = mou_in(root, "save", str(copy), "-m", "x", "--author", AUTHOR, *extra)
        err = result.stderr.decode()
        assert result.returncode == code and err.count("\n") == 1, err
        assert err.startswith("agreements/river-tf.yaml: ") and "symbolic link" in err
    assert outside.read_text() == "not yours\n" and head(root) == before

"""Blame and the `diff` / `blame` commands over real git workspaces."""

from __future__ import annotations

import json

import pytest

from mou.changes.blame import blame_agreement
from mou.store.workspace import open_workspace
from tests.support.histories import ALICE, BOB, CAROL, History, commit_raw, task_force_data
from tests.support.runner import EXAMPLES, run_mou, snapshot

ID = "metro-task-force"
SHARES = [{"party": "party-a", "percent": 55}, {"party": "party-b", "percent": 45}]


@pytest.fixture
def history(tmp_path):
    """Alice drafts; Bob retitles and edits a duty; Carol changes a share; Alice reorders."""
    h = History(tmp_path / "ws", task_force_data(ID))
    h.save(ALICE, "Draft")
    h.save(BOB, "Retitle", lambda d: d.update(title="Metro Regional Task Force"))
    h.save(CAROL, "Shares", lambda d: d["funding"].update(cost_shares=SHARES))
    h.save(CAROL, "Notice", lambda d: d["term"].update(withdrawal_notice_days=90))
    h.save(BOB, "Duty", lambda d: d["responsibilities"][2].update(text="Duty three, amended."))
    h.save(ALICE, "Reorder", lambda d: d["responsibilities"].reverse())
    return h


def _blame_by_path(root):
    with open_workspace(root) as ws:
        return {row.path: row for row in blame_agreement(ws, ID)}


def test_blame_names_who_last_changed_each_field(history):
    rows = _blame_by_path(history.root)
    assert rows["$.title"].revision.author == BOB.name
    assert rows["$.funding.cost_shares[party=party-a].percent"].revision.author == CAROL.name
    assert rows["$.term.withdrawal_notice_days"].revision.sha == history.revisions[3]
    assert rows["$.responsibilities[id=r3].text"].revision.author == BOB.name
    assert rows["$.purpose"].revision.author == ALICE.name
    assert rows["$.purpose"].revision.sha == history.revisions[0]


def test_blame_credits_a_move_to_the_item_not_its_fields(history):
    rows = _blame_by_path(history.root)
    moved = [p for p, r in rows.items() if r.revision.sha == history.revisions[-1]]
    # Reversing four items moves three; their text keeps its own author.
    assert len(moved) == 3
    assert all(p.startswith("$.responsibilities[id=") and p.endswith("]") for p in moved)
    assert rows["$.responsibilities[id=r1].text"].revision.author == ALICE.name


def test_fields_of_an_added_item_are_blamed_on_the_addition(history):
    new = {"id": "r9", "parties": ["party-b"], "text": "A duty added late."}
    sha = history.save(BOB, "Add", lambda d: d["responsibilities"].append(new))
    rows = _blame_by_path(history.root)
    assert rows["$.responsibilities[id=r9].text"].revision.sha == sha
    assert rows["$.responsibilities[id=r9].parties"].revision.sha == sha


def test_blame_command_prints_one_row_per_field(history):
    done = run_mou("blame", ID, "--workspace", str(history.root))
    assert done.returncode == 0, done.stderr
    title_row = next(line for line in done.stdout.decode().splitlines() if line.endswith(" Title"))
    assert history.revisions[1][:7] in title_row and BOB.name in title_row


def test_blame_json(history):
    done = run_mou("blame", ID, "--json", "--workspace", str(history.root))
    rows = {row["path"]: row for row in json.loads(done.stdout)}
    assert rows["$.title"]["email"] == BOB.email
    assert rows["$.title"]["revision"] == history.revisions[1]


def test_blame_skips_an_invalid_revision_with_a_warning(history):
    commit_raw(history.root, f"agreements/{ID}.yaml", "id: [broken\n", "Break it")
    history.save(ALICE, "Repair")
    done = run_mou("blame", ID, "--workspace", str(history.root))
    assert done.returncode == 0
    assert "warning: skipped" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()


# --------------------------------------------------------------------------- mou diff


def test_diff_defaults_to_previous_against_current(history):
    done = run_mou("diff", ID, "--workspace", str(history.root))
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr
    assert "3 change(s) (3 moved)" in out
    assert "Roles and responsibilities" in out


def test_diff_between_named_revisions_as_json(history):
    first, last = history.revisions[0], history.revisions[-1]
    done = run_mou("diff", ID, first, last, "--json", "--workspace", str(history.root))
    report = json.loads(done.stdout)
    assert report["from"]["revision"] == first and report["to"]["revision"] == last
    paths = {c["path"]: c for c in report["changes"]}
    assert paths["$.title"]["old"] == "Metro Task Force"
    assert paths["$.responsibilities[id=r3].text"]["words"]


def test_diff_prints_whole_amounts_as_integers(history):
    # Shares are floats in the model; the text and the JSON read them as the file does.
    first, shares = history.revisions[1], history.revisions[2]
    done = run_mou("diff", ID, first, shares, "--workspace", str(history.root))
    assert "60 → 55" in done.stdout.decode() and ".0" not in done.stdout.decode()
    done = run_mou("diff", ID, first, shares, "--json", "--workspace", str(history.root))
    assert ".0" not in done.stdout.decode()
    changes = json.loads(done.stdout)["changes"]
    assert {(c["old"], c["new"]) for c in changes} == {(60, 55), (40, 45)}


def test_diff_prose_inline(history):
    first = history.revisions[0]
    done = run_mou("diff", ID, first, "--workspace", str(history.root))
    assert "[-Responsibility number 3-]{+Duty three, amended+}." in done.stdout.decode()


def test_identical_revisions_say_no_changes(history):
    rev = history.revisions[2]
    done = run_mou("diff", ID, rev, rev, "--workspace", str(history.root))
    assert done.returncode == 0
    assert done.stdout.decode().strip().endswith("no changes")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-agreement"], "no agreement 'no-such-agreement'"),
        (["Bad/Id"], "is not a valid agreement id"),
        ([ID, "nonsense-rev"], "unknown revision 'nonsense-rev'"),
        ([ID, "HEAD~40"], "unknown revision 'HEAD~40'"),
    ],
)
def test_diff_bad_input_is_one_line(history, args, message):
    before = snapshot(history.root)
    done = run_mou("diff", *args, "--workspace", str(history.root))
    err = done.stderr.decode()
    assert done.returncode == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert snapshot(history.root) == before


def test_diff_revision_without_the_agreement(history):
    # The workspace's first commit (init) predates the agreement.
    root_commit = run_git_root(history.root)
    done = run_mou("diff", ID, root_commit, "--workspace", str(history.root))
    assert done.returncode == 1
    assert f"no agreement '{ID}' at revision" in done.stderr.decode()


def test_diff_invalid_revision_is_one_line(history):
    bad = commit_raw(history.root, f"agreements/{ID}.yaml", "id: metro-task-force\n", "Break")
    done = run_mou("diff", ID, history.revisions[0], bad, "--workspace", str(history.root))
    err = done.stderr.decode().strip()
    assert done.returncode == 1
    assert len(err.splitlines()) == 1, err
    assert f"{ID} at {bad}: the agreement file is invalid:" in err
    assert "more problem(s)" in err


def _with_title_twice(root) -> str:
    """The committed agreement's text with its title line repeated (libyaml keeps the last)."""
    lines = (root / f"agreements/{ID}.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    title = next(n for n, line in enumerate(lines) if line.startswith("title:"))
    return "".join([*lines[: title + 1], "title: Another Title\n", *lines[title + 1 :]])


@pytest.mark.parametrize("command", ["diff", "redline"])
def test_a_file_with_a_duplicate_key_is_refused_as_validate_refuses_it(history, tmp_path, command):
    bad = commit_raw(history.root, f"agreements/{ID}.yaml", _with_title_twice(history.root), "Dup")
    out = ["-o", str(tmp_path / "out.docx")] if command == "redline" else []
    done = run_mou(command, ID, history.revisions[0], bad, *out, "--workspace", str(history.root))
    err = done.stderr.decode().strip()
    assert done.returncode == 1, err
    assert f"{ID} at {bad}: the agreement file is invalid:" in err
    assert "$.title: duplicate key: it appears twice" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out.docx").exists()


def run_git_root(root) -> str:
    import subprocess

    out = subprocess.run(
        ["git", "rev-list", "--max-parents=0", "HEAD"], cwd=root, capture_output=True, check=True
    )
    return out.stdout.decode().strip()


# --------------------------------------------------------------------------- quick loading


def _example_bytes() -> list[tuple[str, bytes]]:
    from mou.presets import preset
    from mou.yamlio import dump

    traps = preset("task_force", "yaml-traps", "Traps")
    # YAML 1.1 would read these as booleans, nulls, numbers or octal; YAML 1.2 does not.
    traps.update(marking="no", number="017", supersedes=["on", "2026-01-01", "1e3", "0x1F", "~"])
    cases = [(path.stem, path.read_bytes()) for path in EXAMPLES]
    return [*cases, ("yaml-traps", dump(traps).encode())]


@pytest.mark.parametrize(
    ("name", "raw"), _example_bytes(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_quick_load_reads_files_exactly_as_the_exact_loader(name, raw):
    # Pins the trap of a second YAML parser: it must not read any value differently.
    from mou.quickload import quick_load, quick_validated
    from mou.validate import load_bytes

    exact = load_bytes(raw, name, name)
    assert quick_load(raw) == exact
    assert quick_validated(raw, name, name) == exact


@pytest.mark.parametrize(
    "raw",
    [
        b"id: &a x\ntitle: *a\n",
        b"id: [unclosed\n",
        b"- a list\n",
        b"\xff\xfe",
        b"id: x\n",
    ],
    ids=["alias", "syntax", "not-a-mapping", "not-utf8", "invalid"],
)
def test_quick_load_declines_what_the_exact_loader_must_explain(raw):
    from mou.quickload import quick_load, quick_validated

    assert quick_load(raw) is None
    assert quick_validated(raw, "x", "x") is None


def test_quick_load_declines_a_key_that_appears_twice():
    # libyaml keeps the last of two keys; the exact loader refuses the file.
    from mou.presets import preset
    from mou.quickload import quick_load, quick_validated
    from mou.yamlio import dump

    text = dump(preset("task_force", "twice", "Twice"))
    assert quick_load(text.encode()) is not None
    raw = text.replace("title: Twice\n", "title: Twice\ntitle: Other\n", 1).encode()
    assert quick_load(raw) is None
    assert quick_validated(raw, "twice", "twice") is None


def test_blame_of_an_unknown_agreement_is_one_line(history):
    done = run_mou("blame", "never-was", "--workspace", str(history.root))
    err = done.stderr.decode().strip()
    assert done.returncode == 1 and "no agreement 'never-was'" in err
    assert len(err.splitlines()) == 1


def test_a_folder_that_is_not_a_workspace_is_one_line(tmp_path):
    done = run_mou("diff", ID, "--workspace", str(tmp_path))
    err = done.stderr.decode().strip()
    assert done.returncode == 1 and len(err.splitlines()) == 1, err
    assert "Traceback" not in err

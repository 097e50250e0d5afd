"""Several processes saving at once, some killed mid-save: nothing lost, nothing overwritten.

Each worker is a separate Python process that runs the real `mou save` command
in process (click's entry point, so the 20 saves do not pay 20 interpreter
start-ups) and records every exit code. Half the workers edit one shared
agreement with --base; the other half edit their own.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mou.store.workspace import Workspace
from mou.validate import load_file
from tests.support.colleague import colleague_commit_during
from tests.support.workspaces import AUTHOR, assert_fsck_clean, draft, git, make_workspace

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 6
SAVES = 20
SHARED = "shared-tf"

# argv: workspace, worker name, agreement id, use the shared agreement (0/1), saves, record file
WORKER = r"""
import contextlib, io, json, random, re, sys, time
from pathlib import Path
from mou.cli import cli
from mou.store.workspace import Workspace

root, name, agreement_id, shared, saves, record = sys.argv[1:7]
scratch = Path(record).parent / name
scratch.mkdir()
edit = scratch / f"{agreement_id}.yaml"
with Workspace(Path(root)) as ws:
    text = ws.load(agreement_id).raw.decode()
with open(record, "a") as out:
    for n in range(int(saves)):
        with Workspace(Path(root)) as ws:
            base = ws.history(agreement_id)[0].sha
        marker = f"{name} save {n}"
        edit.write_text(re.sub(r"(?m)^purpose: .*$", f"purpose: {marker}", text))
        if shared == "1":
            time.sleep(random.uniform(0, 0.02))  # widen the window in which others save
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli.main(
                ["save", str(edit), "-m", marker, "--author", f"{name} <{name}@agency.gov>",
                 "--base", base, "--workspace", root],
                prog_name="mou", standalone_mode=False,
            )
        words = stdout.getvalue().split()
        revision = words[-1] if code in (0, None) else None
        out.write(json.dumps({"id": agreement_id, "marker": marker, "exit": code or 0,
                              "base": base, "revision": revision,
                              "stderr": stderr.getvalue()[-300:]}) + "\n")
        out.flush()
"""


def _start_workers(root: Path, scratch: Path) -> list[tuple[subprocess.Popen, Path]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = []
    for n in range(WORKERS):
        name = f"w{n}"
        shared = n % 2 == 0
        agreement_id = SHARED if shared else f"own-{name}"
        record = scratch / f"{name}.jsonl"
        args = [str(root), name, agreement_id, "1" if shared else "0", str(SAVES), str(record)]
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER, *args],
            env=env,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so a kill takes its git child processes too
        )
        workers.append((process, record))
    return workers


def _records(workers: list[tuple[subprocess.Popen, Path]]) -> list[dict]:
    rows = []
    for _, record in workers:
        if record.exists():
            rows += [json.loads(line) for line in record.read_text().splitlines()]
    return rows


@pytest.fixture
def busy_workspace(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path)
    with Workspace(root) as ws:
        ws.save(draft(SHARED), "Shared agreement", AUTHOR)
        for n in range(1, WORKERS, 2):
            ws.save(draft(f"own-w{n}"), f"Agreement of w{n}", AUTHOR)
    return root


def _assert_nothing_lost(root: Path, rows: list[dict]) -> None:
    """Every exit-0 save is in history with its content; every other one exited 3."""
    with Workspace(root) as ws:
        histories = {i: [r.sha for r in ws.history(i)] for i in {row["id"] for row in rows}}
        for row in rows:
            if row["exit"] != 0:
                assert row["exit"] == 3, row
                assert row["id"] == SHARED, f"a save to its own agreement conflicted: {row}"
                continue
            history = histories[row["id"]]
            assert row["revision"] in history, row
            assert ws.load(row["id"], row["revision"]).agreement.purpose == row["marker"]
            # Never written over: the revision just before this save is the one it started from.
            assert history[history.index(row["revision"]) + 1] == row["base"], row


def _assert_repository_sound(root: Path) -> None:
    assert_fsck_clean(root)
    assert git(root, "status", "--porcelain") == ""
    for path in sorted((root / "agreements").glob("*.yaml")):
        load_file(path)  # every working-tree file is a valid agreement
    with Workspace(root) as ws:
        for agreement_id in ws.ids():
            ws.load(agreement_id)  # and so is every file at HEAD


def test_six_writers_lose_nothing(busy_workspace: Path, tmp_path: Path) -> None:
    workers = _start_workers(busy_workspace, tmp_path)
    for process, _ in workers:
        _, err = process.communicate(timeout=240)
        assert process.returncode == 0, err.decode()
    rows = _records(workers)
    assert len(rows) == WORKERS * SAVES
    _assert_nothing_lost(busy_workspace, rows)
    assert any(row["exit"] == 3 for row in rows), "no conflict happened; the test proved little"
    own = [row for row in rows if row["id"] != SHARED]
    assert all(row["exit"] == 0 for row in own)
    _assert_repository_sound(busy_workspace)


def test_writers_killed_mid_save_leave_a_sound_repository(
    busy_workspace: Path, tmp_path: Path
) -> None:
    chance = random.Random(os.environ.get("PYTEST_XDIST_WORKER", "") + str(time.time()))
    workers = _start_workers(busy_workspace, tmp_path)
    for process, record in workers:
        deadline = time.monotonic() + 60
        while not record.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)  # wait until it is saving, then kill it at a random moment
        time.sleep(chance.uniform(0, 0.4))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    for process, _ in workers:
        process.communicate(timeout=60)
        assert process.returncode in (0, -signal.SIGKILL)
    assert any(process.returncode == -signal.SIGKILL for process, _ in workers)
    rows = _records(workers)
    _assert_nothing_lost(busy_workspace, rows)
    # The next save of each agreement works within seconds of the kills.
    with Workspace(busy_workspace) as ws:
        for agreement_id in ws.ids():
            started = time.monotonic()
            loaded = ws.load(agreement_id)
            ws.save(
                draft(agreement_id, title="After the kills"), "Recover", AUTHOR, loaded.revision
            )
            assert time.monotonic() - started < 5
    _assert_repository_sound(busy_workspace)


# A colleague committing notes with plain git, over and over, while mou saves. Bounded by
# a count and stopped early once the mou writers are done.
PLAIN_GIT_LOOP = r"""
i=0
while [ $i -lt 2000 ] && [ ! -e "$1" ]; do
  i=$((i + 1))
  echo "note $i" > notes.txt
  git add notes.txt 2>/dev/null && git commit -qm "plain note $i" 2>/dev/null && echo "$i" >> "$2"
done
"""


@pytest.mark.xfail(
    strict=False,
    reason="git's own race, shown deterministically by the 'prepared' case below: a plain "
    "`git commit` paused between reading the index and locking it writes the old entry "
    "back, and the loop's next commit carries it (failed 5 of 20 runs at load 4-20)",
)
def test_mou_writers_alongside_a_plain_git_commit_loop_lose_and_revert_nothing(
    busy_workspace: Path, tmp_path: Path
) -> None:
    # Issue 10, item 2: a plain `git commit` landing between a save's branch move and its
    # index update committed the old index on top, reverting the saved agreement.
    stop, landed = tmp_path / "stop", tmp_path / "plain-commits"
    colleague = subprocess.Popen(
        ["sh", "-c", PLAIN_GIT_LOOP, "plain-git", str(stop), str(landed)], cwd=busy_workspace
    )
    try:
        workers = _start_workers(busy_workspace, tmp_path)
        for process, _ in workers:
            _, err = process.communicate(timeout=240)
            assert process.returncode == 0, err.decode()
    finally:
        stop.touch()
        colleague.wait(timeout=60)
    rows = _records(workers)
    _assert_nothing_lost(busy_workspace, rows)
    assert landed.exists(), "no plain commit landed; the test proved little"
    # No plain commit touched an agreement: had one committed a stale index, it would show here.
    reverted = git(
        busy_workspace, "log", "--format=%H %s", "--author=Plain Git", "--", "agreements"
    )
    assert reverted == ""
    _assert_each_agreement_holds_its_last_save(busy_workspace, rows)
    assert git(busy_workspace, "status", "--porcelain", "--", "agreements") == ""


def _assert_each_agreement_holds_its_last_save(root: Path, rows: list[dict]) -> None:
    with Workspace(root) as ws:
        for agreement_id in {row["id"] for row in rows}:
            newest = ws.history(agreement_id)[0].sha
            saved = [row for row in rows if row["id"] == agreement_id and row["exit"] == 0]
            assert newest in {row["revision"] for row in saved}
            marker = next(row["marker"] for row in saved if row["revision"] == newest)
            assert ws.load(agreement_id).agreement.purpose == marker


@pytest.mark.parametrize(
    "phase",
    [
        "committed",
        pytest.param(
            "prepared",
            marks=pytest.mark.xfail(
                strict=True,
                reason="git's own race: `git commit` reads the index before it locks it and "
                "writes that copy back, so one that read it before the save staged its entry "
                "puts the old entry back (its own commit then fails); see README",
            ),
        ),
    ],
)
def test_a_plain_commit_beside_a_save_never_carries_the_old_agreement(
    busy_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, phase: str
) -> None:
    # Issue 10, item 2: a `git commit` that read HEAD just after a save moved the branch,
    # and the index just before the save updated it, committed the old agreement on top.
    # "committed": the colleague reads HEAD and the index right after the branch moved;
    # "prepared": right after mou locked the branch, before it staged the new entry.
    colleague = colleague_commit_during(busy_workspace, tmp_path, monkeypatch, phase)
    with Workspace(busy_workspace) as ws:
        saved = ws.save(draft(SHARED, title="Saved while a colleague commits"), "Save", AUTHOR)
    assert colleague.started(), "the colleague's commit never started"
    status = colleague.finish()
    if phase == "committed":  # the colleague's commit landed on the save
        assert status == "0", colleague.log()
        assert git(busy_workspace, "rev-parse", "HEAD~1").strip() == saved.revision
        changed = git(busy_workspace, "show", "--name-only", "--format=", "HEAD").split()
        assert changed == ["notes.txt"]
    with Workspace(busy_workspace) as ws:
        assert ws.load(SHARED).agreement.title == "Saved while a colleague commits"
    # Neither the branch nor the index (the next commit's content) holds the old agreement.
    assert git(busy_workspace, "status", "--porcelain", "--", "agreements") == ""

"""Benchmarks of the git-backed workspace (issue 3); run by hand, prints medians and ratios.

    python benchmarks/bench_store.py [--runs N]

1. save in process vs a plain ``git add`` + ``git commit`` of the same file (target <= 2x);
   the whole ``mou save`` command (target < 0.5 s);
2. a generated workspace of 2,000 agreements (one commit each, then 10 more commits on
   200 of them, written with ``git fast-import``): ``mou list --json`` (target < 1 s);
3. one agreement's history in process vs plain ``git log -- agreements/<id>.yaml``
   (target <= 1.5x); the whole ``mou log --json`` (target < 0.5 s).

Every baseline is measured in the same run, interleaved with what it is compared to,
so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mou.ids import agreement_path  # noqa: E402
from mou.model import to_data  # noqa: E402
from mou.presets import preset  # noqa: E402
from mou.store.create import init_workspace  # noqa: E402
from mou.store.workspace import Author, Workspace  # noqa: E402
from mou.validate import validate_data  # noqa: E402
from mou.yamlio import dump  # noqa: E402

AUTHOR = Author("Bench Mark", "bench@agency.gov")
ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT),
    "GIT_AUTHOR_NAME": AUTHOR.name,
    "GIT_AUTHOR_EMAIL": AUTHOR.email,
    "GIT_COMMITTER_NAME": "mou",
    "GIT_COMMITTER_EMAIL": "mou@localhost",
}
TYPES = [
    "task_force",
    "information_sharing",
    "community_partnership",
    "joint_training",
    "mutual_aid",
]
AGREEMENTS = 2000
EDITED = 200
EDITS_EACH = 10


def run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, env=ENV, check=True, capture_output=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def mou(*args: str, cwd: Path) -> Callable[[], None]:
    return lambda: run(sys.executable, "-m", "mou", *args, cwd=cwd)


CHILD_CPU: list[float] = []


def command(*args: str, cwd: Path) -> Callable[[], None]:
    """A `mou` command whose CPU time is recorded (see :func:`with_cpu`)."""
    return with_cpu(mou(*args, cwd=cwd))


def python_c(code: str) -> Callable[[], None]:
    """`python -c CODE` with this checkout importable, its CPU time recorded."""
    return with_cpu(lambda: run(sys.executable, "-c", code, cwd=ROOT))


def with_cpu(action: Callable[[], None]) -> Callable[[], None]:
    """``action`` that appends the CPU time (user + system) of its child processes to CHILD_CPU.

    On a machine shared with other work, wall-clock medians grow with the load; the
    CPU time the command itself used is reported beside them as the steadier figure.
    """

    def measured() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        action()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CHILD_CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

    return measured


def report_command(label: str, action: Callable[[], None], runs: int) -> None:
    CHILD_CPU.clear()
    median = report(label, [timed(action) for _ in range(runs)])
    cpu = statistics.median(CHILD_CPU)
    print(f"{'':<58} (wall {median * 1000:.0f} ms; CPU used {cpu * 1000:.0f} ms)", flush=True)


def report(label: str, seconds: list[float], baseline: list[float] | None = None) -> float:
    median = statistics.median(seconds)
    line = f"{label:<58} median {median * 1000:8.1f} ms"
    if baseline:
        line += f"   ratio {median / statistics.median(baseline):5.2f}x"
    print(line, flush=True)
    return median


# ---------------------------------------------------------------------- 1. save


def bench_save(scratch: Path, runs: int) -> None:
    ours, plain = scratch / "ours", scratch / "plain"
    for root in (ours, plain):
        init_workspace(root)
    agreement = validate_data(preset("task_force", "bench-tf", "Bench"))
    target = plain / agreement_path("bench-tf")
    save_times, git_times = [], []
    with Workspace(ours) as ws:
        ws.save(agreement, "warm up", AUTHOR)
        for n in range(runs):
            edited = agreement.model_copy(update={"title": f"Bench {n}"})
            message = f"edit {n}"
            save_times.append(timed(lambda e=edited, m=message: ws.save(e, m, AUTHOR)))
            text = dump(to_data(edited)).encode()

            def plain_commit(text: bytes = text, n: int = n) -> None:
                target.write_bytes(text)
                run("git", "add", str(target), cwd=plain)
                run("git", "commit", "-q", "-m", f"edit {n}", cwd=plain)

            git_times.append(timed(plain_commit))
    report("plain: write file + git add + git commit", git_times)
    report("store: Workspace.save (validate, canonical YAML, commit)", save_times, git_times)
    path = ours / agreement_path("bench-tf")
    save_command = command("save", str(path), "-m", "cli", "--author", str(AUTHOR), cwd=ours)

    def edit_and_save() -> None:
        path.write_text(path.read_text().replace("title: ", "title: X", 1))
        save_command()

    report_command("whole command: mou save (target < 500 ms)", edit_and_save, runs)
    print("  for scale, what every `mou save` imports before it does anything:")
    imports = "import mou.cli, mou.commands.workspace, mou.store.workspace, mou.validate, git"
    report_command(f"  python -c '{imports}'", python_c(imports), runs)


# ---------------------------------------------------------------------- 2. big workspace


def generate(root: Path) -> str:
    """2,000 agreements, one commit each, then 10 commits on each of 200; returns an edited id."""
    init_workspace(root)
    branch = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    texts = {
        t: dump(to_data(validate_data(preset(t, "placeholder-id", "Placeholder")))) for t in TYPES
    }
    stream = bytearray()
    clock = 1_700_000_000

    def commit(agreement_id: str, text: str, message: str, first: bool) -> None:
        nonlocal clock
        clock += 60
        data = text.encode()
        note = message.encode()
        stream.extend(b"commit %s\n" % branch.encode())
        stream.extend(
            b"author Liaison %d <liaison%d@agency.gov> %d +0000\n" % (clock % 7, clock % 7, clock)
        )
        stream.extend(b"committer mou <mou@localhost> %d +0000\n" % clock)
        stream.extend(b"data %d\n%s\n" % (len(note), note))
        if first:
            stream.extend(b"from %s^0\n" % branch.encode())
        stream.extend(
            b"M 100644 inline %s\ndata %d\n%s\n"
            % (agreement_path(agreement_id).encode(), len(data), data)
        )

    def text_of(n: int, revision: int) -> str:
        text = texts[TYPES[n % len(TYPES)]].replace("placeholder-id", f"agreement-{n:04d}")
        text = text.replace("title: Placeholder", f"title: Agreement {n:04d} revision {revision}")
        return text.replace("status: draft", "status: in_review") if revision else text

    for n in range(AGREEMENTS):
        commit(f"agreement-{n:04d}", text_of(n, 0), f"Add agreement {n}", first=n == 0)
    for revision in range(1, EDITS_EACH + 1):
        for n in range(0, AGREEMENTS, AGREEMENTS // EDITED):
            commit(f"agreement-{n:04d}", text_of(n, revision), f"Edit {revision} of {n}", False)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    run("git", "reset", "-q", "--hard", cwd=root)
    return "agreement-0010"


def bench_big_workspace(scratch: Path, runs: int) -> None:
    root = scratch / "big"
    started = time.perf_counter()
    edited = generate(root)
    commits = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    took = time.perf_counter() - started
    print(f"generated {AGREEMENTS} agreements, {commits} commits in {took:.1f} s")
    report("mou list --json, first run (no cache yet)", [timed(mou("list", "--json", cwd=root))])
    report_command("mou list --json (target < 1000 ms)", command("list", "--json", cwd=root), runs)
    with Workspace(root) as ws:
        assert len(ws.list()) == AGREEMENTS
        report("  in process: Workspace.list()", [timed(ws.list) for _ in range(runs)])
    print("history, as fast-import left it (no commit-graph for the 4,000 new commits):")
    bench_history(root, edited, runs)
    run("git", "commit-graph", "write", "--reachable", cwd=root)
    print("history after `git commit-graph write --reachable` (what git gc does):")
    bench_history(root, edited, runs)


def bench_history(root: Path, edited: str, runs: int) -> None:
    ours, plain = [], []
    with Workspace(root) as ws:
        for _ in range(runs):
            ours.append(timed(lambda: ws.history(edited)))
            plain.append(timed(lambda: run("git", "log", "--", agreement_path(edited), cwd=root)))
        assert len(ws.history(edited)) == EDITS_EACH + 1
    report(f"  plain: git log -- {agreement_path(edited)}", plain)
    report("  store: Workspace.history (in process)", ours, plain)
    log_command = command("log", edited, "--json", cwd=root)
    report_command("  mou log --json (target < 500 ms)", log_command, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="repetitions per measurement")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="mou-bench-") as scratch:
        bench_save(Path(scratch), args.runs)
        bench_big_workspace(Path(scratch), args.runs)
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

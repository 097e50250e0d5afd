"""Benchmark of issue 10's scale cases: nothing may grow faster than the work.

    python benchmarks/bench_scale.py [--runs N] [--scale F] [--only CASE ...] [--code DIR]

Each case is built at three sizes (1/4, 1/2 and 1x of the issue's size, times --scale)
and every figure is a whole ``mou`` command run as a user runs it (a new process),
median of --runs. Printed beside each median: its ratio against ``mou --version``
measured in the same run (the start-up every command pays), and the growth factor
from the previous size; a doubling of the work that costs at most ~2.2x is n log n.

Cases (targets from the issue, at 1x):

* ``list``: 2,000 agreements (the five examples under new ids) committed by plain git in
  non-canonical styles (keys sorted and indented by 4, flow-style leaves, JSON,
  sequences not indented); ``mou list --json`` with no cache, and first in a fresh
  ``git clone`` (< 5 s each).
* ``prose``: a 6,000-word purpose with an 18-word vocabulary, every 10th word changed
  in the next revision: ``mou diff``, ``mou blame``, ``mou redline`` (< 3 s each).
* ``reversed``: 2,000 responsibilities, reversed in the next revision (< 3 s each).
* ``items``: 3,000 responsibilities, every 100th edited, a few removed, added and
  swapped (< 3 s each).
* ``history``: one agreement with 4,000 commits: ``mou blame`` (< 3 s).

``--code DIR`` times the commands of another checkout of mou (for example ``git archive
main | tar -x -C DIR``) on workspaces built by this one: the before-and-after figures.
Run by hand; a slow command is cut off after --timeout seconds and shown as such.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mou.ids import agreement_path  # noqa: E402
from mou.model import to_data  # noqa: E402
from mou.presets import preset  # noqa: E402
from mou.store.create import init_workspace  # noqa: E402
from mou.store.workspace import Author, Workspace  # noqa: E402
from mou.validate import load_file, validate_data  # noqa: E402
from mou.yamlio import dump  # noqa: E402

AUTHOR = Author("Bench Mark", "bench@agency.gov")
GIT_ENV = {
    "GIT_AUTHOR_NAME": AUTHOR.name,
    "GIT_AUTHOR_EMAIL": AUTHOR.email,
    "GIT_COMMITTER_NAME": "mou",
    "GIT_COMMITTER_EMAIL": "mou@localhost",
}
VOCABULARY = [
    *("the", "party", "shall", "share", "data", "with", "each", "agency", "under"),
    *("this", "agreement", "and", "report", "all", "records", "to", "board", "notice"),
]
FULL_SIZES = {"list": 2000, "prose": 6000, "reversed": 2000, "items": 3000, "history": 4000}
FRACTIONS = (0.25, 0.5, 1.0)
AGREEMENT_ID = "scale-bench"


def _children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children.

    On a machine shared with other work the wall-clock time grows with the load; the
    CPU time the command itself used is printed beside it as the steadier figure.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CommandFailed(Exception):
    """A timed command exited non-zero; reported in place of its time."""


class Timer:
    """Runs `mou` commands of one checkout and keeps the baseline of ``mou --version``."""

    def __init__(self, code: Path, runs: int, timeout: float) -> None:
        self.env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(code)}
        self.env.pop("MOU_WORKSPACE", None)
        self.runs, self.timeout = runs, timeout
        self.cpu = 0.0  # median CPU seconds of the last measurement
        self.baseline = self.median(lambda: self.mou("--version", cwd=ROOT))

    def mou(self, *args: str, cwd: Path) -> None:
        command = [sys.executable, "-m", "mou", *args]
        done = subprocess.run(
            command, cwd=cwd, env=self.env, capture_output=True, timeout=self.timeout
        )
        if done.returncode != 0:
            raise CommandFailed(f"mou {' '.join(args)}: {done.stderr.decode().strip()[-500:]}")

    def median(self, action: Callable[[], object], prepare: Callable[[], object] = lambda: None):
        """Median seconds of ``action`` (``prepare`` runs untimed before each); None: cut off."""
        times, cpu = [], []
        for _ in range(self.runs):
            prepare()
            used = _children_cpu()
            started = time.perf_counter()
            try:
                action()
            except subprocess.TimeoutExpired:
                return None
            except CommandFailed as failure:
                print(f"  FAILED: {failure}", flush=True)
                return None
            times.append(time.perf_counter() - started)
            cpu.append(_children_cpu() - used)
        self.cpu = statistics.median(cpu)
        return statistics.median(times)


Result = tuple[int, float | None, float]  # size, median wall seconds (None: failed), CPU


def report(label: str, results: list[Result], timer: Timer) -> None:
    """One line per size: median, ratio against ``mou --version``, growth from the last size."""
    previous = None
    for size, seconds, cpu in results:
        if seconds is None:
            print(f"  {label:<28} n={size:>6}  failed or cut off after {timer.timeout:.0f} s")
            previous = None
            continue
        growth = f"growth x{seconds / previous:5.2f}" if previous else ""
        ratio = seconds / timer.baseline
        line = (
            f"  {label:<28} n={size:>6}  median {seconds:7.2f} s (cpu {cpu:6.2f} s)"
            f"  ratio {ratio:6.1f}x  {growth}"
        )
        print(line, flush=True)
        previous = seconds


# ---------------------------------------------------------------------- workspaces


def fast_import(root: Path, commits: list[tuple[str, dict[str, bytes]]]) -> None:
    """Commit ``(message, {path: bytes})`` pairs on the current branch with ``git fast-import``."""
    branch = git(root, "symbolic-ref", "HEAD")
    stream = bytearray()
    for n, (message, files) in enumerate(commits):
        clock = 1_700_000_000 + 60 * n
        note = message.encode()
        stream += b"commit %s\n" % branch.encode()
        stream += b"author Liaison %d <liaison%d@agency.gov> %d +0000\n" % (n % 7, n % 7, clock)
        stream += b"committer mou <mou@localhost> %d +0000\n" % clock
        stream += b"data %d\n%s\n" % (len(note), note)
        if n == 0:
            stream += b"from %s^0\n" % branch.encode()
        for path, data in files.items():
            stream += b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    git(root, "reset", "-q", "--hard")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def non_canonical(data: dict[str, Any], style: int) -> str:
    """The agreement as a plain-git user's tool might write it: valid, never canonical."""
    if style == 0:  # keys sorted, mappings indented by four, long lines folded
        return yaml.safe_dump(data, sort_keys=True, indent=4, width=80, allow_unicode=True)
    if style == 1:  # flow-style leaves: `owners: [fbi, fsp]`, `address: {city: ...}`
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120)
    if style == 2:  # JSON, which is YAML too
        return json.dumps(data, indent=2, ensure_ascii=False)
    # canonical order, but sequences not indented and a comment on top
    text = yaml.safe_dump(data, sort_keys=False, width=4096, allow_unicode=True)
    return "# edited by hand\n" + text


def build_list(root: Path, size: int) -> None:
    """``size`` agreements, one plain-git commit each, in the four non-canonical styles."""
    init_workspace(root)
    examples = [to_data(load_file(p)) for p in sorted((ROOT / "agreements").glob("*.yaml"))]
    commits = []
    for n in range(size):
        data = copy.deepcopy(examples[n % len(examples)])
        data["id"] = f"agreement-{n:05d}"
        data["title"] = f"{data['title']} no. {n}"
        text = non_canonical(data, n % 4).encode()
        commits.append((f"Add agreement {n}", {agreement_path(data["id"]): text}))
    fast_import(root, commits)


def save(ws: Workspace, data: dict[str, Any], message: str) -> None:
    ws.save(validate_data(copy.deepcopy(data)), message, AUTHOR)


def two_revisions(root: Path, first: dict[str, Any], second: dict[str, Any]) -> None:
    init_workspace(root)
    with Workspace(root) as ws:
        save(ws, first, "First")
        save(ws, second, "Second")


def responsibilities(count: int) -> list[dict[str, Any]]:
    return [
        {"id": f"r{n}", "parties": ["party-a"], "text": f"Responsibility number {n}."}
        for n in range(count)
    ]


def build_prose(root: Path, words: int) -> None:
    data = preset("task_force", AGREEMENT_ID, "Scale bench")
    text = [VOCABULARY[(n * 7) % len(VOCABULARY)] for n in range(words)]
    data["purpose"] = " ".join(text) + "."
    changed = [
        VOCABULARY[(VOCABULARY.index(w) + 1) % len(VOCABULARY)] if n % 10 == 9 else w
        for n, w in enumerate(text)
    ]
    two_revisions(root, data, {**data, "purpose": " ".join(changed) + "."})


def build_reversed(root: Path, count: int) -> None:
    data = preset("task_force", AGREEMENT_ID, "Scale bench")
    data["responsibilities"] = responsibilities(count)
    reverse = {**data, "responsibilities": list(reversed(data["responsibilities"]))}
    two_revisions(root, data, reverse)


def build_items(root: Path, count: int) -> None:
    data = preset("task_force", AGREEMENT_ID, "Scale bench")
    data["responsibilities"] = responsibilities(count)
    items = copy.deepcopy(data["responsibilities"])
    for n in range(0, count, 100):
        items[n]["text"] = f"Responsibility number {n}, revised to say more."
    items = [item for n, item in enumerate(items) if n % 300 != 150]
    items[1], items[2] = items[2], items[1]
    items += [{"id": f"new{n}", "parties": ["party-b"], "text": "A new duty."} for n in range(5)]
    two_revisions(root, data, {**data, "responsibilities": items})


def build_history(root: Path, commits: int) -> None:
    """One agreement saved once, then ``commits`` more commits each changing one line."""
    data = preset("task_force", AGREEMENT_ID, "Scale bench")
    data["responsibilities"] = responsibilities(20)
    lines = dump(to_data(validate_data(data))).split("\n")
    title = lines.index("title: Scale bench")
    duties = [n for n, line in enumerate(lines) if line.startswith("    text: Responsibility")]
    path = agreement_path(AGREEMENT_ID)
    history = [("Add", {path: "\n".join(lines).encode()})]
    for n in range(1, commits + 1):
        if n % 2:
            lines[title] = f"title: Scale bench {n}"
        else:
            duty = duties[(n // 2) % len(duties)]
            lines[duty] = f"    text: Responsibility revised in commit {n}."
        history.append((f"Edit {n}", {path: "\n".join(lines).encode()}))
    init_workspace(root)
    fast_import(root, history)


BUILDERS = {
    "prose": build_prose,
    "reversed": build_reversed,
    "items": build_items,
    "history": build_history,
}


# ---------------------------------------------------------------------- cases


def bench_list(timer: Timer, sizes: list[int], scratch: Path) -> None:
    uncached, cloned = [], []
    for size in sizes:
        root = scratch / f"list-{size}"
        build_list(root, size)
        cache = root / ".git" / "mou-list-cache.json"
        forget = lambda c=cache: c.unlink(missing_ok=True)  # noqa: E731
        seconds = timer.median(lambda r=root: timer.mou("list", "--json", cwd=r), forget)
        uncached.append((size, seconds, timer.cpu))
        clone = scratch / f"clone-{size}"

        def fresh_clone(root: Path = root, clone: Path = clone) -> None:
            shutil.rmtree(clone, ignore_errors=True)
            subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)

        seconds = timer.median(lambda c=clone: timer.mou("list", "--json", cwd=c), fresh_clone)
        cloned.append((size, seconds, timer.cpu))
        shutil.rmtree(clone, ignore_errors=True)
        shutil.rmtree(root)
    report("list --json, no cache", uncached, timer)
    report("list --json, after git clone", cloned, timer)


def bench_review(timer: Timer, case: str, sizes: list[int], scratch: Path) -> None:
    commands = {
        "diff": ["diff", AGREEMENT_ID],
        "blame": ["blame", AGREEMENT_ID],
        "redline": ["redline", AGREEMENT_ID, "HEAD~1", "HEAD", "-o", str(scratch / "out.docx")],
    }
    if case == "history":
        commands = {"blame": commands["blame"]}
    results: dict[str, list[Result]] = {name: [] for name in commands}
    for size in sizes:
        root = scratch / f"{case}-{size}"
        BUILDERS[case](root, size)
        for name, args in commands.items():
            seconds = timer.median(lambda r=root, a=args: timer.mou(*a, cwd=r))
            results[name].append((size, seconds, timer.cpu))
        shutil.rmtree(root)
    for name, rows in results.items():
        report(f"{case}: {name}", rows, timer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions per measurement")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every size")
    parser.add_argument("--only", nargs="*", choices=list(FULL_SIZES), default=list(FULL_SIZES))
    parser.add_argument("--code", type=Path, default=ROOT, help="the mou checkout to time")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per command")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    timer = Timer(args.code.resolve(), args.runs, args.timeout)
    baseline = f"median {timer.baseline:.2f} s (cpu {timer.cpu:.2f} s)"
    print(f"code: {args.code}; baseline mou --version: {baseline}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mou-scale-") as scratch:
        for case in args.only:
            sizes = [max(1, round(FULL_SIZES[case] * f * args.scale)) for f in FRACTIONS]
            print(f"{case}: sizes {sizes}", flush=True)
            if case == "list":
                bench_list(timer, sizes, Path(scratch))
            else:
                bench_review(timer, case, sizes, Path(scratch))
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

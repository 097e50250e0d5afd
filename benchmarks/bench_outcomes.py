"""Benchmark of issue 15's targets: `mou due` over many agreements, a report of many metrics.

    python benchmarks/bench_outcomes.py [--runs N] [--only due|report]

Each case is built at three sizes (1/4, 1/2 and 1x of the issue's size). Printed: the
median wall time of --runs, the CPU time beside it (the machine is shared), the ratio
against a baseline measured in the same run, and the growth from the previous size (a
doubling of the work that costs at most ~2.2x is n log n).

* ``due``: 2,000 agreements (the five examples under new ids, committed by plain git)
  with a measurements file each for a fifth of them; ``mou due --json --today
  2027-06-01`` as a user runs it (a new process): without the facts cache right after
  that commit (every object loose, as after a change to every file) and in a fresh
  clone (every object packed), then with the cache (target: < 1 s). Baseline: ``mou
  --version`` (the start-up every command pays); each case's CPU time is also given as
  a multiple of the start-up's.
* ``report``: one agreement with 20 metrics (five at 1/4), 8 quarterly values each;
  ``build_report`` in this process (target: < 3 s for 20 x 8). Baseline: one chart.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mou.document.charts import metric_chart  # noqa: E402
from mou.document.report import build_report  # noqa: E402
from mou.measures import Measurement, MeasurementLog, series  # noqa: E402
from mou.model import Agreement, to_data  # noqa: E402
from mou.store.create import init_workspace  # noqa: E402
from mou.validate import load_file, validate_data  # noqa: E402

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench Mark",
    "GIT_AUTHOR_EMAIL": "bench@agency.gov",
    "GIT_COMMITTER_NAME": "mou",
    "GIT_COMMITTER_EMAIL": "mou@localhost",
}
FRACTIONS = (0.25, 0.5, 1.0)
EXAMPLES = sorted((ROOT / "agreements").glob("*.yaml"))
QUARTERS = [f"{year}-Q{q}" for year in (2027, 2028) for q in (1, 2, 3, 4)]


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (this process and its children)."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu0, wall0 = time.process_time() + cpu_of_children(), time.perf_counter()
        action()
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() + cpu_of_children() - cpu0)
    return statistics.median(walls), statistics.median(cpus)


def mou(root: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "mou", *args], cwd=root, env=env,
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"mou {' '.join(args)} failed: {done.stderr.decode()}")


def due_workspace(parent: Path, count: int) -> Path:
    """``count`` agreements (the examples under new ids) and some measurements, one commit."""
    root = parent / f"due-{count}"
    init_workspace(root)
    for index in range(count):
        source = EXAMPLES[index % len(EXAMPLES)]
        new_id = f"{source.stem[:40]}-{index:05d}"
        text = source.read_text().replace(f"id: {source.stem}\n", f"id: {new_id}\n", 1)
        (root / "agreements" / f"{new_id}.yaml").write_text(text)
        if index % 5 == 0:
            (root / "measurements").mkdir(exist_ok=True)
            (root / "measurements" / f"{new_id}.yaml").write_text(
                f"agreement: {new_id}\nmeasurements: []\nreviews:\n  - 2027-02-15\n"
            )
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "bench"], cwd=root, check=True, env=env)
    return root


def fresh_clone(root: Path) -> Path:
    """A clone of ``root`` as a colleague makes it: every object packed, no facts cache."""
    clone = root.with_name(root.name + "-clone")
    subprocess.run(["git", "clone", "-q", "--no-local", str(root), str(clone)], check=True)
    return clone


def bench_due(runs: int, work: Path) -> None:
    print("due: mou due --json over N agreements (a new process each run)")
    base_wall, base_cpu = timed(lambda: mou(work, "--version"), runs)
    print(f"  baseline mou --version: {base_wall:.3f} s (cpu {base_cpu:.3f})")
    previous: dict[str, float] = {}
    for fraction in FRACTIONS:
        count = int(2000 * fraction)
        root = due_workspace(work, count)
        print(f"  {count:5d} agreements  [target < 1 s at 2,000]")
        cases = (
            ("no cache, loose objects (every file changed)", root, True),
            ("no cache, fresh clone (objects packed)", fresh_clone(root), True),
            ("cached", root, False),
        )
        for name, where, cold in cases:
            if not cold:
                due_run(where, cold=False)  # the cache is filled before the timed runs
            wall, cpu = timed(lambda w=where, c=cold: due_run(w, cold=c), runs)
            growth = (
                f", x{cpu / previous[name]:.2f} cpu from the previous size"
                if name in previous
                else ""
            )
            previous[name] = cpu
            print(
                f"    {name:45s} {wall:.3f} s (cpu {cpu:.3f}), {cpu / base_cpu:.1f}x the "
                f"start-up's cpu{growth}"
            )


def due_run(root: Path, *, cold: bool) -> None:
    """``mou due --json`` in ``root``; ``cold``: with the facts cache deleted first."""
    if cold:
        (root / ".git" / "mou-facts-cache.json").unlink(missing_ok=True)
    mou(root, "due", "--json", "--today", "2027-06-01")


def report_inputs(metric_count: int) -> tuple[Agreement, MeasurementLog]:
    data = to_data(load_file(EXAMPLES[0]))
    goal = data["goals"][0]
    template = goal["metrics"][0]
    goal["metrics"] = [{**template, "id": f"metric-{i:02d}", "frequency": "quarterly"}
                       for i in range(metric_count)]  # fmt: skip
    data["goals"] = [goal]
    for responsibility in data["responsibilities"]:
        responsibility.pop("goals", None)  # they name goals left out here
    agreement = validate_data(data)
    entries = [
        Measurement(metric=f"metric-{i:02d}", period=period, value=100 - i - step)
        for i in range(metric_count)
        for step, period in enumerate(QUARTERS)
    ]
    return agreement, MeasurementLog(agreement=agreement.id, measurements=entries)


def bench_report(runs: int) -> None:
    print("report: build_report with M metrics x 8 quarterly values (in process)")
    agreement, log = report_inputs(1)
    metric = agreement.goals[0].metrics[0]
    metric_chart(metric, series(log, metric))  # a warm-up: matplotlib's import and fonts
    base_wall, _ = timed(lambda: metric_chart(metric, series(log, metric)), runs)
    print(f"  baseline one chart: {base_wall:.3f} s")
    previous = None
    for fraction in FRACTIONS:
        count = int(20 * fraction)
        agreement, log = report_inputs(count)
        wall, cpu = timed(lambda: build_report(agreement, log, revision="0" * 40), runs)  # noqa: B023
        growth = f"  x{wall / previous:.2f} from the previous size" if previous else ""
        previous = wall
        print(
            f"  {count:2d} metrics x 8: {wall:.3f} s (cpu {cpu:.3f}), {wall / base_wall:.1f} "
            f"charts' worth{growth}  [target < 3 s at 20 x 8]"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("due", "report"), default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mou-bench-outcomes-"))
    try:
        if args.only in (None, "report"):
            bench_report(args.runs)
        if args.only in (None, "due"):
            bench_due(args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Export benchmarks: rendering overhead over bare docxtpl, and `mou export --all` scaling.

1. In process, the largest example: ``render_docx`` (context, render, provenance)
   against a bare docxtpl render + save of the same template and context, in the
   same run. Targets: ratio <= 1.5, median < 300 ms.
2. ``mou export --all`` over N agreements (copies of the examples in a fresh git
   workspace) with 1 worker and with 2. Target: 2 workers >= 1.6 x the throughput.

Run: ``python benchmarks/bench_export.py [--count 200] [--repeat 15]``.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402
from jinja2 import Environment  # noqa: E402

from benchmarks import timing  # noqa: E402
from mou.document.context import build_context  # noqa: E402
from mou.document.provenance import PENDING  # noqa: E402
from mou.document.render import render_docx  # noqa: E402
from mou.document.template import template_bytes  # noqa: E402
from mou.store.create import init_workspace  # noqa: E402
from mou.validate import load_file  # noqa: E402

REVISION = "0123456789abcdef0123456789abcdef01234567"


def examples() -> list[Path]:
    found = sorted((ROOT / "agreements").glob("*.yaml"))
    return found or [ROOT / "mou" / "data" / "sample.yaml"]


def median_ms(func, repeat: int) -> float:
    """Median milliseconds, caches warmed first as a long-running process has them."""
    return timing.median_ms(func, repeat, warm_up=True)


def bench_in_process(repeat: int) -> None:
    largest = max(examples(), key=lambda p: p.stat().st_size)
    agreement = load_file(largest, largest.stem if largest.parent.name == "agreements" else None)
    template = template_bytes()
    context = build_context(agreement, REVISION, False, PENDING)

    def bare() -> bytes:
        document = DocxTemplate(io.BytesIO(template))
        # docxtpl as its documentation shows it: a plain environment, autoescaping on.
        document.render(context, Environment(autoescape=True), autoescape=True)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    baseline = median_ms(bare, repeat)
    ours = median_ms(lambda: render_docx(agreement, REVISION, False), repeat)
    print(f"in-process export of {largest.name} ({largest.stat().st_size:,} bytes of YAML)")
    print(f"  bare docxtpl render + save: median {baseline:7.1f} ms")
    print(f"  mou render_docx:            median {ours:7.1f} ms")
    verdict = "ok" if ours / baseline <= 1.5 and ours < 300 else "MISSED"
    print(f"  ratio {ours / baseline:.2f} x (target <= 1.5 x, < 300 ms): {verdict}")


def make_workspace(root: Path, count: int) -> None:
    init_workspace(root)
    sources = examples()
    for index in range(count):
        source = sources[index % len(sources)]
        text = source.read_text(encoding="utf-8")
        old_id = re.search(r"^id: (\S+)$", text, re.M).group(1)  # type: ignore[union-attr]
        new_id = f"copy-{index:03d}-{old_id}"[:64].rstrip("-")
        text = text.replace(f"id: {old_id}\n", f"id: {new_id}\n", 1)
        (root / "agreements" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.gov"}
    env |= {"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.gov"}
    subprocess.run(["git", "add", "agreements"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "copies"], cwd=root, check=True, env=env)


def export_all_seconds(root: Path, jobs: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all processes) of one `mou export --all`."""
    out = root.parent / f"out-{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MOU_WORKSPACE": str(root)}
    command = [sys.executable, "-m", "mou", "export", "--all", str(out), "--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(f"export --all failed: {result.stderr.decode()[-500:]}")
    return elapsed, cpu


def bench_export_all(count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "ws"
        make_workspace(root, count)
        runs = {jobs: [export_all_seconds(root, jobs) for _ in range(rounds)] for jobs in (1, 2)}
    one, two = (statistics.median(w for w, _ in runs[jobs]) for jobs in (1, 2))
    cpu_one, cpu_two = (statistics.median(c for _, c in runs[jobs]) for jobs in (1, 2))
    print(f"mou export --all over {count} agreements (median of {rounds} run(s) each)")
    print(f"  1 worker:  {one:6.1f} s  ({count / one:5.2f} agreements/s), CPU {cpu_one:6.1f} s")
    print(f"  2 workers: {two:6.1f} s  ({count / two:5.2f} agreements/s), CPU {cpu_two:6.1f} s")
    verdict = "ok" if one / two >= 1.6 else "MISSED"
    print(f"  speed-up {one / two:.2f} x (target >= 1.6 x): {verdict}")
    print(f"  load average now {os.getloadavg()[0]:.1f} (other processes compete for the cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="agreements for --all")
    parser.add_argument("--repeat", type=int, default=15, help="in-process repetitions")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each --all timing")
    parser.add_argument("--skip-all", action="store_true", help="only the in-process part")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; load {os.getloadavg()[0]:.1f}")
    bench_in_process(args.repeat)
    if not args.skip_all:
        bench_export_all(args.count, args.rounds)


if __name__ == "__main__":
    main()

"""Server-side rerun time of each wizard step with the largest example agreement open.

Measured with Streamlit's AppTest (the script run, no browser), as the median of
several reruns per step. Each step rerun alternates with a rerun of a one-line
Streamlit app, so both see the same machine load (the machine is shared) and the
ratio compares like with like. Targets: median <= 150 ms per step, and <= 3x the
one-line app.

    python benchmarks/bench_wizard.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402
from streamlit.util import calc_hash  # noqa: E402

from mou.store.create import init_workspace  # noqa: E402
from mou.store.workspace import Author, Workspace  # noqa: E402
from mou.ui.app import SECTIONS  # noqa: E402
from mou.validate import load_file  # noqa: E402

TARGET_MS = 150
TARGET_RATIO = 3.0
ONE_LINE_APP = 'import streamlit as st\nst.write("hello")'


def largest_example() -> Path:
    examples = sorted((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    if not examples:
        sys.exit("no example agreements in agreements/; nothing to measure")
    return examples[-1]


def rerun_ms(at: AppTest) -> float:
    """Wall time of one rerun of the page ``at`` is on."""
    start = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - start) * 1000
    if at.exception:
        sys.exit(f"the app raised: {at.exception[0].message}")
    return elapsed


def medians(at: AppTest, baseline: AppTest, runs: int) -> tuple[float, float]:
    """Median rerun of the step and of the one-line app, measured alternately."""
    step, base = [], []
    for _ in range(runs):
        base.append(rerun_ms(baseline))
        step.append(rerun_ms(at))
    return statistics.median(step), statistics.median(base)


def open_step(at: AppTest, slug: str) -> None:
    # The pages are functions; AppTest.switch_page() only knows file pages, so the page
    # is requested by its url_path hash, as a browser's URL requests it.
    at._page_hash = calc_hash(slug)
    at.run()
    at._page_hash = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    example = largest_example()
    agreement = load_file(example)
    with tempfile.TemporaryDirectory(prefix="mou-bench-") as folder:
        root = Path(folder) / "workspace"
        init_workspace(root)
        with Workspace(root) as ws:
            ws.save(agreement, "Benchmark copy", Author("Bench", "bench@example.org"))
        os.environ["MOU_WORKSPACE"] = str(root)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.selectbox(key="list-open").set_value(agreement.id)
        at.button(key="list-open-button").click().run()
        baseline = AppTest.from_string(ONE_LINE_APP, default_timeout=60).run()
        results = []
        for step, _ in SECTIONS["Draft"]:  # the steps, then Review and save
            open_step(at, step.slug)
            results.append((step.title, *medians(at, baseline, runs)))
    report(example, runs, results)


def report(example: Path, runs: int, results: list[tuple[str, float, float]]) -> None:
    print(f"example: {example.name} ({example.stat().st_size:,} bytes); {runs} reruns per step")
    print(f"{'step':<40} {'median ms':>9} {'one-line ms':>11} {'ratio':>6}  target")
    for title, ms, base in results:
        verdict = "ok" if ms <= TARGET_MS and ms / base <= TARGET_RATIO else "MISS"
        print(f"{title:<40} {ms:>9.1f} {base:>11.1f} {ms / base:>5.1f}x  {verdict}")
    print(f"targets: <= {TARGET_MS} ms and <= {TARGET_RATIO:.0f}x the one-line app")


if __name__ == "__main__":
    main()

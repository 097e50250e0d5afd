"""Server-side rerun time of each wizard step with the largest example agreement open.

Measured with Streamlit's AppTest (the script run, no browser), as the median of
several reruns per step, next to the rerun of a one-line Streamlit app measured in
the same run. Targets: median <= 150 ms per step, and <= 3x the one-line app.

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

from mou.store import Author, Workspace, init_workspace  # noqa: E402
from mou.ui.nav import STEPS  # noqa: E402
from mou.validate import load_file  # noqa: E402

TARGET_MS = 150
TARGET_RATIO = 3.0


def largest_example() -> Path:
    examples = sorted((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    if not examples:
        sys.exit("no example agreements in agreements/; nothing to measure")
    return examples[-1]


def median_rerun_ms(at: AppTest, runs: int) -> float:
    """Median wall time of ``runs`` reruns of the page ``at`` is on."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            sys.exit(f"the app raised: {at.exception[0].message}")
    return statistics.median(times)


def baseline_ms(runs: int) -> float:
    at = AppTest.from_string('import streamlit as st\nst.write("hello")', default_timeout=60)
    at.run()
    return median_rerun_ms(at, runs)


def open_step(at: AppTest, slug: str) -> None:
    # The pages are functions; AppTest.switch_page() only knows file pages, so the page
    # is requested by its url_path hash, as a browser's URL requests it.
    at._page_hash = calc_hash(slug)
    at.run()
    at._page_hash = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
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
        results = []
        for step in STEPS:
            open_step(at, step.slug)
            results.append((step.title, median_rerun_ms(at, runs)))
        base = baseline_ms(runs)
    report(example, runs, base, results)


def report(example: Path, runs: int, base: float, results: list[tuple[str, float]]) -> None:
    print(f"example: {example.name} ({example.stat().st_size:,} bytes); {runs} reruns per step")
    print(f"one-line app rerun (baseline): {base:.1f} ms")
    print(f"{'step':<42} {'median ms':>10} {'x baseline':>11}  target")
    for title, ms in results:
        ok = ms <= TARGET_MS and ms / base <= TARGET_RATIO
        verdict = "ok" if ok else "MISS"
        print(f"{title:<42} {ms:>10.1f} {ms / base:>10.1f}x  {verdict}")
    print(f"targets: <= {TARGET_MS} ms and <= {TARGET_RATIO:.0f}x the one-line app")


if __name__ == "__main__":
    main()

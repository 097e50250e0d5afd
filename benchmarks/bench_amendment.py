"""Benchmark: Amendment No. N generated from the largest example after 10, 20 and 30 changes.

Measured in process: the instructions (semantic diff, printed units of both texts, the
comparison) plus the Word file, against a baseline measured in the same run — cutting
the original alone into its printed units (one context build). Target (issue 12): the
amendment of the largest example after 30 changes in under 1 s. Printed: medians, the
ratio to the baseline, and the growth from 10 to 30 changes.

Run: ``.venv/bin/python benchmarks/bench_amendment.py``
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_seconds  # noqa: E402
from mou.changes.amendment import instructions  # noqa: E402
from mou.document.amendment import AmendmentDocument, render_amendment, text_units  # noqa: E402
from mou.model import to_data  # noqa: E402
from mou.validate import load_file, validate_data  # noqa: E402

SIZES = (10, 20, 30)
RUNS = 15
TARGET_S = 1.0


def median_s(action, runs: int = RUNS) -> float:
    """Median wall time of ``action`` in seconds, after one warm-up call."""
    return median_seconds(action, runs, warm_up=True)


def changed(data: dict, count: int) -> dict:
    """The agreement with ``count`` changes: texts of responsibilities, definitions, goals."""
    new = copy.deepcopy(data)
    places = [(r, "text") for r in new.get("responsibilities", [])]
    places += [(d, "meaning") for d in new.get("definitions", [])]
    places += [(g, "title") for g in new.get("goals", [])]
    places += [(c, "text") for c in new.get("background", [])]
    assert len(places) >= count, f"only {len(places)} places to change"
    for item, key in places[:count]:
        item[key] = f"{item[key]} (amended)"
    return new


def main() -> None:
    largest = max((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    old = load_file(largest)
    baseline = median_s(lambda: text_units(old))
    print(f"{largest.stem}: baseline (printed units of the original) {baseline * 1000:.1f} ms")
    results = {}
    for size in SIZES:
        new = validate_data(changed(to_data(old), size))

        def amendment(new=new) -> bytes:
            steps = instructions(old, new)
            doc = AmendmentDocument(1, new.title, new.number, [], steps, [], "bench")
            return render_amendment(doc)

        results[size] = median_s(amendment)
        steps = len(instructions(old, new))
        print(
            f"{size:>3} changes ({steps} instructions): {results[size] * 1000:7.1f} ms, "
            f"{results[size] / baseline:5.1f}x baseline"
        )
    growth = results[SIZES[-1]] / results[SIZES[0]]
    verdict = "met" if results[30] < TARGET_S else "MISSED"
    print(f"growth 10 -> 30 changes: {growth:.2f}x; target < {TARGET_S:.0f} s at 30: {verdict}")


if __name__ == "__main__":
    main()

"""Benchmark: reading a version-1 agreement (checked, migrated) against reading version 2.

A version-1 file is checked against the frozen version-1 schema, migrated in memory and
then checked as version 2; a version-2 file is checked once. Both loaders are measured:
the exact one (``load_bytes``: validate, show, check, export) and the quick one that
blame and the redline use to walk every revision (``quick_load``). The file is the
version-1 task force, grown to three sizes by repeating its resources (1x, 4x, 16x).
Printed: medians, the version-1/version-2 ratio at each size (the cost of reading an
old file), and the growth of each time from the smallest size.

Run: ``.venv/bin/python benchmarks/bench_migrate.py``
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import timing  # noqa: E402
from mou.model import to_data  # noqa: E402
from mou.quickload import quick_load  # noqa: E402
from mou.validate import load_bytes  # noqa: E402
from mou.yamlio import dump, read_bytes  # noqa: E402

V1 = ROOT / "tests" / "data" / "v1" / "bellwater-regional-violent-crime-task-force.yaml"
SIZES = (1, 4, 16)
RUNS = 25


def median_ms(action, runs: int = RUNS) -> float:
    """Median wall time of ``action`` in milliseconds, after one warm-up call (caches)."""
    return timing.median_ms(action, runs, warm_up=True)


def grown(data: dict, factor: int) -> dict:
    """The agreement with its resources repeated ``factor`` times under new ids."""
    result = copy.deepcopy(data)
    resources = data["resources"]
    result["resources"] = [
        {**copy.deepcopy(r), "id": f"{r['id']}-{n}" if n else r["id"]}
        for n in range(factor)
        for r in resources
    ]
    return result


def v1_text(data: dict) -> bytes:
    """Version-1 data written canonically, without the schema_version line."""
    return dump(data).encode("utf-8")


def measure(old: bytes, new: bytes, agreement_id: str) -> dict[str, float]:
    """Medians of both loaders on the version-1 and the version-2 bytes of one agreement."""
    return {
        "exact v2": median_ms(lambda: load_bytes(new, "v2.yaml", agreement_id)),
        "exact v1": median_ms(lambda: load_bytes(old, "v1.yaml", agreement_id)),
        "quick v2": median_ms(lambda: quick_load(new)),
        "quick v1": median_ms(lambda: quick_load(old)),
    }


def main() -> None:
    base = read_bytes(V1.read_bytes(), str(V1)).data
    agreement_id = base["id"]
    print(
        f"{'size':>5} {'bytes':>8}  {'exact v2':>9} {'exact v1':>9} {'ratio':>6}"
        f"  {'quick v2':>9} {'quick v1':>9} {'ratio':>6}"
    )
    first: dict[str, float] = {}
    for factor in SIZES:
        old = v1_text(grown(base, factor))
        new = dump(to_data(load_bytes(old, "v1.yaml", agreement_id))).encode("utf-8")
        times = measure(old, new, agreement_id)
        first = first or times
        print(
            f"{factor:>4}x {len(old):>8,}  {times['exact v2']:>7.1f}ms {times['exact v1']:>7.1f}ms"
            f" {times['exact v1'] / times['exact v2']:>5.2f}x"
            f"  {times['quick v2']:>7.1f}ms {times['quick v1']:>7.1f}ms"
            f" {times['quick v1'] / times['quick v2']:>5.2f}x"
        )
        growth = ", ".join(f"{k} {times[k] / first[k]:.1f}x" for k in times)
        print(f"       growth from 1x: {growth}")


if __name__ == "__main__":
    main()

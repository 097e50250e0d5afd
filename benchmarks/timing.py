"""Timing shared by the benchmarks: the median wall time of an action over several runs.

Medians, not means: these machines are shared, and one descheduled run should not move
the figure. Each benchmark measures its own baseline in the same run and prints the ratio.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(action: Callable[[], object], runs: int, *, warm_up: bool = False) -> float:
    """The median wall time of ``action`` over ``runs`` calls, in seconds.

    ``warm_up`` makes one untimed call first, so that caches filled by the first call
    (imports, compiled templates, parsed schemas) are not counted in one run only.
    """
    if warm_up:
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_ms(action: Callable[[], object], runs: int, *, warm_up: bool = False) -> float:
    """:func:`median_seconds` in milliseconds."""
    return median_seconds(action, runs, warm_up=warm_up) * 1000

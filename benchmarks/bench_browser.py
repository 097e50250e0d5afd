"""Benchmark: the wizard in a real browser, from a click to the page settled.

Chromium (driven by Playwright) against ``streamlit run app.py``, as a liaison uses it.
"Settled" means Streamlit's script run is over and no element of an earlier run is
left on the page (``tests/support/browser.py``: :func:`settled`). Measured per size of
agreement, medians of ``--runs`` rounds, each round in a fresh browser session:

* first load: opening the app's address until the Agreements page is settled
  (target < 1.5 s);
* open: the Open button until the first step is settled;
* step switch: a click on each wizard step in the sidebar (target: median < 250 ms on
  the largest example, < 500 ms at ten times its size);
* History: the sidebar's History until settled (target < 500 ms);
* Compare: choosing another older revision to compare with (target < 500 ms).

Sizes: the largest example in agreements/ (x1), and the same agreement grown to three
and to ten times its parties and responsibilities (x10: 70 parties, 220
responsibilities, 30 goals), each saved in three revisions. Baseline, measured in the
same run and alternately: a one-line Streamlit app — its first load, and a rerun from
a button click — so each figure also reads as a ratio to what Streamlit itself costs
on this machine now.

Beside each median wall time, the median CPU time every process the benchmark started
(the Streamlit servers with their git children, Chromium) spent on that action: on a
shared machine the wall time grows with the others' load, the CPU time much less.

With ``--compare-with DIR`` another checkout (the code before a change) is measured
alternately with this one, on the same workspaces, so "not slower" is a figure too.

Run: ``.venv/bin/python benchmarks/bench_browser.py [--runs 5] [--sizes 1,3,10]
[--compare-with DIR]``
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from mou.model import to_data  # noqa: E402
from mou.store.create import init_workspace  # noqa: E402
from mou.store.workspace import Author, Workspace  # noqa: E402
from mou.ui.app import SECTIONS  # noqa: E402
from mou.validate import load_file, validate_data  # noqa: E402
from tests.support.browser import (  # noqa: E402
    CHROMIUM,
    chromium_page,
    settled,
    streamlit_server,
    watch_runs,
)

BENCH = Author("Bench", "bench@example.org")
ONE_LINE_APP = """import streamlit as st
st.button("Again")
st.session_state.runs = st.session_state.get("runs", 0) + 1
st.write(f"hello, run {st.session_state.runs}")
"""
TARGETS_MS = {"first load": 1500, "History": 500, "Compare": 500}
STEP_TARGET_MS = {1: 250, 10: 500}


def largest_example() -> Path:
    examples = sorted((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    if not examples:
        sys.exit("no examples in agreements/: nothing to benchmark")
    return examples[-1]


# --------------------------------------------------------------------------- agreements


def grown(data: dict[str, Any], times: int) -> dict[str, Any]:
    """``data`` with its parties and responsibilities ``times`` over, and 3 x ``times``
    goals (at least the example's own): copies get new ids and point at copied parties."""
    grown_data = copy.deepcopy(data)
    parties, duties, goals = data["parties"], data["responsibilities"], data["goals"]
    for copy_number in range(2, times + 1):
        renamed = {p["id"]: f"{p['id']}-{copy_number}" for p in parties}
        for party in parties:
            clone = copy.deepcopy(party)
            clone.update(id=renamed[party["id"]], acronym=f"{party['acronym']}{copy_number}")
            grown_data["parties"].append(clone)
        for duty in duties:
            clone = _renumbered(duty, copy_number, renamed, "parties")
            grown_data["responsibilities"].append(clone)
    wanted = max(len(goals), 3 * times)
    for number in range(len(goals), wanted):
        goal = _renumbered(goals[number % len(goals)], number, {}, "owners")
        for metric in goal.get("metrics") or []:
            metric["id"] = f"{metric['id']}-{number}"
        grown_data["goals"].append(goal)
    return grown_data


def _renumbered(
    item: dict[str, Any], number: int, renamed: dict[str, str], refs: str
) -> dict[str, Any]:
    clone = copy.deepcopy(item)
    clone["id"] = f"{item['id']}-{number}"
    clone[refs] = [renamed.get(ref, ref) for ref in item.get(refs) or []]
    return clone


def workspace_with(root: Path, data: dict[str, Any]) -> str:
    """A workspace holding ``data`` in three revisions; returns the agreement id."""
    init_workspace(root)
    with Workspace(root) as ws:
        for number, title in enumerate(("", " (revised)", " (final)")):
            edited = {**data, "title": data["title"] + title}
            ws.save(validate_data(edited), f"Revision {number + 1}", BENCH)
    return str(data["id"])


# --------------------------------------------------------------------------- timing


CPU = " cpu"
"""Suffix of the name under which an action's CPU milliseconds are kept."""
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms() -> float:
    """CPU milliseconds spent so far by every process this one started, and their reaped
    children (git): the servers and Chromium."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = sum(int(f) for f in fields[11:15]) * TICK_MS  # utime stime cutime cstime
    return sum(used[pid] for pid in parents if _descends(pid, os.getpid(), parents))


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid in parents and pid > 1:
        pid = parents[pid]
        if pid == ancestor:
            return True
    return False


def timed(page: Any, action: Callable[[], None]) -> tuple[float, float]:
    """Milliseconds from ``action`` (a click) until the run it starts has settled, and the
    CPU milliseconds the servers and browser spent meanwhile."""
    watch_runs(page)
    cpu = cpu_ms()
    start = time.perf_counter()
    action()
    settled(page, timeout=120_000)
    wall = (time.perf_counter() - start) * 1000
    return wall, cpu_ms() - cpu


def _note(found: dict[str, list[float]], name: str, figures: tuple[float, float]) -> None:
    found.setdefault(name, []).append(figures[0])
    found.setdefault(name + CPU, []).append(figures[1])


def first_load(page: Any, url: str, heading: str | None) -> float:
    """Milliseconds from asking for ``url`` until its first run has settled."""
    start = time.perf_counter()
    page.goto(url)
    if heading:
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=120_000)
    else:
        page.get_by_text("hello, run 1").wait_for(timeout=120_000)
    settled(page, ran=False, timeout=120_000)
    return (time.perf_counter() - start) * 1000


def one_round(url: str, agreement_id: str) -> dict[str, list[float]]:
    """One fresh session: load, open the agreement, every step, History, Compare."""
    found: dict[str, list[float]] = {}
    with chromium_page() as page:
        page.set_default_timeout(180_000)  # ten times the example is slow on a busy machine
        cpu = cpu_ms()
        found["first load"] = [first_load(page, url, "Agreements")]
        found["first load" + CPU] = [cpu_ms() - cpu]
        picker = page.get_by_test_id("stSelectbox").filter(has_text="Agreement")
        picker.click()
        page.get_by_role("option").filter(has_text=f"({agreement_id})").click()
        settled(page, ran=False)
        open_button = page.get_by_test_id("stBaseButton-primary").filter(has_text="Open")
        _note(found, "open", timed(page, open_button.click))
        nav = page.get_by_test_id("stSidebar")
        steps = [route.title for route, _ in SECTIONS["Draft"]][1:]  # from the first step on
        for title in steps:
            _note(found, "step switch", timed(page, nav.get_by_text(title, exact=True).click))
        _note(found, "History", timed(page, nav.get_by_text("History", exact=True).click))
        tab = page.get_by_role("tab", name="Compare two revisions")
        tab.wait_for(timeout=30_000)  # missing when the browser lost its session: repeated
        _note(found, "Compare tab", timed(page, tab.click))  # only the open tab is drawn
        older = page.get_by_test_id("stSelectbox").filter(has_text="Older")
        older.click()
        option = page.get_by_role("option").nth(2)  # the oldest of the three revisions
        _note(found, "Compare", timed(page, option.click))
    return found


def steady_round(url: str, agreement_id: str, attempts: int = 3) -> dict[str, list[float]]:
    """:func:`one_round`, repeated when the browser lost its session on the way (on a
    loaded machine Streamlit now and then starts a new one: the draft is then gone)."""
    for attempt in range(1, attempts + 1):
        try:
            return one_round(url, agreement_id)
        except PlaywrightTimeout as err:
            if attempt == attempts:
                raise
            print(f"round repeated ({str(err).splitlines()[0]})", file=sys.stderr)
    raise AssertionError("unreachable")


def rerun(page: Any, button: Any, number: int) -> float:
    """Milliseconds from a click on the one-line app's button until its run ``number``
    shows and has settled (its run is too quick to be seen starting)."""
    start = time.perf_counter()
    button.click()
    page.get_by_text(f"hello, run {number}", exact=True).wait_for(timeout=120_000)
    settled(page, ran=False, timeout=120_000)
    return (time.perf_counter() - start) * 1000


def baseline_round(url: str) -> dict[str, list[float]]:
    """The one-line app: its first load, and a rerun from a button click."""
    with chromium_page() as page:
        load = first_load(page, url, None)
        button = page.get_by_role("button", name="Again")
        reruns = [rerun(page, button, number) for number in range(2, 7)]
    return {"first load": [load], "rerun": reruns}


# --------------------------------------------------------------------------- report


def measure(sizes: list[int], runs: int, scratch: Path, other: Path | None) -> None:
    example = load_file(largest_example())
    base_app = scratch / "one_line_app.py"
    base_app.write_text(ONE_LINE_APP)
    base_ws = scratch / "baseline-workspace"
    init_workspace(base_ws)
    with streamlit_server(base_ws, scratch / "baseline.log", app=base_app) as base_url:
        for times in sizes:
            data = grown(to_data(example), times)
            agreement_id = workspace_with(scratch / f"x{times}", data)
            codes = {"this checkout": ROOT, **({f"{other}": other} if other else {})}
            found = measure_size(scratch, times, agreement_id, codes, base_url, runs)
            for name, (app, base) in found.items():
                report(times, data, app, base, runs, name)


def measure_size(
    scratch: Path, times: int, agreement_id: str, codes: dict[str, Path], base_url: str, runs: int
) -> dict[str, tuple[dict[str, list[float]], dict[str, list[float]]]]:
    """Rounds on each checkout's app, alternately with the baseline app."""
    found: dict[str, tuple[dict[str, list[float]], dict[str, list[float]]]] = {}
    with contextlib.ExitStack() as stack:
        urls = {
            name: stack.enter_context(
                streamlit_server(scratch / f"x{times}", scratch / f"{times}-{i}.log", code=code)
            )
            for i, (name, code) in enumerate(codes.items())
        }
        for url in urls.values():
            steady_round(url, agreement_id)  # warm-up: imports, caches
        baseline_round(base_url)
        for name in urls:
            found[name] = ({}, {})
        for _ in range(runs):  # alternately, so all see the same machine load
            for name, url in urls.items():
                _merge(found[name][0], steady_round(url, agreement_id))
                _merge(found[name][1], baseline_round(base_url))
    return found


def _merge(into: dict[str, list[float]], found: dict[str, list[float]]) -> None:
    for name, values in found.items():
        into.setdefault(name, []).extend(values)


def report(
    times: int,
    data: dict[str, Any],
    app: dict[str, list[float]],
    base: dict[str, list[float]],
    runs: int,
    name: str,
) -> None:
    sizes = (len(data["parties"]), len(data["responsibilities"]), len(data["goals"]))
    print(
        f"\nx{times} ({name}): {sizes[0]} parties, {sizes[1]} responsibilities, "
        f"{sizes[2]} goals; {runs} rounds (medians, ms)"
    )
    print(
        f"{'measure':<13} {'median':>8} {'slowest':>8} {'baseline':>9} {'ratio':>6} "
        f"{'cpu':>6}  target"
    )
    for measure_name, values in app.items():
        if measure_name.endswith(CPU):
            continue
        base_values = base["first load"] if measure_name == "first load" else base["rerun"]
        median, baseline = statistics.median(values), statistics.median(base_values)
        cpu = app.get(measure_name + CPU)
        shown_cpu = f"{statistics.median(cpu):>6.0f}" if cpu else f"{'':>6}"
        target = _target(measure_name, times)
        verdict = "" if target is None else ("ok" if median < target else "MISS")
        limit = "" if target is None else f"< {target} {verdict}"
        print(
            f"{measure_name:<13} {median:>8.0f} {max(values):>8.0f} {baseline:>9.0f} "
            f"{median / baseline:>5.1f}x {shown_cpu}  {limit}"
        )


def _target(name: str, times: int) -> int | None:
    if name == "step switch":
        return STEP_TARGET_MS.get(times)
    return TARGETS_MS.get(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,3,10", help="growth factors, comma-separated")
    parser.add_argument(
        "--compare-with",
        type=Path,
        help="another checkout of mou (e.g. `git worktree add /tmp/before main`), measured "
        "alternately with this one, to see whether a change made the wizard slower",
    )
    options = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium to run this benchmark")
    sizes = [int(size) for size in options.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="mou-bench-browser-") as folder:
        measure(sizes, options.runs, Path(folder), options.compare_with)


if __name__ == "__main__":
    main()

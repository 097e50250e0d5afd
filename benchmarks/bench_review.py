"""Benchmark: semantic diff and Word redline of the largest example after 30 edits.

The largest agreement in agreements/ is saved once, then edited 30 times over 10 more
revisions (three edits each, by three authors) in a temporary git workspace. Measured in
process, medians:

* semantic diff of the first against the last revision (target < 50 ms), against the
  baseline of dumping the agreement to plain data once (``to_data``);
* redline of the first against the last revision, end to end (load both, walk the
  revisions between for attribution, render twice, compare; target < 2 s), against the
  baseline of rendering the last revision once;
* for information, ``mou redline`` as a fresh process (imports included).

Run: ``.venv/bin/python benchmarks/bench_review.py``
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_ms  # noqa: E402
from mou.changes.diff import diff  # noqa: E402
from mou.changes.redline import redline_docx  # noqa: E402
from mou.document.render import render_docx  # noqa: E402
from mou.model import to_data  # noqa: E402
from mou.store.history import load_version  # noqa: E402
from mou.store.workspace import open_workspace  # noqa: E402
from mou.validate import load_file  # noqa: E402
from tests.support.histories import ALICE, BOB, CAROL, SCRIPTED_EDITS, History  # noqa: E402

REVISIONS = 10
EDITS_PER_REVISION = 3


def largest_example() -> Path:
    examples = sorted((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    if not examples:
        sys.exit("no examples in agreements/: nothing to benchmark")
    return examples[-1]


def build_history(root: Path, example: Path) -> tuple[str, list[str]]:
    data = to_data(load_file(example))
    history = History(root, data)
    history.save(ALICE, "Imported")
    authors = [BOB, CAROL, ALICE]
    for revision in range(REVISIONS):

        def edit(d, revision=revision):
            for k in range(EDITS_PER_REVISION):
                n = revision * EDITS_PER_REVISION + k
                SCRIPTED_EDITS[n % len(SCRIPTED_EDITS)](d, n)

        history.save(authors[revision % 3], f"Edits {revision + 1}", edit)
    return data["id"], history.revisions


def run_cli(tmp: Path, agreement_id: str, first: str, last: str) -> None:
    """``mou redline`` as a user runs it: a new Python process."""
    out = str(tmp / "out.docx")
    command = ["redline", agreement_id, first, last, "-o", out, "--workspace", str(tmp / "ws")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "mou", *command], env=env, check=True, capture_output=True
    )


def main() -> None:
    example = largest_example()
    with tempfile.TemporaryDirectory() as tmp:
        agreement_id, revisions = build_history(Path(tmp) / "ws", example)
        first, last = revisions[0], revisions[-1]
        with open_workspace(Path(tmp) / "ws") as ws:
            old = load_version(ws, agreement_id, first)
            new = load_version(ws, agreement_id, last)
            changes = diff(old.agreement, new.agreement)
            diff_ms = median_ms(lambda: diff(old.agreement, new.agreement), 30)
            dump_ms = median_ms(lambda: to_data(new.agreement), 30)
            redline_docx(ws, agreement_id, first, last)  # warm imports and caches
            redline_ms = median_ms(lambda: redline_docx(ws, agreement_id, first, last), 5)
            render_ms = median_ms(lambda: render_docx(new.agreement, new.revision, True), 5)
        cli_ms = median_ms(lambda: run_cli(Path(tmp), agreement_id, first, last), 3)
    print(
        f"example: {example.name} ({example.stat().st_size:,} bytes), "
        f"{len(revisions)} revisions, {len(changes)} changes first→last"
    )
    print(
        f"semantic diff first→last: median {diff_ms:.1f} ms (target < 50 ms); "
        f"baseline to_data {dump_ms:.1f} ms; ratio {diff_ms / dump_ms:.1f}x"
    )
    print(
        f"redline first→last:       median {redline_ms:.0f} ms (target < 2000 ms); "
        f"baseline one render {render_ms:.0f} ms; ratio {redline_ms / render_ms:.1f}x"
    )
    print(f"mou redline (new process): median {cli_ms:.0f} ms")


if __name__ == "__main__":
    main()

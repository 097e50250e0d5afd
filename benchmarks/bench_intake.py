"""Benchmark: `mou intake` of the largest example with 30 edits, in process.

Each example is saved in a temporary workspace and exported; the copy is then edited
as Word edits (tracked word replacements in responsibilities, untracked edits of phone
numbers and goal titles, a comment, runs split at random, quotes made curly). Measured
in process, medians:

* intake of the largest example with 30 edits (target < 1.5 s), against the baseline
  of rendering that agreement once (``render_docx``: intake renders it once more, with
  marks, so a ratio near 1-2 says the reading and alignment cost little);
* growth: intake of the largest example with 10, 20 and 30 edits, and of three
  examples of growing size with 30 edits (or as many as they have fields for).

Run: ``.venv/bin/python benchmarks/bench_intake.py``
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_ms  # noqa: E402
from mou.changes.intake import take_in  # noqa: E402
from mou.document.render import render_docx  # noqa: E402
from mou.document.template import template_for  # noqa: E402
from mou.model import Agreement  # noqa: E402
from mou.store.workspace import open_workspace  # noqa: E402
from mou.validate import load_file  # noqa: E402
from tests.support.wordedits import WordCopy  # noqa: E402
from tests.support.workspaces import AUTHOR, make_workspace  # noqa: E402

EDITS = 30


def examples_by_size() -> list[Path]:
    examples = sorted((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    if len(examples) < 3:
        sys.exit("fewer than three examples in agreements/: nothing to compare")
    return examples


def edit_candidates(agreement: Agreement) -> list[Callable[[WordCopy], None]]:
    """One Word-like edit per field a partner would touch, in document order."""
    edits: list[Callable[[WordCopy], None]] = []
    for party in agreement.parties:
        phone = party.point_of_contact.phone
        if phone:
            edits.append(lambda c, phone=phone: c.replace(phone, "(555) 010-0000", None))
    for goal in agreement.goals:
        title = goal.title
        edits.append(lambda c, title=title: c.replace(title, title + " sooner", None))
    for item in agreement.responsibilities:
        text = item.text
        first = text.index(" ") + 1
        old = text[first : text.index(" ", first)]
        edits.append(
            lambda c, old=old, text=text: c.replace(old, "promptly", "Ann Counsel", text[:60])
        )
    return edits


def edited_copy(docx: bytes, agreement: Agreement, count: int) -> tuple[bytes, int]:
    """``docx`` with up to ``count`` edits (those whose anchor is found), Word's noise."""
    copy, made = WordCopy(docx), 0
    for edit in edit_candidates(agreement):
        if made == count:
            break
        try:
            edit(copy)
            made += 1
        except (AssertionError, ValueError):
            continue  # the words occur elsewhere first, or no longer: skip that field
    copy.comment(agreement.goals[0].title, "Is this realistic?", "Bob Reviewer")
    copy.split_runs(random.Random(1))
    copy.curly_quotes()
    return copy.save(), made


def exported(tmp: Path, example: Path) -> tuple[Path, Agreement, str, bytes]:
    tmp.mkdir(exist_ok=True)
    root = make_workspace(tmp, example.stem)
    agreement = load_file(example)
    with open_workspace(root) as ws:
        saved = ws.save(agreement, "Example", AUTHOR)
        docx = render_docx(agreement, saved.revision, False, template_for(ws.root))
    return root, agreement, saved.revision, docx


def intake_ms(root: Path, data: bytes, runs: int = 5) -> tuple[float, int]:
    with open_workspace(root) as ws:
        result = take_in(ws, data)  # warm imports and caches
        return median_ms(lambda: take_in(ws, data), runs), len(result.changes)


def main() -> None:
    examples = examples_by_size()
    largest = examples[-1]
    with tempfile.TemporaryDirectory() as tmp:
        root, agreement, revision, docx = exported(Path(tmp), largest)
        data, made = edited_copy(docx, agreement, EDITS)
        ms, found = intake_ms(root, data)
        render = median_ms(lambda: render_docx(agreement, revision, False), 5)
        print(f"example: {largest.name} ({largest.stat().st_size:,} bytes), {made} edits")
        print(
            f"intake, {made} edits: median {ms:.0f} ms (target < 1500 ms); baseline one "
            f"render {render:.0f} ms; ratio {ms / render:.1f}x; {found} changes found"
        )
        growth = []
        for count in (10, 20, 30):
            data, made = edited_copy(docx, agreement, count)
            growth.append(f"{made} edits {intake_ms(root, data)[0]:.0f} ms")
        print("growth by edits (largest example): " + ", ".join(growth))
        growth = []
        for example in (examples[0], examples[len(examples) // 2], largest):
            root, agreement, _, docx = exported(Path(tmp) / "sizes", example)
            data, made = edited_copy(docx, agreement, EDITS)
            size = example.stat().st_size
            growth.append(f"{size:,} bytes ({made} edits) {intake_ms(root, data)[0]:.0f} ms")
        print("growth by size: " + ", ".join(growth))


if __name__ == "__main__":
    main()

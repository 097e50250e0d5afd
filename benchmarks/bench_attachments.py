"""Benchmarks of attached-file exhibits (issue 11); run by hand, prints medians and ratios.

    python benchmarks/bench_attachments.py [--runs N]

1. A save that commits an attached file vs the same save without one, at attachments of
   100 KB, 1 MB and 10 MB (the file's bytes are hashed and written once: growth should be
   near-linear in its size, and a 1 MB file should cost well under the save itself).
2. A save that changes only the agreement while its attached file stays as committed
   (taken from the last revision) vs a save of an agreement with no exhibits (target <= 1.5x).
3. Binding attached PDFs of 10, 100 and 1,000 pages into an exported PDF (pypdf), against
   copying the same bytes (growth with the pages bound).

Baselines are measured in the same run, interleaved with what they are compared to, so
that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mou.attachments import sha256_of  # noqa: E402
from mou.document.pdf import bind_attachments  # noqa: E402
from mou.presets import preset  # noqa: E402
from mou.store.create import init_workspace  # noqa: E402
from mou.store.workspace import Author, Workspace  # noqa: E402
from mou.validate import validate_data  # noqa: E402
from tests.support.pdfs import text_pdf  # noqa: E402

AUTHOR = Author("Bench Mark", "bench@agency.gov")


def median_time(action: Callable[[int], object], runs: int) -> float:
    """Median seconds of ``action(i)`` over ``runs`` calls, after one warm-up call."""
    action(-1)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def padded_pdf(size: int, salt: int) -> bytes:
    """A PDF of about ``size`` bytes (a comment pads it), different for every ``salt``."""
    pdf = text_pdf(f"Rates, version {salt}")
    return pdf + b"%" + b"x" * max(0, size - len(pdf) - 2) + b"\n"


def agreement_data(agreement_id: str, title: str, file: bytes | None) -> dict:
    data = preset("task_force", agreement_id, title)
    if file is not None:
        data["exhibits"] = [
            {
                "letter": "A",
                "title": "Overtime rates",
                "kind": "file",
                "file": "rates.pdf",
                "sha256": sha256_of(file),
            }
        ]
    return data


def bench_saves(folder: Path, runs: int) -> None:
    root = folder / "ws"
    init_workspace(root)
    with Workspace(root) as ws:
        print("1. a save committing an attached file vs a save without one")
        for size in (100_000, 1_000_000, 10_000_000):
            with_file = median_time(lambda i, s=size: _save_with(ws, s, i), runs)
            without = median_time(lambda i: _save_plain(ws, "plain-one", i), runs)
            print(
                f"   {size / 1e6:5.1f} MB: {with_file * 1000:7.1f} ms vs {without * 1000:6.1f} ms"
                f"  ({with_file / without:.2f}x)"
            )
        print("2. an edit saved while the attached file stays as committed")
        _save_with(ws, 1_000_000, 0, agreement_id="kept-file")
        kept = median_time(lambda i: _save_kept(ws, i), runs)
        plain = median_time(lambda i: _save_plain(ws, "plain-two", i), runs)
        print(f"   {kept * 1000:.1f} ms vs {plain * 1000:.1f} ms  ({kept / plain:.2f}x)")


def _save_with(ws: Workspace, size: int, i: int, agreement_id: str = "with-file") -> None:
    file = padded_pdf(size, i + 2)
    data = agreement_data(agreement_id, f"With a file {i}", file)
    ws.save(validate_data(data), "bench", AUTHOR, attachments={"rates.pdf": file})


def _save_plain(ws: Workspace, agreement_id: str, i: int) -> None:
    ws.save(validate_data(agreement_data(agreement_id, f"Plain {i}", None)), "bench", AUTHOR)


def _save_kept(ws: Workspace, i: int) -> None:
    file = padded_pdf(1_000_000, 2)  # the file committed first, never handed over again
    data = agreement_data("kept-file", f"Kept file {i}", file)
    ws.save(validate_data(data), "bench", AUTHOR)


def bench_binding(folder: Path, runs: int) -> None:
    print("3. binding an attached PDF into the export vs copying the bytes")
    agreement = validate_data(agreement_data("bound", "Bound", text_pdf("x")))
    exported = text_pdf("Signature page", "EXHIBIT A", "after")
    target = folder / "out.pdf"
    for pages in (10, 100, 1000):
        attached = text_pdf(*(f"Rates page {n}" for n in range(pages)))

        def bind(_: int, data: bytes = attached) -> None:
            target.write_bytes(exported)
            bind_attachments(target, agreement, {"rates.pdf": data})

        def copy(_: int, data: bytes = attached) -> None:
            target.write_bytes(exported + data)

        bound, copied = median_time(bind, runs), median_time(copy, runs)
        print(f"   {pages:5d} pages: {bound * 1000:8.1f} ms (copying: {copied * 1000:.2f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="mou-bench-") as tmp:
        bench_saves(Path(tmp), runs)
        bench_binding(Path(tmp), runs)


if __name__ == "__main__":
    main()

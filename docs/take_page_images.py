"""Make the README's page images of an exported agreement with LibreOffice and poppler.

    python docs/take_page_images.py

Exports the largest example in agreements/ (the task force) signature-ready, converts it
to PDF with LibreOffice and saves three of its pages, 80 dots per inch, as
docs/export-page-1.png (the title block), docs/export-goals-page.png (the first page of
the table of shared goals and metrics) and docs/export-signature-page.png (the first
signature page). Needs `soffice`, `pdftotext` and `pdftoppm` on PATH.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from mou.document.pdf import to_pdf  # noqa: E402
from mou.document.render import render_docx  # noqa: E402
from mou.validate import load_file  # noqa: E402

IMAGES = {
    "export-page-1.png": "RECITALS",
    "export-goals-page.png": "Shared goals and metrics",
    "export-signature-page.png": ". SIGNATURES",
}


def main() -> None:
    """Export, convert, and save each page that first shows its marker text."""
    example = max((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    agreement = load_file(example)
    with tempfile.TemporaryDirectory(prefix="mou-pages-") as folder:
        docx = Path(folder) / f"{agreement.id}.docx"
        docx.write_bytes(render_docx(agreement, _revision(example), draft=False))
        pdf = to_pdf(docx, Path(folder))
        pages = _pages(pdf)
        for name, marker in IMAGES.items():
            number = next(n for n, text in enumerate(pages, start=1) if marker in text)
            _save_page(pdf, number, ROOT / "docs" / name)
            sys.stdout.write(f"docs/{name}: page {number} of {len(pages)}\n")


def _revision(path: Path) -> str | None:
    """The last commit that changed ``path``, as `mou export` stamps it."""
    out = subprocess.run(
        ["git", "log", "-1", "--format=%H", "--", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or None


def _pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]


def _save_page(pdf: Path, number: int, target: Path) -> None:
    stem = target.with_suffix("")
    page = ["-f", str(number), "-l", str(number)]
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", *page, "-singlefile", str(pdf), str(stem)], check=True
    )


if __name__ == "__main__":
    main()

"""Every example exported and converted to PDF once per test session (LibreOffice is slow)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from mou.model import Agreement
from mou.validate import load_file
from tests.support.runner import EXAMPLES, ROOT

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"
SAMPLE_ID = "sample-every-section"


@dataclass(frozen=True)
class Exported:
    """One agreement's signature-ready export and its PDF."""

    agreement: Agreement
    docx: Path
    pdf: Path

    def pages(self) -> list[str]:
        """The PDF's text, page by page (pdftotext -layout: no word joined across lines)."""
        out = subprocess.run(
            ["pdftotext", "-layout", str(self.pdf), "-"], capture_output=True, check=True, text=True
        )
        return out.stdout.split("\f")[:-1]


def need_libreoffice() -> None:
    """Skip, saying why, where LibreOffice or pdftotext is missing; in CI, fail instead."""
    missing = [tool for tool in ("soffice", "pdftotext") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed: the PDF layout cannot be checked here"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have LibreOffice and poppler-utils ({reason})")
        pytest.skip(reason)


def export_all(folder: Path) -> list[Exported]:
    """Every example and the sample, rendered and converted in one LibreOffice run."""
    from mou.document.pdf import to_pdfs
    from mou.document.render import render_docx

    need_libreoffice()
    agreements = [load_file(p, p.stem) for p in EXAMPLES] + [load_file(SAMPLE, SAMPLE_ID)]
    paths = []
    for agreement in agreements:
        path = folder / f"{agreement.id}.docx"
        path.write_bytes(render_docx(agreement, "a" * 40, draft=False))
        paths.append(path)
    pdfs = to_pdfs(paths, folder / "pdf")
    return [Exported(a, d, p) for a, d, p in zip(agreements, paths, pdfs, strict=True)]

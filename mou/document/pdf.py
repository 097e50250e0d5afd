"""PDF through LibreOffice: one headless run converts many documents (it starts slowly).

Attached PDF exhibits are then bound into the converted file with pypdf, each after its
exhibit's own page, so the PDF holds the whole agreement in order.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import MouError
from ..fsutil import atomic_write
from ..model import Agreement

INSTALL_LIBREOFFICE = (
    "LibreOffice is needed for --pdf but `soffice` is not on PATH; install it with "
    "`apt-get install libreoffice-writer-nogui` (Debian/Ubuntu) and try again"
)

_EXHIBIT_HEADING = re.compile(r"EXHIBIT ([A-Z]{1,2})")


def soffice() -> str:
    """The LibreOffice executable, or a MouError saying what to install."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise MouError(INSTALL_LIBREOFFICE)
    return found


def to_pdf(docx_path: Path, out_dir: Path) -> Path:
    """Convert one .docx to PDF in ``out_dir`` with LibreOffice; return the PDF's path."""
    return to_pdfs([docx_path], out_dir)[0]


def to_pdfs(docx_paths: list[Path], out_dir: Path, timeout: float = 600) -> list[Path]:
    """Convert several .docx files in one LibreOffice run (it starts slowly)."""
    executable = soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    # A private profile per run: parallel conversions sharing one profile collide.
    profile = Path(tempfile.gettempdir()) / f"mou-soffice-{os.getpid()}-{uuid.uuid4().hex}"
    command = [
        executable,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        *(str(p) for p in docx_paths),
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise MouError(f"LibreOffice did not finish converting within {timeout:.0f} s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [out_dir / f"{p.stem}.pdf" for p in docx_paths]
    missing = [p for p in pdfs if not p.exists()]
    if result.returncode != 0 or missing:
        detail = (result.stderr or result.stdout).decode(errors="replace").strip().splitlines()
        raise MouError(
            f"LibreOffice could not convert {missing[0].stem if missing else docx_paths[0].name}"
            f" to PDF: {detail[-1] if detail else 'exit ' + str(result.returncode)}"
        )
    return pdfs


def bind_attachments(pdf: Path, agreement: Agreement, attachments: Mapping[str, bytes]) -> int:
    """Bind each attached PDF exhibit into the exported ``pdf``, after its exhibit's own
    pages (its heading and the file's name and SHA-256), in letter order; return how many.

    Word attachments stay listed on their exhibit page with their SHA-256. An exhibit page
    the template does not mark as ``EXHIBIT X`` puts its file at the end, still in order.
    MouError in one line naming the exhibit when an attached PDF cannot be read.
    """
    chosen = [
        (x.letter, str(x.file), attachments[str(x.file)])
        for x in agreement.exhibits
        if x.file and x.file.endswith(".pdf") and x.file in attachments
    ]
    if not chosen:
        return 0
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(pdf)
    after = _insertion_pages(reader, [x.letter for x in agreement.exhibits])
    writer = PdfWriter()
    inserts: dict[int, list[tuple[str, str, bytes]]] = {}
    for item in chosen:
        inserts.setdefault(after.get(item[0], len(reader.pages) - 1), []).append(item)
    for index, page in enumerate(reader.pages):
        writer.add_page(page)
        for letter, name, data in inserts.get(index, []):
            _append(writer, letter, name, data)
    _write_pdf(writer, pdf)
    return len(chosen)


def _insertion_pages(reader: Any, letters: list[str]) -> dict[str, int]:
    """Letter → index of the last page of that exhibit (the page before the next one's)."""
    starts: dict[str, int] = {}
    for index, page in enumerate(reader.pages):
        for line in (page.extract_text() or "").splitlines():
            match = _EXHIBIT_HEADING.fullmatch(line.strip())
            if match and match.group(1) in letters:
                starts[match.group(1)] = index  # the last match: the list comes earlier
    ordered = [(starts[letter], letter) for letter in letters if letter in starts]
    ends = [start for start, _ in ordered[1:]] + [len(reader.pages)]
    return {letter: end - 1 for (_, letter), end in zip(ordered, ends, strict=True)}


def _append(writer: Any, letter: str, name: str, data: bytes) -> None:
    from pypdf import PdfReader

    try:
        writer.append(PdfReader(io.BytesIO(data)))
    except Exception as err:  # a parser meeting a hostile file may raise anything
        raise MouError(
            f"Exhibit {letter} ({name}): cannot be bound into the PDF: "
            f"{str(err).splitlines()[0] if str(err) else type(err).__name__}"
        ) from None


def _write_pdf(writer: Any, pdf: Path) -> None:
    buffer = io.BytesIO()
    writer.write(buffer)
    atomic_write(pdf, buffer.getvalue())

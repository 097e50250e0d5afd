"""PDF through LibreOffice: one headless run converts many documents (it starts slowly)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from ..errors import MouError

INSTALL_LIBREOFFICE = (
    "LibreOffice is needed for --pdf but `soffice` is not on PATH; install it with "
    "`apt-get install libreoffice-writer-nogui` (Debian/Ubuntu) and try again"
)


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

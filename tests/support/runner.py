"""Running mou as a user does, and the repository's own files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "agreements").glob("*.yaml"))


def run_mou(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: bytes | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    """Run `python -m mou ARGS` as a user would, from this checkout, and capture its output."""
    inherited = {k: v for k, v in os.environ.items() if k != "MOU_WORKSPACE"}
    full_env = {**inherited, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mou", *args],
        cwd=cwd or ROOT,
        env=full_env,
        input=input,
        capture_output=True,
        timeout=timeout,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (outside .git) with its bytes, to prove nothing was written."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }

"""The git settings mou reads: which SSH key signs exports, whose signatures are trusted.

Exports are signed the way git signs commits with SSH (``gpg.format=ssh``), so a
liaison who already signs commits needs nothing more. The key is ``mou.signingKey``
if set, else ``user.signingKey`` when ``gpg.format`` is ``ssh``; signatures are checked
against ``gpg.ssh.allowedSignersFile``, git's own list of trusted keys. Settings are
read by git itself (every scope, includes, ``~`` expanded).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SigningSettings:
    """The key to sign exports with (a path or a ``key::`` literal) and the file of
    trusted keys; either may be unset."""

    key: str | None
    allowed_signers: Path | None


def signing_settings(root: Path | None) -> SigningSettings:
    """What git configures for signing, in the workspace ``root`` (None: outside any
    workspace, the user's and the system's settings only)."""
    key = _setting(root, "mou.signingKey")
    if key is None and (_setting(root, "gpg.format") or "").lower() == "ssh":
        key = _setting(root, "user.signingKey")
    signers = _setting(root, "gpg.ssh.allowedSignersFile")
    return SigningSettings(key or None, Path(signers) if signers else None)


def _setting(root: Path | None, name: str) -> str | None:
    """One git setting as git reads it (paths with ``~`` expanded), or None if unset."""
    scope = [] if root is not None else ["--global"]
    done = subprocess.run(
        ["git", "config", *scope, "--type=path", "--get", name],
        cwd=root or "/",
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        capture_output=True,
        text=True,
    )
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None

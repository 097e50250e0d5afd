"""Unsaved drafts kept on disk, so a reload or a lost browser session loses nothing.

Each browser tab carries a random token in its URL; its drafts live in
``<git dir>/mou-drafts/<token>/<agreement id>.json``, inside the git directory so
git never sees them as files of the working tree. Every write replaces the file
atomically: a reader finds the old draft or the new one, never half of one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import MouError
from ..fsutil import atomic_write
from ..ids import check_agreement_id, is_agreement_id

FOLDER = "mou-drafts"
OPEN_FILE = "open"
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
"""What ``secrets.token_urlsafe(16)`` makes: 22 URL-safe characters, nothing else."""


def valid_token(token: object) -> bool:
    """True when ``token`` has the exact shape of a draft token (nothing else reaches a path)."""
    return isinstance(token, str) and TOKEN.fullmatch(token) is not None


def git_dir(root: Path) -> Path:
    """The git directory of the workspace at ``root``: ``.git``, or the folder a linked
    worktree's ``.git`` file names. MouError when ``root`` is no git workspace."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        line = dot_git.read_text(encoding="utf-8").strip()
    except OSError:
        raise MouError(f"{root}: not a git workspace (no .git)") from None
    if not line.startswith("gitdir:"):
        raise MouError(f"{dot_git}: does not name a git directory")
    return (root / line.removeprefix("gitdir:").strip()).resolve()


def known(root: Path, token: object) -> bool:
    """True when ``token`` is a draft token something was kept under in this workspace."""
    try:
        return valid_token(token) and _folder(root, str(token)).is_dir()
    except MouError:
        return False


def _folder(root: Path, token: str) -> Path:
    if not valid_token(token):
        raise MouError(f"draft token {token!r}: not a draft token")
    return git_dir(root) / FOLDER / token


def write(root: Path, token: str, agreement_id: str, record: dict[str, Any]) -> None:
    """Keep ``record`` (plain JSON data) as the draft of ``agreement_id`` for ``token``."""
    check_agreement_id(agreement_id)  # the id becomes a file name
    text = json.dumps(record, ensure_ascii=False, default=str)
    atomic_write(_folder(root, token) / f"{agreement_id}.json", text.encode("utf-8"))


def remove(root: Path, token: str, agreement_id: str) -> None:
    """Forget the kept draft of ``agreement_id`` (saved, discarded or put aside)."""
    check_agreement_id(agreement_id)
    (_folder(root, token) / f"{agreement_id}.json").unlink(missing_ok=True)


def read_all(root: Path, token: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every draft kept for ``token``, by agreement id, and one line for each file that
    could not be read (it is left where it is)."""
    folder = _folder(root, token)
    kept: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            kept[path.stem] = _read(path)
        except (OSError, ValueError, MouError) as err:
            problems.append(f"{path}: cannot be read back ({_why(err)}); skipped")
    return kept, problems


def _read(path: Path) -> dict[str, Any]:
    check_agreement_id(path.stem)
    record = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(record, dict) or not _well_formed(record):
        raise ValueError("not a kept draft")
    return record


def _well_formed(record: dict[str, Any]) -> bool:
    return (
        isinstance(record.get("data"), dict)
        and isinstance(record.get("base"), str | None)
        and isinstance(record.get("saved"), dict | None)
        and isinstance(record.get("hints", {}), dict)
    )


def _why(err: Exception) -> str:
    return err.message if isinstance(err, MouError) else str(err)


def write_open(root: Path, token: str, agreement_id: str | None) -> None:
    """Note which agreement the tab has open, so a reload opens it again."""
    path = _folder(root, token) / OPEN_FILE
    if agreement_id is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write(path, check_agreement_id(agreement_id).encode("ascii"))


def read_open(root: Path, token: str) -> str | None:
    """The agreement the tab had open, or None (none, or the note is unreadable)."""
    try:
        text = (_folder(root, token) / OPEN_FILE).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
    return text if is_agreement_id(text) else None

"""The reviewer's workflow over the store: load versions to compare, walk history for blame.

The seam between :mod:`mou.store` (git) and the pure :mod:`mou.diff` / :mod:`mou.blame`:
every bad input (unknown id, unknown revision, a revision without the agreement, an
invalid file at some revision) becomes one :class:`~mou.errors.MouError` line here.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidAgreement, MouError
from ..model import Agreement

if TYPE_CHECKING:
    from ..changes.blame import Blamed
    from .workspace import Revision, Workspace


@dataclass(frozen=True)
class Version:
    """An agreement as of a requested revision."""

    requested: str
    revision: str
    """Sha of the last commit that changed the agreement, as of ``requested``."""
    agreement: Agreement

    def as_json(self) -> dict[str, Any]:
        """The version as a JSON-ready mapping."""
        return {"requested": self.requested, "revision": self.revision}


@contextmanager
def open_workspace(root: Path | str | None) -> Iterator[Workspace]:
    """The workspace at ``root`` (default: settings), closed when done."""
    from ..settings import resolve_workspace
    from .workspace import Workspace

    ws = Workspace(resolve_workspace(root))
    try:
        yield ws
    finally:
        ws.close()


def history(ws: Workspace, agreement_id: str) -> list[Revision]:
    """The agreement's revisions, newest first; MouError for an unknown or invalid id."""
    from ..validate import check_agreement_id

    check_agreement_id(agreement_id)
    revisions = ws.history(agreement_id)
    if not revisions:
        raise MouError(f"unknown agreement {agreement_id!r}: it has no history in {ws.root}")
    return revisions


def compare_defaults(
    ws: Workspace, agreement_id: str, rev_a: str | None, rev_b: str | None
) -> tuple[str, str]:
    """Fill in missing revisions: previous vs current, or REV_A vs current."""
    if rev_a is not None:
        return rev_a, rev_b or "HEAD"
    revisions = history(ws, agreement_id)
    previous = revisions[1] if len(revisions) > 1 else revisions[0]
    return previous.sha, revisions[0].sha


def load_version(ws: Workspace, agreement_id: str, rev: str) -> Version:
    """The agreement as of ``rev``; one-line MouError when it cannot be had.

    Reads through :mod:`mou.quickload` (same checks, libyaml speed) and falls back to the
    store's exact loader for anything it declines, so errors keep their line numbers.
    """
    from ..quickload import quick_validated
    from ..validate import check_agreement_id
    from .workspace import agreement_path

    path = agreement_path(check_agreement_id(agreement_id))
    sha = ws.resolve(rev)
    raw = committed_files(ws.root, [f"{sha}:{path}"])[0]
    agreement = quick_validated(raw, f"{path}@{sha[:10]}", agreement_id) if raw else None
    if agreement is not None:
        return Version(rev, _last_change(ws.root, sha, path), agreement)
    return _load_exact(ws, agreement_id, rev)


def _load_exact(ws: Workspace, agreement_id: str, rev: str) -> Version:
    try:
        loaded = ws.load(agreement_id, rev)
    except InvalidAgreement as err:
        raise MouError(_invalid_message(agreement_id, rev, err)) from None
    return Version(rev, loaded.revision, loaded.agreement)


def _invalid_message(agreement_id: str, rev: str, err: InvalidAgreement) -> str:
    first = str(err.problems[0]) if err.problems else err.message.splitlines()[0]
    more = f" (and {len(err.problems) - 1} more problem(s))" if len(err.problems) > 1 else ""
    return f"{agreement_id} at {rev}: the agreement file is invalid: {first}{more}"


def versions_between(
    ws: Workspace,
    agreement_id: str,
    revisions: list[Revision],
    warn: Callable[[str], None],
) -> list[tuple[Revision, Agreement]]:
    """Each revision (oldest first) with its agreement; invalid revisions skipped with a warning.

    Files are read in one ``git cat-file --batch`` and parsed by :mod:`mou.quickload`;
    a file it declines goes through the store's exact loader, which names the problem.
    """
    from ..quickload import quick_load

    path = f"agreements/{agreement_id}.yaml"
    raws = committed_files(ws.root, [f"{r.sha}:{path}" for r in revisions])
    versions = []
    for revision, raw in zip(revisions, raws, strict=True):
        agreement = quick_load(raw) if raw is not None else None
        try:
            versions.append((revision, agreement or _exact(ws, agreement_id, revision.sha)))
        except MouError as err:
            warn(f"warning: skipped {revision.sha[:7]}: {err.message.splitlines()[0]}")
    return versions


def _exact(ws: Workspace, agreement_id: str, sha: str) -> Agreement:
    return _load_exact(ws, agreement_id, sha).agreement


def _last_change(root: Path, sha: str, path: str) -> str:
    """The last commit that changed ``path`` as of ``sha`` (what the store calls revision)."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%H", sha, "--", path], cwd=root, capture_output=True
    )
    if done.returncode != 0:
        raise MouError(f"git log failed in {root}: {done.stderr.decode().strip()}")
    return done.stdout.decode().strip()


def committed_files(root: Path, specs: list[str]) -> list[bytes | None]:
    """The bytes of each ``rev:path`` (None when missing), read by one git process.

    The store reads one revision at a time; a history walk wants dozens at once.
    """
    if not specs:
        return []
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input="".join(f"{spec}\n" for spec in specs).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise MouError(f"git cat-file failed in {root}: {done.stderr.decode().strip()}")
    return _split_batch(done.stdout, len(specs))


def _split_batch(out: bytes, count: int) -> list[bytes | None]:
    blobs: list[bytes | None] = []
    at = 0
    for _ in range(count):
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) != 3:
            blobs.append(None)  # "<spec> missing"
            continue
        size = int(header[2])
        blobs.append(out[at : at + size] if header[1] == b"blob" else None)
        at += size + 1
    return blobs


def blame_agreement(
    ws: Workspace, agreement_id: str, warn: Callable[[str], None] = lambda _: None
) -> list[Blamed]:
    """Blame every field and item of the agreement's current version."""
    from ..changes.blame import blame

    revisions = list(reversed(history(ws, agreement_id)))
    versions = versions_between(ws, agreement_id, revisions, warn)
    if not versions:
        raise MouError(f"{agreement_id}: no revision holds a valid agreement file")
    return blame(versions)

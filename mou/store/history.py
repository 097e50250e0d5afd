"""An agreement's past: its revisions, and its versions as of any revision.

The seam between git and the pure comparisons in :mod:`mou.changes`, which receive
models and revisions from here and never run git themselves:
every bad input (unknown id, unknown revision, a revision without the agreement, an
invalid file at some revision) becomes one :class:`~mou.errors.MouError` line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidAgreement, MouError
from ..ids import agreement_path, check_agreement_id
from ..model import Agreement
from ..quickload import RevisionReader, quick_validated
from .git import git_errors
from .reader import Revision
from .workspace import Workspace


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


def history(ws: Workspace, agreement_id: str) -> list[Revision]:
    """The agreement's revisions, newest first; MouError for an unknown or invalid id."""
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
    path = agreement_path(check_agreement_id(agreement_id))
    sha = ws.resolve(rev)
    raw = ws.repo.read_files([f"{sha}:{path}"])[0]
    agreement = quick_validated(raw, f"{path}@{sha[:10]}", agreement_id) if raw else None
    if agreement is not None:
        with git_errors(f"{path}: cannot load it"):
            revision = ws.repo.last_change(sha, path)
        return Version(rev, revision, agreement)
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

    Files are read in one ``git cat-file --batch`` and parsed by a
    :class:`~mou.quickload.RevisionReader`, which parses only the parts of each revision
    that changed; a file it declines goes through the store's exact loader, which names
    the problem.
    """
    path = agreement_path(agreement_id)
    raws = ws.repo.read_files([f"{r.sha}:{path}" for r in revisions])
    reader = RevisionReader()
    versions = []
    for revision, raw in zip(revisions, raws, strict=True):
        agreement = reader.load(raw) if raw is not None else None
        try:
            versions.append((revision, agreement or _exact(ws, agreement_id, revision.sha)))
        except MouError as err:
            warn(f"warning: skipped {revision.sha[:7]}: {err.message.splitlines()[0]}")
    return versions


def _exact(ws: Workspace, agreement_id: str, sha: str) -> Agreement:
    return _load_exact(ws, agreement_id, sha).agreement

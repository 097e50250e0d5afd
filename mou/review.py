"""The reviewer's workflow over the store: load versions to compare, walk history for blame.

The seam between :mod:`mou.store` (git) and the pure :mod:`mou.diff` / :mod:`mou.blame`:
every bad input (unknown id, unknown revision, a revision without the agreement, an
invalid file at some revision) becomes one :class:`~mou.errors.MouError` line here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidAgreement, MouError
from .model import Agreement

if TYPE_CHECKING:
    from .blame import Blamed
    from .store import Revision, Workspace


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
    from .settings import resolve_workspace
    from .store import Workspace

    ws = Workspace(resolve_workspace(root))
    try:
        yield ws
    finally:
        ws.close()


def history(ws: Workspace, agreement_id: str) -> list[Revision]:
    """The agreement's revisions, newest first; MouError for an unknown or invalid id."""
    from .validate import check_agreement_id

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
    """The agreement as of ``rev``; one-line MouError when it cannot be had."""
    from .validate import check_agreement_id

    check_agreement_id(agreement_id)
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
    """Each revision (oldest first) with its agreement; invalid revisions skipped with a warning."""
    versions = []
    for revision in revisions:
        try:
            versions.append((revision, load_version(ws, agreement_id, revision.sha).agreement))
        except MouError as err:
            warn(f"warning: skipped {revision.sha[:7]}: {err.message.splitlines()[0]}")
    return versions


def blame_agreement(
    ws: Workspace, agreement_id: str, warn: Callable[[str], None] = lambda _: None
) -> list[Blamed]:
    """Blame every field and item of the agreement's current version."""
    from .blame import blame

    revisions = list(reversed(history(ws, agreement_id)))
    versions = versions_between(ws, agreement_id, revisions, warn)
    if not versions:
        raise MouError(f"{agreement_id}: no revision holds a valid agreement file")
    return blame(versions)

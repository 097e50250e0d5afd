"""Blame: for each field and list item, the revision that last changed it.

:func:`blame` is pure: it receives an agreement's versions oldest first and walks them
with the semantic diff, so a field is blamed on whoever last changed its value, not on
whoever last reformatted or reordered the file around it. A field inside an item that was
added later is blamed on that addition; an item is blamed on the latest change to it or
anything inside it (including a move). :func:`blame_agreement` asks the store for
those versions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import MouError
from ..model import Agreement
from ..store.history import history, versions_between
from ..store.workspace import Workspace
from .diff import Change, ancestors, diff, entries


class RevisionLike(Protocol):
    """What blame needs of a revision (``mou.store.Revision`` has it)."""

    @property
    def sha(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def date(self) -> dt.datetime: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class Blamed:
    """One field or item with the revision that last changed it."""

    path: str
    label: str
    section: str
    party: str | None
    revision: RevisionLike

    def as_json(self) -> dict[str, Any]:
        """The row as a JSON-ready mapping (the `--json` shape)."""
        rev = self.revision
        return {
            "path": self.path,
            "label": self.label,
            "section": self.section,
            "party": self.party,
            "revision": rev.sha,
            "author": rev.author,
            "email": rev.email,
            "date": rev.date.isoformat(),
            "message": rev.message,
        }


@dataclass
class Touches:
    """Which version (index, oldest = 0) last touched each path, while walking a history."""

    touched: dict[str, int]
    added: dict[str, int]

    @classmethod
    def walk(cls, agreements: Sequence[Agreement]) -> Touches:
        """Diff each version against the one before it and record what each diff touched."""
        touches = cls({}, {})
        for index in range(1, len(agreements)):
            for change in diff(agreements[index - 1], agreements[index]):
                touches.record(change, index)
        return touches

    def record(self, change: Change, index: int) -> None:
        """Note that version ``index`` made ``change`` (its ancestors changed with it)."""
        for path in (*ancestors(change.path), change.path):
            self.touched[path] = index
        if change.kind == "added":
            self.added[change.path] = index

    def last(self, path: str) -> int:
        """Index of the version that last changed ``path``, inside it or by adding it."""
        created = [self.added.get(a, 0) for a in (*ancestors(path), path)]
        return max(self.touched.get(path, 0), *created)


def blame(versions: Sequence[tuple[RevisionLike, Agreement]]) -> list[Blamed]:
    """For every field and item of the newest version, the revision that last changed it."""
    if not versions:
        return []
    touches = Touches.walk([agreement for _, agreement in versions])
    return [
        Blamed(e.path, e.label, e.section, e.party, versions[touches.last(e.path)][0])
        for e in entries(versions[-1][1])
    ]


def blame_agreement(
    ws: Workspace, agreement_id: str, warn: Callable[[str], None] = lambda _: None
) -> list[Blamed]:
    """Blame every field and item of the agreement's current version."""
    revisions = list(reversed(history(ws, agreement_id)))
    versions = versions_between(ws, agreement_id, revisions, warn)
    if not versions:
        raise MouError(f"{agreement_id}: no revision holds a valid agreement file")
    return blame(versions)

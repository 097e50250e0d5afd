"""Reading a workspace without loading an agreement: ids, revisions, history, list.

This half of the store parses no agreement, so `mou log` and `mou list` start without
pydantic or the JSON Schema (a third of a second on every call); :class:`~mou.store.
workspace.Workspace` adds loading and saving on top of it.
"""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import MouError
from ..ids import agreement_path, check_agreement_id, is_agreement_name
from ..lifecycle import LIFECYCLE_FOLDER, lifecycle_path, state
from ..lifecycle import parse as parse_record
from . import objects as go
from .git import FILE_MODES, GitFailed, Repository, commit_date, git_errors
from .listing import Summary, summaries

# Fields end in NUL (with `git log -z`): the one byte no git name or message can hold.
_FORMAT = "%H%x00%an%x00%ae%x00%aI%x00%B"
_FORMAT_FIELDS = 5


@dataclass(frozen=True)
class Revision:
    """One commit that touched an agreement."""

    sha: str
    author: str
    email: str
    date: dt.datetime
    message: str

    def as_json(self) -> dict[str, str]:
        """The `mou log --json` shape of one revision."""
        return {
            "sha": self.sha,
            "author": self.author,
            "email": self.email,
            "date": self.date.isoformat(),
            "message": self.message,
        }


class Reader:
    """An open workspace, read only; use as a context manager so git processes are released."""

    def __init__(self, root: Path) -> None:
        self.repo = Repository(root)
        self.root = self.repo.root

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the ``git cat-file`` processes GitPython keeps for this repository."""
        self.repo.close()

    # ------------------------------------------------------------------ reading

    def ids(self) -> builtins.list[str]:
        """Agreement ids present at HEAD, sorted."""
        head = self.repo.tip()
        if head is None:
            return []
        names = [name.decode() for _, name, _ in self.repo.agreement_entries(head)]
        return sorted(n[: -len(".yaml")] for n in names if is_agreement_name(n))

    def resolve(self, rev: str) -> str:
        """The full sha of the commit ``rev`` names (HEAD, a sha, a tag, HEAD~2)."""
        if not rev or rev.startswith("-") or any(c in rev for c in "\n\0"):
            raise MouError(f"unknown revision {rev!r}")
        try:
            return self.repo.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except GitFailed:
            hint = "; the workspace has no commits yet" if self.repo.tip() is None else ""
            raise MouError(f"unknown revision {rev!r}{hint}") from None

    def history(self, agreement_id: str) -> builtins.list[Revision]:
        """Every commit that changed the agreement's file, newest first."""
        path = agreement_path(check_agreement_id(agreement_id))
        if self.repo.tip() is None:
            raise MouError(f"no agreement {agreement_id!r}: the workspace has no commits yet")
        revisions = self.file_history(path)
        if not revisions:
            raise MouError(f"no agreement {agreement_id!r} in the history of this workspace")
        return revisions

    def file_history(self, path: str) -> builtins.list[Revision]:
        """Every commit before HEAD that changed the file ``path``, newest first."""
        if self.repo.tip() is None:
            return []
        with git_errors(f"{path}: cannot read its history"):
            out = self.repo.run("log", "-z", f"--format={_FORMAT}", "HEAD", "--", path, strip=False)
        fields = out.split("\0")[:-1]  # every record, the last one too, ends in NUL
        return [
            _revision(fields[i : i + _FORMAT_FIELDS]) for i in range(0, len(fields), _FORMAT_FIELDS)
        ]

    def list(self) -> builtins.list[Summary]:
        """One summary per agreement at HEAD, ordered by id (see :mod:`mou.summary`)."""
        head = self.repo.tip()
        if head is None:
            return []
        entries = {
            name.decode()[: -len(".yaml")]: sha.hex()
            for _, name, sha in self.repo.agreement_entries(head)
            if is_agreement_name(name.decode())
        }
        with git_errors(f"{self.root}: cannot list the agreements"):
            rows = summaries(self.repo, head, entries)
            return self._with_states(head, rows)

    def _with_states(self, head: str, rows: builtins.list[Summary]) -> builtins.list[Summary]:
        """The rows with each agreement's state, derived from its lifecycle record.

        Without the model the readiness rules do not run, so an unsigned agreement is
        "draft" here; `mou status` tells "approved" apart.
        """
        recorded = self._recorded_blobs(head, {row.id for row in rows})
        if not recorded:
            return rows
        records = {i: self.repo.read_object(blob) for i, blob in recorded.items()}
        today = dt.date.today()
        return [
            replace(row, state=_state_of(row, records[row.id], today)) if row.id in records else row
            for row in rows
        ]

    def _recorded_blobs(self, head: str, ids: set[str]) -> dict[str, str]:
        """Agreement id -> blob of its lifecycle record at ``head``, for the ids in ``ids``.

        Read in process from the trees: no git process for a workspace without records.
        """
        root = go.parse_tree(self.repo.read_object(self.repo.tree_of(head)))
        folder = go.find_entry(root, LIFECYCLE_FOLDER.encode())
        if folder is None or folder[0] != go.TREE_MODE:
            return {}
        found = {}
        for mode, name, sha in go.parse_tree(self.repo.read_object(folder[2].hex())):
            agreement_id = name.decode(errors="replace")[: -len(".yaml")]
            if mode in FILE_MODES and agreement_id in ids:
                found[agreement_id] = sha.hex()
        return found


def _revision(fields: builtins.list[str]) -> Revision:
    sha, name, email, date, message = fields
    return Revision(sha, name, email, commit_date(date), message.strip())


def _state_of(row: Summary, raw: bytes | None, today: dt.date) -> str:
    """The state of a listed agreement; "unreadable" when its record cannot be read."""
    if raw is None:
        return row.state
    try:
        record = parse_record(raw, lifecycle_path(row.id), row.id)
        expiration = dt.date.fromisoformat(row.expiration_date) if row.expiration_date else None
    except (MouError, ValueError):
        return "unreadable"
    return state(record, expiration, today, ready=False)

"""Reading a workspace without loading an agreement: ids, revisions, history, list.

This half of the store parses no agreement, so `mou log` and `mou list` start without
pydantic or the JSON Schema (a third of a second on every call); :class:`~mou.store.
workspace.Workspace` adds loading and saving on top of it.
"""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import MouError
from ..ids import agreement_path, check_agreement_id, is_agreement_name
from .git import GitFailed, Repository, commit_date, git_errors
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
            return summaries(self.repo, head, entries)


def _revision(fields: builtins.list[str]) -> Revision:
    sha, name, email, date, message = fields
    return Revision(sha, name, email, commit_date(date), message.strip())

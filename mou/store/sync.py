"""Sync with a git remote: fetch, fast-forward, merge agreements field by field, push.

The remote serializes everyone's work: a push that is not a fast-forward of what the
remote holds is refused, and that refusal is the compare-and-swap. One sync is, up to
a bounded number of rounds:

1. fetch the remote's branch;
2. in step: done. Only ahead: push. Only behind: fast-forward.
3. diverged: every agreement changed on both sides since the merge base is merged by
   the caller's ``merger`` (field by field, :mod:`mou.changes.merge`); files changed on
   one side only are taken from it. The merge is one commit (author: the person
   syncing, committer mou, both tips its parents), pushed *before* the local branch
   moves: a conflict, a refused push or an unreachable remote leaves the local branch,
   the working files and the remote as they were;
4. a push refused because the remote moved meanwhile starts another round.

The local branch, the index and the working files then move as a save moves them: under
the writers' lock and git's ``index.lock``, the branch locked and checked by a prepared
``git update-ref --stdin`` before the new index is put in place, then moved; and only
files that hold exactly what the branch held before (an unsaved edit or a staged change
in the way refuses the sync before anything is pushed). A small journal records the
move, so that a sync killed half-way is finished by the next one.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import ConflictError, MouError, UsageError
from ..fsutil import write_no_follow
from ..ids import AGREEMENTS_FOLDER, is_agreement_name
from ..model import Agreement, to_data
from ..validate import load_bytes
from ..yamlio import dump
from . import objects as go
from .git import FILE_MODES, GitFailed, PreparedRefUpdate, prepared_ref_update, run_in_group
from .gitlocks import INDEX_LOCK, index_lock, locked_file, release_own_lock, retry_while_locked
from .policy import hook_timeout, read_policy
from .workspace import COMMITTER, INDEX_SCRATCH, Author, Workspace

SYNC_TIMEOUT_ENV = "MOU_SYNC_TIMEOUT"
SYNC_TIMEOUT_S = 120.0
ROUNDS = 8  # pushes refused because the remote moved, before giving up
JOURNAL_FILE = "mou-sync-pending.json"
ZERO = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git knows it without storing it
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "SSH_ASKPASS": "true"}
_RACE = re.compile(r"\[rejected\]|\[remote rejected\].*(cannot lock ref|failed to update ref)")
_MISSING_BRANCH = "couldn't find remote ref"

Outcome = Literal["in step", "pushed", "fast-forwarded", "merged"]
Preference = Literal["mine", "theirs"]
# (mode, blob) of a path in a tree; mode "000000" and blob ZERO: absent.
Entry = tuple[str, str]
ABSENT: Entry = ("000000", ZERO)


@dataclass(frozen=True)
class FieldMerge:
    """What a merger made of one agreement changed on both sides."""

    agreement: Agreement | None
    """The merged agreement; None when it is removed, or when conflicts remain."""
    conflicts: list[dict[str, Any]]
    """Each open conflict: path, label, reason, base, mine, theirs."""
    resolved: list[dict[str, Any]] = field(default_factory=list)
    """Conflicts settled by a preference, same shape."""


Merger = Callable[[Agreement | None, Agreement | None, Agreement | None], FieldMerge]


@dataclass(frozen=True)
class FileConflict:
    """The conflicts of one file: which agreement, where, both values, who made them."""

    path: str
    agreement_id: str | None
    mine_by: str | None
    theirs_by: str | None
    conflicts: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """The `mou sync --json` shape of one file's conflicts."""
        return {
            "file": self.path,
            "id": self.agreement_id,
            "mine_by": self.mine_by,
            "theirs_by": self.theirs_by,
            "conflicts": self.conflicts,
        }

    def lines(self) -> list[str]:
        """One line per conflicting place, naming both values and who made them."""
        return [
            f"{self.path}: {c['path']}: {c['reason']}: mine ({self.mine_by or 'nobody'}): "
            f"{_shown(c['mine'])}; theirs ({self.theirs_by or 'nobody'}): {_shown(c['theirs'])}"
            for c in self.conflicts
        ]


class SyncConflict(ConflictError):
    """Agreements changed on both sides in ways that cannot both hold (exit 3)."""

    def __init__(self, remote: str, files: list[FileConflict]) -> None:
        lines = [line for f in files for line in f.lines()]
        super().__init__(
            "\n".join(lines) + f"\nconflict with {remote}: nothing changed, here or there; "
            "settle it with --prefer mine or --prefer theirs, or edit, save and sync again"
        )
        self.remote = remote
        self.files = files


@dataclass(frozen=True)
class SyncResult:
    """What one sync did."""

    remote: str
    branch: str
    outcome: Outcome
    revision: str
    """The local branch's commit afterwards (the remote holds it too)."""
    incoming: list[str] = field(default_factory=list)
    """Agreements others changed, now here."""
    outgoing: list[str] = field(default_factory=list)
    """Agreements changed here, now on the remote."""
    merged: list[str] = field(default_factory=list)
    """Agreements changed on both sides, merged field by field."""
    resolved: list[FileConflict] = field(default_factory=list)
    rounds: int = 1

    def as_json(self) -> dict[str, Any]:
        """The `mou sync --json` shape."""
        return {
            "outcome": self.outcome,
            "remote": self.remote,
            "branch": self.branch,
            "revision": self.revision,
            "incoming": self.incoming,
            "outgoing": self.outgoing,
            "merged": self.merged,
            "resolved": [f.as_json() for f in self.resolved],
            "rounds": self.rounds,
            "conflicts": [],
        }


def sync(
    root: Path,
    merger: Merger,
    *,
    remote: str | None = None,
    author: str | None = None,
    prefer: Preference | None = None,
) -> SyncResult:
    """Bring the workspace at ``root`` and its remote in step; see the module's notes."""
    with Workspace(root) as workspace:
        return _Sync(workspace, merger, remote, author, prefer).run()


def sync_target(root: Path) -> tuple[str, str] | None:
    """The remote and branch a sync of the workspace at ``root`` would use, or None."""
    with Workspace(root) as workspace:
        try:
            target = _Sync(workspace, _no_merge, None, None, None)
        except MouError:
            return None  # no remote, or HEAD not on a branch
        return target.remote, target.remote_ref.removeprefix("refs/heads/")


def has_upstream(root: Path) -> bool:
    """Whether the workspace's branch has an upstream (``branch.<name>.remote``)."""
    with Workspace(root) as workspace:
        try:
            branch = workspace.repo.branch_ref().removeprefix("refs/heads/")
            return bool(workspace.repo.run("config", "--get", f"branch.{branch}.remote"))
        except (MouError, GitFailed):
            return False


def _no_merge(*versions: Agreement | None) -> FieldMerge:
    raise MouError("no merge was expected here")


def sync_timeout() -> float:
    """Seconds a fetch or push may take ($MOU_SYNC_TIMEOUT, default 120)."""
    try:
        return max(1.0, float(os.environ.get(SYNC_TIMEOUT_ENV, SYNC_TIMEOUT_S)))
    except ValueError:
        return SYNC_TIMEOUT_S


def _shown(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


@dataclass
class _Plan:
    """A merge in the making: index updates, what was merged, what conflicts."""

    updates: dict[str, Entry] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    conflicts: list[FileConflict] = field(default_factory=list)
    resolved: list[FileConflict] = field(default_factory=list)


class _Sync:
    """One sync of one workspace with one remote branch."""

    def __init__(
        self,
        workspace: Workspace,
        merger: Merger,
        remote: str | None,
        author: str | None,
        prefer: Preference | None,
    ) -> None:
        self.ws, self.repo, self.root = workspace, workspace.repo, workspace.root
        self.merger, self.prefer, self.author_text = merger, prefer, author
        if author is not None:
            Author.parse(author)  # a malformed --author is refused before anything runs
        self.ref = self.repo.branch_ref()
        self.branch = self.ref.removeprefix("refs/heads/")
        self.remote = self._remote(remote)
        self.remote_ref = self._upstream_ref()
        self.tracking = f"refs/remotes/{self.remote}/{self.remote_ref.removeprefix('refs/heads/')}"

    # ------------------------------------------------------------------ the rounds

    def run(self) -> SyncResult:
        """Rounds of fetch, merge and push until the remote takes the result."""
        with self.ws.writing("not synced"):
            self._recover()
        for number in range(1, ROUNDS + 1):
            local, theirs = self.repo.tip(), self._fetch()
            if local is None:
                raise MouError(f"{self.root}: the branch {self.branch} has no commits to sync")
            result = self._round(local, theirs)
            if result is not None:
                return _numbered(result, number)
        raise MouError(
            f"{self.remote}: the remote kept moving while syncing ({ROUNDS} rounds); nothing "
            "was lost: sync again"
        )

    def _round(self, local: str, theirs: str | None) -> SyncResult | None:
        """One round; None when the remote or the branch moved meanwhile (go again)."""
        if theirs == local:
            return self._result("in step", local)
        if theirs is None or self._is_ancestor(theirs, local):
            outgoing = self._agreements_changed(theirs, local)
            return self._result("pushed", local, outgoing=outgoing) if self._push(local) else None
        if self._is_ancestor(local, theirs):
            if not self._land(local, theirs):
                return None
            incoming = self._agreements_changed(local, theirs)
            return self._result("fast-forwarded", theirs, incoming=incoming)
        return self._merge_round(local, theirs)

    def _merge_round(self, local: str, theirs: str) -> SyncResult | None:
        base = self._merge_base(local, theirs)
        plan = self._plan(base, local, theirs)
        if plan.conflicts:
            raise SyncConflict(f"{self.remote}/{self.remote_ref.removeprefix('refs/heads/')}",
                               plan.conflicts)  # fmt: skip
        commit = self._merge_commit(local, theirs, plan)
        self._refuse_blocked(local, commit)  # before the remote sees it
        if not self._push(commit):
            return None
        try:
            if not self._land(local, commit):
                return None
        except MouError as err:
            raise MouError(
                f"pushed the merge {commit[:10]}, but it is not here yet: {err.message}"
            ) from None
        return self._result(
            "merged",
            commit,
            incoming=self._agreements_changed(base, theirs),
            outgoing=self._agreements_changed(base, local),
            merged=plan.merged,
            resolved=plan.resolved,
        )

    def _result(self, outcome: Outcome, revision: str, **lists: Any) -> SyncResult:
        return SyncResult(self.remote, self.branch, outcome, revision, **lists)

    # ------------------------------------------------------------------ remote

    def _remote(self, wanted: str | None) -> str:
        """The remote to sync with: --remote, the branch's upstream, origin, the only one."""
        names = self._remotes()
        if wanted is not None:
            if wanted not in names:
                known = ", ".join(names) or "none"
                raise UsageError(f"--remote {wanted!r}: no such remote (configured: {known})")
            return wanted
        configured = self._config(f"branch.{self.branch}.remote")
        for choice in (configured, "origin", names[0] if len(names) == 1 else None):
            if choice and choice in names:
                return choice
        raise UsageError(
            "no remote to sync with: add one with `git remote add origin URL`, or give "
            "--remote NAME"
        )

    def _remotes(self) -> list[str]:
        out = self.repo.run("remote")
        return [line for line in out.splitlines() if line]

    def _upstream_ref(self) -> str:
        """The remote branch: the configured upstream's, else one of this branch's name."""
        merge = self._config(f"branch.{self.branch}.merge")
        if merge and self._config(f"branch.{self.branch}.remote") == self.remote:
            return merge
        return self.ref

    def _config(self, key: str) -> str | None:
        try:
            return self.repo.run("config", "--get", key) or None
        except GitFailed:
            return None

    def _fetch(self) -> str | None:
        """Fetch the remote branch; its commit, or None when the remote has no such branch."""
        refspec = f"+{self.remote_ref}:{self.tracking}"
        args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", self.remote, refspec]
        try:
            self._git_remote(args)
        except GitFailed as err:
            if _MISSING_BRANCH in err.detail:
                return None
            raise MouError(
                f"{self.remote}: cannot fetch from the remote: {err.message}; nothing changed"
            ) from None
        return self.repo.run("rev-parse", "--verify", "--quiet", self.tracking)

    def _push(self, commit: str) -> bool:
        """Push ``commit`` as the remote branch; False when refused because the remote moved."""
        try:
            self._git_remote(["push", "--quiet", self.remote, f"{commit}:{self.remote_ref}"])
        except GitFailed as err:
            if _RACE.search(err.detail):
                return False
            raise MouError(
                f"{self.remote}: push failed: {err.message}; nothing was lost (the local "
                "branch is as it was): sync again"
            ) from None
        self.repo.run("update-ref", self.tracking, commit)
        return True

    def _git_remote(self, args: list[str]) -> bytes:
        return run_in_group(self.root, args, timeout=sync_timeout(), env=_NO_PROMPT)

    # ------------------------------------------------------------------ history

    def _is_ancestor(self, older: str, newer: str) -> bool:
        done = subprocess.run(
            ["git", "merge-base", "--is-ancestor", older, newer],
            cwd=self.root,
            capture_output=True,
        )
        return done.returncode == 0

    def _merge_base(self, local: str, theirs: str) -> str | None:
        try:
            return self.repo.run("merge-base", local, theirs) or None
        except GitFailed:
            return None  # unrelated histories: everything is new on both sides

    def _changes(self, old: str | None, new: str) -> dict[str, tuple[Entry, Entry]]:
        """Every path that differs between two commits: (entry before, entry after)."""
        args = ["diff-tree", "-r", "-z", "--no-renames", old or EMPTY_TREE, new]
        out = self.repo.run(*args, strip=False)
        fields = out.split("\0")
        changes: dict[str, tuple[Entry, Entry]] = {}
        for n in range(0, len(fields) - 1, 2):
            if not fields[n].startswith(":"):
                continue
            old_mode, new_mode, old_sha, new_sha, _ = fields[n][1:].split(" ")
            changes[fields[n + 1]] = ((old_mode, old_sha), (new_mode, new_sha))
        return changes

    def _agreements_changed(self, old: str | None, new: str) -> list[str]:
        paths = self._changes(old, new) if old != new else {}
        return sorted(_agreement_id(p) for p in paths if _agreement_id(p))  # type: ignore[misc]

    def _last_author(self, base: str | None, tip: str, path: str) -> str | None:
        span = f"{base}..{tip}" if base else tip
        out = self.repo.run("log", "-1", "--format=%an <%ae>, %h", span, "--", path)
        return out or None

    # ------------------------------------------------------------------ merging

    def _plan(self, base: str | None, local: str, theirs: str) -> _Plan:
        """What the merge commit holds; conflicts found on the way are in the plan."""
        mine = {p: after for p, (_, after) in self._changes(base, local).items()}
        plan = _Plan()
        both: list[str] = []
        for path, (_, after) in self._changes(base, theirs).items():
            if path not in mine:
                plan.updates[path] = after
            elif mine[path] != after:
                both.append(path)
        agreements = [p for p in both if _agreement_id(p)]
        for path in (p for p in both if not _agreement_id(p)):
            self._other_file(plan, path, base, local, theirs, mine[path])
        self._merge_agreements(plan, agreements, base, local, theirs)
        return plan

    def _other_file(
        self, plan: _Plan, path: str, base: str | None, local: str, theirs: str, entry: Entry
    ) -> None:
        """A file that is no agreement, changed on both sides: only a preference settles it."""
        found = self._file_conflict(path, base, local, theirs, [
            {"path": "$", "reason": "not an agreement, changed on both sides (merge it with git)",
             "base": None, "mine": entry[1], "theirs": None}
        ])  # fmt: skip
        if self.prefer is None:
            plan.conflicts.append(found)
        else:
            plan.resolved.append(found)
            if self.prefer == "theirs":
                plan.updates[path] = self._entry(theirs, path)

    def _entry(self, commit: str, path: str) -> Entry:
        out = self.repo.run("ls-tree", "-z", commit, "--", path, strip=False)
        if not out:
            return ABSENT
        mode, _, sha = out.split("\t", 1)[0].split(" ")
        return (mode, sha)

    def _merge_agreements(
        self, plan: _Plan, paths: list[str], base: str | None, local: str, theirs: str
    ) -> None:
        """Merge each agreement changed on both sides; read all versions in one batch."""
        specs = [f"{rev}:{p}" for p in paths for rev in (base, local, theirs) if rev]
        blobs = iter(self.repo.read_files(specs))
        for path in paths:
            versions = [next(blobs) if rev else None for rev in (base, local, theirs)]
            outcome = self._field_merge(path, versions)
            open_, settled = outcome.conflicts, outcome.resolved
            if open_ or settled:
                found = self._file_conflict(path, base, local, theirs, open_ or settled)
                (plan.conflicts if open_ else plan.resolved).append(found)
            if not open_:
                plan.updates[path] = self._store(outcome.agreement)
                plan.merged.append(_agreement_id(path) or path)

    def _field_merge(self, path: str, raws: list[bytes | None]) -> FieldMerge:
        """The merger's answer, or a conflict when a version is not a valid agreement."""
        agreement_id = _agreement_id(path)
        models: list[Agreement | None] = []
        for side, raw in zip(("base", "mine", "theirs"), raws, strict=True):
            try:
                models.append(load_bytes(raw, f"{path}@{side}", agreement_id) if raw else None)
            except MouError as err:
                first = err.message.splitlines()[0]
                return FieldMerge(None, [{"path": "$", "base": None, "mine": None, "theirs": None,
                                          "reason": f"cannot merge: {side}: {first}"}])  # fmt: skip
        return self.merger(*models)

    def _store(self, agreement: Agreement | None) -> Entry:
        if agreement is None:
            return ABSENT
        raw = dump(to_data(agreement)).encode("utf-8")
        return ("100644", go.write_object(self.repo.objects_dir, "blob", raw))

    def _file_conflict(
        self, path: str, base: str | None, local: str, theirs: str, conflicts: list[dict]
    ) -> FileConflict:
        mine_by = self._last_author(base, local, path)
        theirs_by = self._last_author(base, theirs, path)
        return FileConflict(path, _agreement_id(path), mine_by, theirs_by, conflicts)

    def _merge_commit(self, local: str, theirs: str, plan: _Plan) -> str:
        """The merge commit: local's tree with the plan applied, both tips its parents."""
        tree = self._tree(local, plan.updates)
        author = self._author()
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": COMMITTER[0],
            "GIT_COMMITTER_EMAIL": COMMITTER[1],
        }
        args = ["commit-tree", tree, "-p", local, "-p", theirs, "-m", self._message(plan)]
        if read_policy(self.repo).sign:
            args.append("-S")
        try:
            return run_in_group(self.root, args, env=env, timeout=hook_timeout()).decode().strip()
        except GitFailed as err:
            raise MouError(f"not synced: the merge could not be committed: {err.message}") from None

    def _tree(self, commit: str, updates: dict[str, Entry]) -> str:
        """``commit``'s tree with ``updates`` applied, built in a private index."""
        lines = "".join(f"{mode} {sha}\t{path}\0" for path, (mode, sha) in updates.items())
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            timeout = sync_timeout()
            run_in_group(self.root, ["read-tree", commit], env=env, timeout=timeout)
            run_in_group(self.root, ["update-index", "-z", "--index-info"], env=env,
                         stdin=lines.encode(), timeout=timeout)  # fmt: skip
            tree = run_in_group(self.root, ["write-tree"], env=env, timeout=timeout)
        return tree.decode().strip()

    def _author(self) -> Author:
        if self.author_text is not None:
            return Author.parse(self.author_text)
        name, email = self._config("user.name"), self._config("user.email")
        if not name or not email:
            raise UsageError(
                'a merge needs its author: give --author "Name <email>", or set git config '
                "user.name and user.email"
            )
        return Author(name, email)

    def _message(self, plan: _Plan) -> str:
        target = f"{self.remote}/{self.remote_ref.removeprefix('refs/heads/')}"
        lines = [f"Sync with {target}: merge field by field", ""]
        lines += [f"Merged: {', '.join(plan.merged)}"] if plan.merged else []
        for found in plan.resolved:
            lines.append(f"Settled in favour of {self.prefer}: {found.path}: "
                         + ", ".join(c["path"] for c in found.conflicts))  # fmt: skip
        return "\n".join(lines).rstrip() + "\n"

    # ------------------------------------------------------------------ landing

    def _land(self, old: str, new: str) -> bool:
        """Move the branch ``old`` → ``new`` with its index and files; False if it moved.

        The files are written first; then, holding git's index lock, the branch is locked
        and checked (``update-ref --stdin``, prepared), the new index put in place and the
        branch moved: the order of a save (``Workspace._land``), so that a plain ``git
        commit`` that sees the moved branch also sees the new index and cannot commit the
        old entries on top of the sync. Killed before the branch moves, the files and index
        hold the incoming content on the old branch; the journal lets the next sync put
        them back, or finish the move.
        """
        with self.ws.writing("not synced"):
            if self.repo.tip() != old:
                return False
            moves = self._moves(old, new)
            token = secrets.token_hex(16)
            self._journal().write_text(json.dumps({"old": old, "new": new, "token": token}))
            with index_lock(self.repo.git_dir, token) as lock:
                moved = self._swap(old, new, moves, lambda: release_own_lock(lock, token))
            self._journal().unlink(missing_ok=True)
        return moved

    def _swap(
        self,
        old: str,
        new: str,
        moves: dict[str, tuple[Entry, Entry]],
        release_index: Callable[[], object],
    ) -> bool:
        """Files, branch locked, index, branch moved; undone if the branch moved meanwhile."""
        self._write_files(moves)
        try:
            update = self._prepare_branch(old, new)
            if update is not None:
                self._stage(moves, update)
        except BaseException:
            self._write_files(_reversed(moves))
            raise
        if update is None:
            self._write_files(_reversed(moves))
            return False
        release_index()  # the index is done: git may have it
        return self._commit_branch(update, new, moves)

    def _prepare_branch(self, old: str, new: str) -> PreparedRefUpdate | None:
        """The branch locked by git and checked to be at ``old``; None if it is not."""

        def prepare() -> PreparedRefUpdate:
            return prepared_ref_update(
                self.root, self.ref, new, old, timeout=hook_timeout(), message="mou sync"
            )

        try:
            return retry_while_locked(prepare, self._lock_named)
        except GitFailed:
            return None

    def _lock_named(self, err: Exception) -> Path | None:
        return locked_file(err.detail, self.root) if isinstance(err, GitFailed) else None

    def _stage(self, moves: dict[str, tuple[Entry, Entry]], update: PreparedRefUpdate) -> None:
        """The new index put in place while the branch is locked; the lock dropped on failure."""
        try:
            os.replace(self._prepared_index(moves), self.repo.git_dir / "index")
        except BaseException:
            update.abort()
            raise

    def _commit_branch(
        self, update: PreparedRefUpdate, new: str, moves: dict[str, tuple[Entry, Entry]]
    ) -> bool:
        """Move the locked branch; if git fails to, the index and the files go back."""
        try:
            update.commit()
        except GitFailed:
            if self.repo.tip() == new:
                return True  # moved; only a reference-transaction hook failed after
            self._put_back(moves)
            return False
        return True

    def _put_back(self, moves: dict[str, tuple[Entry, Entry]]) -> None:
        """Index entries and files that took the incoming content take the old again."""
        back = _reversed(moves)
        with index_lock(self.repo.git_dir, secrets.token_hex(16)):
            os.replace(self._prepared_index(back), self.repo.git_dir / "index")
            self._write_files(back)

    def _moves(self, old: str, new: str) -> dict[str, tuple[Entry, Entry]]:
        """The paths that change, refusing before anything moves if an edit is in the way."""
        moves = self._changes(old, new)
        odd = [p for p, (a, b) in moves.items() if {a[0], b[0]} - {*_MODES, ABSENT[0]}]
        if odd:
            raise MouError(
                f"{odd[0]}: the remote changed a symbolic link or submodule here; mou sync "
                "brings in files only: use git pull"
            )
        blocked = self._blocked(moves)
        if blocked:
            raise MouError(
                f"{blocked[0]}: has changes not saved (or staged) that the sync would "
                "overwrite; save them or set them aside, then sync again"
            )
        return moves

    def _refuse_blocked(self, old: str, new: str) -> None:
        try:
            with self.ws.writing("not synced"):
                self._moves(old, new)
        except MouError as err:
            raise MouError(f"{err.message}; nothing changed, here or there") from None

    def _blocked(self, moves: dict[str, tuple[Entry, Entry]]) -> list[str]:
        """Paths whose index entry or working file holds something of someone's own."""
        staged = self._staged(moves)
        blocked = []
        for path, (before, after) in moves.items():
            allowed = {before[1], after[1]}
            if staged.get(path, ZERO) not in allowed or self._worktree_blob(path) not in allowed:
                blocked.append(path)
        return blocked

    def _staged(self, paths: Iterable[str]) -> dict[str, str]:
        """The blob staged for each of ``paths`` (absent: not staged).

        The whole index is listed: paths given to git would be read as patterns (a file
        named ``*.yaml``) and, by the thousand, would overflow a command line.
        """
        wanted = set(paths)
        out = self.repo.run("ls-files", "--stage", "-z", strip=False)
        staged = {}
        for record in out.split("\0"):
            if record:
                info, path = record.split("\t", 1)
                if path in wanted:
                    staged[path] = info.split(" ")[1]
        return staged

    def _worktree_blob(self, path: str) -> str:
        """The blob id of the working file (ZERO when absent, "?" when not a regular file)."""
        target = self.root / path
        if not os.path.lexists(target):
            return ZERO
        if target.is_symlink() or not target.is_file():
            return "?"
        return go.object_id("blob", target.read_bytes())

    def _write_files(self, moves: dict[str, tuple[Entry, Entry]]) -> None:
        """Working files that hold the content before (or already after) take the after."""
        wanted = [(p, after) for p, (_, after) in moves.items()]
        contents = iter(self.repo.read_files([sha for _, (_, sha) in wanted if sha != ZERO]))
        for path, (mode, sha) in wanted:
            raw = next(contents) if sha != ZERO else None
            if self._worktree_blob(path) in (moves[path][0][1], sha):
                _write(self.root / path, raw, mode)

    def _prepared_index(self, moves: dict[str, tuple[Entry, Entry]]) -> Path:
        """A copy of the index whose entries for ``moves`` (where unedited) are the after."""
        staged = self._staged(moves)
        lines = "".join(
            f"{mode if sha != ZERO else '0'} {sha}\t{path}\0"
            for path, (before, (mode, sha)) in moves.items()
            if staged.get(path, ZERO) in (before[1], sha)
        )
        index, scratch = self.repo.git_dir / "index", self.repo.git_dir / INDEX_SCRATCH
        if index.exists():
            shutil.copy2(index, scratch)  # its time too: git's racily-clean check reads it
        run_in_group(self.root, ["update-index", "-z", "--index-info"],
                     env={"GIT_INDEX_FILE": str(scratch)}, stdin=lines.encode(),
                     timeout=hook_timeout())  # fmt: skip
        return scratch

    # ------------------------------------------------------------------ recovery

    def _journal(self) -> Path:
        return self.repo.git_dir / JOURNAL_FILE

    def _recover(self) -> None:
        """Finish or undo what a killed sync left: files and index follow the branch."""
        try:
            record = json.loads(self._journal().read_text())
            old, new, token = record["old"], record["new"], record["token"]
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError):
            self._journal().unlink(missing_ok=True)
            return
        release_own_lock(self.repo.git_dir / INDEX_LOCK, str(token))
        (self.repo.git_dir / INDEX_SCRATCH).unlink(missing_ok=True)
        tip = self.repo.tip()
        if tip in (old, new):
            moves = self._changes(old, new)
            with index_lock(self.repo.git_dir, secrets.token_hex(16)):
                if tip == new:  # the branch moved: files and index catch up
                    self._write_files(moves)
                    os.replace(self._prepared_index(moves), self.repo.git_dir / "index")
                else:  # it did not: files and index entries written ahead of it go back
                    self._write_files(_reversed(moves))
                    os.replace(self._prepared_index(_reversed(moves)), self.repo.git_dir / "index")
        self._journal().unlink(missing_ok=True)


_MODES = {m.decode() for m in FILE_MODES}


def _reversed(moves: dict[str, tuple[Entry, Entry]]) -> dict[str, tuple[Entry, Entry]]:
    return {path: (after, before) for path, (before, after) in moves.items()}


def _numbered(result: SyncResult, rounds: int) -> SyncResult:
    return SyncResult(**{**result.__dict__, "rounds": rounds})


def _agreement_id(path: str) -> str | None:
    folder, _, name = path.partition("/")
    if folder != AGREEMENTS_FOLDER or not is_agreement_name(name):
        return None
    return name[: -len(".yaml")]


def _write(target: Path, raw: bytes | None, mode: str) -> None:
    """Make the working file ``target`` hold ``raw`` (None: remove it), never through a link."""
    if raw is None:
        if target.is_file() and not target.is_symlink():
            target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_no_follow(target, raw, durable=False)  # git holds the content: no fsync, as checkout
    target.chmod(0o755 if mode == "100755" else 0o644)

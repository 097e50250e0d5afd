"""The git-backed workspace: save, load at a revision, history, list.

A workspace is a git repository whose ``agreements/`` folder holds one YAML file
per agreement. Git is the database, so the rules are git's rules made strict:

* A save is exactly one commit on the current branch that touches only
  ``agreements/<id>.yaml``. The commit is built from objects, never through the
  shared index, so whatever the user has staged or left modified stays as it was.
* Writers take a lock file in the git folder (an OS lock, released when its
  process dies, so a killed writer leaves nothing stale) and still move the branch
  with a compare-and-swap (``git update-ref REF NEW OLD``): GitPython's own
  index commit reads the head and moves it without checking, dropping commits.
* The index entry is staged before the branch moves, while mou holds git's own
  ``index.lock`` and git's lock on the branch: a plain ``git commit`` that sees the moved
  branch then also sees the new index, and one that read the index before cannot land
  in between, so no commit carries the old entry on top of the save (see :meth:`_land`).
* A save that names its ``base`` revision is refused with :class:`ConflictError`
  when the agreement changed since; nothing is ever written over. Without ``base``,
  a save that would exactly undo the agreement's last mou save is refused the same way.
* The repository's policy applies: ``commit.gpgsign``, the ``pre-commit`` and
  ``commit-msg`` hooks (bounded in time), and ``filter`` attributes (see :mod:`.policy`).
  Only regular files are saved: a link, folder or submodule at the agreement's path,
  committed or in the working tree, refuses the save, and the working file is never
  written through a link.
* After the commit the working-tree file is made equal to it, unless that would
  lose an edit: a file holding other unsaved changes is kept, and the save says so.
  A file that cannot be written (read-only folder, full disk) leaves the save made,
  and the save says so too.
* Before the branch moves, a small journal records the save; the next writer
  finishes a save whose process was killed after its commit landed (working-tree
  file and index entry), clears its half-written temporary file and its index lock.

The "revision" of an agreement is the sha of the last commit that changed its
file; exports carry it and ``base`` means it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..chars import hidden_char, name_of
from ..errors import ConflictError, MouError, UsageError
from ..fsutil import os_errors, read_regular, write_no_follow
from ..ids import (
    AGREEMENTS_FOLDER,
    MEASUREMENTS_FOLDER,
    agreement_path,
    check_agreement_id,
    is_agreement_name,
)
from ..lifecycle import edit_refusal, lifecycle_path
from ..lifecycle import parse as parse_record
from ..model import Agreement, to_data
from ..settings import resolve_workspace
from ..validate import load_bytes, validate_data
from ..yamlio import dump, read_file
from . import attached as files
from . import objects as go
from .attached import Attached, Wanted
from .git import (
    FILE_MODES,
    GitFailed,
    PreparedRefUpdate,
    entry_kind,
    git_errors,
    prepared_ref_update,
    run_in_group,
)
from .gitlocks import (
    GIT_LOCK_WAIT_S,
    INDEX_LOCK,
    GitBusy,
    index_lock,
    locked_file,
    release_own_lock,
    retry_while_locked,
)
from .policy import (
    Policy,
    hook_timeout,
    read_policy,
    refuse_filtered,
    run_commit_msg,
    run_pre_commit,
)
from .reader import Reader

COMMITTER = ("mou", "mou@localhost")
# The folders whose ``<id>.yaml`` files mou commits.
SAVED_FOLDERS = (AGREEMENTS_FOLDER, MEASUREMENTS_FOLDER)
LOCK_FILE = "mou-save.lock"
JOURNAL_FILE = "mou-save-pending.json"
INDEX_SCRATCH = "mou-index.tmp"
LOCK_TIMEOUT_S = 60.0
_AUTHOR = re.compile(r"^\s*([^<>\n]*?)\s*<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>\s*$")
# Characters git strips from both ends of an author's name and e-mail (ident.c: crud).
_IDENT_CRUD = " .,:;\"'\\"


@dataclass(frozen=True)
class Author:
    """The person a save is attributed to; git needs both name and e-mail."""

    name: str
    email: str

    def __post_init__(self) -> None:
        for part in (self.name, self.email):
            problem = _ident_problem(part)
            if problem:
                raise UsageError(f"author {part!r}: {problem}")

    @classmethod
    def parse(cls, text: str) -> Author:
        """``Author.parse("Jane Roe <jane@x.gov>")``; UsageError if either part is missing."""
        match = _AUTHOR.match(text or "")
        if not match or not match.group(1):
            raise UsageError(
                f"--author {text!r}: give a name and an e-mail address, "
                'as "Jane Roe <jane.roe@agency.gov>"'
            )
        return cls(match.group(1), match.group(2))

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


def _ident_problem(part: str) -> str | None:
    """Why git would refuse, alter or misread ``part`` of an author line; None if it is fine."""
    if not part.strip() or any(c in part for c in "<>"):
        return "a name and an e-mail address are required"
    hidden = _hidden(part, allowed="")
    if hidden:
        # A line break would forge a line in the commit; other controls garble `mou log`;
        # a bidirectional override makes the name display as another (mou/chars.py).
        return (
            "control characters are not allowed in a name or e-mail address, nor "
            f"bidirectional overrides ({hidden})"
        )
    if not part.strip(_IDENT_CRUD):
        # git drops these from both ends ("Jane Roe Jr." is kept as "Jane Roe Jr") and
        # refuses a name that is nothing else.
        return "a name and an e-mail address are required, not only punctuation"
    return None


def _hidden(text: str, allowed: str) -> str | None:
    """The name of the first C0 control character or DEL in ``text`` other than those
    ``allowed``, or of its first bidirectional override or isolate; None if none."""
    bad = hidden_char(text, allowed)
    return name_of(bad) if bad is not None else None


@dataclass(frozen=True)
class Loaded:
    """An agreement as it was at a revision, with the bytes it was read from."""

    agreement: Agreement
    revision: str
    raw: bytes


@dataclass(frozen=True)
class Saved:
    """The outcome of a save."""

    revision: str
    created: bool
    # The workspace's own file held other, unsaved edits: it was left as it was and now
    # differs from the saved revision.
    workspace_file_kept: bool = False
    # Why the workspace's own file could not be brought up to the saved revision (a
    # read-only folder, a full disk); None when it was. The save itself is committed.
    workspace_file_error: str | None = None


class Workspace(Reader):
    """An open workspace for reading and saving agreements; use it as a context manager."""

    def __enter__(self) -> Workspace:
        return self

    def load(self, agreement_id: str, rev: str = "HEAD") -> Loaded:
        """The agreement as of ``rev``, validated; MouError if it is absent there."""
        path = agreement_path(check_agreement_id(agreement_id))
        commit = self.resolve(rev)
        blob = self.repo.blob_sha(commit, path)
        if blob is None:
            raise MouError(f"no agreement {agreement_id!r} at revision {rev!r}")
        raw = self.repo.read_object(blob)
        with git_errors(f"{path}: cannot load it"):
            revision = self.repo.last_change(commit, path)
        agreement = load_bytes(raw, f"{path}@{revision[:10]}", agreement_id)
        return Loaded(agreement, revision, raw)

    def attachments(self, agreement: Agreement, rev: str = "HEAD") -> dict[str, bytes]:
        """The files ``agreement``'s file exhibits name, as stored at ``rev`` (the commit
        holding that revision); a file not stored there is left out."""
        return files.stored_files(self.repo, self.resolve(rev), agreement)

    def is_committed(self, agreement_id: str) -> bool:
        """Whether the working-tree file equals the file at HEAD (both absent counts)."""
        path = agreement_path(agreement_id)
        head = self.repo.tip()
        committed = self.repo.blob_sha(head, path) if head else None
        raw = read_regular(self.root / path)  # a link (to /dev/zero, say) is not read
        current = go.object_id("blob", raw) if raw is not None else None
        return committed == current

    # ------------------------------------------------------------------ saving

    def save(
        self,
        agreement: Agreement,
        message: str,
        author: Author,
        base: str | None = None,
        *,
        new: bool = False,
        attachments: Mapping[str, bytes] | None = None,
    ) -> Saved:
        """Commit the agreement as one commit; ConflictError if it changed since ``base``.

        The files its file exhibits name are committed with it, in
        ``agreements/<id>.exhibits/``: each from ``attachments`` (name → content), else as
        the current revision stores it; MouError if one is in neither place or its
        SHA-256 is not the one recorded.

        ``new`` says the edit started from nothing: the save is then a conflict if the
        agreement exists by the time the writer lock is held (two people creating one id).
        Without ``base``, a save that would exactly undo the agreement's last revision,
        when mou made it, is a conflict too: that is what saving a working file the last
        save could not update looks like.
        """
        raw = canonical_bytes(agreement)
        wanted = Wanted.of(agreement, attachments)
        path = agreement_path(agreement.id)
        return self.save_file(path, raw, message, author, base, new=new, wanted=wanted)

    def save_file(
        self,
        path: str,
        raw: bytes,
        message: str,
        author: Author,
        base: str | None = None,
        *,
        new: bool = False,
        wanted: Wanted | None = None,
    ) -> Saved:
        """Commit ``raw`` as the file ``path`` (an agreement, or a file kept beside one such
        as its measurements) in one commit, with every guarantee of :meth:`save`.

        The caller has checked the bytes; ``path`` is ``<folder>/<id>.yaml``. ``wanted``
        names an agreement's attached files; a file that is no agreement has none.
        """
        _check_message(message, "the message (-m)")
        base_commit = self.resolve(base) if base is not None else None
        if wanted is not None:
            files.check_given(wanted, path)
        # A read-only .git or a full disk is one line naming the place, not a traceback.
        with (
            os_errors(f"{path}: not saved", self.repo.git_dir),
            self._writer_lock(),
            git_errors(f"{path}: not saved"),
        ):
            self._finish_interrupted_save()
            attached_paths = (
                [f"{files.exhibits_folder(wanted.agreement_id)}/{n}" for n in wanted.hashes]
                if wanted is not None
                else []
            )
            for filtered in (path, *attached_paths):
                refuse_filtered(self.repo, filtered)
            job = _Job(path, raw, message, author, base_commit, read_policy(self.repo), wanted)
            for _ in range(20):
                if new:
                    self._refuse_existing(path)
                saved = self._try_save(job, new)
                if saved is not None:
                    return saved
        raise MouError(f"{path}: the branch kept moving while saving; try again")

    def _try_save(self, job: _Job, new: bool) -> Saved | None:
        ref = self.repo.branch_ref()
        old = self.repo.tip()
        old_blob = self._committed_blob(old, job.path)
        self._refuse_odd_working_file(job.path, new)
        attached = self._attached_for(job, old)
        new_blob = go.object_id("blob", job.raw)
        if old is not None and new_blob == old_blob and attached.unchanged():
            return Saved(self.repo.last_change(old, job.path), created=False)
        if job.base is not None and self.repo.blob_sha(job.base, job.path) != old_blob:
            raise self._conflict(job.path, job.base, old)
        if job.base is None and old is not None and old_blob is not None:
            self._refuse_undoing_last_change(job.path, old, new_blob)
        if old is not None and job.wanted is not None:  # measurements go on after signing
            self._refuse_signed_text(job.path, old)
        commit = self._commit(job, old, attached)
        return self._land(job, ref, commit, (old, old_blob), attached)

    def _attached_for(self, job: _Job, old: str | None) -> Attached:
        """The attached files the save of ``job`` on ``old`` leaves; none for a file that
        is no agreement (its folder stays exactly as ``old`` has it)."""
        if job.wanted is None:
            return Attached("", {}, {})
        files.refuse_odd_folder(self.root, job.wanted.agreement_id)
        return files.resolve(self.repo, old, job.wanted, job.path)

    def _refuse_signed_text(self, path: str, tip: str) -> None:
        """MouError when the agreement at ``path`` is signed text only an amendment changes."""
        agreement_id = path.split("/", 1)[1][: -len(".yaml")]
        raw = self.read_path(tip, lifecycle_path(agreement_id))
        if raw is None:
            return
        record = parse_record(raw, lifecycle_path(agreement_id), agreement_id)
        refusal = edit_refusal(record)
        if refusal is not None:
            raise MouError(f"{path}: not saved: {refusal}")

    def read_path(self, commit: str, path: str) -> bytes | None:
        """The bytes of the regular file ``path`` at ``commit``, or None when it is absent.

        Read in process, tree by tree: every save asks for the lifecycle record, and a
        ``git`` process per save would cost more than the rest of the check.
        """
        tree: str | None = self.repo.tree_of(commit)
        parts = path.split("/")
        for name in parts[:-1]:
            entry = go.find_entry(go.parse_tree(self.repo.read_object(tree or "")), name.encode())
            tree = entry[2].hex() if entry is not None and entry[0] == go.TREE_MODE else None
            if tree is None:
                return None
        found = go.find_entry(go.parse_tree(self.repo.read_object(tree or "")), parts[-1].encode())
        if found is None or found[0] not in FILE_MODES:
            return None
        return self.repo.read_object(found[2].hex())

    def commit_files(
        self, build: Callable[[str | None], dict[str, bytes]], message: str, author: Author
    ) -> str:
        """Commit the files ``build`` returns for the current tip, as one commit; its sha.

        ``build`` runs under the writer lock with the tip the commit goes on, so what it
        checks (a signature not given twice, say) still holds when the branch moves. Only
        those files change; the index entries and working files follow where they held
        the content from before (an edit of them is kept).
        """
        _check_message(message, "the message (-m)")
        with (
            os_errors("not recorded", self.repo.git_dir),
            self._writer_lock(),
            git_errors("not recorded"),
        ):
            self._finish_interrupted_save()
            for _ in range(20):
                old = self.repo.tip()
                files = build(old)
                commit = self._commit_files(files, message, author, old)
                if self._land_files(files, commit, old):
                    return commit
        raise MouError("the branch kept moving while recording; try again")

    def _commit_files(
        self, files: dict[str, bytes], message: str, author: Author, old: str | None
    ) -> str:
        for path in files:
            refuse_filtered(self.repo, path)
        tree = self.repo.tree_of(old) if old else None
        for path, raw in files.items():
            blob = go.write_object(self.repo.objects_dir, "blob", raw)
            tree = self._set_in_tree(tree, path.split("/"), blob)
        job = _Job(next(iter(files)), b"", message, author, None, read_policy(self.repo), None)
        assert tree is not None
        return self._commit_tree(job, tree, old)

    def _set_in_tree(self, tree: str | None, parts: list[str], blob: str) -> str:
        """The tree ``tree`` (None: empty) with the file at ``parts`` set to ``blob``."""
        entries = go.parse_tree(self.repo.read_object(tree)) if tree else []
        name = parts[0].encode()
        if len(parts) == 1:
            entry = (go.FILE_MODE, name, bytes.fromhex(blob))
        else:
            inner = go.find_entry(entries, name)
            if inner is not None and inner[0] != go.TREE_MODE:
                raise MouError(f"{self.root}: '{parts[0]}' is committed as a file, not a folder")
            sub = self._set_in_tree(inner[2].hex() if inner else None, parts[1:], blob)
            entry = (go.TREE_MODE, name, bytes.fromhex(sub))
        return go.write_object(
            self.repo.objects_dir, "tree", go.serialize_tree(go.with_entry(entries, entry))
        )

    def _land_files(self, files: dict[str, bytes], commit: str, old: str | None) -> bool:
        """Move the branch to ``commit`` if it is still at ``old``, in the order a save
        keeps (index entries staged before the branch moves); then the working files."""
        before = {p: self.read_path(old, p) if old else None for p in files}
        staged: list[Staged] = [(p, _blob_of(raw), _blob_of(before[p])) for p, raw in files.items()]
        record: dict[str, Any] = {"path": "", "token": _token(), "commit": commit}
        record["staged"] = staged
        self._write_journal(record)
        with index_lock(self.repo.git_dir, record["token"]) as lock:
            update = self._prepare_move(self.repo.branch_ref(), commit, old, record)
            if update is None:
                self._journal().unlink(missing_ok=True)
                return False
            self._stage_files(staged, update)
            release_own_lock(lock, record["token"])  # the index is done: git may have it
            self._commit_move(update, commit, staged)
        for path, raw in files.items():
            self._follow(path, raw, before[path])
        self._journal().unlink(missing_ok=True)
        return True

    def _stage_files(self, staged: list[Staged], update: PreparedRefUpdate) -> None:
        """Stage each file's new blob where its entry still holds the blob from before."""
        try:
            changes = [(p, new) for p, new, old in staged if self._staged_blob(p) in (None, old)]
            if changes:
                os.replace(self._index_with(changes), self.repo.git_dir / "index")
        except BaseException:
            update.abort()
            raise

    def _commit_move(
        self,
        update: PreparedRefUpdate,
        commit: str,
        staged: list[Staged],
    ) -> None:
        """Move the prepared branch; on failure the staged entries go back."""
        try:
            update.commit()
        except GitFailed as err:
            if self.repo.tip() != commit:
                self._unstage(staged)
                raise MouError(f"could not record: {err.message}") from None

    def _follow(self, path: str, raw: bytes, before: bytes | None) -> None:
        """Bring the working file of ``path`` up to ``raw`` where it still holds ``before``
        (or nothing): an edit made meanwhile is never overwritten."""
        target = self.root / path
        current = read_regular(target)
        if current == before or (current is None and not os.path.lexists(target)):
            with contextlib.suppress(OSError):
                target.parent.mkdir(parents=True, exist_ok=True)
            self._write_working_file(target, raw)  # a failure leaves the commit made

    def _land(
        self,
        job: _Job,
        ref: str,
        commit: str,
        before: tuple[str | None, str | None],
        attached: Attached,
    ) -> Saved | None:
        """Stage the save in the index, then move the branch; None if the branch moved.

        The order is what keeps a plain ``git commit`` from undoing the save. Such a commit
        reads HEAD, then the index (without git's index lock), and builds its tree from
        that index on the HEAD it read. So the index takes the new entry before the branch
        moves: a commit that sees the moved branch sees the new index. Meanwhile git's
        lock on the branch is held (``update-ref`` prepared), so a commit that read the
        index before that cannot land between the two either: its old-value check fails.
        """
        old, old_blob = before
        new_blob = go.object_id("blob", job.raw)
        record: dict[str, Any] = {"path": job.path, "blob": new_blob, "old": old_blob}
        record["token"] = _token()
        if not attached.unchanged():  # the next writer finishes or undoes the files too
            record["files_old"], record["files_new"] = attached.old, attached.blobs
        self._write_journal(record)
        try:
            landed = self._stage_and_move(job, ref, commit, old, record, attached)
        except GitBusy:
            self._journal().unlink(missing_ok=True)  # the branch has not moved
            raise
        if not landed:
            self._journal().unlink(missing_ok=True)
            return None  # someone outside mou moved the branch; rebuild on the new tip
        kept, error = self._update_working_file(job.path, job.raw, old_blob)
        if not attached.unchanged():  # the same rule for the attached files (.attached)
            error = files.sync_working_files(self.root, attached) or error
        self._journal().unlink(missing_ok=True)
        self._maybe_collect_garbage(commit)
        return Saved(commit, created=True, workspace_file_kept=kept, workspace_file_error=error)

    def _stage_and_move(
        self,
        job: _Job,
        ref: str,
        commit: str,
        old: str | None,
        record: dict[str, Any],
        attached: Attached,
    ) -> bool:
        """Under git's index lock: branch locked and checked, index entries staged, index
        replaced and unlocked, branch moved. False (nothing changed) if the branch moved."""
        with index_lock(self.repo.git_dir, record["token"]) as lock:
            update = self._prepare_move(ref, commit, old, record)  # first: the branch may move
            if update is None:
                return False
            try:
                staged = self._staged_index(job, record, attached)
            except BaseException:
                update.abort()
                raise
            if staged is not None:
                os.replace(staged, self.repo.git_dir / "index")
            release_own_lock(lock, record["token"])  # the index is done: git may have it
            try:
                update.commit()
            except GitFailed as err:
                if self.repo.tip() == commit:
                    return True  # moved; only git's reference-transaction hook failed after
                self._unstage(_staged_entries(record))
                raise MouError(f"could not move {ref}: {err.message}") from None
        return True

    def _staged_index(self, job: _Job, record: dict[str, Any], attached: Attached) -> Path | None:
        """A copy of the index with the save's entries, where they may move (index.lock
        held): another agreement's staged edit stays, as does an edit of this one."""
        changes: list[tuple[str, str | None]] = []
        if self._index_replaceable(job.path, job.raw, record["old"], record["blob"]):
            changes.append((job.path, record["blob"]))
        if not attached.unchanged():  # files the commit did not change need no work
            changes += files.index_changes(self.repo, attached)
        return self._index_with(changes) if changes else None

    def _maybe_collect_garbage(self, commit: str) -> None:
        """Run ``git gc --auto`` after about one save in 64, as git's own commit does each time.

        Saves use plumbing, which never triggers it, so loose objects would pile up; the
        sha picks the saves so that the typical save does not pay for the extra process.
        """
        if int(commit[:2], 16) < 4:
            with contextlib.suppress(GitFailed):
                self.repo.run("gc", "--auto", "--quiet")

    def _committed_blob(self, commit: str | None, path: str) -> str | None:
        """The blob of ``path`` at ``commit``; MouError if a link, folder or submodule is there."""
        entry = self.repo.entry_at(commit, path) if commit else None
        if entry is None:
            return None
        if entry[0] not in FILE_MODES:
            raise MouError(
                f"{path}: is committed as {entry_kind(entry[0])}, not a file; mou saves "
                f"nothing over it (remove it with `git rm {path}` first)"
            )
        return entry[2].hex()

    def _refuse_existing(self, path: str) -> None:
        tip = self.repo.tip()
        entry = self.repo.entry_at(tip, path) if tip else None
        if entry is None or tip is None:
            return
        if entry[0] not in FILE_MODES:
            raise ConflictError(
                f"{path}: conflict: already exists (committed as {entry_kind(entry[0])}); "
                "choose another id"
            )
        current = self.repo.last_change(tip, path)
        raise ConflictError(
            f"{path}: conflict: created meanwhile by someone else (revision "
            f"{current[:10]}); choose another id or load theirs"
        )

    def _refuse_odd_working_file(self, path: str, new: bool) -> None:
        """Refuse when the working tree holds a link (or other non-file) where mou writes."""
        folder = self.root / path.split("/")[0]
        for place, wanted in ((folder, stat.S_ISDIR), (self.root / path, stat.S_ISREG)):
            try:
                mode = os.lstat(place).st_mode
            except FileNotFoundError:
                return
            if wanted(mode):
                continue
            kind = _file_kind(mode)
            if new and place != folder:
                raise ConflictError(
                    f"{path}: conflict: already exists in the working tree (as {kind}); "
                    "choose another id"
                )
            raise MouError(
                f"{place.relative_to(self.root)}: is {kind} in the working tree; mou writes "
                "no agreement through it (replace it with a regular file or remove it)"
            )

    def _refuse_undoing_last_change(self, path: str, head: str, new_blob: str) -> None:
        """ConflictError when ``new_blob`` is the agreement as it was before its last revision."""
        if not self.repo.has_object(new_blob):
            return  # content never stored: an edit, not an old revision (and no history walk)
        last = self.repo.last_change(head, path)
        parent, by_mou = _first_parent_and_committer(self.repo.read_object(last))
        # Only a mou save can leave its working file behind (a plain git commit writes it,
        # and undoing one, a broken file say, is a repair): other revisions may be undone.
        if not by_mou or parent is None or self.repo.blob_sha(parent, path) != new_blob:
            return
        raise ConflictError(
            f"{path}: conflict: this file holds the agreement as it was before revision "
            f"{last[:10]}, so saving it would undo that revision (is it a working file a "
            f"save could not update?). Load the current revision, or save with --base "
            f"{last[:10]} to undo it on purpose"
        )

    def _conflict(self, path: str, base: str, head: str | None) -> ConflictError:
        current = self.repo.last_change(head, path) if head else None
        now = f"it is now at revision {current[:10]}" if current else "it no longer exists"
        return ConflictError(
            f"{path}: conflict: changed since your base revision {base[:10]}; {now}. "
            "Load the current revision, reapply your edit and save again"
        )

    def _commit(self, job: _Job, parent: str | None, attached: Attached) -> str:
        """The commit of ``job`` on ``parent``, through the repository's hooks and signing."""
        blob = go.write_object(self.repo.objects_dir, "blob", job.raw)
        tree = self._tree_with(parent, job.path, blob, attached)
        return self._commit_tree(job, tree, parent)

    def _commit_tree(self, job: _Job, tree: str, parent: str | None) -> str:
        """The commit of ``tree`` on ``parent`` for ``job``, through hooks and signing."""
        env = {
            "GIT_AUTHOR_NAME": job.author.name,
            "GIT_AUTHOR_EMAIL": job.author.email,
            "GIT_COMMITTER_NAME": COMMITTER[0],
            "GIT_COMMITTER_EMAIL": COMMITTER[1],
        }
        run_pre_commit(self.repo, job.policy, tree, env)
        message = run_commit_msg(self.repo, job.policy, job.message, env)
        _check_message(message, "the message after the commit-msg hook")
        parents = ["-p", parent] if parent else []
        args = ["commit-tree", tree, *parents, "-m", message]
        if not job.policy.sign:
            return self.repo.run(*args, env=env)
        try:  # bounded like a hook: a signing key may wait for a passphrase nobody types
            out = run_in_group(self.root, [*args, "-S"], env=env, timeout=hook_timeout())
        except GitFailed as err:
            raise MouError(
                f"{job.path}: not saved: commit.gpgsign is set and the commit could not be "
                f"signed: {err.message}"
            ) from None
        return out.decode().strip()

    def _tree_with(self, commit: str | None, path: str, blob: str, attached: Attached) -> str:
        """The root tree of ``commit`` with ``path`` (inside agreements/) set to ``blob``
        and the agreement's exhibits folder holding exactly the ``attached`` files."""
        root = go.parse_tree(self.repo.read_object(self.repo.tree_of(commit))) if commit else []
        folder_name = path.split("/", 1)[0]
        folder = go.find_entry(root, folder_name.encode())
        if folder is not None and folder[0] != go.TREE_MODE:
            raise MouError(f"{self.root}: '{folder_name}' is committed as a file, not a folder")
        inner = go.parse_tree(self.repo.read_object(folder[2].hex())) if folder else []
        name = path.split("/", 1)[1].encode()
        inner = go.with_entry(inner, (go.FILE_MODE, name, bytes.fromhex(blob)))
        inner = files.with_folder(self.repo.objects_dir, inner, attached)
        inner_sha = go.write_object(self.repo.objects_dir, "tree", go.serialize_tree(inner))
        entry = (go.TREE_MODE, folder_name.encode(), bytes.fromhex(inner_sha))
        root = go.with_entry(root, entry)
        return go.write_object(self.repo.objects_dir, "tree", go.serialize_tree(root))

    def _prepare_move(
        self, ref: str, new: str, old: str | None, record: dict[str, Any]
    ) -> PreparedRefUpdate | None:
        """Lock ``ref`` and check it still points at ``old``; None if it does not.

        ``git update-ref`` runs in a process group of its own, its process id noted in the
        journal so that the next writer waits for it to finish; if this process dies, git
        sees its input end and leaves the branch as it was.
        """

        def noted(pid: int) -> None:
            self._write_journal({**record, "updater": pid})

        def prepare() -> PreparedRefUpdate:
            return prepared_ref_update(
                self.root, ref, new, old, timeout=hook_timeout(), message="mou save", started=noted
            )

        try:
            return retry_while_locked(prepare, self._lock_named)
        except GitFailed as err:
            if self.repo.tip() != old:
                return None
            raise MouError(f"could not move {ref}: {err.message}") from None

    def _lock_named(self, err: Exception) -> Path | None:
        return locked_file(err.detail, self.root) if isinstance(err, GitFailed) else None

    def _unstage(self, entries: list[Staged]) -> None:
        """Put each index entry ``(path, blob staged, blob before)`` back where it still
        holds what the save staged: the branch did not move after all (git failed, or the
        saving process was killed)."""
        with index_lock(self.repo.git_dir, _token()):
            back = [(path, old) for path, new, old in entries if self._staged_blob(path) == new]
            if back:
                os.replace(self._index_with(back), self.repo.git_dir / "index")

    def _update_working_file(
        self, path: str, raw: bytes, old_blob: str | None
    ) -> tuple[bool, str | None]:
        """Bring the working file up to the saved ``raw`` where that loses nothing.

        It is rewritten when it is missing, holds the content from before the save, or
        reads as the very agreement just saved (the file the save came from, maybe
        formatted otherwise). Returns (kept for its other edits, why it could not be
        written or None).
        """
        target = self.root / path
        if not self._replaceable(target, raw, old_blob):
            return True, None
        return False, self._write_working_file(target, raw)

    def _write_working_file(self, target: Path, raw: bytes) -> str | None:
        """Write ``raw`` to the working file (never through a link); why it failed, or None."""
        try:
            if read_regular(target) != raw:
                target.parent.mkdir(exist_ok=True)
                write_no_follow(target, raw)
        except MouError as err:
            return err.message
        except OSError as err:
            return f"{target}: {err.strerror or err}"
        return None

    def _replaceable(self, target: Path, raw: bytes, old_blob: str | None) -> bool:
        """Whether writing ``raw`` over the working-tree file ``target`` loses no edit."""
        if not os.path.lexists(target):
            return True
        try:
            current = read_file(target)
        except MouError:
            return False  # too big, unreadable or not a file: certainly not ours to replace
        return self._holds_no_other_edit(current, raw, old_blob, target.stem)

    def _index_replaceable(self, path: str, raw: bytes, old_blob: str | None, blob: str) -> bool:
        """Whether pointing the index entry of ``path`` at ``blob`` loses no staged edit."""
        staged = self._staged_blob(path)
        if staged in (None, old_blob, blob):
            return True
        content = self.repo.read_object(staged)  # type: ignore[arg-type]
        return self._holds_no_other_edit(content, raw, old_blob, path.split("/")[-1][:-5])

    def _holds_no_other_edit(
        self, content: bytes, raw: bytes, old_blob: str | None, agreement_id: str
    ) -> bool:
        """Whether ``content`` is what was just saved or what it replaced, in any bytes.

        Other bytes for the same agreement (CRLF from core.autocrlf, a blank line, the
        saved file before formatting) are no one's edit; left in place, a stale copy
        would undo this save at the next save of the file.
        """
        if content == raw or go.object_id("blob", content) == old_blob:
            return True
        if _reads_as(content, raw, agreement_id):
            return True
        old_raw = self.repo.read_object(old_blob) if old_blob else None
        return old_raw is not None and _reads_as(content, old_raw, agreement_id)

    def _staged_blob(self, path: str) -> str | None:
        staged = self.repo.run("ls-files", "--stage", "--", path).split()
        return staged[1] if staged else None

    def _index_with(self, changes: list[tuple[str, str | None]]) -> Path:
        """A copy of the index whose entry for each path of ``changes`` (only those) is
        its blob, or is removed where the blob is None.

        The caller holds index.lock and renames the copy over the index. The copy keeps
        the index's modification time, which git compares file times with to tell
        whether an entry may have changed within the same second ("racily clean").
        """
        index, scratch = self.repo.git_dir / "index", self.repo.git_dir / INDEX_SCRATCH
        if index.exists():
            shutil.copy2(index, scratch)
        else:
            scratch.unlink(missing_ok=True)
        env = {"GIT_INDEX_FILE": str(scratch)}
        added = [
            a for path, blob in changes if blob for a in ("--cacheinfo", f"100644,{blob},{path}")
        ]
        removed = [path for path, blob in changes if blob is None]
        try:
            if added:
                self.repo.run("update-index", "--add", *added, env=env)
            if removed:
                self.repo.run("update-index", "--force-remove", "--", *removed, env=env)
        except GitFailed as err:
            scratch.unlink(missing_ok=True)
            raise MouError(f"{changes[0][0]}: committed, but the index: {err.message}") from None
        return scratch

    # ------------------------------------------------------------------ crash recovery

    @contextmanager
    def writing(self, context: str) -> Iterator[None]:
        """Hold the writers' lock, having finished any save a killed writer left behind.

        For the store's other writers (sync): they then move the branch as a save does.
        """
        with os_errors(context, self.repo.git_dir), self._writer_lock():
            self._finish_interrupted_save()
            yield

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        lock = FileLock(self.repo.git_dir / LOCK_FILE, timeout=LOCK_TIMEOUT_S, poll_interval=0.005)
        try:
            with lock:
                yield
        except Timeout:
            raise MouError(
                f"another save has held {lock.lock_file} for {LOCK_TIMEOUT_S:.0f} s; try again"
            ) from None

    def _journal(self) -> Path:
        return self.repo.git_dir / JOURNAL_FILE

    def _write_journal(self, record: dict[str, Any]) -> None:
        # No fsync: the journal guards against a killed process, not a power cut, and a
        # torn journal is simply dropped (the branch had not moved yet when it was written).
        self._journal().write_text(json.dumps(record))

    def _read_journal(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self._journal().read_bytes())
        except FileNotFoundError:
            return None
        except ValueError:
            record = None
        if not isinstance(record, dict) or not _valid_record(record):
            self._journal().unlink(missing_ok=True)
            return None
        return record

    def _finish_interrupted_save(self) -> None:
        """Complete the save a killed writer left behind, if its commit landed.

        Its ``git update-ref`` may still be running (it outlives a killed group): it is
        waited for. Its index.lock, recognised by the journal's token, is removed. The
        working-tree file and the index entry are brought up to the commit only where
        they still hold the content from before that save: an edit made since the
        crash is left alone.
        """
        record = self._read_journal()
        if record is None:
            return
        _wait_for_exit(record.get("updater"))
        release_own_lock(self.repo.git_dir / INDEX_LOCK, str(record.get("token", "")))
        if not record.get("path"):  # a lifecycle record's files (see _land_files)
            self._finish_recording(record)
            return
        path, blob = record["path"], record["blob"]
        head = self.repo.tip()
        if head is not None and self.repo.blob_sha(head, path) == blob:
            self._heal(record)
        else:  # killed between staging and moving the branch: the index goes back
            self._unstage(_staged_entries(record))
        target = self.root / path
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            leftover.unlink(missing_ok=True)  # a working-file write cut short by the kill
        (self.repo.git_dir / INDEX_SCRATCH).unlink(missing_ok=True)
        self._journal().unlink(missing_ok=True)

    def _finish_recording(self, record: dict[str, Any]) -> None:
        """After a killed recording: staged entries go back unless its commit landed (the
        working files then follow on the next read; git holds the facts)."""
        staged = record.get("staged")
        if self.repo.tip() != record.get("commit") and isinstance(staged, list):
            self._unstage([(str(p), new, old) for p, new, old in staged])
        (self.repo.git_dir / INDEX_SCRATCH).unlink(missing_ok=True)
        self._journal().unlink(missing_ok=True)

    def _heal(self, record: dict[str, Any]) -> None:
        path, blob, old = record["path"], record["blob"], record["old"]
        token = _token()
        self._write_journal({**record, "token": token, "updater": None})
        with index_lock(self.repo.git_dir, token):
            target = self.root / path
            current = read_regular(target)
            if (go.object_id("blob", current) if current is not None else None) == old:
                self._write_working_file(target, self.repo.read_object(blob))
            if self._staged_blob(path) == old:
                os.replace(self._index_with([(path, blob)]), self.repo.git_dir / "index")
            self._heal_attached(path, record.get("files_old"))

    def _heal_attached(self, path: str, old: object) -> None:
        """Bring the attached files' index entries and working copies up to the landed
        save, where they still hold what they held before it (index.lock held)."""
        if not isinstance(old, dict) or not all(isinstance(b, str) for b in old.values()):
            return
        agreement_id, tip = path.split("/", 1)[1][: -len(".yaml")], self.repo.tip()
        blobs = files.stored_blobs(self.repo, tip, agreement_id)
        saved = {name: self.repo.read_object(blob) for name, blob in blobs.items()}
        attached = Attached(files.exhibits_folder(agreement_id), saved, dict(old))
        changes = files.index_changes(self.repo, attached)
        if changes:
            os.replace(self._index_with(changes), self.repo.git_dir / "index")
        files.sync_working_files(self.root, attached)


Staged = tuple[str, str | None, str | None]
"""An index entry a save or recording stages: (path, blob staged, blob before; None: none)."""


def _blob_of(raw: bytes | None) -> str | None:
    """The blob id of ``raw``, or None for no file."""
    return go.object_id("blob", raw) if raw is not None else None


def _staged_entries(record: dict[str, Any]) -> list[Staged]:
    """``(path, blob staged, blob before)`` of every index entry the journalled save may
    have staged: the agreement's and, when it changed them, its attached files'."""
    entries = [(record["path"], record["blob"], record["old"])]
    new, old = record.get("files_new"), record.get("files_old")
    if isinstance(new, dict) and isinstance(old, dict):
        folder = files.exhibits_folder(record["path"].split("/", 1)[1][: -len(".yaml")])
        entries += [(f"{folder}/{n}", b, old.get(n)) for n, b in new.items() if old.get(n) != b]
        entries += [(f"{folder}/{n}", None, b) for n, b in old.items() if n not in new]
    return entries


@dataclass(frozen=True)
class _Job:
    """One save in the making: what to commit, by whom, against what, under which rules."""

    path: str
    raw: bytes
    message: str
    author: Author
    base: str | None
    policy: Policy
    wanted: Wanted | None
    """The attached files of the agreement saved; None for a file that is no agreement."""


def _check_message(message: str, what: str) -> None:
    if not message or not message.strip():
        raise UsageError("a save needs a message (-m) saying what changed and why")
    hidden = _hidden(message, allowed="\n\t")
    if hidden:
        raise UsageError(
            f"{what} holds a control character or bidirectional override ({hidden}); "
            "only line breaks and tabs are allowed"
        )


def _token() -> str:
    return secrets.token_hex(16)


def _valid_record(record: dict[str, Any]) -> bool:
    """Whether a journal record names an agreement path and blobs (anything else is dropped)."""
    path = record.get("path")
    return (
        isinstance(path, str)
        and path.split("/", 1)[0] in SAVED_FOLDERS
        and is_agreement_name(path.split("/", 1)[-1])
        and isinstance(record.get("blob"), str)
        and isinstance(record.get("old"), str | None)
    )


def _wait_for_exit(pid: object) -> None:
    """Wait (bounded) until the process ``pid`` a killed writer started has ended."""
    if not isinstance(pid, int) or pid <= 0:
        return
    deadline = time.monotonic() + GIT_LOCK_WAIT_S
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass  # alive, and someone else's
        time.sleep(0.01)


def _file_kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a folder" if stat.S_ISDIR(mode) else "not a regular file"


def _first_parent_and_committer(commit: bytes) -> tuple[str | None, bool]:
    """A raw commit's first parent (None for a root commit) and whether mou committed it."""
    parent, by_mou = None, False
    for line in commit.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(b"parent ") and parent is None:
            parent = line[7:47].decode()
        elif line.startswith(b"committer "):
            by_mou = line.startswith(f"committer {COMMITTER[0]} <{COMMITTER[1]}> ".encode())
    return parent, by_mou


def _reads_as(current: bytes, raw: bytes, agreement_id: str) -> bool:
    """Whether file bytes ``current`` hold the same agreement as canonical bytes ``raw``."""
    try:
        agreement = load_bytes(current, agreement_path(agreement_id), agreement_id)
    except MouError:
        return False
    return dump(to_data(agreement)).encode("utf-8") == raw


def canonical_bytes(agreement: Agreement) -> bytes:
    """Validate ``agreement`` fully (references, sums, dates) and return its canonical file."""
    data = to_data(agreement)
    validate_data(data, f"{agreement_path(agreement.id)} (to be saved)")
    return dump(data).encode("utf-8")


@contextmanager
def open_workspace(root: Path | str | None) -> Iterator[Workspace]:
    """The workspace at ``root`` (default: settings), closed when done."""
    ws = Workspace(resolve_workspace(root))
    try:
        yield ws
    finally:
        ws.close()

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
* A save that names its ``base`` revision is refused with :class:`ConflictError`
  when the agreement changed since; nothing is ever written over.
* After the commit the working-tree file is made equal to it, unless that would
  lose an edit: a file holding other unsaved changes is kept, and the save says so.
* Before the branch moves, a small journal records the save; the next writer
  finishes a save whose process was killed after its commit landed (working-tree
  file and index entry) and clears its half-written temporary file.

The "revision" of an agreement is the sha of the last commit that changed its
file; exports carry it and ``base`` means it.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..chars import hidden_char, name_of
from ..errors import ConflictError, MouError, UsageError
from ..fsutil import atomic_write, os_errors
from ..ids import AGREEMENTS_FOLDER, agreement_path, check_agreement_id, is_agreement_name
from ..model import Agreement, to_data
from ..settings import resolve_workspace
from ..validate import load_bytes, validate_data
from ..yamlio import dump, read_file
from . import objects as go
from .git import GIT_LOCK_RETRIES, GitFailed, Repository, commit_date, git_errors, wait_for_git_lock
from .listing import Summary, summaries

COMMITTER = ("mou", "mou@localhost")
LOCK_FILE = "mou-save.lock"
JOURNAL_FILE = "mou-save-pending.json"
LOCK_TIMEOUT_S = 60.0
_AUTHOR = re.compile(r"^\s*([^<>\n]*?)\s*<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>\s*$")
# Fields end in NUL (with `git log -z`): the one byte no git name or message can hold.
_FORMAT = "%H%x00%an%x00%ae%x00%aI%x00%B"
_FORMAT_FIELDS = 5
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


class Workspace:
    """An open workspace; use as a context manager so git processes are released."""

    def __init__(self, root: Path) -> None:
        self.repo = Repository(root)
        self.root = self.repo.root

    def __enter__(self) -> Workspace:
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

    def history(self, agreement_id: str) -> builtins.list[Revision]:
        """Every commit that changed the agreement's file, newest first."""
        path = agreement_path(check_agreement_id(agreement_id))
        if self.repo.tip() is None:
            raise MouError(f"no agreement {agreement_id!r}: the workspace has no commits yet")
        with git_errors(f"{path}: cannot read its history"):
            out = self.repo.run("log", "-z", f"--format={_FORMAT}", "HEAD", "--", path, strip=False)
        fields = out.split("\0")[:-1]  # every record, the last one too, ends in NUL
        revisions = [
            _revision(fields[i : i + _FORMAT_FIELDS]) for i in range(0, len(fields), _FORMAT_FIELDS)
        ]
        if not revisions:
            raise MouError(f"no agreement {agreement_id!r} in the history of this workspace")
        return revisions

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

    def is_committed(self, agreement_id: str) -> bool:
        """Whether the working-tree file equals the file at HEAD (both absent counts)."""
        path = agreement_path(agreement_id)
        head = self.repo.tip()
        committed = self.repo.blob_sha(head, path) if head else None
        try:
            current: str | None = go.object_id("blob", (self.root / path).read_bytes())
        except FileNotFoundError:
            current = None
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
    ) -> Saved:
        """Commit the agreement as one commit; ConflictError if it changed since ``base``.

        ``new`` says the edit started from nothing: the save is then a conflict if the
        agreement exists by the time the writer lock is held (two people creating one id).
        """
        if not message or not message.strip():
            raise UsageError("a save needs a message (-m) saying what changed and why")
        hidden = _hidden(message, allowed="\n\t")
        if hidden:
            raise UsageError(
                f"the message (-m) holds a control character or bidirectional override "
                f"({hidden}); only line breaks and tabs are allowed"
            )
        raw = canonical_bytes(agreement)
        path = agreement_path(agreement.id)
        base_commit = self.resolve(base) if base is not None else None
        # A read-only .git or a full disk is one line naming the place, not a traceback.
        with (
            os_errors(f"{path}: not saved", self.repo.git_dir),
            self._writer_lock(),
            git_errors(f"{path}: not saved"),
        ):
            self._finish_interrupted_save()
            for _ in range(20):
                if new:
                    self._refuse_existing(path)
                saved = self._try_save(path, raw, message, author, base_commit)
                if saved is not None:
                    return saved
        raise MouError(f"{path}: the branch kept moving while saving; try again")

    def _try_save(
        self, path: str, raw: bytes, message: str, author: Author, base: str | None
    ) -> Saved | None:
        ref = self.repo.branch_ref()
        old = self.repo.tip()
        old_blob = self.repo.blob_sha(old, path) if old else None
        new_blob = go.object_id("blob", raw)
        if old is not None and new_blob == old_blob:
            return Saved(self.repo.last_change(old, path), created=False)
        if base is not None and self.repo.blob_sha(base, path) != old_blob:
            raise self._conflict(path, base, old)
        commit = self._commit(path, raw, old, message, author)
        self._write_journal(path, new_blob, old_blob)
        if not self._move_branch(ref, commit, old):
            self._journal().unlink(missing_ok=True)
            return None  # someone outside mou moved the branch; rebuild on the new tip
        synced = self._sync_worktree(path, raw, new_blob, old_blob)
        self._journal().unlink(missing_ok=True)
        self._maybe_collect_garbage(commit)
        return Saved(commit, created=True, workspace_file_kept=not synced)

    def _maybe_collect_garbage(self, commit: str) -> None:
        """Run ``git gc --auto`` after about one save in 64, as git's own commit does each time.

        Saves use plumbing, which never triggers it, so loose objects would pile up; the
        sha picks the saves so that the typical save does not pay for the extra process.
        """
        if int(commit[:2], 16) < 4:
            with contextlib.suppress(GitFailed):
                self.repo.run("gc", "--auto", "--quiet")

    def _refuse_existing(self, path: str) -> None:
        tip = self.repo.tip()
        if tip is not None and self.repo.blob_sha(tip, path) is not None:
            current = self.repo.last_change(tip, path)
            raise ConflictError(
                f"{path}: conflict: created meanwhile by someone else (revision "
                f"{current[:10]}); choose another id or load theirs"
            )

    def _conflict(self, path: str, base: str, head: str | None) -> ConflictError:
        current = self.repo.last_change(head, path) if head else None
        now = f"it is now at revision {current[:10]}" if current else "it no longer exists"
        return ConflictError(
            f"{path}: conflict: changed since your base revision {base[:10]}; {now}. "
            "Load the current revision, reapply your edit and save again"
        )

    def _commit(
        self, path: str, raw: bytes, parent: str | None, message: str, author: Author
    ) -> str:
        blob = go.write_object(self.repo.objects_dir, "blob", raw)
        tree = self._tree_with(parent, path, blob)
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": COMMITTER[0],
            "GIT_COMMITTER_EMAIL": COMMITTER[1],
        }
        parents = ["-p", parent] if parent else []
        return self.repo.run("commit-tree", tree, *parents, "-m", message, env=env)

    def _tree_with(self, commit: str | None, path: str, blob: str) -> str:
        """The root tree of ``commit`` with ``path`` (inside agreements/) set to ``blob``."""
        root = go.parse_tree(self.repo.read_object(self.repo.tree_of(commit))) if commit else []
        folder = go.find_entry(root, AGREEMENTS_FOLDER.encode())
        if folder is not None and folder[0] != go.TREE_MODE:
            raise MouError(
                f"{self.root}: '{AGREEMENTS_FOLDER}' is committed as a file, not a folder"
            )
        inner = go.parse_tree(self.repo.read_object(folder[2].hex())) if folder else []
        name = path.split("/", 1)[1].encode()
        inner = go.with_entry(inner, (go.FILE_MODE, name, bytes.fromhex(blob)))
        inner_sha = go.write_object(self.repo.objects_dir, "tree", go.serialize_tree(inner))
        entry = (go.TREE_MODE, AGREEMENTS_FOLDER.encode(), bytes.fromhex(inner_sha))
        root = go.with_entry(root, entry)
        return go.write_object(self.repo.objects_dir, "tree", go.serialize_tree(root))

    def _move_branch(self, ref: str, new: str, old: str | None) -> bool:
        """Compare-and-swap: move ``ref`` to ``new`` only if it still points at ``old``."""
        expected = old or "0" * 40
        for attempt in range(GIT_LOCK_RETRIES):
            try:
                self.repo.run("update-ref", "-m", "mou save", ref, new, expected)
                return True
            except GitFailed as err:
                if not wait_for_git_lock(err, attempt, self.root):
                    if self.repo.tip() != old:
                        return False
                    raise MouError(f"could not move {ref}: {err.message}") from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _sync_worktree(self, path: str, raw: bytes, blob: str, old_blob: str | None) -> bool:
        """Bring the working-tree file and its index entry up to the commit; False if kept.

        The file is rewritten only where that loses nothing: it is missing, holds the
        content from before the save, or reads as the very agreement just saved (the
        file the save came from, maybe formatted otherwise). Any other edit stays, and
        the index entry then moves only if it still held the content from before.
        """
        target = self.root / path
        if self._index_replaceable(path, raw, old_blob, blob):
            self._sync_index(path, blob)  # a staged edit of another agreement is kept
        if not self._replaceable(target, raw, old_blob):
            return False
        if not target.is_file() or target.read_bytes() != raw:
            atomic_write(target, raw)
        return True

    def _replaceable(self, target: Path, raw: bytes, old_blob: str | None) -> bool:
        """Whether writing ``raw`` over the working-tree file ``target`` loses no edit."""
        if not target.exists():
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

    def _sync_index(self, path: str, blob: str) -> None:
        """Point the index entry of ``path`` (only that one) at ``blob``."""
        for attempt in range(GIT_LOCK_RETRIES):
            try:
                self.repo.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
                return
            except GitFailed as err:
                if not wait_for_git_lock(err, attempt, self.root):
                    raise MouError(f"{path}: committed, but the index: {err.message}") from None

    # ------------------------------------------------------------------ crash recovery

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

    def _write_journal(self, path: str, blob: str, old_blob: str | None) -> None:
        # No fsync: the journal guards against a killed process, not a power cut, and a
        # torn journal is simply dropped (the branch had not moved yet when it was written).
        record = {"path": path, "blob": blob, "old": old_blob}
        self._journal().write_text(json.dumps(record))

    def _finish_interrupted_save(self) -> None:
        """Complete the save a killed writer left behind, if its commit landed.

        The working-tree file and the index entry are brought up to the commit only
        where they still hold the content from before that save: an edit made since
        the crash is left alone.
        """
        try:
            pending = json.loads(self._journal().read_bytes())
            path, blob, old = pending["path"], pending["blob"], pending["old"]
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError):
            self._journal().unlink(missing_ok=True)
            return
        head = self.repo.tip()
        if head is not None and self.repo.blob_sha(head, path) == blob:
            self._heal(path, blob, old)
        target = self.root / path
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            leftover.unlink(missing_ok=True)  # atomic_write's file, cut short by the kill
        self._journal().unlink(missing_ok=True)

    def _heal(self, path: str, blob: str, old: str | None) -> None:
        target = self.root / path
        current = go.object_id("blob", target.read_bytes()) if target.is_file() else None
        if current == old:
            atomic_write(target, self.repo.read_object(blob))
        if self._staged_blob(path) == old:
            self._sync_index(path, blob)


def _revision(fields: builtins.list[str]) -> Revision:
    sha, name, email, date, message = fields
    return Revision(sha, name, email, commit_date(date), message.strip())


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

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
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data import TEMPLATES_DIR
from ..errors import ConflictError, MouError, UsageError
from ..fsutil import atomic_write
from . import objects as go

if TYPE_CHECKING:
    from git import Repo

    from ..model import Agreement

AGREEMENTS = "agreements"
COMMITTER = ("mou", "mou@localhost")
LOCK_FILE = "mou-save.lock"
JOURNAL_FILE = "mou-save-pending.json"
LOCK_TIMEOUT_S = 60.0
STALE_GIT_LOCK_S = 2.0
GIT_LOCK_RETRIES = 60
_GIT_LOCK = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_AUTHOR = re.compile(r"^\s*([^<>\n]*?)\s*<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>\s*$")
# model.AGREEMENT_ID_PATTERN, repeated so that `mou list` and `mou log` need no pydantic
# (a test keeps the two equal).
AGREEMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
# Fields end in NUL (with `git log -z`): the one byte no git name or message can hold.
_FORMAT = "%H%x00%an%x00%ae%x00%aI%x00%B"
_FORMAT_FIELDS = 5
_FILE_MODES = (b"100644", b"100755")
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
    if _has_control(part, allowed=""):
        # A line break would forge a line in the commit; other controls garble `mou log`.
        return "control characters are not allowed in a name or e-mail address"
    if not part.strip(_IDENT_CRUD):
        # git drops these from both ends ("Jane Roe Jr." is kept as "Jane Roe Jr") and
        # refuses a name that is nothing else.
        return "a name and an e-mail address are required, not only punctuation"
    return None


def _has_control(text: str, allowed: str) -> bool:
    """Whether ``text`` holds a C0 control character or DEL other than those ``allowed``."""
    return any((c < " " or c == "\x7f") and c not in allowed for c in text)


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


@dataclass(frozen=True)
class Summary:
    """One row of `mou list`."""

    id: str
    title: str
    type: str
    status: str
    parties: list[str]
    effective_date: str | None
    expiration_date: str | None
    revision: str
    author: str
    date: dt.datetime

    def as_json(self) -> dict[str, Any]:
        """The `mou list --json` shape of one row."""
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "status": self.status,
            "parties": list(self.parties),
            "effective_date": self.effective_date,
            "expiration_date": self.expiration_date,
            "revision": self.revision,
            "author": self.author,
            "date": self.date.isoformat(),
        }


def agreement_path(agreement_id: str) -> str:
    """The path of an agreement's file inside the workspace, as git names it."""
    return f"{AGREEMENTS}/{agreement_id}.yaml"


class Workspace:
    """An open workspace; use as a context manager so git processes are released."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._repo: Repo = _open_repo(self.root)
        self._git_dir = Path(self._repo.git_dir)
        self._objects = Path(self._repo.common_dir) / "objects"

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the ``git cat-file`` processes GitPython keeps for this repository."""
        self._repo.close()

    # ------------------------------------------------------------------ reading

    def ids(self) -> builtins.list[str]:
        """Agreement ids present at HEAD, sorted."""
        head = self._tip()
        if head is None:
            return []
        names = [name.decode() for _, name, _ in self._agreement_entries(head)]
        return sorted(n[: -len(".yaml")] for n in names if _is_agreement_name(n))

    def resolve(self, rev: str) -> str:
        """The full sha of the commit ``rev`` names (HEAD, a sha, a tag, HEAD~2)."""
        if not rev or rev.startswith("-") or any(c in rev for c in "\n\0"):
            raise MouError(f"unknown revision {rev!r}")
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except GitFailed:
            hint = "; the workspace has no commits yet" if self._tip() is None else ""
            raise MouError(f"unknown revision {rev!r}{hint}") from None

    def load(self, agreement_id: str, rev: str = "HEAD") -> Loaded:
        """The agreement as of ``rev``, validated; MouError if it is absent there."""
        from ..validate import load_bytes

        path = agreement_path(_checked_id(agreement_id))
        commit = self.resolve(rev)
        blob = self._blob_sha(commit, path)
        if blob is None:
            raise MouError(f"no agreement {agreement_id!r} at revision {rev!r}")
        raw = self._read_object(blob)
        with _git_errors(f"{path}: cannot load it"):
            revision = self._last_change(commit, path)
        agreement = load_bytes(raw, f"{path}@{revision[:10]}", agreement_id)
        return Loaded(agreement, revision, raw)

    def history(self, agreement_id: str) -> builtins.list[Revision]:
        """Every commit that changed the agreement's file, newest first."""
        path = agreement_path(_checked_id(agreement_id))
        if self._tip() is None:
            raise MouError(f"no agreement {agreement_id!r}: the workspace has no commits yet")
        with _git_errors(f"{path}: cannot read its history"):
            out = self._git("log", "-z", f"--format={_FORMAT}", "HEAD", "--", path, strip=False)
        fields = out.split("\0")[:-1]  # every record, the last one too, ends in NUL
        revisions = [
            _revision(fields[i : i + _FORMAT_FIELDS]) for i in range(0, len(fields), _FORMAT_FIELDS)
        ]
        if not revisions:
            raise MouError(f"no agreement {agreement_id!r} in the history of this workspace")
        return revisions

    def list(self) -> builtins.list[Summary]:
        """One summary per agreement at HEAD, ordered by id (see :mod:`mou.summary`)."""
        from .listing import summaries

        head = self._tip()
        if head is None:
            return []
        entries = {
            name.decode()[: -len(".yaml")]: sha.hex()
            for _, name, sha in self._agreement_entries(head)
            if _is_agreement_name(name.decode())
        }
        with _git_errors(f"{self.root}: cannot list the agreements"):
            return summaries(self, head, entries)

    def is_committed(self, agreement_id: str) -> bool:
        """Whether the working-tree file equals the file at HEAD (both absent counts)."""
        path = agreement_path(agreement_id)
        head = self._tip()
        committed = self._blob_sha(head, path) if head else None
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
        if _has_control(message, allowed="\n\t"):
            raise UsageError(
                "the message (-m) holds a control character; only line breaks and tabs are allowed"
            )
        raw = canonical_bytes(agreement)
        path = agreement_path(agreement.id)
        base_commit = self.resolve(base) if base is not None else None
        with self._writer_lock(), _git_errors(f"{path}: not saved"):
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
        ref = self._branch_ref()
        old = self._tip()
        old_blob = self._blob_sha(old, path) if old else None
        new_blob = go.object_id("blob", raw)
        if old is not None and new_blob == old_blob:
            return Saved(self._last_change(old, path), created=False)
        if base is not None and self._blob_sha(base, path) != old_blob:
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
                self._git("gc", "--auto", "--quiet")

    def _refuse_existing(self, path: str) -> None:
        tip = self._tip()
        if tip is not None and self._blob_sha(tip, path) is not None:
            current = self._last_change(tip, path)
            raise ConflictError(
                f"{path}: conflict: created meanwhile by someone else (revision "
                f"{current[:10]}); choose another id or load theirs"
            )

    def _conflict(self, path: str, base: str, head: str | None) -> ConflictError:
        current = self._last_change(head, path) if head else None
        now = f"it is now at revision {current[:10]}" if current else "it no longer exists"
        return ConflictError(
            f"{path}: conflict: changed since your base revision {base[:10]}; {now}. "
            "Load the current revision, reapply your edit and save again"
        )

    def _commit(
        self, path: str, raw: bytes, parent: str | None, message: str, author: Author
    ) -> str:
        blob = go.write_object(self._objects, "blob", raw)
        tree = self._tree_with(parent, path, blob)
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": COMMITTER[0],
            "GIT_COMMITTER_EMAIL": COMMITTER[1],
        }
        parents = ["-p", parent] if parent else []
        return self._git("commit-tree", tree, *parents, "-m", message, env=env)

    def _tree_with(self, commit: str | None, path: str, blob: str) -> str:
        """The root tree of ``commit`` with ``path`` (inside agreements/) set to ``blob``."""
        root = go.parse_tree(self._read_object(self._tree_of(commit))) if commit else []
        folder = go.find_entry(root, AGREEMENTS.encode())
        if folder is not None and folder[0] != go.TREE_MODE:
            raise MouError(f"{self.root}: '{AGREEMENTS}' is committed as a file, not a folder")
        inner = go.parse_tree(self._read_object(folder[2].hex())) if folder else []
        name = path.split("/", 1)[1].encode()
        inner = go.with_entry(inner, (go.FILE_MODE, name, bytes.fromhex(blob)))
        inner_sha = go.write_object(self._objects, "tree", go.serialize_tree(inner))
        entry = (go.TREE_MODE, AGREEMENTS.encode(), bytes.fromhex(inner_sha))
        root = go.with_entry(root, entry)
        return go.write_object(self._objects, "tree", go.serialize_tree(root))

    def _move_branch(self, ref: str, new: str, old: str | None) -> bool:
        """Compare-and-swap: move ``ref`` to ``new`` only if it still points at ``old``."""
        expected = old or "0" * 40
        for attempt in range(GIT_LOCK_RETRIES):
            try:
                self._git("update-ref", "-m", "mou save", ref, new, expected)
                return True
            except GitFailed as err:
                if not _wait_for_git_lock(err, attempt, self.root):
                    if self._tip() != old:
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
        from ..yamlio import read_file

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
        content = self._read_object(staged)  # type: ignore[arg-type]
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
        old_raw = self._read_object(old_blob) if old_blob else None
        return old_raw is not None and _reads_as(content, old_raw, agreement_id)

    def _staged_blob(self, path: str) -> str | None:
        staged = self._git("ls-files", "--stage", "--", path).split()
        return staged[1] if staged else None

    def _sync_index(self, path: str, blob: str) -> None:
        """Point the index entry of ``path`` (only that one) at ``blob``."""
        for attempt in range(GIT_LOCK_RETRIES):
            try:
                self._git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
                return
            except GitFailed as err:
                if not _wait_for_git_lock(err, attempt, self.root):
                    raise MouError(f"{path}: committed, but the index: {err.message}") from None

    # ------------------------------------------------------------------ crash recovery

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        lock = FileLock(self._git_dir / LOCK_FILE, timeout=LOCK_TIMEOUT_S, poll_interval=0.005)
        try:
            with lock:
                yield
        except Timeout:
            raise MouError(
                f"another save has held {lock.lock_file} for {LOCK_TIMEOUT_S:.0f} s; try again"
            ) from None

    def _journal(self) -> Path:
        return self._git_dir / JOURNAL_FILE

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
        head = self._tip()
        if head is not None and self._blob_sha(head, path) == blob:
            self._heal(path, blob, old)
        target = self.root / path
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            leftover.unlink(missing_ok=True)  # atomic_write's file, cut short by the kill
        self._journal().unlink(missing_ok=True)

    def _heal(self, path: str, blob: str, old: str | None) -> None:
        target = self.root / path
        current = go.object_id("blob", target.read_bytes()) if target.is_file() else None
        if current == old:
            atomic_write(target, self._read_object(blob))
        if self._staged_blob(path) == old:
            self._sync_index(path, blob)

    # ------------------------------------------------------------------ git access

    def _git(self, *args: str, env: dict[str, str] | None = None, strip: bool = True) -> str:
        """Run one git command in the workspace; GitFailed with its message if it fails."""
        from git import GitCommandError

        try:
            return self._repo.git.execute(["git", *args], env=env, strip_newline_in_stdout=strip)
        except GitCommandError as err:
            raise _git_failure(err) from None

    def _branch_ref(self) -> str:
        head = self._repo.head
        if head.is_detached:
            raise MouError(
                "HEAD is detached (not on a branch); check out a branch with "
                "`git switch BRANCH` before saving"
            )
        return head.reference.path

    def _tip(self) -> str | None:
        """The commit HEAD points at, or None on a branch without commits."""
        try:
            return self._repo.head.commit.hexsha
        except ValueError:
            return None

    def _read_object(self, sha: str) -> bytes:
        return self._repo.odb.stream(bytes.fromhex(sha)).read()

    def _tree_of(self, commit: str) -> str:
        raw = self._read_object(commit)
        return raw[5:45].decode()  # a commit object starts with "tree <sha>\n"

    def _agreement_entries(self, commit: str) -> builtins.list[go.Entry]:
        root = go.parse_tree(self._read_object(self._tree_of(commit)))
        folder = go.find_entry(root, AGREEMENTS.encode())
        if folder is None or folder[0] != go.TREE_MODE:
            return []
        # Regular files only: a folder, a symbolic link or a submodule is no agreement.
        return [e for e in go.parse_tree(self._read_object(folder[2].hex())) if e[0] in _FILE_MODES]

    def _blob_sha(self, commit: str, path: str) -> str | None:
        name = path.split("/", 1)[1].encode()
        entry = go.find_entry(self._agreement_entries(commit), name)
        return entry[2].hex() if entry else None

    def _last_change(self, commit: str, path: str) -> str:
        return self._git("log", "-1", "--format=%H", commit, "--", path)


class GitFailed(Exception):
    """A git command failed; ``message`` is its main error line, ``detail`` all of stderr."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def _git_failure(err: Any) -> GitFailed:
    text = err.stderr if isinstance(err.stderr, str) else str(err.stderr or "")
    text = text.replace("stderr:", "").strip().strip("'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    main = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return GitFailed(main or (lines[0] if lines else f"git exited with {err.status}"), text)


def _wait_for_git_lock(err: GitFailed, attempt: int, root: Path) -> bool:
    """After git found its own ``.lock`` file busy: wait, remove it once clearly abandoned.

    Git holds such a lock for milliseconds; one older than STALE_GIT_LOCK_S was left by
    a git process killed mid-write (with the save that ran it). False: give up.
    """
    match = _GIT_LOCK.search(err.detail)
    if match is None or attempt + 1 >= GIT_LOCK_RETRIES:
        return False
    lock = root / match.group(1)  # git names it absolutely; a relative name is root's
    try:
        if time.time() - lock.stat().st_mtime > STALE_GIT_LOCK_S:
            lock.unlink(missing_ok=True)
    except FileNotFoundError:
        pass  # released meanwhile
    time.sleep(min(0.01 * (attempt + 1), 0.1))
    return True


def _is_agreement_name(name: str) -> bool:
    return name.endswith(".yaml") and bool(AGREEMENT_ID.fullmatch(name[: -len(".yaml")]))


def _checked_id(agreement_id: str) -> str:
    if not AGREEMENT_ID.fullmatch(agreement_id):
        raise MouError(
            f"{agreement_id!r} is not a valid agreement id: use 3 to 64 lower-case letters, "
            "digits and hyphens, starting with a letter or digit"
        )
    return agreement_id


def _revision(fields: builtins.list[str]) -> Revision:
    sha, name, email, date, message = fields
    return Revision(sha, name, email, commit_date(date), message.strip())


def commit_date(text: str) -> dt.datetime:
    """A commit's ISO date; the epoch (UTC) for one git itself cannot read.

    ``git fsck`` accepts a time zone of +2400, which Python cannot hold, and a commit
    written by hand may carry no date at all: one odd commit must not hide the rest.
    """
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.fromtimestamp(0, dt.UTC)


@contextmanager
def _git_errors(context: str) -> Iterator[None]:
    """Report a git failure nobody expected as one line, after ``context``."""
    try:
        yield
    except GitFailed as err:
        raise MouError(f"{context}: git: {err.message}") from None


def _open_repo(root: Path) -> Repo:
    from git import InvalidGitRepositoryError, NoSuchPathError, Repo

    if not root.is_dir():
        raise MouError(f"{root}: no such workspace folder")
    try:
        repo = Repo(root)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise MouError(f"{root}: not a git repository; run `mou init {root}` first") from None
    if repo.bare or Path(repo.working_tree_dir or "").resolve() != root:
        repo.close()
        raise MouError(f"{root}: not the top folder of a git work tree")
    return repo


def _reads_as(current: bytes, raw: bytes, agreement_id: str) -> bool:
    """Whether file bytes ``current`` hold the same agreement as canonical bytes ``raw``."""
    from ..model import to_data
    from ..validate import load_bytes
    from ..yamlio import dump

    try:
        agreement = load_bytes(current, agreement_path(agreement_id), agreement_id)
    except MouError:
        return False
    return dump(to_data(agreement)).encode("utf-8") == raw


def canonical_bytes(agreement: Agreement) -> bytes:
    """Validate ``agreement`` fully (references, sums, dates) and return its canonical file."""
    from ..model import to_data
    from ..validate import validate_data
    from ..yamlio import dump

    data = to_data(agreement)
    validate_data(data, f"{agreement_path(agreement.id)} (to be saved)")
    return dump(data).encode("utf-8")


# ---------------------------------------------------------------------- init


WORKSPACE_README = """\
# Agreements workspace

This git repository holds interagency agreements managed with `mou`.

- `agreements/` holds one YAML file per agreement; its file name is the agreement id.
- `schemas/agreement.schema.json` lets editors check and complete the files.
- `templates/` holds the Word templates documents are rendered from; restyle them freely.

Save an edited agreement with
`mou save agreements/ID.yaml -m "what changed" --author "Name <email>"`:
each save is one commit, attributed to its author. `mou log ID` shows who
changed what and when; `mou list` shows every agreement.
"""


def init_workspace(root: Path) -> bool:
    """Make ``root`` a workspace; True if created, False if it already was one (unchanged)."""
    root = Path(root).resolve()
    if (root / ".git").exists() and (root / AGREEMENTS).is_dir():
        return False
    if root.exists() and not root.is_dir():
        raise MouError(f"{root}: exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        _run_git(root, "init", "--quiet")
    files = _scaffold(root)
    with Workspace(root) as workspace:
        _commit_new_files(workspace, files)
    # Changed-path Bloom filters make `git log -- agreements/<id>.yaml` skip the commits
    # that did not touch the file; once written, git's later commit-graph writes (gc,
    # maintenance) keep them.
    with contextlib.suppress(MouError):  # an older git without Bloom filters is still fine
        _run_git(root, "commit-graph", "write", "--reachable", "--changed-paths")
    return True


def _scaffold(root: Path) -> builtins.list[str]:
    """Write the workspace's starting files (never over existing ones); their paths."""
    from ..schema import SCHEMA_FILE, schema_text

    wanted: dict[str, bytes] = {
        f"{AGREEMENTS}/.gitkeep": b"",
        "README.md": WORKSPACE_README.encode(),
        f"schemas/{SCHEMA_FILE}": schema_text().encode(),
    }
    templates = TEMPLATES_DIR
    for template in sorted(templates.glob("*.docx")):
        wanted[f"templates/{template.name}"] = template.read_bytes()
    written = []
    for relative, data in wanted.items():
        target = root / relative
        if not target.exists():
            atomic_write(target, data)
            written.append(relative)
    return written


def _commit_new_files(workspace: Workspace, paths: builtins.list[str]) -> None:
    """One commit adding ``paths``, built in a private index so staged work is untouched."""
    root = workspace.root
    old = workspace._tip()
    ref = workspace._branch_ref()
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if old:
            _run_git(root, "read-tree", old, env=env)
        _run_git(root, "add", "--", *paths, env=env)
        tree = _run_git(root, "write-tree", env=env)
    env = {"GIT_COMMITTER_NAME": COMMITTER[0], "GIT_COMMITTER_EMAIL": COMMITTER[1]}
    env |= {"GIT_AUTHOR_NAME": COMMITTER[0], "GIT_AUTHOR_EMAIL": COMMITTER[1]}
    parents = ["-p", old] if old else []
    commit = _run_git(root, "commit-tree", tree, *parents, "-m", "Start a mou workspace", env=env)
    _run_git(root, "update-ref", "-m", "mou init", ref, commit, old or "0" * 40)
    _run_git(root, "add", "--", *paths)


def _run_git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    import os

    git = shutil.which("git") or "git"
    result = subprocess.run(
        [git, *args],
        cwd=root,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise MouError(f"{root}: git {args[0]}: {message}")
    return result.stdout.strip()

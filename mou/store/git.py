"""Git plumbing for the store: one repository handle, one way to run git, one error shape.

Everything that runs git lives in :mod:`mou.store`; this module is its lowest floor.
:class:`Repository` wraps GitPython's ``Repo`` for object reads (its persistent
``git cat-file`` process makes them cheap) and runs every other command through
git itself, so hooks, locks and configuration behave as with plain git. A failure
is a :class:`GitFailed` carrying git's own main error line; callers that did not
expect one turn it into a one-line :class:`~mou.errors.MouError` with
:func:`git_errors`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import select
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MouError
from ..ids import AGREEMENTS_FOLDER
from . import objects as go

if TYPE_CHECKING:
    from git import Repo

FILE_MODES = (b"100644", b"100755")
_KINDS = {b"120000": "a symbolic link", b"160000": "a submodule", go.TREE_MODE: "a folder"}


class GitFailed(Exception):
    """A git command failed; ``message`` is its main error line, ``detail`` all of stderr."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class Repository:
    """A git work tree opened for reading objects and running git; close it when done."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._repo: Repo = _open_repo(self.root)
        self.git_dir = Path(self._repo.git_dir)
        self.objects_dir = Path(self._repo.common_dir) / "objects"

    def close(self) -> None:
        """Stop the ``git cat-file`` processes GitPython keeps for this repository."""
        self._repo.close()

    def run(self, *args: str, env: dict[str, str] | None = None, strip: bool = True) -> str:
        """Run one git command in the work tree; GitFailed with its message if it fails."""
        from git import GitCommandError

        try:
            return self._repo.git.execute(["git", *args], env=env, strip_newline_in_stdout=strip)
        except GitCommandError as err:
            raise git_failure(err) from None

    def branch_ref(self) -> str:
        """The branch HEAD is on (``refs/heads/…``); MouError when HEAD is detached."""
        head = self._repo.head
        if head.is_detached:
            raise MouError(
                "HEAD is detached (not on a branch); check out a branch with "
                "`git switch BRANCH` before saving"
            )
        return head.reference.path

    def tip(self) -> str | None:
        """The commit HEAD points at, or None on a branch without commits."""
        from git.refs.symbolic import SymbolicReference

        try:
            # Read from HEAD and the refs alone: asking for the commit object would start
            # a `git cat-file` process, on every page of the wizard.
            return str(SymbolicReference.dereference_recursive(self._repo, "HEAD"))
        except ValueError:
            return None

    def read_object(self, sha: str) -> bytes:
        """The raw content of the object ``sha`` (blob, tree or commit)."""
        return self._repo.odb.stream(bytes.fromhex(sha)).read()

    def has_object(self, sha: str) -> bool:
        """Whether the object ``sha`` is stored (loose or packed)."""
        if (self.objects_dir / sha[:2] / sha[2:]).exists():
            return True
        try:
            self._repo.odb.info(bytes.fromhex(sha))
        except ValueError:  # GitPython's "could not be resolved"
            return False
        return True

    def tree_of(self, commit: str) -> str:
        """The sha of ``commit``'s root tree."""
        return self.read_object(commit)[5:45].decode()  # "tree <sha>\n" starts a commit

    def agreement_entries(self, commit: str) -> list[go.Entry]:
        """The regular files in ``agreements/`` at ``commit``."""
        return self.folder_entries(commit, AGREEMENTS_FOLDER)

    def folder_entries(self, commit: str, folder_name: str) -> list[go.Entry]:
        """The regular files in the top-level folder ``folder_name`` at ``commit``."""
        root = go.parse_tree(self.read_object(self.tree_of(commit)))
        folder = go.find_entry(root, folder_name.encode())
        if folder is None or folder[0] != go.TREE_MODE:
            return []
        # Regular files only: a folder, a symbolic link or a submodule is no agreement.
        entries = go.parse_tree(self.read_object(folder[2].hex()))
        return [e for e in entries if e[0] in FILE_MODES]

    def entry_at(self, commit: str, path: str) -> go.Entry | None:
        """Whatever ``<folder>/<name>`` is at ``commit`` (file, link, folder, submodule)."""
        folder_name, name = path.split("/", 1)
        root = go.parse_tree(self.read_object(self.tree_of(commit)))
        folder = go.find_entry(root, folder_name.encode())
        if folder is None or folder[0] != go.TREE_MODE:
            return None
        return go.find_entry(go.parse_tree(self.read_object(folder[2].hex())), name.encode())

    def blob_sha(self, commit: str, path: str) -> str | None:
        """The blob ``<folder>/<name>`` (a regular file) holds at ``commit``, or None."""
        folder_name, name = path.split("/", 1)
        entry = go.find_entry(self.folder_entries(commit, folder_name), name.encode())
        return entry[2].hex() if entry else None

    def last_change(self, commit: str, path: str) -> str:
        """The last commit that changed ``path`` as of ``commit`` (an agreement's revision)."""
        return self.run("log", "-1", "--format=%H", commit, "--", path)

    def read_files(self, specs: list[str]) -> list[bytes | None]:
        """The bytes of each ``rev:path`` (None when missing), read by one git process.

        Reading one revision at a time costs a round trip each; a history walk wants
        dozens at once.
        """
        if not specs:
            return []
        batch = "".join(f"{spec}\n" for spec in specs).encode()
        done = subprocess.run(
            ["git", "cat-file", "--batch"], cwd=self.root, input=batch, capture_output=True
        )
        if done.returncode != 0:
            raise MouError(f"git cat-file failed in {self.root}: {done.stderr.decode().strip()}")
        return _split_batch(done.stdout, len(specs))

    def read_blobs(self, shas: list[str]) -> list[bytes | None]:
        """The bytes of each blob ``sha`` (None when missing): loose objects are inflated
        here, the others read by one git process.

        A commit that changed thousands of files leaves as many loose objects; inflating
        them here costs about half of what piping them out of ``git cat-file`` does.
        """
        found = [go.read_loose_blob(self.objects_dir, sha) for sha in shas]
        packed = [sha for sha, raw in zip(shas, found, strict=True) if raw is None]
        rest = iter(self.read_files(packed))
        return [raw if raw is not None else next(rest) for raw in found]


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


def git_failure(err: Any) -> GitFailed:
    """GitPython's error as a GitFailed whose message is git's main error line."""
    text = err.stderr if isinstance(err.stderr, str) else str(err.stderr or "")
    text = text.replace("stderr:", "").strip().strip("'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    main = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return GitFailed(main or (lines[0] if lines else f"git exited with {err.status}"), text)


def entry_kind(mode: bytes) -> str:
    """What a tree entry of ``mode`` is, in words ("a symbolic link")."""
    return "a file" if mode in FILE_MODES else _KINDS.get(mode, f"an entry of mode {mode.decode()}")


class GitTimeout(GitFailed):
    """A git command (or a hook or signing program it ran) outlived its time limit."""


def run_in_group(
    root: Path,
    args: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    started: Callable[[int], None] | None = None,
) -> bytes:
    """Run git in a process group of its own and return its output; GitFailed on failure.

    ``stdin`` reaches git in one write (a pipe never tears a write of up to PIPE_BUF),
    after ``started`` got the process id. Killing mou's process group leaves this git to
    finish (or find nothing to do) on its own, instead of dying between taking a lock and
    releasing it. After ``timeout`` seconds the whole group (hooks, signing programs) is
    killed: GitTimeout.
    """
    process = subprocess.Popen(
        ["git", *args],
        cwd=root,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        process_group=0,
        env={**os.environ, **(env or {}), "LC_ALL": "C", "LANGUAGE": "C"},  # parsed messages
    )
    if started is not None:
        started(process.pid)
    if process.stdin is not None:
        with contextlib.suppress(BrokenPipeError):  # git stopped early: its error says why
            os.write(process.stdin.fileno(), stdin or b"")
        process.stdin.close()
        process.stdin = None  # closed: communicate() must not flush it
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise GitTimeout(f"did not finish within {timeout:g} s and was stopped") from None
    if process.returncode != 0:
        raise _failed(err.decode(errors="replace"), process.returncode)
    return out


class PreparedRefUpdate:
    """A ``git update-ref --stdin`` transaction whose ref is locked and old value checked.

    Between :func:`prepared_ref_update` and :meth:`commit` no other git command can move
    the ref: git holds ``<ref>.lock``, and a ``git commit`` landing then fails its own
    old-value check. Closing git's input without ``commit`` aborts the transaction (so does
    the death of the process that started it).
    """

    def __init__(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        self._process, self._timeout = process, timeout

    def commit(self) -> None:
        """Move the ref; GitFailed if git could not."""
        _send(self._process, b"commit\n")
        _expect(self._process, b"commit: ok", self._timeout)
        self.abort()  # nothing left to abort: this only closes git's input and waits

    def abort(self) -> None:
        """Leave the ref as it was (unless already committed) and let git exit."""
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
            self._process.stdin = None
        try:
            self._process.communicate(timeout=self._timeout)  # and closes its pipes
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.communicate()


def prepared_ref_update(
    root: Path,
    ref: str,
    new: str,
    old: str | None,
    *,
    timeout: float,
    message: str,
    started: Callable[[int], None] | None = None,
) -> PreparedRefUpdate:
    """Lock ``ref`` and check that it still points at ``old`` (None: that it is absent).

    GitFailed when it does not, or when git cannot lock it; the caller then :meth:`commits
    <PreparedRefUpdate.commit>` or :meth:`aborts <PreparedRefUpdate.abort>`. git runs in
    a process group of its own, like :func:`run_in_group`; ``started`` gets its process id.
    """
    process = subprocess.Popen(
        ["git", "update-ref", "-m", message, "--stdin"],
        cwd=root,
        bufsize=0,  # unbuffered: select() must see every answer git has written
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        process_group=0,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": "C"},
    )
    if started is not None:
        started(process.pid)
    update = PreparedRefUpdate(process, timeout)
    try:
        _send(process, f"start\nupdate {ref} {new} {old or '0' * 40}\nprepare\n".encode())
        _expect(process, b"start: ok", timeout)
        _expect(process, b"prepare: ok", timeout)
    except BaseException:
        update.abort()
        raise
    return update


def _send(process: subprocess.Popen[bytes], line: bytes) -> None:
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # git stopped early: its error says why
        os.write(process.stdin.fileno(), line)


def _expect(process: subprocess.Popen[bytes], answer: bytes, timeout: float) -> None:
    """Read git's next line of output; GitFailed (git's error) unless it is ``answer``."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise GitTimeout(f"did not finish within {timeout:g} s and was stopped")
    line = process.stdout.readline().rstrip(b"\n")
    if line == answer:
        return
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
        process.stdin = None
    _, stderr = process.communicate(timeout=timeout)
    raise _failed(stderr.decode(errors="replace"), process.returncode)


def _failed(stderr: str, code: int) -> GitFailed:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    main = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return GitFailed(main or (lines[-1] if lines else f"git exited with {code}"), stderr.strip())


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
def git_errors(context: str) -> Iterator[None]:
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


def run_git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in ``root`` without a repository handle (creation); MouError on failure."""
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

"""Git's lock files, shared with every git command working in the same repository.

Git takes ``<file>.lock`` with an exclusive create and renames it over the file to
commit. A lock names no owner, so one that exists may belong to a git command running
this very moment (a colleague's ``git commit``, an editor's background ``git status``);
removing it would let two writers interleave. mou therefore never removes a lock it did
not take: it waits, bounded by :data:`GIT_LOCK_WAIT_S`, and then refuses in one line
that names the file and how to remove it once no git command is running.

The one lock mou takes itself is the index's, held while a save locks the branch and
stages its index entry (the index changes before the branch moves, so no ``git commit`` that
sees the moved branch reads the old index; see ``Workspace._land``). It
holds a random token that the save journal records *before* the lock exists: the next
writer can then tell its killed predecessor's lock from a live git's, and clear only that.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ..errors import MouError

GIT_LOCK_WAIT_S = 10.0
INDEX_LOCK = "index.lock"
_GIT_LOCK = re.compile(r"Unable to create '([^']+\.lock)': File exists")
_T = TypeVar("_T")


class GitBusy(MouError):
    """A git lock file stayed taken for the whole wait."""

    def __init__(self, lock: Path) -> None:
        super().__init__(
            f"{lock}: git is busy (another git command holds this lock); try again when it "
            f"has finished. If no git command is running, one crashed and left it: remove it "
            f"with rm '{lock}'"
        )
        self.lock = lock


def locked_file(detail: str, root: Path) -> Path | None:
    """The lock file git's error output ``detail`` says was taken, or None."""
    match = _GIT_LOCK.search(detail)
    return root / match.group(1) if match else None  # git names it absolutely


def retry_while_locked(action: Callable[[], _T], lock_of: Callable[[Exception], Path | None]) -> _T:
    """``action()``, run again while it fails on a busy git lock; GitBusy after the wait.

    ``lock_of`` names the lock an error was about (None: not a lock error, raised as is).
    """
    deadline = time.monotonic() + GIT_LOCK_WAIT_S
    pause = 0.005
    while True:
        try:
            return action()
        except Exception as err:
            lock = lock_of(err)
            if lock is None:
                raise
            if time.monotonic() >= deadline:
                raise GitBusy(lock) from None
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


@contextmanager
def index_lock(git_dir: Path, token: str) -> Iterator[Path]:
    """Hold git's ``index.lock`` (waiting while git holds it); released on leaving.

    The lock file holds ``token``, which the caller has already recorded, so the lock is
    recognisable as this process's from the moment it exists.
    """
    lock = git_dir / INDEX_LOCK
    _take(lock, token.encode())
    try:
        yield lock
    finally:
        release_own_lock(lock, token)


def _take(lock: Path, token: bytes) -> None:
    # The token is written under a private name and then linked to the lock's name: the
    # link either creates the lock already holding the token, or fails because it exists.
    private = lock.with_name(f"mou-{token.decode()}.lock-token")
    try:
        private.write_bytes(token)
    except OSError as err:
        raise MouError(f"{lock.parent}: cannot take git's index lock: {err.strerror}") from None
    try:
        retry_while_locked(
            lambda: _link(private, lock),
            lambda err: lock if isinstance(err, FileExistsError) else None,
        )
    finally:
        private.unlink(missing_ok=True)


def _link(private: Path, lock: Path) -> None:
    try:
        os.link(private, lock)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: create it exclusively, then fill it in.
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise
        except OSError as err:
            raise MouError(f"{lock}: cannot take git's index lock: {err.strerror}") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(private.read_bytes())


def release_own_lock(lock: Path, token: str) -> bool:
    """Remove ``lock`` if it holds ``token`` (it is ours, or a dead predecessor's); whether so."""
    expected = token.encode()
    try:
        with open(lock, "rb") as handle:
            held = handle.read(len(expected) + 1)  # a real index can be large: read no more
    except (FileNotFoundError, IsADirectoryError):
        return False
    if held != expected:
        return False
    with contextlib.suppress(FileNotFoundError):
        lock.unlink()
    return True

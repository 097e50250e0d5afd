"""Small file-system helpers shared by the layers that write files."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import MouError


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader sees the old or the new file, never half.

    A place that cannot be written (a missing or read-only folder, a full disk) is a
    :class:`MouError` naming the path; whatever stood there before is left as it was.
    """
    if path.is_symlink():
        path = path.resolve()  # write the file the link names; the link stays a link
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise MouError(f"{path}: cannot write here: {err.strerror or err}") from err
    try:
        os.chmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise MouError(f"{path}: cannot write here: {err.strerror or err}") from err
        raise


def check_output(path: Path) -> None:
    """Refuse, naming ``path``, an output that must not be replaced: a symbolic link (the
    file written would be wherever it points) or a file made read-only (someone meant it
    to stay as it is). A missing file is fine."""
    if path.is_symlink():
        raise MouError(f"{path}: is a symbolic link; not written through it (name the file itself)")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise MouError(f"{path}: cannot write here: {err.strerror or err}") from None
    if not stat.S_ISREG(mode):
        raise MouError(f"{path}: not a regular file; not replaced")
    # Mode bits as well as access(): root may write anything, yet a read-only file
    # still says "do not replace me".
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise MouError(f"{path}: is read-only; not replaced")


def write_output(path: Path, data: bytes) -> None:
    """Write a file the user named (an export, a redline): refused for a symbolic link
    or a read-only file (:func:`check_output`), else replaced atomically."""
    check_output(path)
    atomic_write(path, data)


@contextmanager
def os_errors(context: str, where: Path | None = None) -> Iterator[None]:
    """An OSError inside (a read-only file system, a full disk, no permission) as one
    MouError line: ``context: path: reason``, the path being the one the system names,
    else ``where``."""
    try:
        yield
    except OSError as err:
        place = err.filename or where
        reason = err.strerror or str(err)
        raise MouError(
            f"{context}: {place}: {reason}" if place else f"{context}: {reason}"
        ) from None


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain ``open`` would give a new file.

    ``mkstemp`` makes its file private (0600); an exported MOU or an agreement rewritten
    by ``mou fmt`` must keep the permissions people expect of it.
    """
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # Reading it from /proc avoids os.umask's set-and-restore, which would briefly change
    # the mask for every thread of a running server.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def write_no_follow(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace the regular file ``path`` with ``data`` atomically, never through a link.

    ``durable=False`` skips flushing the file to disk: for copies git holds anyway (the
    working files a sync brings in, as git's own checkout writes them).

    Unlike :func:`atomic_write` (which writes the file a link names, as ``mou fmt`` of a
    user's own file should), this refuses when ``path`` or its folder is a symbolic link
    or anything but a regular file, so that a link committed into a workspace cannot
    send a save's bytes outside it. The folder is opened with ``O_NOFOLLOW`` and every
    step is relative to it, so a link swapped in meanwhile is not followed either.
    """
    try:
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as err:
        raise MouError(f"{path.parent}: cannot write here: {_why(err)}") from err
    try:
        _replace_in(folder, path, data, durable)
    finally:
        os.close(folder)


def _replace_in(folder: int, path: Path, data: bytes, durable: bool = True) -> None:
    name = path.name
    try:
        mode = _regular_mode(folder, name)
        tmp = f".{name}.{os.urandom(6).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        fd = os.open(tmp, flags, mode, dir_fd=folder)
    except OSError as err:
        raise MouError(f"{path}: cannot write here: {_why(err)}") from err
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(
            tmp, name, src_dir_fd=folder, dst_dir_fd=folder
        )  # replaces a link, never follows
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        if isinstance(err, OSError):
            raise MouError(f"{path}: cannot write here: {_why(err)}") from err
        raise


def _regular_mode(folder: int, name: str) -> int:
    """The permissions of the regular file ``name`` in ``folder`` (a new file's if absent)."""
    try:
        found = os.lstat(name, dir_fd=folder)
    except FileNotFoundError:
        return 0o666 & ~_umask()
    if not stat.S_ISREG(found.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(found.st_mode) else "not a regular file"
        raise OSError(errno.ELOOP, f"it is {kind}; not written through")
    return stat.S_IMODE(found.st_mode)


def _why(err: OSError) -> str:
    if err.errno == errno.ELOOP and err.filename is None:
        return str(err.strerror)
    if err.errno in (errno.ELOOP, errno.ENOTDIR) and err.filename is not None:
        return "a symbolic link or not a folder; not written through"
    return str(err.strerror or err)


def read_regular(target: Path) -> bytes | None:
    """The bytes of ``target`` if it is a regular file (not through a link), else None.

    Opened without following a link and without blocking, so a link to /dev/zero or a
    FIFO put where a working file belongs is never read or waited on.
    """
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read()

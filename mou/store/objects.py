"""Git objects built in process: blob ids, tree entries, loose-object files.

A save writes three objects (the agreement's blob, the ``agreements/`` tree and
the root tree). Spawning ``git hash-object`` and ``git mktree`` for each would
cost more than the whole ``git add`` + ``git commit`` a save is measured
against, so they are written here in git's own loose format. Commits, refs and
the index are still left to git itself (``commit-tree``, ``update-ref``,
``update-index``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from pathlib import Path

TREE_MODE = b"40000"
FILE_MODE = b"100644"

# One entry of a tree object: (mode, name, binary sha).
Entry = tuple[bytes, bytes, bytes]


def object_id(kind: str, body: bytes) -> str:
    """The sha-1 git gives ``body`` stored as an object of ``kind`` (blob, tree, commit)."""
    return hashlib.sha1(_with_header(kind, body)).hexdigest()


def _with_header(kind: str, body: bytes) -> bytes:
    return f"{kind} {len(body)}".encode() + b"\0" + body


def write_object(objects_dir: Path, kind: str, body: bytes) -> str:
    """Store ``body`` as a loose object unless it exists; return its sha.

    The temporary file carries git's ``tmp_obj_`` prefix, which ``git fsck``
    accepts and ``git gc`` removes, so a process killed mid-write leaves no damage.
    """
    data = _with_header(kind, body)
    sha = hashlib.sha1(data).hexdigest()
    target = objects_dir / sha[:2] / sha[2:]
    if target.exists():
        return sha
    target.parent.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(zlib.compress(data, 1))
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha


def read_loose_blob(objects_dir: Path, sha: str) -> bytes | None:
    """The body of blob ``sha`` if it is stored as a loose object, else None (packed,
    missing, not a blob or damaged: git decides)."""
    try:
        data = zlib.decompress((objects_dir / sha[:2] / sha[2:]).read_bytes())
    except (OSError, zlib.error):
        return None
    header, _, body = data.partition(b"\0")
    return body if header == b"blob %d" % len(body) else None


def parse_tree(data: bytes) -> list[Entry]:
    """The entries of a raw tree object, in stored order."""
    entries: list[Entry] = []
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        entries.append((data[at:space], data[space + 1 : nul], data[nul + 1 : nul + 21]))
        at = nul + 21
    return entries


def find_entry(entries: list[Entry], name: bytes) -> Entry | None:
    """The entry called ``name``, or None."""
    return next((entry for entry in entries if entry[1] == name), None)


def with_entry(entries: list[Entry], new: Entry) -> list[Entry]:
    """``entries`` with ``new`` added or replacing the entry of the same name, in git order."""
    kept = [entry for entry in entries if entry[1] != new[1]]
    return sorted([*kept, new], key=_git_order)


def _git_order(entry: Entry) -> bytes:
    # git compares a sub-tree's name as if it ended in "/".
    mode, name, _ = entry
    return name + b"/" if mode == TREE_MODE else name


def serialize_tree(entries: list[Entry]) -> bytes:
    """The raw tree object holding ``entries``."""
    return b"".join(mode + b" " + name + b"\0" + sha for mode, name, sha in entries)


def without_entry(entries: list[Entry], name: bytes) -> list[Entry]:
    """``entries`` without the entry called ``name`` (unchanged if there is none)."""
    return [entry for entry in entries if entry[1] != name]

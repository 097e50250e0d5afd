"""Attached files in git: an agreement's ``agreements/<id>.exhibits/`` tree, read and saved.

A save commits the agreement and exactly the files its file exhibits name, in one commit:
the ``<id>.exhibits`` tree of the commit is rebuilt from those files alone, so a file no
exhibit names any more leaves the tree with the save that dropped it. Each file comes
from what the caller hands over (the folder beside the file being saved, a wizard
upload) or, unchanged, from the commit the save builds on; either way its SHA-256 must
be the one the exhibit records, or nothing is saved.

After the commit the working copies are brought up to it where that loses nothing, as
the agreement's own file is: a file is written when missing or still as it was before
the save, and removed only when it is exactly the file the save dropped.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..attachments import EXHIBITS_SUFFIX, content_problem, exhibits_folder, sha256_of
from ..errors import MouError
from ..fsutil import read_regular, write_no_follow
from ..ids import AGREEMENTS_FOLDER
from ..model import Agreement
from . import objects as go
from .git import FILE_MODES, Repository


@dataclass(frozen=True)
class Wanted:
    """The attached files an agreement names (name → SHA-256), and what the caller gave."""

    agreement_id: str
    hashes: dict[str, str]
    given: Mapping[str, bytes]

    @classmethod
    def of(cls, agreement: Agreement, given: Mapping[str, bytes] | None) -> Wanted:
        """What saving ``agreement`` needs stored, with the files handed over for it."""
        hashes = {str(x.file): str(x.sha256) for x in agreement.exhibits if x.file}
        return cls(agreement.id, hashes, dict(given or {}))


@dataclass(frozen=True)
class Attached:
    """The attached files as a save leaves them, beside those of the commit it builds on."""

    folder: str
    new: dict[str, bytes]
    """Name → content of every file the saved agreement names."""
    old: dict[str, str]
    """Name → blob of every file the parent commit held in the folder."""

    @cached_property
    def blobs(self) -> dict[str, str]:
        """Name → blob id of the files being saved (hashed once: they may be large)."""
        return {name: go.object_id("blob", data) for name, data in self.new.items()}

    def unchanged(self) -> bool:
        """Whether the save leaves the folder exactly as the parent commit had it."""
        return self.blobs == self.old


def check_given(wanted: Wanted, path: str) -> None:
    """MouError naming the file when a file handed over is not a PDF or Word file of a
    sane size; files no exhibit names are ignored."""
    for name, data in wanted.given.items():
        if name in wanted.hashes:
            problem = content_problem(name, data)
            if problem:
                raise MouError(f"{path}: not saved: {exhibits_folder(wanted.agreement_id)}/"
                               f"{name}: {problem}")  # fmt: skip


def stored_blobs(repo: Repository, commit: str | None, agreement_id: str) -> dict[str, str]:
    """Name → blob of the regular files in ``agreements/<id>.exhibits/`` at ``commit``."""
    if commit is None:
        return {}
    folder = _folder_entry(repo, commit, agreement_id)
    if folder is None or folder[0] != go.TREE_MODE:
        return {}
    entries = go.parse_tree(repo.read_object(folder[2].hex()))
    return {e[1].decode(): e[2].hex() for e in entries if e[0] in FILE_MODES}


def stored_files(repo: Repository, commit: str, agreement: Agreement) -> dict[str, bytes]:
    """Name → content of the files ``agreement``'s file exhibits name, as stored at
    ``commit``; a file not stored there is left out."""
    blobs = stored_blobs(repo, commit, agreement.id)
    names = [str(x.file) for x in agreement.exhibits if x.file and x.file in blobs]
    return {name: repo.read_object(blobs[name]) for name in names}


def _folder_entry(repo: Repository, commit: str, agreement_id: str) -> go.Entry | None:
    root = go.parse_tree(repo.read_object(repo.tree_of(commit)))
    agreements = go.find_entry(root, AGREEMENTS_FOLDER.encode())
    if agreements is None or agreements[0] != go.TREE_MODE:
        return None
    inner = go.parse_tree(repo.read_object(agreements[2].hex()))
    return go.find_entry(inner, f"{agreement_id}{EXHIBITS_SUFFIX}".encode())


def resolve(repo: Repository, parent: str | None, wanted: Wanted, path: str) -> Attached:
    """The files the save commits: each handed over, else as stored at ``parent``.

    MouError in one line naming the exhibit's file when one is in neither place, or its
    SHA-256 is not the one the agreement records.
    """
    old = stored_blobs(repo, parent, wanted.agreement_id)
    folder = exhibits_folder(wanted.agreement_id)
    new: dict[str, bytes] = {}
    for name, sha256 in wanted.hashes.items():
        data = wanted.given.get(name)
        if data is None and name in old:
            data = repo.read_object(old[name])
        if data is None:
            raise MouError(f"{path}: not saved: {folder}/{name}: no such file; attach it "
                           f"(mou attach) or put it there")  # fmt: skip
        if sha256_of(data) != sha256:
            raise MouError(
                f"{path}: not saved: {folder}/{name}: its SHA-256 is {sha256_of(data)[:12]}…, "
                f"not the {sha256[:12]}… the agreement records; attach it again (mou attach)"
            )
        new[name] = data
    return Attached(folder, new, old)


def with_folder(objects_dir: Path, inner: list[go.Entry], attached: Attached) -> list[go.Entry]:
    """The ``agreements/`` tree entries ``inner`` with the exhibits folder set to the
    files being saved, or without it when there are none."""
    if attached.unchanged():
        return inner  # the folder stays as the parent commit has it: nothing to hash again
    name = attached.folder.split("/", 1)[1].encode()
    if not attached.new:
        return go.without_entry(inner, name)
    files = [
        (go.FILE_MODE, file.encode(), bytes.fromhex(_stored(objects_dir, data, attached, file)))
        for file, data in attached.new.items()
    ]
    body = go.serialize_tree(sorted(files, key=lambda e: e[1]))
    tree = go.write_object(objects_dir, "tree", body)
    return go.with_entry(inner, (go.TREE_MODE, name, bytes.fromhex(tree)))


def _stored(objects_dir: Path, data: bytes, attached: Attached, name: str) -> str:
    """The blob of a file being saved, written unless the parent commit holds it already."""
    blob = attached.blobs[name]
    if attached.old.get(name) == blob:
        return blob
    return go.write_object(objects_dir, "blob", data)


def refuse_odd_folder(root: Path, agreement_id: str) -> None:
    """MouError when the working tree holds a link or a file where the exhibits folder goes."""
    folder = root / exhibits_folder(agreement_id)
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
        raise MouError(
            f"{exhibits_folder(agreement_id)}: is {kind} in the working tree; mou writes no "
            "attached file through it (remove it, or make it a folder)"
        )


# --------------------------------------------------------------------------- working tree


def sync_working_files(root: Path, attached: Attached) -> str | None:
    """Bring the working copies up to the save where no edit is lost; why it failed, or None."""
    folder = root / attached.folder
    try:
        for name, data in attached.new.items():
            _write_if_ours(folder / name, data, attached.old.get(name))
        for name, blob in attached.old.items():
            if name not in attached.new:
                _remove_if_ours(folder / name, blob)
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty: nothing left to keep beside the agreement
    except MouError as err:
        return err.message
    except OSError as err:
        return f"{folder}: {err.strerror or err}"
    return None


def _write_if_ours(target: Path, data: bytes, old_blob: str | None) -> None:
    current = read_regular(target)
    if current == data or (current is None and os.path.lexists(target)):
        return  # already there, or something that is not a file: never written through
    if current is None or go.object_id("blob", current) == old_blob:
        target.parent.mkdir(exist_ok=True)
        write_no_follow(target, data)


def _remove_if_ours(target: Path, blob: str) -> None:
    current = read_regular(target)
    if current is not None and go.object_id("blob", current) == blob:
        target.unlink()


def index_changes(repo: Repository, attached: Attached) -> list[tuple[str, str | None]]:
    """(path, blob or None to remove) for each index entry the save may move: those still
    holding the content from before it, or nothing."""
    staged = _staged(repo, attached.folder)
    changes: list[tuple[str, str | None]] = []
    for name, blob in attached.blobs.items():
        path = f"{attached.folder}/{name}"
        if staged.get(path) in (None, attached.old.get(name)) and staged.get(path) != blob:
            changes.append((path, blob))
    for name, blob in attached.old.items():
        path = f"{attached.folder}/{name}"
        if name not in attached.new and staged.get(path) == blob:
            changes.append((path, None))
    return changes


def _staged(repo: Repository, folder: str) -> dict[str, str]:
    """Path → blob of the index entries under ``folder``."""
    out = repo.run("ls-files", "--stage", "-z", "--", f"{folder}/", strip=False)
    entries = (line.split("\t", 1) for line in out.split("\0") if "\t" in line)
    return {path: head.split()[1] for head, path in entries}

"""Attached-file exhibits: where the files live, what may be attached, reading them safely.

An exhibit of kind ``file`` records a file name and the file's SHA-256. The file itself is
kept beside the agreement, in ``agreements/<id>.exhibits/<name>``, and a save commits it
in the same commit as the agreement that references it (:mod:`mou.store.workspace`), so
the two are versioned together. Outside a workspace the same layout holds: the
attachments of ``some/dir/<id>.yaml`` are looked for in ``some/dir/<id>.exhibits/``.

A file is identified by its name, not its letter: letters are renumbered when exhibits
are reordered, while the file stays where it is. Only PDF and Word (.docx) files of at
most :data:`MAX_ATTACHMENT_BYTES` are accepted, recognised by their content, not only
by their name; a symbolic link is never read.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import MouError, UsageError
from .fsutil import write_no_follow
from .ids import AGREEMENTS_FOLDER
from .model import FILE_NAME_PATTERN, Agreement, Exhibit, to_data
from .validate import load_file, validate_data
from .yamlio import dump

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""The largest file an exhibit may attach (20 MB): a scanned contract fits, a video not."""
EXHIBITS_SUFFIX = ".exhibits"
_FILE_NAME = re.compile(FILE_NAME_PATTERN)
_LETTER = re.compile(r"^[A-Z]{1,2}$")


def exhibits_folder(agreement_id: str) -> str:
    """Where an agreement's attached files live in the workspace, as git names it."""
    return f"{AGREEMENTS_FOLDER}/{agreement_id}{EXHIBITS_SUFFIX}"


def attachment_path(agreement_id: str, name: str) -> str:
    """The workspace path of the attached file ``name`` of an agreement."""
    return f"{exhibits_folder(agreement_id)}/{name}"


def sha256_of(data: bytes) -> str:
    """The SHA-256 an exhibit records for a file's bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_exhibits(agreement: Agreement) -> list[Exhibit]:
    """The exhibits that attach a file, in letter order."""
    return [x for x in agreement.exhibits if x.file is not None]


def safe_name(name: str) -> str:
    """A file name the model accepts, made from any name (an upload's, a path's last part):
    letters, digits, dots, hyphens and underscores, no folder, the suffix in lower case."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "exhibit"
    return f"{cleaned[:90]}{dot}{suffix.lower()}"


def next_letter(taken: list[str]) -> str:
    """The letter after the last one used: A, B … Z, AA, AB …"""
    last = max(taken, key=lambda letter: (len(letter), letter), default="")
    if not last:
        return "A"
    if last[-1] != "Z":
        return last[:-1] + chr(ord(last[-1]) + 1)
    return "A" * (len(last) + 1) if set(last) == {"Z"} else next_letter([last[:-1]]) + "A"


# --------------------------------------------------------------------------- content


def content_problem(name: str, data: bytes) -> str | None:
    """Why ``data`` cannot be attached as ``name``, in a few words; None if it can."""
    if not _FILE_NAME.fullmatch(name):
        return (
            f"{name!r} is not an attachment name: letters, digits, '.', '-' and '_', "
            "ending in .pdf or .docx"
        )
    if len(data) > MAX_ATTACHMENT_BYTES:
        return f"{_megabytes(len(data))} is over the {_megabytes(MAX_ATTACHMENT_BYTES)} limit"
    if name.endswith(".pdf") and not data.startswith(b"%PDF-"):
        return "not a PDF file (it does not start with %PDF-)"
    if name.endswith(".docx") and not _is_word(data):
        return "not a Word (.docx) file"
    return None


def _is_word(data: bytes) -> bool:
    """Whether ``data`` is a zip holding a Word body; only the zip's directory is read."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "word/document.xml" in package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_attachment(path: Path) -> bytes:
    """The bytes of the file to attach at ``path``: MouError in one line naming it when it
    is a symbolic link, not a regular file, over the size limit, or unreadable."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as err:
        if os.path.islink(path):
            raise MouError(f"{path}: is a symbolic link; attach the file itself") from None
        raise MouError(f"{path}: cannot read: {err.strerror or err}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise MouError(f"{path}: not a regular file; attach a PDF or Word file")
        data = handle.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise MouError(
            f"{path}: {_megabytes(max(info.st_size, len(data)))} is over the "
            f"{_megabytes(MAX_ATTACHMENT_BYTES)} limit for an attached file"
        )
    return data


def attachments_beside(agreement_file: Path, agreement: Agreement) -> dict[str, bytes]:
    """The attached files found beside ``agreement_file``, in ``<stem>.exhibits/``, by name.

    Files that are not there are left out (a save then takes them from the last revision);
    one that is there but cannot be read safely is a MouError naming it.
    """
    folder = agreement_file.parent / f"{agreement_file.stem}{EXHIBITS_SUFFIX}"
    if os.path.islink(folder):
        raise MouError(f"{folder}: is a symbolic link; mou reads no attachment through it")
    found: dict[str, bytes] = {}
    for exhibit in file_exhibits(agreement):
        name = str(exhibit.file)
        if os.path.lexists(folder / name):
            found[name] = read_attachment(folder / name)
    return found


def stored_problems(
    agreement: Agreement, stored: Mapping[str, str | None]
) -> list[tuple[str, str]]:
    """``(path, message)`` for each file exhibit whose file is not stored, or is stored
    with another SHA-256 than the exhibit records; ``stored`` maps names to hashes."""
    found = []
    for index, exhibit in enumerate(agreement.exhibits):
        if exhibit.file is None:
            continue
        actual = stored.get(exhibit.file)
        where = f"Exhibit {exhibit.letter} ({exhibit.file})"
        if actual is None:
            place = attachment_path(agreement.id, exhibit.file)
            found.append((f"$.exhibits[{index}].file", f"{where}: no file is stored at {place}"))
        elif actual != exhibit.sha256:
            found.append(
                (
                    f"$.exhibits[{index}].sha256",
                    f"{where}: the stored file's SHA-256 is {actual[:12]}…, not the "
                    f"{str(exhibit.sha256)[:12]}… the agreement records; attach it again",
                )
            )
    return found


def is_exhibit_letter(text: str) -> bool:
    """Whether ``text`` names an exhibit by letter ("C") rather than by title."""
    return bool(_LETTER.fullmatch(text))


def attach_to(data: dict[str, object], exhibit: str, name: str, sha256: str) -> str:
    """Record the file ``name`` with ``sha256`` on the exhibit ``exhibit`` of agreement
    ``data`` (plain data), and return its letter.

    ``exhibit`` is a letter ("C") of an existing file exhibit, or a title: the file exhibit
    of that title (ignoring case), else a new exhibit with the next letter. UsageError in
    one line naming ``--exhibit`` when that cannot be done.
    """
    exhibits = data.setdefault("exhibits", [])
    assert isinstance(exhibits, list)
    chosen = next((item for item in exhibits if _names(item, exhibit)), None)
    if chosen is None:
        chosen = _new_exhibit(exhibits, exhibit)
    for item in exhibits:
        if item.get("file") == name and item is not chosen:
            raise UsageError(
                f"--exhibit {exhibit}: Exhibit {item.get('letter')} already attaches a file "
                f"named {name}; rename the file or attach it to Exhibit {item.get('letter')}"
            )
    if chosen.get("kind") != "file":
        raise UsageError(
            f"--exhibit {exhibit}: Exhibit {chosen.get('letter')} holds {chosen.get('kind')}, "
            "not a file; give a new title to add a file exhibit"
        )
    chosen.update(file=name, sha256=sha256)
    return str(chosen["letter"])


def _names(item: dict[str, object], exhibit: str) -> bool:
    """Whether ``--exhibit`` names ``item``: by its letter, or by its title ignoring case."""
    if is_exhibit_letter(exhibit):
        return item.get("letter") == exhibit
    return str(item.get("title", "")).casefold() == exhibit.strip().casefold()


def _new_exhibit(exhibits: list[dict[str, object]], exhibit: str) -> dict[str, object]:
    if is_exhibit_letter(exhibit):
        known = ", ".join(str(x.get("letter")) for x in exhibits) or "none"
        raise UsageError(
            f"--exhibit {exhibit}: no such exhibit (exhibits: {known}); give a title to add one"
        )
    if not exhibit.strip():
        raise UsageError("--exhibit: give the letter of a file exhibit, or a title")
    letter = next_letter([str(x.get("letter") or "") for x in exhibits])
    added: dict[str, object] = {"letter": letter, "title": exhibit.strip(), "kind": "file"}
    exhibits.append(added)
    return added


@dataclass(frozen=True)
class Attachment:
    """A file attached to an agreement's working file: where it went and what it records."""

    letter: str
    title: str
    stored: Path
    sha256: str


def attach_file(agreement_file: Path, source: Path, exhibit: str) -> Attachment:
    """Copy ``source`` beside ``agreement_file`` (into ``<stem>.exhibits/``) and record it
    on ``exhibit`` (a letter, or a title: see :func:`attach_to`) in that file.

    Nothing is committed: the next save commits the agreement and the file together.
    Everything is checked before anything is written; MouError in one line otherwise.
    """
    data = read_attachment(source)
    name = safe_name(source.name)
    problem = content_problem(name, data)
    if problem:
        raise UsageError(f"{source}: {problem}")
    record = to_data(load_file(agreement_file, agreement_file.stem))
    letter = attach_to(record, exhibit, name, sha256_of(data))
    agreement = validate_data(record, f"{agreement_file} (with {name} attached)")
    folder = agreement_file.parent / f"{agreement_file.stem}{EXHIBITS_SUFFIX}"
    _make_folder(folder)
    write_no_follow(folder / name, data)
    write_no_follow(agreement_file, dump(to_data(agreement)).encode("utf-8"))
    title = next(x.title for x in agreement.exhibits if x.letter == letter)
    return Attachment(letter, title, folder / name, sha256_of(data))


def _make_folder(folder: Path) -> None:
    """Create the exhibits folder; MouError when a link or a file is in its place."""
    try:
        folder.mkdir(exist_ok=True)
    except FileExistsError:
        pass
    except OSError as err:
        raise MouError(f"{folder}: cannot create it: {err.strerror or err}") from None
    if os.path.islink(folder) or not folder.is_dir():
        raise MouError(f"{folder}: is a symbolic link or a file; mou writes no attachment there")

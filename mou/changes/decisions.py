"""The liaison's decisions on a returned copy's changes, and the revision that records them.

What a returned copy proposes (:mod:`mou.changes.intake`) is accepted or rejected change
by change. A decision is read from the agreement data itself — a field that holds the
partner's value is accepted, one that holds the base value rejected, anything else was
edited since — so no list of decisions kept apart can overwrite an edit made elsewhere.
Making a decision touches only its own field or item.

The revision that saves the decisions says, in its message, which changes were accepted
and which rejected, the file they came from and its SHA-256, and credits the authors of
the accepted tracked changes with ``Co-authored-by:`` trailers. Names come from the
partner's file, so they are cleaned of anything that could forge a line of the message.
"""

from __future__ import annotations

import copy
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..chars import hidden_char
from ..errors import MouError
from ..model import to_data
from .diff import ancestors, entries, path_parts
from .intake import FieldChange, Intake, Remark, Unmapped

ACCEPTED, REJECTED, EDITED = "accepted", "rejected", "edited"
NAME_LENGTH = 120
_EMAIL = re.compile(r"[^\s<>@,]+@[^\s<>@,]+\.[^\s<>@,]+")
_MISSING = object()


@dataclass(frozen=True)
class Source:
    """The returned file: its name as received and the SHA-256 of its bytes."""

    name: str
    sha256: str

    @classmethod
    def of(cls, name: str, data: bytes) -> Source:
        """The source of ``data`` received under ``name`` (cleaned for a commit message)."""
        return cls(one_line(name) or "returned copy", hashlib.sha256(data).hexdigest())


@dataclass
class Taken:
    """A returned copy taken in: what it proposes, where it came from, and the e-mail
    addresses the liaison gave for its authors (for their ``Co-authored-by:`` lines)."""

    intake: Intake
    source: Source
    emails: dict[str, str] = field(default_factory=dict)
    base_data: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_data = to_data(self.intake.base_agreement)

    @property
    def proposed(self) -> dict[str, Any]:
        """The base agreement's data with every change of the copy made."""
        return self.intake.proposed if self.intake.proposed is not None else self.base_data


# --------------------------------------------------------------------------- deciding


def decision(data: dict[str, Any], change: FieldChange, taken: Taken) -> str:
    """``accepted``, ``rejected`` or ``edited``: what ``data`` holds for ``change``."""
    current = _value(data, change.path)
    if current == _value(taken.proposed, change.path):
        return ACCEPTED
    if current == _value(taken.base_data, change.path):
        return REJECTED
    return EDITED


def accept(data: dict[str, Any], change: FieldChange, taken: Taken) -> None:
    """Give ``data`` the partner's value for ``change``: a new item goes where the copy
    has it, after the nearest item before it that ``data`` holds. MouError when the
    place is gone (its item was removed from the draft)."""
    _take(data, change.path, taken.proposed)


def reject(data: dict[str, Any], change: FieldChange, taken: Taken) -> None:
    """Give ``data`` the base value for ``change`` back (a new item is taken out)."""
    _take(data, change.path, taken.base_data)


def authors(intake: Intake) -> list[str]:
    """Every author of a tracked change the copy proposes, cleaned, in document order."""
    return list(dict.fromkeys(n for n in (one_line(c.by or "") for c in intake.changes) if n))


# --------------------------------------------------------------------------- beside each field


@dataclass
class FieldNotes:
    """One field with what the copy says about it: its change, comments, unmapped edits."""

    path: str | None
    label: str
    change: FieldChange | None = None
    comments: list[Remark] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)


def by_field(intake: Intake) -> list[FieldNotes]:
    """Changes, comments and unmapped edits grouped by the field they belong to (or are
    nearest), in document order; what belongs to no field comes last."""
    order = {entry.path: (n, entry.label) for n, entry in enumerate(entries(intake.base_agreement))}
    notes: dict[str | None, FieldNotes] = {}
    for change in intake.changes:
        notes[change.path] = FieldNotes(change.path, change.label, change)
    for remark in intake.comments:
        _notes_at(notes, _owner(remark.path, notes, order), order).comments.append(remark)
    for edit in intake.unmapped:
        _notes_at(notes, _owner(edit.near, notes, order), order).unmapped.append(edit)
    rank = _ranks(list(notes), order)
    return sorted(notes.values(), key=lambda note: rank[note.path])


def _owner(path: str | None, notes: dict[str | None, Any], order: dict[str, Any]) -> str | None:
    """The changed field (or item) ``path`` is in, else ``path`` itself when it is a field."""
    if path is None:
        return None
    for candidate in (path, *reversed(ancestors(path))):
        if candidate in notes:
            return candidate
    return path if path in order else None


def _notes_at(
    notes: dict[str | None, FieldNotes], path: str | None, order: dict[str, Any]
) -> FieldNotes:
    if path not in notes:
        label = order[path][1] if path is not None else "Template wording (no field)"
        notes[path] = FieldNotes(path, label)
    return notes[path]


def _ranks(paths: list[str | None], order: dict[str, Any]) -> dict[str | None, tuple[int, int]]:
    """Document order: a field's own place, else its nearest ancestor's; a new item (in
    no place yet) comes right after the change listed before it; no field comes last."""
    ranks: dict[str | None, tuple[int, int]] = {}
    last = -1
    for arrival, path in enumerate(paths):
        found = (
            [order[c][0] for c in (path, *reversed(ancestors(path))) if c in order] if path else []
        )
        if path is None:
            ranks[path] = (len(order), arrival)
            continue
        last = found[0] if found else last
        ranks[path] = (last, arrival)
    return ranks


def remarks_by_field(intake: Intake, data: dict[str, Any]) -> dict[str, list[str]]:
    """The copy's comments and unmapped edits as lines, by the index path (``$.goals[0].title``,
    as the wizard's fields are named) of the field they are on or nearest in ``data``."""
    found: dict[str, list[str]] = {}
    for remark in intake.comments:
        line = f"Comment by {one_line(remark.author or 'unknown')}: {remark.text}"
        _file_under(found, index_path(data, remark.path), line)
    for edit in intake.unmapped:
        by = f" — {one_line(edit.by)}" if edit.by else ""
        line = f"Unmapped edit in {edit.location}: {_edit_words(edit)}{by} (not taken in)"
        _file_under(found, index_path(data, edit.near), line)
    return found


def _file_under(found: dict[str, list[str]], path: str | None, line: str) -> None:
    if path is not None:
        found.setdefault(path, []).append(line)


def _edit_words(edit: Unmapped) -> str:
    old, new = _short(edit.old), _short(edit.new)
    if not old or not new:
        return f"inserted “{new}”" if new else f"deleted “{old}”"
    return f"“{old}” → “{new}”"


def index_path(data: dict[str, Any], path: str | None) -> str | None:
    """A key-based path (``$.goals[id=x].title``) as an index path into ``data``
    (``$.goals[0].title``); None when one of its items is not there."""
    if path is None:
        return None
    node: Any = data
    shown = "$"
    for step in path_parts(path)[1:]:
        if step.startswith("."):
            node, shown = node.get(step[1:]) if isinstance(node, dict) else None, shown + step
            continue
        key_field, key = step[1:-1].split("=", 1)
        items = node if isinstance(node, list) else []
        at = next((n for n, i in enumerate(items) if str(i.get(key_field)) == key), None)
        if at is None:
            return None
        node, shown = items[at], f"{shown}[{at}]"
    return shown


# --------------------------------------------------------------------------- the revision


def commit_message(summary: str, taken: Taken, data: dict[str, Any]) -> str:
    """The message of the revision that saves the decisions: ``summary`` (the liaison's
    words), what was accepted and rejected, then the source and credit trailers.
    MouError (naming the field) for an e-mail address that is not one."""
    intake = taken.intake
    decided = {c.path: decision(data, c, taken) for c in intake.changes}
    accepted = [c for c in intake.changes if decided[c.path] == ACCEPTED]
    body = [
        f"Taken in from {taken.source.name}, a returned copy of {intake.agreement_id} "
        f"exported at revision {intake.base[:12]}: {len(accepted)} of "
        f"{len(intake.changes)} proposed change(s) accepted.",
        *_listed("Accepted", intake.changes, decided, ACCEPTED),
        *_listed("Rejected", intake.changes, decided, REJECTED),
        *_listed("Accepted, then edited", intake.changes, decided, EDITED),
        *_left_out(intake),
    ]
    trailers = [
        f"Intake-Source: {taken.source.name}",
        f"Intake-Source-SHA256: {taken.source.sha256}",
        f"Intake-Base: {intake.base}",
        *(f"Co-authored-by: {credit}" for credit in credits(accepted, taken.emails)),
    ]
    return "\n\n".join([summary.strip(), "\n".join(body), "\n".join(trailers)])


def credits(accepted: list[FieldChange], emails: Mapping[str, str]) -> list[str]:
    """``Name <email>`` (or the name alone, when no address was given) for each author of
    an accepted tracked change, once each, in document order."""
    names = dict.fromkeys(n for n in (one_line(c.by or "") for c in accepted) if n)
    return [_credit(name, emails.get(name, "")) for name in names]


def _credit(name: str, email: str) -> str:
    email = email.strip()
    if not email:
        return name
    if not _EMAIL.fullmatch(email) or hidden_char(email) is not None:
        raise MouError(f"E-mail of {name}: {email!r} is not an e-mail address (ann@agency.gov)")
    return f"{name} <{email}>"


def _listed(
    title: str, changes: list[FieldChange], decided: dict[str, str], which: str
) -> Iterator[str]:
    chosen = [c for c in changes if decided[c.path] == which]
    if chosen:
        yield f"{title}:"
    for change in chosen:
        by = f" ({one_line(change.by)})" if change.by and one_line(change.by) else ""
        yield f"- {one_line(change.label)}{by}"


def _left_out(intake: Intake) -> Iterator[str]:
    if intake.unmapped:
        yield f"Unmapped edits, not taken in ({len(intake.unmapped)}):"
    for edit in intake.unmapped:
        yield f"- {edit.location}: {_short(edit.old)!r} -> {_short(edit.new)!r}"
    if intake.comments:
        yield f"Comments in the copy: {len(intake.comments)}."


def one_line(text: str) -> str:
    """``text`` as one safe line: control characters, bidirectional and other invisible
    format characters and angle brackets dropped, spaces collapsed, length bounded."""
    kept = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in text
        if unicodedata.category(c) != "Cf" and c not in "<>"
    )
    return " ".join(kept.split())[:NAME_LENGTH]


def _short(text: str, limit: int = 60) -> str:
    flat = one_line(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --------------------------------------------------------------------------- paths in data


def _value(data: Any, path: str) -> Any:
    """The value at a key-based ``path`` of plain data; ``_MISSING`` when absent."""
    node = data
    for step in path_parts(path)[1:]:
        node = _step(node, step)
        if node is _MISSING:
            return _MISSING
    return node


def _step(node: Any, step: str) -> Any:
    if step.startswith("."):
        return node.get(step[1:], _MISSING) if isinstance(node, dict) else _MISSING
    key_field, key = step[1:-1].split("=", 1)
    found = [i for i in node if str(i.get(key_field)) == key] if isinstance(node, list) else []
    return found[0] if found else _MISSING


def _parent(data: dict[str, Any], path: str) -> tuple[Any, str]:
    """The container of ``path``'s last step, and that step; MouError when it is gone."""
    steps = path_parts(path)
    parent = _value(data, "".join(steps[:-1]))
    if parent is _MISSING:
        raise MouError(f"{path}: no longer in the draft (its item was removed); nothing changed")
    return parent, steps[-1]


def _take(data: dict[str, Any], path: str, source: dict[str, Any]) -> None:
    """Make ``data`` hold at ``path`` what ``source`` holds there (or nothing)."""
    value = _value(source, path)
    parent, step = _parent(data, path)
    if step.startswith("."):
        if value is _MISSING:
            parent.pop(step[1:], None)
        else:
            parent[step[1:]] = copy.deepcopy(value)
        return
    at = next((n for n, item in enumerate(parent) if item is _step(parent, step)), None)
    if at is not None:
        del parent[at]
    if value is not _MISSING:
        parent.insert(
            at if at is not None else _place(parent, step, source, path), copy.deepcopy(value)
        )


def _place(items: list[Any], step: str, source: dict[str, Any], path: str) -> int:
    """Where a new item goes in ``items``: after the nearest item before it in ``source``."""
    theirs, _ = _parent(source, path)
    key_field, key = step[1:-1].split("=", 1)
    keys = [str(item.get(key_field)) for item in theirs]
    held = [str(item.get(key_field)) for item in items]
    before = [held.index(k) for k in keys[: keys.index(key)] if k in held]
    return max(before) + 1 if before else 0

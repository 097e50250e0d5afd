"""A saved revision read the way the wizard shows it: by part, item and field, not as YAML.

The parts (articles), their order and the labels are the change list's
(:func:`mou.changes.diff.entries`), so a revision reads the way its changes do. Values
are shown as a reader knows them: a party by its acronym, a goal by its title, yes or
no, a choice in words, a list of lines one per line. Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
import html
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel

from ..changes.diff import SEPARATOR, Entry, entries, path_parts
from ..chars import visible
from ..model import Agreement, Ref

_NAME_FIELDS = ("legal_name", "name", "title", "term", "citation", "position", "text")
_HIDDEN = ("$.schema_version", "$.id")  # the file's bookkeeping, not the agreement's text
_NAME_MAX = 80
_DEPTH_EM = 1.25
_LABEL = "color:#4a5361;font-size:.9em"
_ITEM = "font-weight:600;margin-top:.6rem;margin-bottom:.2rem"


@dataclass(frozen=True)
class Line:
    """One line of a revision as read: an item's heading (``value`` None) or a field."""

    depth: int
    """How many items deep the line is (0: a field of the agreement itself)."""
    label: str
    """The field's label within its item, or the item's heading."""
    value: str | None


def read_parts(agreement: Agreement) -> dict[str, list[Line]]:
    """Every set field and list item of ``agreement``, by part, in document order."""
    reader = _Reader(agreement)
    found: dict[str, list[Line]] = {}
    for entry in entries(agreement):
        line = reader.line(entry)
        if line is not None:
            found.setdefault(entry.section, []).append(line)
    return found


class _Reader:
    """Reads entries in document order, knowing which items the current one is inside."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.names = {
            "party": {p.id: p.acronym for p in agreement.parties},
            "goal": {g.id: g.title for g in agreement.goals},
        }
        self.items: list[Entry] = []  # innermost last
        self.named: set[str] = set()  # fields an item's heading shows whole already
        self.lists: dict[int, dict[str, Any]] = {}

    def line(self, entry: Entry) -> Line | None:
        """The entry's line; None for what is not shown (bookkeeping, repeated names)."""
        while self.items and not entry.path.startswith(self.items[-1].path + "."):
            self.items.pop()
        if entry.path in _HIDDEN or entry.path in self.named:
            return None
        parent, name, value = _located(self.agreement, entry.path, self.lists)
        depth, label = len(self.items), _relative(entry.label, self._outer())
        if not entry.path.endswith("]"):
            return Line(depth, label, _shown(value, _ref_target(parent, name), self.names))
        heading, whole = _heading(label, entry.path, value)
        self.named |= {f"{entry.path}.{whole}"} if whole else set()
        self.items.append(entry)
        return Line(depth, heading, None)

    def _outer(self) -> str:
        return self.items[-1].label if self.items else ""


def part_html(lines: list[Line]) -> str:
    """One part's lines as HTML: items as indented headings, fields as label and value.

    User text is escaped, and invisible characters are shown as ``<U+200B>``.
    """
    return "".join(_line_html(line) for line in lines)


def _line_html(line: Line) -> str:
    indent = f"margin-left:{line.depth * _DEPTH_EM}em"
    label = html.escape(visible(line.label))
    if line.value is None:
        return f"<div style='{indent};{_ITEM}'>{label}</div>"
    value = html.escape(visible(line.value))
    return (
        f"<div style='{indent};margin-bottom:.3rem;line-height:1.45'>"
        f"<span style='{_LABEL}'>{label}</span><br>"
        f"<span style='white-space:pre-wrap'>{value}</span></div>"
    )


# --------------------------------------------------------------------------- labels


def _relative(label: str, outer: str) -> str:
    """``label`` without the label of the item it is inside."""
    prefix = outer + SEPARATOR
    return label.removeprefix(prefix) if outer and label.startswith(prefix) else label


def _heading(label: str, path: str, item: Any) -> tuple[str, str | None]:
    """An item's heading, its name in place of its id (``Signatory sheriff`` -> ``Signatory
    Jane Roe``; a party keeps its acronym and adds its legal name), and the field whose
    whole value the heading shows (None when it shows none, or only the start)."""
    key = path.rsplit("=", 1)[-1].removesuffix("]")
    field = next((f for f in _NAME_FIELDS if getattr(item, f, None)), None)
    if field is None:
        return label, None
    name = str(getattr(item, field))
    shown = _shortened(name)
    whole = field if shown == name else None
    if label.startswith("Party ") and hasattr(item, "acronym"):
        return f"{label} — {shown}", whole
    if not label.endswith(key):
        return label, None
    return label.removesuffix(key) + shown, whole


def _shortened(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _NAME_MAX else line[: _NAME_MAX - 1].rstrip() + "…"


# --------------------------------------------------------------------------- values


def _located(agreement: Agreement, path: str, lists: dict[int, dict[str, Any]]) -> Any:
    """``(parent, field name, value)`` at a key-based path, as the model holds them."""
    parent: Any = None
    name = ""
    value: Any = agreement
    for part in path_parts(path)[1:]:
        if part.startswith("."):
            parent, name, value = value, part[1:], getattr(value, part[1:], None)
        else:
            key_field, key = part[1:-1].split("=", 1)
            value = _keyed(value or [], key_field, lists).get(key)
    return parent, name, value


def _keyed(items: list[Any], key_field: str, lists: dict[int, dict[str, Any]]) -> dict[str, Any]:
    if id(items) not in lists:  # each list keyed once, not searched for every field
        lists[id(items)] = {_key(item, key_field): item for item in reversed(items)}
    return lists[id(items)]


def _key(item: Any, key_field: str) -> str:
    value = getattr(item, key_field)
    return str(value.value if isinstance(value, Enum) else value)


def _ref_target(parent: Any, name: str) -> str | None:
    """``party`` or ``goal`` when the field ``name`` of ``parent`` refers to one."""
    return _field_ref(type(parent), name) if isinstance(parent, BaseModel) else None


@cache
def _field_ref(model: type[BaseModel], name: str) -> str | None:
    info = model.model_fields.get(name)
    return None if info is None else _ref_in(info.metadata, info.annotation)


def _ref_in(metadata: list[Any], annotation: Any) -> str | None:
    """The target of the :class:`Ref` in ``metadata`` or anywhere inside ``annotation``
    (an optional reference carries it inside the union)."""
    found = next((m.target for m in metadata if isinstance(m, Ref)), None)
    inner = (_ref_in(list(getattr(a, "__metadata__", ())), a) for a in typing.get_args(annotation))
    return found or next((target for target in inner if target), None)


def _shown(value: Any, target: str | None, names: dict[str, dict[str, str]]) -> str:
    """A field's value in words: names for ids, Yes / No, choices in words, one per line."""
    if isinstance(value, list):  # references on one line, lines of text one per line
        return (", " if target else "\n").join(_shown(v, target, names) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Enum):
        text = str(value.value).replace("_", " ")
        return text[:1].upper() + text[1:]
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if target is not None:
        return names[target].get(str(value), str(value))
    return str(value)


def _number(value: float) -> str:
    """With thousands separators; a whole float as the model writes it (36,000, not 36,000.0)."""
    return f"{int(value):,}" if isinstance(value, float) and value.is_integer() else f"{value:,}"

"""Pure conversions between agreement data and the rows and fields the wizard edits.

Nothing here imports Streamlit, so every rule about ids, blanks and paths is tested
directly (AppTest cannot type into ``st.data_editor``). Agreement data is the plain
JSON-like dict of :func:`mou.model.to_data`; a *path* is a tuple of keys and list
indexes into it, e.g. ``("parties", 0, "legal_name")``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
SLUG_MAX = 48
LIST_KINDS = ("parties", "goals")


# --------------------------------------------------------------------------- paths


def json_path(path: Path) -> str:
    """The JSON path (``$.parties[0].legal_name``) that validation problems use."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def under(path: str, prefix: str) -> bool:
    """True when JSON ``path`` is ``prefix`` or inside it (``$.goals[0]`` is under ``$.goals``)."""
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def get_in(data: Any, path: Path, default: Any = None) -> Any:
    """The value at ``path``, or ``default`` when any step is missing."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return default
    return data


def set_in(data: dict[str, Any], path: Path, value: Any) -> None:
    """Set the value at ``path``, creating mappings on the way; blank values remove the key.

    A blank (None, "" or an empty list) means "not given": the key disappears so that
    validation reports a missing required field in its own words, and optional
    fields stay out of the file.
    """
    *parents, last = path
    target: Any = data
    for part in parents:
        if isinstance(target, dict) and not isinstance(target.get(part), dict | list):
            target[part] = {}
        target = target[part]
    if is_blank(value):
        if isinstance(target, dict):
            target.pop(last, None)
        return
    target[last] = value


def is_blank(value: Any) -> bool:
    """None, NaN, "" and [] are blank; False and 0 are values."""
    if value is None or value == "" or value == []:
        return True
    return isinstance(value, float) and math.isnan(value)


# --------------------------------------------------------------------------- ids


def slugify(text: str, taken: Iterable[str] = (), fallback: str = "item") -> str:
    """A stable slug id from a name, unique among ``taken`` ("Board of X" -> "board-of-x")."""
    base = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:SLUG_MAX].strip("-")
    base = base or fallback
    used = set(taken)
    candidate, number = base, 2
    while candidate in used:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Column:
    """One editable column of a table of list items.

    ``kind`` is one of: text, int, float, bool, date (ISO text, YYYY-MM-DD), choice (one
    of ``options``), party (one party id), parties (several party ids) and goals (several
    goal ids).
    """

    field: str
    label: str
    kind: str = "text"
    options: tuple[str, ...] = ()
    required: bool = False
    help: str | None = None


@dataclass(frozen=True)
class Table:
    """A list in the agreement edited as a table: where it lives and how rows get ids."""

    path: Path
    columns: tuple[Column, ...]
    key_field: str | None = "id"
    """The field that identifies an item; None when items are keyed by party (shares)."""
    name_field: str | None = None
    """The column a new row's id is derived from."""
    cells: bool = False
    """Items hold their column values in one list, ``cells``, in column order (the rows
    of a table exhibit, whose columns the liaison names)."""

    @property
    def fields(self) -> list[str]:
        """Field names shown, the key first."""
        key = [self.key_field] if self.key_field else []
        return key + [c.field for c in self.columns]


TABLE_WIDTH = 720
"""Pixels the columns of a table share: a grid in the wizard is about 790 px wide on a
1280 px laptop screen with the sidebar open, less the column of row markers."""
_FIXED_WIDTHS = {"bool": 80, "int": 80, "float": 80, "date": 92, "choice": 100, "party": 90}
_LIST_WIDTH = 130
_TEXT_MIN = 90


def column_widths(columns: Sequence[Column], budget: int = TABLE_WIDTH) -> dict[str, int]:
    """A width in pixels for every column, so that the whole table fits ``budget``.

    Left to itself the grid sizes a column to its longest cell, and a table with a few
    long texts hides its last columns off to the right (the metrics' Data source). Short
    values get fixed widths; text columns share the rest, each at least a readable minimum.
    """
    widths = {c.field: _FIXED_WIDTHS.get(c.kind, 0) for c in columns}
    for column in columns:
        if column.kind in LIST_KINDS:
            widths[column.field] = _LIST_WIDTH
    texts = [c.field for c in columns if not widths[c.field]]
    if texts:
        share = (budget - sum(widths.values())) // len(texts)
        for name in texts:
            widths[name] = max(_TEXT_MIN, share)
    return widths


def to_rows(items: Sequence[dict[str, Any]] | None, table: Table) -> list[dict[str, Any]]:
    """One row per item, with every column present (blank cells as None, lists as [])."""
    rows = []
    for item in items or []:
        values = _cell_values(item, table) if table.cells else item
        row = {
            name: (item if name == table.key_field else values).get(name) for name in table.fields
        }
        for column in table.columns:
            if column.kind in LIST_KINDS and row[column.field] is None:
                row[column.field] = []
        rows.append(row)
    return rows


def from_rows(
    rows: Sequence[dict[str, Any]],
    previous: Sequence[dict[str, Any]] | None,
    table: Table,
) -> list[dict[str, Any]]:
    """Items from edited rows: ids kept, new ids derived from the name, hidden fields kept.

    Entirely blank rows (a row added and never filled in) are dropped. Fields of an
    item that the table does not show (e.g. a goal's metrics) are carried over from
    the previous item with the same id, so editing a table never loses them.
    """
    by_key = {_key(item, table): item for item in previous or [] if _key(item, table)}
    kept = [row for row in rows if not _row_blank(row, table)]
    taken = {str(row.get(table.key_field or "")) for row in kept if _has_key(row, table)}
    items = []
    for row in kept:
        item = dict(by_key.get(_key(row, table), {}))
        for column in table.columns:
            item.pop(column.field, None)
            value = _cell(row.get(column.field), column)
            if not is_blank(value):
                item[column.field] = value
        if table.cells:
            item["cells"] = [str(item.pop(c.field, None) or "") for c in table.columns]
        if table.key_field:
            item = {table.key_field: _row_id(row, table, taken), **item}
        items.append(item)
    return items


def _cell_values(item: dict[str, Any], table: Table) -> dict[str, Any]:
    """The ``cells`` of an item by column field (missing cells blank)."""
    cells = list(item.get("cells") or [])
    return {c.field: cells[i] if i < len(cells) else None for i, c in enumerate(table.columns)}


def _key(item: dict[str, Any], table: Table) -> Any:
    field = table.key_field or (table.columns[0].field if table.columns else None)
    value = item.get(field) if field else None
    return None if is_blank(value) else value


def _has_key(row: dict[str, Any], table: Table) -> bool:
    return bool(table.key_field) and not is_blank(row.get(table.key_field or ""))


def _row_id(row: dict[str, Any], table: Table, taken: set[str]) -> str:
    if _has_key(row, table):
        return str(row[table.key_field])  # type: ignore[index]
    source = row.get(table.name_field) if table.name_field else None
    new_id = slugify("" if is_blank(source) else str(source), taken)
    taken.add(new_id)
    return new_id


def _row_blank(row: dict[str, Any], table: Table) -> bool:
    return all(
        is_blank(row.get(c.field)) or (c.kind == "bool" and row.get(c.field) is False)
        for c in table.columns
    ) and not _has_key(row, table)


def _cell(value: Any, column: Column) -> Any:
    if is_blank(value):
        return None
    if column.kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if column.kind == "float" and isinstance(value, float) and value.is_integer():
        return int(value)
    if column.kind == "bool":
        return bool(value)
    if column.kind in LIST_KINDS:
        return [str(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars from the table become plain numbers
        return value.item()
    return value


# --------------------------------------------------------------------------- choices


def typed_first(options: Sequence[Any], label: Callable[[Any], str]) -> list[Any]:
    """``options`` with each one placed before every option whose label contains its own.

    A dropdown narrows to the options containing what was typed and Enter takes the
    first: typing "Annual" must give Annual, not Semiannual above it.
    """
    ordered = list(options)
    for option in options:
        words = label(option).lower()
        holders = [
            i
            for i, other in enumerate(ordered)
            if other != option and words in label(other).lower()
        ]
        if holders and ordered.index(option) > holders[0]:
            ordered.remove(option)
            ordered.insert(holders[0], option)
    return ordered


# --------------------------------------------------------------------------- parties


def party_labels(data: dict[str, Any]) -> dict[str, str]:
    """Party id -> the label shown in pickers: the acronym, or the id until one is typed."""
    return {
        str(p.get("id")): str(p.get("acronym") or p.get("id"))
        for p in data.get("parties") or []
        if p.get("id")
    }


def goal_labels(data: dict[str, Any]) -> dict[str, str]:
    """Goal id -> its title, for pickers."""
    return {str(g.get("id")): str(g.get("title") or g.get("id")) for g in data.get("goals") or []}


def new_party(data: dict[str, Any], legal_name: str, acronym: str) -> dict[str, Any]:
    """A new party with an id derived from its acronym (or name), unique among the parties."""
    taken = [str(p.get("id")) for p in data.get("parties") or []]
    party_id = slugify(acronym or legal_name, taken, fallback="party")
    party: dict[str, Any] = {"id": party_id}
    set_in(party, ("legal_name",), legal_name)
    set_in(party, ("acronym",), acronym)
    return party


def move_item(items: list[Any], index: int, offset: int) -> int:
    """Move item ``index`` by ``offset`` places (kept within the list); its new index."""
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    return target


def remove_party_references(data: dict[str, Any], party_id: str) -> None:
    """Drop ``party_id`` from every multi-party pick (owners, responsibilities, authorities)."""
    lists: list[tuple[str, str]] = [
        ("goals", "owners"),
        ("responsibilities", "parties"),
        ("authorities", "parties"),
    ]
    for section, field in lists:
        for item in data.get(section) or []:
            if party_id in (item.get(field) or []):
                item[field] = [p for p in item[field] if p != party_id]


# --------------------------------------------------------------------------- places


def place(path: str, data: dict[str, Any]) -> str:
    """A JSON path in words: ``$.goals[0].metrics`` -> ``Goals › Fewer shootings › Metrics``."""
    words: list[str] = []
    value: Any = data
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path):
        key, index = part
        if key:
            words.append(key.replace("_", " ").capitalize())
            value = value.get(key) if isinstance(value, dict) else None
            continue
        value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
        words.append(_item_name(value, int(index)))
    return " › ".join(words) or "The agreement"


def _item_name(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for field in ("acronym", "title", "name", "term", "citation", "description", "party"):
            if isinstance(item.get(field), str) and item[field]:
                text = item[field]
                return text if len(text) <= 40 else text[:39] + "…"
    return f"item {index + 1}"


# --------------------------------------------------------------------------- words

_PATH = re.compile(r"\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+")
_NAME = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_QUOTED = re.compile(r"(\"[^\"]*\"|'[^']*'|“[^”]*”)")
_PHRASES = (
    (re.compile(r"^required field is missing$|^Field required$"), "required: fill it in"),
    (re.compile(r"needs at least 1 items?"), "needs at least one entry"),
    (re.compile(r"needs at least (\d+) items"), r"needs at least \1 entries"),
    (re.compile(r"List should have at least 1 item.*"), "needs at least one entry"),
    (re.compile(r"^is empty; give a value or remove the field$"), "is empty: fill it in"),
)


def paths_in(message: str) -> list[str]:
    """The JSON paths a message mentions ("add one under $.responsibilities")."""
    return _PATH.findall(message)


def in_words(message: str, data: dict[str, Any]) -> str:
    """A problem message in the words a liaison sees: places and names, no internal ones.

    ``$.goals[0].metrics`` becomes “Goals › Fewer shootings › Metrics”, a field name
    such as ``effective_rule`` becomes "effective rule", and the validators' stock
    phrases ("required field is missing") read as instructions.
    """
    for pattern, words in _PHRASES:
        message = pattern.sub(words, message)
    message = _PATH.sub(lambda m: f"“{place(m.group(0), data)}”", message)
    pieces = _QUOTED.split(message)  # quoted user text stays exactly as typed
    return "".join(
        piece if odd else _NAME.sub(lambda m: m.group(0).replace("_", " "), piece)
        for odd, piece in zip(itertools.cycle((False, True)), pieces, strict=False)
    )

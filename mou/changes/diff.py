"""Semantic diff of two agreement models: what changed, where, in words a reviewer reads.

Items of every list are matched by their key (``id``, or the ``key_field`` of per-party
rows such as cost shares), never by position, so inserting a party at the top is one
addition, not a cascade of edits. Order is a separate fact: items whose relative order
changed are reported as moves, chosen as the fewest items that restore the old order
(everything outside a longest common subsequence of the keys), so one swap is one move.

Paths are JSON paths that name items by key rather than index, and stay valid across
revisions::

    $.parties[id=ccso].signatories[id=sheriff].title
    $.funding.cost_shares[party=ccso].percent
    $.information_sharing.cjis_provisions[topic=audit].text

Prose fields (and lists of lines, such as ``supersedes``) carry a word-level diff whose
tokens keep numbers such as ``3.5``, ``$1,000.00`` and ``§ 12`` whole. This module knows
nothing of git or Word: it receives two models.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, StringConstraints

from ..model import LINE_MAX, PROSE_MAX, Agreement
from ..outline import section_titles
from .sequences import opcodes

Kind = Literal["added", "removed", "changed", "moved"]
KINDS: tuple[Kind, ...] = ("added", "removed", "changed", "moved")
SEPARATOR = " › "

# Top-level field -> the part of the agreement it belongs to, in document order.
SECTIONS: dict[str, str] = section_titles()
# List field -> what one of its items is called.
_ITEM_NAMES: dict[str, str] = {
    "parties": "Party",
    "sub_units": "Sub-unit",
    "signatories": "Signatory",
    "authorities": "Authority",
    "background": "Recital",
    "goals": "Goal",
    "metrics": "Metric",
    "definitions": "Definition",
    "responsibilities": "Responsibility",
    "seats": "Board seat",
    "personnel": "Personnel assignment",
    "data_categories": "Data category",
    "cjis_provisions": "CJIS provision",
    "permitted_uses": "Permitted use",
    "prohibited_uses": "Prohibited use",
    "resources": "Resource",
    "cost_shares": "Cost share",
    "fee_schedule": "Fee",
    "distribution": "Forfeiture share",
    "commitments": "Training commitment",
    "levels": "Escalation level",
    "additional": "Additional provision",
    "own_cost_exceptions": "Exception",
    "caps": "Cap",
    "reimbursements": "Reimbursement",
    "remittances": "Remittance",
    "exhibits": "Exhibit",
    "rows": "Row",
}

_WORDS_CASED = {"cji": "CJI", "cjis": "CJIS", "id": "ID"}

# Numbers with currency, thousands separators, decimals and percent; section signs with
# their number; words with inner hyphens or apostrophes; any other single character.
# Each token carries the whitespace after it, so joining tokens gives the text back.
_TOKEN = re.compile(
    r"""(?:\$?\d+(?:[.,/\-]\d+)*%?   # 3.5  $1,000.00  100%  2018-04
        |§+\s*\d+(?:[.\-]\d+)*       # § 12  §§ 1535.2
        |\w+(?:[-'’]\w+)*            # words
        |[^\w\s]                     # punctuation
        |^\s+                        # leading whitespace
       )\s*""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class WordOp:
    """One run of a word-level diff: ``equal``, ``delete`` (old text) or ``insert``."""

    op: Literal["equal", "delete", "insert"]
    text: str


@dataclass(frozen=True)
class Change:
    """One difference between two versions of an agreement."""

    kind: Kind
    path: str
    """Key-based JSON path, e.g. ``$.parties[id=ccso].signatories[id=sheriff].title``."""
    label: str
    """For people, e.g. ``Party CCSO › Signatory sheriff › Title``."""
    section: str
    """The article the change falls in, e.g. ``Parties`` or ``Funding``."""
    party: str | None = None
    """Id of the party the change belongs to, when it is inside a party or a party's row."""
    old: Any = None
    """Value before (JSON-ready); for a move, the 1-based position before."""
    new: Any = None
    words: tuple[WordOp, ...] | None = field(default=None, compare=False)
    """Word-level diff of a prose field."""

    def as_json(self) -> dict[str, Any]:
        """The change as a JSON-ready mapping (the `--json` shape)."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "path": self.path,
            "label": self.label,
            "section": self.section,
            "party": self.party,
            "old": self.old,
            "new": self.new,
        }
        if self.words is not None:
            data["words"] = [{"op": w.op, "text": w.text} for w in self.words]
        return data


# --------------------------------------------------------------------------- public API


def diff(old: Agreement, new: Agreement) -> list[Change]:
    """Every change from ``old`` to ``new``, in document order."""
    context = _Context(acronyms=_acronyms(old) | _acronyms(new))
    return list(_diff_model(old, new, _Place("$", (), "", None), context))


def group_by_section(changes: list[Change]) -> dict[str, list[Change]]:
    """Changes grouped by article, articles in document order."""
    order = list(dict.fromkeys(SECTIONS.values()))
    groups: dict[str, list[Change]] = {}
    for change in sorted(changes, key=lambda c: order.index(c.section)):
        groups.setdefault(change.section, []).append(change)
    return groups


def group_by_party(changes: list[Change]) -> dict[str | None, list[Change]]:
    """Changes grouped by party id (``None``: not about one party), in first-seen order."""
    groups: dict[str | None, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.party, []).append(change)
    return groups


def count_by_kind(changes: list[Change]) -> dict[str, int]:
    """How many changes of each kind (every kind present, zero when none)."""
    return {kind: sum(1 for c in changes if c.kind == kind) for kind in KINDS}


def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level diff of two texts; numbers and section references stay whole tokens."""
    a, b = tokenize(old), tokenize(new)
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            ops.append(WordOp("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(WordOp("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(WordOp("insert", "".join(b[j1:j2])))
    return tuple(ops)


def tokenize(text: str) -> list[str]:
    """Split text into word tokens, each with its trailing whitespace; joined, they are text."""
    return _TOKEN.findall(text)


def path_parts(path: str) -> list[str]:
    """``$.a[id=x].b`` -> ``["$", ".a", "[id=x]", ".b"]``: the steps of a key-based path."""
    return ["$", *re.findall(r"\.[a-z_]+|\[[a-z_]+=[^\]]*\]", path[1:])]


def value_at(model: BaseModel, path: str, index: dict | None = None) -> Any:
    """The JSON-ready value at a key-based path in ``model``; None when nothing is there.

    Pass the same ``index`` (a dict) to many calls on one model: each list is then keyed
    once, not searched item by item for every path (thousands of moved items).
    """
    value: Any = model
    for part in path_parts(path)[1:]:
        if part.startswith("."):
            value = getattr(value, part[1:], None)
        else:
            key_field, key = part[1:-1].split("=", 1)
            value = _keyed(value or [], key_field, index).get(key)
        if value is None:
            return None
    return _plain(value)


def _keyed(items: list, key_field: str, index: dict | None) -> dict[str, Any]:
    """``items`` by key (the first of a repeated key, as a search finds it)."""
    if index is not None and (id(items), key_field) in index:
        return index[id(items), key_field][1]
    keyed: dict[str, Any] = {}
    for item in reversed(items):
        keyed[_key(item, key_field)] = item
    if index is not None:
        index[id(items), key_field] = (items, keyed)  # the list is kept so its id stays unique
    return keyed


def ancestors(path: str) -> list[str]:
    """Every proper ancestor of a key-based path, nearest last (``$`` first)."""
    parts = path_parts(path)
    return ["".join(parts[:n]) for n in range(1, len(parts))]


@dataclass(frozen=True)
class Entry:
    """One field or list item of an agreement, located the way changes are."""

    path: str
    label: str
    section: str
    party: str | None


def entries(agreement: Agreement) -> list[Entry]:
    """Every set field and every list item of ``agreement``, in document order (for blame)."""
    context = _Context(acronyms=_acronyms(agreement))
    return list(_model_entries(agreement, _Place("$", (), "", None), context))


# --------------------------------------------------------------------------- walking


@dataclass(frozen=True)
class _Context:
    acronyms: dict[str, str]


@dataclass(frozen=True)
class _Place:
    path: str
    labels: tuple[str, ...]
    section: str
    party: str | None

    def field(self, name: str) -> _Place:
        section = self.section or SECTIONS.get(name, name)
        return _Place(f"{self.path}.{name}", (*self.labels, _humanize(name)), section, self.party)

    def item(self, list_name: str, key_field: str, key: str, context: _Context) -> _Place:
        names_party = list_name == "parties" or key_field == "party"
        party = key if names_party else self.party
        shown = context.acronyms.get(key, key) if names_party else _shown_key(key_field, key)
        label = f"{_ITEM_NAMES.get(list_name, _humanize(list_name))} {shown}"
        path = f"{self.path}[{key_field}={key}]"
        return _Place(path, (*self.labels[:-1], label), self.section, party)

    def entry(self) -> Entry:
        return Entry(self.path, SEPARATOR.join(self.labels), self.section, self.party)

    def change(self, kind: Kind, old: Any, new: Any, words: Any = None) -> Change:
        label = SEPARATOR.join(self.labels) or "Agreement"
        return Change(kind, self.path, label, self.section or "Title block", self.party,
                      old, new, words)  # fmt: skip


def _diff_model(old: BaseModel, new: BaseModel, place: _Place, ctx: _Context) -> Iterator[Change]:
    if old == new:
        return
    for name, kind in _field_kinds(type(new)).items():
        old_value, new_value = getattr(old, name), getattr(new, name)
        if old_value is not new_value and old_value != new_value:
            yield from _diff_field(kind, old_value, new_value, place.field(name), ctx)


def _diff_field(kind: str, old: Any, new: Any, place: _Place, ctx: _Context) -> Iterator[Change]:
    if kind == "items":
        yield from _diff_items(old, new, place, ctx)
    elif old is None or new is None or old == [] or new == []:
        yield _presence_change(kind, old, new, place)
    elif kind == "model":
        yield from _diff_model(old, new, place, ctx)
    elif kind in ("prose", "lines"):
        old_text, new_text = _text(old), _text(new)
        yield place.change("changed", old, new, word_diff(old_text, new_text))
    else:
        yield place.change("changed", _plain(old), _plain(new))


def _presence_change(kind: str, old: Any, new: Any, place: _Place) -> Change:
    """A value that appears or disappears as a whole: added or removed, not changed."""
    if old is None or old == []:
        words = (WordOp("insert", _text(new)),) if kind in ("prose", "lines") else None
        return place.change("added", None, _plain(new), words)
    words = (WordOp("delete", _text(old)),) if kind in ("prose", "lines") else None
    return place.change("removed", _plain(old), None, words)


def _diff_items(old: list, new: list, place: _Place, ctx: _Context) -> Iterator[Change]:
    key_field = _key_field(old or new)
    old_by_key = {_key(item, key_field): item for item in old}
    new_by_key = {_key(item, key_field): item for item in new}
    list_name = place.path.rsplit(".", 1)[-1]
    moved = _moved_keys(list(old_by_key), list(new_by_key))
    old_positions = {key: n for n, key in enumerate(old_by_key, 1)}
    for position, (key, item) in enumerate(new_by_key.items(), 1):
        before = old_by_key.get(key)
        if before is not None and key not in moved and (before is item or before == item):
            continue  # the common case in a long list: nothing to say, no place to build
        item_place = place.item(list_name, key_field, key, ctx)
        if before is None:
            yield item_place.change("added", None, _plain(item))
            continue
        if key in moved:
            yield item_place.change("moved", old_positions[key], position)
        yield from _diff_model(before, item, item_place, ctx)
    for key, item in old_by_key.items():
        if key not in new_by_key:
            yield place.item(list_name, key_field, key, ctx).change("removed", _plain(item), None)


def _moved_keys(old_keys: list[str], new_keys: list[str]) -> set[str]:
    """Keys outside a longest common subsequence of the kept keys: the fewest moves.

    Keys are unique, so that subsequence is the longest run of kept keys, in their new
    order, whose old positions increase.
    """
    old_at = {key: n for n, key in enumerate(old_keys, 1)}
    kept = [(old_at[key], n, key) for n, key in enumerate(new_keys, 1) if key in old_at]
    if all(kept[n][0] < kept[n + 1][0] for n in range(len(kept) - 1)):
        return set()  # still in order: nothing moved
    return {key for _, _, key in kept} - _longest_increasing(kept)


def _longest_increasing(kept: list[tuple[int, int, str]]) -> set[str]:
    """Keys of the longest chain with increasing old positions.

    Among chains as long, the one leaving the most items at their old position, so a move
    reads "from 3 to 2" rather than "from 3 to 3" whenever the choice is free; then the
    one of earlier items, so of two swapped rows the one brought forward moves, as the
    redline (difflib over the document) shows it.

    Each item's best chain ends on the best chain among the items before it with a
    smaller old position: a prefix maximum over old positions, kept in a Fenwick tree, so
    two thousand reordered items cost n log n rather than n² comparisons.
    """
    best = _PrefixBest(max((old for old, _, _ in kept), default=0))
    before: list[int | None] = []
    ends: list[tuple[tuple[int, int], int, int]] = []  # (score, -old position, index)
    for i, (old, new, _) in enumerate(kept):
        found = best.query(old - 1)
        length, unmoved = found[0] if found else (0, 0)
        before.append(found[2] if found else None)
        entry = ((length + 1, unmoved + (old == new)), -old, i)
        ends.append(entry)
        best.update(old, entry)
    end = max(ends)[2] if ends else None
    chain = set()
    while end is not None:
        chain.add(kept[end][2])
        end = before[end]
    return chain


class _PrefixBest:
    """The greatest entry stored at positions 1..p, for any p: a Fenwick tree of maxima."""

    def __init__(self, size: int) -> None:
        self.tree: list[Any] = [None] * (size + 1)

    def update(self, position: int, entry: Any) -> None:
        while position < len(self.tree):
            if self.tree[position] is None or self.tree[position] < entry:
                self.tree[position] = entry
            position += position & -position

    def query(self, position: int) -> Any:
        found = None
        while position > 0:
            if self.tree[position] is not None and (found is None or found < self.tree[position]):
                found = self.tree[position]
            position -= position & -position
        return found


def _model_entries(model: BaseModel, place: _Place, ctx: _Context) -> Iterator[Entry]:
    for name, kind in _field_kinds(type(model)).items():
        value = getattr(model, name)
        if value is None or value == [] or name == getattr(type(model), "key_field", None):
            continue
        field_place = place.field(name)
        if kind == "model":
            yield from _model_entries(value, field_place, ctx)
        elif kind == "items":
            yield from _item_entries(value, field_place, ctx)
        else:
            yield field_place.entry()


def _item_entries(items: list[BaseModel], place: _Place, ctx: _Context) -> Iterator[Entry]:
    key_field = _key_field(items)
    list_name = place.path.rsplit(".", 1)[-1]
    for item in items:
        item_place = place.item(list_name, key_field, _key(item, key_field), ctx)
        yield item_place.entry()
        yield from _model_entries(item, item_place, ctx)


# --------------------------------------------------------------------------- field kinds


@cache
def _field_kinds(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> how to compare it: model, items, prose, lines or scalar."""
    return {
        name: _kind_of(info.annotation, info.metadata) for name, info in model.model_fields.items()
    }


def _kind_of(annotation: Any, metadata: list[Any]) -> str:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind_of(args[0], [*metadata, *annotation.__metadata__])
    if origin is list:
        inner = _kind_of(args[0], [])
        return {"model": "items", "line": "lines"}.get(inner, "scalar")
    if args and origin is not None:  # an optional: X | None
        return _kind_of(args[0], metadata)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model"
    lengths = [m.max_length for m in metadata if isinstance(m, StringConstraints)]
    if PROSE_MAX in lengths:
        return "prose"
    return "line" if LINE_MAX in lengths else "scalar"


def _key_field(items: list[BaseModel]) -> str:
    key_field = getattr(type(items[0]), "key_field", None)
    if key_field is None:
        raise TypeError(f"{type(items[0]).__name__} has no key_field to match items by")
    return key_field


def _key(item: BaseModel, key_field: str) -> str:
    value = getattr(item, key_field)
    return value if type(value) is str else str(_plain(value))


# --------------------------------------------------------------------------- values


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a model value: models as data, enums and dates as strings.

    Whole-number floats become integers, as the model writes them (an amount reads
    ``36000``, never ``36000.0``, whether alone or inside an added item).
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _text(value: str | list[str]) -> str:
    return "\n".join(value) if isinstance(value, list) else value


def _acronyms(agreement: Agreement) -> dict[str, str]:
    return {party.id: party.acronym for party in agreement.parties}


def field_words(name: str) -> str:
    """A field's name as a label says it: ``data_source`` -> ``Data source``."""
    return _humanize(name)


def item_noun(list_name: str) -> str:
    """What one item of the list ``list_name`` is called: ``responsibilities`` ->
    ``Responsibility``."""
    return _ITEM_NAMES.get(list_name, _humanize(list_name))


def _humanize(name: str) -> str:
    words = [_WORDS_CASED.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _shown_key(key_field: str, key: str) -> str:
    return _humanize(key) if key_field == "topic" else key

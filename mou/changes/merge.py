"""Field-level three-way merge of two versions of an agreement against their merge base.

Two people edit one agreement; git finds the version both started from (the base).
The merge walks the three versions field by field, never by line or position:

* a field changed on one side only takes that side's value; changed identically on
  both sides, that value; changed differently, it is a conflict;
* list items are matched by their key (``id``, or ``party`` for per-party rows), as the
  diff matches them: an item added on one side is added, an item added identically on
  both is kept once, and two different items under one key are a conflict, as is an
  item removed on one side and changed on the other;
* order is a separate fact: a reorder on one side and an edit on the other both apply;
  two different reorders are a conflict;
* prose (and lists of lines) merges word by word when the edits do not overlap, the
  way diff3 merges lines; overlapping edits are a conflict.

The result is validated like any save: a merge that would be invalid (cost shares no
longer summing to 100 %, a reference to a party the other side removed) is a conflict,
never an agreement. ``prefer`` settles each conflicting field one way (``mine`` or
``theirs``), and nothing else. This module knows nothing of git: it receives models.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from ..errors import InvalidAgreement, MouError
from ..model import Agreement, to_data
from ..store.sync import FieldMerge
from ..validate import load_bytes, validate_data
from ..yamlio import CONFLICT_NOTE, dump
from .diff import _acronyms, _Context, _field_kinds, _key, _key_field, _Place, _plain, tokenize
from .sequences import opcodes

Prefer = Literal["mine", "theirs"]
PREFERENCES: tuple[Prefer, ...] = ("mine", "theirs")


@dataclass(frozen=True)
class Conflict:
    """One place both sides changed in ways that cannot both hold."""

    path: str
    """Key-based JSON path, as in the diff: ``$.parties[id=ccso].signatories[id=x].title``."""
    label: str
    """For people: ``Party CCSO › Signatory x › Title``."""
    reason: str
    base: Any
    mine: Any
    theirs: Any

    def as_json(self) -> dict[str, Any]:
        """The conflict as JSON-ready data (the `mou sync --json` shape)."""
        return {
            "path": self.path,
            "label": self.label,
            "reason": self.reason,
            "base": self.base,
            "mine": self.mine,
            "theirs": self.theirs,
        }


@dataclass(frozen=True)
class Merged:
    """The outcome of a merge: the agreement (None: removed) unless conflicts remain."""

    agreement: Agreement | None
    conflicts: tuple[Conflict, ...]
    """Conflicts left open; when any, ``agreement`` is None and means nothing."""
    resolved: tuple[Conflict, ...] = ()
    """Conflicts ``prefer`` settled."""

    @property
    def clean(self) -> bool:
        """Whether the merge needs no one's decision."""
        return not self.conflicts


def merge(
    base: Agreement | None,
    mine: Agreement | None,
    theirs: Agreement | None,
    prefer: Prefer | None = None,
    choices: Mapping[str, Prefer] | None = None,
) -> Merged:
    """Merge ``mine`` and ``theirs`` against ``base`` (None: absent in that version).

    ``choices`` settle conflicts one by one, by path (as a conflict names it); ``prefer``
    settles the rest.
    """
    walker = _Merger(prefer, _context(base, mine, theirs), choices or {})
    data = walker.value("model", base, mine, theirs, _Place("$", (), "", None))
    if walker.conflicts:
        return Merged(None, tuple(walker.conflicts), tuple(walker.resolved))
    if data is None:
        return Merged(None, (), tuple(walker.resolved))
    try:
        agreement = validate_data(data, "the merged agreement")
    except InvalidAgreement as err:
        return Merged(None, (_invalid(err),), tuple(walker.resolved))
    return Merged(agreement, (), tuple(walker.resolved))


def sync_merger(
    prefer: Prefer | None, choices: Mapping[str, Mapping[str, Prefer]] | None = None
) -> Callable[..., FieldMerge]:
    """The merge as the store's sync calls it: three versions in, a :class:`FieldMerge` out.

    ``choices`` maps an agreement id to its conflicts settled one by one (path → side).
    """

    def merge_for_sync(
        base: Agreement | None, mine: Agreement | None, theirs: Agreement | None
    ) -> FieldMerge:
        agreement_id = (mine or theirs or base).id  # type: ignore[union-attr]
        chosen = (choices or {}).get(agreement_id)
        merged = merge(base, mine, theirs, prefer, chosen)
        return FieldMerge(
            merged.agreement,
            [c.as_json() for c in merged.conflicts],
            [c.as_json() for c in merged.resolved],
        )

    return merge_for_sync


def merge_files(base: bytes | None, mine: bytes, theirs: bytes, path: str) -> tuple[bytes, bool]:
    """Git's merge driver: the merged file, and whether it merged cleanly.

    On a conflict the file holds both outcomes — everything merged, with each conflicting
    field settled one way, then the other — between git's markers, after one
    ``# mou-conflict: PATH: why`` line per conflicting place, which `mou validate`
    reports. A version that is not a valid agreement is kept whole, as git would.
    """
    try:
        named = (("base", base), ("mine", mine), ("theirs", theirs))
        versions = [load_bytes(raw, f"{path}@{side}") if raw else None for side, raw in named]
    except MouError as err:
        why = err.message.splitlines()[0]
        return _conflict_file(path, [("$", f"cannot merge by field: {why}")], mine, theirs), False
    base_model, mine_model, theirs_model = versions
    merged = merge(base_model, mine_model, theirs_model)
    if merged.clean:
        return (b"" if merged.agreement is None else _canonical(merged.agreement)), True
    places = [(c.path, c.reason) for c in merged.conflicts]
    sides = [merge(base_model, mine_model, theirs_model, p).agreement for p in PREFERENCES]
    mine_text, theirs_text = (
        _canonical(settled) if settled is not None else raw
        for settled, raw in zip(sides, (mine, theirs), strict=True)
    )
    return _conflict_file(path, places, mine_text, theirs_text), False


def _canonical(agreement: Agreement) -> bytes:
    return dump(to_data(agreement)).encode("utf-8")


def _conflict_file(path: str, places: list[tuple[str, str]], mine: bytes, theirs: bytes) -> bytes:
    lines = [
        f"# mou: unresolved merge conflict in {path}. Keep one of the two versions below",
        "# (each holds every edit that merged), fix the places listed, delete the other",
        "# version and the marker lines, then save.",
        *(f"{CONFLICT_NOTE}{where}: {why}" for where, why in places),
        "<<<<<<< mine",
    ]
    head = "\n".join(lines).encode() + b"\n"
    return head + _ending(mine) + b"=======\n" + _ending(theirs) + b">>>>>>> theirs\n"


def _ending(raw: bytes) -> bytes:
    return raw if raw.endswith(b"\n") or not raw else raw + b"\n"


def _context(*versions: Agreement | None) -> _Context:
    acronyms: dict[str, str] = {}
    for version in versions:
        if version is not None:
            acronyms |= _acronyms(version)
    return _Context(acronyms)


def _invalid(err: InvalidAgreement) -> Conflict:
    problems = "; ".join(f"{p.path}: {p.message}" for p in err.problems[:3])
    more = f" (and {len(err.problems) - 3} more)" if len(err.problems) > 3 else ""
    return Conflict(
        "$",
        "Agreement",
        f"each side's edits apply, but together they make an invalid agreement: {problems}{more}",
        None,
        None,
        None,
    )


class _Merger:
    """One walk over three versions, collecting conflicts as it goes."""

    def __init__(
        self, prefer: Prefer | None, context: _Context, choices: Mapping[str, Prefer]
    ) -> None:
        self.prefer = prefer
        self.context = context
        self.choices = choices
        self.conflicts: list[Conflict] = []
        self.resolved: list[Conflict] = []

    def value(self, kind: str, base: Any, mine: Any, theirs: Any, place: _Place) -> Any:
        """The merged JSON-ready value of one field (None: absent)."""
        if kind == "items":
            base, mine, theirs = base or [], mine or [], theirs or []
        if _same(mine, theirs) or _same(base, theirs):
            return _plain(mine)
        if _same(base, mine):
            return _plain(theirs)
        if kind == "model" and mine is not None and theirs is not None:
            return self.model(base, mine, theirs, place)
        if kind == "items":
            return self.items(base, mine, theirs, place)
        if kind in ("prose", "lines") and mine is not None and theirs is not None:
            return self.text(kind, base, mine, theirs, place)
        return self.conflict(place, _reason(base, mine, theirs), base, mine, theirs)

    def model(self, base: Any, mine: BaseModel, theirs: BaseModel, place: _Place) -> Any:
        """A model merged field by field; fields left empty are left out, as in a file."""
        merged: dict[str, Any] = {}
        for name, kind in _field_kinds(type(mine)).items():
            old = getattr(base, name) if base is not None else None
            value = self.value(kind, old, getattr(mine, name), getattr(theirs, name),
                               place.field(name))  # fmt: skip
            if value is not None and value != []:
                merged[name] = value
        return merged

    def items(self, base: list, mine: list, theirs: list, place: _Place) -> list[Any]:
        """A keyed list merged item by item, then put in order."""
        key_field = _key_field(base or mine or theirs)
        by_key = [{_key(item, key_field): item for item in side} for side in (base, mine, theirs)]
        list_name = place.path.rsplit(".", 1)[-1]
        merged: dict[str, Any] = {}
        for key in {**by_key[1], **by_key[2], **by_key[0]}:
            old, ours, other = (side.get(key) for side in by_key)
            item_place = place.item(list_name, key_field, key, self.context)
            if old is None and ours is not None and other is not None and ours != other:
                reason = "added on both sides with different content"
                merged[key] = self.conflict(item_place, reason, None, ours, other)
            else:
                merged[key] = self.value("model", old, ours, other, item_place)
        order = self.order([list(side) for side in by_key], place)
        return [merged[key] for key in order if merged.get(key) is not None]

    def order(self, keys: list[list[str]], place: _Place) -> list[str]:
        """The merged order: the side that reordered wins; the other's additions join it."""
        base, mine, theirs = keys
        mine_moved, theirs_moved = _reordered(base, mine), _reordered(base, theirs)
        skeleton, other = (theirs, mine) if theirs_moved and not mine_moved else (mine, theirs)
        if mine_moved and theirs_moved and _common_order(mine, theirs, base) is None:
            reason = "reordered differently on both sides"
            side = self.conflict(place, reason, base, mine, theirs, plain=False)
            if side is theirs:
                skeleton, other = theirs, mine
        return _with_additions(skeleton, other, base)

    def text(self, kind: str, base: Any, mine: Any, theirs: Any, place: _Place) -> Any:
        """Prose merged word by word (a list of lines, line by line), as diff3 merges."""
        split: Callable[[Any], list[str]] = tokenize if kind == "prose" else list
        merged = merge_sequences(split(base or ([] if kind == "lines" else "")),
                                 split(mine), split(theirs))  # fmt: skip
        if merged is None:
            return self.conflict(place, "edited on both sides where the edits overlap",
                                 base, mine, theirs)  # fmt: skip
        return "".join(merged) if kind == "prose" else merged

    def conflict(
        self, place: _Place, reason: str, base: Any, mine: Any, theirs: Any, plain: bool = True
    ) -> Any:
        """Record a conflict; the preferred side's value when ``prefer`` settles it."""
        shown = [_plain(v) if plain else v for v in (base, mine, theirs)]
        found = Conflict(place.path, _label(place), reason, *shown)
        side = self.choices.get(place.path, self.prefer)
        (self.resolved if side else self.conflicts).append(found)
        return shown[2] if side == "theirs" else shown[1]


def _label(place: _Place) -> str:
    return place.change("changed", None, None).label


def _same(a: Any, b: Any) -> bool:
    return a is b or a == b


def _reason(base: Any, mine: Any, theirs: Any) -> str:
    if mine is None or theirs is None:
        return "removed on one side, changed on the other"
    if base is None:
        return "added on both sides with different values"
    return "changed on both sides to different values"


def _reordered(base: list[str], side: list[str]) -> bool:
    """Whether ``side`` put the items it kept from ``base`` in another order."""
    kept_base, kept_side = set(base), set(side)
    return [k for k in side if k in kept_base] != [k for k in base if k in kept_side]


def _common_order(mine: list[str], theirs: list[str], base: list[str]) -> list[str] | None:
    """The order both sides give the items all three share, if they agree on it."""
    shared = set(mine) & set(theirs) & set(base)
    ours = [k for k in mine if k in shared]
    return ours if ours == [k for k in theirs if k in shared] else None


def _with_additions(skeleton: list[str], other: list[str], base: list[str]) -> list[str]:
    """``skeleton`` with each key only ``other`` has placed after its predecessor there.

    Where both sides added items at one place, the skeleton's come first, then the other's.
    """
    present, known = set(skeleton), set(base) | set(other)
    after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for key in other:
        if key in present:
            anchor = key
        else:
            after.setdefault(anchor, []).append(key)
    order: list[str] = []
    waiting = list(after.get(None, []))
    for key in skeleton:
        if key in known:  # an item both had: the other's additions before it go first
            order.extend(waiting)
            waiting = []
        order.append(key)
        waiting.extend(after.get(key, []))
    return order + waiting


# --------------------------------------------------------------------------- sequences

_Hunk = tuple[int, int, Sequence[Hashable]]


def merge_sequences(
    base: Sequence[Hashable], mine: Sequence[Hashable], theirs: Sequence[Hashable]
) -> list[Any] | None:
    """Both sides' edits of ``base`` applied, or None when two edits overlap (diff3).

    Edits are runs of ``base`` replaced (an insertion replaces nothing). Two edits
    overlap when their runs share an element, or when both start at one place and one
    of them inserts (which goes first is then nobody's choice). An edit made on both
    sides alike is applied once.
    """
    ours, other = _hunks(base, mine), _hunks(base, theirs)
    merged: list[Any] = []
    at = i = j = 0
    while i < len(ours) or j < len(other):
        a = ours[i] if i < len(ours) else None
        b = other[j] if j < len(other) else None
        if a is not None and b is not None:
            if a == b:
                j += 1  # the same edit on both sides: apply it once
            elif _overlap(a, b):
                return None
        if b is None or (a is not None and (a[0], a[1]) <= (b[0], b[1])):
            hunk, i = a, i + 1
        else:
            hunk, j = b, j + 1
        assert hunk is not None
        merged.extend(base[at : hunk[0]])
        merged.extend(hunk[2])
        at = hunk[1]
    merged.extend(base[at:])
    return merged


def _hunks(base: Sequence[Hashable], side: Sequence[Hashable]) -> list[_Hunk]:
    return [(i1, i2, side[j1:j2]) for tag, i1, i2, j1, j2 in opcodes(base, side) if tag != "equal"]


def _overlap(a: _Hunk, b: _Hunk) -> bool:
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]

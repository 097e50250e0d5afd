"""Quick loading of committed agreement files, for walks over many revisions.

Blame and the redline's attribution read every revision of an agreement in a range;
the exact loader (:mod:`mou.yamlio`, a pure-Python round-trip parser that keeps line
numbers for error messages) takes about a third of a second for a large agreement,
which ten revisions turn into seconds. Committed files were written canonically by
``mou``, so here libyaml parses them with YAML 1.2 core-schema resolvers (``yes`` and
``no`` stay strings, ``017`` is seventeen, dates stay text, as in :mod:`mou.yamlio`) and
pydantic validates the result (a version-1 file migrated first, as the exact loader
does). Anything unusual — aliases, tags, a parse error, a key
that appears twice, a value the model refuses — returns ``None`` and the caller falls
back to the exact loader, which also gives the one-line error message.
"""

from __future__ import annotations

import typing
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from .coreyaml import MAX_BYTES, load_piece, plain_data, plain_value
from .errors import InvalidAgreement
from .migrate import CURRENT_VERSION, declared_version, migrate_v1, version_problem
from .model import Agreement
from .validate import validate_parsed
from .yamlchunks import list_items, top_level
from .yamlio import Parsed


def quick_load(raw: bytes) -> Agreement | None:
    """The agreement in ``raw`` when it is plain YAML the model accepts, else None.

    The model alone checks it (no schema or reference checks): enough for walking the
    revisions between two that are checked fully, where the worst outcome of a lenient
    read is a change credited to a neighbouring commit.
    """
    data = plain_data(raw)
    if data is None or version_problem(declared_version(data)):
        return None
    if declared_version(data) != CURRENT_VERSION:
        data = migrate_v1(data)  # lenient like the rest: the model checks the result
    try:
        return Agreement.model_validate(data)
    except ValidationError:
        return None


def quick_validated(raw: bytes, source: str, expected_id: str) -> Agreement | None:
    """The agreement in ``raw``, checked as fully as the exact loader checks it, or None."""
    data = plain_data(raw)
    if data is None:
        return None
    try:
        return validate_parsed(Parsed(data=data, source=source), expected_id)
    except InvalidAgreement:
        return None  # the exact loader says where, with line numbers


# ---------------------------------------------------------------------- revision walks


class _Declined(Exception):
    """A piece the reader cannot take on its own; the whole file is loaded instead."""


class RevisionReader:
    """Loads many revisions of one agreement, parsing and validating only what changed.

    Consecutive revisions share most of their text. Each top-level key's piece (and each
    item of a list of items) is parsed and validated once, then reused wherever the same
    text comes back; the agreement is assembled from the validated fields. The models
    have no validator that spans fields, so this checks exactly what
    :func:`quick_load` checks; any piece it cannot take alone sends the revision to
    :func:`quick_load` whole.
    """

    def __init__(self) -> None:
        self._fields: dict[tuple[str, str], Any] = {}
        self._items: dict[tuple[str, str], BaseModel] = {}
        self._scratch = Agreement.model_construct()
        self._last: tuple[dict[str, Any], Agreement] | None = None

    def load(self, raw: bytes) -> Agreement | None:
        """The agreement in ``raw`` as :func:`quick_load` reads it, or None."""
        try:
            pieces = top_level(raw.decode("utf-8")) if len(raw) <= MAX_BYTES else None
        except UnicodeDecodeError:
            pieces = None
        if pieces is None:
            return quick_load(raw)
        try:
            values = {key: self._field(key, piece) for key, piece in pieces}
        except _Declined:
            return quick_load(raw)
        return self._assembled(values) if _complete(values) else quick_load(raw)

    def _assembled(self, values: dict[str, Any]) -> Agreement:
        """The agreement of validated ``values``: the previous one with what changed replaced."""
        if self._last is not None and self._last[0].keys() == values.keys():
            before, previous = self._last
            changed = {k: v for k, v in values.items() if v is not before[k]}
            agreement = previous.model_copy(update=changed) if changed else previous
        else:
            agreement = Agreement.model_construct(_fields_set=set(values), **values)
        self._last = (values, agreement)
        return agreement

    def _field(self, key: str, piece: str) -> Any:
        if (key, piece) not in self._fields:
            self._fields[key, piece] = self._validated(key, piece)
        return self._fields[key, piece]

    def _validated(self, key: str, piece: str) -> Any:
        item_model = _item_model(key)
        items = list_items(piece) if item_model is not None else None
        if items is not None and item_model is not None:
            value: Any = [self._item(item_model, key, item) for item in items]
        else:
            data = load_piece(piece)
            if data is None or key not in data:
                raise _Declined
            value = data[key]
        try:
            Agreement.__pydantic_validator__.validate_assignment(self._scratch, key, value)
        except ValidationError:
            raise _Declined from None
        return self._scratch.__dict__[key]

    def _item(self, model: type[BaseModel], key: str, item: str) -> BaseModel:
        if (key, item) not in self._items:
            data = plain_value(item.encode("utf-8", "surrogatepass"))
            if not isinstance(data, list) or len(data) != 1:
                raise _Declined
            try:
                self._items[key, item] = model.model_validate(data[0])
            except ValidationError:
                raise _Declined from None
        return self._items[key, item]


def _complete(values: dict[str, Any]) -> bool:
    return _required() <= values.keys()


@cache
def _required() -> frozenset[str]:
    return frozenset(name for name, info in _fields().items() if info.is_required())


@cache
def _fields() -> dict[str, Any]:
    return dict(Agreement.model_fields)


@cache
def _item_model(key: str) -> type[BaseModel] | None:
    """The model of the items of the top-level field ``key`` when it is ``list[Model]``."""
    info = _fields().get(key)
    if info is None or typing.get_origin(info.annotation) is not list or info.metadata:
        return None
    (item,) = typing.get_args(info.annotation)
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None

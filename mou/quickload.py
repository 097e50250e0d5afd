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

import re
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InvalidAgreement
from .migrate import CURRENT_VERSION, declared_version, migrate_v1, version_problem
from .model import Agreement
from .validate import validate_parsed
from .yamlio import MAX_BYTES, Parsed

_CORE_SCHEMA = [
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("int", r"[-+]?[0-9]+", "-+0123456789"),
    (
        "float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+0123456789.",
    ),
    ("null", r"~|null|Null|NULL|", "~nN"),
]


class _DuplicateKey(yaml.YAMLError):
    """A mapping names a key twice, which the exact loader refuses with its line."""


class _CoreLoader(yaml.CSafeLoader):
    """libyaml with the YAML 1.2 core schema instead of PyYAML's YAML 1.1 resolvers."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class registry)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping, refusing a repeated key (libyaml would silently keep the last)."""
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
        if len(keys) != len(set(keys)):
            raise _DuplicateKey("duplicate key")
        return super().construct_mapping(node, deep=deep)


for _name, _pattern, _first in _CORE_SCHEMA:
    _CoreLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_name}", re.compile(f"^(?:{_pattern})$"), [*_first, ""]
    )
_CoreLoader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(node.value))


def quick_load(raw: bytes) -> Agreement | None:
    """The agreement in ``raw`` when it is plain YAML the model accepts, else None.

    The model alone checks it (no schema or reference checks): enough for walking the
    revisions between two that are checked fully, where the worst outcome of a lenient
    read is a change credited to a neighbouring commit.
    """
    data = _plain_data(raw)
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
    data = _plain_data(raw)
    if data is None:
        return None
    try:
        return validate_parsed(Parsed(data=data, source=source), expected_id)
    except InvalidAgreement:
        return None  # the exact loader says where, with line numbers


def _plain_data(raw: bytes) -> dict[str, Any] | None:
    if len(raw) > MAX_BYTES:
        return None
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(raw, Loader=_CoreLoader)):
            return None
        data = yaml.load(raw, Loader=_CoreLoader)
    except (yaml.YAMLError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None

"""Plain YAML by libyaml with the YAML 1.2 core schema: the fast reader of committed files.

No model and no schema here: `mou list` reads its summary fields through this module
and must start without pydantic. A file this reader declines (aliases, tags, a key
given twice, too large) goes to the exact loader in :mod:`mou.yamlio`, which names
the problem with its line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_BYTES = 5 * 1024 * 1024  # a larger agreement file is refused, not read


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


class CoreLoader(yaml.CSafeLoader):
    """libyaml with the YAML 1.2 core schema instead of PyYAML's YAML 1.1 resolvers."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML's class registry)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping, refusing a repeated key (libyaml would silently keep the last)."""
        _refuse_repeated_keys(node)
        return super().construct_mapping(node, deep=deep)

    def construct_document(self, node: yaml.Node) -> Any:
        """The document's data, built directly where every node is a plain mapping, list
        or scalar of a known tag (PyYAML's general machinery, with its deferred
        generators, costs as much as parsing); anything else the general way."""
        try:
            return self._plain(node)
        except _NotPlain:
            return super().construct_document(node)

    def _plain(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            constructor = self.yaml_constructors.get(node.tag)
            if constructor is None or node.tag not in _PLAIN_SCALARS:
                raise _NotPlain
            return constructor(self, node)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self._plain(item) for item in node.value]
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            if not all(isinstance(key, yaml.ScalarNode) for key, _ in node.value):
                raise _NotPlain  # a complex key: PyYAML says what it makes of it
            _refuse_repeated_keys(node)
            return {self._plain(key): self._plain(value) for key, value in node.value}
        raise _NotPlain


class _NotPlain(Exception):
    """A node the direct builder leaves to PyYAML's general construction."""


_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_PLAIN_SCALARS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}


def _refuse_repeated_keys(node: yaml.MappingNode) -> None:
    keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
    if len(keys) != len(set(keys)):
        raise _DuplicateKey("duplicate key")


for _name, _pattern, _first in _CORE_SCHEMA:
    CoreLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_name}", re.compile(f"^(?:{_pattern})$"), [*_first, ""]
    )
CoreLoader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(node.value))


def plain_data(raw: bytes) -> dict[str, Any] | None:
    """The mapping of plain YAML (see :func:`plain_value`), or None."""
    data = plain_value(raw)
    return data if isinstance(data, dict) else None


def plain_value(raw: bytes) -> Any:
    """The data of plain YAML (no aliases, tags or repeated keys), or None."""
    if len(raw) > MAX_BYTES:
        return None
    try:
        # An alias is written with "*"; without one there is no alias to look for.
        if b"*" in raw and any(
            isinstance(e, yaml.AliasEvent) for e in yaml.parse(raw, Loader=CoreLoader)
        ):
            return None
        return yaml.load(raw, Loader=CoreLoader)
    except (yaml.YAMLError, ValueError, UnicodeDecodeError):
        return None


def load_yaml(text: str | bytes) -> Any:
    """The data of a YAML text by libyaml and the YAML 1.2 core schema; YAMLError if unreadable.

    Aliases are allowed (shared, never expanded), so a summary can be read from any file.
    """
    return yaml.load(text, Loader=CoreLoader)


def load_piece(piece: str) -> dict[str, Any] | None:
    """The mapping of one piece of a file (see :mod:`mou.yamlchunks`), without aliases; or None."""
    data = plain_data(piece.encode("utf-8", "surrogatepass"))
    return data if isinstance(data, dict) and len(data) == 1 else None

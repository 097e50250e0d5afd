"""Canonical YAML: safe reading with line numbers, deterministic writing.

Reading uses LibYAML (through PyYAML) for speed; writing uses ruamel.yaml for its
control of style. Reading refuses what could hurt (files over 5 MB or that are no regular
file, non-UTF-8 bytes, tags the writer would drop, aliases that could expand into a
"billion laughs") and remembers the line of every key and list item so that later
layers can say where a problem is. Writing is deterministic: the same data always
gives the same bytes, so git diffs stay small.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from .coreyaml import MAX_BYTES
from .errors import InvalidAgreement, MouError, Problem

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schemas/agreement.schema.json"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Line breaks YAML would fold and characters YAML cannot hold raw: only escapes carry them.
_NEEDS_ESCAPE = re.compile("[\r\x7f-\x9f\u2028\u2029\ufeff]")
# A merge left undone: git's conflict markers, and the places mou's merge driver lists.
_CONFLICT_MARKER = re.compile(r"^<{7}(?: |$)", re.MULTILINE)
CONFLICT_NOTE = "# mou-conflict: "
_CONFLICT_PLACE = re.compile(rf"^{CONFLICT_NOTE}(\$\S*): (.*)$", re.MULTILINE)


@dataclass
class Parsed:
    """YAML data as plain Python values, with the line of each JSON path."""

    data: Any
    source: str
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent(path)
        return None


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def read_file(path: Path) -> bytes:
    """The bytes of the file at ``path``; never reads more than the 5 MB limit allows.

    MouError if it is not a regular file (a folder, a device such as /dev/zero, a pipe)
    or cannot be read; InvalidAgreement if it is over the limit.
    """
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer before it is refused.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            size = _regular_file_size(fd, path)  # before fdopen, which refuses a folder
        except MouError:
            os.close(fd)
            raise
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise MouError(f"{path}: cannot read: {err.strerror or err}") from None
    if len(raw) > MAX_BYTES:
        _too_big(str(path), max(size, len(raw)))
    return raw


def _regular_file_size(fd: int, path: Path) -> int:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise MouError(f"{path}: not a regular file; an agreement is a YAML file")
    return info.st_size


def _too_big(source: str, size: int) -> NoReturn:
    _fail(source, None, f"file is {size:,} bytes; the limit is {MAX_BYTES:,} (5 MB)")


def read_bytes(raw: bytes, source: str) -> Parsed:
    """Parse an agreement file's bytes; raise InvalidAgreement with located problems."""
    if len(raw) > MAX_BYTES:
        _too_big(source, len(raw))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        _fail(source, line, f"not UTF-8 text (byte 0x{raw[err.start]:02X}); save it as UTF-8")
    return read_text(text, source)


def read_text(text: str, source: str) -> Parsed:
    """Parse YAML text; raise InvalidAgreement with located problems."""
    _refuse_conflict(text, source)
    try:
        _refuse_aliases(text, source)
        root = yaml.compose(text, Loader=_CoreLoader)
    except yaml.MarkedYAMLError as err:
        _fail(source, _mark_line(err), _syntax_message(err, text))
    except yaml.reader.ReaderError as err:
        _fail(source, text[: err.position].count("\n") + 1, _reader_message(err))
    except yaml.YAMLError as err:
        _fail(source, None, f"not valid YAML: {err}")
    if root is None or _is_null(root):
        _fail(source, None, "file is empty; an agreement needs at least id, title and type")
    parsed = Parsed(data=None, source=source, lines={"$": 1})
    parsed.data = _Converter(parsed, source).value(root, "$")
    return parsed


# LibYAML's C loader where PyYAML was built with it; the pure-Python one otherwise.
_FastestSafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CoreLoader(_FastestSafeLoader):
    """LibYAML's parser with the YAML 1.2 core schema (what the writer assumes).

    YAML 1.1 would read ``no`` as false, ``010`` as 8, ``10:30`` as 630 and ``2026-07-01``
    as a date object; here they are the text, the numbers and the text a person meant.
    """

    yaml_implicit_resolvers: ClassVar[dict] = {}


_CORE_TYPES = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
]
for _tag, _pattern, _first in _CORE_TYPES:
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
# The tags the core schema gives (implicitly or as !!str, !!int...); agreements need no other.
_CORE_TAGS = {tag for tag, _, _ in _CORE_TYPES} | {
    f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map")
}


def _refuse_conflict(text: str, source: str) -> None:
    """An unresolved merge: one problem per conflicting place listed, else at the marker."""
    marker = _CONFLICT_MARKER.search(text)
    if marker is None:
        return
    problems = [
        Problem(
            found.group(1),
            f"unresolved merge conflict: {found.group(2)}",
            source,
            text.count("\n", 0, found.start()) + 1,
        )
        for found in _CONFLICT_PLACE.finditer(text)
    ]
    line = text.count("\n", 0, marker.start()) + 1
    message = "unresolved merge conflict (<<<<<<< markers): keep one side, then save"
    raise InvalidAgreement(problems or [Problem("$", message, source, line)])


def _refuse_aliases(text: str, source: str) -> None:
    # An alias can expand exponentially ("billion laughs"); agreements never need one.
    for event in yaml.parse(text, Loader=_CoreLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            _fail(source, line, "YAML aliases (*name) are not allowed in agreement files")


def _is_null(node: yaml.Node) -> bool:
    return node.tag == "tag:yaml.org,2002:null"


def _mark_line(err: yaml.MarkedYAMLError) -> int | None:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else None


def _reader_message(err: yaml.reader.ReaderError) -> str:
    char = err.character
    code = ord(char) if isinstance(char, str) else char
    return f"the character U+{code:04X} is not allowed in YAML or Word documents; delete it"


def _syntax_message(err: yaml.MarkedYAMLError, text: str) -> str:
    line = _mark_line(err)
    lines = text.splitlines()
    source_line = lines[line - 1] if line and line <= len(lines) else ""
    indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in indent or "'\\t'" in str(err.problem):
        return "indented with a tab; YAML indentation must use spaces"
    problem = (err.problem or err.context or "syntax error").strip()
    if "control characters are not allowed" in problem:
        return "holds a control character that YAML and Word documents cannot carry; delete it"
    return f"not valid YAML: {problem}"


def _fail(source: str, line: int | None, message: str, path: str = "$") -> NoReturn:
    raise InvalidAgreement([Problem(path, message, source, line)])


class _Converter:
    """Turns a composed node tree into plain values, recording the line of every path."""

    def __init__(self, parsed: Parsed, source: str) -> None:
        self.lines = parsed.lines
        self.source = source

    def value(self, node: yaml.Node, path: str) -> Any:
        self.refuse_tag(node, path)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.item(child, f"{path}[{i}]") for i, child in enumerate(node.value)]
        return _scalar(node)

    def item(self, node: yaml.Node, path: str) -> Any:
        self.lines[path] = node.start_mark.line + 1
        return self.value(node, path)

    def mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                _fail(self.source, line, "a key must be plain text, not a list or mapping", path)
            self.refuse_tag(key_node, path)
            key = _scalar(key_node)
            if not isinstance(key, str):
                _fail(self.source, line, f"the key {key_node.value!r} must be text", path)
            if key in result:
                _fail(self.source, line, "duplicate key: it appears twice", f"{path}.{key}")
            self.lines[f"{path}.{key}"] = line
            result[key] = self.value(value_node, f"{path}.{key}")
        return result

    def refuse_tag(self, node: yaml.Node, path: str) -> None:
        # Any other tag (!!binary, !!python/object, !custom) would be read as plain text
        # and silently dropped by the writer, changing what the file says.
        if node.tag not in _CORE_TAGS:
            line = node.start_mark.line + 1
            _fail(self.source, line, "YAML tags (!…) are not allowed", path)


def _scalar(node: yaml.Node) -> Any:
    try:
        return _typed_scalar(node.tag, node.value)
    except ValueError:  # e.g. `!!int abc`: keep the text and let the schema name the problem
        return node.value


def _typed_scalar(tag: str, text: str) -> Any:
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        return _core_int(text)
    if tag == "tag:yaml.org,2002:float":
        return _core_float(text)
    return text


def _core_int(text: str) -> int:
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _core_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


# --------------------------------------------------------------------------- writing


def dump(data: dict[str, Any], comment: str = SCHEMA_COMMENT) -> str:
    """Canonical YAML text for agreement data: a first comment line (by default the
    schema's), fixed style, stable order."""
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1_000_000  # never fold: a folded line would end in a stray space
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(_styled(data), stream)
    return f"{comment}\n{stream.getvalue()}"


def _styled(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _styled(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_styled(item) for item in value]
    if isinstance(value, str):
        return _styled_text(value)
    return value


def _styled_text(text: str) -> Any:
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if _NEEDS_ESCAPE.search(text):
        return DoubleQuotedScalarString(text)
    if _fits_literal_block(text):
        return LiteralScalarString(text)
    return text


def _fits_literal_block(text: str) -> bool:
    """Multi-line text that a literal block (``|``) carries exactly."""
    if "\n" not in text or text.startswith((" ", "\n", "\t")):
        return False
    if text.endswith("\n\n"):
        return False
    return all(line == line.rstrip(" \t") for line in text.split("\n"))

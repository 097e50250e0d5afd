"""Canonical YAML: safe reading with line numbers, deterministic writing.

Reading refuses what could hurt (files over 5 MB, non-UTF-8 bytes, aliases that
could expand into a "billion laughs") and remembers the line of every key and
list item so that later layers can say where a problem is. Writing is
deterministic: the same data always gives the same bytes, so git diffs stay small.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from .errors import InvalidAgreement, Problem

MAX_BYTES = 5 * 1024 * 1024
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schemas/agreement.schema.json"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Line breaks YAML would fold and characters YAML cannot hold raw: only escapes carry them.
_NEEDS_ESCAPE = re.compile("[\r\x7f-\x9f\u2028\u2029\ufeff]")


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


def read_bytes(raw: bytes, source: str) -> Parsed:
    """Parse an agreement file's bytes; raise InvalidAgreement with located problems."""
    if len(raw) > MAX_BYTES:
        _fail(source, None, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} (5 MB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        _fail(source, line, f"not UTF-8 text (byte 0x{raw[err.start]:02X}); save it as UTF-8")
    return read_text(text, source)


def read_text(text: str, source: str) -> Parsed:
    """Parse YAML text; raise InvalidAgreement with located problems."""
    yaml = YAML(typ="rt", pure=True)
    try:
        _refuse_aliases(yaml, text, source)
        loaded = yaml.load(text)
    except ReaderError as err:
        _fail(source, text[: err.position].count("\n") + 1, _reader_message(err))
    except MarkedYAMLError as err:
        _fail(source, _mark_line(err), _syntax_message(err, text))
    except YAMLError as err:
        _fail(source, None, f"not valid YAML: {err}")
    if loaded is None:
        _fail(source, None, "file is empty; an agreement needs at least id, title and type")
    parsed = Parsed(data=None, source=source)
    parsed.data = _plain(loaded, "$", parsed.lines, source)
    parsed.lines.setdefault("$", 1)
    return parsed


def _refuse_aliases(yaml: YAML, text: str, source: str) -> None:
    # An alias can expand exponentially ("billion laughs"); agreements never need one.
    for event in yaml.parse(text):
        if isinstance(event, AliasEvent):
            line = event.start_mark.line + 1
            _fail(source, line, "YAML aliases (*name) are not allowed in agreement files")


def _mark_line(err: MarkedYAMLError) -> int | None:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else None


def _reader_message(err: ReaderError) -> str:
    char = err.character
    code = ord(char) if isinstance(char, str) else char
    return f"the character U+{code:04X} is not allowed in YAML or Word documents; delete it"


def _syntax_message(err: MarkedYAMLError, text: str) -> str:
    line = _mark_line(err)
    source_line = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
    indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in indent or "'\\t'" in str(err.problem):
        return "indented with a tab; YAML indentation must use spaces"
    problem = (err.problem or err.context or "syntax error").strip()
    return f"not valid YAML: {problem}"


def _fail(source: str, line: int | None, message: str) -> None:
    raise InvalidAgreement([Problem("$", message, source, line)])


def _plain(node: Any, path: str, lines: dict[str, int], source: str) -> Any:
    """Convert ruamel's round-trip nodes to plain values, recording line numbers."""
    if isinstance(node, CommentedMap):
        return _plain_map(node, path, lines, source)
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            child = f"{path}[{index}]"
            lines[child] = node.lc.item(index)[0] + 1
            items.append(_plain(item, child, lines, source))
        return items
    return _plain_scalar(node)


def _plain_map(node: CommentedMap, path: str, lines: dict[str, int], source: str) -> dict:
    result: dict[str, Any] = {}
    for key, value in node.items():
        line = node.lc.key(key)[0] + 1
        if not isinstance(key, str):
            _fail(source, line, f"{path}: the key {key!r} must be text")
        child = f"{path}.{key}"
        lines[child] = line
        result[key] = _plain(value, child, lines, source)
    return result


def _plain_scalar(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


# --------------------------------------------------------------------------- writing


def dump(data: dict[str, Any]) -> str:
    """Canonical YAML text for agreement data: schema comment, fixed style, stable order."""
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1_000_000  # never fold: a folded line would end in a stray space
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(_styled(data), stream)
    return f"{SCHEMA_COMMENT}\n{stream.getvalue()}"


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

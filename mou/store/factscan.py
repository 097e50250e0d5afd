"""The facts `mou due` and `mou resources` need, read from a canonical file's bytes.

libyaml builds every value of a piece it parses, about a millisecond per kilobyte: the
parties, goals and resources of a task-force agreement cost some 20 ms, which over a
fresh clone of thousands of agreements is far too slow. Like `mou list`'s scanner
(:func:`mou.store.listing.scan_summary`), this one understands only the canonical
layout and answers None whenever it is in doubt; the caller then reads the file with
libyaml (:func:`mou.deadlines.facts_of`), which gives the same facts.

It works on the raw bytes (structure is ASCII in UTF-8; a regular expression over bytes
is several times faster than over a text that holds one em dash) and touches each line
of a section it does not read at most a few times in C:

* the whole file: no control character, tab, CR, other line break (NEL, LS, PS),
  byte-order mark or non-character, valid UTF-8 — so its lines are libyaml's lines;
* no quoted or flow value that may go on over lines (such a value is always preceded
  by a space, so only the lines holding ``' "'``, ``" '"``, ``" ["`` or ``" {"`` are
  looked at), so every line at column 0 is really at the top level;
* every line at column 0 is a ``key:``, a comment or blank, and no key is given twice;
* in the sections read, every line down to the items' keys is in the canonical layout,
  and a wanted value is one plain or single-quoted line.

What it does not check is a value it never reads: a file that libyaml refuses only
because of a malformed value in, say, ``authorities`` or a party's ``address`` is read
here; `mou validate` names such a file.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from ..deadlines import (
    DUE_KEYS,
    FACT_KEYS,
    PERSONNEL_KEYS,
    RESOURCE_KEYS,
    TERM_KEYS,
    facts_from_data,
)
from ..yamlchunks import may_span_lines
from .listing import plain_scalar

# libyaml's reader refuses these, or counts them as line breaks: let it decide. (Deleting
# bytes and comparing lengths, or a pattern that starts with one byte, runs at memory
# speed; a pattern that starts with a class of bytes is ten times slower.)
_CONTROL = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])  # tab and CR among them
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")  # NEL (U+0085) is a line break
_LINE_SEPARATOR = re.compile(rb"\xe2\x80[\xa8\xa9]")
_BOM_OR_NONCHARACTER = re.compile(rb"\xef(?:\xbb\xbf|\xbf[\xbe\xbf])")
# Each with its lead byte, looked for first (at memory speed).
_ODD_CHARACTERS = (
    (b"\xc2", _C1_CONTROL),
    (b"\xe2", _LINE_SEPARATOR),
    (b"\xef", _BOM_OR_NONCHARACTER),
)
# What a quoted or flow value starts with; it has a space before it (a column-0 one
# is no key, which is refused below).
_FLOW_STARTS = b"\"'[{"
_SPACE = ord(" ")
# The usual such line, as `key: '98620'`: one quoted text, closed where the line ends.
_CLOSED_LINE = re.compile(rb""" *+(?:- )?(?:[A-Za-z_][\w-]*: )?(?:'[^'\n]*'|"[^"\\\n]*")""")
# Every pattern starts at a line's "\n" (the text is given one in front): Python's re
# finds a pattern that starts with a character far faster than one that starts with ^.
_KEY = rb"[A-Za-z_][A-Za-z0-9_]*"
# Each line at column 0 that is not a comment: its key, or b"" if it is no key.
_TOP_KEY = re.compile(rb"\n(?=[^ #\n])(?:(" + _KEY + rb"):(?=[ \n]|\Z))?")
_BLANK = r"\n[ \t]*+(?:#[^\n]*)?(?=\n|\Z)"
_TEXT_LINE = re.compile(rb"\n *[^ #\n]")
# Term, forfeiture and evaluation are short: read as text, every plain value checked for
# a deeper line after it (the value would go on, or the file is no YAML).
_CONTINUED = re.compile(
    rf"\n( *+)(- )?[A-Za-z_][\w-]*+: +[^|>\s#][^\n]*+(?:{_BLANK})*+\n\1(?(2)  ) +\S"
)
_MAP_LINE = re.compile(r"\n(?! *+(?:#|\n|\Z))(?!  [A-Za-z_]\w*:(?: |\n|\Z))(?! {3})")
_MAP_KEY = re.compile(r"\n  ([A-Za-z_]\w*):(?: ([^\n]*))?(?=\n|\Z)")
_METRICS = re.compile(rf"\n  (?:- |  )metrics:( [^\n]*)?((?:{_BLANK}|\n {{5,}}[^\n]*)*)".encode())
_FIRST_METRIC = re.compile(rf"(?:{_BLANK})*+\n      - ".encode())
_SCALARS = ("id", "title", "type", "status")
_LISTS = ("parties", "goals", "resources", "personnel")
_MAPPINGS = ("term", "forfeiture", "evaluation")
# Within each section, the keys whose values the facts use (others are never resolved,
# so an unusual value there cannot send the file to the slow reader).
_WANTED = {
    "parties": ("id", "acronym"),
    "goals": (),
    "metrics": ("id", "frequency"),
    "resources": RESOURCE_KEYS,
    "personnel": PERSONNEL_KEYS,
    "term": (*TERM_KEYS, "renewal"),
    "forfeiture": ("fiscal_agent",),
    "evaluation": ("fiscal_year_start",),
}
_SIMPLE_DOUBLE_QUOTED = re.compile(r'"[^"\\]*"')
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
          "FALSE": False}  # fmt: skip
_NULLS = ("~", "null", "Null", "NULL")
_DOUBT = "\0"


class _Doubt(Exception):
    """The scanner cannot be sure of this file; libyaml must read it."""


def scan_facts(raw: bytes, *, holdings: bool = True) -> dict[str, Any] | None:
    """The facts (see :func:`mou.deadlines.facts_from_data`) of a canonical file, or None.

    Without ``holdings`` the resources and personnel sections are not read at all.
    """
    text = b"\n" + raw
    if not _lines_as_libyaml_reads_them(raw) or _may_span_lines(text):
        return None
    try:
        data = _read_sections(text, FACT_KEYS if holdings else DUE_KEYS)
        return facts_from_data(data, holdings=holdings)
    except _Doubt:
        return None


def _lines_as_libyaml_reads_them(raw: bytes) -> bool:
    """Valid UTF-8 whose only line break is LF, without tabs or characters libyaml refuses."""
    if len(raw.translate(None, _CONTROL)) != len(raw):
        return False
    if raw.isascii():
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(lead in raw and odd.search(raw) for lead, odd in _ODD_CHARACTERS)


def _may_span_lines(text: bytes) -> bool:
    """Whether a quoted or flow value may go on over lines (see ``may_span_lines``)."""
    lines = set()
    for start in _FLOW_STARTS:
        at = text.find(start)
        while at >= 0:
            end = text.find(b"\n", at)
            end = len(text) if end < 0 else end
            if text[at - 1] == _SPACE:
                lines.add(text[text.rfind(b"\n", 0, at) + 1 : end])
            at = text.find(start, end)
    return any(
        _CLOSED_LINE.fullmatch(line) is None and may_span_lines(line.decode()) for line in lines
    )


def _read_sections(text: bytes, keys: tuple[str, ...]) -> dict[str, Any]:
    """The data of the top-level ``keys``, shaped as libyaml would give them (every
    column-0 line is checked to be a key, and no key to be given twice)."""
    tops = [(found.group(1), found.start()) for found in _TOP_KEY.finditer(text)]
    names = {name for name, _ in tops}
    if not tops or None in names or len(names) != len(tops):
        raise _Doubt  # not one top-level mapping of plain keys, each given once
    if _TEXT_LINE.search(text, 0, tops[0][1]):
        raise _Doubt  # an indented line before the first key
    wanted = {key.encode() for key in keys}
    data: dict[str, Any] = {}
    ends = [start for _, start in tops[1:]] + [len(text)]
    for (name, start), end in zip(tops, ends, strict=True):
        if name in wanted:
            key = name.decode()
            data[key] = _section(key, *_value_and_body(text[start + len(name) + 2 : end]))
    return data


def _value_and_body(section: bytes) -> tuple[bytes | None, bytes]:
    """The rest of a top-level key's line after ``": "`` (None if nothing follows the
    colon), and the lines below it."""
    line_end = section.find(b"\n")
    line_end = len(section) if line_end < 0 else line_end
    return (section[1:line_end] if line_end else None), section[line_end:]


def _section(key: str, value: bytes | None, body: bytes) -> Any:
    if key in _SCALARS:
        if _TEXT_LINE.search(body):
            raise _Doubt  # the value goes on over several lines
        return _resolve(_text(value))
    if value == b"[]" and key in _LISTS and not body.strip():
        return []
    if value is not None:
        raise _Doubt
    if key in _MAPPINGS:
        return _mapping(body.decode(), key)
    if key == "goals":
        return _goals(body)
    return _items(body, 2, key)


def _text(value: bytes | None) -> str | None:
    return value.decode() if value else None


def _mapping(body: str, kind: str) -> dict[str, Any]:
    """A block mapping whose keys stand at column 2; deeper lines belong to their values."""
    if _MAP_LINE.search(body) or _CONTINUED.search(body):
        raise _Doubt
    found: dict[str, Any] = {}
    for key, value in _MAP_KEY.findall(body):
        if key in found:
            raise _Doubt
        found[key] = _resolve(value or None) if key in _WANTED[kind] else value
    return found


def _goals(body: bytes) -> list[dict[str, Any]]:
    """The goals, as far as facts use them: one goal holding every metric, in order."""
    if _list_patterns(2, ())[0].search(body):
        raise _Doubt  # out of the goals' layout
    blocks = _METRICS.findall(body)
    if any(value or (block and not _FIRST_METRIC.match(block)) for value, block in blocks):
        raise _Doubt  # metrics not given as a block list
    # Each block is whole lines, so all of them are checked and read in one pass.
    return [{"metrics": _items(b"".join(block for _, block in blocks), 6, "metrics")}]


def _items(body: bytes, at: int, kind: str) -> list[dict[str, Any]]:
    """The wanted keys of each item of a block list whose items start at column ``at``."""
    layout, entry = _list_patterns(at, _WANTED[kind])
    if layout.search(body):
        raise _Doubt
    items: list[dict[str, Any]] = []
    for dash, name, value, deeper in entry.findall(body):
        if dash:
            items.append({})
        if not name:
            continue
        key = name.decode()
        if deeper or not items or key in items[-1]:
            raise _Doubt  # a wanted value going on over lines, or a key given twice
        items[-1][key] = _resolve(_text(value))
    return items


@cache
def _list_patterns(at: int, wanted: tuple[str, ...]) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Lines out of a list's layout; and item starts and lines of the wanted keys, with
    the indentation of a deeper line right after a wanted key's (its value goes on)."""
    pad, keys = " " * at, " " * (at + 2)
    key = rf"{_KEY.decode()}:(?: |\n|\Z)"
    layout = rf"\n(?! *+(?:#|\n|\Z))(?!{pad}- {key})(?!{keys}{key})(?! {{{at + 3}}})"
    names = "|".join(wanted) or "(?!)"
    value = r":(?: ([^\n]*))?(?=\n|\Z)"
    deeper = rf"(?:(?=(?:{_BLANK})*+(\n {{{at + 3}}})))?"
    entry = rf"\n(?:{pad}(- )|{keys}(?=(?:{names}):))(?:({names}){value}{deeper})?"
    return re.compile(layout.encode()), re.compile(entry.encode())


@lru_cache(maxsize=4096)  # ids, acronyms, frequencies and dates recur across files
def _resolve(value: str | None) -> Any:
    """The value of a one-line plain scalar by the YAML 1.2 core schema; doubt otherwise."""
    if value is None:
        raise _Doubt  # a nested block or a null: libyaml decides
    if _SIMPLE_DOUBLE_QUOTED.fullmatch(value):
        return value[1:-1]  # no escape in it: its text as written
    text = plain_scalar(value)
    if text == _DOUBT:
        raise _Doubt  # not plain text
    if text != value:
        return text  # a single-quoted text
    if ": " in text or text.endswith(":") or text.startswith(" "):
        raise _Doubt  # not YAML at all, or not the value libyaml would give
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return None if text in _NULLS else text

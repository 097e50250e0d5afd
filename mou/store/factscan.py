"""The facts `mou due` and `mou resources` need, read line by line from a canonical file.

libyaml builds every value of a piece it parses, about a millisecond per kilobyte: the
parties, goals and resources of a task-force agreement cost some 20 ms, which over a
fresh clone of thousands of agreements is far too slow. Like `mou list`'s scanner
(:func:`mou.store.listing.scan_summary`), this one understands only the canonical
layout and answers None whenever it is in doubt (a quoted or flow value that may span
lines, a key given twice, a scalar continued on the next line, a block value where one
line was expected, anything not at the indentation the canonical writer uses); the
caller then reads the file with libyaml (:func:`mou.deadlines.facts_of`), which gives
the same facts.
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

# Every pattern starts at a line's "\n" (the text is given one in front): Python's re
# finds a pattern that starts with a character far faster than one that starts with ^.
_TOP_LINE = re.compile(r"\n(?![ #\n])([^\n]+)")
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?")
# Where a value may start with a quote or a bracket: after "key: " or at a line's start
# (and any anchors or tags). Only the lines holding such a place can make may_span_lines
# answer True, and it looks at one line at a time, so only they are given to it.
_QUOTE_STARTS = (
    re.compile(r""":[ \t]+(?:[&!]\S*[ \t]+)*["'\[{]"""),
    re.compile(r"""\n[ \t]*+(?:[-?][ \t]++)*+(?:[&!]\S*+[ \t]++)*+["'\[{]"""),
)
_BLANK = r"\n[ \t]*+(?:#[^\n]*)?(?=\n|\Z)"
# A plain one-line value followed by a deeper line: the value goes on (or is no YAML).
_CONTINUED = re.compile(
    rf"\n( *+)(- )?[A-Za-z_][\w-]*+: +[^|>\s#][^\n]*+(?:{_BLANK})*+\n\1(?(2)  ) +\S"
)
_TEXT_LINE = re.compile(r"\n *[^ #\n]")
_MAP_LINE = re.compile(r"\n(?! *+(?:#|\n|\Z))(?!  [A-Za-z_]\w*:(?: |\n|\Z))(?! {3})")
_MAP_KEY = re.compile(r"\n  ([A-Za-z_]\w*):(?: ([^\n]*))?(?=\n|\Z)")
_METRICS = re.compile(rf"\n  (?:- |  )metrics:( [^\n]*)?((?:{_BLANK}|\n {{5,}}[^\n]*)*)")
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
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = "\n" + text
    if "\t" in text or "\r" in text:
        return None
    if any(may_span_lines(line) for line in _quoted_lines(text)):
        return None
    try:
        data = _read_sections(text, FACT_KEYS if holdings else DUE_KEYS)
        return facts_from_data(data, holdings=holdings)
    except _Doubt:
        return None


def _quoted_lines(text: str) -> set[str]:
    lines = set()
    for found in (f for pattern in _QUOTE_STARTS for f in pattern.finditer(text)):
        end = text.find("\n", found.end())
        lines.add(text[text.rfind("\n", 0, found.end()) + 1 : end if end >= 0 else len(text)])
    return lines


def _read_sections(text: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The data of the top-level ``keys``, shaped as libyaml would give them (every
    top-level key is still checked to be one, once)."""
    data: dict[str, Any] = {}
    tops = list(_TOP_LINE.finditer(text))
    ends = [top.start() for top in tops[1:]] + [len(text)]
    for top, end in zip(tops, ends, strict=True):
        match = _TOP_KEY.fullmatch(top.group(1))
        if match is None or match.group(1) in data:
            raise _Doubt  # not a key, or a key given twice
        key, value = match.groups()
        data[key] = _section(key, value, text[top.end() : end]) if key in keys else None
    return data


def _section(key: str, value: str | None, body: str) -> Any:
    if key in _SCALARS:
        if _TEXT_LINE.search(body):
            raise _Doubt  # the value goes on over several lines
        return _resolve(value)
    if key not in _LISTS and key not in _MAPPINGS:
        return None  # not read (a value going on in it cannot reach the top level)
    if _CONTINUED.search(body):
        raise _Doubt  # a value going on over lines (or no YAML)
    if value == "[]" and key in _LISTS and not body.strip():
        return []
    if value is not None:
        raise _Doubt
    if key in _MAPPINGS:
        return _mapping(body, key)
    if key == "goals":
        return _goals(body)
    return _items(body, 2, key)


def _mapping(body: str, kind: str) -> dict[str, Any]:
    """A block mapping whose keys stand at column 2; deeper lines belong to their values."""
    if _MAP_LINE.search(body):
        raise _Doubt
    found: dict[str, Any] = {}
    for key, value in _MAP_KEY.findall(body):
        if key in found:
            raise _Doubt
        found[key] = _resolve(value or None) if key in _WANTED[kind] else value
    return found


def _goals(body: str) -> list[dict[str, Any]]:
    """The goals, as far as facts use them: one goal holding every metric, in order."""
    _items(body, 2, "goals")  # checks the goals' layout
    metrics = []
    for found in _METRICS.finditer(body):
        if found.group(1):
            raise _Doubt
        metrics += _items(found.group(2), 6, "metrics")
    return [{"metrics": metrics}]


def _items(body: str, at: int, kind: str) -> list[dict[str, Any]]:
    """The wanted keys of each item of a block list whose items start at column ``at``."""
    layout, entry = _list_patterns(at, _WANTED[kind])
    if layout.search(body):
        raise _Doubt
    items: list[dict[str, Any]] = []
    for dash, key, value in entry.findall(body):
        if dash:
            items.append({})
        if key and (not items or key in items[-1]):
            raise _Doubt
        if key:
            items[-1][key] = _resolve(value or None)
    return items


@cache
def _list_patterns(at: int, wanted: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Lines out of a list's layout; and item starts and lines of the wanted keys."""
    pad, keys = " " * at, " " * (at + 2)
    key = r"[A-Za-z_]\w*:(?: |\n|\Z)"
    layout = re.compile(rf"\n(?! *+(?:#|\n|\Z))(?!{pad}- {key})(?!{keys}{key})(?! {{{at + 3}}})")
    names = "|".join(wanted) or "(?!)"
    value = r":(?: ([^\n]*))?(?=\n|\Z)"
    entry = re.compile(rf"\n(?:{pad}(- )|{keys}(?=(?:{names}):))(?:({names}){value})?")
    return layout, entry


def _opened_list(value: str | None) -> list[Any]:
    if value is not None:
        raise _Doubt
    return []


@lru_cache(maxsize=4096)  # ids, acronyms, frequencies and dates recur across files
def _resolve(value: str | None) -> Any:
    """The value of a one-line plain scalar by the YAML 1.2 core schema; doubt otherwise."""
    if value is None:
        raise _Doubt  # a nested block or a null: libyaml decides
    text = plain_scalar(value)
    if text == _DOUBT or ": " in text or text.endswith(":"):
        raise _Doubt  # not plain text, or not YAML at all
    if text != value:
        return text  # a single-quoted text
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return None if text in _NULLS else text

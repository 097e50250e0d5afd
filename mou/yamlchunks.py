"""The pieces of a block-style YAML file: its top-level keys and the items of a list.

Reading a whole agreement costs about half a millisecond per kilobyte even with
libyaml, because every value becomes a Python object. Two readers need much less:
``mou list`` wants six summary fields of thousands of files, and a walk over thousands
of revisions wants only what changed since the previous one. Both cut the text into
pieces here, by lines alone, and let libyaml parse each piece on its own.

Cutting by lines is only a guess about the structure, so it is checked: a line that
looks like a key (``title: …`` at column 0) but lies inside a quoted text or a flow
collection that began earlier leaves the piece before it unterminated, and libyaml
refuses that piece. A caller therefore has every piece it does not read checked by
:func:`is_wellformed` (libyaml's C parser, no Python objects) and parses the pieces it
reads; a refusal sends it back to the whole-file loader. Anything else unusual (a
document marker, a directive, a complex or quoted top-level key, a key given twice,
a tab or a carriage return at a line start) makes the cutters answer None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from yaml import YAMLError
from yaml.cyaml import CParser

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: .*)?")
_ITEM_START = re.compile(r"-(?: .*)?")
# A quote or a bracket starts a value when all before it on its line is indentation,
# "- " or "? " markers, a "key: " and anchors or tags.
_FLOW_CHAR = re.compile(r"""["'\[{]""")
_VALUE_PREFIX = re.compile(r"[ \t]*(?:[-?][ \t]+)*(?:[^\s#][^\n]*?:[ \t]+)?(?:[&!]\S*[ \t]+)*")
_COMMENT = re.compile(r"[ \t]+#.*$")
_CLOSED = {
    '"': re.compile(r'"(?:[^"\\]|\\.)*"[ \t]*(?:#.*)?'),
    "'": re.compile(r"'(?:[^']|'')*'[ \t]*(?:#.*)?"),
}


def top_level(text: str) -> list[tuple[str, str]] | None:
    """``(key, piece)`` for each key of the top-level block mapping, in order; None if unsure.

    A piece runs from its key's line to the next key's line: the key, its value and any
    comment or blank line after it. A list may start at column 0 under its key.
    """
    return keyed_pieces(text, 0)


def keyed_pieces(text: str, indent: int) -> list[tuple[str, str]] | None:
    """The pieces of a block mapping whose keys stand at column ``indent``; None if unsure."""
    starts: list[tuple[str, int]] = []
    for found in _line_pattern(indent).finditer("\n" + text):
        whole = found.group(1)
        if whole[:indent].strip():
            if whole.lstrip().startswith("#"):
                continue
            return None  # less indented than the keys: not one mapping
        key = _KEY_LINE.fullmatch(whole, indent)
        if key is not None:
            starts.append((key.group(1), found.start()))
        elif not whole.startswith("#", indent) and not (
            starts and _ITEM_START.fullmatch(whole, indent)
        ):
            return None  # a list may stand at its key's column; nothing else may
    if not starts or not _only_comments(text[: starts[0][1]]):
        return None
    keys = [key for key, _ in starts]
    if len(set(keys)) != len(keys):
        return None
    ends = [at for _, at in starts[1:]] + [len(text)]
    return [(key, text[at:end]) for (key, at), end in zip(starts, ends, strict=True)]


def list_items(piece: str) -> list[str] | None:
    """The items of a block list that is the whole value of a one-key ``piece``; None if unsure.

    Each item runs from its ``-`` line to the next one at the same column.
    """
    head, _, rest = piece.partition("\n")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*:\s*", head):
        return None
    first = re.search(r"^( *)-(?: |$)", rest, re.MULTILINE)
    if first is None or not _only_comments(rest[: first.start()]):
        return None
    column = len(first.group(1))
    starts = []
    for at, text in _lines_at_most(rest, column):
        if text.lstrip().startswith("#"):
            continue
        if text[:column].strip() or not _ITEM_START.fullmatch(text[column:]):
            return None
        starts.append(at)
    ends = [*starts[1:], len(rest)]
    return [rest[start:end] for start, end in zip(starts, ends, strict=True)]


def item_pieces(item: str) -> list[tuple[str, str]] | None:
    """The keyed pieces of a list item that is a block mapping (``- id: x`` and below)."""
    dash = re.match(r"( *)- +(?=[A-Za-z_])", item)
    if dash is None:
        return None
    column = len(dash.group(0))
    return keyed_pieces(" " * column + item[column:], column)


def may_span_lines(text: str) -> bool:
    """Whether a quoted or flow value in ``text`` might go on over more than one line.

    Conservative: a value that starts with a quote or a bracket (after ``key:``, ``-`` or
    indentation, and any anchor or tag) counts as closed only when the rest of its line
    is exactly one complete quoted text, or a bracketed list or mapping without quotes.
    """
    for found in _FLOW_CHAR.finditer(text):
        start = found.start()
        line_start = text.rfind("\n", 0, start) + 1
        if _VALUE_PREFIX.fullmatch(text, line_start, start) is None:
            continue  # inside a plain text ("the agency's"), not the start of a value
        end = text.find("\n", start)
        value = text[start : end if end >= 0 else len(text)]
        closed = _CLOSED.get(value[0])
        if closed.fullmatch(value) is None if closed is not None else not _closed_flow(value):
            return True
    return False


def _closed_flow(value: str) -> bool:
    body = _COMMENT.sub("", value).rstrip()
    pairs = body.count("[") == body.count("]") and body.count("{") == body.count("}")
    return pairs and body[-1:] in "]}" and not any(q in body for q in "\"'")


def is_wellformed(piece: str) -> bool:
    """Whether libyaml parses ``piece`` as YAML, checked in C without building any value."""
    try:
        CParser(piece).raw_parse()
    except (YAMLError, ValueError):
        return False
    return True


def _lines_at_most(text: str, column: int) -> Iterator[tuple[int, str]]:
    """``(offset, line)`` for each line of ``text`` whose first non-blank character stands
    at or before ``column``."""
    for found in _line_pattern(column).finditer("\n" + text):
        yield found.start(), found.group(1)


@cache
def _line_pattern(column: int) -> re.Pattern[str]:
    """Lines whose first non-blank character stands at or before ``column``.

    The pattern starts with a line break, which ``re`` searches for fast; callers search
    the text behind an extra one, so that the first line counts too, and a match's start
    is then its line's offset in the text.
    """
    return re.compile(rf"\n( {{0,{column}}}\S[^\n]*)")


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n"))

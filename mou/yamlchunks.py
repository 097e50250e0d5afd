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

from yaml import YAMLError
from yaml.cyaml import CParser

# A line whose first character is not blank: a key, a list item, a comment or trouble.
_FLUSH_LINE = re.compile(r"\n(\S[^\n]*)")
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: .*)?")
_ITEM_START = re.compile(r"-(?: .*)?")


def top_level(text: str) -> list[tuple[str, str]] | None:
    """``(key, piece)`` for each key of the top-level block mapping, in order; None if unsure.

    A piece runs from its key's line to the next key's line: the key, its value and any
    comment or blank line after it. A list may start at column 0 under its key.
    """
    return keyed_pieces(text, 0)


def keyed_pieces(text: str, indent: int) -> list[tuple[str, str]] | None:
    """The pieces of a block mapping whose keys stand at column ``indent``; None if unsure."""
    starts: list[tuple[str, int]] = []
    for at, whole in _lines_at_most(text, indent):
        if whole.lstrip().startswith("#"):
            continue
        if whole[:indent].strip():
            return None  # less indented than the keys: not one mapping
        key = _KEY_LINE.fullmatch(whole[indent:])
        if key is not None:
            starts.append((key.group(1), at))
        elif not (starts and _ITEM_START.fullmatch(whole[indent:])):
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


def is_wellformed(piece: str) -> bool:
    """Whether libyaml parses ``piece`` as YAML, checked in C without building any value."""
    try:
        CParser(piece).raw_parse()
    except (YAMLError, ValueError):
        return False
    return True


def _lines_at_most(text: str, column: int) -> Iterator[tuple[int, str]]:
    """``(offset, line)`` for each line of ``text`` whose first non-blank character stands
    at or before ``column``.

    Found by searching for line breaks (the pattern starts with one, which ``re`` finds
    fast) in the text behind an extra one, so the first line counts too.
    """
    pattern = _FLUSH_LINE if column == 0 else re.compile(rf"\n( {{0,{column}}}\S[^\n]*)")
    for found in pattern.finditer("\n" + text):
        yield found.start(), found.group(1)


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n"))

"""Align a returned copy's text with the text that was exported: the edits between them.

Paragraphs are matched first (so an edit cannot drift to a look-alike sentence far
away), then the paragraphs that differ are compared word by word. Word's own noise is
not an edit: curly and straight quotes, and a non-breaking space for a space, compare
equal. Each edit is as small as it can be (shared leading and trailing characters are
trimmed), so an edit of a field's last word does not reach the template's full stop.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass

PARAGRAPH = "\u2029"
_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})
ANCHOR_LENGTH = 24  # characters a paragraph needs to anchor the alignment
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Edit:
    """Base text ``[base_start, base_end)`` reads ``copy[copy_start:copy_end]`` in the copy."""

    base_start: int
    base_end: int
    copy_start: int
    copy_end: int


@dataclass(frozen=True)
class Alignment:
    """The edits from base to copy, and a map of copy positions back to base positions."""

    edits: tuple[Edit, ...]
    matched: float
    """Share of the base's paragraphs found unchanged in the copy."""

    def base_position(self, copy_position: int) -> int:
        """Where a position of the copy lies in the base (inside an edit: its start)."""
        starts = [e.copy_start for e in self.edits]
        index = bisect.bisect_right(starts, copy_position) - 1
        if index < 0:
            return copy_position
        edit = self.edits[index]
        if copy_position < edit.copy_end:
            return edit.base_start
        return edit.base_end + (copy_position - edit.copy_end)


def fold(text: str) -> str:
    """``text`` with the differences Word makes on its own evened out (same length)."""
    return text.translate(_FOLD)


def align(base: str, copy: str) -> Alignment:
    """The edits that turn ``base`` into ``copy`` (both paragraphs joined by PARAGRAPH)."""
    base, copy = fold(base), fold(copy)
    base_paras, copy_paras = base.split(PARAGRAPH), copy.split(PARAGRAPH)
    base_starts, copy_starts = _starts(base_paras), _starts(copy_paras)
    blocks: list[Block] = []
    _differing(base_paras, copy_paras, (0, len(base_paras), 0, len(copy_paras)), blocks)
    edits: list[Edit] = []
    for i1, i2, j1, j2 in blocks:
        b1, b2 = _block(base_starts, i1, i2)
        c1, c2 = _block(copy_starts, j1, j2)
        edits.extend(_word_edits(base, copy, b1, b2, c1, c2))
    changed = sum(i2 - i1 for i1, i2, _, _ in blocks)
    matched = 1 - changed / max(len(base_paras), 1)
    return Alignment(tuple(edits), matched)


Block = tuple[int, int, int, int]  # base paragraphs [i1, i2) read as copy paragraphs [j1, j2)


def _differing(a: list[str], b: list[str], block: Block, out: list[Block]) -> None:
    """The paragraph blocks that differ, found as patience diff finds them: paragraphs
    that occur once on each side anchor the alignment, so a short paragraph that occurs
    often ("35%") is never matched with a look-alike in another row."""
    alo, ahi, blo, bhi = block
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    if alo == ahi or blo == bhi:
        if alo < ahi or blo < bhi:
            out.append((alo, ahi, blo, bhi))
        return
    if ahi - alo == bhi - blo and _mostly_in_place(a, b, (alo, ahi, blo, bhi)):
        out.extend(_unanchored(a, b, (alo, ahi, blo, bhi)))
        return
    anchors = _unique_anchors(a, b, (alo, ahi, blo, bhi))
    if not anchors:
        out.extend(_unanchored(a, b, (alo, ahi, blo, bhi)))
        return
    for i, j in anchors:
        _differing(a, b, (alo, i, blo, j), out)
        alo, blo = i + 1, j + 1
    _differing(a, b, (alo, ahi, blo, bhi), out)


def _mostly_in_place(a: list[str], b: list[str], block: Block) -> bool:
    """As many paragraphs on each side, most of them equal row for row: edited in place."""
    alo, ahi, blo, _ = block
    same = sum(a[i] == b[blo + i - alo] for i in range(alo, ahi))
    return same * 2 >= ahi - alo


def _unique_anchors(a: list[str], b: list[str], block: Block) -> list[tuple[int, int]]:
    """Pairs of equal paragraphs that occur once on each side, in order on both. A short
    paragraph (a table cell: "35%") is no anchor: two cells whose values were swapped
    would anchor across each other."""
    alo, ahi, blo, bhi = block
    in_a = Counter(a[alo:ahi])
    in_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if in_b[b[j]] == 1}
    pairs = [
        (i, where_b[a[i]])
        for i in range(alo, ahi)
        if in_a[a[i]] == 1 and a[i] in where_b and len(a[i]) >= ANCHOR_LENGTH
    ]
    return _increasing(pairs)


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by first) whose seconds increase too."""
    tails: list[int] = []  # tails[k]: second of the smallest-ending run of length k + 1
    ends: list[int] = []  # index in pairs of that run's last pair
    previous = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        previous[n] = ends[k - 1] if k else -1
        if k == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[k], ends[k] = j, n
    run, n = [], ends[-1] if ends else -1
    while n >= 0:
        run.append(pairs[n])
        n = previous[n]
    return run[::-1]


def _unanchored(a: list[str], b: list[str], block: Block) -> list[Block]:
    """Differing blocks where no paragraph is unique: row by row when both sides have as
    many paragraphs (a table whose cells were edited), else by difflib."""
    alo, ahi, blo, bhi = block
    if ahi - alo == bhi - blo:
        return [(i, i + 1, blo + i - alo, blo + i - alo + 1) for i in range(alo, ahi)
                if a[i] != b[blo + i - alo]]  # fmt: skip
    matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
    return [(alo + i1, alo + i2, blo + j1, blo + j2)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]  # fmt: skip


def _starts(paragraphs: list[str]) -> list[int]:
    """Offset of each paragraph, and the length of the text."""
    starts, offset = [], 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + 1
    return [*starts, offset - 1]  # the last paragraph has no separator after it


def _block(starts: list[int], first: int, stop: int) -> tuple[int, int]:
    """Offsets of paragraphs ``first``..``stop-1`` with the separator after each."""
    return starts[first], starts[stop]


def _word_edits(base: str, copy: str, b1: int, b2: int, c1: int, c2: int) -> list[Edit]:
    """Word-level edits between ``base[b1:b2]`` and ``copy[c1:c2]``, in global offsets."""
    a, b = _TOKEN.findall(base[b1:b2]), _TOKEN.findall(copy[c1:c2])
    a_at, b_at = _offsets(a, b1), _offsets(b, c1)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edit = _trimmed(base, copy, Edit(a_at[i1], a_at[i2], b_at[j1], b_at[j2]))
            edits.append(edit)
    return edits


def _offsets(tokens: list[str], start: int) -> list[int]:
    offsets = [start]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _trimmed(base: str, copy: str, edit: Edit) -> Edit:
    """``edit`` without the characters its two sides share at either end."""
    b1, b2, c1, c2 = edit.base_start, edit.base_end, edit.copy_start, edit.copy_end
    while b1 < b2 and c1 < c2 and base[b1] == copy[c1]:
        b1, c1 = b1 + 1, c1 + 1
    while b2 > b1 and c2 > c1 and base[b2 - 1] == copy[c2 - 1]:
        b2, c2 = b2 - 1, c2 - 1
    return Edit(b1, b2, c1, c2)

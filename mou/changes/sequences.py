"""Diffs of long sequences that stay near-linear on any input.

:class:`difflib.SequenceMatcher` finds the longest matching block first, then recurses
on both sides of it; each search visits every pair of equal elements, so a long text
with a small vocabulary ("the party shall …" six thousand times) costs about n³. Here
the work is split first, the way patience and histogram diffs split it:

1. the common prefix and suffix are matched outright;
2. elements (then runs of 2, 4, 8 elements) that occur exactly once on each side are
   *anchors*; the longest chain of anchors in the same order on both sides is matched
   (a longest increasing subsequence, n log n) and the gaps between them are diffed
   the same way;
3. a region whose pairs of equal elements are few enough (``DIFFLIB_PAIRS``) goes to
   difflib as before, so short texts diff exactly as they always did;
4. a long region without any anchor (a text that repeats itself) is cut into
   consecutive slices of ``SLICE`` elements on both sides, and each pair of slices is
   diffed by difflib: bounded work, and still a correct edit script.

The result is difflib's shape: matching blocks and opcodes.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Hashable, Sequence

DIFFLIB_PAIRS = 10_000  # equal pairs difflib may visit in one region
SLICE = 80  # elements per slice of a region without anchors
ANCHOR_RUNS = (1, 2, 4, 8)  # lengths of the runs tried as unique anchors
MAX_DEPTH = 40  # anchoring rounds before a region is sliced regardless
_SLICED = -1  # the depth of a slice: difflib takes it, whatever its size

Block = tuple[int, int, int]  # (start in a, start in b, length)
Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """difflib-style opcodes (equal, replace, delete, insert) turning ``a`` into ``b``."""
    if equal_pairs(a, b) <= DIFFLIB_PAIRS:
        return list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    return opcodes_of(matching_blocks(a, b), len(a), len(b))


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Block]:
    """Ascending runs equal in ``a`` and ``b``, ending with ``(len(a), len(b), 0)`` as difflib's."""
    blocks: list[Block] = []
    regions = [(0, len(a), 0, len(b), 0)]
    while regions:
        blocks.extend(_split(a, b, regions.pop(), regions))
    return [*_merged(sorted(blocks)), (len(a), len(b), 0)]


def _split(a, b, region, regions: list) -> list[Block]:
    """The blocks matched outright in ``region``; the sub-regions left go on ``regions``."""
    alo, ahi, blo, bhi, depth = region
    blocks, alo, ahi, blo, bhi = _trim(a, b, alo, ahi, blo, bhi)
    if alo == ahi or blo == bhi:
        return blocks
    sub_a, sub_b = a[alo:ahi], b[blo:bhi]
    if depth == _SLICED or equal_pairs(sub_a, sub_b) <= DIFFLIB_PAIRS:
        return blocks + _difflib_blocks(sub_a, sub_b, alo, blo)
    anchors = _anchors(sub_a, sub_b) if depth < MAX_DEPTH else []
    if not anchors:
        regions.extend(_slices(alo, ahi, blo, bhi, depth))
        return blocks
    ai, bj = alo, blo
    for i, j, size in anchors:
        regions.append((ai, alo + i, bj, blo + j, depth + 1))
        blocks.append((alo + i, blo + j, size))
        ai, bj = alo + i + size, blo + j + size
    regions.append((ai, ahi, bj, bhi, depth + 1))
    return blocks


def _trim(a, b, alo: int, ahi: int, blo: int, bhi: int):
    """Match the common prefix and suffix of a region; the blocks and what is left."""
    start = 0
    while alo + start < ahi and blo + start < bhi and a[alo + start] == b[blo + start]:
        start += 1
    end = 0
    while (
        ahi - end > alo + start and bhi - end > blo + start and a[ahi - end - 1] == b[bhi - end - 1]
    ):
        end += 1
    blocks = [(alo, blo, start)] if start else []
    if end:
        blocks.append((ahi - end, bhi - end, end))
    return blocks, alo + start, ahi - end, blo + start, bhi - end


def equal_pairs(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """How many (i, j) with a[i] == b[j]: what one difflib search over the region visits."""
    counts = Counter(b)
    return sum(counts[x] for x in a)


def _difflib_blocks(a, b, alo: int, blo: int) -> list[Block]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n]


def _anchors(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Block]:
    """The longest in-order chain of runs unique on both sides.

    Single elements first; when they anchor less than a quarter of the region (a small
    vocabulary), longer runs are tried, and the chain that covers most is taken.
    """
    best: list[Block] = []
    for size in ANCHOR_RUNS:
        if size > min(len(a), len(b)):
            break
        chain = _unique_chain(_runs(a, size), _runs(b, size), size)
        if _covered(chain) > _covered(best):
            best = chain
        if _covered(best) * 4 >= min(len(a), len(b)):
            break
    return best


def _covered(chain: list[Block]) -> int:
    return sum(size for _, _, size in chain)


def _runs(seq: Sequence[Hashable], size: int) -> list[Hashable]:
    if size == 1:
        return list(seq)
    return list(zip(*(seq[k:] for k in range(size)), strict=False))


def _unique_chain(a_runs: list, b_runs: list, size: int) -> list[Block]:
    in_a, in_b = _unique_positions(a_runs), _unique_positions(b_runs)
    pairs = sorted((i, in_b[run]) for run, i in in_a.items() if run in in_b)
    chain: list[Block] = []
    for i, j in longest_increasing(pairs):
        if not chain or (i >= chain[-1][0] + size and j >= chain[-1][1] + size):
            chain.append((i, j, size))
    return chain


def _unique_positions(runs: list) -> dict:
    counts = Counter(runs)
    return {run: i for i, run in enumerate(runs) if counts[run] == 1}


def longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A longest subsequence of ``pairs`` (sorted by first) whose seconds increase; n log n."""
    tails: list[int] = []  # tails[k]: the smallest second ending a chain of length k + 1
    tail_at: list[int] = []  # index into pairs of that chain's end
    before: list[int] = []
    for index, (_, second) in enumerate(pairs):
        k = bisect.bisect_left(tails, second)
        if k == len(tails):
            tails.append(second)
            tail_at.append(index)
        else:
            tails[k], tail_at[k] = second, index
        before.append(tail_at[k - 1] if k else -1)
    chain, at = [], tail_at[-1] if tail_at else -1
    while at >= 0:
        chain.append(pairs[at])
        at = before[at]
    return chain[::-1]


def _slices(alo: int, ahi: int, blo: int, bhi: int, depth: int):
    """Consecutive slices of both sides, in proportion, each a region difflib can take."""
    count = -(-max(ahi - alo, bhi - blo) // SLICE)
    for k in range(count):
        a_cut = (alo + (ahi - alo) * k // count, alo + (ahi - alo) * (k + 1) // count)
        b_cut = (blo + (bhi - blo) * k // count, blo + (bhi - blo) * (k + 1) // count)
        yield (*a_cut, *b_cut, _SLICED)


def _merged(blocks: list[Block]) -> list[Block]:
    """Adjacent blocks joined, as difflib reports them."""
    merged: list[Block] = []
    for i, j, n in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        elif n:
            merged.append((i, j, n))
    return merged


def opcodes_of(blocks: list[Block], len_a: int, len_b: int) -> list[Opcode]:
    """difflib's get_opcodes over matching blocks."""
    codes: list[Opcode] = []
    i = j = 0
    for ai, bj, size in blocks:
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            codes.append((tag, i, ai, j, bj))
        if size:
            codes.append(("equal", ai, ai + size, bj, bj + size))
        i, j = ai + size, bj + size
    return codes

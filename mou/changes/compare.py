"""Compare two Word documents and mark the differences as native tracked changes.

The engine behind :mod:`mou.redline`, knowing nothing of agreements or git. Both
documents come from the same template, so their bodies are sequences of the same kinds
of blocks. The body is read as *units* — top-level paragraphs and table rows — matched
with difflib on their text. A unit only in the new document is marked inserted
(``w:ins`` around its runs, plus the paragraph mark ``w:pPr/w:rPr/w:ins`` or the row
mark ``w:trPr/w:ins``); a unit only in the old one is copied in before the place it held
and marked deleted (``w:del``, ``w:delText``). Changed paragraphs paired by similarity get
a word-level diff inside, keeping each run's formatting. Accepting every change gives the
new document's text and rejecting every change gives the old one's.

Headers, footers and other parts are the new document's, untouched.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree

from ..document.ooxml import W_NS, paragraph_text, read_part, replace_part, w
from ..model import xml_forbidden_char
from .diff import tokenize
from .sequences import DIFFLIB_PAIRS, equal_pairs, matching_blocks, opcodes, opcodes_of

PAIR_SIMILARITY = 0.5  # below this, a changed paragraph is shown deleted and re-inserted
# Blocks of changed units up to this many old x new pairs are paired exactly (every pair
# scored, the best total found); larger ones score only likely pairs, see _likely_pairs.
PAIR_CELLS = 40_000
LIKELY_PER_UNIT = 4  # old units scored per new unit in a large block
RARE_TOKEN_UNITS = 16  # a token in more old units than this does not suggest a pair
_BREAKS = re.compile(r"([\t\n\0])")  # a tab, a line break, or nothing Word can hold
SIMPLE_RUN_CHILDREN = {"rPr", "t", "tab", "br", "cr", "lastRenderedPageBreak", "noBreakHyphen"}


@dataclass(frozen=True)
class Stamp:
    """Who made a tracked change, and when."""

    author: str
    date: dt.datetime

    def attributes(self) -> dict[str, str]:
        """``w:author`` and ``w:date`` as Word writes them (UTC, no fraction)."""
        return dict(_attributes(self))


@lru_cache(maxsize=4096)
def _attributes(stamp: Stamp) -> tuple[tuple[str, str], ...]:
    # Thousands of marks share a few stamps: each is worded once.
    when = stamp.date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (w("author"), xml_text(stamp.author)), (w("date"), when)


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold.

    Git takes any byte in an author's name (``Mal\\x01lory``); lxml refuses to write it.
    """
    return "".join(char for char in text if xml_forbidden_char(char) is None)


# Given the text a change deletes and the text it inserts, who made it.
Attribute = Callable[[str, str], Stamp]


@dataclass
class Unit:
    """A top-level paragraph or a table row, with the text it shows."""

    element: etree._Element
    text: str
    kind: str = field(init=False)  # "p" or "tr"

    def __post_init__(self) -> None:
        self.kind = etree.QName(self.element).localname

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.text}"


# --------------------------------------------------------------------------- reading


def body_of(root: etree._Element) -> etree._Element:
    """The ``w:body`` of a document part."""
    body = root.find(w("body"))
    if body is None:
        raise ValueError("the document has no body")
    return body


def units(container: etree._Element) -> list[Unit]:
    """The paragraphs and table rows of a body, in order (content controls looked into)."""
    return list(_units(container))


def _units(container: etree._Element) -> Iterator[Unit]:
    for child in container:
        tag = etree.QName(child).localname
        if tag == "p":
            yield Unit(child, paragraph_text(child))
        elif tag == "tbl":
            for row in child.iterfind(w("tr")):
                yield Unit(row, row_text(row))
        elif tag == "sdt":
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _units(content)


def row_text(row: etree._Element) -> str:
    """The text of a row: its cells' paragraphs, cells separated by a unit separator."""
    cells = row.iterfind(w("tc"))
    return "\x1f".join("\n".join(paragraph_text(p) for p in c.iter(w("p"))) for c in cells)


# --------------------------------------------------------------------------- comparing


@dataclass
class Redliner:
    """Marks the differences of ``old`` in the body of ``new`` as tracked changes."""

    attribute: Attribute
    next_id: int
    _deleted_tables: dict[int, etree._Element] = field(default_factory=dict)

    def compare(self, old_body: etree._Element, new_body: etree._Element) -> None:
        """Mark every difference; ``new_body`` is changed in place."""
        old, new = units(old_body), units(new_body)
        end = new_body.find(w("sectPr"))
        for tag, i1, i2, j1, j2 in opcodes([u.key for u in old], [u.key for u in new]):
            if tag != "equal":
                self._block(old[i1:i2], new, j1, j2, end, new_body)

    def _block(self, old: list[Unit], new: list[Unit], j1: int, j2: int, end, body) -> None:
        pairs = _pair(old, new[j1:j2])
        prev_i, prev_j = 0, 0
        for i, j in [*pairs, (len(old), j2 - j1)]:
            target = new[j1 + prev_j] if j1 + prev_j < len(new) else None
            for unit in old[prev_i:i]:
                self._place_deleted(unit, target, end, body)
            for unit in new[j1 + prev_j : j1 + j]:
                self._mark_inserted(unit)
            if i < len(old):
                self._edit(old[i], new[j1 + j], end, body)
            prev_i, prev_j = i + 1, j + 1

    # ----------------------------------------------------------------- inserted units

    def _mark_inserted(self, unit: Unit) -> None:
        stamp = self.attribute("", unit.text)
        if unit.kind == "tr":
            _row_properties(unit.element).append(self._mark("ins", stamp))
        else:
            _paragraph_mark(unit.element).insert(0, self._mark("ins", stamp))
        for run in list(unit.element.iter(w("r"))):
            self._wrap(run, "ins", stamp)

    # ----------------------------------------------------------------- deleted units

    def _place_deleted(self, unit: Unit, target: Unit | None, end, body) -> None:
        stamp = self.attribute(unit.text, "")
        element = copy.deepcopy(unit.element)
        if unit.kind == "tr":
            _row_properties(element).append(self._mark("del", stamp))
        else:
            _paragraph_mark(element).insert(0, self._mark("del", stamp))
        for run in list(element.iter(w("r"))):
            self._wrap(_as_deleted(run), "del", stamp)
        self._put_before(unit, element, target, end, body)

    def _put_before(self, unit: Unit, element, target: Unit | None, end, body) -> None:
        """Put a deleted unit where it stood: before ``target`` (None: the end of the body)."""
        anchor = target.element if target is not None else end
        in_table = target is not None and target.kind == "tr"
        if (
            unit.kind == "tr"
            and in_table
            and (_row_before(anchor) or not _row_before(unit.element))
        ):
            anchor.addprevious(element)  # among the rows it stood with
            return
        block = anchor.getparent() if in_table else anchor  # the body child it goes before
        if unit.kind == "p":
            if in_table and _row_before(anchor):
                block = _split_table(anchor)  # a paragraph cannot stand between two rows
            _insert_before(body, block, element)
            return
        before = block.getprevious() if block is not None else (body[-1] if len(body) else None)
        if before is not None and _columns(before) == _columns(unit.element.getparent()):
            before.append(element)  # the last rows of the table that ends there
        else:
            self._deleted_row_table(unit, block, body).append(element)

    def _deleted_row_table(self, unit: Unit, anchor, body) -> etree._Element:
        """A table for deleted rows where the new document has none: a copy of the old one's."""
        old_table = unit.element.getparent()
        table = self._deleted_tables.get(id(old_table))
        previous = anchor.getprevious() if anchor is not None else (body[-1] if len(body) else None)
        if table is not None and table is previous:
            return table
        table = etree.Element(w("tbl"))
        for name in ("tblPr", "tblGrid"):
            part = old_table.find(w(name))
            if part is not None:
                table.append(copy.deepcopy(part))
        if anchor is None:
            body.append(table)
        else:
            anchor.addprevious(table)
        self._deleted_tables[id(old_table)] = table
        return table

    # ----------------------------------------------------------------- edited units

    def _edit(self, old: Unit, new: Unit, end, body) -> None:
        if old.kind == "p" and _is_simple(old.element) and _is_simple(new.element):
            self._edit_paragraph(old.element, new.element)
        elif old.kind == "tr" and _same_shape(old.element, new.element):
            for old_p, new_p in zip(
                _cell_paragraphs(old.element), _cell_paragraphs(new.element), strict=True
            ):
                if paragraph_text(old_p) != paragraph_text(new_p):
                    self._edit_paragraph(old_p, new_p)
        else:
            self._place_deleted(old, new, end, body)
            self._mark_inserted(new)

    def _edit_paragraph(self, old: etree._Element, new: etree._Element) -> None:
        """Replace the runs of ``new`` with a word-level diff against ``old``."""
        old_runs, new_runs = _runs(old), _runs(new)
        old_text, new_text = _joined(old_runs), _joined(new_runs)
        ops = list(_char_ops(old_text, new_text))
        deleted = " ".join(old_text[a:b] for op, a, b in ops if op == "delete")
        inserted = " ".join(new_text[a:b] for op, a, b in ops if op == "insert")
        stamp = self.attribute(deleted, inserted)
        for child in list(new):
            if child.tag != w("pPr"):
                new.remove(child)
        for op, start, stop in ops:
            if op == "equal":
                new.extend(_build_runs(new_runs, start, stop, deleted=False))
            elif op == "insert":
                new.append(self._wrapped("ins", _build_runs(new_runs, start, stop, False), stamp))
            else:
                new.append(self._wrapped("del", _build_runs(old_runs, start, stop, True), stamp))

    # ----------------------------------------------------------------- markup

    def _mark(self, kind: str, stamp: Stamp) -> etree._Element:
        mark = etree.Element(w(kind), {w("id"): str(self.next_id), **stamp.attributes()})
        self.next_id += 1
        return mark

    def _wrap(self, run: etree._Element, kind: str, stamp: Stamp) -> None:
        parent = run.getparent()
        if etree.QName(parent).localname in ("ins", "del"):
            return
        wrapper = self._mark(kind, stamp)
        run.addprevious(wrapper)
        wrapper.append(run)

    def _wrapped(self, kind: str, runs: list[etree._Element], stamp: Stamp) -> etree._Element:
        wrapper = self._mark(kind, stamp)
        wrapper.extend(runs)
        return wrapper


def max_id(root: etree._Element) -> int:
    """The largest numeric ``w:id`` in a part, so new revision ids never collide."""
    ids = [int(v) for v in root.xpath("//@w:id", namespaces={"w": W_NS}) if str(v).isdigit()]
    return max(ids, default=0)


# --------------------------------------------------------------------------- pairing


def _pair(old: list[Unit], new: list[Unit]) -> list[tuple[int, int]]:
    """Monotonic pairs (old index, new index) of units similar enough to diff word by word.

    The pairs are those of greatest total similarity, not the first that look alike: with
    an article inserted, "ARTICLE 7. RESOURCES" pairs with its renumbered self "ARTICLE 8.
    RESOURCES", and the new "ARTICLE 7. RECORDS ..." is a clean insertion. A large block
    (thousands of reordered rows) scores only the likely pairs and chains them sparsely,
    so pairing stays near-linear; any pairing gives a correct redline.
    """
    old_tokens = [tokenize(unit.text) for unit in old]
    new_tokens = [tokenize(unit.text) for unit in new]
    if len(old) * len(new) <= PAIR_CELLS:
        candidates = [(i, j) for j in range(len(new)) for i in range(len(old))]
        scores = _scores(old, new, old_tokens, new_tokens, candidates)
        return _best_alignment(len(old), len(new), scores)
    candidates = _likely_pairs(old, new, old_tokens, new_tokens)
    return _best_chain(_scores(old, new, old_tokens, new_tokens, candidates))


def _scores(old, new, old_tokens, new_tokens, candidates) -> dict[tuple[int, int], float]:
    """The similarity of each candidate pair of units of a kind that reaches ``PAIR_SIMILARITY``."""
    scores = {}
    matcher, matched_j = difflib.SequenceMatcher(None, autojunk=False), None
    for i, j in candidates:
        if old[i].kind == new[j].kind:
            if j != matched_j:  # candidates come by new unit: its index is built once
                matcher.set_seq2(new_tokens[j])
                matched_j = j
            matcher.set_seq1(old_tokens[i])
            score = similarity(old_tokens[i], new_tokens[j], PAIR_SIMILARITY, matcher)
            if score is not None:
                scores[i, j] = score
    return scores


def similarity(
    a: list[str], b: list[str], threshold: float, matcher: difflib.SequenceMatcher | None = None
) -> float | None:
    """difflib's ratio of two token lists when it reaches ``threshold``, else None.

    The cheap upper bounds come first: most pairs of a block are nothing alike. Long lists
    with few distinct tokens are measured on the anchored diff instead of difflib's.
    ``matcher``, when given, already holds ``a`` and ``b`` (its index of ``b`` reused).
    """
    if matcher is None:
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return None
    if equal_pairs(a, b) <= DIFFLIB_PAIRS:
        ratio = matcher.ratio()
        _scored_blocks[tuple(a), tuple(b)] = matcher.get_matching_blocks()  # computed by ratio
        if len(_scored_blocks) > SCORED_BLOCKS_KEPT:
            del _scored_blocks[next(iter(_scored_blocks))]
    else:
        matched = sum(size for _, _, size in _long_blocks(tuple(a), tuple(b)))
        ratio = 2.0 * matched / (len(a) + len(b))
    return ratio if ratio >= threshold else None


# The matching blocks difflib found while scoring a pair of paragraphs, kept for the word
# diff of the same two paragraphs once they are paired (oldest dropped first).
SCORED_BLOCKS_KEPT = 50_000
_scored_blocks: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Any]] = {}


def _likely_pairs(old, new, old_tokens, new_tokens) -> list[tuple[int, int]]:
    """For each new unit, the few old units sharing most of its rarer tokens."""
    units_with: dict[str, set[int]] = {}
    for i, tokens in enumerate(old_tokens):
        for token in set(tokens):
            units_with.setdefault(token, set()).add(i)
    pairs = []
    for j, tokens in enumerate(new_tokens):
        shared: Counter[int] = Counter()
        for token in set(tokens):
            found = units_with.get(token, ())
            if len(found) <= RARE_TOKEN_UNITS:
                shared.update(found)
        pairs += [(i, j) for i, _ in shared.most_common(LIKELY_PER_UNIT)]
    return pairs


def _best_alignment(n: int, m: int, scores: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """The monotonic pairs with the greatest total score (a weighted longest common subsequence)."""
    best = _alignment_totals(n, m, scores)
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if (i, j) in scores and best[i][j] == scores[i, j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _alignment_totals(n: int, m: int, scores: dict[tuple[int, int], float]) -> list[list[float]]:
    """``best[i][j]``: the greatest total score of pairs between old[i:] and new[j:]."""
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            paired = scores[i, j] + best[i + 1][j + 1] if (i, j) in scores else 0.0
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    return best


def _best_chain(scores: dict[tuple[int, int], float]) -> list[tuple[int, int]]:
    """The monotonic pairs of greatest total score among sparse candidates (n log n).

    Pairs are taken by new index; each extends the best chain that ends at a smaller old
    and a smaller new index, found as a prefix maximum over old indices (a Fenwick tree
    filled only after every pair of the same new index has been scored).
    """
    pairs = sorted(scores, key=lambda pair: (pair[1], pair[0]))
    tree: list[tuple[float, int]] = [(0.0, -1)] * (max((i for i, _ in pairs), default=0) + 2)
    totals: list[tuple[float, int]] = []  # per pair: (best total ending here, previous pair)
    start = 0
    for n, (i, j) in enumerate(pairs):
        if pairs[start][1] != j:
            _store(tree, pairs, totals, start, n)
            start = n
        total, previous = _prefix_max(tree, i)
        totals.append((total + scores[i, j], previous))
    at = max((total, n) for n, (total, _) in enumerate(totals))[1] if totals else -1
    chain = []
    while at >= 0:
        chain.append(pairs[at])
        at = totals[at][1]
    return chain[::-1]


def _store(tree, pairs, totals, start: int, stop: int) -> None:
    """Enter the chains ending on ``pairs[start:stop]`` at their old index."""
    for n in range(start, stop):
        position = pairs[n][0] + 1
        while position < len(tree):
            tree[position] = max(tree[position], (totals[n][0], n))
            position += position & -position


def _prefix_max(tree: list[tuple[float, int]], i: int) -> tuple[float, int]:
    """The best chain entered at old indices below ``i``."""
    found, position = (0.0, -1), i
    while position > 0:
        found = max(found, tree[position])
        position -= position & -position
    return found


@lru_cache(maxsize=4)
def _long_blocks(a: tuple[str, ...], b: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """The anchored diff's matching blocks of two long token lists, kept for the edit that
    follows the pairing of the same two paragraphs."""
    return matching_blocks(a, b)


def _char_ops(old: str, new: str) -> Iterator[tuple[str, int, int]]:
    """Word-level opcodes as character ranges: equal/insert in ``new``, delete in ``old``."""
    a, b = tokenize(old), tokenize(new)
    a_at, b_at = _offsets(a), _offsets(b)
    scored = _scored_blocks.pop((tuple(a), tuple(b)), None)
    if scored is not None:  # difflib's own blocks, found when the pair was scored
        codes = opcodes_of(scored, len(a), len(b))
    elif equal_pairs(a, b) <= DIFFLIB_PAIRS:
        codes = opcodes(a, b)
    else:
        codes = opcodes_of(_long_blocks(tuple(a), tuple(b)), len(a), len(b))
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal":
            yield "equal", b_at[j1], b_at[j2]
            continue
        if i2 > i1:
            yield "delete", a_at[i1], a_at[i2]
        if j2 > j1:
            yield "insert", b_at[j1], b_at[j2]


def _offsets(tokens: list[str]) -> list[int]:
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


# --------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class _Run:
    text: str
    properties: etree._Element | None


def _is_simple(paragraph: etree._Element) -> bool:
    """Only plain runs (text, tabs, breaks): safe to rebuild word by word."""
    for child in paragraph:
        name = etree.QName(child).localname
        if name in ("pPr", "proofErr"):
            continue
        if name != "r" or any(etree.QName(c).localname not in SIMPLE_RUN_CHILDREN for c in child):
            return False
    return True


def _runs(paragraph: etree._Element) -> list[_Run]:
    runs = []
    for run in paragraph.iterfind(w("r")):
        text = "".join(
            node.text or "" if node.tag == w("t") else "\t" if node.tag == w("tab") else "\n"
            for node in run
            if node.tag in (w("t"), w("tab"), w("br"), w("cr"))
        )
        runs.append(_Run(text, run.find(w("rPr"))))
    return runs


def _joined(runs: list[_Run]) -> str:
    return "".join(run.text for run in runs)


def _build_runs(runs: list[_Run], start: int, stop: int, deleted: bool) -> list[etree._Element]:
    """Runs carrying characters ``start:stop`` of ``runs``, each keeping its formatting."""
    built, offset = [], 0
    for run in runs:
        lo, hi = max(start, offset), min(stop, offset + len(run.text))
        if lo < hi:
            built.append(_make_run(run.text[lo - offset : hi - offset], run.properties, deleted))
        offset += len(run.text)
    return built


def _make_run(text: str, properties, deleted: bool) -> etree._Element:
    run = etree.Element(w("r"))
    if properties is not None:
        run.append(copy.deepcopy(properties))
    text_tag = w("delText") if deleted else w("t")
    for part in _BREAKS.split(text):
        if part in ("\t", "\n"):
            etree.SubElement(run, w("tab") if part == "\t" else w("br"))
        elif part and part != "\0":
            node = etree.SubElement(run, text_tag)
            node.text = part
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _as_deleted(run: etree._Element) -> etree._Element:
    for node in run.iter(w("t"), w("instrText")):
        node.tag = w("delText") if node.tag == w("t") else w("delInstrText")
    return run


def _paragraph_mark(paragraph: etree._Element) -> etree._Element:
    """The paragraph mark's run properties ``w:pPr/w:rPr``, created where the schema wants it."""
    properties = paragraph.find(w("pPr"))
    if properties is None:
        properties = etree.Element(w("pPr"))
        paragraph.insert(0, properties)
    mark = properties.find(w("rPr"))
    if mark is None:
        mark = etree.Element(w("rPr"))
        later = [properties.find(w(n)) for n in ("sectPr", "pPrChange")]
        later = [e for e in later if e is not None]
        if later:
            later[0].addprevious(mark)
        else:
            properties.append(mark)
    return mark


def _row_properties(row: etree._Element) -> etree._Element:
    properties = row.find(w("trPr"))
    if properties is None:
        properties = etree.Element(w("trPr"))
        exceptions = row.find(w("tblPrEx"))
        row.insert(1 if exceptions is not None else 0, properties)
    return properties


def _split_table(row: etree._Element) -> etree._Element:
    """Move ``row`` and the rows after it into a copy of their table placed right after it."""
    table = row.getparent()
    rest = etree.Element(w("tbl"))
    for name in ("tblPr", "tblGrid"):
        part = table.find(w(name))
        if part is not None:
            rest.append(copy.deepcopy(part))
    following = [row, *row.itersiblings()]
    rest.extend(following)
    table.addnext(rest)
    return rest


def _row_before(row: etree._Element) -> bool:
    """Whether a row has another row before it in its table."""
    previous = row.getprevious()
    return previous is not None and previous.tag == w("tr")


def _columns(table: etree._Element) -> int | None:
    """How many grid columns a table has (None when it is not a table)."""
    if table.tag != w("tbl"):
        return None
    return len(table.findall(f"{w('tblGrid')}/{w('gridCol')}"))


def _insert_before(body: etree._Element, block, element: etree._Element) -> None:
    if block is None:
        body.append(element)
    else:
        block.addprevious(element)


def _cell_paragraphs(row: etree._Element) -> list[etree._Element]:
    return [p for cell in row.iterfind(w("tc")) for p in cell.iterfind(w("p"))]


def _same_shape(old: etree._Element, new: etree._Element) -> bool:
    """Rows with as many cells and paragraphs, all plain: editable cell by cell."""
    old_ps, new_ps = _cell_paragraphs(old), _cell_paragraphs(new)
    same_cells = len(old.findall(w("tc"))) == len(new.findall(w("tc")))
    simple = all(_is_simple(p) for p in (*old_ps, *new_ps))
    return same_cells and len(old_ps) == len(new_ps) and simple


def compare_roots(
    old_root: etree._Element, new_root: etree._Element, attribute: Attribute
) -> Redliner:
    """Mark ``new_root``'s body with every difference from ``old_root``; the redliner used."""
    redliner = Redliner(attribute, next_id=max(max_id(old_root), max_id(new_root)) + 1)
    redliner.compare(body_of(old_root), body_of(new_root))
    return redliner


def compare_documents(old: bytes, new: bytes, attribute: Attribute) -> bytes:
    """``new`` with every difference from ``old`` as a tracked change."""
    old_root, new_root = read_part(old), read_part(new)
    compare_roots(old_root, new_root, attribute)
    return replace_part(new, new_root)

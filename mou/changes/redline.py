"""The Word redline: an agreement at REV_B with tracked changes from REV_A.

Both revisions are rendered with the same template (as drafts), and
:mod:`mou.docxdiff` marks the differences of the two documents as native tracked
changes, so accepting every change gives REV_B's export and rejecting every change
gives REV_A's. Each change is attributed to the commit that made it: the semantic diff
says which fields changed, blame over the commits between REV_A and REV_B says who
changed each field last, and a document change is credited to the field whose old and
new words it shares most (the newest commit in the range when none matches).

A summary opens the document — counts by kind, by party and by section, then every
change with its author — inside the bookmark ``mou_redline_summary``; it is not a
tracked change, so tools comparing the redline's text leave that bookmark out.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from ..document.ooxml import read_part, replace_part, w
from ..document.render import render_body, render_docx
from ..document.template import template_for
from ..model import Agreement
from ..store.history import Version, history, load_version, versions_between
from ..store.reader import Revision
from ..store.workspace import Workspace, open_workspace
from .blame import Touches
from .compare import Stamp, body_of, compare_roots, xml_text
from .diff import KINDS, Change, count_by_kind, diff, group_by_section, tokenize, value_at
from .names import parties_of, readable_label

SUMMARY_BOOKMARK = "mou_redline_summary"
PAGE_WIDTH_TWIPS = 9360  # 6.5 inches of text between default margins
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIGURE = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?")
SCORE_ALL = 256  # semantic changes up to which every one is weighed for each document change
_STOP_WORDS = {"the", "a", "an", "of", "and", "or", "to", "in", "for", "by", "on", "is", "be"}


@dataclass(frozen=True)
class Attributed:
    """A semantic change with the commit that last touched it in the range."""

    change: Change
    stamp: Stamp
    revision: str


def redline_docx(
    workspace: Workspace | Path | str, agreement_id: str, rev_a: str, rev_b: str
) -> bytes:
    """The agreement at ``rev_b`` as .docx with tracked changes from ``rev_a``."""
    if isinstance(workspace, Workspace):
        return redline_with_changes(workspace, agreement_id, rev_a, rev_b)[0]
    with open_workspace(workspace) as ws:
        return redline_with_changes(ws, agreement_id, rev_a, rev_b)[0]


def redline_with_changes(
    ws: Workspace, agreement_id: str, rev_a: str, rev_b: str
) -> tuple[bytes, list[Attributed]]:
    """The redline and the attributed semantic changes it summarises."""
    old, new = load_version(ws, agreement_id, rev_a), load_version(ws, agreement_id, rev_b)
    revisions = history(ws, agreement_id)
    attributed = attribute_changes(ws, agreement_id, old, new, revisions)
    template = template_for(ws.root)  # the template `mou export` would use here
    old_root = read_part(render_body(old.agreement, old.revision, template))  # body only
    new_docx = render_docx(new.agreement, new.revision, True, template)
    new_root = read_part(new_docx)
    fallback = _fallback(new, revisions)
    redliner = compare_roots(old_root, new_root, Matcher(attributed, fallback, new.agreement))
    summary = summary_blocks(new.agreement, old, new, attributed, redliner.next_id)
    _prepend(body_of(new_root), summary)
    return replace_part(new_docx, new_root), attributed


# --------------------------------------------------------------------------- attribution


def attribute_changes(
    ws: Workspace,
    agreement_id: str,
    old: Version,
    new: Version,
    revisions: list[Revision] | None = None,
) -> list[Attributed]:
    """Every semantic change from ``old`` to ``new`` with the last commit that touched it
    (``revisions``: the agreement's history, newest first, when the caller has it)."""
    changes = diff(old.agreement, new.agreement)
    revisions = revisions or history(ws, agreement_id)
    shas = [r.sha for r in revisions]
    if old.revision not in shas or new.revision not in shas:
        return [Attributed(c, _fallback(new, revisions), new.revision) for c in changes]
    newest, oldest = shas.index(new.revision), shas.index(old.revision)
    if newest > oldest:  # comparing backwards: the newer side owns every change
        owner = revisions[oldest]
        return [Attributed(c, _stamp(owner), owner.sha) for c in changes]
    in_range = list(reversed(revisions[newest : oldest + 1]))
    middle = versions_between(ws, agreement_id, in_range[1:-1], warn=lambda _: None)
    versions = [(in_range[0], old.agreement), *middle, (in_range[-1], new.agreement)]
    touches = Touches.walk([agreement for _, agreement in versions])
    return [_attributed(c, versions[touches.last(c.path) or -1][0]) for c in changes]


def _attributed(change: Change, revision: Revision) -> Attributed:
    return Attributed(change, _stamp(revision), revision.sha)


def _stamp(revision: Revision) -> Stamp:
    # The name goes into the summary table as well as w:author: both must be XML text.
    return Stamp(xml_text(revision.author), revision.date)


def _fallback(version: Version, revisions: list[Revision]) -> Stamp:
    """The commit of ``version`` itself (in ``revisions``, the agreement's history), for
    document changes no field explains."""
    for revision in revisions:
        if revision.sha == version.revision:
            return _stamp(revision)
    return _stamp(revisions[0])


class Matcher:
    """Credits a change in the document to the semantic change whose words it shares most.

    With more than ``SCORE_ALL`` semantic changes (thousands of moved rows) a document
    change is weighed only against the changes sharing one of its rarer words, found
    through an index, and identical questions are answered once.
    """

    def __init__(self, attributed: list[Attributed], fallback: Stamp, new: Agreement) -> None:
        self.fallback = fallback
        index: dict = {}
        self.candidates = [_candidate(a, new, index) for a in attributed]
        # A total the document computes (resources per provider) changes with the figures
        # it adds up: credit it to whoever changed a figure last.
        figures = [c[3] for c in self.candidates if any(map(_is_figure, c[0] | c[1]))]
        self.figure_fallback = max(figures, key=lambda stamp: stamp.date, default=fallback)
        self.having: dict[str, list[int]] = {}
        for n, (old_words, new_words, _, _) in enumerate(self.candidates):
            for word in old_words | new_words:
                self.having.setdefault(word, []).append(n)
        self.answers: dict[tuple[frozenset, frozenset], Stamp] = {}

    def __call__(self, deleted: str, inserted: str) -> Stamp:
        gone, came = frozenset(_words(deleted)), frozenset(_words(inserted))
        if (gone, came) not in self.answers:
            self.answers[gone, came] = self._best(gone, came)
        return self.answers[gone, came]

    def _best(self, gone: frozenset, came: frozenset) -> Stamp:
        only_figures = bool(gone | came) and all(map(_is_figure, gone | came))
        best, best_score = self.figure_fallback if only_figures else self.fallback, 0
        for n in self._worth_scoring(gone | came):
            old_words, new_words, label_words, stamp = self.candidates[n]
            score = len(gone & old_words) + len(came & new_words)
            score += len((gone | came) & label_words) if score else 0
            if score > best_score or (score == best_score and score and stamp.date > best.date):
                best, best_score = stamp, score
        return best

    def _worth_scoring(self, words: frozenset) -> Iterable[int]:
        # Only a change sharing one of the words can score above nothing, and candidates
        # are weighed in their own order, so skipping the others changes no answer.
        postings = [self.having.get(word, []) for word in words]
        if len(self.candidates) > SCORE_ALL:
            postings = [p for p in postings if len(p) <= SCORE_ALL] or postings
        return sorted({n for p in postings for n in p})


def _candidate(attributed: Attributed, new: Agreement, index: dict) -> tuple[set, set, set, Stamp]:
    """The words a change removes and adds (a moved item: all of its words, both ways)."""
    change = attributed.change
    label = _words(change.label)
    if change.kind == "moved":
        words = _words(value_at(new, change.path, index))
        return words, words, label, attributed.stamp
    return _words(change.old), _words(change.new), label, attributed.stamp


def _words(value: Any) -> set[str]:
    words = {_comparable(token) for text in _strings(value) for token in tokenize(text)}
    return {word for word in words if re.search(r"\w", word) and word not in _STOP_WORDS}


def _is_figure(word: str) -> bool:
    return bool(_FIGURE.fullmatch(word))


def _comparable(token: str) -> str:
    """A token as both sides can match it: the document prints 2150000 as "$2,150,000"."""
    word = token.strip().lower()
    if _FIGURE.fullmatch(word):
        word = word.lstrip("$").rstrip("%").replace(",", "")
        if "." in word:
            word = word.rstrip("0").rstrip(".")
    return word


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, float) and value.is_integer():
        yield str(int(value))
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        yield _spelled_date(value)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _spelled_date(value: str) -> str:
    """An ISO date with its spelled-out form, as documents print it ("June 30, 2040")."""
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{date:%B} {date.day}, {date.year} {value}"


# --------------------------------------------------------------------------- summary


def summary_blocks(
    agreement: Agreement, old: Version, new: Version, attributed: list[Attributed], next_id: int
) -> list[etree._Element]:
    """Paragraphs and tables that open the redline, inside the summary bookmark."""
    changes = [a.change for a in attributed]
    places = Places(old.agreement, new.agreement)
    intro = (
        f"Changes to agreement {agreement.id} from revision {old.revision[:10]} to revision "
        f"{new.revision[:10]}: {len(changes)} change(s). Accept or reject them with the "
        "Review tools of Word or LibreOffice; this summary is not part of the agreement."
    )
    blocks = [
        _paragraph(f"Redline — {agreement.title}", bold=True, size=28),
        _paragraph(intro),
        _paragraph("Changes by kind", bold=True),
        _table(["Kind", "Count"], [[k, str(n)] for k, n in count_by_kind(changes).items()]),
        _paragraph("Changes by party", bold=True),
        _paragraph(
            "A change to an item of several parties (a responsibility they share, a goal "
            "they own) counts for each of them."
        ),
        _table(["Party", *KINDS], _counts(changes, places.parties, places.order)),
        _paragraph("Changes by section", bold=True),
        _table(["Section", *KINDS], _counts(changes, lambda c: [c.section])),
        _paragraph("Every change", bold=True),
        _table(
            ["Section", "Change", "Party", "Kind", "By", "Date"],
            _change_rows(attributed, places),
            widths=[0.16, 0.36, 0.12, 0.1, 0.15, 0.11],
        ),
        _page_break(),
    ]
    start = etree.Element(w("bookmarkStart"), {w("id"): str(next_id), w("name"): SUMMARY_BOOKMARK})
    blocks[0].insert(0, start)
    blocks[-1].append(etree.Element(w("bookmarkEnd"), {w("id"): str(next_id)}))
    return blocks


WHOLE_AGREEMENT = "(whole agreement)"


class Places:
    """The parties each change concerns (their short names) and its place in the words
    people see, from the two versions compared (:mod:`mou.changes.names`)."""

    def __init__(self, old: Agreement, new: Agreement) -> None:
        self.old, self.new = old, new
        self.index: dict = {}  # each list of either version keyed once, for every change
        self.acronyms = {p.id: p.acronym for p in (*old.parties, *new.parties)}
        self.order = [*dict.fromkeys(self.acronyms.values()), WHOLE_AGREEMENT]
        """The parties as the agreement lists them, then the whole agreement."""

    def parties(self, change: Change) -> list[str]:
        """Short names of the parties ``change`` concerns; none: the whole agreement."""
        ids = parties_of(change, self.old, self.new, self.index)
        return [self.acronyms.get(i, i) for i in ids] or [WHOLE_AGREEMENT]

    def label(self, change: Change) -> str:
        """Where ``change`` is, each item named as people see it."""
        return readable_label(change, self.old, self.new, self.index)


def _counts(
    changes: list[Change], keys: Callable[[Change], list[str]], order: list[str] | None = None
) -> list[list[str]]:
    """Counts by kind for each key (in ``order`` when given, else as first met); a change
    with several keys counts under each."""
    groups: dict[str, list[Change]] = {key: [] for key in order or []}
    for change in changes:
        for key in keys(change):
            groups.setdefault(key, []).append(change)
    return [
        [name, *map(str, count_by_kind(group).values())] for name, group in groups.items() if group
    ]


def _change_rows(attributed: list[Attributed], places: Places) -> list[list[str]]:
    stamps = {id(a.change): a.stamp for a in attributed}
    rows = []
    for section, group in group_by_section([a.change for a in attributed]).items():
        for change in group:
            stamp = stamps[id(change)]
            parties = ", ".join(places.parties(change))
            day = f"{stamp.date:%Y-%m-%d}"
            rows.append([section, places.label(change), parties, change.kind, stamp.author, day])
    return rows or [["—", "no changes", "", "", "", ""]]


def _prepend(body: etree._Element, blocks: list[etree._Element]) -> None:
    for index, block in enumerate(blocks):
        body.insert(index, block)


def _paragraph(text: str, bold: bool = False, size: int | None = None) -> etree._Element:
    paragraph = etree.Element(w("p"))
    run = etree.SubElement(paragraph, w("r"))
    if bold or size:
        properties = etree.SubElement(run, w("rPr"))
        if bold:
            etree.SubElement(properties, w("b"))
        if size:
            etree.SubElement(properties, w("sz"), {w("val"): str(size)})
    node = etree.SubElement(run, w("t"))
    node.text = text
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return paragraph


def _page_break() -> etree._Element:
    paragraph = etree.Element(w("p"))
    run = etree.SubElement(paragraph, w("r"))
    etree.SubElement(run, w("br"), {w("type"): "page"})
    return paragraph


def _table(
    header: list[str], rows: list[list[str]], widths: list[float] | None = None
) -> etree._Element:
    table = etree.Element(w("tbl"))
    properties = etree.SubElement(table, w("tblPr"))
    etree.SubElement(properties, w("tblW"), {w("w"): str(PAGE_WIDTH_TWIPS), w("type"): "dxa"})
    borders = etree.SubElement(properties, w("tblBorders"))
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = {w("val"): "single", w("sz"): "4", w("space"): "0", w("color"): "808080"}
        etree.SubElement(borders, w(side), line)
    twips = [str(int(PAGE_WIDTH_TWIPS * f)) for f in widths or [1 / len(header)] * len(header)]
    grid = etree.SubElement(table, w("tblGrid"))
    for width in twips:
        etree.SubElement(grid, w("gridCol"), {w("w"): width})
    # Every cell of a column is alike but for its text: copies of one cell per column
    # (thousands of rows in a long summary).
    cells_of = {bold: [_cell("", width, bold) for width in twips] for bold in (True, False)}
    for index, cells in enumerate([header, *rows]):
        row = etree.SubElement(table, w("tr"))
        if index == 0:  # the header row repeats on every page the table spans
            etree.SubElement(etree.SubElement(row, w("trPr")), w("tblHeader"))
        for text, model in zip(cells, cells_of[index == 0], strict=True):
            cell = copy.deepcopy(model)
            cell.find(f"{w('p')}/{w('r')}/{w('t')}").text = text
            row.append(cell)
    return table


def _cell(text: str, width: str, bold: bool) -> etree._Element:
    cell = etree.Element(w("tc"))
    cell_properties = etree.SubElement(cell, w("tcPr"))
    etree.SubElement(cell_properties, w("tcW"), {w("w"): width, w("type"): "dxa"})
    cell.append(_paragraph(text, bold=bold))
    return cell

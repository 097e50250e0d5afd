"""A returned Word copy read as edited: tracked changes accepted, who made them, comments.

The body text is read as :mod:`mou.document.ooxml` reads it (text, tabs, line breaks),
with tracked insertions kept and tracked deletions dropped, as if every change were
accepted; a paragraph whose mark was deleted runs on into the next. Each tracked change
is kept as a :class:`Revision` with its author, date and place in the accepted text,
and each comment with the stretch of that text it is anchored to. Paragraphs are joined
by :data:`PARAGRAPH`, as in :mod:`mou.document.spans`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import MouError
from . import ooxml
from .ooxml import w

PARAGRAPH = "\u2029"
COMMENTS_PART = "word/comments.xml"
_INSERTED = {w("ins"), w("moveTo")}
_DELETED = {w("del"), w("moveFrom")}
_TEXT_TAGS = (w("t"), w("delText"), w("tab"), w("br"), w("cr"), w("noBreakHyphen"))
_ANCHORS = (w("commentRangeStart"), w("commentRangeEnd"))


@dataclass(frozen=True)
class Revision:
    """One tracked change: inserted text spans ``[start, end)`` of the accepted text; a
    deletion sits at ``start`` (= ``end``) and keeps the text it removed."""

    kind: str  # "ins" or "del"
    author: str | None
    date: str | None
    start: int
    end: int
    text: str = ""


@dataclass(frozen=True)
class Comment:
    """A Word comment and the stretch ``[start, end)`` of the accepted text it is on."""

    author: str | None
    date: str | None
    text: str
    start: int | None
    end: int | None


@dataclass
class ReturnedCopy:
    """The body text as edited, with its tracked changes and comments."""

    text: str
    revisions: list[Revision]
    comments: list[Comment]


@dataclass
class _Reader:
    pieces: list[str] = field(default_factory=list)
    length: int = 0
    revisions: list[Revision] = field(default_factory=list)
    anchors: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, text: str) -> None:
        self.pieces.append(text)
        self.length += len(text)


def read_returned(docx_bytes: bytes) -> ReturnedCopy:
    """The body of ``docx_bytes`` with every tracked change accepted; MouError (one line)
    for a file that is no Word document or whose tracked changes are nested."""
    named = ooxml.parts(docx_bytes)
    if ooxml.DOCUMENT_PART not in named:
        raise MouError("not a Word document (.docx): word/document.xml is missing")
    root = ooxml.xml_root(named[ooxml.DOCUMENT_PART])
    reader = _Reader()
    paragraphs = list(root.iter(w("p")))
    for number, paragraph in enumerate(paragraphs, start=1):
        _read_paragraph(paragraph, number, reader)
        if number < len(paragraphs):
            _paragraph_end(paragraph, reader)
    comments = _comments(named.get(COMMENTS_PART), reader.anchors)
    return ReturnedCopy("".join(reader.pieces), reader.revisions, comments)


def _read_paragraph(paragraph: Any, number: int, reader: _Reader) -> None:
    # Nested paragraphs (text boxes) are read inside this one too, as ooxml reads them.
    for node in paragraph.iter(*_TEXT_TAGS, *_ANCHORS):
        if node.tag in _ANCHORS:
            reader.anchors[(node.tag, node.get(w("id"), ""))] = reader.length
            continue
        change = _tracked(node, paragraph, number)
        shown = _shown(node)
        if change is None:
            reader.add(shown)
        elif change.tag in _DELETED:
            reader.revisions.append(_revision("del", change, reader.length, reader.length, shown))
        else:
            reader.revisions.append(
                _revision("ins", change, reader.length, reader.length + len(shown))
            )
            reader.add(shown)


def _paragraph_end(paragraph: Any, reader: _Reader) -> None:
    """The paragraph mark: a separator, unless deleted with tracking (the paragraph then
    runs on into the next one, as accepting the deletion does in Word)."""
    mark = paragraph.find(f"{w('pPr')}/{w('rPr')}")
    deleted = mark.find(w("del")) if mark is not None else None
    if deleted is None:
        reader.add(PARAGRAPH)
        return
    reader.revisions.append(_revision("del", deleted, reader.length, reader.length, PARAGRAPH))


def _tracked(node: Any, paragraph: Any, number: int) -> Any:
    """The tracked change ``node`` is part of (None: untracked); MouError when nested."""
    found = []
    for ancestor in node.iterancestors():
        if ancestor is paragraph:
            break
        if ancestor.tag in _INSERTED or ancestor.tag in _DELETED:
            found.append(ancestor)
    if len(found) > 1:
        raise MouError(
            f"paragraph {number}: tracked changes are nested (a change inside another "
            "change); accept or reject them in Word, then take the copy in again"
        )
    return found[0] if found else None


def _shown(node: Any) -> str:
    """What a text node reads as (deleted text as it read before the deletion)."""
    tag = node.tag
    if tag in (w("t"), w("delText")):
        return node.text or ""
    if tag == w("tab"):
        return "\t"
    if tag == w("noBreakHyphen"):
        return "-"
    if tag == w("cr") or node.get(w("type"), "textWrapping") == "textWrapping":
        return "\n"
    return ""


def _revision(kind: str, change: Any, start: int, end: int, text: str = "") -> Revision:
    return Revision(kind, change.get(w("author")), change.get(w("date")), start, end, text)


def _comments(part: bytes | None, anchors: dict[tuple[str, str], int]) -> list[Comment]:
    if part is None:
        return []
    comments = []
    for node in ooxml.xml_root(part).iter(w("comment")):
        ident = node.get(w("id"), "")
        text = "\n".join(ooxml.paragraph_text(p) for p in node.iter(w("p")))
        start = anchors.get((w("commentRangeStart"), ident))
        end = anchors.get((w("commentRangeEnd"), ident))
        comments.append(Comment(node.get(w("author")), node.get(w("date")), text, start, end))
    return comments

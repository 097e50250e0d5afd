"""Edit an exported .docx's XML as Word does, for the intake tests.

Word keeps a paragraph's text in runs (``w:r``) that it splits and merges freely; a
tracked replacement wraps the old runs in ``w:del`` (their ``w:t`` become ``w:delText``)
and puts new runs in ``w:ins``; a new paragraph has its runs and its paragraph mark
inserted; a comment is a ``w:commentRangeStart``/``End`` pair in the body, a reference
run, and an entry in ``word/comments.xml``. Written apart from mou's own reader.
"""

from __future__ import annotations

import copy
import io
import random
import zipfile
from collections.abc import Callable

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DATE = "2026-11-20T10:00:00Z"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


def q(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


class WordCopy:
    """A .docx opened for editing; :meth:`save` gives the edited bytes."""

    def __init__(self, docx: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
        self.root = etree.fromstring(self.parts["word/document.xml"])
        self.comments: list[tuple[str, str, str]] = []
        self.next_id = 9000

    # ------------------------------------------------------------------ edits

    def replace(
        self,
        old: str,
        new: str,
        author: str | None = None,
        within: str | None = None,
        paragraph: etree._Element | None = None,
    ) -> None:
        """Replace ``old`` with ``new``: tracked under ``author``, or untracked (None);
        the first ``old`` of the paragraph holding ``within`` when it is given, or of
        ``paragraph``."""
        if paragraph is not None:
            start = _text(paragraph).index(old)
        elif within is not None:
            paragraph, at = self._find(within, 0)
            start = _text(paragraph).index(old, at)
        else:
            paragraph, start = self._find(old, 0)
        runs = self._isolate(paragraph, start, start + len(old))
        if author is None:
            first = runs[0]
            for run in runs[1:]:
                run.getparent().remove(run)
            _set_text(first, new)
            return
        deleted = self._wrap(runs, "del", author)
        for run in runs:
            for t in run.iter(q("t")):
                t.tag = q("delText")
        if new:
            inserted = etree.Element(q("ins"))
            self._stamp(inserted, author)
            run = copy.deepcopy(runs[0])
            for t in run.iter(q("delText")):
                t.tag = q("t")
            _set_text(run, new)
            inserted.append(run)
            deleted.addnext(inserted)

    def delete(self, old: str, author: str | None = None, within: str | None = None) -> None:
        """Delete ``old`` (tracked under ``author``, or untracked)."""
        self.replace(old, "", author, within)

    def insert_paragraph_after(self, anchor: str, text: str, author: str | None) -> None:
        """A new paragraph after the one holding ``anchor``, shaped like it."""
        paragraph, _ = self._find(anchor, 0)
        new = copy.deepcopy(paragraph)
        for child in list(new):
            if child.tag != q("pPr"):
                new.remove(child)
        run = copy.deepcopy(next(paragraph.iter(q("r"))))
        _set_text(run, text)
        if author is None:
            new.append(run)
        else:
            wrapper = etree.SubElement(new, q("ins"))
            self._stamp(wrapper, author)
            wrapper.append(run)
            properties = new.find(q("pPr"))
            if properties is None:
                properties = etree.Element(q("pPr"))
                new.insert(0, properties)
            mark = properties.find(q("rPr"))
            if mark is None:
                mark = etree.SubElement(properties, q("rPr"))
            self._stamp(etree.SubElement(mark, q("ins")), author)
        paragraph.addnext(new)

    def comment(self, anchor: str, text: str, author: str) -> None:
        """A comment by ``author`` on the words ``anchor``."""
        paragraph, start = self._find(anchor, 0)
        runs = self._isolate(paragraph, start, start + len(anchor))
        ident = str(len(self.comments))
        begin = etree.Element(q("commentRangeStart"))
        begin.set(q("id"), ident)
        runs[0].addprevious(begin)
        end = etree.Element(q("commentRangeEnd"))
        end.set(q("id"), ident)
        runs[-1].addnext(end)
        reference = etree.Element(q("r"))
        etree.SubElement(reference, q("commentReference")).set(q("id"), ident)
        end.addnext(reference)
        self.comments.append((ident, author, text))

    def split_runs(self, rng: random.Random, times: int = 200) -> None:
        """Split runs at random points, as Word's rsids and spell-check do."""
        candidates = [t for t in self.root.iter(q("t")) if t.text and len(t.text) > 1]
        for t in rng.sample(candidates, min(times, len(candidates))):
            run = t.getparent()
            if run.tag != q("r") or len(run.findall(q("t"))) != 1 or len(run) > 2:
                continue
            cut = rng.randrange(1, len(t.text))
            second = copy.deepcopy(run)
            _set_text(run, t.text[:cut])
            _set_text(second, next(second.iter(q("t"))).text[cut:])
            run.addnext(second)

    def curly_quotes(self) -> None:
        """Straight quotes made curly, as Word's autocorrect does."""
        for t in self.root.iter(q("t")):
            if t.text:
                t.text = _curled(t.text)

    def edit_text(self, change: Callable[[str], str]) -> None:
        """Apply ``change`` to every text node (a blunt, untracked edit)."""
        for t in self.root.iter(q("t")):
            if t.text:
                t.text = change(t.text)

    def save(self) -> bytes:
        parts = dict(self.parts)
        parts["word/document.xml"] = etree.tostring(
            self.root, xml_declaration=True, encoding="UTF-8", standalone=True
        )
        if self.comments:
            self._add_comments(parts)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        return out.getvalue()

    # ------------------------------------------------------------------ helpers

    def paragraphs(self) -> list:
        return list(self.root.iter(q("p")))

    def paragraphs_after(self, text: str) -> list:
        """The paragraphs after the last one that reads exactly ``text``."""
        paragraphs = self.paragraphs()
        last = max(i for i, p in enumerate(paragraphs) if _text(p) == text)
        return paragraphs[last + 1 :]

    def _find(self, text: str, nth: int) -> tuple:
        found = []
        for paragraph in self.paragraphs():
            shown = _text(paragraph)
            at = shown.find(text)
            while at >= 0:
                found.append((paragraph, at))
                at = shown.find(text, at + 1)
        if len(found) <= nth:
            raise AssertionError(f"{text!r} is not in the document ({len(found)} found)")
        return found[nth]

    def _isolate(self, paragraph, start: int, end: int) -> list:
        """The runs holding exactly ``[start, end)`` of the paragraph's text."""
        self._split_at(paragraph, start)
        self._split_at(paragraph, end)
        at, runs = 0, []
        for run in _text_runs(paragraph):
            length = len(_run_text(run))
            if start <= at and at + length <= end and length:
                runs.append(run)
            at += length
        return runs

    def _split_at(self, paragraph, offset: int) -> None:
        at = 0
        for run in _text_runs(paragraph):
            text = _run_text(run)
            if at < offset < at + len(text):
                second = copy.deepcopy(run)
                _set_text(run, text[: offset - at])
                _set_text(second, text[offset - at :])
                run.addnext(second)
                return
            at += len(text)

    def _wrap(self, runs: list, kind: str, author: str):
        wrapper = etree.Element(q(kind))
        self._stamp(wrapper, author)
        runs[0].addprevious(wrapper)
        for run in runs:
            wrapper.append(run)
        return wrapper

    def _stamp(self, element, author: str) -> None:
        self.next_id += 1
        element.set(q("id"), str(self.next_id))
        element.set(q("author"), author)
        element.set(q("date"), DATE)

    def _add_comments(self, parts: dict[str, bytes]) -> None:
        root = etree.Element(q("comments"), nsmap={"w": W_NS})
        for ident, author, text in self.comments:
            node = etree.SubElement(root, q("comment"))
            node.set(q("id"), ident)
            node.set(q("author"), author)
            node.set(q("date"), DATE)
            run = etree.SubElement(etree.SubElement(node, q("p")), q("r"))
            etree.SubElement(run, q("t")).text = text
        parts["word/comments.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        types = parts["[Content_Types].xml"]
        override = f'<Override PartName="/word/comments.xml" ContentType="{COMMENTS_TYPE}"/>'
        parts["[Content_Types].xml"] = types.replace(b"</Types>", override.encode() + b"</Types>")
        rels = parts["word/_rels/document.xml.rels"]
        rel = f'<Relationship Id="rIdComments9" Type="{COMMENTS_REL}" Target="comments.xml"/>'
        parts["word/_rels/document.xml.rels"] = rels.replace(
            b"</Relationships>", rel.encode() + b"</Relationships>"
        )


def _text(paragraph) -> str:
    return "".join(_run_text(run) for run in _text_runs(paragraph))


def _text_runs(paragraph) -> list:
    """The runs of a paragraph that show text (not deleted), in order."""
    return [
        run
        for run in paragraph.iter(q("r"))
        if run.getparent().tag != q("del") and run.find(q("commentReference")) is None
    ]


def _run_text(run) -> str:
    pieces = []
    for node in run:
        if node.tag == q("t"):
            pieces.append(node.text or "")
        elif node.tag == q("tab"):
            pieces.append("\t")
        elif node.tag in (q("br"), q("cr")):
            pieces.append("\n")
    return "".join(pieces)


def _set_text(run, text: str) -> None:
    """Make ``run`` show ``text`` (line breaks as w:br), keeping its properties."""
    for node in list(run):
        if node.tag != q("rPr"):
            run.remove(node)
    for index, line in enumerate(text.split("\n")):
        if index:
            etree.SubElement(run, q("br"))
        t = etree.SubElement(run, q("t"))
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _curled(text: str) -> str:
    out, double_open = [], True
    for index, char in enumerate(text):
        if char == "'":
            out.append("’" if index and not text[index - 1].isspace() else "‘")
        elif char == '"':
            out.append("“" if double_open else "”")
            double_open = not double_open
        else:
            out.append(char)
    return "".join(out)

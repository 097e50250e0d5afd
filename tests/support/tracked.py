"""Accept-all and reject-all over a .docx's XML, written apart from the redline engine.

The visible text of a body as a list of units: one string per paragraph, one per table
row (cells joined by U+001F, a cell's paragraphs by newlines). Accepting a deleted
paragraph mark (or rejecting an inserted one) joins the paragraph to the next one, as
Word does. The redline's summary (the ``mou_redline_summary`` bookmark) is left out: it
is not a tracked change and belongs to neither revision.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SUMMARY = "mou_redline_summary"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def visible_units(docx: bytes, mode: str = "accept") -> list[str]:
    """The body's text after accepting (``accept``) or rejecting (``reject``) every change."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    body = root.find(q("body"))
    _drop_summary(body)
    removed, kept = ("del", "ins") if mode == "accept" else ("ins", "del")
    for row in list(body.iter(q("tr"))):
        if row.find(f"{q('trPr')}/{q(removed)}") is not None:
            row.getparent().remove(row)
    for wrapper in list(body.iter(q(removed))):
        if wrapper.getparent().tag not in (q("rPr"), q("trPr")):
            wrapper.getparent().remove(wrapper)
    for wrapper in list(body.iter(q(kept))):
        if wrapper.getparent().tag not in (q("rPr"), q("trPr")):
            _unwrap(wrapper)
    for node in body.iter(q("delText")):
        node.tag = q("t")
    return _units(body, removed)


def document_xml(docx: bytes):
    """The parsed ``word/document.xml`` of a .docx."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def xpath(docx: bytes, expression: str) -> list:
    """Nodes of the document part matching ``expression`` (prefix ``w``)."""
    return document_xml(docx).xpath(expression, namespaces={"w": W})


def tracked_ids(docx: bytes) -> list[str]:
    """The ``w:id`` of every tracked change (insertions and deletions, marks included)."""
    root = document_xml(docx)
    return [e.get(q("id")) for e in root.iter(q("ins"), q("del"))]


def _drop_summary(body) -> None:
    start = next((b for b in body.iter(q("bookmarkStart")) if b.get(q("name")) == SUMMARY), None)
    if start is None:
        return
    mark_id = start.get(q("id"))
    end = next(e for e in body.iter(q("bookmarkEnd")) if e.get(q("id")) == mark_id)
    first, last = _top(body, start), _top(body, end)
    children = list(body)
    for child in children[children.index(first) : children.index(last) + 1]:
        body.remove(child)


def _top(body, node):
    while node.getparent() is not body:
        node = node.getparent()
    return node


def _unwrap(wrapper) -> None:
    for child in list(wrapper):
        wrapper.addprevious(child)
    wrapper.getparent().remove(wrapper)


def _units(container, removed_mark: str) -> list[str]:
    units: list[str] = []
    carried = ""
    for child in container:
        if child.tag == q("p"):
            text = carried + _text(child)
            mark = child.find(f"{q('pPr')}/{q('rPr')}/{q(removed_mark)}")
            carried = text if mark is not None else ""
            if mark is None:
                units.append(text)
        elif child.tag == q("tbl"):
            units += [_row(r) for r in child.iterfind(q("tr"))]
        elif child.tag == q("sdt"):
            units += _units(child.find(q("sdtContent")), removed_mark)
    return units


def _row(row) -> str:
    return "\x1f".join("\n".join(_text(p) for p in c.iter(q("p"))) for c in row.iterfind(q("tc")))


def _text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(q("t"), q("tab"), q("br"), q("cr")):
        if node.tag == q("t"):
            parts.append(node.text or "")
        elif node.getparent().tag == q("r"):
            parts.append("\t" if node.tag == q("tab") else "\n")
    return "".join(parts)

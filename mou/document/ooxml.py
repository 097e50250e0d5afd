"""WordprocessingML at the level of parts and paragraphs: the one place that reads them.

A .docx is a zip of XML parts. Rendering, provenance, the redline and template
checks all need the same few things: the namespace, the parts, a part's root, and
the text a paragraph shows. The text reading is part of every fingerprint ever
exported, so it changes only with a plan for the copies already out there.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from lxml import etree

from ..errors import MouError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
DOCUMENT_PART = "word/document.xml"


def w(tag: str) -> str:
    """Clark name of a WordprocessingML element: ``w("p")`` -> ``{ns}p``."""
    return f"{W}{tag}"


def parts(docx_bytes: bytes) -> dict[str, bytes]:
    """Every part of a .docx by name; a one-line MouError when it is no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError, KeyError) as err:
        raise MouError(f"not a Word document (.docx): {err}") from None


def zip_parts(named_parts: dict[str, bytes]) -> bytes:
    """A .docx holding ``named_parts``, ``[Content_Types].xml`` first as Word writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(named_parts, key=lambda n: n != "[Content_Types].xml"):
            archive.writestr(name, named_parts[name])
    return buffer.getvalue()


def xml_root(part_xml: bytes) -> Any:
    """The parsed root of one part; a one-line MouError for damaged XML."""
    try:
        return etree.fromstring(part_xml)
    except etree.XMLSyntaxError as err:
        raise MouError(f"not a Word document (.docx): damaged XML: {err}") from None


def read_part(docx: bytes, name: str = DOCUMENT_PART) -> etree._Element:
    """Parse one XML part of a .docx."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return etree.fromstring(archive.read(name))


def replace_part(docx: bytes, root: etree._Element, name: str = DOCUMENT_PART) -> bytes:
    """A copy of ``docx`` with one XML part replaced, every other part byte for byte."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name:
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, data)
    return out.getvalue()


def paragraph_text(paragraph: Any) -> str:
    """The text a paragraph shows, read as python-docx reads it: text, tabs, line breaks.

    Deleted text (``w:delText``) is not read; a page break shows nothing.
    """
    pieces = []
    for node in paragraph.iter(w("t"), w("tab"), w("br"), w("cr"), w("noBreakHyphen")):
        tag = node.tag[len(W) :]
        if tag == "t":
            pieces.append(node.text or "")
        elif tag == "tab":
            pieces.append("\t")
        elif tag == "noBreakHyphen":
            pieces.append("-")
        elif tag == "cr" or node.get(w("type"), "textWrapping") == "textWrapping":
            pieces.append("\n")
    return "".join(pieces)


def paragraphs(part_xml: bytes) -> list[str]:
    """The text of every paragraph of a part, in order (tables included)."""
    return [paragraph_text(p) for p in xml_root(part_xml).iter(w("p"))]


def document_text(docx_bytes: bytes) -> str:
    """The body of a .docx as plain text, one paragraph per line (tables included)."""
    named = parts(docx_bytes)
    if DOCUMENT_PART not in named:
        raise MouError("not a Word document (.docx): word/document.xml is missing")
    return "\n".join(paragraphs(named[DOCUMENT_PART]))

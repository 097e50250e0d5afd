"""WordprocessingML at the level of parts and paragraphs: the one place that reads them.

A .docx is a zip of XML parts. Rendering, provenance, the redline and template
checks all need the same few things: the namespace, the parts, a part's root, and
the text a paragraph shows. The text reading is part of every fingerprint ever
exported, so it changes only with a plan for the copies already out there.

A .docx that comes back from outside (a returned copy, a template) may be a zip bomb:
a megabyte that inflates to gigabytes. Before any part is read, the zip's own directory
is held to limits on part count, compression and inflated size, and every part is then
inflated no further than the size the directory declares (a part that holds more is cut
there and fails its CRC check). python-docx, which reads parts without such a bound, is
only ever given :func:`repacked` bytes, rebuilt from parts read this way.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import MouError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
DOCUMENT_PART = "word/document.xml"
# Far above any real agreement or template (a few dozen parts, a few megabytes), far
# below what would hurt: the inflated parts are held in memory and parsed.
MAX_PARTS = 2000
MAX_PART_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 256 * 2**20
MAX_DIRECTORY_BYTES = MAX_PARTS * 1024
_WORD_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_END_OF_DIRECTORY = b"PK\x05\x06"


@cache  # called for every element a redline builds: a dictionary look-up is cheaper
def w(tag: str) -> str:
    """Clark name of a WordprocessingML element: ``w("p")`` -> ``{ns}p``."""
    return f"{W}{tag}"


def parts(docx_bytes: bytes) -> dict[str, bytes]:
    """Every part of a .docx by name; a one-line MouError when it is no zip or too big."""
    with _package(docx_bytes) as archive, _damage_is_one_line():
        return {info.filename: _inflate(archive, info) for info in archive.infolist()}


@lru_cache(maxsize=8)
def repacked(docx_bytes: bytes) -> bytes:
    """The .docx rebuilt from its parts read within the limits: safe to give python-docx,
    which inflates a part as far as its data goes, whatever the directory says."""
    return zip_parts(parts(docx_bytes))


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One part, inflated no further than its declared size."""
    with archive.open(info) as part:
        return part.read(info.file_size)


@contextmanager
def _damage_is_one_line() -> Iterator[None]:
    try:
        yield
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, zlib.error) as err:
        raise MouError(f"not a Word document (.docx): {err}") from None


def read_docx(path: Path) -> bytes:
    """The bytes of the .docx at ``path``; a one-line MouError naming it when it cannot
    be read or is larger than any document mou would open."""
    try:
        size = path.stat().st_size
        if size > MAX_TOTAL_BYTES:
            raise MouError(
                f"{path}: refused: {_mb(size)} on disk, more than {_mb(MAX_TOTAL_BYTES)}"
            )
        return path.read_bytes()
    except OSError as err:
        raise MouError(f"{path}: cannot read: {err.strerror or err}") from None


def _package(docx_bytes: bytes) -> zipfile.ZipFile:
    """The .docx opened as a zip whose directory passed the limits."""
    if _directory_size(docx_bytes) > MAX_DIRECTORY_BYTES:
        # Reading a directory of millions of entries would itself exhaust memory.
        raise MouError(
            f"refused: its zip directory is over {_mb(MAX_DIRECTORY_BYTES)} (a zip bomb?)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(docx_bytes))
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise MouError(f"not a Word document (.docx): {err}") from None
    problem = _over_limits(archive.infolist())
    if problem:
        archive.close()
        raise MouError(f"refused: {problem}; not opened (a zip bomb?)")
    return archive


def _directory_size(data: bytes) -> int:
    """The size the zip's end record gives its central directory (0 if there is none)."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 16:
        return 0  # no zip: zipfile says so in its own words
    return int.from_bytes(data[end + 12 : end + 16], "little")


def _over_limits(infos: list[zipfile.ZipInfo]) -> str | None:
    """What in the zip's directory is beyond the limits, or None."""
    if len(infos) > MAX_PARTS:
        return f"it holds {len(infos)} parts, more than {MAX_PARTS}"
    problem = next(filter(None, map(_part_over_limits, infos)), None)
    total = sum(info.file_size for info in infos)
    if problem is None and total > MAX_TOTAL_BYTES:
        problem = f"its parts inflate to {_mb(total)}, more than {_mb(MAX_TOTAL_BYTES)}"
    return problem


def _part_over_limits(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if info.compress_type not in _WORD_COMPRESSION:
        return f"part {name} uses a compression Word does not ({info.compress_type})"
    if info.file_size > MAX_PART_BYTES:
        return f"part {name} inflates to {_mb(info.file_size)}, more than {_mb(MAX_PART_BYTES)}"
    return None


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


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
    with _package(docx) as archive, _damage_is_one_line():
        return etree.fromstring(_inflate(archive, archive.getinfo(name)))


def replace_part(docx: bytes, root: etree._Element, name: str = DOCUMENT_PART) -> bytes:
    """A copy of ``docx`` with one XML part replaced, every other part byte for byte."""
    out = io.BytesIO()
    with (
        _package(docx) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = _inflate(source, info)
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

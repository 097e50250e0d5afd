"""Word documents from agreements: docxtpl rendering with every typed character kept.

Fidelity comes first: every character a person typed reaches Word exactly. User
text is only ever a *value* in the context, rendered with autoescaping, and the
``finalize`` hook also writes braces as character references, because docxtpl
rewrites ``{_{``, ``}_}``, ``{_%`` and ``%_}`` in the rendered XML (its escape for
literal tags) and would otherwise change what was typed. The rendered document is
stamped with its provenance (:mod:`mou.document.provenance`).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..data import PACKAGED_TEMPLATE
from ..errors import MouError
from ..model import Agreement
from . import ooxml
from .context import EXHIBIT_TABLE_CAPTION, build_context
from .ooxml import W
from .provenance import PENDING, stamp
from .signing import Signer
from .tables import DATA_TABLE_CAPTION, DATA_TABLE_HEADINGS, TABLE_TEXT_STYLE
from .template import (
    MATRIX_CAPTION,
    UNKNOWN_USES,
    checked_before,
    jinja_environment,
    naming_the_template,
    patch_xml,
    refuse_forbidden,
    remember_checked,
    template_bytes,
    unbalanced_tags,
    usages,
)
from .widths import column_widths, fitting_size, measure, resized


def render_recording(source: bytes, context: dict[str, Any], title: str) -> tuple[bytes, list[str]]:
    """Render ``source`` with ``context``; also the names it used that the context lacks."""
    token = UNKNOWN_USES.set([])
    try:
        rendered = _render(source, context, title)
        return rendered, list(UNKNOWN_USES.get() or [])
    finally:
        UNKNOWN_USES.reset(token)


@lru_cache(maxsize=1)
def _template_class() -> Any:
    """DocxTemplate whose XML clean-up (dozens of regexes) is cached per template XML."""
    from docxtpl import DocxTemplate

    class CachedDocxTemplate(DocxTemplate):
        def patch_xml(self, src_xml: str) -> str:
            return patch_xml(src_xml)

    return CachedDocxTemplate


def render_docx(
    agreement: Agreement,
    revision: str | None,
    draft: bool,
    template: Path | None = None,
    warn: Callable[[str], None] | None = None,
    signer: Signer | None = None,
) -> bytes:
    """The agreement as a .docx, carrying its id, revision and text fingerprint.

    ``revision`` is the sha of the commit the agreement comes from (None for an
    uncommitted copy); ``draft`` marks every page "DRAFT — NOT FOR SIGNATURE".
    A template that uses something the model does not provide would leave blanks:
    a signature-ready render is refused (MouError), a draft is passed to ``warn``.
    A template reaching outside the sandbox is refused either way. ``signer`` signs
    the provenance (:mod:`mou.document.signing`).
    """
    path = template or PACKAGED_TEMPLATE
    return render_with(agreement, revision, draft, path, template_bytes(path), warn, signer)


def render_body(agreement: Agreement, revision: str | None, template: Path | None = None) -> bytes:
    """A draft of the agreement as :func:`render_docx` writes it, without the provenance
    stamp (footer fingerprint and properties): for a comparison that reads only the body,
    such as the old side of a redline."""
    path = template or PACKAGED_TEMPLATE
    return _rendered(agreement, revision, True, path, template_bytes(path), None)


def render_with(
    agreement: Agreement,
    revision: str | None,
    draft: bool,
    path: Path,
    source: bytes,
    warn: Callable[[str], None] | None = None,
    signer: Signer | None = None,
) -> bytes:
    """:func:`render_docx` with the template's bytes ``source`` (``path`` names it in
    messages): an earlier version of a template, found in git, renders this way."""
    rendered = _rendered(agreement, revision, draft, path, source, warn)
    # The template's hash too: the same revision through an edited template reads differently.
    template_sha = hashlib.sha256(source).hexdigest()
    return stamp(rendered, agreement.id, revision, draft, template_sha, signer)


def _rendered(
    agreement: Agreement,
    revision: str | None,
    draft: bool,
    path: Path,
    source: bytes,
    warn: Callable[[str], None] | None,
) -> bytes:
    """The rendered document, template checked, before its provenance stamp."""
    context = build_context(agreement, revision, draft, PENDING)
    with naming_the_template(path):
        if not checked_before(source):
            _check_balanced(path, source, draft, warn)
            refuse_forbidden(path, source)
            remember_checked(source)
        rendered, unknown = render_recording(source, context, agreement.title)
    if unknown:
        _unknown_uses(path, source, unknown, draft, warn)
    return rendered


def _check_balanced(
    path: Path, source: bytes, draft: bool, warn: Callable[[str], None] | None
) -> None:
    """Refuse (signature-ready) or warn about (draft) a template with a tag left open."""
    for problem in unbalanced_tags(source):
        _refuse_or_warn(
            draft,
            warn,
            f"{path}: {problem}; a signature-ready export is refused",
            f"{path}: warning: {problem}",
        )


def _unknown_uses(
    path: Path, source: bytes, names: list[str], draft: bool, warn: Callable[[str], None] | None
) -> None:
    used = ", ".join(usages(source, names))
    _refuse_or_warn(
        draft,
        warn,
        f"{path}: the template uses {used}, which the model does not provide; a "
        f"signature-ready export is refused (see `mou templates check {path}`)",
        f"{path}: warning: the template uses {used}, which the model does not provide; "
        "it is blank in this draft",
    )


def _refuse_or_warn(
    draft: bool, warn: Callable[[str], None] | None, refusal: str, warning: str
) -> None:
    """A template fault: a signature-ready document is refused, a draft only warned of."""
    if not draft:
        raise MouError(refusal)
    if warn is not None:
        warn(warning)


# LibreOffice names the core-properties relationship by a type python-docx does not
# know; python-docx then adds a second docProps/core.xml, a duplicate entry in the zip.
_LIBREOFFICE_CORE = (
    b"http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties"
)

_STANDARD_CORE = (
    b"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
)


@lru_cache(maxsize=8)
def _known_core_properties(template: bytes) -> bytes:
    """``template`` with its core-properties relationship typed as python-docx expects,
    repacked from parts read within the zip-bomb limits (python-docx reads without)."""
    parts = ooxml.parts(template)
    rels = parts.get("_rels/.rels", b"")
    parts["_rels/.rels"] = rels.replace(_LIBREOFFICE_CORE, _STANDARD_CORE)
    return ooxml.zip_parts(parts)


def _render(template: bytes, context: dict[str, Any], title: str) -> bytes:
    source = io.BytesIO(_known_core_properties(template))
    document = _template_class()(source)  # fresh: render() mutates it
    try:
        document.render(context, jinja_environment(), autoescape=True)
    except Exception as err:  # a template error is the template's fault, said in one line
        raise MouError(f"template cannot be rendered: {type(err).__name__}: {err}") from None
    document.docx.core_properties.title = title
    _fit_data_tables(document.docx)
    _size_matrix(document.docx, context.get("tables", {}).get("matrix_goals") or [])
    _size_exhibit_tables(document.docx, context.get("exhibits") or [])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _fit_data_tables(docx: Any) -> None:
    """Share each data table's width among its columns by their text (:mod:`.widths`).

    The table is read and written as XML: python-docx's ``row.cells`` works out the
    grid again at every call, and took longer than the rest of a render."""
    points = _table_text_points(docx)
    for table in docx.element.body.iter(f"{W}tbl"):
        rows = _cell_texts(table)
        grid = list(table.iter(f"{W}gridCol"))
        if _is_data_table(table, rows, len(grid)):
            total = sum(int(col.get(f"{W}w") or 0) for col in grid)
            columns = [measure(_column(rows, n), points) for n in range(len(grid))]
            size = fitting_size(columns, total, points)
            if size < points:
                _set_text_size(table, size)
                columns = resized(columns, size / points)
            _set_twips(table, column_widths(columns, total))


def _cell_texts(table: Any) -> list[list[str]]:
    """The text of each cell, row by row: its paragraphs and line breaks as new lines."""
    return [
        ["\n".join(_paragraph_text(p) for p in cell.iter(f"{W}p")) for cell in row.iter(f"{W}tc")]
        for row in table.iter(f"{W}tr")
    ]


def _column(rows: list[list[str]], n: int) -> list[tuple[str, bool]]:
    """Column ``n``'s cells with whether each is set bold (the header row is)."""
    return [(row[n], index == 0) for index, row in enumerate(rows)]


def _paragraph_text(paragraph: Any) -> str:
    pieces = {f"{W}t": None, f"{W}br": "\n", f"{W}tab": "\t"}
    return "".join(
        (node.text or "") if pieces[node.tag] is None else str(pieces[node.tag])
        for node in paragraph.iter(*pieces)
    )


def _set_twips(table: Any, widths: list[int]) -> None:
    """Write ``widths`` (twips) into the table's grid and every cell, as XML (python-docx's
    elements keep their children in the order the schema requires)."""
    for column, width in zip(table.iter(f"{W}gridCol"), widths, strict=False):
        column.set(f"{W}w", str(width))
    for row in table.iter(f"{W}tr"):
        for cell, width in zip(row.iter(f"{W}tc"), widths, strict=False):
            cell_width = cell.get_or_add_tcPr().get_or_add_tcW()
            cell_width.set(f"{W}w", str(width))
            cell_width.set(f"{W}type", "dxa")


def _set_text_size(table: Any, points: float) -> None:
    """Set every run of ``table`` at ``points``: its words fit its columns only so."""
    half_points = str(round(points * 2))
    for run in table.iter(f"{W}r"):
        run.get_or_add_rPr().get_or_add_sz().set(f"{W}val", half_points)


def _table_text_points(docx: Any) -> float:
    """The size of the template's table text (9.5 pt unless restyled)."""
    style = next((s for s in docx.styles if s.name == TABLE_TEXT_STYLE), None)
    size = style.font.size if style is not None else None
    return size.pt if size is not None else 9.5


def _is_data_table(table: Any, rows: list[list[str]], columns: int) -> bool:
    """One of mou's tables of rows (parties, goals, resources…), by its caption or, in a
    template saved by LibreOffice (which drops captions), by its header row."""
    if not rows or any(len(row) != columns for row in rows):
        return False  # merged cells or a table inside a cell: not one of mou's
    caption = table.find(f"{W}tblPr/{W}tblCaption")
    if caption is not None:
        return caption.get(f"{W}val") == DATA_TABLE_CAPTION
    return tuple(text.strip() for text in rows[0]) in DATA_TABLE_HEADINGS


def _size_matrix(docx: Any, goal_labels: list[str]) -> None:
    """Give the responsibility matrix a narrow party column and equal goal columns.

    docxtpl's ``{%tc for %}`` copies the template cell's width into every goal column.
    """
    from docx.shared import Inches

    for table in docx.tables:
        if not _is_matrix(table, goal_labels):
            continue
        columns = len(table.rows[0].cells)
        _set_widths(table, [Inches(0.9)] + [Inches(5.6 / (columns - 1))] * (columns - 1))


def _size_exhibit_tables(docx: Any, exhibits: list[dict[str, Any]]) -> None:
    """Share the text width equally among an exhibit table's columns.

    As in the matrix, ``{%tc for %}`` gives every column the template cell's width.
    """
    from docx.shared import Inches

    headings = [x["columns"] for x in exhibits if x.get("table")]
    for table in docx.tables:
        if _is_exhibit_table(table, headings):
            columns = len(table.rows[0].cells)
            _set_widths(table, [Inches(6.5 / columns)] * columns)


def _is_exhibit_table(table: Any, headings: list[list[str]]) -> bool:
    """An exhibit table by its caption or, where LibreOffice dropped it, its header row."""
    if not table.rows:
        return False
    caption = table._tbl.tblPr.find(f"{W}tblCaption")
    if caption is not None and caption.get(f"{W}val") == EXHIBIT_TABLE_CAPTION:
        return True
    return [cell.text.strip() for cell in table.rows[0].cells] in headings


def _set_widths(table: Any, widths: list[Any]) -> None:
    _set_twips(table._tbl, [int(width.twips) for width in widths])


def _is_matrix(table: Any, goal_labels: list[str]) -> bool:
    """The matrix by its caption, or, in a template saved by LibreOffice (which drops
    table captions), by its header row: a first cell, then one cell per goal."""
    if not table.rows or len(table.rows[0].cells) < 2:
        return False
    caption = table._tbl.tblPr.find(f"{W}tblCaption")
    if caption is not None and caption.get(f"{W}val") == MATRIX_CAPTION:
        return True
    header = [cell.text.strip() for cell in table.rows[0].cells[1:]]
    return bool(goal_labels) and header == goal_labels

"""Build the master Word template, ``mou.docx``, with python-docx.

The template is generated rather than hand-edited so that every docxtpl tag sits
in a single run (Word splits runs when a person types, and a tag split across
runs is no longer a tag), every ``{%p``/``{%tr``/``{%tc`` tag is alone in its
paragraph, row or cell, and every text node preserves spaces. The result is an
ordinary Word file: people may restyle it in Word or LibreOffice afterwards.

Run ``python -m mou.document.build`` to regenerate ``mou/data/templates/mou.docx``
and the workspace copy ``templates/mou.docx``.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from ..data import PACKAGED_TEMPLATE
from ..outline import ARTICLES, Article
from .context import EXHIBIT_TABLE_CAPTION
from .tables import DATA_TABLE_CAPTION, TABLE_TEXT_STYLE, TABLES
from .template import MATRIX_CAPTION

PACKAGED = PACKAGED_TEMPLATE
FONT = "Times New Roman"


class TemplateWriter:
    """A python-docx document with helpers that keep every tag in one run."""

    def __init__(self) -> None:
        self.doc = Document()
        self._setup_page()
        self._setup_styles()

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Inches(1))
        section.header_distance = section.footer_distance = Inches(0.45)

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(11.5)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.1
        self._style("Title", 15, bold=True, center=True, after=4)
        self._style("Subtitle", 13, bold=True, center=True, after=4)
        self._style("Heading 1", 11.5, bold=True, before=14, after=6, keep=True)
        self._style("Heading 2", 11.5, bold=True, before=6, after=3, keep=True)
        self._style("Centered", 11.5, center=True, after=2)
        self._style("Body Text", 11.5, justify=True, indent=0.5)
        self._style("Caption", 10, bold=True, before=8, after=3, keep=True)
        self._style(TABLE_TEXT_STYLE, 9.5, after=0)
        self._style("Signature", 11.5, after=0, keep=True)
        self._style("Header Text", 9, center=True, after=0)
        self._style("Draft Mark", 12, bold=True, center=True, after=0, color="C00000")
        self._style("Footer Text", 8, after=0)

    def _style(self, name: str, size: float, **fmt: Any) -> None:
        styles = self.doc.styles
        style = styles[name] if name in styles else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        _plain(style.element)
        font = style.font
        font.name, font.size, font.bold = FONT, Pt(size), bool(fmt.get("bold"))
        font.italic = False
        font.color.rgb = RGBColor.from_string(str(fmt.get("color", "000000")))
        _drop_theme_fonts(style.element)
        para = style.paragraph_format
        para.space_before, para.space_after = (
            Pt(float(fmt.get("before", 0))),
            Pt(
                float(fmt.get("after", 6))  # type: ignore[arg-type]
            ),
        )
        para.keep_with_next = bool(fmt.get("keep"))
        if fmt.get("center"):
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if fmt.get("justify"):
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if fmt.get("indent"):
            para.first_line_indent = Inches(float(fmt["indent"]))  # type: ignore[arg-type]

    # ----------------------------------------------------------------- paragraphs

    def para(
        self, *runs: str | tuple[str, str], style: str = "Normal", target: Any = None
    ) -> Paragraph:
        """A paragraph of runs; a run is text or (text, "b"/"i"/"bu") for emphasis."""
        paragraph = (target or self.doc).add_paragraph(style=style)
        for run in runs:
            text, emphasis = (run, "") if isinstance(run, str) else run
            added = paragraph.add_run(text)
            added.bold = "b" in emphasis or None
            added.italic = "i" in emphasis or None
            added.underline = "u" in emphasis or None
        return paragraph

    def tag(self, tag: str, target: Any = None) -> None:
        """A paragraph holding one ``{%p ... %}`` tag and nothing else."""
        (target or self.doc).add_paragraph().add_run(f"{{%p {tag} %}}")

    def prose(self, expression: str, style: str = "Body Text") -> None:
        """Paragraphs of user text: ``expression`` is a list of paragraph strings."""
        self.tag(f"for para in {expression}")
        self.para("{{ para }}", style=style)
        self.tag("endfor")

    # ----------------------------------------------------------------- tables

    def table(self, key: str) -> None:
        """A bordered table with a repeating header row and one row per item."""
        caption, columns = TABLES[key]
        self.tag(f"if tables.{key}")
        self.para(caption, style="Caption")
        table = self._grid(len(columns), [w for _, _, w in columns])
        caption = OxmlElement("w:tblCaption")  # lets render fit the columns to their text
        caption.set(qn("w:val"), DATA_TABLE_CAPTION)
        table._tbl.tblPr.append(caption)
        header, loop, row, end = (table.add_row() for _ in range(4))
        _repeat_header(header)
        _never_split(header, row)
        for index, (heading, expression, _) in enumerate(columns):
            self._cell(header.cells[index], heading, bold=True, shade=True)
            self._cell(row.cells[index], expression)
        self._cell(loop.cells[0], f"{{%tr for r in tables.{key} %}}")
        self._cell(end.cells[0], "{%tr endfor %}")
        self.tag("endif")

    def matrix(self) -> None:
        """The responsibility matrix: one row per party, one column per goal."""
        self.tag("if tables.matrix")
        self.para("Responsibility matrix (parties × shared goals)", style="Caption")
        table = self._grid(4, [1.2, 0.1, 5.1, 0.1])
        caption = OxmlElement("w:tblCaption")  # lets render find the table to size its columns
        caption.set(qn("w:val"), MATRIX_CAPTION)
        table._tbl.tblPr.append(caption)
        header, loop, row, end = (table.add_row() for _ in range(4))
        _repeat_header(header)
        _never_split(header, row)
        for cells, first, variable, body, is_header in (
            (header.cells, "Party", "g in tables.matrix_goals", "{{ g }}", True),
            (row.cells, "{{ r.party }}", "c in r.cells", "{{ c }}", False),
        ):
            self._cell(cells[0], first, bold=is_header, shade=is_header)
            self._cell(cells[1], f"{{%tc for {variable} %}}")
            self._cell(cells[2], body, bold=is_header, shade=is_header)
            self._cell(cells[3], "{%tc endfor %}")
        self._cell(loop.cells[0], "{%tr for r in tables.matrix %}")
        self._cell(end.cells[0], "{%tr endfor %}")
        self.para(
            "Goals are numbered as in the Purpose and Shared Goals article. “Owner” marks a "
            "party accountable for the goal; section numbers are the responsibilities through "
            "which a party serves it.",
            style="Table Text",
        )
        self.tag("endif")

    def exhibit_table(self) -> None:
        """An exhibit's table: as many columns as the exhibit has, one row per row."""
        table = self._grid(3, [0.1, 6.3, 0.1])
        caption = OxmlElement("w:tblCaption")  # lets render share out the columns' width
        caption.set(qn("w:val"), EXHIBIT_TABLE_CAPTION)
        table._tbl.tblPr.append(caption)
        header, loop, row, end = (table.add_row() for _ in range(4))
        _repeat_header(header)
        _never_split(header, row)
        for cells, variable, is_header in (
            (header.cells, "c in x.columns", True),
            (row.cells, "c in r", False),
        ):
            self._cell(cells[0], f"{{%tc for {variable} %}}")
            self._cell(cells[1], "{{ c }}", bold=is_header, shade=is_header)
            self._cell(cells[2], "{%tc endfor %}")
        self._cell(loop.cells[0], "{%tr for r in x.rows %}")
        self._cell(end.cells[0], "{%tr endfor %}")

    def _grid(self, columns: int, widths: list[float]) -> Table:
        table = self.doc.add_table(rows=0, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Inches(width)
        return table

    def _cell(self, cell: _Cell, text: str, bold: bool = False, shade: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.style = self.doc.styles[TABLE_TEXT_STYLE]
        paragraph.add_run(text).bold = bold or None
        if shade:
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:fill"), "D9D9D9")
            cell._tc.get_or_add_tcPr().append(shading)


def _plain(style_element: Any) -> None:
    """Drop the stock Title/Subtitle flourishes: letter spacing, coloured rule, theme colour."""
    for tag in ("w:spacing", "w:color"):
        for found in style_element.get_or_add_rPr().findall(qn(tag)):
            found.getparent().remove(found)
    properties = style_element.find(qn("w:pPr"))
    if properties is not None:
        for border in properties.findall(qn("w:pBdr")):
            properties.remove(border)


def _drop_theme_fonts(style_element: Any) -> None:
    fonts = style_element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _repeat_header(row: _Row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _never_split(*rows: _Row) -> None:
    """A row is printed whole on one page: a page break falls between rows, never inside."""
    for row in rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A real Word field (PAGE, NUMPAGES) whose result Word and LibreOffice compute."""
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {instruction} "
            run._r.append(text)
        elif kind == "result":
            run.text = "1"
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


# --------------------------------------------------------------------------- document


def build() -> bytes:
    """The master template as .docx bytes."""
    writer = TemplateWriter()
    _header_and_footer(writer)
    _title_block(writer)
    _recitals(writer)
    for article in ARTICLES:
        _article(writer, article)
    _signature_page(writer)
    _exhibits(writer)
    _preserve_spaces(writer.doc)
    writer.doc.core_properties.title = "Memorandum of understanding (mou template)"
    writer.doc.core_properties.author = "mou"
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    return buffer.getvalue()


def _header_and_footer(w: TemplateWriter) -> None:
    section = w.doc.sections[0]
    header = section.header
    header.paragraphs[0].style = w.doc.styles["Draft Mark"]
    header.paragraphs[0].add_run("{%p if doc.draft %}")
    w.para("DRAFT — NOT FOR SIGNATURE", style="Draft Mark", target=header)
    w.tag("endif", target=header)
    w.tag("if doc.marking", target=header)
    w.para(("{{ doc.marking }}", "b"), style="Header Text", target=header)
    w.tag("endif", target=header)
    footer = section.footer
    first = footer.paragraphs[0]
    first.style = w.doc.styles["Footer Text"]
    first.add_run("Agreement {{ doc.id }}{% if doc.number %} (No. {{ doc.number }}){% endif %}")
    first.add_run(" · Revision {{ doc.revision }}")
    second = w.para(
        "Fingerprint (SHA-256) {{ doc.fingerprint }}", style="Footer Text", target=footer
    )
    del second
    pages = w.para("Page ", style="Footer Text", target=footer)
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _field(pages, "PAGE")
    pages.add_run(" of ")
    _field(pages, "NUMPAGES")


def _title_block(w: TemplateWriter) -> None:
    # A title that names the instrument ("Memorandum of Understanding for …") is printed
    # alone: the instrument above it would say the same words twice.
    w.tag("if doc.kind")
    w.para("{{ doc.kind }}", style="Title")
    w.para("{{ doc.title }}", style="Subtitle")
    w.tag("else")
    w.para("{{ doc.title }}", style="Title")
    w.tag("endif")
    w.tag("if doc.number")
    w.para("Agreement No. {{ doc.number }}", style="Centered")
    w.tag("endif")
    w.para("between", style="Centered")
    w.tag("for p in parties")
    w.para(("{{ p.legal_name }}", "b"), " (“{{ p.acronym }}”)", style="Centered")
    w.tag("if not loop.last")
    w.para("and", style="Centered")
    w.tag("endif")
    w.tag("endfor")
    w.tag("if doc.supersedes")
    w.para(("Supersedes:", "i"), style="Centered")
    w.tag("for s in doc.supersedes")
    w.para("{{ s }}", style="Centered")
    w.tag("endfor")
    w.tag("endif")


def _recitals(w: TemplateWriter) -> None:
    w.tag("if recitals")
    w.para("RECITALS", style="Heading 1")
    w.prose("recitals")
    w.tag("if doc.therefore")
    w.para(
        "NOW, THEREFORE, in consideration of the mutual promises in this {{ doc.short }}, "
        "the parties agree as follows:",
        style="Body Text",
    )
    w.tag("endif")
    w.tag("endif")


def _article(w: TemplateWriter, article: Article) -> None:
    key = article.key
    w.tag(f"if art.{key}")
    w.para(f"ARTICLE {{{{ art.{key}.no }}}}. {article.heading}", style="Heading 1")
    w.tag(f"for c in art.{key}.clauses")
    w.tag("if c.heading")
    w.para("{{ c.no }}\t{{ c.heading }}", style="Heading 2")
    w.tag("endif")
    w.prose("c.paras")
    # Each table follows the clause that announces it ("in the percentages below").
    for table in article.tables:
        w.tag(f'if "{table}" in c.tables')
        w.matrix() if table == "matrix" else w.table(table)
        w.tag("endif")
    w.tag("endfor")
    w.tag("endif")


def _signature_page(w: TemplateWriter) -> None:
    heading = w.para("ARTICLE {{ art.signatures.no }}. SIGNATURES", style="Heading 1")
    heading.paragraph_format.page_break_before = True
    witness = w.para(
        "IN WITNESS WHEREOF, the parties have executed this {{ doc.short }} by their "
        "authorized representatives on the dates written below. This {{ doc.short }} "
        "{{ doc.effective }}",
        style="Body Text",
    )
    witness.paragraph_format.keep_with_next = True  # never alone on a page of its own
    w.tag("for s in signatures")
    # "FOR CITY OF PORT KESTREL" would want a "THE" that "FOR THE The Regents…" must not
    # have: the heading is "For" and the name as typed, shown in capitals.
    heading = w.para(("For {{ s.party }}", "b"), style="Heading 2")
    heading.runs[0].font.all_caps = True  # shown in capitals, stored exactly as typed
    heading.paragraph_format.space_before = Pt(14)
    w.tag("if s.resolution")
    w.para(("Approved by {{ s.resolution }}", "i"), style="Signature")
    w.tag("endif")
    w.tag("for b in s.blocks")
    w.tag("if b.label")
    w.para(("{{ b.label }}", "b"), style="Signature").paragraph_format.space_before = Pt(10)
    w.tag("endif")
    # A party's blocks stay on one page: each keeps with the next, but for its last.
    w.tag("if loop.last")
    _signature_block(w, keep_with_next=False)
    w.tag("else")
    _signature_block(w, keep_with_next=True)
    w.tag("endif")
    w.tag("endfor")
    w.tag("endfor")


def _exhibits(w: TemplateWriter) -> None:
    """Each exhibit on pages of its own after the signature pages, in letter order."""
    w.tag("for x in exhibits")
    heading = w.para("{{ x.heading }}", style="Title")
    heading.paragraph_format.page_break_before = True
    w.para("{{ x.title }}", style="Subtitle")
    w.tag("if x.table")
    w.exhibit_table()
    w.tag("endif")
    w.prose("x.paras")
    w.tag("endfor")


def _signature_block(w: TemplateWriter, keep_with_next: bool) -> None:
    """One block as one paragraph of lines: a page never falls inside one, and between
    blocks only where ``keep_with_next`` is false (after a party's last block)."""
    # The date beside the signature line, as forms have it: a party's group of four
    # blocks then fits on one page with the article's heading above it.
    block = w.para(
        "\n\n______________________________________   Date: ____________________\n",
        "{{ b.name }}",
        "\n",
        "{{ b.title }}",
        "{% if b.authority %}",
        "\n",
        ("Authority: {{ b.authority }}", "i"),
        "{% endif %}",
        style="Signature",
    )
    block.paragraph_format.keep_together = True
    block.paragraph_format.keep_with_next = keep_with_next
    block.paragraph_format.space_after = Pt(10)


def _preserve_spaces(document: Any) -> None:
    # Leading, trailing and repeated spaces in user text survive only in preserved nodes.
    parts = [document.element]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    for part in parts:
        for text in part.iter(qn("w:t")):
            text.set(qn("xml:space"), "preserve")


def write(targets: list[Path]) -> None:
    """Write the template to every target path."""
    data = build()
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def main() -> None:
    """Regenerate the packaged template and the workspace copy beside the package."""
    workspace_copy = PACKAGED.parents[3] / "templates" / "mou.docx"
    write([PACKAGED])
    shutil.copyfile(PACKAGED, workspace_copy) if workspace_copy.parent.exists() else write(
        [workspace_copy]
    )
    sys.stdout.write(f"{PACKAGED}\n{workspace_copy}\n")


if __name__ == "__main__":
    main()

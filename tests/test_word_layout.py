"""The Word layout: rows that never split, columns that fit their words, tables beside
the clause that announces them, the title once, and each party's signatures on one page.

Checked twice: in the .docx itself (python-docx), and on the pages LibreOffice lays out
(pdftotext, page by page, every example converted once per session)."""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from mou.data import PACKAGED_TEMPLATE
from mou.document.render import render_docx
from mou.document.tables import DATA_TABLE_HEADINGS, TABLES
from mou.document.widths import CELL_PADDING_TWIPS, text_twips
from mou.model import Agreement
from mou.validate import load_file
from tests.support.exports import SAMPLE, SAMPLE_ID, Exported, need_libreoffice
from tests.support.runner import EXAMPLES, run_mou

KESTREL = next(p for p in EXAMPLES if p.stem.startswith("port-kestrel"))
RECORDS = next(p for p in EXAMPLES if p.stem.startswith("western-franklin-records"))


@cache
def exported(path: str, agreement_id: str | None = None) -> Any:
    agreement = load_file(Path(path), agreement_id)
    return Document(io.BytesIO(render_docx(agreement, "a" * 40, draft=False)))


def data_tables(document: Any) -> list[Table]:
    return [
        t
        for t in document.tables
        if tuple(c.text.strip() for c in t.rows[0].cells) in DATA_TABLE_HEADINGS
    ]


def body_paragraphs(document: Any) -> list[Paragraph]:
    """Every body paragraph outside tables, in order."""
    return [Paragraph(p, document) for p in document.element.body.iterchildren(qn("w:p"))]


def keeps_with_next(paragraph: Paragraph) -> bool:
    """Whether the paragraph keeps with the next, set directly or by its style."""
    own = paragraph.paragraph_format.keep_with_next
    if own is not None:
        return own
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return bool(style.paragraph_format.keep_with_next)
        style = style.base_style
    return False


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_table_row_splits_across_pages_and_header_rows_repeat(path) -> None:
    tables = data_tables(exported(str(path)))
    assert len(tables) >= 3
    for table in tables:
        header, *rows = table.rows
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        for row in rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None


def _column_widths(table: Table) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))]


def _longest_word(texts: list[str], bold: bool) -> float:
    words = [w for text in texts for w in re.split(r"\s+|(?<=-)", text) if w]
    return max(text_twips(w, bold, 9.5) for w in words)


def test_the_unit_column_is_as_wide_as_its_longest_word() -> None:
    """Port Kestrel's units ("percent of survey respondents") once broke as "responden/ts"."""
    tables = data_tables(exported(str(KESTREL)))
    goals = next(t for t in tables if t.rows[0].cells[0].text == "Goal")
    headings = [c.text for c in goals.rows[0].cells]
    widths = _column_widths(goals)
    assert sum(widths) == 9360  # the text width: 6.5 inches
    for n, heading in enumerate(headings):
        cells = [row.cells[n].text for row in goals.rows[1:]]
        need = max(_longest_word(cells, False), _longest_word([heading], True))
        assert widths[n] >= need + CELL_PADDING_TWIPS, heading
    unit = widths[headings.index("Unit")]
    assert unit > widths[headings.index("Target")]  # sized by its text, not by a fixed share


def test_a_column_of_long_text_gets_the_room_short_columns_do_not_need() -> None:
    parties = next(
        t
        for t in data_tables(exported(str(KESTREL)))
        if t.rows[0].cells[0].text.startswith("Party (acting")
    )
    party, short, level, address = _column_widths(parties)
    assert party > address > level and party > 2 * short


def test_shares_of_joint_costs_follow_the_clause_that_announces_them() -> None:
    document = exported(str(KESTREL))
    texts = [p.text for p in body_paragraphs(document)]
    announced = next(i for i, t in enumerate(texts) if "in the percentages below" in t)
    caption = texts.index("Shares of joint costs")
    following = [t for t in texts[announced + 1 : caption] if re.match(r"\d+\.\d+\t", t)]
    assert announced < caption and following == []  # no section heading in between
    notes = next(i for i, t in enumerate(texts) if t.endswith("\tNotes"))
    assert caption < notes


def test_tables_still_print_in_their_article_when_no_clause_announces_them() -> None:
    texts = [p.text for p in body_paragraphs(exported(str(KESTREL)))]
    article = next(i for i, t in enumerate(texts) if t.endswith("RESOURCES"))
    funding = next(i for i, t in enumerate(texts) if t.endswith("FUNDING"))
    assert article < texts.index("Resources provided") < funding


def test_every_table_of_the_template_is_printed_once() -> None:
    document = exported(str(SAMPLE), SAMPLE_ID)
    captions = Counter(p.text for p in body_paragraphs(document) if p.style.name == "Caption")
    for caption, _ in TABLES.values():
        assert captions[caption] == 1, caption


# --------------------------------------------------------------------------- title


def _title_block(document: Any) -> list[str]:
    texts = [p.text for p in body_paragraphs(document)]
    return texts[: texts.index("between")]


def test_a_title_naming_the_instrument_is_printed_once() -> None:
    block = _title_block(exported(str(KESTREL)))
    assert block[0] == (
        "Memorandum of Understanding for the Port Kestrel Community Violence Reduction Partnership"
    )
    assert not any(t.upper() == "MEMORANDUM OF UNDERSTANDING" for t in block)


def test_a_title_that_does_not_name_the_instrument_is_printed_under_it() -> None:
    block = _title_block(exported(str(SAMPLE), SAMPLE_ID))
    assert block[:2] == ["MEMORANDUM OF UNDERSTANDING", "Sample Agreement With Every Section"]


# --------------------------------------------------------------------------- signatures


def _signature_paragraphs(document: Any) -> list[Paragraph]:
    paragraphs = body_paragraphs(document)
    start = next(i for i, p in enumerate(paragraphs) if p.text.endswith(". SIGNATURES"))
    end = next(
        (i for i, p in enumerate(paragraphs) if p.text.startswith("EXHIBIT ")), len(paragraphs)
    )
    return paragraphs[start:end]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_signature_headings_read_for_and_the_party_s_name(path) -> None:
    agreement = load_file(path)
    paragraphs = _signature_paragraphs(exported(str(path)))
    headings = [p for p in paragraphs if p.style.name == "Heading 2"]
    assert [h.text for h in headings] == [f"For {p.legal_name}" for p in agreement.parties]
    assert all(h.runs[0].font.all_caps for h in headings)  # shown as FOR BELLWATER COUNTY


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_party_s_signature_group_keeps_together(path) -> None:
    """Every paragraph of a group keeps with the next, but for the group's last block."""
    agreement = load_file(path)
    paragraphs = [p for p in _signature_paragraphs(exported(str(path))) if p.text.strip()]
    starts = [i for i, p in enumerate(paragraphs) if p.style.name == "Heading 2"]
    assert keeps_with_next(paragraphs[1])  # the witness clause goes with the first group
    for party, start, end in zip(
        agreement.parties, starts, [*starts[1:], len(paragraphs)], strict=True
    ):
        group = paragraphs[start:end]
        assert "______" in group[-1].text  # the group ends with a signature block
        assert all(keeps_with_next(p) for p in group[:-1]), party.id
        assert not keeps_with_next(group[-1])
        assert all(p.paragraph_format.keep_together for p in group if "______" in p.text)


# --------------------------------------------------------------------------- on the page


def _words(text: str) -> Counter[str]:
    """Whole words as a page shows them (a line may break after a hyphen)."""
    tokens = re.split(r"\s+|(?<=-)", text)
    return Counter(t.strip(".,;:()“”\"'") for t in tokens if t.strip(".,;:()“”\"'"))


def _cell_words(document: Any) -> Counter[str]:
    words: Counter[str] = Counter()
    for table in data_tables(document):
        for row in table.rows:
            for cell in row.cells:
                words.update(w for w in _words(cell.text) if len(w) > 2 and w.isalpha())
    return words


def test_no_word_in_a_table_is_broken_on_the_page(exported_examples: list[Exported]) -> None:
    """A word broken across lines ("responden" / "ts") is missing whole from the page."""
    for export in exported_examples:
        document = Document(str(export.docx))
        printed = _words(" ".join(export.pages()))
        broken = {
            word: (count, printed[word])
            for word, count in _cell_words(document).items()
            if printed[word] < count
        }
        assert broken == {}, export.agreement.id


def _signature_pages(export: Exported) -> list[str]:
    pages = [" ".join(page.split()) for page in export.pages()]
    first = next(i for i, page in enumerate(pages) if ". SIGNATURES" in page)
    return pages[first:]


def test_each_party_s_signature_group_is_on_one_page(exported_examples: list[Exported]) -> None:
    for export in exported_examples:
        pages = _signature_pages(export)
        for party in export.agreement.parties:
            heading = " ".join(f"FOR {party.legal_name.upper()}".split())
            on = [i for i, page in enumerate(pages) if heading in page]
            assert len(on) == 1, (export.agreement.id, heading)
            missing = [s.name for s in party.signatories if s.name not in pages[on[0]]]
            assert missing == [], (export.agreement.id, party.id, "on the next page")


def test_the_records_exchange_keeps_the_port_s_attest_and_form_blocks_with_its_signatory(
    exported_examples: list[Exported],
) -> None:
    export = next(e for e in exported_examples if e.agreement.id == RECORDS.stem)
    port: Agreement = export.agreement
    party = next(p for p in port.parties if "Port of Kestrel" in p.legal_name)
    page = next(p for p in _signature_pages(export) if party.signatories[0].name in p)
    assert all(s.name in page for s in party.signatories)
    assert "FOR THE " not in " ".join(_signature_pages(export))


def test_a_template_restyled_in_libreoffice_keeps_the_layout(tmp_path: Path) -> None:
    """LibreOffice drops table captions: tables are known by their header rows instead."""
    need_libreoffice()
    out = tmp_path / "restyled"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "docx", "--outdir", str(out), PACKAGED_TEMPLATE],
        check=True,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    restyled = out / PACKAGED_TEMPLATE.name
    assert run_mou("templates", "check", str(restyled)).returncode == 0
    data = render_docx(load_file(KESTREL), "a" * 40, draft=False, template=restyled)
    document = Document(io.BytesIO(data))
    goals = next(t for t in data_tables(document) if t.rows[0].cells[0].text == "Goal")
    unit = [c.text for c in goals.rows[0].cells].index("Unit")
    cells = [row.cells[unit].text for row in goals.rows[1:]]
    assert _column_widths(goals)[unit] >= _longest_word(cells, False) + CELL_PADDING_TWIPS
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in goals.rows[1:])
    headings = [p for p in _signature_paragraphs(document) if p.style.name == "Heading 2"]
    assert headings[0].text == "For City of Port Kestrel"

"""The conformed copy: the text in force, its signatures shown as "/s/ Name", its amendments listed.

The copy is the export of the latest executed revision (every executed amendment is
already in that text), edited after rendering: each signature block whose signatory
signed shows "/s/ Name" on the signature line and the date beside it, a notice on the
first page says what the copy is, and a last page lists the instruments it incorporates
with their dates and revisions (its provenance). It is a record, not a copy for
signature: `mou verify` reports its text as changed from the export of that revision.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

SIGNATURE_LINE = "______________________________________"
DATE_BLANK = "Date: ____________________"


@dataclass(frozen=True)
class ConformedFacts:
    """What the conformed copy adds to the export of the text in force."""

    signed: dict[tuple[str, str], str]
    """(signatory name, title) -> the date they signed, as printed."""
    instruments: list[tuple[str, str, str, str]]
    """(instrument, executed date, effective date, revision) in the order executed."""
    notice: str


def conform(docx_bytes: bytes, facts: ConformedFacts) -> bytes:
    """The export ``docx_bytes`` made into the conformed copy that ``facts`` describe."""
    from docx import Document

    word = Document(io.BytesIO(docx_bytes))
    for paragraph in word.paragraphs:
        if SIGNATURE_LINE in paragraph.text:
            _fill_block(paragraph, facts.signed)
    word.paragraphs[0].insert_paragraph_before(facts.notice)
    _instrument_table(word, facts.instruments)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _fill_block(paragraph: Any, signed: dict[tuple[str, str], str]) -> None:
    """Write "/s/ Name" and the date into one signature block, if its signatory signed."""
    lines = paragraph.text.split("\n")
    at = next(i for i, line in enumerate(lines) if SIGNATURE_LINE in line)
    name = lines[at + 1] if at + 1 < len(lines) else ""
    title = lines[at + 2] if at + 2 < len(lines) else ""
    date = signed.get((name, title))
    if date is None:
        return
    for run in paragraph.runs:
        if SIGNATURE_LINE in run.text:
            run.text = run.text.replace(SIGNATURE_LINE, f"/s/ {name}")
        if DATE_BLANK in run.text:
            run.text = run.text.replace(DATE_BLANK, f"Date: {date}")


def _instrument_table(word: Any, instruments: list[tuple[str, str, str, str]]) -> None:
    word.add_page_break()
    word.add_paragraph("INSTRUMENTS INCORPORATED IN THIS CONFORMED COPY")
    table = word.add_table(rows=1, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ("Instrument", "Executed", "Effective", "Revision"), strict=True
    ):
        cell.text = text
    for row in instruments:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text

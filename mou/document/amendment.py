"""The amendment document: the agreement's printed text cut into units, and the Word file.

An amendment cites the printed agreement ("Article 7, Section 7.2"), so the units it
speaks of are the ones the export prints: each clause of each article (by its heading,
or its place when unheaded), each table of an article, the recitals and each exhibit.
:func:`text_units` cuts an agreement into them from the same context the export renders;
:func:`render_amendment` writes the numbered instructions, recitals and signature blocks
with python-docx (no template: the amendment's wording is fixed, and counsel's).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from ..model import Agreement
from ..outline import ARTICLES
from .context import build_context

DRAFT_MARK = "DRAFT — NOT FOR SIGNATURE"


@dataclass(frozen=True)
class Unit:
    """One piece of the printed agreement an instruction can name."""

    key: tuple[str, str]
    """(article key or "recitals"/"exhibit", clause heading or "#n" or "table:name")."""
    article_no: int | None
    label: str
    """How counsel cites it: "Article 7, Section 7.2 (Term)", "Exhibit B"."""
    paras: tuple[str, ...]


@dataclass(frozen=True)
class Instruction:
    """One numbered instruction: what happens to which unit, and the new text."""

    kind: str  # "replace" | "add" | "delete"
    key: tuple[str, str]
    sentence: str
    paras: tuple[str, ...] = ()
    part: int | None = None
    """For paragraphs or rows added to or deleted from a unit: where, counted in the text
    the step is written against (the text in force for a deletion, the amended one for
    an addition); None when the whole unit is added, replaced or deleted."""


@dataclass(frozen=True)
class AmendmentDocument:
    """Everything the amendment document prints."""

    number: int
    title: str
    agreement_number: str | None
    recitals: list[str]
    instructions: list[Instruction]
    signatures: list[dict[str, Any]]
    provenance: str
    draft: bool = False
    joinders: list[str] = field(default_factory=list)
    joinder_only: bool = False
    """Signed only by the new members and the parties the amendment article names."""


def text_units(agreement: Agreement) -> list[Unit]:
    """The agreement as printed, cut into the units an amendment cites, in document order."""
    context = build_context(agreement, None, draft=False, fingerprint="")
    units = [Unit(("recitals", "#0"), None, "The recitals", tuple(context["recitals"]))]
    for article in ARTICLES:
        printed = context["art"].get(article.key)
        if printed:
            units += _article_units(article.key, article.heading, printed)
            units += _table_units(article.key, printed["no"], article.tables, context["tables"])
    units += [_exhibit_unit(x) for x in context["exhibits"]]
    return units


def _article_units(key: str, heading: str, printed: dict[str, Any]) -> list[Unit]:
    no = printed["no"]
    units = []
    for index, clause in enumerate(printed["clauses"]):
        if clause["heading"]:
            label = f"Article {no}, Section {clause['no']} ({clause['heading']})"
            unit_key = (key, clause["heading"])
        else:
            label = f"Article {no} ({heading.title()}), paragraph {index + 1}"
            unit_key = (key, f"#{index}")
        units.append(Unit(unit_key, no, label, tuple(clause["paras"])))
    return units


def _table_units(key: str, no: int, names: tuple[str, ...], tables: dict[str, Any]) -> list[Unit]:
    units = []
    for name in names:
        rows = tables.get(name) or []
        lines = tuple(" | ".join(str(v) for v in _row_values(row)) for row in rows)
        if lines:
            label = f"The table of {name.replace('_', ' ')} in Article {no}"
            units.append(Unit((key, f"table:{name}"), no, label, lines))
    return units


def _row_values(row: Any) -> list[Any]:
    if isinstance(row, dict):
        return [v for v in row.values() if isinstance(v, str | int | float)]
    return list(row) if isinstance(row, list) else [row]


def _exhibit_unit(exhibit: dict[str, Any]) -> Unit:
    rows = tuple(" | ".join(r) for r in exhibit["rows"])
    paras = (exhibit["title"], *exhibit["paras"], *rows)
    return Unit(("exhibit", exhibit["letter"]), None, f"Exhibit {exhibit['letter']}", paras)


def render_amendment(doc: AmendmentDocument) -> bytes:
    """The amendment as a Word file."""
    from docx import Document

    word = Document()
    if doc.draft:
        word.add_paragraph(DRAFT_MARK)
    number = f" (No. {doc.agreement_number})" if doc.agreement_number else ""
    kind = "Joinder Agreement (Amendment No. {n})" if doc.joinder_only else "Amendment No. {n}"
    word.add_heading(f"{kind.format(n=doc.number)} to {doc.title}{number}", level=1)
    for recital in doc.recitals:
        word.add_paragraph(recital)
    word.add_paragraph("NOW, THEREFORE, the parties agree to amend the Agreement as follows:")
    for index, instruction in enumerate(doc.instructions, start=1):
        word.add_paragraph(f"{index}. {instruction.sentence}")
        for para in instruction.paras:
            word.add_paragraph(para, style="Quote")
    for joinder in doc.joinders:
        word.add_paragraph(joinder)
    word.add_paragraph(
        "Except as amended here, every term of the Agreement remains in full force and "
        "effect. This Amendment takes effect on the date of the last signature below."
    )
    _signature_blocks(word, doc.signatures)
    section = word.sections[0]
    section.footer.paragraphs[0].text = doc.provenance
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _signature_blocks(word: Any, signatures: list[dict[str, Any]]) -> None:
    word.add_heading("Signatures", level=2)
    for party in signatures:
        word.add_paragraph(party["party"])
        for block in party["blocks"]:
            if block["label"]:
                word.add_paragraph(block["label"])
            word.add_paragraph("______________________________   Date: ____________")
            word.add_paragraph(f"{block['name']}, {block['title']}")

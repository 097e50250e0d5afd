"""Exhibits: lettered, titled, cited, bound after the signature pages, covered by provenance."""

from __future__ import annotations

import copy
import io
from functools import cache
from typing import Any

import pytest
from docx import Document

from mou.attachments import next_letter, safe_name
from mou.document.ooxml import document_text
from mou.document.provenance import verify
from mou.document.render import render_docx
from mou.errors import InvalidAgreement
from mou.rules import check
from mou.ui.rows import Column, Table, from_rows, to_rows
from mou.validate import validate_data
from mou.yamlio import read_bytes
from tests.support.runner import ROOT

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"
REVISION = "0123456789abcdef0123456789abcdef01234567"


def sample_data() -> dict[str, Any]:
    return copy.deepcopy(read_bytes(SAMPLE.read_bytes(), str(SAMPLE)).data)


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidAgreement) as caught:
        validate_data(data)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


@cache
def exported() -> bytes:
    return render_docx(validate_data(sample_data()), REVISION, False)


def test_exhibits_are_bound_after_the_signature_pages_in_letter_order() -> None:
    text = document_text(exported())
    signatures = text.index("IN WITNESS WHEREOF")
    places = [text.index(f"EXHIBIT {letter}\n") for letter in "ABC"]
    assert signatures < places[0] < places[1] < places[2]
    assert "EXHIBIT A\nOvertime rates\nRank\nHourly overtime rate\nNotes\nOfficer\n$62.50" in text
    assert "Attached file: data-use-agreement.pdf\nSHA-256: f084ef77" in text


def test_the_general_provisions_incorporate_each_exhibit_by_letter_and_title() -> None:
    text = document_text(exported())
    listed = text.index("are part of this Memorandum and are bound after the signature pages:")
    assert text.index("Exhibit A — Overtime rates.", listed) < text.index("IN WITNESS WHEREOF")


def test_an_exhibit_table_gets_one_column_per_heading_sharing_the_page_width() -> None:
    document = Document(io.BytesIO(exported()))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Rank")
    assert [c.text for c in table.rows[0].cells] == ["Rank", "Hourly overtime rate", "Notes"]
    assert [c.text for c in table.rows[2].cells] == [
        "Sergeant",
        "$71.00",
        "Includes the shift differential",
    ]
    widths = {cell.width for cell in table.rows[0].cells}
    assert len(widths) == 1 and abs(sum(c.width for c in table.rows[0].cells) - 6.5 * 914400) < 9144


def test_provenance_covers_the_exhibits() -> None:
    document = Document(io.BytesIO(exported()))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Rank")
    table.rows[1].cells[1].paragraphs[0].runs[0].text = "$92.50"  # an edit made in Word
    edited = io.BytesIO()
    document.save(edited)
    assert verify(exported()).status == "unaltered"
    assert verify(edited.getvalue()).status == "altered"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda x: x[0].update(text="A table with prose too."),
            "$.exhibits[0]: a table exhibit gives columns and rows, and no text, file, sha256",
        ),
        (
            lambda x: x[1].update(kind="file"),
            "$.exhibits[1]: a file exhibit gives file and sha256, and no columns, rows, text",
        ),
        (
            lambda x: x[0]["rows"][0]["cells"].pop(),
            "$.exhibits[0]: row 'officer' has 2 cell(s) for 3 column(s)",
        ),
        (
            lambda x: x[2].update(file="contract.exe"),
            '$.exhibits[2].file: "contract.exe" does not have the expected form',
        ),
        (
            lambda x: x[1].update(letter="D"),
            "$.exhibits[2].letter: Exhibit C comes after Exhibit D; list exhibits in the order "
            "of their letters",
        ),
        (lambda x: x[1].update(letter="A"), "$.exhibits[1].letter: duplicate letter 'A'"),
    ],
)
def test_an_exhibit_holds_exactly_its_kind(change: Any, said: str) -> None:
    data = sample_data()
    change(data["exhibits"])
    assert said in problems(data)


def test_text_that_cites_a_missing_exhibit_is_an_error() -> None:
    data = sample_data()
    data["purpose"] += " The budget is in Exhibit D."
    found = [f for f in check(validate_data(data)) if f.rule_id == "exhibits.references-resolve"]
    assert [(f.path, f.message) for f in found] == [
        ("$.purpose", "cites Exhibit D, which is not an exhibit (exhibits: A, B, C)")
    ]


def test_an_exhibit_cited_only_by_the_generated_list_is_uncited() -> None:
    data = sample_data()
    data["general"]["additional"].pop()  # the only sentence citing Exhibits B and C
    found = [f.path for f in check(validate_data(data)) if f.rule_id == "exhibits.cited"]
    assert found == ["$.exhibits[1]", "$.exhibits[2]"]


def test_the_rows_of_a_table_exhibit_are_edited_as_cells() -> None:
    spec = Table(
        ("rows",), (Column("c0", "Rank"), Column("c1", "Rate")), name_field="c0", cells=True
    )
    items = [{"id": "officer", "cells": ["Officer", "$62.50"]}]
    rows = to_rows(items, spec)
    assert rows == [{"id": "officer", "c0": "Officer", "c1": "$62.50"}]
    rows.append({"id": None, "c0": "Sergeant", "c1": None})
    assert from_rows(rows, items, spec) == [
        {"id": "officer", "cells": ["Officer", "$62.50"]},
        {"id": "sergeant", "cells": ["Sergeant", ""]},
    ]


@pytest.mark.parametrize(
    ("taken", "expected"), [([], "A"), (["A", "B"], "C"), (["Z"], "AA"), (["AZ"], "BA")]
)
def test_a_new_exhibit_takes_the_next_letter(taken: list[str], expected: str) -> None:
    assert next_letter(taken) == expected


def test_an_uploaded_file_name_is_made_acceptable() -> None:
    assert safe_name("Overtime rates (2027).PDF") == "Overtime-rates-2027.pdf"

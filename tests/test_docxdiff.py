"""The document compare engine on hand-built Word files: round trip, markup, formatting."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mou.changes.compare import Stamp, compare_documents
from tests.support.tracked import W, tracked_ids, visible_units, xpath

WHEN = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
STAMP = Stamp("Bob Counsel", WHEN)


def _document(paragraphs: list[str | tuple[str, str]], rows: list[list[str]] | None) -> bytes:
    """Paragraphs (a tuple is plain + bold runs) and an optional table, as .docx bytes."""
    document = docx.Document()
    for item in paragraphs:
        if isinstance(item, tuple):
            paragraph = document.add_paragraph(item[0])
            paragraph.add_run(item[1]).bold = True
        else:
            document.add_paragraph(item)
    if rows:
        table = document.add_table(rows=0, cols=len(rows[0]))
        for cells in rows:
            for cell, text in zip(table.add_row().cells, cells, strict=True):
                cell.text = text
        document.add_paragraph("After the table.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


OLD = _document(
    [
        "Memorandum of Understanding",
        ("The parties agree to share records within 3.5 days ", "and pay $1,000.00."),
        "A paragraph that goes away entirely.",
        "Each party bears its own costs.",
    ],
    [["CCSO", "60 %"], ["MPD", "40 %"], ["DA", "0 %"]],
)
NEW = _document(
    [
        "Memorandum of Understanding",
        "A paragraph inserted at the top.",
        ("The parties agree to share records within 5 days ", "and pay $2,000.00."),
        "Each party bears its own costs.",
    ],
    [["MPD", "45 %"], ["CCSO", "55 %"]],
)


def test_accept_all_gives_the_new_text_and_reject_all_the_old():
    redline = compare_documents(OLD, NEW, lambda d, i: STAMP)
    assert visible_units(redline, "accept") == visible_units(NEW)
    assert visible_units(redline, "reject") == visible_units(OLD)


def test_changed_words_only_are_marked_and_formatting_kept():
    redline = compare_documents(OLD, NEW, lambda d, i: STAMP)
    deleted = ["".join(d.itertext()) for d in xpath(redline, "//w:body/w:p/w:del")]
    inserted = ["".join(i.itertext()) for i in xpath(redline, "//w:body/w:p/w:ins")]
    assert "3.5 " in deleted and "$1,000.00" in deleted
    assert "5 " in inserted and "$2,000.00" in inserted
    bold_insert = xpath(redline, "//w:ins[.//w:t='$2,000.00']/w:r/w:rPr/w:b")
    assert bold_insert, "the inserted amount keeps the bold of its run"


def test_every_revision_is_attributed_and_ids_are_unique():
    redline = compare_documents(OLD, NEW, lambda d, i: STAMP)
    ids = tracked_ids(redline)
    assert ids and len(ids) == len(set(ids))
    marks = xpath(redline, "//w:ins | //w:del")
    authors = {m.get(f"{{{W}}}author") for m in marks}
    dates = {m.get(f"{{{W}}}date") for m in marks}
    assert len(marks) == len(ids)
    assert authors == {"Bob Counsel"} and dates == {"2026-11-02T09:30:00Z"}


def test_whole_paragraphs_and_rows_carry_mark_revisions():
    redline = compare_documents(OLD, NEW, lambda d, i: STAMP)
    inserted = "//w:p[w:pPr/w:rPr/w:ins][.//w:t='A paragraph inserted at the top.']"
    assert xpath(redline, inserted)
    assert xpath(redline, "//w:p[w:pPr/w:rPr/w:del][.//w:delText]")
    assert xpath(redline, "//w:tr[w:trPr/w:del][.//w:delText='DA']")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (_document(["One.", "Two."], [["a", "b"]]), _document(["One.", "Two."], None)),
        (_document(["One."], None), _document(["Two.", "One."], [["a", "b"], ["c", "d"]])),
        (_document([], [["a", "b"]]), _document(["Only prose now."], None)),
        (_document(["Same."], None), _document(["Same."], None)),
    ],
    ids=["table-removed", "table-added", "everything-replaced", "identical"],
)
def test_round_trip_on_structural_changes(old, new):
    redline = compare_documents(old, new, lambda d, i: STAMP)
    assert visible_units(redline, "accept") == visible_units(new)
    assert visible_units(redline, "reject") == visible_units(old)


def test_attribution_receives_the_deleted_and_inserted_text():
    seen = []

    def attribute(deleted: str, inserted: str) -> Stamp:
        seen.append((deleted, inserted))
        return STAMP

    compare_documents(_document(["Pay 3 dollars."], None), _document(["Pay 4 dollars."], None),
                      attribute)  # fmt: skip
    assert seen == [("3 ", "4 ")]  # only the changed words, not the whole paragraph


def _blocks_document(blocks: list) -> bytes:
    """Paragraphs (str), plain+bold paragraphs (tuple) and tables (list of rows)."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, list):
            table = document.add_table(rows=0, cols=2)
            for cells in block:
                for cell, text in zip(table.add_row().cells, cells, strict=True):
                    cell.text = text
        elif isinstance(block, tuple):
            paragraph = document.add_paragraph(block[0])
            paragraph.add_run(block[1]).bold = True
        else:
            document.add_paragraph(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_WORDS = st.sampled_from(["the", "party", "shall", "$1,000.00", "3.5", "§ 12", "notice", "—", ","])
_TEXT = st.lists(_WORDS, max_size=8).map(" ".join)
_BLOCK = st.one_of(
    _TEXT,
    st.tuples(_TEXT, _TEXT),
    st.lists(st.tuples(_TEXT, _TEXT).map(list), min_size=1, max_size=4),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=st.lists(_BLOCK, max_size=6), new=st.lists(_BLOCK, max_size=6))
def test_round_trip_holds_for_any_two_documents(old, new):
    # Property: whatever the two bodies, accept-all is the new text, reject-all the old.
    old_docx, new_docx = _blocks_document(old), _blocks_document(new)
    redline = compare_documents(old_docx, new_docx, lambda d, i: STAMP)
    assert visible_units(redline, "accept") == visible_units(new_docx)
    assert visible_units(redline, "reject") == visible_units(old_docx)
    ids = tracked_ids(redline)
    assert len(ids) == len(set(ids))

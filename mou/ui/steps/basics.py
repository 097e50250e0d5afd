"""Step 1, Basics: what the agreement is (type, title, number, purpose) and what it rests on."""

from __future__ import annotations

import streamlit as st

from ...model import AgreementType, Instrument, Status
from ...outline import TITLE_BLOCK_FIELDS, fields_of
from .. import fields as f
from ..controls import CLAUSE, parts
from ..rows import Column, Table
from ..state import Draft
from .step import Step

BASICS_FIELDS = TITLE_BLOCK_FIELDS
AUTHORITIES = (
    Column("citation", "Citation", required=True),
    Column("description", "Description"),
    Column("parties", "Parties (empty = all)", kind="parties"),
)
TERMS = (Column("term", "Term", required=True), Column("meaning", "Meaning", required=True))


def basics(draft: Draft) -> None:
    """Type, title, number, purpose, background, authorities, definitions."""
    parts(
        draft,
        "basics",
        [
            ("Title and purpose", (*BASICS_FIELDS, "purpose"), _title_and_purpose),
            ("Recitals", ("background",), _recitals),
            ("Authorities", ("authorities",), _authorities),
            ("Definitions", ("definitions",), _definitions),
        ],
    )


def _title_and_purpose(draft: Draft) -> None:
    st.caption(f"Agreement id: `{draft.agreement_id}` (the file name; it cannot change)")
    left, right = st.columns(2)
    with left:
        f.choice(draft, ("type",), "Agreement type", list(AgreementType))
        f.text(draft, ("number",), "Agreement number", placeholder="e.g. 2026-TF-014")
    with right:
        f.choice(draft, ("instrument",), "Instrument", list(Instrument))
        f.choice(draft, ("status",), "Status", list(Status))
    f.text(draft, ("title",), "Title")
    f.text(
        draft, ("marking",), "Handling marking (optional)", placeholder="e.g. For Official Use Only"
    )
    f.text(draft, ("purpose",), "Purpose", area=True, height=110)
    f.lines(
        draft,
        ("supersedes",),
        "Supersedes (optional; one earlier agreement per line)",
        height=68,
    )


def _recitals(draft: Draft) -> None:
    f.table(
        draft,
        Table(("background",), CLAUSE, name_field="text"),
        caption="One recital per row, e.g. “WHEREAS the parties …”.",
    )


def _authorities(draft: Draft) -> None:
    f.table(draft, Table(("authorities",), AUTHORITIES, name_field="citation"))


def _definitions(draft: Draft) -> None:
    f.table(
        draft,
        Table(("definitions",), TERMS, name_field="term"),
        caption="Defined terms; each should be used in the text.",
    )


STEP = Step(
    "basics",
    "Basics",
    ":material/description:",
    (*BASICS_FIELDS, "purpose", "background", *fields_of("authority", "definitions")),
    basics,
    "Basics",
)

"""Step 8, Term: when the agreement runs, who bears liability, disputes, amendment, boilerplate."""

from __future__ import annotations

import streamlit as st

from ...model import EffectiveRule, LiabilityBearer
from .. import fields as f
from ..controls import CLAUSE, parts
from ..readiness import past_effective_date
from ..rows import Column, Table
from ..state import Draft
from ..style import plain
from .step import Step

LEVELS = (
    Column("description", "Level", required=True),
    Column("days", "Days before escalating", kind="int"),
)
GENERAL_FLAGS = (
    ("no_third_party_beneficiaries", "No third-party beneficiaries"),
    ("no_assignment", "No assignment"),
    ("counterparts_and_electronic_signatures", "Counterparts and e-signatures"),
    ("severability", "Severability"),
    ("entire_agreement", "Entire agreement"),
)


def term(draft: Draft) -> None:
    """Term, liability, disputes, amendment and general provisions."""
    parts(
        draft,
        "term",
        [
            ("Term", ("term",), _term),
            ("Liability", ("liability",), _liability),
            ("Disputes", ("disputes",), _disputes),
            ("Amendment", ("amendment",), _amendment),
            ("General provisions", ("general",), _general),
        ],
    )


def _past_date_note(draft: Draft) -> None:
    """Say so beneath the field when the effective date has passed (drawn always, as
    problems are, so the fields below keep their place)."""
    slot = st.container()
    said = past_effective_date(draft.data)
    if said is not None:
        slot.caption(f":orange[:material/warning: {plain(said)}.]")


def _term(draft: Draft) -> None:
    t = ("term",)
    left, mid, right = st.columns(3)
    with left:
        f.choice(
            draft,
            (*t, "effective_rule"),
            "Takes effect",
            list(EffectiveRule),
            labels={"fixed_date": "On a fixed date", "last_signature": "On the last signature"},
        )
    with mid:
        f.date(draft, (*t, "effective_date"), "Effective date")
        _past_date_note(draft)
    with right:
        f.date(draft, (*t, "expiration_date"), "Expires (empty: until terminated)")
    _review_and_notice(draft, t)
    _host(draft, t)
    f.text(draft, (*t, "renewal"), "Renewal (optional)", area=True, height=70)
    f.text(draft, (*t, "termination_effects"), "Effects of termination", area=True, height=70)


def _review_and_notice(draft: Draft, t: tuple[str, ...]) -> None:
    left, mid, right = st.columns(3)
    with left:
        f.number(draft, (*t, "review_interval_months"), "Review every (months)", min_value=1)
    with mid:
        f.number(
            draft,
            (*t, "withdrawal_notice_days"),
            "Withdrawal notice (days)",
            min_value=1,
        )
    with right:
        f.text(draft, (*t, "notice_method"), "Notice method")


def _host(draft: Draft, t: tuple[str, ...]) -> None:
    """A party that hosts the shared system gives its own notice and names its successor."""
    left, right = st.columns(2)
    with left:
        f.party(draft, (*t, "host_party"), "Host party (optional)", optional=True)
    with right:
        f.number(
            draft,
            (*t, "host_withdrawal_notice_days"),
            "Host's withdrawal notice (days)",
            min_value=1,
        )
    f.text(
        draft,
        (*t, "host_successor"),
        "If the host withdraws (successor, hand-over)",
        area=True,
        height=70,
    )


def _liability(draft: Draft) -> None:
    left, right = st.columns(2)
    with left:
        f.choice(draft, ("liability", "tort"), "Tort liability borne by", list(LiabilityBearer))
    with right:
        f.choice(
            draft,
            ("liability", "workers_compensation"),
            "Workers' compensation borne by",
            list(LiabilityBearer),
        )
    f.text(
        draft, ("liability", "indemnification"), "Indemnification (optional)", area=True, height=70
    )
    f.text(draft, ("liability", "insurance"), "Insurance (optional)", area=True, height=70)


def _disputes(draft: Draft) -> None:
    f.table(
        draft,
        Table(("disputes", "levels"), LEVELS, name_field="description"),
        caption="Escalation levels in order, ending with the agency heads.",
    )


def _amendment(draft: Draft) -> None:
    f.text(draft, ("amendment", "procedure"), "Procedure", area=True, height=70)
    f.text(draft, ("amendment", "new_members"), "New members (optional)", area=True, height=70)
    f.yes_no(draft, ("amendment", "joinder_alone"), "New members join by a joinder alone")
    f.parties(draft, ("amendment", "joinder_signers"), "Parties that sign a joinder with them")


def _general(draft: Draft) -> None:
    g = ("general",)
    f.text(draft, (*g, "governing_law"), "Governing law")
    cols = st.columns(3)
    for index, (name, label) in enumerate(GENERAL_FLAGS):
        with cols[index % 3]:
            f.checkbox(draft, (*g, name), label, default=True)
    f.table(
        draft, Table((*g, "additional"), CLAUSE, name_field="text"), caption="Additional provisions"
    )


STEP = Step(
    "term",
    "Term, liability and general provisions",
    ":material/gavel:",
    ("term", "liability", "disputes", "amendment", "general"),
    term,
    "Term",
)

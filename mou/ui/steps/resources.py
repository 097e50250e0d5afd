"""Step 5, Resources: what each party contributes, who pays for what, forfeiture shares."""

from __future__ import annotations

import streamlit as st

from ...model import ResourceCategory
from .. import fields as f
from ..controls import FREQUENCIES, parts, section
from ..rows import Column, Table, get_in
from ..state import Draft
from .step import Step

RESOURCES = (
    Column("provider", "Provider", kind="party", required=True),
    Column("category", "Category", kind="choice", options=tuple(ResourceCategory), required=True),
    Column("description", "Description", required=True),
    Column("quantity", "Qty", kind="float", required=True),
    Column("unit", "Unit", required=True),
    Column("estimated_value", "Value (USD)", kind="float"),
    Column("reimbursable", "Reimbursable", kind="bool"),
    Column("disposition_on_termination", "On termination"),
)
SHARES = (
    Column("party", "Party", kind="party", required=True),
    Column("percent", "Percent", kind="float", required=True),
)
FEES = (
    Column("description", "Fee", required=True),
    Column("amount", "Amount", kind="float", required=True),
    Column("unit", "Per", required=True),
)


def resources(draft: Draft) -> None:
    """What each party contributes, and who pays for what."""
    parts(
        draft,
        "resources",
        [
            ("Resources", ("resources",), _resources),
            ("Funding", ("funding",), _funding),
            ("Asset forfeiture", ("forfeiture",), _forfeiture),
        ],
    )


def _resources(draft: Draft) -> None:
    f.table(
        draft,
        Table(("resources",), RESOURCES, name_field="description"),
        caption="Personnel, vehicles, equipment, facilities, systems and funds each party "
        "provides.",
    )


def _funding(draft: Draft) -> None:
    fu = ("funding",)
    left, right = st.columns(2)
    with left:
        f.checkbox(
            draft,
            (*fu, "each_party_bears_own_costs"),
            "Each party bears its own costs",
            default=True,
        )
    with right:
        f.checkbox(
            draft, (*fu, "subject_to_appropriations"), "Subject to appropriations", default=True
        )
    f.table(
        draft,
        Table((*fu, "cost_shares"), SHARES, key_field=None),
        caption="Cost shares of joint costs — when given they must sum to 100 %.",
    )
    f.number(
        draft,
        (*fu, "not_to_exceed"),
        "Not-to-exceed amount (USD, optional)",
        integer=False,
    )
    _reimbursement(draft)
    st.markdown("**Fee schedule**")
    f.table(draft, Table((*fu, "fee_schedule"), FEES, name_field="description"))
    f.text(draft, (*fu, "notes"), "Funding notes (optional)", area=True, height=80)


def _reimbursement(draft: Draft) -> None:
    p = ("funding", "reimbursement")
    on = st.toggle(
        "One party reimburses another",
        value=get_in(draft.data, p) is not None,
        key=draft.key("$.funding.reimbursement::on"),
    )
    funding = draft.data.setdefault("funding", {})
    if on != ("reimbursement" in funding):
        draft.touch()
    if not on:
        funding.pop("reimbursement", None)
        return
    funding.setdefault("reimbursement", {})
    _reimbursement_terms(draft, p)


def _reimbursement_terms(draft: Draft, p: tuple[str, ...]) -> None:
    left, right = st.columns(2)
    with left:
        f.party(draft, (*p, "payer"), "Payer")
        f.number(draft, (*p, "cap"), "Cap per period (USD)", integer=False)
        f.choice(draft, (*p, "invoice_frequency"), "Invoices", FREQUENCIES)
    with right:
        f.text(draft, (*p, "covers"), "What is reimbursed")
        f.text(draft, (*p, "period"), "Period", placeholder="e.g. federal fiscal year")
        f.number(draft, (*p, "invoice_deadline_days"), "Invoice deadline (days)")


def _forfeiture(draft: Draft) -> None:
    if section(
        draft,
        "forfeiture",
        "Proceeds of forfeiture are shared",
        {"distribution": []},
        help="Task forces: how shared forfeiture proceeds are distributed.",
    ):
        f.party(draft, ("forfeiture", "fiscal_agent"), "Fiscal agent", optional=True)
        f.table(
            draft,
            Table(("forfeiture", "distribution"), SHARES, key_field=None),
            caption="Shares of proceeds — at most 100 % in total.",
        )
        f.text(draft, ("forfeiture", "procedure"), "Procedure (optional)", area=True, height=80)


STEP = Step(
    "resources",
    "Resources and funding",
    ":material/payments:",
    ("resources", "funding", "forfeiture"),
    resources,
    "Resources",
)

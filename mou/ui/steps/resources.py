"""Step 5, Resources: what each party contributes, who pays whom for what, forfeiture shares.

Money is entered as fields (ceilings with their scope, payers and payees, shares with
their base), never as prose: the document writes each money term once from them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ...model import CapScope, CostKind, PaymentRole, ResourceCategory, ShareBase
from .. import fields as f
from ..controls import CLAUSE, FREQUENCIES, focus_on, parts, pick, remove_button, section
from ..rows import Column, Table, slugify
from ..state import Draft
from ..style import code
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
BASE = Column(
    "base",
    "Share of",
    kind="choice",
    options=tuple(ShareBase),
    required=True,
    help="Gross proceeds, net proceeds, or the remainder after the shares of gross or net.",
)
REMITTANCES = (
    Column("recipient", "Recipient (not a party)", required=True),
    Column("percent", "Percent", kind="float", required=True),
    BASE,
    Column("authority", "Required by"),
)
FEES = (
    Column("description", "Fee", required=True),
    Column("amount", "Amount", kind="float", required=True),
    Column("unit", "Per", required=True),
)
CAPS = (
    Column("amount", "Ceiling (USD)", kind="float", required=True),
    Column("scope", "Counted", kind="choice", options=tuple(CapScope), required=True),
    Column("cost", "For", kind="choice", options=tuple(CostKind)),
)
FUNDING_FIELDS = tuple(
    f"funding.{name}"
    for name in (
        "each_party_bears_own_costs",
        "own_cost_exceptions",
        "joint_costs",
        "cost_shares",
        "budget_year",
        "caps",
        "fee_schedule",
        "subject_to_appropriations",
        "notes",
    )
)


def resources(draft: Draft) -> None:
    """What each party contributes, and who pays for what."""
    parts(
        draft,
        "resources",
        [
            ("Resources", ("resources",), _resources),
            ("Costs and shares", FUNDING_FIELDS, _funding),
            ("Reimbursements", ("funding.reimbursements",), _reimbursements),
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
        Table((*fu, "own_cost_exceptions"), CLAUSE, name_field="text"),
        caption="Exceptions to each party bearing its own costs, besides the joint costs and "
        "reimbursements (the document lists those itself).",
    )
    f.text(draft, (*fu, "joint_costs"), "What the joint costs are", area=True, height=70)
    f.table(
        draft,
        Table((*fu, "cost_shares"), SHARES, key_field=None),
        caption="Shares of the joint costs — when given they must sum to 100 %.",
    )
    f.text(
        draft,
        (*fu, "budget_year"),
        "Year a yearly ceiling counts in",
        placeholder="e.g. calendar year",
    )
    f.table(
        draft,
        Table((*fu, "caps"), CAPS, name_field="scope"),
        caption="Ceilings on the joint costs (with no cost shares: on all payments).",
    )
    st.markdown("**Fee schedule**")
    f.table(draft, Table((*fu, "fee_schedule"), FEES, name_field="description"))
    f.text(draft, (*fu, "notes"), "Funding notes (procedures; no amounts)", area=True, height=80)


def _reimbursements(draft: Draft) -> None:
    items = draft.data.get("funding", {}).get("reimbursements") or []
    index = pick(
        draft,
        "funding.reimbursements",
        items,
        lambda r: (r.get("title") or r.get("id") or "")[:40],
        "Reimbursement",
    )
    if index is not None:
        with st.container(border=True):
            _reimbursement(draft, ("funding", "reimbursements", index), items[index])
            remove_button(draft, ("funding", "reimbursements"), index, "reimbursement")
    _add_reimbursement(draft)


def _reimbursement(draft: Draft, p: tuple[Any, ...], item: dict[str, Any]) -> None:
    st.caption(f"Reimbursement id {code(item.get('id'))}")
    f.text(draft, (*p, "title"), "Heading (optional)", placeholder="e.g. Overtime reimbursement")
    left, right = st.columns(2)
    with left:
        f.payment(draft, (*p, "payer"), "Paid by", list(PaymentRole))
    with right:
        f.payment(draft, (*p, "payee"), "Paid to", list(PaymentRole), optional=True)
    f.text(draft, (*p, "covers"), "What is reimbursed", area=True, height=70)
    left, mid, right = st.columns(3)
    with left:
        f.text(
            draft,
            (*p, "period"),
            "Year a yearly ceiling counts in",
            placeholder="e.g. federal fiscal year",
        )
    with mid:
        f.choice(draft, (*p, "invoice_frequency"), "Invoices", FREQUENCIES)
    with right:
        f.number(draft, (*p, "invoice_deadline_days"), "Paid within (days)", min_value=1)
    f.table(draft, Table((*p, "caps"), CAPS, name_field="scope"), caption="Ceilings")


def _add_reimbursement(draft: Draft) -> None:
    with st.form(draft.key("$.funding.reimbursements::add"), clear_on_submit=True):
        title = st.text_input("Heading of a new reimbursement", key=draft.key("$.funding::new-r"))
        if st.form_submit_button("Add reimbursement", icon=":material/add:"):
            funding = draft.data.setdefault("funding", {})
            items = funding.setdefault("reimbursements", [])
            taken = [str(i.get("id")) for i in items]
            new: dict[str, Any] = {"id": slugify(title or "reimbursement", taken)}
            if title.strip():
                new["title"] = title.strip()
            items.append(new)  # frequency and deadline are the user's to choose
            draft.touch()
            focus_on(draft, f"$.funding.reimbursements[{len(items) - 1}]")  # show the new one
            st.rerun()


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
            Table(("forfeiture", "remittances"), REMITTANCES, name_field="recipient"),
            caption="Shares paid to recipients that are not parties (e.g. a state treasurer).",
        )
        f.table(
            draft,
            Table(("forfeiture", "distribution"), (*SHARES, BASE), key_field=None),
            caption="The parties' shares — the shares of one base sum to at most 100 %.",
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

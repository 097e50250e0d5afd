"""The money articles, written from the money fields alone.

Who pays whom, for what, up to which ceilings, and who receives which share of what:
each term is a field, and each is printed once, in a sentence written here. A basis
("each party bears its own costs") lists its exceptions by the sections that state
them, so the document cannot say both that the parties share costs and that each bears
its own, nor print a ceiling that its notes then narrow.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..model import Agreement, Cap, Forfeiture, Payment, Reimbursement
from ..validate import BASE_WORDS, shares_by_base
from .words import FREQUENCY, clause, letter, money, percent

ROLE_WORDS = {
    "requesting_party": "the requesting party",
    "responding_party": "the responding party",
    "receiving_party": "the party receiving the services",
    "providing_party": "the party providing the services or personnel",
    "each_party": "each party, for its own personnel",
}
COST_WORDS = {
    "all_costs": None,
    "overtime": "overtime",
    "wages_and_benefits": "wages and benefits",
    "equipment": "equipment",
    "travel": "travel",
    "services": "services",
    "supplies": "supplies",
}


class MoneyWords:
    """The Funding and Forfeiture articles of one agreement."""

    def __init__(self, agreement: Agreement, short: str, named: Callable[[str], str]) -> None:
        self.a = agreement
        self.short = short
        self.named = named

    # ----------------------------------------------------------------- funding

    def funding(self, article_no: int) -> list[dict[str, Any]]:
        """The Funding article's clauses; ``article_no`` numbers its cross-references."""
        f = self.a.funding
        joint = self._joint_costs()
        paid = [(r, self._reimbursement(r)) for r in f.reimbursements]
        fees = clause(
            "Fees",
            f"The fees below apply to services under this {self.short}."
            if f.fee_schedule
            else None,
        )
        fees["tables"] = ["fees"]
        later = [c for c in (joint, *(c for _, c in paid), fees) if c["paras"]]
        numbers = {id(c): f"{article_no}.{index}" for index, c in enumerate(later, start=2)}
        costs = self._costs(joint, paid, fees, numbers)
        return [costs, *later, self._availability(), clause("Notes", f.notes)]

    def _costs(
        self,
        joint: dict[str, Any],
        paid: list[tuple[Reimbursement, dict[str, Any]]],
        fees: dict[str, Any],
        numbers: dict[int, str],
    ) -> dict[str, Any]:
        """The basis, with every exception named by the section that states it."""
        f = self.a.funding
        items = []
        if f.cost_shares:
            section = numbers[id(joint)]
            items.append(f"the joint costs, which the parties share as Section {section} provides")
        items += [f"the costs reimbursed under Section {numbers[id(c)]}" for _, c in paid]
        if fees["paras"] and not f.each_party_bears_own_costs:
            items.append(f"the fees under Section {numbers[id(fees)]}")
        items += [e.text for e in f.own_cost_exceptions]
        return clause("Costs", *self._basis(items))

    def _basis(self, items: list[str]) -> list[str]:
        if self.a.funding.each_party_bears_own_costs:
            lead = f"Each party bears its own costs of performing this {self.short}"
            return [f"{lead}, except:", *_listed(items)] if items else [f"{lead}."]
        lead = f"The costs of performing this {self.short} are met"
        return (
            [f"{lead} as follows:", *_listed(items)]
            if items
            else [f"{lead} as this Article provides."]
        )

    def _joint_costs(self) -> dict[str, Any]:
        f = self.a.funding
        year = f.budget_year or "year"
        if f.cost_shares:
            share = "The parties share the joint costs in the percentages below."
            caps = self._caps("The joint costs", f.caps, year)
            return {**clause("Joint costs", f.joint_costs, share, caps), "tables": ["cost_shares"]}
        subject = f"Total payments under this {self.short}"
        return clause("Limit on payments", self._caps(subject, f.caps, year))

    def _reimbursement(self, r: Reimbursement) -> dict[str, Any]:
        yearly = any(c.scope in ("per_year", "per_officer") for c in r.caps)
        return clause(
            r.title or "Reimbursement",
            f"Paid by: {self.side(r.payer)}.",
            f"Paid to: {self.side(r.payee)}." if r.payee else None,
            f"Reimbursed: {r.covers}",
            self._caps("Payments under this section", r.caps, r.period or "year"),
            f"Period: {r.period}." if r.period and not yearly else None,
            f"Invoices are submitted {FREQUENCY[r.invoice_frequency]} and paid within "
            f"{r.invoice_deadline_days} days of receipt.",
        )

    def side(self, side: Payment) -> str:
        """One side of a payment in words: a party by name, a role, or another recipient."""
        if side.party is not None:
            return self.named(side.party)
        if side.role is not None:
            return ROLE_WORDS[side.role]
        return side.other or ""

    def _caps(self, subject: str, caps: list[Cap], year: str) -> str | None:
        if not caps:
            return None
        return f"{subject} shall not exceed {', nor '.join(self.limit(c, year) for c in caps)}."

    def limit(self, cap: Cap, year: str) -> str:
        """One ceiling in words: "$378,000 for overtime in any federal fiscal year"."""
        scope = {
            "per_officer": f"for any one officer in any {year}",
            "per_event": "for any one event",
            "per_year": f"in any {year}",
            "per_term": f"over the term of this {self.short}",
        }[cap.scope]
        kind = COST_WORDS[cap.cost]
        return f"{money(cap.amount)}{f' for {kind}' if kind else ''} {scope}"

    def _availability(self) -> dict[str, Any]:
        if not self.a.funding.subject_to_appropriations:
            return clause("Availability of funds")
        return clause(
            "Availability of funds",
            f"Every obligation of a party under this {self.short} is subject to the "
            "appropriation and availability of funds. Nothing in it obligates funds in advance "
            "of appropriations.",
        )

    # ----------------------------------------------------------------- forfeiture

    def forfeiture(self) -> list[dict[str, Any]]:
        """The Forfeiture article's clauses (the table of shares follows them)."""
        f = self.a.forfeiture
        if f is None:
            return []
        agent = (
            f"Shared proceeds are received and distributed by {self.named(f.fiscal_agent)}."
            if f.fiscal_agent
            else "Shared proceeds are distributed as shown below."
        )
        return [
            {
                **clause("Fiscal agent and shares", agent, *self._share_totals(f)),
                "tables": ["forfeiture"],  # "the table below"
            },
            clause("Procedure", f.procedure),
        ]

    def _share_totals(self, f: Forfeiture) -> list[str]:
        groups = shares_by_base(f)
        return [
            f"The shares of {words} in the table below total "
            f"{percent(float(sum(Decimal(str(s.percent)) for s in groups[base])))}."
            for base, words in BASE_WORDS.items()
            if base in groups
        ]

    def forfeiture_rows(self) -> list[dict[str, Any]]:
        """Rows of the table of shares: recipients that are not parties first."""
        f = self.a.forfeiture
        if f is None:
            return []
        rows = [
            {
                "party": f"{r.recipient} (not a party)"
                + (f", as {r.authority} requires" if r.authority else ""),
                "percent": f"{percent(r.percent)} of {BASE_WORDS[r.base]}",
            }
            for r in f.remittances
        ]
        rows += [
            {
                "party": self.named(s.party),
                "percent": f"{percent(s.percent)} of {BASE_WORDS[s.base]}",
            }
            for s in f.distribution
        ]
        return rows


def _listed(items: list[str]) -> list[str]:
    """Items as a lettered list: (a) …; (b) …; and (c) …."""
    count = len(items)
    ends = ["." if i == count - 1 else "; and" if i == count - 2 else ";" for i in range(count)]
    return [
        f"({letter(i)}) {item.rstrip('.;')}{end}"
        for i, (item, end) in enumerate(zip(items, ends, strict=True))
    ]

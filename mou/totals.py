"""Resources committed across agreements, totalled by provider, kind and unit.

Works on the facts of :mod:`mou.deadlines` (plain data), so thousands of agreements
add up quickly. A provider is known across agreements by its acronym (each agreement
has its own party ids). Quantities add up only within one unit: full-time equivalents
with full-time equivalents, vehicles with vehicles, a fund's yearly allocation with
another's. Personnel assignments (positions a party assigns) count as "full-time
positions" or "part-time positions" of kind ``assigned personnel``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ASSIGNED = "assigned personnel"


@dataclass
class Total:
    """What one provider has committed of one kind, in one unit, over its agreements."""

    provider: str
    kind: str
    unit: str
    quantity: float = 0.0
    estimated_value: float = 0.0
    agreements: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The ``mou resources --json`` shape."""
        return {
            "provider": self.provider,
            "kind": self.kind,
            "unit": self.unit,
            "quantity": _plain(self.quantity),
            "estimated_value": _plain(self.estimated_value),
            "agreements": self.agreements,
        }


def resource_totals(all_facts: list[dict[str, Any]], party: str | None = None) -> list[Total]:
    """Totals by (provider, kind, unit), ordered so; only ``party``'s (acronym) if given."""
    totals: dict[tuple[str, str, str], Total] = {}
    for facts in all_facts:
        if facts.get("status") in ("expired", "terminated"):
            continue
        for provider, kind, unit, quantity, value in _commitments(facts):
            if party and provider.casefold() != party.casefold():
                continue
            total = totals.setdefault((provider, kind, unit), Total(provider, kind, unit))
            total.quantity += quantity
            total.estimated_value += value
            if facts["id"] not in total.agreements:
                total.agreements.append(facts["id"])
    return [totals[key] for key in sorted(totals)]


def _commitments(facts: dict[str, Any]) -> list[tuple[str, str, str, float, float]]:
    acronyms = facts["parties"]
    found = []
    for item in facts["resources"]:
        if isinstance(item, dict):
            provider = acronyms.get(item.get("provider"), str(item.get("provider")))
            kind, unit = str(item.get("category")), str(item.get("unit"))
            quantity, value = _number(item.get("quantity")), _number(item.get("estimated_value"))
            found.append((provider, kind, unit, quantity, value))
    for item in facts["personnel"]:
        if isinstance(item, dict):
            provider = acronyms.get(item.get("party"), str(item.get("party")))
            unit = "full-time positions" if item.get("full_time", True) else "part-time positions"
            found.append((provider, ASSIGNED, unit, _number(item.get("count")), 0.0))
    return found


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)


def _plain(value: float) -> float | int:
    rounded = round(value, 6)
    return int(rounded) if rounded.is_integer() else rounded


def format_number(value: float) -> str:
    """A value as people write it: 1,250 or 98.7."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")

"""The compliance articles: CJIS management control, 28 CFR Part 23, recordings.

Each is written from typed fields, so that the sentence a reviewer looks for (who keeps
management control, how long intelligence is kept, who must be told before a recording
is released) is always there in the same words, with the parties' own text beneath it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Agreement, PartyLevel
from .words import clause, join


class ComplianceWords:
    """The compliance articles of one agreement."""

    def __init__(self, agreement: Agreement, short: str, named: Callable[[str], str]) -> None:
        self.a = agreement
        self.short = short
        self.named = named

    def management_control(self) -> list[dict[str, Any]]:
        """CJIS management control by a criminal justice agency over a managing agency."""
        m = self.a.management_control
        if m is None:
            return []
        return [
            clause(
                "Management control",
                f"{m.managing_agency} manages, for the parties, systems that store, process or "
                f"transmit criminal justice information. {self.named(m.criminal_justice_agency)} "
                "keeps management control of that work, as the FBI CJIS Security Policy "
                "requires where a non-criminal-justice agency serves a criminal justice agency.",
            ),
            clause("Systems", m.systems),
            clause("Authority of the criminal justice agency", m.authority),
            clause("Personnel", m.personnel_screening),
            clause("Audit", m.audit),
        ]

    def criminal_intelligence(self) -> list[dict[str, Any]]:
        """A criminal intelligence system's operating principles under 28 CFR Part 23."""
        c = self.a.criminal_intelligence
        if c is None:
            return []
        years = f"{c.retention_years} year{'s' if c.retention_years != 1 else ''}"
        return [
            clause(
                "The system",
                f"{self.named(c.operator)} operates {c.system} as a criminal intelligence "
                "system under 28 CFR Part 23, Criminal Intelligence Systems Operating Policies.",
            ),
            clause("Submission", c.submission_criteria),
            clause(
                "Review and purge",
                c.review_and_purge,
                f"No information is kept in the system longer than {years} unless it is "
                "reviewed and validated for a further period; information that is not is purged.",
            ),
            clause("Dissemination", c.dissemination),
            clause("Security", c.security),
        ]

    def recordings(self) -> list[dict[str, Any]]:
        """Body-worn camera and other recordings: custody, federal status, release."""
        r = self.a.recordings
        if r is None:
            return []
        return [
            clause(
                "Custody",
                f"Recordings made in the work under this {self.short} are kept by "
                f"{self.named(r.custodian)}.",
                self._federal_status(r.federal_records),
            ),
            clause("Devices and policies", r.devices),
            clause(
                "Release",
                f"No party releases a recording before it has given every other party at least "
                f"{r.release_notice_days} days' notice.",
                r.release,
            ),
            clause("Retention", r.retention),
        ]

    def _federal_status(self, federal: bool | None) -> str | None:
        if federal is None:
            return None
        if not federal:
            return "The recordings are not federal records."
        agencies = [p.acronym for p in self.a.parties if p.level == PartyLevel.federal]
        owner = f" of the {join(agencies)}" if agencies else ""
        return (
            f"The recordings are federal records{owner}; their retention and release are "
            "governed by federal law."
        )

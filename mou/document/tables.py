"""The template's tables of rows: caption, columns, and how rendering knows them again.

Written once here: :mod:`mou.document.build` makes the template's tables from it, and
:mod:`mou.document.render` recognises them in a rendered document to fit their columns
to their text (:mod:`mou.document.widths`).
"""

from __future__ import annotations

DATA_TABLE_CAPTION = "mou-data-table"
"""Marks a table of rows in the template, so rendering can fit its columns to its text."""
TABLE_TEXT_STYLE = "Table Text"

# Table key -> caption, then (column heading, cell expression, width in inches).
TABLES: dict[str, tuple[str, list[tuple[str, str, float]]]] = {
    "parties": (
        "Parties",
        [
            (
                "Party (acting through)",
                "{{ r.legal_name }}{% if r.units %}\n({{ r.units }}){% endif %}",
                2.1,
            ),
            ("Short name", "{{ r.acronym }}", 0.9),
            ("Level", "{{ r.level }}", 1.0),
            ("Address", "{{ r.address }}", 2.5),
        ],
    ),
    "contacts": (
        "Points of contact and notice addressees",
        [
            ("Party", "{{ r.acronym }}", 0.9),
            ("Point of contact", "{{ r.poc }}", 2.8),
            ("Notices to", "{{ r.notice }}", 2.8),
        ],
    ),
    "goals": (
        "Shared goals and metrics",
        [
            ("Goal", "{{ r.goal }}", 1.3),
            ("Owners", "{{ r.owners }}", 0.8),
            ("Metric (data source)", "{{ r.metric }}", 1.6),
            ("Baseline", "{{ r.baseline }}", 0.7),
            ("Target", "{{ r.target }}", 0.7),
            ("Unit", "{{ r.unit }}", 0.7),
            ("Reported", "{{ r.frequency }}", 0.7),
        ],
    ),
    "seats": (
        "Board seats and votes",
        [
            ("Party", "{{ r.party }}", 2.3),
            ("Seats", "{{ r.seats }}", 0.55),
            ("Votes", "{{ r.votes }}", 0.55),
            ("Representative", "{{ r.representative }}", 1.55),
            ("Alternate", "{{ r.alternate }}", 1.55),
        ],
    ),
    "personnel": (
        "Personnel assigned",
        [
            ("Party", "{{ r.party }}", 0.8),
            ("Position", "{{ r.position }}", 1.3),
            ("No.", "{{ r.count }}", 0.4),
            ("Time", "{{ r.time }}", 0.7),
            ("Min. months", "{{ r.months }}", 0.6),
            ("Clearance", "{{ r.clearance }}", 0.9),
            ("Deputation", "{{ r.deputation }}", 1.0),
            ("Own policies", "{{ r.policies }}", 0.8),
        ],
    ),
    "cjis": (
        "CJIS Security Policy topics",
        [("Topic", "{{ r.topic }}", 1.8), ("How the parties meet it", "{{ r.text }}", 4.7)],
    ),
    "resources": (
        "Resources provided",
        [
            ("Provider", "{{ r.provider }}", 0.8),
            ("Category", "{{ r.category }}", 0.8),
            ("Description", "{{ r.description }}", 1.5),
            ("Qty", "{{ r.quantity }}", 0.5),
            ("Unit", "{{ r.unit }}", 0.7),
            ("Est. value", "{{ r.value }}", 0.8),
            ("Reimb.", "{{ r.reimbursable }}", 0.5),
            ("On termination", "{{ r.disposition }}", 0.9),
        ],
    ),
    "resource_totals": (
        "Estimated value of resources by providing party",
        [
            ("Providing party", "{{ r.party }}", 3.5),
            ("Items", "{{ r.item_count }}", 1.0),
            ("Estimated value", "{{ r.value }}", 2.0),
        ],
    ),
    "cost_shares": (
        "Shares of joint costs",
        [("Party", "{{ r.party }}", 4.5), ("Share", "{{ r.percent }}", 2.0)],
    ),
    "fees": (
        "Fee schedule",
        [
            ("Service", "{{ r.description }}", 3.5),
            ("Amount", "{{ r.amount }}", 1.3),
            ("Unit", "{{ r.unit }}", 1.7),
        ],
    ),
    "forfeiture": (
        "Distribution of shared proceeds",
        [("Recipient", "{{ r.party }}", 4.0), ("Share", "{{ r.percent }}", 2.5)],
    ),
}

DATA_TABLE_HEADINGS = frozenset(
    tuple(heading for heading, _, _ in columns) for _, columns in TABLES.values()
)
"""Each table's header row: how a table is known where LibreOffice dropped its caption."""

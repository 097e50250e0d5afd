"""Step 7, Operations: governance, operational rules, mutual aid, media, training, evaluation.

Most parts are optional sections; "Requests for assistance" appears only for mutual aid
agreements (or when such terms are already in the draft).
"""

from __future__ import annotations

import streamlit as st

from ...model import MONTHS
from .. import fields as f
from ..controls import CLAUSE, FREQUENCIES, Part, parts, section
from ..rows import Column, Table
from ..state import Draft
from .step import Step

OPERATIONS = (
    "governance",
    "operations",
    "recordings",
    "prosecution",
    "mutual_aid",
    "media",
    "training",
)
SEATS = (
    Column("party", "Party", kind="party", required=True),
    Column("seats", "Seats", kind="int", required=True),
    Column("votes", "Votes", kind="int", required=True),
    Column("representative", "Representative", help='A name, or e.g. "the Chief or a designee"'),
    Column("alternate", "Alternate"),
)


def operations(draft: Draft) -> None:
    """Governance, operations, mutual aid, media, training and evaluation."""
    chosen: list[Part] = [
        ("Governance", ("governance",), _board),
        ("Operations", ("operations", "prosecution"), _operations),
        ("Recordings", ("recordings",), _recordings),
        ("Communication", ("media",), _communication),
        ("Training", ("training",), _training),
        ("Evaluation", ("evaluation",), _evaluation),
    ]
    if draft.data.get("type") == "mutual_aid" or "mutual_aid" in draft.data:
        chosen.insert(2, ("Requests for assistance", ("mutual_aid",), _mutual_aid))
    parts(draft, "operations", chosen)


def _board(draft: Draft) -> None:
    skeleton = {"board_name": "Executive Board", "seats": [], "quorum": "", "vote_threshold": ""}
    if section(
        draft,
        "governance",
        "A board governs the work",
        skeleton,
        help="Executive board seats and votes, chair, quorum.",
    ):
        _governance(draft)


def _governance(draft: Draft) -> None:
    g = ("governance",)
    left, right = st.columns(2)
    with left:
        f.text(draft, (*g, "board_name"), "Board name")
        f.text(draft, (*g, "quorum"), "Quorum")
        f.party(draft, (*g, "chair"), "Chair", optional=True)
        f.party(draft, (*g, "fiscal_agent"), "Fiscal agent", optional=True)
    with right:
        f.choice(draft, (*g, "meeting_frequency"), "Meets", FREQUENCIES)
        f.text(draft, (*g, "vote_threshold"), "Vote threshold")
        f.text(draft, (*g, "chair_rotation"), "Chair rotation (optional)")
    f.table(draft, Table((*g, "seats"), SEATS, key_field=None), caption="Seats and votes")


def _operations(draft: Draft) -> None:
    if section(
        draft,
        "operations",
        "Operational rules",
        {},
        help="Investigations, sources, evidence, use of force.",
    ):
        for name, label in (
            ("investigative_exclusivity", "Investigative exclusivity"),
            ("confidential_sources", "Confidential sources"),
            ("evidence", "Evidence"),
            ("use_of_force", "Use of force"),
        ):
            f.text(draft, ("operations", name), label, area=True, height=70)
    f.text(draft, ("prosecution",), "Prosecution (optional)", area=True, height=70)


def _recordings(draft: Draft) -> None:
    if not section(
        draft,
        "recordings",
        "Body-worn camera and other recordings",
        {"devices": "", "release_notice_days": 10},
        help="Custody, federal-record status and release of recordings made in the work.",
    ):
        return
    r = ("recordings",)
    left, mid, right = st.columns(3)
    with left:
        f.party(draft, (*r, "custodian"), "Kept by")
    with mid:
        f.yes_no(draft, (*r, "federal_records"), "Federal records")
    with right:
        f.number(draft, (*r, "release_notice_days"), "Notice before release (days)", min_value=1)
    f.text(draft, (*r, "devices"), "Devices and policies", area=True, height=70)
    f.text(draft, (*r, "release"), "Release (optional)", area=True, height=70)
    f.text(draft, (*r, "retention"), "Retention (optional)", area=True, height=70)


def _communication(draft: Draft) -> None:
    f.text(draft, ("media",), "Media releases (optional)", area=True, height=90)


def _mutual_aid(draft: Draft) -> None:
    skeleton = {
        "authorized_officials": "",
        "responder_discretion": "",
        "right_of_recall": "",
        "command_and_control": "",
    }
    if not section(draft, "mutual_aid", "Mutual aid terms", skeleton, help="Mutual aid."):
        return
    m = ("mutual_aid",)
    f.text(draft, (*m, "authorized_officials"), "Authorized officials", area=True, height=70)
    f.checkbox(draft, (*m, "oral_requests_allowed"), "Oral requests allowed", default=True)
    f.number(draft, (*m, "written_confirmation_hours"), "Written confirmation within (hours)")
    for name, label in (
        ("responder_discretion", "Responder discretion"),
        ("right_of_recall", "Right of recall"),
        ("command_and_control", "Command and control"),
        ("license_reciprocity", "License reciprocity (optional)"),
    ):
        f.text(draft, (*m, name), label, area=True, height=70)


def _training(draft: Draft) -> None:
    if section(
        draft,
        "training",
        "Joint training commitments",
        {"commitments": []},
        help="Joint training and the annual report.",
    ):
        f.table(draft, Table(("training", "commitments"), CLAUSE, name_field="text"))
        f.text(
            draft, ("training", "host_rotation"), "Host rotation (optional)", area=True, height=70
        )
        f.text(
            draft, ("training", "annual_report"), "Annual report (optional)", area=True, height=70
        )


def _evaluation(draft: Draft) -> None:
    left, right = st.columns(2)
    with left:
        f.choice(draft, ("evaluation", "reporting_frequency"), "Reporting", FREQUENCIES)
    with right:
        f.number(
            draft,
            ("evaluation", "review_interval_months"),
            "Review every (months)",
            min_value=1,
        )
    f.choice(
        draft,
        ("evaluation", "fiscal_year_start"),
        "Fiscal year begins on the 1st of (empty: the calendar year)",
        [month.value for month in MONTHS],
        optional=True,
    )
    f.text(draft, ("evaluation", "surveys"), "Surveys (optional)", area=True, height=70)
    f.text(
        draft,
        ("evaluation", "after_action_debriefs"),
        "After-action debriefs (optional)",
        area=True,
        height=70,
    )


STEP = Step(
    "operations",
    "Operations, governance and evaluation",
    ":material/tune:",
    (*OPERATIONS, "evaluation"),
    operations,
    "Operations",
)

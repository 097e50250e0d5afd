"""Step 6, Information: records and data sharing, with the FBI CJIS topics when CJI is shared.

The whole step is one optional section: agreements that share no records switch it off.
"""

from __future__ import annotations

import streamlit as st

from ...model import CjisTopic
from ...outline import fields_of
from .. import fields as f
from ..controls import CLAUSE, Part, parts, section, set_aside_unless
from ..rows import Column, Table, get_in
from ..state import Draft
from .step import Step

IS = ("information_sharing",)
CJIS = (
    Column("topic", "CJIS topic", kind="choice", options=tuple(CjisTopic), required=True),
    Column("text", "How it is met", required=True),
)


def information(draft: Draft) -> None:
    """Records and information sharing, including the CJIS topics when CJI is exchanged."""
    skeleton = {"record_owner": "", "data_categories": []}
    relevant = draft.data.get("type") in ("information_sharing", "task_force")
    if not section(
        draft,
        "information_sharing",
        "The parties share records or data",
        skeleton,
        help="Information-sharing agreements and task forces.",
    ):
        if not relevant:
            st.caption("This agreement type does not usually share records; skip this step.")
        return
    parts(draft, "information", PARTS)


def _records(draft: Draft) -> None:
    f.text(draft, (*IS, "record_owner"), "Who owns the records", area=True, height=70)
    f.table(
        draft,
        Table((*IS, "data_categories"), CLAUSE, name_field="text"),
        caption="Categories of data shared.",
    )
    f.text(draft, (*IS, "dissemination_approval"), "Dissemination approval", area=True, height=70)
    f.text(draft, (*IS, "retention"), "Retention", area=True, height=70)


def _uses(draft: Draft) -> None:
    f.table(
        draft, Table((*IS, "permitted_uses"), CLAUSE, name_field="text"), caption="Permitted uses"
    )
    f.table(
        draft,
        Table((*IS, "prohibited_uses"), CLAUSE, name_field="text"),
        caption="Prohibited uses",
    )


def _cji(draft: Draft) -> None:
    f.checkbox(draft, (*IS, "cji_exchanged"), "Criminal justice information (CJI) is exchanged")
    f.checkbox(
        draft,
        (*IS, "cji_managed_by_noncriminal_justice"),
        "A non-criminal-justice agency (e.g. county IT) manages systems holding CJI",
    )
    exchanged = bool(get_in(draft.data, (*IS, "cji_exchanged")))
    set_aside_unless(draft, (*IS, "cjis_provisions"), exchanged)
    if exchanged:
        f.table(
            draft,
            Table((*IS, "cjis_provisions"), CJIS, key_field=None),
            caption="How each FBI CJIS Security Policy topic is met; all eleven are required.",
        )


def _management_control(draft: Draft) -> None:
    skeleton = {"managing_agency": "", "systems": "", "authority": "", "personnel_screening": ""}
    if not section(
        draft,
        "management_control",
        "CJIS management control section",
        skeleton,
        help="Where a non-criminal-justice agency manages systems that hold CJI.",
    ):
        return
    m = ("management_control",)
    left, right = st.columns(2)
    with left:
        f.party(draft, (*m, "criminal_justice_agency"), "Criminal justice agency in control")
    with right:
        f.text(draft, (*m, "managing_agency"), "Managing agency or unit")
    for name, label in (
        ("systems", "Systems it manages"),
        ("authority", "Authority of the criminal justice agency"),
        ("personnel_screening", "Screening and training of its personnel"),
        ("audit", "Audit (optional)"),
    ):
        f.text(draft, (*m, name), label, area=True, height=70)


def _intelligence(draft: Draft) -> None:
    f.checkbox(
        draft,
        (*IS, "criminal_intelligence_system"),
        "The parties share through a criminal intelligence system",
    )
    skeleton = {
        "system": "",
        "submission_criteria": "",
        "review_and_purge": "",
        "retention_years": 5,
        "dissemination": "",
    }
    if not section(
        draft,
        "criminal_intelligence",
        "28 CFR Part 23 section",
        skeleton,
        help="Operating principles of a criminal intelligence system.",
    ):
        return
    c = ("criminal_intelligence",)
    left, mid, right = st.columns([3, 2, 2])
    with left:
        f.text(draft, (*c, "system"), "System")
    with mid:
        f.party(draft, (*c, "operator"), "Operated by")
    with right:
        f.number(draft, (*c, "retention_years"), "Kept at most (years)", min_value=1, max_value=5)
    for name, label in (
        ("submission_criteria", "Submission criteria"),
        ("review_and_purge", "Review and purge"),
        ("dissemination", "Dissemination"),
        ("security", "Security (optional)"),
    ):
        f.text(draft, (*c, name), label, area=True, height=70)


def _records_security(draft: Draft) -> None:
    left, mid, right = st.columns(3)
    with left:
        f.text(draft, (*IS, "public_records_law"), "Public-records law")
    with mid:
        f.number(draft, (*IS, "public_records_notice_days"), "Notice on requests (days)")
    with right:
        f.number(draft, (*IS, "breach_notification_hours"), "Breach notice (hours)")
    f.text(draft, (*IS, "audit_logging"), "Audit and logging", area=True, height=70)


PARTS: list[Part] = [
    (
        "Records",
        (
            "information_sharing.record_owner",
            "information_sharing.data_categories",
            "information_sharing.retention",
            "information_sharing.dissemination_approval",
        ),
        _records,
    ),
    (
        "Uses",
        ("information_sharing.permitted_uses", "information_sharing.prohibited_uses"),
        _uses,
    ),
    (
        "Criminal justice information",
        (
            "information_sharing.cji_exchanged",
            "information_sharing.cji_managed_by_noncriminal_justice",
            "information_sharing.cjis_provisions",
        ),
        _cji,
    ),
    ("CJIS management control", ("management_control",), _management_control),
    (
        "Criminal intelligence",
        ("information_sharing.criminal_intelligence_system", "criminal_intelligence"),
        _intelligence,
    ),
    (
        "Public records and security",
        (
            "information_sharing.public_records_law",
            "information_sharing.public_records_notice_days",
            "information_sharing.breach_notification_hours",
            "information_sharing.audit_logging",
        ),
        _records_security,
    ),
]

STEP = Step(
    "information",
    "Information sharing",
    ":material/lock:",
    fields_of("information", "management_control", "criminal_intelligence"),
    information,
    "Information",
)

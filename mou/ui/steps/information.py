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
    exchanged = bool(get_in(draft.data, (*IS, "cji_exchanged")))
    set_aside_unless(draft, (*IS, "cjis_provisions"), exchanged)
    if exchanged:
        f.table(
            draft,
            Table((*IS, "cjis_provisions"), CJIS, key_field=None),
            caption="How each FBI CJIS Security Policy topic is met; all eleven are required.",
        )


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
        ("information_sharing.cji_exchanged", "information_sharing.cjis_provisions"),
        _cji,
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
    fields_of("information"),
    information,
    "Information",
)

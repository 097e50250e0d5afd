"""Step 4, Roles: who does what for which goal, who supervises, and who is assigned."""

from __future__ import annotations

from .. import fields as f
from ..controls import add_item, parts, section
from ..rows import Column, Table
from ..state import Draft
from .step import Step

RESPONSIBILITIES = (
    Column("text", "Responsibility", required=True),
    Column("parties", "Carried by", kind="parties", required=True),
    Column("goals", "Serves goals", kind="goals"),
)
PERSONNEL = (
    Column("party", "Party", kind="party", required=True),
    Column("position", "Position", required=True),
    Column("count", "Count", kind="int", required=True),
    Column("full_time", "Full time", kind="bool"),
    Column("minimum_months", "Months", kind="int", help="Minimum months of the assignment"),
    Column("clearance_level", "Clearance"),
    Column("deputation", "Deputation"),
    Column(
        "employer_policies_apply",
        "Own rules",
        kind="bool",
        help="The employing agency's policies still apply to the person assigned",
    ),
)


def roles(draft: Draft) -> None:
    """Responsibilities (who does what, for which goal), supervision and personnel."""
    parts(
        draft,
        "roles",
        [
            ("Responsibilities", ("responsibilities",), _responsibilities),
            ("Supervision", ("supervision",), _supervision),
            ("Personnel", ("personnel",), _personnel),
        ],
    )


def _responsibilities(draft: Draft) -> None:
    f.table(
        draft,
        Table(("responsibilities",), RESPONSIBILITIES, name_field="text"),
        caption="Who does what, and for which shared goal. Pick parties and goals in the "
        "cells; double-click a cell to read or edit long text.",
    )
    add_item(
        draft,
        ("responsibilities",),
        "responsibility",
        "New responsibility",
        "text",
        parties_field="parties",
    )


def _supervision(draft: Draft) -> None:
    skeleton = {"personnel_supervision": "", "case_assignment": "", "resource_control": ""}
    if section(
        draft,
        "supervision",
        "Personnel are assigned to a joint unit",
        skeleton,
        help="Task forces: who supervises assigned personnel and assigns cases.",
    ):
        f.party(draft, ("supervision", "supervising_party"), "Supervising party")
        for name, label in (
            ("personnel_supervision", "Supervision of personnel"),
            ("case_assignment", "Case assignment"),
            ("resource_control", "Control of resources"),
        ):
            f.text(draft, ("supervision", name), label, area=True, height=80)


def _personnel(draft: Draft) -> None:
    f.table(
        draft,
        Table(("personnel",), PERSONNEL, name_field="position"),
        caption="Positions each party assigns to the joint work.",
    )


STEP = Step(
    "roles",
    "Roles and responsibilities",
    ":material/assignment_ind:",
    ("responsibilities", "supervision", "personnel"),
    roles,
    "Roles",
)

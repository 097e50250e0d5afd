"""Step 3, Goals: the shared goals, who owns each, and the metrics that measure it."""

from __future__ import annotations

import streamlit as st

from .. import fields as f
from ..controls import FREQUENCIES, add_item, pick, remove_button
from ..rows import Column, Table
from ..state import Draft
from ..style import code
from .step import Step

METRICS = (
    Column("name", "Metric", required=True),
    Column("unit", "Unit", required=True),
    Column("baseline", "Baseline", kind="float"),
    Column(
        "baseline_due",
        "Baseline due",
        kind="date",
        help="YYYY-MM-DD: the date by which a baseline not yet known is established",
    ),
    Column("target", "Target", kind="float", required=True),
    Column("target_date", "Target date", kind="date", help="YYYY-MM-DD"),
    Column("frequency", "Reported", kind="choice", options=FREQUENCIES, required=True),
    Column("data_source", "Data source", required=True),
)


def goals(draft: Draft) -> None:
    """Shared goals, each owned by parties and measured by metrics."""
    items = draft.data.get("goals") or []
    index = pick(
        draft, "goals", items, lambda g: f"{items.index(g) + 1}. {g.get('title', '')}"[:40], "Goal"
    )
    if index is not None:
        with st.container(border=True):
            _goal(draft, index, items[index].get("id"))
    add_item(
        draft,
        ("goals",),
        "goal",
        "Title of the new goal",
        "title",
        parties_field="owners",
        extra={"metrics": []},
    )


def _goal(draft: Draft, index: int, goal_id: object) -> None:
    p = ("goals", index)
    st.caption(f"Goal id {code(goal_id)}")
    f.text(draft, (*p, "title"), "Goal")
    f.text(draft, (*p, "description"), "Description (optional)", area=True, height=80)
    f.parties(draft, (*p, "owners"), "Owners")
    f.table(
        draft,
        Table((*p, "metrics"), METRICS, name_field="name"),
        caption="How progress is measured.",
    )
    remove_button(draft, ("goals",), index, "goal")


STEP = Step("goals", "Shared goals and metrics", ":material/flag:", ("goals",), goals, "Goals")

"""Dashboard: what is due in the next 90 days, the agreements by state and type, the
resources each agency has committed, and each agreement's metric charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from ...deadlines import deadlines, sort_key
from ...errors import MouError
from ...measures import fiscal_year_of, series
from ...store.measurements import load_measured
from ...store.portfolio import portfolio
from ...store.reader import Reader
from ...store.workspace import Workspace
from ...totals import resource_totals
from .. import state
from ..style import plain

HORIZON_DAYS = 90


def show() -> None:
    """Draw the page."""
    st.title("Dashboard")
    root = state.workspace_root()
    try:
        with Reader(root) as reader:
            rows = portfolio(reader, holdings=True)
    except MouError as err:
        st.error(err.message)
        return
    if not rows:
        st.info("No agreements saved in this workspace yet.")
        return
    _due(rows, dt.date.today())
    _by_state_and_type(rows)
    _resources(rows)
    _metric_charts(root, [facts for facts, _ in rows])


def _due(rows: list[tuple[dict[str, Any], dict[str, Any]]], today: dt.date) -> None:
    st.header(f"Due in the next {HORIZON_DAYS} days")
    horizon = today + dt.timedelta(HORIZON_DAYS)
    found = sorted(
        (d for facts, log in rows for d in deadlines(facts, log, today) if d.date <= horizon),
        key=sort_key,
    )
    if not found:
        st.caption("Nothing is due.")
        return
    table = pd.DataFrame([d.as_json() for d in found])
    table["overdue"] = table["date"] < today.isoformat()
    st.dataframe(table, hide_index=True, key="dashboard-due")


def _by_state_and_type(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    st.header("Agreements by state and type")
    frame = pd.DataFrame(
        [{"state": f.get("status") or "draft", "type": f.get("type") or "?"} for f, _ in rows]
    )
    counts = pd.crosstab(frame["type"], frame["state"])
    st.bar_chart(counts)
    st.dataframe(counts, key="dashboard-state-table")


def _resources(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    st.header("Resources committed by agency")
    totals = resource_totals([facts for facts, _ in rows])
    if not totals:
        st.caption("No resources listed.")
        return
    table = pd.DataFrame([t.as_json() for t in totals])
    table["agreements"] = table["agreements"].map(len)
    st.dataframe(table, hide_index=True, key="dashboard-resources")


def _metric_charts(root: Any, all_facts: list[dict[str, Any]]) -> None:
    st.header("Metrics")
    ids = [str(f["id"]) for f in all_facts]
    chosen = st.selectbox("Agreement", ids, key="dashboard-agreement")
    if chosen is None:
        return
    try:
        with Workspace(root) as ws:
            measured = load_measured(ws, chosen)
    except MouError as err:
        st.error(err.message)
        return
    shown = 0
    for goal in measured.agreement.goals:
        for metric in goal.metrics:
            points = series(measured.log, metric, fiscal_year_of(measured.agreement))
            if points:
                st.markdown(f"**{plain(metric.name)}** ({plain(metric.unit)})")
                st.line_chart(_chart_frame(metric, points))
                shown += 1
    if not shown:
        st.caption("No measurements recorded for this agreement yet (see Measurements).")


def _chart_frame(metric: Any, points: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"Measured": [value for _, value in points]}, index=[p.text for p, _ in points]
    )
    if metric.baseline is not None:
        frame["Baseline"] = metric.baseline
    frame["Target"] = metric.target
    return frame

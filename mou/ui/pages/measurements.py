"""Measurements: record a metric's measured value for a period, see what is recorded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...errors import MouError
from ...measures import FieldProblem, MeasurementLog, measurement_from_text, metrics_by_id
from ...model import Agreement
from ...store.measurements import load_measured, record
from ...store.workspace import Author, Workspace
from .. import routing, state
from ..chrome import back_next, open_draft_page
from ..style import plain

DONE = "mou_measure_done"
LABELS = {"metric": "Metric", "period": "Period", "value": "Value", "note": "Note"}


def show() -> None:
    """Draw the page."""
    draft = open_draft_page(routing.MEASUREMENTS.title)
    if draft is None:
        return
    if draft.base is None:
        st.warning("Save the agreement first: measurements are recorded against a saved one.")
        back_next(routing.MEASUREMENTS.slug)
        return
    try:
        with Workspace(state.workspace_root()) as ws:
            measured = load_measured(ws, draft.agreement_id)
    except MouError as err:
        st.error(err.message)
        back_next(routing.MEASUREMENTS.slug)
        return
    if DONE in st.session_state:
        st.success(st.session_state.pop(DONE))
    _recorded(measured.log)
    _form(draft.agreement_id, measured.agreement)
    back_next(routing.MEASUREMENTS.slug)


def _recorded(log: MeasurementLog) -> None:
    st.header("Recorded")
    entries = sorted(log.measurements, key=lambda m: (m.metric, m.period))
    if not entries:
        st.caption("Nothing recorded yet.")
        return
    rows = [
        {"metric": m.metric, "period": m.period, "value": m.value, "note": m.note or "",
         "replaced": ", ".join(f"{r.value:g}" for r in m.replaced)}
        for m in entries
    ]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="measure-table")


def _form(agreement_id: str, agreement: Agreement) -> None:
    st.header("Record a value")
    metrics = metrics_by_id(agreement)
    if not metrics:
        st.caption("The agreement has no metrics.")
        return
    with st.form("measure-form"):
        metric = st.selectbox(
            "Metric", list(metrics), key="measure-metric",
            format_func=lambda m: f"{metrics[m].name} ({metrics[m].frequency.value})",
        )  # fmt: skip
        period = st.text_input(
            "Period", key="measure-period", help="2026, 2026-H1, 2026-Q3, 2026-07"
        )
        value = st.text_input("Value", key="measure-value")
        note = st.text_area("Note", key="measure-note")
        replace = st.checkbox("Replace a value already recorded", key="measure-replace")
        name = st.text_input("Your name", key="measure-name")
        email = st.text_input("Your e-mail", key="measure-email")
        submitted = st.form_submit_button("Record", type="primary")
    if submitted:
        _record(agreement_id, agreement, (str(metric), period, value, note), replace, name, email)


def _record(
    agreement_id: str,
    agreement: Agreement,
    typed: tuple[str, str, str, str],
    replace: bool,
    name: str,
    email: str,
) -> None:
    try:
        entry = measurement_from_text(agreement, *typed)
    except FieldProblem as err:
        st.error(f"{LABELS[err.field]}: {err.message}")
        return
    try:
        who = Author(name.strip(), email.strip())
        with Workspace(state.workspace_root()) as ws:
            saved = record(ws, entry, agreement_id, who, replace=replace)
    except MouError as err:
        st.error(err.message.replace("--period: ", "Period: ").replace("--replace", "Replace"))
        return
    st.session_state[DONE] = (
        f"Recorded {plain(entry.metric)} for {plain(entry.period)}: {entry.value:g} "
        f"(revision {saved.revision[:8]})."
    )
    st.rerun()  # the table above shows the new value

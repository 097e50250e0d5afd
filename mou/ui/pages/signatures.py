"""Signatures: the agreement's state, who signed when, and a form to record a signature.

Everything here is a fact the store records (`mou sign`, `mou amend`); the page shows
the derived state and hands each action to :mod:`mou.ui.lifecycle`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from ...errors import MouError
from .. import routing, state
from ..chrome import back_next, open_draft_page
from ..lifecycle import STATE_LABELS, record_signature, start_amendment, status_of
from ..style import plain


def show() -> None:
    """Draw the page."""
    draft = open_draft_page(routing.SIGNATURES.title)
    if draft is None:
        return
    report = status_of(draft)
    if report is None:
        st.info("Save the agreement first: signatures are given to a saved revision.")
        back_next(routing.SIGNATURES.slug)
        return
    _summary(report)
    _signatures(report)
    if report["awaiting"]:
        _sign_form(draft, report)
    elif report["state"] in ("executed", "expired") and not _open_amendment(report):
        _amend_form(draft)
    back_next(routing.SIGNATURES.slug)


def _summary(report: dict[str, Any]) -> None:
    st.markdown(f"**State:** {STATE_LABELS.get(report['state'], report['state'])}")
    dates = [
        f"{label}: {report[key]}"
        for key, label in (
            ("executed_date", "Executed"),
            ("effective_date", "Effective"),
            ("expiration_date", "Expires"),
            ("terminated_date", "Terminated"),
        )
        if report[key]
    ]
    if dates:
        st.caption(" · ".join(dates))
    for party in report["parties"]:
        if party["participation"] != "member":
            st.warning(
                f"{plain(party['party'])} gave notice of withdrawal on {party['notice_date']}; "
                f"it takes effect on {party['withdrawal_effective_date']}."
            )
    for item in report["rebalance"]:
        st.caption(f"To rebalance by amendment: {plain(item)}")
    for amendment in report["amendments"]:
        st.caption(f"Amendment No. {amendment['number']}: {amendment['state']}")


def _signatures(report: dict[str, Any]) -> None:
    rows = [
        {
            "instrument": s["instrument"],
            "signatory": f"{s['party']}/{s['signatory']}",
            "date": s["date"],
            "signed copy": s["copy"] or "",
        }
        for s in report["signatures"]
    ]
    if rows:
        st.dataframe(rows, hide_index=True)
    else:
        st.caption("No signature recorded yet.")


def _open_amendment(report: dict[str, Any]) -> int | None:
    return next((a["number"] for a in report["amendments"] if a["state"] != "executed"), None)


def _sign_form(draft: state.Draft, report: dict[str, Any]) -> None:
    number = _open_amendment(report) or 0
    what = f"Amendment No. {number}" if number else "the agreement"
    st.header(f"Record a signature of {what}")
    who = state.author()
    with st.form("sign", border=True):
        signer = st.selectbox("Signatory", report["awaiting"], key="sign-who")
        day = st.date_input("Date signed", value=dt.date.today(), key="sign-date")
        copy = st.file_uploader("Signed copy (.docx, optional)", type=["docx"], key="sign-copy")
        left, right = st.columns(2)
        name = left.text_input("Your name", value=who["name"], key="sign-name")
        email = right.text_input("Your email", value=who["email"], key="sign-email")
        submitted = st.form_submit_button("Record signature", type="primary")
    if submitted:
        who.update(name=name, email=email)
        _record(draft, signer, day, copy.getvalue() if copy else None, (name, email), number)


def _record(
    draft: state.Draft,
    signer: str,
    day: dt.date,
    copy: bytes | None,
    person: tuple[str, str],
    number: int,
) -> None:
    try:
        author = state.author_of(*person)
        signed = record_signature(draft, signer, day, author, copy, number)
    except MouError as err:
        st.error(f"Not recorded: {err.message}")
        return
    if signed.execution is not None:
        st.success(f"Executed on {signed.execution.executed_date}; tagged {signed.execution.tag}.")
    else:
        st.success(f"Signature recorded; awaiting {', '.join(signed.remaining)}.")


def _amend_form(draft: state.Draft) -> None:
    st.header("Start amendment")
    st.caption("The executed text changes only through a numbered amendment.")
    who = state.author()
    with st.form("amend", border=True):
        message = st.text_input("What the amendment is for", key="amend-message")
        left, right = st.columns(2)
        name = left.text_input("Your name", value=who["name"], key="amend-name")
        email = right.text_input("Your email", value=who["email"], key="amend-email")
        submitted = st.form_submit_button("Start amendment", type="primary")
    if submitted:
        who.update(name=name, email=email)
        try:
            if not message.strip():
                raise MouError("What the amendment is for: needed")
            number = start_amendment(draft, message, state.author_of(name, email))
        except MouError as err:
            st.error(f"Not started: {err.message}")
            return
        st.success(f"Amendment No. {number} opened: edit the agreement, then save it.")

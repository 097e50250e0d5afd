"""Export: the signature-ready Word file (and PDF) of the saved revision, or a draft copy."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from functools import partial
from pathlib import Path

import streamlit as st

from ...changes.amendment import amendment_document
from ...changes.conformed import conformed_source
from ...document.amendment import render_amendment
from ...document.conformed import conform
from ...document.pdf import bind_attachments, to_pdf
from ...document.render import render_docx
from ...document.report import build_report
from ...document.template import template_for, usable_template
from ...errors import MouError
from ...model import Agreement
from ...rules import check, errors
from ...store.measurements import load_measured
from ...validate import validate_data
from .. import routing, state
from ..chrome import back_next, open_draft_page
from ..lifecycle import status_of
from ..readiness import findings
from ..style import count

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def show() -> None:
    """Draw the page."""
    draft = open_draft_page(routing.EXPORT.title)
    if draft is None:
        return
    try:
        usable_template(_template())
    except MouError as err:  # the same refusal `mou export` gives, before any button
        st.error(f"Cannot export: {err.message}")
        back_next(routing.EXPORT.slug)
        return
    _signature_ready(draft)
    st.divider()
    _draft_copy(draft)
    _after_signature(draft)
    st.divider()
    _performance_report(draft)
    back_next(routing.EXPORT.slug)


def _after_signature(draft: state.Draft) -> None:
    """The amendment documents and the conformed copy, once the agreement is executed."""
    report = status_of(draft)
    if report is None or report["revision_in_force"] is None:
        return
    st.divider()
    st.header("After the signature")
    st.download_button(
        "Download conformed copy",
        data=lambda: conformed_docx(draft),
        mime=DOCX,
        file_name=f"{draft.agreement_id}-conformed.docx",
        key="export-conformed",
    )
    for amendment in report["amendments"]:
        number = amendment["number"]
        st.download_button(
            f"Download Amendment No. {number} ({amendment['state']})",
            data=partial(amendment_docx, draft, number),
            mime=DOCX,
            file_name=f"{draft.agreement_id}-amendment-{number}.docx",
            key=f"export-amendment-{number}",
        )


def conformed_docx(draft: state.Draft) -> bytes:
    """The conformed copy, as `mou export --conformed` writes it."""
    with state.workspace() as ws:
        loaded, facts = conformed_source(ws, draft.agreement_id)
    return conform(render_docx(loaded.agreement, loaded.revision, False, _template()), facts)


def amendment_docx(draft: state.Draft, number: int) -> bytes:
    """Amendment No. ``number``, marked DRAFT while its text has readiness errors."""
    with state.workspace() as ws:
        document, amended = amendment_document(ws, draft.agreement_id, number, False)
    if errors(check(amended)):
        document = replace(document, draft=True)
    return render_amendment(document)


def _signature_ready(draft: state.Draft) -> None:
    st.header("Signature-ready document")
    if draft.base is None or draft.dirty:
        st.warning("Save the draft first: a signature-ready file is always a saved revision.")
        return
    errors = [item for item in findings(draft) if item[0] == "error"]
    if errors:
        st.error(
            f"Not ready for signature: {count(len(errors), 'error')}. The Review page lists them."
        )
        return
    name = file_name(draft.agreement_id, draft.base, "docx")
    st.success(f"Revision {draft.base[:8]} passes the readiness rules.")
    st.download_button(
        "Download .docx",
        data=lambda: signature_docx(draft),
        file_name=name,
        mime=DOCX,
        type="primary",
        icon=":material/download:",
        key="export-docx",
    )
    _pdf(draft)


def _pdf(draft: state.Draft) -> None:
    if shutil.which("soffice") is None:
        st.caption("PDF needs LibreOffice (soffice), which is not installed here.")
        return
    if st.button("Make PDF", icon=":material/picture_as_pdf:", key="export-pdf-make"):
        with st.spinner("Converting with LibreOffice…"):
            st.session_state["export-pdf-file"] = (draft.base, signature_pdf(draft))
    made = st.session_state.get("export-pdf-file")
    if made and made[0] == draft.base:
        st.download_button(
            "Download PDF",
            data=made[1],
            mime="application/pdf",
            file_name=file_name(draft.agreement_id, draft.base or "", "pdf"),
            key="export-pdf",
        )


def _draft_copy(draft: state.Draft) -> None:
    st.header("Draft copy")
    st.caption("Watermarked DRAFT, for circulating before signature; it may hold unsaved edits.")
    if draft.problems():
        st.info("Fix the problems listed on the Review page to export a draft.")
        return
    revision = draft.base or "unsaved"
    st.download_button(
        "Download draft .docx",
        data=lambda: draft_docx(draft),
        mime=DOCX,
        file_name=file_name(draft.agreement_id, revision, "docx", draft=True),
        key="export-draft",
    )


def _performance_report(draft: state.Draft) -> None:
    st.header("Performance report")
    st.caption(
        "Each metric's values by period with a chart against baseline and target, and "
        "whether it is on track. The public version leaves out the marking, contacts and "
        "names, for posting on a public site."
    )
    if draft.base is None:
        st.info("Save the agreement first.")
        return
    internal, public = st.columns(2)
    for column, is_public in ((internal, False), (public, True)):
        tail = "-public" if is_public else ""
        column.download_button(
            "Download public report" if is_public else "Download report",
            data=partial(performance_report, draft, public=is_public),
            mime=DOCX,
            file_name=f"{draft.agreement_id}-performance-report{tail}.docx",
            key=f"export-report{tail}",
        )


def performance_report(draft: state.Draft, *, public: bool) -> bytes:
    """The performance report of the saved agreement and every value recorded."""
    with state.workspace() as ws:
        measured = load_measured(ws, draft.agreement_id)
    return build_report(measured.agreement, measured.log, revision=measured.revision, public=public)


def file_name(agreement_id: str, revision: str, suffix: str, *, draft: bool = False) -> str:
    """``task-force-1a2b3c4d.docx``: the id and the short revision, so copies are traceable."""
    tail = "-draft" if draft else ""
    return f"{agreement_id}-{revision[:8]}{tail}.{suffix}"


def _saved(draft: state.Draft) -> Agreement:
    if draft.base is None:
        raise MouError("the agreement has not been saved yet")
    with state.workspace() as ws:
        return ws.load(draft.agreement_id, draft.base).agreement


def _template() -> Path:
    """The template `mou export` would use in this workspace: one decision for both."""
    return template_for(state.workspace_root())


def signature_docx(draft: state.Draft) -> bytes:
    """The signature-ready .docx of the draft's saved revision (not of unsaved edits)."""
    return render_docx(_saved(draft), draft.base or "", False, _template())


def signature_pdf(draft: state.Draft) -> bytes:
    """The PDF of the signature-ready document, made by LibreOffice, with the attached
    PDF exhibits bound in after their exhibit pages."""
    agreement = _saved(draft)
    with state.workspace() as ws:
        attached = ws.attachments(agreement, draft.base or "HEAD")
    with tempfile.TemporaryDirectory(prefix="mou-export-") as folder:
        docx = Path(folder) / file_name(draft.agreement_id, draft.base or "", "docx")
        docx.write_bytes(signature_docx(draft))
        pdf = to_pdf(docx, Path(folder))
        bind_attachments(pdf, agreement, attached)
        return pdf.read_bytes()


def draft_docx(draft: state.Draft) -> bytes:
    """A watermarked draft .docx of the draft as it is now."""
    return render_docx(validate_data(draft.data), draft.base, True, _template())

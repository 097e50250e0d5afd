"""The open agreement's life after drafting, for every page: its state, and what it allows.

The decisions are the store's (:mod:`mou.store.lifecycle`): which signatures remain,
whether the text may be saved, how a signature is checked and recorded. This module
asks them for the open agreement and words the answers; no Streamlit here, so the
pages and the sidebar share one reading per run.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..changes.signedcopy import check_signed_copy
from ..errors import MouError
from ..lifecycle import Record, Withdrawal, edit_refusal, state
from ..rules import check, errors
from ..store.lifecycle import (
    SignRequest,
    agreement_status,
    amend_agreement,
    read_record,
    sign,
    signable,
)
from ..store.workspace import Workspace
from .readiness import findings
from .state import Draft, workspace

STATE_LABELS = {
    "draft": "Draft",
    "approved": "Approved — ready for signature",
    "partially_signed": "Partially signed",
    "executed": "Executed",
    "expired": "Expired",
    "terminated": "Terminated",
}


def status_of(draft: Draft) -> dict[str, Any] | None:
    """The `mou status --json` report of the open agreement; None before its first save."""
    if draft.base is None:
        return None
    with workspace() as ws:
        loaded = ws.load(draft.agreement_id)
        ready = not errors(check(loaded.agreement))
        return agreement_status(ws, draft.agreement_id, ready, dt.date.today())


def record_of(draft: Draft) -> Record:
    """The open agreement's lifecycle record as of the workspace's latest commit.

    Every page asks (the sidebar, the header, Parties), so it is read once per commit:
    finding the commit reads no object, reading the record starts git processes.
    """
    with workspace() as ws:
        tip = ws.repo.tip()
        root = str(ws.root)
    return _record_at(root, draft.agreement_id, tip)


@lru_cache(maxsize=64)
def _record_at(root: str, agreement_id: str, tip: str | None) -> Record:
    with Workspace(Path(root)) as ws:
        return read_record(ws, agreement_id, tip)


def state_of(draft: Draft) -> str | None:
    """The open agreement's state, as the sidebar and page headers show it; None if unsaved."""
    if draft.base is None:
        return None
    record = record_of(draft)
    term = draft.data.get("term") or {}
    try:
        expiration = dt.date.fromisoformat(str(term.get("expiration_date")))
    except ValueError:
        expiration = None
    ready = not any(item[0] == "error" for item in findings(draft))
    return state(record, expiration, dt.date.today(), ready)


def withdrawal_of(draft: Draft, party: str) -> Withdrawal | None:
    """The recorded withdrawal notice of ``party`` in the open agreement, if any."""
    if draft.base is None:
        return None
    return record_of(draft).withdrawal(party)


def refusal_of(draft: Draft) -> str | None:
    """Why the open agreement's text may not be saved now (signed, executed); None if it may."""
    if draft.base is None:
        return None
    return edit_refusal(record_of(draft))


def record_signature(
    draft: Draft, who: str, day: dt.date, author: Any, copy: bytes | None, amendment: int
) -> Any:
    """Record one signature as `mou sign` does; MouError (one line) when it is refused.

    A signed copy must be the unaltered signature export of the text, as for `mou sign
    --copy`.
    """
    party, _, block = who.partition("/")
    with workspace() as ws:
        loaded = signable(ws, draft.agreement_id, amendment)
        blocking = errors(check(loaded.agreement))
        if blocking:
            ids = ", ".join(sorted({f.rule_id for f in blocking}))
            raise MouError(f"not ready for signature ({len(blocking)} error(s): {ids})")
        if copy is not None:
            try:
                check_signed_copy(ws, copy, draft.agreement_id, loaded.revision)
            except MouError as err:
                raise MouError(f"Signed copy: {err.message}") from None
        request = SignRequest(
            draft.agreement_id, party, block, day, loaded.revision, amendment, copy
        )
        return sign(ws, request, author, dt.date.today())


def start_amendment(draft: Draft, message: str, author: Any) -> int:
    """Open the next amendment of the executed agreement; its number."""
    with workspace() as ws:
        return amend_agreement(ws, draft.agreement_id, message, author, dt.date.today())

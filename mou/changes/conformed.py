"""The conformed copy's facts: the text in force, who signed it when, what it incorporates.

Git (the lifecycle record, the executed revisions) comes from :mod:`mou.store`, the Word
file from :mod:`mou.document`; this module joins them.
"""

from __future__ import annotations

from ..document.conformed import ConformedFacts
from ..errors import MouError
from ..lifecycle import Record, instrument_name
from ..model import Agreement
from ..store.lifecycle import in_force, read_record
from ..store.workspace import Loaded, Workspace


def conformed_source(ws: Workspace, agreement_id: str) -> tuple[Loaded, ConformedFacts]:
    """The text in force and what the conformed copy adds to it; MouError before execution."""
    record = read_record(ws, agreement_id)
    if record.execution(0) is None:
        raise MouError(f"--conformed: {agreement_id} is not executed; there is no conformed copy")
    loaded = in_force(ws, record)
    facts = ConformedFacts(
        signed=_signed(loaded.agreement, record),
        instruments=_instruments(record),
        notice=_notice(agreement_id, record),
    )
    return loaded, facts


def _signed(agreement: Agreement, record: Record) -> dict[tuple[str, str], str]:
    """Each signatory's (name, title) -> the date of their first signature."""
    blocks = {
        (party.id, block.id): (block.name, block.title)
        for party in agreement.parties
        for block in party.signatories
    }
    signed: dict[tuple[str, str], str] = {}
    for signature in record.signatures:
        found = blocks.get((signature.party, signature.signatory))
        if found is not None and found not in signed:
            signed[found] = signature.date.strftime("%B %-d, %Y")
    return signed


def _instruments(record: Record) -> list[tuple[str, str, str, str]]:
    return [
        (
            instrument_name(e.amendment).replace("the agreement", "Original agreement"),
            e.executed_date.isoformat(),
            e.effective_date.isoformat() if e.effective_date else "-",
            e.revision,
        )
        for e in record.executions
    ]


def _notice(agreement_id: str, record: Record) -> str:
    revisions = "; ".join(
        f"{instrument_name(e.amendment)} (revision {e.revision[:12]}, executed "
        f"{e.executed_date.isoformat()})"
        for e in record.executions
    )
    return (
        f"CONFORMED COPY of {agreement_id}, incorporating every executed amendment: "
        f"{revisions}. Signatures are shown as /s/; the signed originals govern."
    )

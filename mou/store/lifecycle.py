"""Recording an agreement's life in git: signatures, executions and their tags, amendments.

Each fact is one commit touching ``lifecycle/<id>.yaml`` (and, for a signature with its
signed copy, ``signed/<id>/…``), made through :meth:`Workspace.commit_files` so that
its checks run against the very tip the commit goes on: a signature is never recorded
twice, nor against a text that changed meanwhile. When the last signatory signs, the
instrument is executed: its dates are derived and an annotated tag
``executed/<id>/original`` (or ``amendment-N``) marks the commit, the signatures in
its message. Every refusal is one line and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from ..errors import ConflictError, MouError
from ..ids import agreement_path, check_agreement_id
from ..lifecycle import (
    ORIGINAL,
    SIGNED_FOLDER,
    Amendment,
    Execution,
    Record,
    Signature,
    Withdrawal,
    amendment_state,
    dump,
    instrument_name,
    lifecycle_path,
    parse,
    state,
    tag_name,
)
from ..model import Agreement, EffectiveRule, SignatureRole
from .git import GitFailed, commit_date
from .workspace import Author, Loaded, Workspace


@dataclass(frozen=True)
class SignRequest:
    """One signature to record; ``revision`` is the agreement revision the caller checked."""

    agreement_id: str
    party: str
    signatory: str
    date: dt.date
    revision: str
    amendment: int = ORIGINAL
    copy: bytes | None = None


@dataclass(frozen=True)
class Signed:
    """The outcome of a signature: its commit, the execution it completed, who remains."""

    commit: str
    execution: Execution | None
    remaining: list[str]


def read_record(ws: Workspace, agreement_id: str, commit: str | None = None) -> Record:
    """The agreement's lifecycle record as of ``commit`` (default HEAD); empty if none."""
    tip = commit or ws.repo.tip()
    path = lifecycle_path(check_agreement_id(agreement_id))
    raw = ws.read_path(tip, path) if tip else None
    return parse(raw, path, agreement_id) if raw is not None else Record(agreement_id)


def required_signers(
    agreement: Agreement, record: Record, joining: frozenset[str] | None = None
) -> list[str]:
    """Every ``party/signatory`` whose block has the signatory role, withdrawn parties aside;
    for a joinder (``joining``: the parties that sign it), theirs only."""
    return [
        f"{party.id}/{block.id}"
        for party in agreement.parties
        if record.withdrawal(party.id) is None and (joining is None or party.id in joining)
        for block in party.signatories
        if block.role == SignatureRole.signatory
    ]


def joinder_parties(in_force: Agreement, draft: Agreement) -> frozenset[str] | None:
    """Who signs the amendment when it is a joinder: the new members and the parties the
    amendment article names. None when every party signs (not a joinder)."""
    added = {p.id for p in draft.parties} - {p.id for p in in_force.parties}
    if not added or not in_force.amendment.joinder_alone:
        return None
    return frozenset(added | set(in_force.amendment.joinder_signers))


def _joining(
    ws: Workspace, record: Record, amendment: int, draft: Agreement
) -> frozenset[str] | None:
    if amendment == ORIGINAL:
        return None
    base = record.amendments[amendment - 1].base
    return joinder_parties(ws.load(record.agreement, base).agreement, draft)


def awaiting(ws: Workspace, agreement_id: str) -> list[str]:
    """Who must still sign the instrument open for signature (the original or an amendment)."""
    record = read_record(ws, agreement_id)
    draft = ws.load(agreement_id).agreement
    number = _signing_now(record)
    return _remaining(draft, record, number, _joining(ws, record, number, draft))


def signable(ws: Workspace, agreement_id: str, amendment: int) -> Loaded:
    """The text to be signed now (HEAD), after checking the instrument can be signed."""
    record = read_record(ws, agreement_id)
    _check_instrument(record, amendment)
    return ws.load(agreement_id)


def sign(ws: Workspace, request: SignRequest, author: Author, today: dt.date) -> Signed:
    """Record one signature as one commit; on the last one, execute and tag. MouError if not."""
    outcome: dict[str, Signed] = {}

    def build(tip: str | None) -> dict[str, bytes]:
        record, signed = _signed_record(ws, request, tip, today)
        files = {lifecycle_path(request.agreement_id): dump(record)}
        if request.copy is not None and signed.copy is not None:
            files[signed.copy] = request.copy
        execution = record.execution(request.amendment)
        loaded = ws.load(request.agreement_id, tip or "HEAD")
        joining = _joining(ws, record, request.amendment, loaded.agreement)
        remaining = _remaining(loaded.agreement, record, request.amendment, joining)
        outcome["signed"] = Signed("", execution, remaining)
        return files

    who = f"{request.party}/{request.signatory}"
    message = f"Sign {instrument_name(request.amendment)}: {who}, {request.date.isoformat()}"
    commit = ws.commit_files(build, message, author)
    signed = outcome["signed"]
    if signed.execution is not None:
        _tag(ws, request.agreement_id, signed.execution, commit, author)
    return Signed(commit, signed.execution, signed.remaining)


def _signed_record(
    ws: Workspace, request: SignRequest, tip: str | None, today: dt.date
) -> tuple[Record, Signature]:
    """The record at ``tip`` with the signature added (and the execution it completes)."""
    if tip is None:
        raise MouError(f"no agreement {request.agreement_id!r}: the workspace has no commits")
    record = read_record(ws, request.agreement_id, tip)
    _check_instrument(record, request.amendment)
    loaded = ws.load(request.agreement_id, tip)
    if loaded.revision != request.revision:
        raise ConflictError(
            f"{agreement_path(request.agreement_id)}: conflict: changed to revision "
            f"{loaded.revision[:10]} while signing revision {request.revision[:10]}"
        )
    opened = record.open_amendment()
    if request.amendment != ORIGINAL and opened is not None and opened.base == loaded.revision:
        raise MouError(
            f"--amendment {request.amendment}: changes nothing yet; save the amended text first"
        )
    signature = _signature(ws, request, loaded, record, today)
    record = record.with_signature(signature)
    joining = _joining(ws, record, request.amendment, loaded.agreement)
    if not _remaining(loaded.agreement, record, request.amendment, joining):
        record = record.with_execution(_execution(loaded, record, request.amendment))
    return record, signature


def _check_instrument(record: Record, amendment: int) -> None:
    """MouError unless the original (0) or amendment N is the instrument open for signature."""
    executed = record.execution(amendment)
    if executed is not None:
        raise MouError(
            f"{instrument_name(amendment)} of {record.agreement} was already executed on "
            f"{executed.executed_date.isoformat()}"
        )
    if record.terminated is not None:
        raise MouError(f"{record.agreement} was terminated on {record.terminated.isoformat()}")
    opened = record.open_amendment()
    if amendment != ORIGINAL and (opened is None or opened.number != amendment):
        now = f"Amendment No. {opened.number} is open" if opened else "no amendment is open"
        raise MouError(f"--amendment {amendment}: {record.agreement} has no such draft ({now})")


def _signature(
    ws: Workspace, request: SignRequest, loaded: Loaded, record: Record, today: dt.date
) -> Signature:
    """The new signature, after every check of who signs and when."""
    who = f"{request.party}/{request.signatory}"
    joining = _joining(ws, record, request.amendment, loaded.agreement)
    if joining is not None and request.party not in joining:
        signers = ", ".join(sorted(joining))
        raise MouError(
            f"--signatory {who}: Amendment No. {request.amendment} is a joinder, signed by "
            f"{signers} only"
        )
    if who not in required_signers(loaded.agreement, _without_signatures(record), joining):
        raise MouError(f"--signatory {who}: {_unknown_signatory(loaded.agreement, request)}")
    earlier = next(
        (
            s
            for s in record.signatures_of(request.amendment)
            if (s.party, s.signatory) == (request.party, request.signatory)
        ),
        None,
    )
    if earlier is not None:
        raise MouError(f"--signatory {who}: already signed on {earlier.date.isoformat()}")
    _check_date(ws, request, loaded, today)
    return Signature(
        party=request.party,
        signatory=request.signatory,
        date=request.date,
        revision=loaded.revision,
        amendment=request.amendment,
        copy=_copy_path(request) if request.copy is not None else None,
        copy_sha256=hashlib.sha256(request.copy).hexdigest() if request.copy else None,
    )


def _without_signatures(record: Record) -> Record:
    return Record(record.agreement, withdrawals=record.withdrawals)


def _unknown_signatory(agreement: Agreement, request: SignRequest) -> str:
    party = next((p for p in agreement.parties if p.id == request.party), None)
    if party is None:
        known = ", ".join(p.id for p in agreement.parties)
        return f"no party {request.party!r} in {agreement.id} (parties: {known})"
    block = next((b for b in party.signatories if b.id == request.signatory), None)
    if block is None:
        known = ", ".join(b.id for b in party.signatories) or "none"
        return f"{party.id} has no signature block {request.signatory!r} (blocks: {known})"
    if block.role != SignatureRole.signatory:
        return f"the block {block.id!r} is {block.role.value.replace('_', ' ')}, not a signatory"
    return f"{party.id} has withdrawn from {agreement.id}"


def _check_date(ws: Workspace, request: SignRequest, loaded: Loaded, today: dt.date) -> None:
    drafted = _commit_day(ws, loaded.revision)
    if request.date < drafted:
        raise MouError(
            f"--date {request.date.isoformat()}: before the text being signed was saved "
            f"({drafted.isoformat()}, revision {loaded.revision[:10]})"
        )
    if request.date > today:
        raise MouError(f"--date {request.date.isoformat()}: in the future (today is {today})")


def _commit_day(ws: Workspace, commit: str) -> dt.date:
    """The day (in its own time zone) the commit was authored."""
    return commit_date(ws.repo.run("log", "-1", "--format=%aI", commit)).date()


def _copy_path(request: SignRequest) -> str:
    suffix = tag_name(request.agreement_id, request.amendment).rsplit("/", 1)[1]
    name = f"{suffix}-{request.party}-{request.signatory}.docx"
    return f"{SIGNED_FOLDER}/{request.agreement_id}/{name}"


def _remaining(
    agreement: Agreement, record: Record, amendment: int, joining: frozenset[str] | None
) -> list[str]:
    done = {f"{s.party}/{s.signatory}" for s in record.signatures_of(amendment)}
    return [who for who in required_signers(agreement, record, joining) if who not in done]


def _execution(loaded: Loaded, record: Record, amendment: int) -> Execution:
    """The execution completed by the last signature: dates derived, never typed."""
    executed = max(s.date for s in record.signatures_of(amendment))
    effective: dt.date | None = executed
    term = loaded.agreement.term
    if amendment == ORIGINAL and term.effective_rule == EffectiveRule.fixed_date:
        effective = term.effective_date
    tag = tag_name(loaded.agreement.id, amendment)
    return Execution(amendment, loaded.revision, executed, effective, tag)


def _tag(
    ws: Workspace, agreement_id: str, execution: Execution, commit: str, author: Author
) -> None:
    """The annotated tag of an execution on ``commit``, the signatures in its message."""
    record = read_record(ws, agreement_id, commit)
    lines = [
        f"{agreement_id}: {instrument_name(execution.amendment)} executed "
        f"{execution.executed_date.isoformat()}",
        "",
        f"Agreement revision: {execution.revision}",
        f"Effective: {execution.effective_date.isoformat() if execution.effective_date else '-'}",
        "",
        *(
            f"Signed: {s.party}/{s.signatory} {s.date.isoformat()}"
            for s in record.signatures_of(execution.amendment)
        ),
    ]
    env = {
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }
    try:
        ws.repo.run("tag", "-a", execution.tag, commit, "-m", "\n".join(lines), env=env)
    except GitFailed as err:
        raise MouError(
            f"executed as commit {commit[:10]}, but the tag {execution.tag} could not be "
            f"made: {err.message}"
        ) from None


def amend_agreement(
    ws: Workspace, agreement_id: str, message: str, author: Author, today: dt.date
) -> int:
    """Open the next amendment against the text in force; its number. MouError if none can be."""
    opened: dict[str, int] = {}

    def build(tip: str | None) -> dict[str, bytes]:
        record = read_record(ws, agreement_id, tip)
        amendment = _next_amendment(record, message, today)
        opened["number"] = amendment.number
        amended = replace(record, amendments=(*record.amendments, amendment))
        return {lifecycle_path(agreement_id): dump(amended)}

    number = len(read_record(ws, agreement_id).amendments) + 1
    ws.commit_files(build, f"Open Amendment No. {number}: {message.strip()}", author)
    return opened["number"]


def _next_amendment(record: Record, message: str, today: dt.date) -> Amendment:
    """Amendment No. N+1 against the latest executed text; MouError when none may open."""
    in_force = record.last_execution()
    if record.execution(ORIGINAL) is None or in_force is None:
        raise MouError(f"{record.agreement} is not executed; until then `mou save` edits it")
    if record.terminated is not None:
        raise MouError(f"{record.agreement} was terminated on {record.terminated.isoformat()}")
    current = record.open_amendment()
    if current is not None:
        raise MouError(f"{record.agreement}: Amendment No. {current.number} is already open")
    return Amendment(len(record.amendments) + 1, today, in_force.revision, message.strip())


def agreement_status(
    ws: Workspace, agreement_id: str, ready: bool, today: dt.date
) -> dict[str, object]:
    """The `mou status --json` shape: state, dates, signatures, amendments, participation."""
    record = read_record(ws, agreement_id)
    agreement = in_force(ws, record).agreement
    original, current = record.execution(ORIGINAL), record.last_execution()
    expiration = agreement.term.expiration_date
    return {
        "id": agreement_id,
        "state": state(record, expiration, today, ready),
        "executed_date": _iso(original.executed_date if original else None),
        "effective_date": _effective(agreement, original),
        "expiration_date": _iso(expiration),
        "terminated_date": _iso(record.terminated),
        "revision_in_force": current.revision if current else None,
        "signatures": [_signature_json(s) for s in record.signatures],
        "awaiting": awaiting(ws, agreement_id),
        "amendments": [_amendment_json(record, a) for a in record.amendments],
        "parties": [_participation(record, p.id, today) for p in agreement.parties],
        "rebalance": rebalancing(agreement, record),
    }


def in_force(ws: Workspace, record: Record, tip: str | None = None) -> Loaded:
    """The text in force: the latest executed revision, else the draft at ``tip`` (HEAD)."""
    executed = record.last_execution()
    return ws.load(record.agreement, executed.revision if executed else tip or "HEAD")


def _signing_now(record: Record) -> int:
    opened = record.open_amendment()
    return opened.number if opened is not None else ORIGINAL


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _effective(agreement: Agreement, original: Execution | None) -> str | None:
    if original is not None:
        return _iso(original.effective_date)
    if agreement.term.effective_rule == EffectiveRule.fixed_date:
        return _iso(agreement.term.effective_date)
    return None  # upon the last signature, which has not happened


def _signature_json(s: Signature) -> dict[str, object]:
    return {
        "instrument": instrument_name(s.amendment),
        "amendment": s.amendment or None,
        "party": s.party,
        "signatory": s.signatory,
        "date": s.date.isoformat(),
        "revision": s.revision,
        "copy": s.copy,
    }


def _amendment_json(record: Record, a: Amendment) -> dict[str, object]:
    executed = record.execution(a.number)
    return {
        "number": a.number,
        "state": amendment_state(record, a.number),
        "opened": a.opened.isoformat(),
        "message": a.message,
        "base": a.base,
        "executed_date": _iso(executed.executed_date if executed else None),
        "revision": executed.revision if executed else None,
    }


def _participation(record: Record, party: str, today: dt.date) -> dict[str, object]:
    withdrawal = record.withdrawal(party)
    if withdrawal is None:
        return {"party": party, "participation": "member"}
    gone = withdrawal.effective_date <= today
    return {
        "party": party,
        "participation": "withdrawn" if gone else "withdrawing",
        "notice_date": withdrawal.notice_date.isoformat(),
        "withdrawal_effective_date": withdrawal.effective_date.isoformat(),
    }


def withdraw(
    ws: Workspace, agreement_id: str, party: str, notice: dt.date, author: Author, today: dt.date
) -> Withdrawal:
    """Record ``party``'s notice of withdrawal; its effective date follows the notice period.

    When fewer than two parties would remain, the agreement ends on that date.
    """
    recorded: dict[str, Withdrawal] = {}

    def build(tip: str | None) -> dict[str, bytes]:
        record = _executed_record(ws, agreement_id, tip, notice, "--notice-date")
        if notice > today:
            raise MouError(f"--notice-date {notice.isoformat()}: in the future (today is {today})")
        agreement = in_force(ws, record, tip).agreement
        withdrawal = _withdrawal(agreement, record, party, notice)
        record = replace(record, withdrawals=(*record.withdrawals, withdrawal))
        remaining = [p for p in agreement.parties if record.withdrawal(p.id) is None]
        if len(remaining) < 2:
            record = replace(record, terminated=withdrawal.effective_date)
        recorded["withdrawal"] = withdrawal
        return {lifecycle_path(agreement_id): dump(record)}

    message = f"Withdrawal of {party}: notice given {notice.isoformat()}"
    ws.commit_files(build, message, author)
    return recorded["withdrawal"]


def _executed_record(
    ws: Workspace, agreement_id: str, tip: str | None, day: dt.date, flag: str
) -> Record:
    """The record at ``tip`` of an executed, not terminated agreement; MouError otherwise."""
    record = read_record(ws, agreement_id, tip)
    executed = record.execution(ORIGINAL)
    if executed is None:
        raise MouError(f"{agreement_id} is not executed; there is nothing to withdraw from or end")
    if record.terminated is not None:
        raise MouError(f"{agreement_id} was terminated on {record.terminated.isoformat()}")
    if day < executed.executed_date:
        raise MouError(
            f"{flag} {day.isoformat()}: before the agreement was executed "
            f"({executed.executed_date.isoformat()})"
        )
    return record


def _withdrawal(agreement: Agreement, record: Record, party: str, notice: dt.date) -> Withdrawal:
    """The withdrawal of ``party`` noticed on ``notice``, effective after its notice period."""
    if party not in {p.id for p in agreement.parties}:
        known = ", ".join(p.id for p in agreement.parties)
        raise MouError(f"PARTY {party!r}: no such party in {agreement.id} (parties: {known})")
    earlier = record.withdrawal(party)
    if earlier is not None:
        raise MouError(
            f"PARTY {party!r}: gave notice of withdrawal on {earlier.notice_date.isoformat()}"
        )
    term = agreement.term
    days = term.withdrawal_notice_days
    if party == term.host_party and term.host_withdrawal_notice_days:
        days = term.host_withdrawal_notice_days
    return Withdrawal(party, notice, notice + dt.timedelta(days=days))


def terminate(ws: Workspace, agreement_id: str, day: dt.date, author: Author) -> None:
    """Record that the agreement ends on ``day``; MouError if it is not executed or ended."""

    def build(tip: str | None) -> dict[str, bytes]:
        record = _executed_record(ws, agreement_id, tip, day, "--date")
        return {lifecycle_path(agreement_id): dump(replace(record, terminated=day))}

    ws.commit_files(build, f"Terminate {agreement_id} on {day.isoformat()}", author)


def rebalancing(agreement: Agreement, record: Record) -> list[str]:
    """What an amendment must rebalance after withdrawals: shares, seats, fiscal agents."""
    gone = {w.party for w in record.withdrawals}
    found = []
    for share in agreement.funding.cost_shares:
        if share.party in gone:
            found.append(f"funding.cost_shares: {share.party} holds {share.percent} %")
    if agreement.governance is not None:
        found += [
            f"governance.seats: {seat.party} holds {seat.seats} seat(s)"
            for seat in agreement.governance.seats
            if seat.party in gone
        ]
        if agreement.governance.fiscal_agent in gone:
            found.append(f"governance.fiscal_agent: {agreement.governance.fiscal_agent}")
    if agreement.forfeiture is not None and agreement.forfeiture.fiscal_agent in gone:
        found.append(f"forfeiture.fiscal_agent: {agreement.forfeiture.fiscal_agent}")
    return found

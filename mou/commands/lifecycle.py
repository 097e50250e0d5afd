"""Commands of the agreement's life after drafting: sign, status, amend, withdraw, terminate.

``mou status ID --json`` prints (keys may be added, never renamed or removed)::

    {"id": "...", "state": "draft" | "approved" | "partially_signed" | "executed" |
     "expired" | "terminated",
     "executed_date": "YYYY-MM-DD" | null, "effective_date": ... | null,
     "expiration_date": ... | null, "terminated_date": ... | null,
     "revision_in_force": "<40 hex>" | null,
     "signatures": [{"instrument": "the agreement" | "Amendment No. 1", "amendment": null | 1,
                     "party": "...", "signatory": "...", "date": "...", "revision": "...",
                     "copy": "signed/<id>/original-<party>-<signatory>.docx" | null}],
     "awaiting": ["party/signatory", ...],
     "amendments": [{"number": 1, "state": "draft" | "partially_signed" | "executed",
                     "opened": "...", "message": "...", "base": "<40 hex>",
                     "executed_date": ... | null, "revision": ... | null}],
     "parties": [{"party": "...", "participation": "member" | "withdrawing" | "withdrawn",
                  "notice_date": ..., "withdrawal_effective_date": ... (when withdrawing)}],
     "rebalance": ["funding.cost_shares: <party> holds 20 %", ...]}
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..changes.signedcopy import check_signed_copy
from ..cli import json_option, workspace_option
from ..document.ooxml import read_docx
from ..errors import MouError
from ..ids import check_agreement_id
from ..model import Agreement
from ..rules import check as run_rules
from ..rules import errors
from ..settings import resolve_workspace
from ..store.lifecycle import (
    SignRequest,
    agreement_status,
    amend_agreement,
    sign,
    signable,
    terminate,
    withdraw,
)
from ..store.workspace import Author, Workspace


def _date(value: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise MouError(f"{flag} {value!r}: give a date as YYYY-MM-DD") from None


def _party_and_block(value: str) -> tuple[str, str]:
    party, _, block = value.partition("/")
    if not party or not block or "/" in block:
        raise MouError(
            f"--signatory {value!r}: give the party id and the signature block id, "
            "as PARTY/SIGNATORY (see `mou status ID`)"
        )
    return party, block


@click.command("sign")
@click.argument("agreement_id")
@click.option("--signatory", required=True, help="Who signed, as PARTY/SIGNATORY (their ids).")
@click.option("--date", "date_text", required=True, help="The date written beside the signature.")
@click.option("--author", required=True, help='Who records it, as "Name <email>".')
@click.option("--amendment", type=click.IntRange(min=1), default=None, help="Sign amendment N.")
@click.option(
    "--copy",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The signed .docx; checked as `mou verify` does and stored under signed/.",
)
@workspace_option
def sign_command(
    agreement_id: str,
    signatory: str,
    date_text: str,
    author: str,
    amendment: int | None,
    copy: Path | None,
    workspace: Path | None,
) -> None:
    """Record one signature of AGREEMENT_ID (or of --amendment N) as one commit.

    The signed text is the committed revision; it must pass the readiness rules. When
    every signatory block has signed, the instrument is executed: its executed and
    effective dates are derived and the annotated tag executed/ID/original (or
    executed/ID/amendment-N) marks it. Refused in one line, with nothing written: an
    unknown signatory, a block that is not a signatory, a second signature, a date
    before the text was saved or in the future, an agreement not ready, a copy that
    fails verification.
    """
    who = Author.parse(author)
    party, block = _party_and_block(signatory)
    day = _date(date_text, "--date")
    number = amendment or 0
    with Workspace(resolve_workspace(workspace)) as ws:
        loaded = signable(ws, check_agreement_id(agreement_id), number)
        _refuse_unready(agreement_id, loaded.agreement)
        raw = _verified_copy(ws, copy, agreement_id, loaded.revision) if copy else None
        request = SignRequest(agreement_id, party, block, day, loaded.revision, number, raw)
        signed = sign(ws, request, who, dt.date.today())
    click.echo(f"{agreement_id}: {party}/{block} signed on {day} (commit {signed.commit[:10]})")
    if signed.execution is not None:
        execution = signed.execution
        effective = execution.effective_date.isoformat() if execution.effective_date else "-"
        click.echo(
            f"{agreement_id}: executed on {execution.executed_date}, effective {effective}; "
            f"tagged {execution.tag}"
        )
    else:
        click.echo(f"{agreement_id}: awaiting {', '.join(signed.remaining)}")


def _refuse_unready(agreement_id: str, agreement: Agreement) -> None:
    blocking = errors(run_rules(agreement))
    if blocking:
        ids = ", ".join(sorted({f.rule_id for f in blocking}))
        raise MouError(
            f"{agreement_id}: not ready for signature ({len(blocking)} readiness error(s): "
            f"{ids}); see `mou check {agreement_id}`"
        )


def _verified_copy(ws: Workspace, copy: Path, agreement_id: str, revision: str) -> bytes:
    """The signed copy's bytes, if it is an unaltered signature export of ``revision``."""
    data = read_docx(copy)
    try:
        check_signed_copy(ws, data, agreement_id, revision)
    except MouError as err:
        raise MouError(f"--copy {copy}: {err.message}") from None
    return data


@click.command("status")
@click.argument("agreement_id")
@json_option
@workspace_option
def status(agreement_id: str, as_json: bool, workspace: Path | None) -> None:
    """Show AGREEMENT_ID's state, derived from its recorded facts: signatures, executions,
    amendments, withdrawals and termination; with its dates and each party's participation.

    States: draft, approved (ready for signature), partially_signed, executed, expired,
    terminated.
    """
    with Workspace(resolve_workspace(workspace)) as ws:
        loaded = ws.load(check_agreement_id(agreement_id))
        ready = not errors(run_rules(loaded.agreement))
        report = agreement_status(ws, agreement_id, ready, dt.date.today())
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for line in _status_lines(report):
        click.echo(line)


def _status_lines(report: dict) -> list[str]:
    lines = [f"{report['id']}: {report['state']}"]
    for key in ("executed_date", "effective_date", "expiration_date", "terminated_date"):
        if report[key]:
            lines.append(f"  {key.replace('_', ' ')}: {report[key]}")
    lines += [
        f"  signed: {s['party']}/{s['signatory']} {s['date']} ({s['instrument']})"
        for s in report["signatures"]
    ]
    lines += [f"  awaiting: {who}" for who in report["awaiting"]]
    lines += [
        f"  Amendment No. {a['number']}: {a['state']} ({a['message']})"
        for a in report["amendments"]
    ]
    lines += [
        f"  party {p['party']}: {p['participation']}"
        + (f" from {p['withdrawal_effective_date']}" if "withdrawal_effective_date" in p else "")
        for p in report["parties"]
    ]
    lines += [f"  to rebalance by amendment: {item}" for item in report["rebalance"]]
    return lines


@click.command("amend")
@click.argument("agreement_id")
@click.option("-m", "--message", required=True, help="What the amendment is for.")
@click.option("--author", required=True, help='Who opens it, as "Name <email>".')
@workspace_option
def amend(agreement_id: str, message: str, author: str, workspace: Path | None) -> None:
    """Open the next numbered amendment of the executed AGREEMENT_ID.

    Saves then edit the amended draft (the readiness rules apply to it); `mou export ID
    --amendment N` writes the amendment document, and `mou sign ID --amendment N`
    executes it.
    """
    who = Author.parse(author)
    with Workspace(resolve_workspace(workspace)) as ws:
        number = amend_agreement(
            ws, check_agreement_id(agreement_id), message, who, dt.date.today()
        )
    click.echo(
        f"{agreement_id}: Amendment No. {number} opened; save the amended text with "
        f"`mou save`, then `mou export {agreement_id} --amendment {number}`"
    )


@click.command("withdraw")
@click.argument("agreement_id")
@click.argument("party")
@click.option("--notice-date", "notice_text", required=True, help="The date notice was given.")
@click.option("--author", required=True, help='Who records it, as "Name <email>".')
@workspace_option
def withdraw_command(
    agreement_id: str, party: str, notice_text: str, author: str, workspace: Path | None
) -> None:
    """Record PARTY's notice of withdrawal from the executed AGREEMENT_ID.

    The withdrawal takes effect after the party's notice period (the host party's own,
    where the term sets one). The agreement continues while at least two parties remain;
    otherwise it ends on that date. `mou status` then lists what an amendment must
    rebalance (cost shares, board seats, fiscal agents).
    """
    who = Author.parse(author)
    notice = _date(notice_text, "--notice-date")
    with Workspace(resolve_workspace(workspace)) as ws:
        done = withdraw(ws, check_agreement_id(agreement_id), party, notice, who, dt.date.today())
    click.echo(
        f"{agreement_id}: {party} gave notice on {done.notice_date}; its withdrawal takes "
        f"effect on {done.effective_date}"
    )


@click.command("terminate")
@click.argument("agreement_id")
@click.option("--date", "date_text", required=True, help="The date the agreement ends.")
@click.option("--author", required=True, help='Who records it, as "Name <email>".')
@workspace_option
def terminate_command(
    agreement_id: str, date_text: str, author: str, workspace: Path | None
) -> None:
    """Record that the executed AGREEMENT_ID ends on --date (its state is then terminated)."""
    who = Author.parse(author)
    day = _date(date_text, "--date")
    with Workspace(resolve_workspace(workspace)) as ws:
        terminate(ws, check_agreement_id(agreement_id), day, who)
    click.echo(f"{agreement_id}: terminated as of {day}")

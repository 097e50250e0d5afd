"""Commands over the whole portfolio: what is due (due) and what each agency has
committed (resources).

They read facts cached by blob (see :mod:`mou.store.portfolio`) and import no pydantic,
so they answer quickly over thousands of agreements.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..chars import visible
from ..cli import json_option, workspace_option
from ..deadlines import Deadline, deadlines, sort_key, to_ics
from ..errors import UsageError
from ..fsutil import check_output, write_output
from ..settings import resolve_workspace
from ..store.portfolio import portfolio
from ..store.reader import Reader
from ..totals import format_number, resource_totals


@click.command()
@click.option(
    "--within", type=click.IntRange(0, 36500), default=None, help="Only the next DAYS days."
)
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the deadlines as an iCalendar file.",
)
@click.option("--today", default=None, help="Count from this date (YYYY-MM-DD) instead of today.")
@json_option
@workspace_option
def due(
    within: int | None, ics: Path | None, today: str | None, as_json: bool, workspace: Path | None
) -> None:
    """List what is due across the workspace's agreements, soonest first: expirations,
    the last day to give notice before expiry, periodic reviews, measurements due,
    withdrawals taking effect and equitable-sharing certifications. Reviews and
    measurements already overdue are listed too.

    --json prints a list of {id, kind, date, title, party}; --ics FILE writes one
    all-day event per deadline for Outlook or Google Calendar.
    """
    day = _today(today)
    if ics is not None:
        _check_ics_output(ics)
    with Reader(resolve_workspace(workspace)) as reader:
        rows = portfolio(reader)
    horizon = day + dt.timedelta(within) if within is not None else None
    found = sorted(
        (
            d
            for facts, log in rows
            for d in deadlines(facts, log, day)
            if horizon is None or d.date <= horizon
        ),
        key=sort_key,
    )
    if ics is not None:
        write_output(ics, to_ics(found, day))
    if as_json:
        click.echo(deadlines_json(found))
        return
    for deadline in found:
        click.echo(visible(_due_line(deadline, day)))
    if ics is not None:
        click.echo(f"{ics}: {len(found)} deadline(s) written as calendar events", err=True)


def deadlines_json(found: list[Deadline]) -> str:
    """``json.dumps([d.as_json() for d in found], indent=2, ensure_ascii=False)``, byte for
    byte, but with each value written by json's C encoder: given an indent, json writes
    through its pure-Python encoder, a fifth of `mou due --json` over 2,000 agreements."""
    if not found:
        return "[]"
    value = json.JSONEncoder(ensure_ascii=False).encode
    items = (
        "  {\n" + ",\n".join(f'    "{key}": {value(item)}' for key, item in d.as_json().items())
        + "\n  }"
        for d in found
    )  # fmt: skip
    return "[\n" + ",\n".join(items) + "\n]"


def _today(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today: {text!r} is not a date (YYYY-MM-DD)") from None


def _check_ics_output(target: Path) -> None:
    if target.suffix.lower() != ".ics":
        raise UsageError(f"--ics {target}: the calendar file must end in .ics")
    if not target.parent.resolve().is_dir():
        raise UsageError(f"--ics {target}: the folder {target.parent} does not exist")
    check_output(target)


def _due_line(deadline: Deadline, today: dt.date) -> str:
    late = "  OVERDUE" if deadline.date < today else ""
    party = f" [{deadline.party}]" if deadline.party else ""
    what = f"{deadline.kind}  {deadline.title}{party}{late}"
    return f"{deadline.date.isoformat()}  {deadline.id}  {what}"


@click.command()
@click.option("--party", default=None, help="Only this provider (acronym).")
@json_option
@workspace_option
def resources(party: str | None, as_json: bool, workspace: Path | None) -> None:
    """Total the resources committed across the workspace's agreements by provider, kind
    and unit: personnel in full-time equivalents, vehicles, equipment, funds per year,
    and assigned positions (full-time, part-time). Expired and terminated agreements
    are left out.

    --json prints a list of {provider, kind, unit, quantity, estimated_value, agreements}.
    """
    with Reader(resolve_workspace(workspace)) as reader:
        rows = portfolio(reader, holdings=True)
    totals = resource_totals([facts for facts, _ in rows], party)
    if as_json:
        click.echo(json.dumps([t.as_json() for t in totals], indent=2, ensure_ascii=False))
        return
    for total in totals:
        value = f"  ${total.estimated_value:,.0f}" if total.estimated_value else ""
        amount = f"{format_number(total.quantity)} {total.unit}{value}"
        count = f"({len(total.agreements)} agreement(s))"
        click.echo(visible(f"{total.provider}  {total.kind}  {amount}  {count}"))

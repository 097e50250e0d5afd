"""Commands that read the workspace's history: log and list.

They parse no agreement, so they start without pydantic (see :mod:`mou.store.reader`).

JSON shapes (keys are stable; new keys may be added, none removed or renamed):

``mou log ID --json`` prints a list, newest first, of::

    {"sha": "<40 hex>", "author": "Jane Roe", "email": "jane.roe@agency.gov",
     "date": "2026-03-01T14:05:09+00:00", "message": "full commit message"}

``mou list --json`` prints a list, ordered by id, of::

    {"id": "metro-task-force", "title": "...", "type": "task_force",
     "status": "draft", "parties": ["MPD", "CSO"],
     "effective_date": "2026-07-01" | null, "expiration_date": "2029-06-30" | null,
     "revision": "<40 hex: last commit that changed the file>",
     "author": "Jane Roe", "date": "2026-03-01T14:05:09+00:00",
     "state": "draft" | "partially_signed" | "executed" | "expired" | "terminated"}

``state`` is derived from the agreement's lifecycle record (signatures, executions,
termination); ``status`` is the value typed in the file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..chars import visible
from ..cli import json_option, workspace_option
from ..migrate import CURRENT_VERSION
from ..notices import notice
from ..settings import resolve_workspace
from ..store.listing import STATES, TYPES, Filter, Summary
from ..store.reader import Reader


@click.command()
@click.argument("agreement_id")
@json_option
@workspace_option
def log(agreement_id: str, as_json: bool, workspace: Path | None) -> None:
    """Show who changed AGREEMENT_ID, when and why, newest first.

    --json prints a list of {sha, author, email, date, message}; date is ISO 8601
    with its UTC offset, message the whole commit message.
    """
    with Reader(resolve_workspace(workspace)) as store:
        revisions = store.history(agreement_id)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in revisions], indent=2, ensure_ascii=False))
        return
    for rev in revisions:
        subject = rev.message.splitlines()[0] if rev.message else ""
        when = rev.date.strftime("%Y-%m-%d %H:%M %z")
        # Invisible characters shown as <U+200B>: who and why must read as they are.
        click.echo(visible(f"{rev.sha[:10]}  {when}  {rev.author} <{rev.email}>  {subject}"))


@click.command("list")
@click.option("--party", default=None, help="Only agreements with this party (acronym).")
@click.option("--type", "type_", type=click.Choice(TYPES), default=None, help="Only this type.")
@click.option(
    "--state",
    type=click.Choice(STATES),
    default=None,
    help="Only this state (derived from signatures).",
)
@click.option(
    "--expiring-before",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Only agreements whose expiration date is before this date (YYYY-MM-DD).",
)
@json_option
@workspace_option
def list_(
    party: str | None,
    type_: str | None,
    state: str | None,
    expiring_before: dt.datetime | None,
    as_json: bool,
    workspace: Path | None,
) -> None:
    """List every agreement at HEAD: title, type, status, parties, term and last change.

    The filters combine: --party FBI --type task_force --expiring-before 2027-12-31
    lists the FBI's task forces that expire before 2028. --json prints a list, by id,
    of {id, title, type, status, parties (acronyms), effective_date, expiration_date
    (YYYY-MM-DD or null), revision (the last commit that changed the file), author,
    date, state (derived from signatures, executions and termination: draft,
    partially_signed, executed, expired, terminated)}.
    """
    before = expiring_before.date() if expiring_before else None
    keep = Filter(party, type_, state, before)
    with Reader(resolve_workspace(workspace)) as store:
        rows = [row for row in store.list() if keep.keeps(row)]
    _notice_older_versions([row.id for row in rows if _is_version_1(row)])
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    for row in rows:
        term = f"{row.effective_date or '-'}..{row.expiration_date or '-'}"
        click.echo(
            visible(
                f"{row.id}  [{row.state}] {row.type}  {row.title}  ({', '.join(row.parties)})  "
                f"{term}  {row.revision[:10]} {row.date:%Y-%m-%d} {row.author}"
            )
        )
    click.echo(f"{len(rows)} agreement(s)", err=True)


def _is_version_1(row: Summary) -> bool:
    """Whether the row's file declares no schema version (an unreadable file is no file
    of any version: `mou validate` names its problem)."""
    return row.schema_version is None and row.status != "invalid"


def _notice_older_versions(ids: list[str]) -> None:
    """One notice line for every version-1 file listed, naming the first few."""
    if not ids:
        return
    named = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    notice(
        f"{len(ids)} agreement file(s) written in schema version 1 ({named}); each is read "
        f"as version {CURRENT_VERSION}, and `mou migrate` rewrites them"
    )

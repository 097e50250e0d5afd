"""Commands on the git-backed workspace: init, save, show, log, list.

JSON shapes (keys are stable; new keys may be added, none removed or renamed):

``mou log ID --json`` prints a list, newest first, of::

    {"sha": "<40 hex>", "author": "Jane Roe", "email": "jane.roe@agency.gov",
     "date": "2026-03-01T14:05:09+00:00", "message": "full commit message"}

``mou list --json`` prints a list, ordered by id, of::

    {"id": "metro-task-force", "title": "...", "type": "task_force",
     "status": "draft", "parties": ["MPD", "CSO"],
     "effective_date": "2026-07-01" | null, "expiration_date": "2029-06-30" | null,
     "revision": "<40 hex: last commit that changed the file>",
     "author": "Jane Roe", "date": "2026-03-01T14:05:09+00:00"}
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..chars import visible
from ..cli import json_option, workspace_option
from ..ids import agreement_path, check_agreement_id
from ..model import to_data
from ..settings import resolve_workspace
from ..store.create import init_workspace
from ..store.workspace import Author, Workspace
from ..validate import load_file
from ..yamlio import dump


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Make DIRECTORY a workspace: a git repository with agreements/, a README,
    schemas/ and a copy of the default templates/, in one commit.

    On an existing workspace nothing is changed.
    """
    if init_workspace(directory):
        click.echo(f"{directory}: workspace created (agreements/, schemas/, templates/, README.md)")
    else:
        click.echo(f"{directory}: already a workspace; nothing changed")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-m", "--message", required=True, help="What changed and why.")
@click.option("--author", required=True, help='Who is saving, as "Name <email>".')
@click.option(
    "--base",
    default=None,
    help="Revision the edit started from; the save is refused (exit 3) if the "
    "agreement changed since.",
)
@click.option(
    "--new",
    "is_new",
    is_flag=True,
    help="The agreement is new: refuse (exit 3) if it already exists in the workspace.",
)
@workspace_option
def save(
    path: Path,
    message: str,
    author: str,
    base: str | None,
    is_new: bool,
    workspace: Path | None,
) -> None:
    """Commit the agreement file PATH to the workspace as one commit.

    PATH may lie anywhere (the workspace's own agreements/ID.yaml, or an edited copy);
    its file name without .yaml is the agreement id. The file is validated and stored
    in canonical form; nothing else in the workspace is staged, committed or changed.
    A file equal to the current revision makes no commit.
    """
    if is_new and base is not None:
        raise click.UsageError("--new and --base exclude each other: a new agreement has no base")
    who = Author.parse(author)
    check_agreement_id(path.stem)
    agreement = load_file(path)
    with Workspace(resolve_workspace(workspace)) as store:
        saved = store.save(agreement, message, who, base, new=is_new)
    target = agreement_path(agreement.id)
    if saved.created:
        click.echo(f"{target}: saved as revision {saved.revision}")
        if saved.workspace_file_kept:
            click.echo(
                f"{target}: kept its unsaved edits, so it now differs from revision "
                f"{saved.revision[:10]}",
                err=True,
            )
    else:
        click.echo(f"{target}: unchanged since revision {saved.revision}; no commit made")


@click.command()
@click.argument("agreement_id")
@click.option("--rev", default="HEAD", show_default=True, help="Revision: a sha, tag, HEAD~2.")
@workspace_option
def show(agreement_id: str, rev: str, workspace: Path | None) -> None:
    """Print agreement AGREEMENT_ID as canonical YAML, as it was at --rev."""
    with Workspace(resolve_workspace(workspace)) as store:
        loaded = store.load(agreement_id, rev)
    click.echo(dump(to_data(loaded.agreement)), nl=False)


@click.command()
@click.argument("agreement_id")
@json_option
@workspace_option
def log(agreement_id: str, as_json: bool, workspace: Path | None) -> None:
    """Show who changed AGREEMENT_ID, when and why, newest first.

    --json prints a list of {sha, author, email, date, message}; date is ISO 8601
    with its UTC offset, message the whole commit message.
    """
    with Workspace(resolve_workspace(workspace)) as store:
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
@json_option
@workspace_option
def list_(as_json: bool, workspace: Path | None) -> None:
    """List every agreement at HEAD: title, type, status, parties, term and last change.

    --json prints a list, by id, of {id, title, type, status, parties (acronyms),
    effective_date, expiration_date (YYYY-MM-DD or null), revision (the last commit
    that changed the file), author, date}.
    """
    with Workspace(resolve_workspace(workspace)) as store:
        rows = store.list()
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    for row in rows:
        term = f"{row.effective_date or '-'}..{row.expiration_date or '-'}"
        click.echo(
            visible(
                f"{row.id}  [{row.status}] {row.type}  {row.title}  ({', '.join(row.parties)})  "
                f"{term}  {row.revision[:10]} {row.date:%Y-%m-%d} {row.author}"
            )
        )
    click.echo(f"{len(rows)} agreement(s)", err=True)

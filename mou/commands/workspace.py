"""Commands that change or load agreements in the git-backed workspace: init, save, show."""

from __future__ import annotations

from pathlib import Path

import click

from ..attachments import attachments_beside
from ..cli import workspace_option
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
    schemas/, a copy of the default templates/ and a .gitattributes, in one commit.

    The .gitattributes and the repository's configuration make plain `git merge`,
    `git pull` and `git rebase` merge agreements field by field. On an existing
    workspace nothing is changed.
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
    "agreement changed since. Without it, a save that would exactly undo the "
    "agreement's last save (a stale working file) is refused too.",
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
    A file equal to the current revision makes no commit. The files its exhibits attach
    are committed with it, from PATH's folder (ID.exhibits/ beside it) or, unchanged,
    from the current revision; each must have the SHA-256 the exhibit records. The repository's
    commit.gpgsign, pre-commit and commit-msg hooks apply. When the commit lands but
    the workspace's own file cannot be updated, the save says so and exits 0.
    """
    if is_new and base is not None:
        raise click.UsageError("--new and --base exclude each other: a new agreement has no base")
    who = Author.parse(author)
    check_agreement_id(path.stem)
    agreement = load_file(path)
    attached = attachments_beside(path, agreement)
    with Workspace(resolve_workspace(workspace)) as store:
        saved = store.save(agreement, message, who, base, new=is_new, attachments=attached)
    target = agreement_path(agreement.id)
    if saved.created and saved.workspace_file_error:
        # The commit landed: exit 0, and say the working file is now behind it.
        click.echo(
            f"{target}: saved as revision {saved.revision}; the working file could not be "
            f"updated: {saved.workspace_file_error}"
        )
    elif saved.created:
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

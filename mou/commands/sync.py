"""`mou sync`, `mou clone` and git's merge driver: agreements merged by field across clones."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..changes.merge import PREFERENCES, Prefer, merge_files, sync_merger
from ..cli import json_option, workspace_option
from ..fsutil import atomic_write
from ..settings import resolve_workspace
from ..store.create import clone_workspace
from ..store.sync import SyncConflict, SyncResult, sync
from ..yamlio import CONFLICT_NOTE, read_file


@click.command("sync")
@click.option("--remote", default=None, help="Remote to sync with (default: the branch's "
              "upstream, else origin).")  # fmt: skip
@click.option(
    "--prefer",
    type=click.Choice(PREFERENCES),
    default=None,
    help="Settle each conflicting field one way; fields without conflict merge as usual.",
)
@click.option("--author", default=None, help='Who merges, as "Name <email>" (default: git '
              "config user.name and user.email).")  # fmt: skip
@json_option
@workspace_option
def sync_command(
    remote: str | None,
    prefer: Prefer | None,
    author: str | None,
    as_json: bool,
    workspace: Path | None,
) -> None:
    """Fetch, merge agreements changed on both sides field by field, and push.

    Only behind: fast-forward. Only ahead: push. Diverged: every agreement changed on
    both sides is merged by id and field (prose word by word) into one merge commit
    (author: you, committer mou), which is pushed; a push refused because the remote
    moved meanwhile is retried. Exit 0 when in step with the remote. On a conflict,
    exit 3 listing each conflicting agreement, path, both values and who made them:
    the local branch, the working files and the remote are unchanged. An unreachable
    remote or a failed push is one line, exit 1; nothing is lost, and the next sync
    completes.
    """
    try:
        result = sync(
            resolve_workspace(workspace),
            sync_merger(prefer),
            remote=remote,
            author=author,
            prefer=prefer,
        )
    except SyncConflict as conflict:
        if not as_json:
            raise
        click.echo(json.dumps(_conflict_json(conflict), indent=2, ensure_ascii=False))
        raise SystemExit(conflict.exit_code) from None
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        for line in _report(result):
            click.echo(line)


def _conflict_json(conflict: SyncConflict) -> dict:
    return {
        "outcome": "conflict",
        "remote": conflict.remote,
        "conflicts": [found.as_json() for found in conflict.files],
    }


def _report(result: SyncResult) -> list[str]:
    """What the sync did, in a few lines."""
    where = f"{result.remote} ({result.branch})"
    short = result.revision[:10]
    first = {
        "in step": f"in step with {where} at {short}",
        "pushed": f"pushed {short} to {where}: {_ids(result.outgoing)}",
        "fast-forwarded": f"brought in {short} from {where}: {_ids(result.incoming)}",
        "merged": f"merged and pushed {short} to {where}",
    }[result.outcome]
    lines = [first]
    if result.outcome == "merged":
        lines.append(f"merged field by field: {_ids(result.merged)}")
        lines.append(f"brought in: {_ids(result.incoming)}; sent: {_ids(result.outgoing)}")
    for found in result.resolved:
        lines += [f"settled: {line}" for line in found.lines()]
    return lines


def _ids(ids: list[str]) -> str:
    if not ids:
        return "no agreement changed"
    shown = ", ".join(ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


@click.command("clone")
@click.argument("url")
@click.argument("directory", type=click.Path(path_type=Path))
def clone(url: str, directory: Path) -> None:
    """Clone the workspace at URL into DIRECTORY, with agreements merging by field.

    The clone's git configuration registers mou's merge driver, so a plain `git pull`,
    `git merge` or `git rebase` merges agreements field by field, as `mou sync` does.
    """
    target = clone_workspace(url, directory)
    click.echo(f"{target}: cloned from {url}; agreements merge field by field")


@click.command("merge-driver")
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("mine", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("path")
def merge_driver(base: Path, mine: Path, theirs: Path, path: str) -> None:
    """Git's merge driver for agreements (git runs it as `mou merge-driver %O %A %B %P`).

    Merges the three versions field by field into MINE. Exit 0 when clean; on a conflict
    MINE holds both outcomes between git's markers, each conflicting place listed above
    them (`mou validate` reports them), and the exit code is 1.
    """
    raw_base = read_file(base) if base.stat().st_size else None
    merged, clean = merge_files(raw_base, read_file(mine), read_file(theirs), path)
    atomic_write(mine, merged)
    if not clean:
        for line in merged.decode().splitlines():
            if line.startswith(CONFLICT_NOTE):
                click.echo(f"{path}: {line.removeprefix(CONFLICT_NOTE)}", err=True)
        raise SystemExit(1)

"""Commands for reviewers: diff, blame, redline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..changes.blame import blame_agreement
from ..changes.diff import Change, WordOp, count_by_kind, diff, group_by_section
from ..changes.redline import redline_with_changes
from ..chars import visible
from ..cli import json_option, workspace_option
from ..errors import UsageError
from ..fsutil import check_output, write_output
from ..store.history import Version, compare_defaults, load_version
from ..store.workspace import open_workspace

MARKS = {"added": "+", "removed": "-", "changed": "~", "moved": "↕"}
CONTEXT_WORDS = 6  # words of unchanged text shown around each prose edit


@click.command(name="diff")
@click.argument("agreement_id", metavar="ID")
@click.argument("rev_a", required=False)
@click.argument("rev_b", required=False)
@json_option
@workspace_option
def diff_command(
    agreement_id: str, rev_a: str | None, rev_b: str | None, as_json: bool, workspace: Path | None
) -> None:
    """Show what changed in agreement ID between two revisions, field by field.

    REV_A and REV_B are any git revisions (sha, branch, tag, HEAD~2). With none, the
    agreement's previous revision is compared with its current one; with one, that
    revision is compared with the current one.
    """
    with open_workspace(workspace) as ws:
        rev_a, rev_b = compare_defaults(ws, agreement_id, rev_a, rev_b)
        old, new = load_version(ws, agreement_id, rev_a), load_version(ws, agreement_id, rev_b)
    changes = diff(old.agreement, new.agreement)
    if as_json:
        report = {"id": agreement_id, "from": old.as_json(), "to": new.as_json()}
        changes_json = [c.as_json() for c in changes]
        click.echo(json.dumps({**report, "changes": changes_json}, indent=2, ensure_ascii=False))
        return
    _print_changes(agreement_id, old, new, changes)


@click.command()
@click.argument("agreement_id", metavar="ID")
@json_option
@workspace_option
def blame(agreement_id: str, as_json: bool, workspace: Path | None) -> None:
    """For each field and list item of agreement ID: who last changed it, when, in which revision.

    Walks the agreement's history oldest to newest with the semantic diff, so reordering
    or reformatting the file does not steal the blame for a value.
    """
    with open_workspace(workspace) as ws:
        rows = blame_agreement(ws, agreement_id, warn=lambda m: click.echo(m, err=True))
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
        return
    width = max((len(visible(row.revision.author)) for row in rows), default=0)
    for row in rows:
        rev = row.revision
        date = rev.date.date().isoformat()
        click.echo(visible(f"{rev.sha[:7]}  {date}  {visible(rev.author):<{width}}  {row.label}"))


@click.command()
@click.argument("agreement_id", metavar="ID")
@click.argument("rev_a")
@click.argument("rev_b")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .docx file to write.",
)
@workspace_option
def redline(
    agreement_id: str, rev_a: str, rev_b: str, output: Path, workspace: Path | None
) -> None:
    """Write a Word document of agreement ID at REV_B with tracked changes from REV_A.

    Each change is attributed to the author and date of the commit that made it; a table
    of changes by kind, party and section opens the document.
    """
    if output.suffix.lower() != ".docx":
        raise UsageError(f"--output {output}: the redline is a Word file; name it *.docx")
    if not output.parent.is_dir():
        raise UsageError(f"--output {output}: the folder {output.parent} does not exist")
    check_output(output)
    with open_workspace(workspace) as ws:
        data, changes = redline_with_changes(ws, agreement_id, rev_a, rev_b)
    write_output(output, data)
    summary = f"{len(changes)} change(s)" if changes else f"no changes from {rev_a} to {rev_b}"
    click.echo(f"wrote {output}: {summary}", err=True)


# --------------------------------------------------------------------------- text output


def _print_changes(agreement_id: str, old: Version, new: Version, changes: list[Change]) -> None:

    header = f"{agreement_id}: {old.revision[:7]} → {new.revision[:7]}"
    if not changes:
        click.echo(f"{header}: no changes")
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in count_by_kind(changes).items() if n)
    click.echo(f"{header}: {len(changes)} change(s) ({counts})")
    for section, group in group_by_section(changes).items():
        click.echo(f"\n{section}")
        for change in group:
            # Invisible characters shown as <U+200B>: a reviewer must see every edit.
            click.echo(visible(f"  {MARKS[change.kind]} {change.label}: {_describe(change)}"))


def _describe(change: Change) -> str:
    if change.kind == "moved":
        return f"moved from position {change.old} to {change.new}"
    if change.words is not None and change.kind == "changed":
        return _inline_words(change.words)
    if change.kind == "added":
        return f"added {_short(change.new)}"
    if change.kind == "removed":
        return f"removed {_short(change.old)}"
    return f"{_short(change.old)} → {_short(change.new)}"


def _inline_words(words: tuple[WordOp, ...]) -> str:
    """Prose edits inline, ``[-old-]{+new+}``, with a few words of context around each."""
    parts = []
    for n, op in enumerate(words):
        text = op.text.rstrip()
        space = op.text[len(text) :]
        if op.op == "delete":
            parts.append(f"[-{text}-]{space}")
        elif op.op == "insert":
            parts.append(f"{{+{text}+}}{space}")
        else:
            parts.append(_context(op.text, first=n == 0, last=n == len(words) - 1))
    return "".join(parts).strip().replace("\n", "⏎ ")


def _context(text: str, first: bool, last: bool) -> str:
    words = text.split()
    keep = CONTEXT_WORDS
    if len(words) <= keep * (1 if first or last else 2):
        return text
    head = [] if first else words[:keep]
    tail = [] if last else words[-keep:]
    return " ".join([*head, "…", *tail]) + " "


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"

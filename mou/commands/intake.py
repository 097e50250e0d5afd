"""The intake command: a partner's edited Word copy read back into the agreement."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..changes.diff import WordOp
from ..changes.intake import FieldChange, Intake, RevisionNeeded, take_in
from ..cli import json_option, workspace_option
from ..document.ooxml import read_docx
from ..errors import MouError, UsageError
from ..fsutil import atomic_write
from ..store.workspace import canonical_bytes, open_workspace

MARKS = {"changed": "~", "added": "+"}
CONTEXT = 4  # words of unchanged text shown on each side of a prose edit


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the proposal (base agreement + every mapped change) to this YAML file.",
)
@click.option("--rev", default=None, help="The revision the copy was exported from, when it "
              "no longer says (its properties were stripped).")  # fmt: skip
@workspace_option
def intake(
    file: Path, as_json: bool, output: Path | None, rev: str | None, workspace: Path | None
) -> None:
    """Read the edits of a returned Word copy (FILE.docx) field by field.

    The copy's provenance names the agreement and the revision it was exported from;
    tracked and untracked edits are mapped to the fields they fall in, edits of the
    template's wording are listed as unmapped, and comments are attached to their field.
    With -o, the proposal is written, ready for `mou save PROPOSAL.yaml --base BASE`.
    """
    if output is not None and output.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(f"--output {output}: the proposal is an agreement file; name it *.yaml")
    data = read_docx(file)  # a file larger than any Word copy is not read
    with open_workspace(workspace) as ws:
        try:
            result = take_in(ws, data, rev)
        except RevisionNeeded as err:
            raise MouError(f"{file}: {err.message}; give the revision with --rev") from None
        except MouError as err:
            raise type(err)(f"{file}: {err.message}") from None
    if output is not None:
        _write_proposal(result, output)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        _print(file, result)


def _write_proposal(result: Intake, output: Path) -> None:
    """Write the proposal, or refuse in one line when it is no valid agreement."""
    if output.stem != result.agreement_id:
        raise UsageError(
            f"--output {output}: name the proposal {result.agreement_id}.yaml (in any "
            "folder): `mou save` reads the agreement id from the file name"
        )
    if result.proposal is None:
        raise MouError(f"{output}: not written: the proposal is not valid: {result.problem}")
    atomic_write(output, canonical_bytes(result.proposal))
    click.echo(
        f'wrote {output}: save it with `mou save {output} --base {result.base[:12]} --author "…"`',
        err=True,
    )


def _print(file: Path, result: Intake) -> None:
    click.echo(f"{file}: {result.agreement_id} at {result.base[:7]}: "
               f"{len(result.changes)} change(s), {len(result.unmapped)} unmapped edit(s), "
               f"{len(result.comments)} comment(s)")  # fmt: skip
    sections: dict[str, list[FieldChange]] = {}
    for change in result.changes:  # in document order, as `mou diff` prints them
        sections.setdefault(change.section, []).append(change)
    for section, changes in sections.items():
        click.echo(f"\n{section}")
        for change in changes:
            click.echo(f"  {MARKS[change.kind]} {change.label}: {_describe(change)}")
    if result.unmapped:
        click.echo("\nUnmapped (not in the proposal; retype them if agreed)")
    for edit in result.unmapped:
        by = f" — {edit.by}" if edit.by else ""
        click.echo(f"  {edit.location} ({edit.reason}): {_edit(edit.old, edit.new)}{by}")
    if result.comments:
        click.echo("\nComments")
    for comment in result.comments:
        where = comment.path or "template wording"
        click.echo(f"  {where}: {comment.author or 'unknown'}: {_short(comment.text)}")
    if result.problem:
        click.echo(f"\nThe proposal is not valid: {result.problem}")


def _edit(old: str, new: str) -> str:
    if not old:
        return f"inserted “{_short(new.strip())}”"
    if not new:
        return f"deleted “{_short(old.strip())}”"
    return f"“{_short(old)}” → “{_short(new)}”"


def _describe(change: FieldChange) -> str:
    by = f" — {change.by}" if change.by else ""
    if change.kind == "added":
        return f"added {_short(change.new)}{by}"
    if change.words is not None:
        return _inline_words(change.words) + by
    return f"{_short(change.old)} → {_short(change.new)}{by}"


def _inline_words(words: tuple[WordOp, ...]) -> str:
    """Prose edits inline, ``[-old-]{+new+}``, a few words of context around each."""
    parts = []
    for op in words:
        text = op.text.strip()
        if op.op == "delete":
            parts.append(f"[-{text}-]")
        elif op.op == "insert":
            parts.append(f"{{+{text}+}}")
        else:
            shown = op.text.split()
            parts.append(" ".join(shown) if len(shown) <= 2 * CONTEXT else
                         " ".join([*shown[:CONTEXT], "…", *shown[-CONTEXT:]]))  # fmt: skip
    return " ".join(p for p in parts if p).replace("\n", "⏎ ")


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"

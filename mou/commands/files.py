"""Commands on agreement files: validate, fmt, schema, new."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..cli import json_option, workspace_option
from ..data import DATA_DIR
from ..errors import InvalidAgreement, MouError, Problem
from ..fsutil import atomic_write
from ..ids import check_agreement_id
from ..model import AgreementType, to_data
from ..presets import preset
from ..schema import SCHEMA_FILE, schema_text
from ..settings import resolve_workspace
from ..validate import load_file, validate_data
from ..yamlio import dump

AGREEMENT_TYPES = [kind.value for kind in AgreementType]


def agreement_files(paths: tuple[Path, ...], workspace: Path | None) -> list[Path]:
    """The YAML files named by ``paths`` (folders expand), default the workspace's agreements/."""
    if not paths:
        paths = (resolve_workspace(workspace) / "agreements",)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.yaml"))
        elif path.exists():
            files.append(path)
        else:
            raise MouError(f"{path}: no such file or folder")
    return files


def _problems_of(path: Path) -> list[Problem]:

    try:
        load_file(path)
    except InvalidAgreement as err:
        return err.problems
    except MouError as err:
        return [Problem("$", err.message, str(path))]
    return []


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
@workspace_option
def validate(paths: tuple[Path, ...], as_json: bool, workspace: Path | None) -> None:
    """Check agreement files (default: agreements/) and list every problem.

    Exit 0 when all are valid, 1 when any is not.
    """
    report = {str(path): _problems_of(path) for path in agreement_files(paths, workspace)}
    if as_json:
        shape = [
            {"file": f, "valid": not p, "problems": [x.as_json() for x in p]}
            for f, p in report.items()
        ]
        click.echo(json.dumps(shape, indent=2, ensure_ascii=False))
    else:
        for problems in report.values():
            for problem in problems:
                click.echo(str(problem))
        invalid = sum(1 for p in report.values() if p)
        click.echo(f"{len(report)} file(s) checked, {invalid} invalid", err=True)
    if any(report.values()):
        raise SystemExit(1)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not canonical.")
@workspace_option
def fmt(paths: tuple[Path, ...], check: bool, workspace: Path | None) -> None:
    """Rewrite agreement files in canonical form (stable order, block text, ISO dates).

    Every file is validated first; if any is invalid, nothing is written.
    """
    files = agreement_files(paths, workspace)
    canonical, problems = {}, []
    for path in files:
        try:
            canonical[path] = dump(to_data(load_file(path)))
        except InvalidAgreement as err:
            problems += err.problems
    if problems:
        raise InvalidAgreement(problems)
    # Bytes, not text: reading text would turn CRLF line ends into LF and call them canonical.
    changed = [p for p, text in canonical.items() if p.read_bytes() != text.encode("utf-8")]
    for path in changed:
        if check:
            click.echo(f"{path}: not canonical; run `mou fmt {path}`")
        else:
            atomic_write(path, canonical[path].encode("utf-8"))
            click.echo(f"{path}: reformatted")
    if check and changed:
        raise SystemExit(1)


@click.command()
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the schema file drifted.")
@workspace_option
def schema(check: bool, workspace: Path | None) -> None:
    """Regenerate schemas/agreement.schema.json from the models."""
    text = schema_text()
    targets = [resolve_workspace(workspace) / "schemas" / SCHEMA_FILE]
    packaged = DATA_DIR / SCHEMA_FILE
    if packaged.parent.parent.parent == targets[0].parent.parent:
        targets.append(packaged)  # a development checkout also ships the schema in mou/data
    stale = [t for t in targets if not t.exists() or t.read_bytes() != text.encode("utf-8")]
    for target in stale:
        if check:
            click.echo(f"{target}: out of date; run `mou schema`")
        else:
            atomic_write(target, text.encode("utf-8"))
            click.echo(f"{target}: written")
    if check and stale:
        raise SystemExit(1)


@click.command()
@click.argument("agreement_id")
@click.option(
    "--type",
    "agreement_type",
    type=click.Choice(AGREEMENT_TYPES),
    required=True,
    help="Agreement type; chooses the preset.",
)
@click.option("--title", required=True, help="Title of the agreement.")
@workspace_option
def new(agreement_id: str, agreement_type: str, title: str, workspace: Path | None) -> None:
    """Create agreements/AGREEMENT_ID.yaml: a valid draft from the type's preset."""
    check_agreement_id(agreement_id)
    target = resolve_workspace(workspace) / "agreements" / f"{agreement_id}.yaml"
    if target.exists():
        raise MouError(f"{target}: already exists; choose another id")
    agreement = validate_data(preset(agreement_type, agreement_id, title), f"--title {title!r}")
    atomic_write(target, dump(to_data(agreement)).encode("utf-8"))
    click.echo(f"{target}: created from the {agreement_type} preset")

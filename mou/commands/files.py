"""Commands on agreement files: validate, fmt, migrate, schema, new, attach.

validate and fmt also take measurements files (``measurements/<id>.yaml``, by default
all of them): each is checked against the agreement file beside it,
``agreements/<id>.yaml``, as `mou measure` and `mou report` check it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import click

from ..attachments import attach_file
from ..cli import json_option, workspace_option
from ..data import DATA_DIR
from ..errors import InvalidAgreement, MouError, Problem
from ..fsutil import atomic_write
from ..ids import AGREEMENTS_FOLDER, MEASUREMENTS_FOLDER, check_agreement_id
from ..measures import MeasurementLog, log_bytes, read_log
from ..migrate import CURRENT_VERSION, declared_version, lost_values
from ..model import AgreementType, to_data
from ..notices import suppressed
from ..presets import preset
from ..schema import SCHEMA_FILE, V1_SCHEMA_FILE, schema_text, v1_schema_text
from ..settings import resolve_workspace
from ..validate import load_file, validate_data, validate_parsed
from ..yamlio import dump, read_bytes, read_file

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


def checked_files(paths: tuple[Path, ...], workspace: Path | None) -> list[Path]:
    """:func:`agreement_files`; by default the workspace's measurements files as well."""
    if paths:
        return agreement_files(paths, workspace)
    root = resolve_workspace(workspace)
    both = (root / AGREEMENTS_FOLDER, root / MEASUREMENTS_FOLDER)
    folders = tuple(folder for folder in both if folder.is_dir())
    return agreement_files(folders or both[:1], workspace)  # none: agreements/ is named


def is_measurements(path: Path) -> bool:
    """Whether ``path`` is a measurements file (it lies in a measurements/ folder)."""
    return path.parent.name == MEASUREMENTS_FOLDER


def read_measurements(path: Path) -> MeasurementLog:
    """A measurements file checked against its agreement, ``../agreements/<id>.yaml``.

    InvalidAgreement names each problem of the file (``file:line: $.path: message``), or
    says in one problem that the agreement is missing or invalid.
    """
    beside = path.parent.parent / AGREEMENTS_FOLDER / f"{path.stem}.yaml"
    raw = read_file(path)  # first: a hostile file is refused whatever else is wrong
    if not beside.is_file():
        raise InvalidAgreement([Problem("$", f"no agreement {beside} to check it against",
                                        str(path))])  # fmt: skip
    try:
        with suppressed():  # an older agreement file is fine here; validate names it
            agreement = load_file(beside)
    except MouError:
        why = f"cannot be checked: its agreement {beside} is invalid (mou validate {beside})"
        raise InvalidAgreement([Problem("$", why, str(path))]) from None
    return read_log(raw, str(path), agreement)


def _problems_of(path: Path) -> list[Problem]:
    try:
        read_measurements(path) if is_measurements(path) else load_file(path)
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
    """Check agreement and measurements files (default: agreements/ and measurements/)
    and list every problem.

    A measurements file is checked against its agreement (agreements/<id>.yaml): known
    metrics, periods that fit their frequency, values in the metric's unit, each period
    once. Exit 0 when all are valid, 1 when any is not.
    """
    report = {str(path): _problems_of(path) for path in checked_files(paths, workspace)}
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


@dataclass(frozen=True)
class Rewritten:
    """An agreement file read and written again in the current version, canonically."""

    raw: bytes
    """The file's bytes as read."""
    version: int
    """The schema version the file was written in."""
    text: str
    """The canonical text of the current version."""

    @property
    def changed(self) -> bool:
        """Whether writing ``text`` would change the file's bytes (CRLF counts)."""
        return self.raw != self.text.encode("utf-8")


def _rewritten(files: list[Path]) -> dict[Path, Rewritten]:
    """Each file validated and rewritten canonically; InvalidAgreement (listing every
    problem of every file) if any is invalid, so that nothing is written."""
    result, problems = {}, []
    for path in files:
        try:
            result[path] = _rewrite(path)
        except InvalidAgreement as err:
            problems += err.problems
    if problems:
        raise InvalidAgreement(problems)
    return result


def _rewrite(path: Path) -> Rewritten:
    if is_measurements(path):
        log = read_measurements(path)
        return Rewritten(read_file(path), CURRENT_VERSION, log_bytes(log).decode("utf-8"))
    raw = read_file(path)
    parsed = read_bytes(raw, str(path))
    version = declared_version(parsed.data) if isinstance(parsed.data, dict) else CURRENT_VERSION
    with suppressed():  # the command says itself what it does with an older file
        data = to_data(validate_parsed(parsed, path.stem))
    lost = lost_values(parsed.data, data) if version != CURRENT_VERSION else []
    if lost:  # a bug in the migration must never cost a user a value
        raise MouError(f"{path}: migrating would lose {lost[0]!r}; nothing was written")
    return Rewritten(raw, version, dump(data))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not canonical.")
@workspace_option
def fmt(paths: tuple[Path, ...], check: bool, workspace: Path | None) -> None:
    """Rewrite agreement and measurements files (default: agreements/ and measurements/)
    in canonical form (stable order, block text, ISO dates; measurements by metric and
    period).

    Every file is validated first; if any is invalid, nothing is written. A file of an
    older schema version is written as the current version (as `mou migrate` does).
    """
    files = _rewritten(checked_files(paths, workspace))
    changed = [path for path, file in files.items() if file.changed]
    for path in changed:
        if check:
            click.echo(f"{path}: not canonical; run `mou fmt {path}`")
        else:
            atomic_write(path, files[path].text.encode("utf-8"))
            click.echo(f"{path}: {_what_was_done(files[path])}")
    if check and changed:
        raise SystemExit(1)


def _what_was_done(file: Rewritten) -> str:
    if file.version == CURRENT_VERSION:
        return "reformatted"
    return f"migrated from schema version {file.version} to {CURRENT_VERSION}"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 if a file is of an older version."
)
@workspace_option
def migrate(paths: tuple[Path, ...], check: bool, workspace: Path | None) -> None:
    """Rewrite agreement files of an older schema version as version 2, losing no value.

    Values move to where version 2 keeps them; prose without a structured home stays
    where it was (funding notes stay notes). Every file is validated first; if any is
    invalid, nothing is written. Files already at version 2 are left as they are.
    """
    files = _rewritten(agreement_files(paths, workspace))
    older = [path for path, file in files.items() if file.version != CURRENT_VERSION]
    for path in older:
        if check:
            click.echo(f"{path}: schema version {files[path].version}; run `mou migrate {path}`")
        else:
            atomic_write(path, files[path].text.encode("utf-8"))
            click.echo(f"{path}: {_what_was_done(files[path])}")
    if check and older:
        raise SystemExit(1)


@click.command()
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if the schema file drifted.")
@workspace_option
def schema(check: bool, workspace: Path | None) -> None:
    """Regenerate schemas/agreement.schema.json from the models.

    The frozen schema of version 1 is published beside it, as agreement.v1.schema.json,
    for files and revisions written before version 2.
    """
    folder = resolve_workspace(workspace) / "schemas"
    wanted = {folder / SCHEMA_FILE: schema_text(), folder / V1_SCHEMA_FILE: v1_schema_text()}
    packaged = DATA_DIR / SCHEMA_FILE
    if packaged.parent.parent.parent == folder.parent:
        wanted[packaged] = schema_text()  # a development checkout also ships it in mou/data
    stale = [t for t, text in wanted.items() if not t.exists() or t.read_bytes() != text.encode()]
    for target in stale:
        if check:
            click.echo(f"{target}: out of date; run `mou schema`")
        else:
            atomic_write(target, wanted[target].encode("utf-8"))
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


@click.command()
@click.argument("agreement_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--exhibit",
    required=True,
    help="The letter of a file exhibit to attach it to (C), or a title: the file exhibit "
    "of that title, else a new exhibit with the next letter.",
)
@workspace_option
def attach(agreement_id: str, file: Path, exhibit: str, workspace: Path | None) -> None:
    """Attach a PDF or Word FILE as an exhibit of agreements/AGREEMENT_ID.yaml.

    The file is copied to agreements/AGREEMENT_ID.exhibits/ and the exhibit records its
    name and SHA-256. Nothing is committed: `mou save` then commits the agreement and
    its attached files together, as one revision. Only .pdf and .docx files of at most
    20 MB are accepted, and never a symbolic link.
    """
    check_agreement_id(agreement_id)
    target = resolve_workspace(workspace) / "agreements" / f"{agreement_id}.yaml"
    if not target.is_file():
        raise MouError(f"{target}: no such agreement file; create it with `mou new` first")
    done = attach_file(target, file, exhibit)
    click.echo(
        f"{done.stored}: attached as Exhibit {done.letter} — {done.title} (SHA-256 "
        f"{done.sha256[:16]}…); commit it with `mou save {target} -m … --author …`"
    )

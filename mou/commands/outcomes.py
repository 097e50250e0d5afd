"""Commands about what a partnership achieves: measure, measurements, report.

JSON shape of ``mou measurements ID --json`` (keys may be added, never renamed):

    [{"metric": "nonfatal-shootings", "period": "2026-Q3", "value": 41, "note": "..." | null,
      "replaced": [{"value": 40, "note": null}]}]   (ordered by metric, then period)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..chars import visible
from ..cli import json_option, workspace_option
from ..document.pdf import soffice, to_pdf
from ..document.report import build_report
from ..errors import MouError, UsageError
from ..fsutil import check_output, write_output
from ..ids import check_agreement_id
from ..measures import (
    FieldProblem,
    Measurement,
    Period,
    measurement_from_text,
    measurements_path,
    parse_any_period,
)
from ..model import Agreement
from ..settings import resolve_workspace
from ..store.measurements import load_measured, record, record_review
from ..store.workspace import Author, Workspace


@click.command()
@click.argument("agreement_id")
@click.argument("metric")
@click.option("--period", required=True, help="2026, 2026-H1, 2026-Q3, 2026-07 or a date.")
@click.option("--value", required=True, help="The measured number, in the metric's unit.")
@click.option("--note", default=None, help="What a reader of the report should know.")
@click.option("--author", required=True, help='Who is recording, as "Name <email>".')
@click.option("--replace", is_flag=True, help="Replace a value already recorded (kept in history).")
@workspace_option
def measure(
    agreement_id: str,
    metric: str,
    period: str,
    value: str,
    note: str | None,
    author: str,
    replace: bool,
    workspace: Path | None,
) -> None:
    """Record the measured VALUE of AGREEMENT_ID's METRIC for a reporting period.

    The period follows the metric's reporting frequency (annual 2026, semiannual
    2026-H1, quarterly 2026-Q3, monthly 2026-07, per event 2026-07-14). Each recording
    is one commit of measurements/ID.yaml; the agreement's revision does not change.
    A period recorded before needs --replace; the old value stays in the file's history.
    """
    who = Author.parse(author)
    check_agreement_id(agreement_id)
    with Workspace(resolve_workspace(workspace)) as ws:
        agreement = load_measured(ws, agreement_id).agreement
        entry = _entry(agreement, metric, period, value, note)
        saved = record(ws, entry, agreement_id, who, replace=replace)
    click.echo(
        f"{measurements_path(agreement_id)}: {metric} {entry.period} = {entry.value:g} "
        f"recorded as revision {saved.revision[:10]}"
    )


def _entry(
    agreement: Agreement, metric_id: str, period: str, value: str, note: str | None
) -> Measurement:
    """The measurement the options describe; MouError naming the option that is wrong."""
    try:
        return measurement_from_text(agreement, metric_id, period, value, note)
    except FieldProblem as err:
        option = "METRIC" if err.field == "metric" else f"--{err.field}"
        raise MouError(f"{option}: {err.message}") from None


@click.command()
@click.argument("agreement_id")
@click.option("--date", "held", required=True, help="The day the review was held (YYYY-MM-DD).")
@click.option("--note", default=None, help="What the review found or decided.")
@click.option("--author", required=True, help='Who is recording, as "Name <email>".')
@workspace_option
def reviewed(
    agreement_id: str, held: str, note: str | None, author: str, workspace: Path | None
) -> None:
    """Record that AGREEMENT_ID's periodic review was held on a day (not in the future).

    One commit of measurements/ID.yaml (the agreement's revision does not change); `mou due`
    then counts the next review from the latest one held.
    """
    who = Author.parse(author)
    check_agreement_id(agreement_id)
    with Workspace(resolve_workspace(workspace)) as ws:
        load_measured(ws, agreement_id)  # an unknown agreement is named before the date
        try:
            saved = record_review(ws, agreement_id, held, note, who, dt.date.today())
        except FieldProblem as err:
            raise MouError(f"--{err.field}: {err.message}") from None
    click.echo(
        f"{measurements_path(agreement_id)}: review held on {held} recorded as revision "
        f"{saved.revision[:10]}"
    )


@click.command()
@click.argument("agreement_id")
@click.option("--rev", default="HEAD", help="As of this revision of the workspace.")
@json_option
@workspace_option
def measurements(agreement_id: str, rev: str, as_json: bool, workspace: Path | None) -> None:
    """List the measured values of AGREEMENT_ID's metrics, with the values they replaced."""
    check_agreement_id(agreement_id)
    with Workspace(resolve_workspace(workspace)) as ws:
        log = load_measured(ws, agreement_id, rev).log
    entries = sorted(log.measurements, key=lambda m: (m.metric, m.period))
    if as_json:
        rows = [m.model_dump(mode="json") for m in entries]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not entries:
        click.echo(f"{agreement_id}: no measurements recorded")
    for entry in entries:
        click.echo(visible(_line(entry)))


def _line(entry: Measurement) -> str:
    line = f"{entry.metric}  {entry.period}  {entry.value:g}"
    if entry.note:
        line += f"  — {entry.note.splitlines()[0]}"
    if entry.replaced:
        line += "  (replaced: " + ", ".join(f"{r.value:g}" for r in entry.replaced) + ")"
    return line


@click.command()
@click.argument("agreement_id")
@click.option("--period", default=None, help="Report values through this period (default: all).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The .docx to write (default: ID-performance-report[-public].docx here).",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it (needs LibreOffice).")
@click.option("--public", is_flag=True, help="Leave out the marking, contacts and names.")
@click.option("--rev", default="HEAD", help="As of this revision of the workspace.")
@workspace_option
def report(
    agreement_id: str,
    period: str | None,
    output: Path | None,
    pdf: bool,
    public: bool,
    rev: str,
    workspace: Path | None,
) -> None:
    """Write AGREEMENT_ID's performance report as Word: a summary table, then per shared
    goal its owners and each metric's baseline, target, values by period, a chart of
    them against baseline and target, whether it is on track, and the notes.

    --public leaves out what the agreement does not release (its marking such as
    "For Official Use Only", contacts, every person's name, phone and e-mail, and the
    sources of figures drawn from criminal justice information).
    """
    check_agreement_id(agreement_id)
    through = _report_period(period)
    suffix = "-public" if public else ""
    target = output or Path(f"{agreement_id}-performance-report{suffix}.docx")
    _check_report_output(target)
    if pdf:
        soffice()  # say what to install before writing anything
    with Workspace(resolve_workspace(workspace)) as ws:
        measured = load_measured(ws, agreement_id, rev)
    data = build_report(
        measured.agreement, measured.log, revision=measured.revision, through=through, public=public
    )
    write_output(target, data)
    kind = "public performance report" if public else "performance report"
    click.echo(f"{target}: {kind} of {agreement_id} at revision {measured.revision[:10]}")
    if pdf:
        click.echo(f"{to_pdf(target, target.parent)}: PDF written")


def _report_period(period: str | None) -> Period | None:
    if period is None:
        return None
    try:
        return parse_any_period(period)
    except ValueError as err:
        raise UsageError(f"--period: {err}") from None


def _check_report_output(target: Path) -> None:
    if target.suffix.lower() != ".docx":
        raise UsageError(f"-o {target}: the output must be a .docx file")
    if not target.parent.resolve().is_dir():
        raise UsageError(f"-o {target}: the folder {target.parent} does not exist")
    check_output(target)

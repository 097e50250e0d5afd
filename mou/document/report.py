"""The performance report: per shared goal, its metrics' values, charts and progress.

A summary table comes first (one row per metric: baseline, target, latest value and
whether it is on track), then one section per goal with its owners and, per metric, the
values by period, a chart against baseline and target, and the notes. The internal
report adds who to ask (each owner's point of contact) and the agreement's marking; the
public report (``public=True``) leaves out what the agreement does not release: the
marking ("For Official Use Only"), contacts and every person's name, phone and e-mail
(wherever typed, notes too), and, where the agreement exchanges criminal justice
information, where its figures come from.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from ..measures import MeasurementLog, Period, fiscal_year_of, progress, series
from ..model import Agreement, Goal, Metric
from ..totals import format_number as number
from .charts import WIDTH_IN, metric_chart

WITHHELD = "[withheld]"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SUMMARY_WIDTHS = (1.3, 2.1, 0.7, 1.0, 0.8, 0.6)  # inches, on a 6.5-inch text width


@dataclass(frozen=True)
class MetricResult:
    """One metric as the report shows it: its values up to the report's period, its status."""

    goal: Goal
    metric: Metric
    points: list[tuple[Period, float]]
    notes: list[tuple[str, str]]
    status: str


def metric_results(
    agreement: Agreement, log: MeasurementLog, through: Period | None = None
) -> list[MetricResult]:
    """Every metric of every goal, with its values through ``through`` (all if None)."""
    start, year = agreement.term.effective_date, fiscal_year_of(agreement)
    results = []
    for goal in agreement.goals:
        for metric in goal.metrics:
            points = [
                p for p in series(log, metric, year) if through is None or p[0].end <= through.end
            ]
            shown = {period.text for period, _ in points}
            notes = [
                (m.period, m.note)
                for m in sorted(log.measurements, key=lambda m: m.period)
                if m.metric == metric.id and m.note and m.period in shown
            ]
            status = progress(metric, points, start)
            results.append(MetricResult(goal, metric, points, notes, status))
    return results


def build_report(
    agreement: Agreement,
    log: MeasurementLog,
    *,
    revision: str,
    through: Period | None = None,
    public: bool = False,
) -> bytes:
    """The report as .docx bytes; the same inputs always give the same bytes."""
    import docx

    document = docx.Document()
    text = _Scrubber(agreement if public else None)
    results = metric_results(agreement, log, through)
    _front(document, agreement, revision, through, public, text)
    _summary(document, results, text)
    for goal in agreement.goals:
        _goal_section(document, agreement, goal, [r for r in results if r.goal is goal], text)
    if not public:
        _contacts(document, agreement, results)
    _set_properties(document, agreement, public)
    return _deterministic_zip(document)


# --------------------------------------------------------------------------- sections


def _front(
    document: Any,
    agreement: Agreement,
    revision: str,
    through: Period | None,
    public: bool,
    text: _Scrubber,
) -> None:
    if agreement.marking and not public:
        document.add_paragraph(agreement.marking.upper()).runs[0].bold = True
    document.add_heading(text(f"Performance report: {agreement.title}"), level=0)
    span = f"Values through {through.text}" if through else "All recorded values"
    document.add_paragraph(f"{span}. Agreement {agreement.id}, revision {revision[:10]}.")
    parties = ", ".join(f"{p.legal_name} ({p.acronym})" for p in agreement.parties)
    document.add_paragraph(text(f"Parties: {parties}."))
    if public:
        document.add_paragraph("Public version: contacts and restricted details are left out.")


def _summary(document: Any, results: list[MetricResult], text: _Scrubber) -> None:
    document.add_heading("Summary", level=1)
    headings = ["Goal", "Metric", "Baseline", "Target", "Latest", "Status"]
    rows = [
        [
            text(r.goal.title),
            text(r.metric.name),
            _baseline(r.metric),
            _target(r.metric),
            _latest(r),
            r.status,
        ]
        for r in results
    ]
    for later, earlier in zip(rows[1:][::-1], rows[:-1][::-1], strict=True):
        if later[0] == earlier[0]:
            later[0] = ""  # the goal once, on its first metric's row
    _table(document, headings, rows, SUMMARY_WIDTHS)


def _goal_section(
    document: Any,
    agreement: Agreement,
    goal: Goal,
    results: list[MetricResult],
    text: _Scrubber,
) -> None:
    document.add_heading(text(goal.title), level=1)
    acronyms = {p.id: p.acronym for p in agreement.parties}
    document.add_paragraph("Owners: " + ", ".join(acronyms[o] for o in goal.owners) + ".")
    if goal.description:
        document.add_paragraph(text(goal.description))
    for result in results:
        _metric_section(document, agreement, result, text)


def _metric_section(
    document: Any, agreement: Agreement, result: MetricResult, text: _Scrubber
) -> None:
    metric = result.metric
    document.add_heading(text(metric.name), level=2)
    facts = (
        f"Unit: {metric.unit}. Baseline: {_baseline(metric)}. Target: {_target(metric)}. "
        f"Reported {metric.frequency.value.replace('_', ' ')}."
    )
    document.add_paragraph(text(facts + _source(agreement, metric, text)))
    if not result.points:
        document.add_paragraph("No values recorded yet.")
    else:
        rows = [[period.text, number(value)] for period, value in result.points]
        _table(document, ["Period", "Value"], rows)
        picture = io.BytesIO(metric_chart(metric, result.points))
        document.add_picture(picture, width=_inches(WIDTH_IN))
    document.add_paragraph(f"Status: {result.status}.")
    for period, note in result.notes:
        document.add_paragraph(text(f"Note ({period}): {note}"))


def _source(agreement: Agreement, metric: Metric, text: _Scrubber) -> str:
    sharing = agreement.information_sharing
    if text.public and sharing is not None and sharing.cji_exchanged:
        return ""  # where figures come from may describe criminal justice information
    return f" Source: {metric.data_source}."


def _contacts(document: Any, agreement: Agreement, results: list[MetricResult]) -> None:
    owners = {owner for r in results for owner in r.goal.owners}
    document.add_heading("Contacts", level=1)
    rows = [
        [
            p.acronym,
            p.point_of_contact.name,
            p.point_of_contact.title,
            p.point_of_contact.phone or "",
            p.point_of_contact.email,
        ]
        for p in agreement.parties
        if p.id in owners
    ]
    _table(document, ["Party", "Name", "Title", "Phone", "E-mail"], rows)


# --------------------------------------------------------------------------- helpers


class _Scrubber:
    """Text as the report prints it: in a public report, with every person's name, phone
    and e-mail the agreement holds replaced by [withheld], wherever it was typed."""

    def __init__(self, agreement: Agreement | None) -> None:
        self.public = agreement is not None
        secrets = sorted(_personal_details(agreement), key=len, reverse=True) if agreement else []
        self._pattern = (
            re.compile("|".join(re.escape(s) for s in secrets), re.IGNORECASE) if secrets else None
        )

    def __call__(self, value: str) -> str:
        return self._pattern.sub(WITHHELD, value) if self._pattern else value


def _personal_details(agreement: Agreement) -> set[str]:
    details: set[str] = set()
    for party in agreement.parties:
        for contact in (party.point_of_contact, party.notice_addressee):
            details |= {contact.name, contact.email, *([contact.phone] if contact.phone else [])}
        details |= {s.name for s in party.signatories}
    for seat in agreement.governance.seats if agreement.governance else []:
        details |= {name for name in (seat.representative, seat.alternate) if name}
    return {d for d in details if d.strip()}


def _baseline(metric: Metric) -> str:
    if metric.baseline is not None:
        return number(metric.baseline)
    return f"due {metric.baseline_due.isoformat()}" if metric.baseline_due else "not set"


def _target(metric: Metric) -> str:
    by = f" by {metric.target_date.isoformat()}" if metric.target_date else ""
    return number(metric.target) + by


def _latest(result: MetricResult) -> str:
    if not result.points:
        return "none yet"
    period, value = result.points[-1]
    return f"{number(value)} ({period.text})"


def _table(
    document: Any, headings: list[str], rows: list[list[str]], widths: tuple[float, ...] = ()
) -> None:
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.autofit = not widths
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    for index, column in enumerate(table.columns if widths else []):
        column.width = _inches(widths[index])  # the grid LibreOffice reads
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            if widths:
                cell.width = _inches(widths[index])
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)


def _inches(value: float) -> Any:
    from docx.shared import Inches

    return Inches(value)


def _set_properties(document: Any, agreement: Agreement, public: bool) -> None:
    properties = document.core_properties
    properties.title = f"Performance report: {agreement.id}" + (" (public)" if public else "")
    properties.author = properties.last_modified_by = "mou"
    properties.comments = ""


def _deterministic_zip(document: Any) -> bytes:
    """The document's package with every part stamped with one fixed time."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()

"""Measured values of an agreement's metrics: periods, values, the measurements file.

Each agreement's measurements live in one canonical YAML file,
``measurements/<id>.yaml``, beside (not inside) the agreement, so that recording a
value never changes the agreement's revision. A period follows the metric's
reporting frequency (``2026``, ``2026-H1``, ``2026-Q3``, ``2026-07``, or an event's
date); a value is a number in the metric's unit. A value recorded again for the same
period replaces the old one only on purpose, and the old one is kept under
``replaced``, newest first.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError, model_validator

from .errors import InvalidAgreement, MouError, Problem
from .ids import AGREEMENT_ID_PATTERN, MEASUREMENTS_FOLDER
from .model import Agreement, Metric, Number, Prose, Slug, Strict
from .periods import (
    CALENDAR,
    Period,
    parse_any_period,
    parse_period,
    period_containing,
    year_start,
)
from .yamlio import Parsed, dump, read_bytes

FILE_COMMENT = "# mou measurements: one entry per metric and period (mou measure writes it)"
_PERIOD_TEXT = r"^\d{4}(-(H[12]|Q[1-4]|\d{2}|\d{2}-\d{2}))?$"
_NUMBER = re.compile(r"^\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(.*?)\s*$")
MAX_VALUE = 1e12


__all__ = [
    "MEASUREMENTS_FOLDER",
    "Period",
    "parse_any_period",
    "parse_period",
    "period_containing",
]


def measurements_path(agreement_id: str) -> str:
    """The path of an agreement's measurements file inside the workspace, as git names it."""
    return f"{MEASUREMENTS_FOLDER}/{agreement_id}.yaml"


# --------------------------------------------------------------------------- values


def parse_value(text: str, metric: Metric) -> float:
    """The number ``text`` gives in ``metric``'s unit; ValueError saying why it is none.

    A unit may follow the number ("42 incidents", "87 %"); it must be the metric's.
    """
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a number (the metric counts {metric.unit})")
    value = float(match.group(1).replace(",", ""))
    unit = match.group(2)
    if unit and not _same_unit(unit, metric.unit):
        raise ValueError(f"{text!r} is not in the metric's unit ({metric.unit})")
    problem = value_problem(value, metric)
    if problem:
        raise ValueError(f"{text!r} {problem}")
    return value


def value_problem(value: float, metric: Metric) -> str | None:
    """Why ``value`` cannot be a measurement of ``metric``, or None."""
    if abs(value) > MAX_VALUE:
        return f"is out of range (at most {MAX_VALUE:,.0f})"
    if is_percent(metric) and not 0 <= value <= 100:
        return f"is not a percentage between 0 and 100 ({metric.unit})"
    return None


def is_percent(metric: Metric) -> bool:
    """Whether the metric is measured in percent."""
    return metric.unit.lower().startswith(("percent", "%"))


def _same_unit(given: str, unit: str) -> bool:
    given, unit = given.lower(), unit.lower()
    if given in ("%", "percent"):
        return unit.startswith(("percent", "%"))
    return unit == given or unit.split()[0] == given


# --------------------------------------------------------------------------- the file


PeriodText = Annotated[str, StringConstraints(pattern=_PERIOD_TEXT)]


class Replaced(Strict):
    """A value recorded earlier for the same period and since replaced."""

    value: Number
    note: Prose | None = None


class Measurement(Strict):
    """The value of one metric in one reporting period."""

    metric: Slug
    """The id of the metric measured, as in the agreement's goals."""
    period: PeriodText
    """The reporting period, in the metric's frequency: 2026, 2026-H1, 2026-Q3, 2026-07."""
    value: Number
    note: Prose | None = None
    """What a reader of the report should know about the value."""
    replaced: list[Replaced] = Field(default_factory=list)
    """Earlier values for this period, newest first."""


class Review(Strict):
    """A periodic review held: the day, and what a reader should know about it."""

    date: dt.date
    note: Prose | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_date(cls, value: Any) -> Any:
        # Files written before notes could be given list the days alone.
        return value if isinstance(value, dict) else {"date": value}


WITHDRAWALS_MOVED = (
    "withdrawals are recorded with `mou withdraw` in lifecycle/<id>.yaml; record them there "
    "and remove this list"
)


class MeasurementLog(Strict):
    """Every measured value of one agreement's metrics, and the events deadlines follow."""

    agreement: Annotated[str, StringConstraints(pattern=AGREEMENT_ID_PATTERN)]
    measurements: list[Measurement] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    """The periodic reviews held, oldest first; the next is due a review interval after the last."""


def empty_log(agreement_id: str) -> MeasurementLog:
    """The measurements of an agreement nobody has measured yet."""
    return MeasurementLog(agreement=agreement_id)


def log_bytes(log: MeasurementLog) -> bytes:
    """The canonical file: entries ordered by metric, then period."""
    ordered = sorted(log.measurements, key=lambda m: (m.metric, m.period))
    data = log.model_copy(update={"measurements": ordered}).model_dump(
        mode="json", exclude_none=True
    )
    for entry in data["measurements"]:
        if not entry["replaced"]:
            del entry["replaced"]
    if not data["reviews"]:
        del data["reviews"]
    return dump(data, comment=FILE_COMMENT).encode("utf-8")


def read_log(raw: bytes, source: str, agreement: Agreement) -> MeasurementLog:
    """Read a measurements file and check it against ``agreement``'s metrics.

    InvalidAgreement lists every problem as ``file:line: $.path: message``.
    """
    parsed = read_bytes(raw, source)
    if isinstance(parsed.data, dict) and "withdrawals" in parsed.data:
        # Until issue 12 this list was written by hand; a notice now lives in one place.
        moved = Problem("$.withdrawals", WITHDRAWALS_MOVED)
        raise InvalidAgreement(_located([moved], parsed))
    try:
        log = MeasurementLog.model_validate(parsed.data)
    except ValidationError as err:
        problems = [_pydantic_problem(e) for e in err.errors(include_url=False)]
        raise InvalidAgreement(_located(problems, parsed)) from None
    problems = _log_problems(log, agreement)
    if problems:
        raise InvalidAgreement(_located(problems, parsed))
    return log


def _pydantic_problem(error: Any) -> Problem:
    path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
    return Problem(path, str(error["msg"]).removeprefix("Value error, "))


def _located(problems: list[Problem], parsed: Parsed) -> list[Problem]:
    return [p.located(parsed.source, parsed.line_of(p.path)) for p in problems]


def _log_problems(log: MeasurementLog, agreement: Agreement) -> list[Problem]:
    problems = []
    if log.agreement != agreement.id:
        problems.append(Problem("$.agreement", f"names {log.agreement!r}, not {agreement.id!r}"))
    metrics = metrics_by_id(agreement)
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(log.measurements):
        path = f"$.measurements[{index}]"
        problems += _entry_problems(entry, metrics.get(entry.metric), path)
        if (entry.metric, entry.period) in seen:
            problems.append(Problem(f"{path}.period", f"{entry.period} is recorded twice"))
        seen.add((entry.metric, entry.period))
    return problems


def _entry_problems(entry: Measurement, metric: Metric | None, path: str) -> list[Problem]:
    if metric is None:
        return [Problem(f"{path}.metric", f"no metric {entry.metric!r} in the agreement")]
    problems = []
    try:
        parse_period(entry.period, metric.frequency)
    except ValueError as err:
        problems.append(Problem(f"{path}.period", str(err)))
    wrong = value_problem(entry.value, metric)
    if wrong:
        problems.append(Problem(f"{path}.value", f"{entry.value:g} {wrong}"))
    return problems


def metrics_by_id(agreement: Agreement) -> dict[str, Metric]:
    """Every metric of the agreement's goals, by id."""
    return {metric.id: metric for goal in agreement.goals for metric in goal.metrics}


# --------------------------------------------------------------------------- recording


def metric_named(agreement: Agreement, metric_id: str) -> Metric:
    """The agreement's metric ``metric_id``; MouError listing the metrics if there is none."""
    metrics = metrics_by_id(agreement)
    if metric_id not in metrics:
        known = ", ".join(sorted(metrics)) or "none"
        raise MouError(f"METRIC: {agreement.id} has no metric {metric_id!r} (it has: {known})")
    return metrics[metric_id]


class FieldProblem(MouError):
    """A value typed for a measurement that cannot be recorded; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def review_from_text(log: MeasurementLog, held: str, note: str | None, today: dt.date) -> Review:
    """The review held on ``held`` (YYYY-MM-DD); FieldProblem naming "date" or "note"."""
    try:
        day = dt.date.fromisoformat(held)
    except ValueError:
        raise FieldProblem("date", f"{held!r} is not a date (YYYY-MM-DD)") from None
    if day > today:
        raise FieldProblem("date", f"{day.isoformat()} is in the future; record a review held")
    if any(review.date == day for review in log.reviews):
        raise FieldProblem("date", f"a review held on {day.isoformat()} is recorded already")
    try:
        return Review(date=day, note=note)
    except ValidationError as err:
        raise FieldProblem("note", str(err.errors()[0]["msg"])) from None


def with_review(log: MeasurementLog, review: Review) -> MeasurementLog:
    """``log`` with one more review held, the reviews kept in date order."""
    reviews = sorted([*log.reviews, review], key=lambda r: r.date)
    return log.model_copy(update={"reviews": reviews})


def measurement_from_text(
    agreement: Agreement, metric_id: str, period: str, value: str, note: str | None
) -> Measurement:
    """The measurement typed (as on the command line or in the wizard); FieldProblem naming
    the field (``metric``, ``period``, ``value`` or ``note``) that is wrong."""
    try:
        metric = metric_named(agreement, metric_id)
    except MouError as err:
        raise FieldProblem("metric", err.message.removeprefix("METRIC: ")) from None
    try:
        parse_period(period, metric.frequency)
    except ValueError as err:
        raise FieldProblem("period", str(err)) from None
    try:
        number = parse_value(value, metric)
    except ValueError as err:
        raise FieldProblem("value", str(err)) from None
    try:
        return Measurement(metric=metric.id, period=period, value=number, note=note or None)
    except ValidationError as err:
        message = str(err.errors()[0]["msg"]).removeprefix("Value error, ")
        raise FieldProblem("note", message) from None


def with_measurement(
    log: MeasurementLog, entry: Measurement, *, replace: bool = False
) -> MeasurementLog:
    """``log`` with ``entry`` recorded; MouError if its period holds a value and not ``replace``."""
    old = next((m for m in log.measurements if (m.metric, m.period) == key(entry)), None)
    if old is not None and not replace:
        raise MouError(
            f"--period: {entry.metric} already has {old.value:g} for {entry.period}; "
            "give --replace to record the new value (the old one is kept in its history)"
        )
    if old is not None:
        earlier = Replaced(value=old.value, note=old.note)
        entry = entry.model_copy(update={"replaced": [earlier, *old.replaced]})
    rest = [m for m in log.measurements if m is not old]
    return log.model_copy(update={"measurements": [*rest, entry]})


def key(entry: Measurement) -> tuple[str, str]:
    """What identifies a measurement: its metric and period."""
    return entry.metric, entry.period


def series(
    log: MeasurementLog, metric: Metric, year_starts: int = CALENDAR
) -> list[tuple[Period, float]]:
    """The metric's measured values in period order (a year being the fiscal year that
    begins in month ``year_starts``, see :func:`fiscal_year_of`)."""
    points = [
        (parse_period(m.period, metric.frequency, year_starts), m.value)
        for m in log.measurements
        if m.metric == metric.id
    ]
    return sorted(points)


# --------------------------------------------------------------------------- progress


def progress(
    metric: Metric, points: list[tuple[Period, float]], start: dt.date | None = None
) -> str:
    """ "met", "on track", "off track" or "no data" for the metric's latest value.

    The direction of improvement is from the baseline (else the first value) towards the
    target. With a target date and a start (the agreement's effective date, else the
    first period), a value is on track when it has come at least as far as a straight
    line from the baseline to the target by the end of its period; without one, when it
    is better than the baseline.
    """
    if not points:
        return "no data"
    latest_period, latest = points[-1]
    baseline = metric.baseline if metric.baseline is not None else points[0][1]
    direction = 1 if metric.target >= baseline else -1
    if (latest - metric.target) * direction >= 0:
        return "met"
    if metric.target_date is None:
        return "on track" if (latest - baseline) * direction > 0 else "off track"
    expected = _expected(metric, baseline, latest_period.end, start or points[0][0].start)
    return "on track" if (latest - expected) * direction >= 0 else "off track"


def _expected(metric: Metric, baseline: float, day: dt.date, start: dt.date) -> float:
    """Where a straight line from the baseline at ``start`` to the target stands on ``day``."""
    assert metric.target_date is not None
    if metric.target_date <= start:
        return metric.target
    share = (day - start).days / (metric.target_date - start).days
    share = min(max(share, 0.0), 1.0)
    return baseline + (metric.target - baseline) * share


def fiscal_year_of(agreement: Agreement) -> int:
    """The month the agreement's fiscal year begins in (January: the calendar year)."""
    stated = agreement.evaluation.fiscal_year_start
    return year_start(stated.value if stated is not None else None)

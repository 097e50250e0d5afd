"""What is due, worked out from an agreement's term, metrics and recorded events.

Everything here works on *facts*: the few plain fields of an agreement file that
deadlines and portfolio totals need (read by libyaml, see :func:`facts_of`), and of its
measurements file (:func:`log_facts`), so that thousands of agreements are read quickly
and the facts can be cached by the files' blob ids. The computation is a pure function of
the facts and the day it is asked on (``today``), which tests fix.

Kinds of deadline:

* ``expiration`` — the expiration date.
* ``notice`` — the last day to give notice before expiry: the renewal clause's "N days"
  when it names them, else the withdrawal notice; a host party's own notice too.
* ``review`` — the periodic review: the review interval after the last review recorded
  (``reviews:`` in the measurements file, `mou reviewed`), else after the effective date.
* ``report`` — measurements due: per reporting frequency, the first period after the
  latest value recorded (from the effective date) is due at its end.
* ``withdrawal`` — a withdrawal takes effect: the effective date `mou withdraw` recorded
  in the lifecycle record (``lifecycle/<id>.yaml``, see :func:`lifecycle_facts`).
* ``certification`` — where forfeiture is shared: the annual equitable-sharing agreement
  and certification, due 60 days after the fiscal year ends (the year the agreement's
  ``evaluation.fiscal_year_start`` begins, else the calendar year).
* ``termination`` — a termination recorded ahead (``terminated`` in the lifecycle
  record, `mou terminate`): the agreement ends that day, so no expiry, no notice before
  it and nothing later is listed; once the day has come, nothing is listed at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .coreyaml import load_piece, plain_data
from .periods import CALENDAR, FREQUENCIES, parse_period, period_containing, year_start
from .yamlchunks import top_level

DUE_KEYS = ("id", "title", "type", "status", "parties", "goals", "term", "forfeiture",
            "evaluation")  # fmt: skip
# What totals need besides: `mou due` neither reads nor caches these (a third of the work).
HOLDING_KEYS = ("resources", "personnel")
FACT_KEYS = DUE_KEYS + HOLDING_KEYS
CLOSED = ("expired", "terminated")
TERM_KEYS = (
    "effective_date", "expiration_date", "review_interval_months", "withdrawal_notice_days",
    "host_party", "host_withdrawal_notice_days",
)  # fmt: skip
RESOURCE_KEYS = ("provider", "category", "unit", "quantity", "estimated_value")
PERSONNEL_KEYS = ("party", "count", "full_time")
_DAYS = re.compile(r"(\d{1,4})\s+days")
CERTIFICATION_DAYS = 60
_NEXT_PERIOD_DAYS = 1


@dataclass(frozen=True, order=True)
class Deadline:
    """One date something is due, with what, for which agreement and which party."""

    date: dt.date
    id: str
    kind: str
    title: str
    party: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The ``mou due --json`` shape."""
        return {
            "id": self.id,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "title": self.title,
            "party": self.party,
        }


# --------------------------------------------------------------------------- facts


def facts_of(raw: bytes, *, holdings: bool = True) -> dict[str, Any] | None:
    """The fields deadlines (and totals, with ``holdings``) need from an agreement file,
    or None if unreadable.

    Only the top-level pieces holding them are parsed (a canonical file); any other file
    is parsed whole.
    """
    keys = FACT_KEYS if holdings else DUE_KEYS
    text = raw.decode("utf-8", "replace")
    pieces = top_level(text)
    data: dict[str, Any] | None = {}
    for key, piece in pieces or []:
        if key in keys:
            loaded = load_piece(piece)
            if loaded is None:
                data = None
                break
            data.update(loaded)  # type: ignore[union-attr]
    if pieces is None or data is None:
        data = plain_data(raw)
    return facts_from_data(data, holdings=holdings) if data is not None else None


def facts_from_data(data: dict[str, Any], *, holdings: bool = True) -> dict[str, Any]:
    """The facts of an agreement's data: only what deadlines (and totals) use."""
    parties = [p for p in data.get("parties") or [] if isinstance(p, dict)]
    metrics = [m for g in data.get("goals") or [] for m in (g or {}).get("metrics") or []]
    forfeiture = data.get("forfeiture")
    term = data.get("term") if isinstance(data.get("term"), dict) else {}
    evaluation = data.get("evaluation") if isinstance(data.get("evaluation"), dict) else {}
    named = _DAYS.search(str(term.get("renewal") or ""))  # type: ignore[union-attr]
    return {
        "id": data.get("id"),
        "title": data.get("title"),
        "type": data.get("type"),
        "status": data.get("status", "draft"),
        "parties": {str(p.get("id")): str(p.get("acronym")) for p in parties},
        "term": {key: term.get(key) for key in TERM_KEYS},  # type: ignore[union-attr]
        "renewal_days": int(named.group(1)) if named else None,
        "metrics": [[m.get("id"), m.get("frequency")] for m in metrics if isinstance(m, dict)],
        "fiscal_agent": forfeiture.get("fiscal_agent") if isinstance(forfeiture, dict) else None,
        "forfeiture": isinstance(forfeiture, dict),
        "year_starts": year_start(evaluation.get("fiscal_year_start")),  # type: ignore[union-attr]
        **(holdings_from_data(data) if holdings else {}),
    }


def holdings_from_data(data: dict[str, Any]) -> dict[str, Any]:
    """The resources and personnel facts totals use."""
    return {
        "resources": _rows(data.get("resources"), RESOURCE_KEYS),
        "personnel": _rows(data.get("personnel"), PERSONNEL_KEYS),
    }


def _rows(items: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Only the fields totals need of each list item (the cache stays small)."""
    return [{k: item.get(k) for k in keys} for item in items or [] if isinstance(item, dict)]


def log_facts(raw: bytes | None) -> dict[str, Any]:
    """The latest period per metric and the reviews held, from a measurements file."""
    data = plain_data(raw) if raw else None
    if data is None:
        return {"latest": {}, "reviews": []}
    latest: dict[str, str] = {}
    for entry in data.get("measurements") or []:
        metric, period = str(entry.get("metric")), str(entry.get("period"))
        latest[metric] = max(latest.get(metric, period), period)  # same form: text order
    reviews = [r.get("date") if isinstance(r, dict) else r for r in data.get("reviews") or []]
    return {"latest": latest, "reviews": [str(r) for r in reviews]}


def lifecycle_facts(raw: bytes | None) -> dict[str, Any]:
    """The withdrawals ``[party, notice date, effective date]`` of a lifecycle record, and
    the day the agreement was terminated (`mou terminate`), if it was."""
    data = plain_data(raw) if raw else None
    items = data.get("withdrawals") if data is not None else None
    withdrawals = [
        [str(w.get("party")), str(w.get("notice_date")), str(w.get("effective_date"))]
        for w in items or []
        if isinstance(w, dict)
    ]
    terminated = data.get("terminated") if data is not None else None
    return {"withdrawals": withdrawals, "terminated": str(terminated) if terminated else None}


# --------------------------------------------------------------------------- deadlines


def deadlines(facts: dict[str, Any], log: dict[str, Any], today: dt.date) -> list[Deadline]:
    """Every deadline of one agreement still to come (and reviews and reports overdue)."""
    terminated = _date(log.get("terminated"))
    if facts.get("status") in CLOSED or not facts.get("id"):
        return []
    if terminated is not None and terminated <= today:
        return []  # ended: nothing more is due, not even what was overdue
    ends = _end(facts, terminated)
    found = (
        (_termination(facts, terminated) if terminated else _term_deadlines(facts))
        + _review(facts, log, ends)
        + _reports(facts, log, ends)
        + _withdrawals(facts, log, ends)
        + _certification(facts, today, ends)
    )
    return sorted(
        (d for d in found if d.date >= today or d.kind in ("review", "report")), key=sort_key
    )


def _end(facts: dict[str, Any], terminated: dt.date | None) -> dt.date | None:
    """The agreement's last day: the termination recorded, else the expiration date."""
    expires = _date(facts["term"].get("expiration_date"))
    return min(d for d in (expires, terminated) if d) if expires or terminated else None


def _termination(facts: dict[str, Any], day: dt.date) -> list[Deadline]:
    """A termination recorded ahead: the agreement ends then, and notice before an
    expiry it will not reach is no longer due."""
    return [Deadline(day, facts["id"], "termination", "Agreement terminates")]


def sort_key(deadline: Deadline) -> tuple[dt.date, str, str, str]:
    """Soonest first, then by agreement, kind and title (a tuple sorts faster than the class)."""
    return deadline.date, deadline.id, deadline.kind, deadline.title


def _term_deadlines(facts: dict[str, Any]) -> list[Deadline]:
    term, agreement_id = facts["term"], facts["id"]
    expires = _date(term.get("expiration_date"))
    if expires is None:
        return []
    found = [Deadline(expires, agreement_id, "expiration", "Agreement expires")]
    days = _int(facts.get("renewal_days")) or _int(term.get("withdrawal_notice_days"))
    if days:
        title = f"Last day to give notice before expiry ({days} days)"
        found.append(Deadline(expires - dt.timedelta(days), agreement_id, "notice", title))
    host, host_days = term.get("host_party"), _int(term.get("host_withdrawal_notice_days"))
    if host and host_days:
        title = f"Last day for the host agency to give notice before expiry ({host_days} days)"
        when = expires - dt.timedelta(host_days)
        found.append(Deadline(when, agreement_id, "notice", title, _acronym(facts, host)))
    return found


def _review(facts: dict[str, Any], log: dict[str, Any], ends: dt.date | None) -> list[Deadline]:
    term = facts["term"]
    reviews = [d for d in (_date(r) for r in log["reviews"]) if d is not None]
    base = max(reviews) if reviews else _date(term.get("effective_date"))
    months = _int(term.get("review_interval_months"))
    if base is None or not months:
        return []
    due = add_months(base, months)
    if ends is not None and due > ends:
        return []
    title = f"Periodic review due (every {months} months)"
    return [Deadline(due, facts["id"], "review", title)]


def _reports(facts: dict[str, Any], log: dict[str, Any], ends: dt.date | None) -> list[Deadline]:
    start = _date(facts["term"].get("effective_date"))
    if start is None:
        return []
    year = facts.get("year_starts", CALENDAR)
    due: dict[str, list[str]] = {}
    for metric, frequency in facts["metrics"]:
        period = _next_period(frequency, log["latest"].get(metric), start, year)
        if period is not None:
            due.setdefault(period, []).append(metric)
    found = []
    for (text, frequency), metrics in _by_period(facts, due).items():
        end = parse_period(text, frequency, year).end
        if ends is None or end <= ends:
            title = f"Measurements due for {text} ({len(metrics)} metric(s))"
            found.append(Deadline(end, facts["id"], "report", title))
    return found


def _by_period(
    facts: dict[str, Any], due: dict[str, list[str]]
) -> dict[tuple[str, str], list[str]]:
    frequencies = {metric: frequency for metric, frequency in facts["metrics"]}
    return {(text, frequencies[metrics[0]]): metrics for text, metrics in due.items()}


def _next_period(frequency: Any, latest: str | None, start: dt.date, year: int) -> str | None:
    """The first period without a value: after the latest recorded, else the first of the
    term (a year being the fiscal year that begins in month ``year``)."""
    if frequency not in FREQUENCIES or frequency == "per_event":
        return None
    kind = str(frequency)
    if latest is None:
        return period_containing(start, kind, year).text
    try:
        after = parse_period(latest, kind, year).end + dt.timedelta(_NEXT_PERIOD_DAYS)
    except ValueError:
        return None
    return period_containing(after, kind, year).text


def _withdrawals(
    facts: dict[str, Any], log: dict[str, Any], ends: dt.date | None
) -> list[Deadline]:
    found = []
    for party, notice, effective in log.get("withdrawals", []):
        when = _date(effective)
        if when is None or (ends is not None and when > ends):
            continue
        acronym = _acronym(facts, party)
        title = f"Withdrawal of {acronym} takes effect (notice given {notice})"
        found.append(Deadline(when, facts["id"], "withdrawal", title, acronym))
    return found


def _certification(facts: dict[str, Any], today: dt.date, ends: dt.date | None) -> list[Deadline]:
    if not facts["forfeiture"]:
        return []
    year = facts.get("year_starts", CALENDAR)
    # The first fiscal year whose certification is not yet past due (they end about a
    # year apart, so one of the years ending in last, this or next calendar year).
    fiscal, ended = next(
        (named, end)
        for named in (today.year - 1, today.year, today.year + 1)
        if (end := parse_period(str(named), "annual", year).end) + dt.timedelta(CERTIFICATION_DAYS)
        >= today
    )
    if ends is not None and ended > ends:
        return []
    fiscal_year = "fiscal year " if year != CALENDAR else ""
    title = f"Equitable sharing agreement and certification for {fiscal_year}{fiscal}"
    due = ended + dt.timedelta(CERTIFICATION_DAYS)
    agent = facts.get("fiscal_agent")
    return [
        Deadline(
            due, facts["id"], "certification", title, _acronym(facts, agent) if agent else None
        )
    ]


# --------------------------------------------------------------------------- helpers


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _acronym(facts: dict[str, Any], party: str) -> str:
    return facts["parties"].get(party, party)


# --------------------------------------------------------------------------- calendar


def to_ics(found: list[Deadline], today: dt.date) -> bytes:
    """An iCalendar file with one all-day event per deadline (Outlook, Google Calendar).

    Event ids derive from the agreement, kind, date and title, so importing a newer file
    updates the events instead of doubling them; the stamp is ``today``, not the clock.
    """
    import icalendar

    calendar_ = icalendar.Calendar()
    calendar_.add("prodid", "-//mou//deadlines//EN")
    calendar_.add("version", "2.0")
    stamp = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    for deadline in found:
        calendar_.add_component(_event(icalendar, deadline, stamp))
    return bytes(calendar_.to_ical())


def _event(icalendar: Any, deadline: Deadline, stamp: dt.datetime) -> Any:
    event = icalendar.Event()
    slug = re.sub(r"[^a-z0-9]+", "-", deadline.title.lower()).strip("-")[:60]
    event.add("uid", f"{deadline.id}-{deadline.kind}-{deadline.date.isoformat()}-{slug}@mou")
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.date)
    event.add("dtend", deadline.date + dt.timedelta(1))
    party = f" ({deadline.party})" if deadline.party else ""
    event.add("summary", f"{deadline.title}{party}: {deadline.id}")
    event.add("categories", [deadline.kind])
    return event

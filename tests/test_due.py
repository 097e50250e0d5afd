"""Deadlines: `mou due` on a real workspace with a fixed day, its JSON and its calendar."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import vobject

from mou.commands.portfolio import deadlines_json
from mou.deadlines import Deadline, add_months, deadlines, facts_of, log_facts
from mou.document.ooxml import document_text
from mou.document.render import render_docx
from mou.lifecycle import Record, Withdrawal, dump, lifecycle_path
from mou.periods import parse_period, period_containing, year_start
from mou.store.factscan import scan_facts
from mou.validate import load_file
from tests.support.runner import ROOT, run_mou, snapshot
from tests.support.workspaces import git, head, make_workspace

AUTHOR = "Jane Roe <jane.roe@agency.gov>"
EXCHANGE = "western-franklin-records-exchange"
TASK_FORCE = "bellwater-regional-violent-crime-task-force"
TODAY = "2027-06-01"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The records exchange (a host party, a 180-day renewal notice) and the task force
    (forfeiture shared, 60-day notice), with a review and a withdrawal recorded."""
    ws = make_workspace(tmp_path_factory.mktemp("due"))
    for agreement_id in (EXCHANGE, TASK_FORCE):
        shutil.copy(ROOT / "agreements" / f"{agreement_id}.yaml", ws / "agreements")
        path = f"agreements/{agreement_id}.yaml"
        assert run_mou("save", path, "-m", "Add", "--author", AUTHOR, cwd=ws).returncode == 0
    (ws / "measurements").mkdir()
    (ws / "measurements" / f"{EXCHANGE}.yaml").write_text(
        f"agreement: {EXCHANGE}\nmeasurements: []\nreviews:\n  - 2027-02-15\n"
    )
    # The lifecycle record as `mou withdraw` writes it (its own writer; signing the
    # exchange first would tie the test to today's date).
    notice = Withdrawal("port-kestrel", dt.date(2027, 5, 1), dt.date(2027, 10, 28))
    (ws / "lifecycle").mkdir()
    (ws / lifecycle_path(EXCHANGE)).write_bytes(dump(Record(EXCHANGE, withdrawals=(notice,))))
    git(ws, "add", "measurements", "lifecycle")
    git(ws, "commit", "-q", "-m", "Review held; PKPD gave notice")
    return ws


def due(root: Path, *args: str) -> list[dict[str, str]]:
    result = run_mou("due", "--today", TODAY, "--json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_expiry_notice_review_withdrawal_and_certification_fall_on_the_right_days(
    root: Path,
) -> None:
    found = {(d["id"], d["kind"], d["date"], d["party"]) for d in due(root)}
    expected = {
        (EXCHANGE, "expiration", "2031-02-28", None),
        (EXCHANGE, "notice", "2030-09-01", None),  # "at least 180 days before the end"
        (EXCHANGE, "notice", "2030-02-28", "BCSO"),  # the host's own 365 days
        (EXCHANGE, "review", "2028-02-15", None),  # 12 months after the review recorded
        (EXCHANGE, "withdrawal", "2027-10-28", "PKPD"),  # notice + 180 days
        (TASK_FORCE, "expiration", "2031-12-31", None),
        (TASK_FORCE, "notice", "2031-11-01", None),  # 60 days' withdrawal notice
        (TASK_FORCE, "review", "2028-01-01", None),  # 12 months after taking effect
        (TASK_FORCE, "certification", "2028-02-29", "BCSO"),  # fiscal agent, 60 days after FY
    }
    assert expected <= found
    reports = sorted(d["date"] for d in due(root) if d["kind"] == "report")
    assert reports[0] == "2026-03-31"  # nothing measured since the exchange began: overdue


def test_within_keeps_the_next_days_and_the_overdue(root: Path) -> None:
    found = due(root, "--within", "150")
    assert found == sorted(found, key=lambda d: d["date"])
    assert all(d["date"] <= "2027-10-29" for d in found)
    assert ("withdrawal", "2027-10-28") in {(d["kind"], d["date"]) for d in found}
    assert all(d["kind"] in ("report", "review") for d in found if d["date"] < TODAY)
    assert set(found[0]) == {"id", "kind", "date", "title", "party"}


def test_the_calendar_has_one_event_per_deadline_read_by_another_library(
    root: Path, tmp_path: Path
) -> None:
    target = tmp_path / "due.ics"
    listed = due(root, "--ics", str(target))
    calendar = vobject.readOne(target.read_text())
    events = calendar.contents["vevent"]
    assert len(events) == len(listed)
    days = sorted((e.dtstart.value.isoformat(), e.summary.value) for e in events)
    assert days[0][0] == listed[0]["date"]
    expires = [e for e in events if e.summary.value == f"Agreement expires: {EXCHANGE}"]
    assert [e.dtstart.value for e in expires] == [dt.date(2031, 2, 28)]
    assert len({e.uid.value for e in events}) == len(events)


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--today", "June"], "--today: 'June' is not a date"),
        (["--ics", "out.txt"], "--ics out.txt: the calendar file must end in .ics"),
        (["--within", "-3"], "mou due: Invalid value for '--within'"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    root: Path, args: list[str], start: str
) -> None:
    files, tip = snapshot(root), head(root)
    result = run_mou("due", *args, cwd=root)
    err = result.stderr.decode()
    assert result.returncode != 0 and err.startswith(start) and err.count("\n") == 1, err
    assert (snapshot(root), head(root)) == (files, tip)


def test_closed_agreements_have_no_deadlines_and_months_end_well() -> None:
    raw = (ROOT / "agreements" / f"{TASK_FORCE}.yaml").read_bytes()
    facts = facts_of(raw)
    assert facts is not None and facts["parties"]["bellwater-county"] == "BCSO"
    assert deadlines(facts, log_facts(None), dt.date(2027, 6, 1))
    closed = {**facts, "status": "terminated"}
    assert deadlines(closed, log_facts(None), dt.date(2027, 6, 1)) == []
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


@pytest.mark.parametrize("example", sorted((ROOT / "agreements").glob("*.yaml")), ids=str)
@pytest.mark.parametrize("holdings", [True, False], ids=["with-resources", "for-due"])
def test_the_line_scanner_reads_the_same_facts_as_libyaml(example: Path, holdings: bool) -> None:
    raw = example.read_bytes()
    assert scan_facts(raw, holdings=holdings) == facts_of(raw, holdings=holdings)
    assert ("resources" in facts_of(raw, holdings=holdings)) is holdings  # type: ignore[operator]


@pytest.mark.parametrize(
    "change",
    [
        ("  withdrawal_notice_days: 60\n", "  withdrawal_notice_days: 60\n    more\n"),
        ("  withdrawal_notice_days: 60\n", '  withdrawal_notice_days: "60\n  "\n'),
        ("term:\n", "term: &t\n"),
        (
            "  withdrawal_notice_days: 60\n",
            "  withdrawal_notice_days: 60\n  withdrawal_notice_days: 9\n",
        ),
        ("    acronym: FBI\n", "    acronym: FBI\n    acronym: F\n"),
        ("        frequency: annual\n", "        frequency: |-\n          annual\n"),
        ("\nparties:\n", "\nparties:\n - id: x\n"),
    ],
)
def test_the_line_scanner_leaves_any_file_it_is_unsure_of_to_libyaml(
    change: tuple[str, str],
) -> None:
    raw = (ROOT / "agreements" / f"{TASK_FORCE}.yaml").read_text()
    assert change[0] in raw
    assert scan_facts(raw.replace(change[0], change[1], 1).encode()) is None


def test_the_json_writer_writes_what_json_dumps_writes() -> None:
    found = [
        Deadline(dt.date(2027, 1, 2), "a-b", "notice", 'Say "é" \\ \t\u2028 ✓', 'Ñ"A'),
        Deadline(dt.date(2027, 1, 3), "c-d", "review", "Periodic review", None),
    ]
    expected = json.dumps([d.as_json() for d in found], indent=2, ensure_ascii=False)
    assert deadlines_json(found) == expected
    assert deadlines_json([]) == json.dumps([], indent=2) == "[]"


@pytest.fixture(scope="module")
def federal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The task force with the federal fiscal year stated (October 1 to September 30)."""
    ws = make_workspace(tmp_path_factory.mktemp("due-fiscal"))
    text = (ROOT / "agreements" / f"{TASK_FORCE}.yaml").read_text()
    stated = "  review_interval_months: 12\n  fiscal_year_start: october\n  surveys:"
    text = text.replace("  review_interval_months: 12\n  surveys:", stated, 1)
    assert "fiscal_year_start: october" in text
    (ws / "agreements" / f"{TASK_FORCE}.yaml").write_text(text)
    saved = run_mou("save", f"agreements/{TASK_FORCE}.yaml", "-m", "FY", "--author", AUTHOR, cwd=ws)
    assert saved.returncode == 0, saved.stderr  # the model and schema take the new field
    return ws


def test_a_stated_fiscal_year_moves_the_certification_and_the_yearly_reports(
    federal: Path,
) -> None:
    found = due(federal)
    certification = [d for d in found if d["kind"] == "certification"]
    # FY 2027 ends 2027-09-30; the certification is due 60 days later (not 2028-02-29).
    assert [(d["date"], d["party"]) for d in certification] == [("2027-11-29", "BCSO")]
    assert certification[0]["title"].endswith("for fiscal year 2027")
    # Yearly metrics: the first year of the term is FY 2027, ending 2027-09-30.
    reports = {d["title"]: d["date"] for d in found if d["kind"] == "report"}
    assert reports["Measurements due for 2027 (5 metric(s))"] == "2027-09-30"
    assert "2027-12-31" not in {d["date"] for d in found if "due for 2027 " in d["title"]}


def test_the_fiscal_year_clause_is_printed_and_the_scanner_reads_the_month(
    federal: Path,
) -> None:
    raw = (federal / "agreements" / f"{TASK_FORCE}.yaml").read_bytes()
    assert scan_facts(raw) == facts_of(raw) and facts_of(raw)["year_starts"] == 10  # type: ignore[index]
    text = document_text(render_docx(load_file(federal / "agreements" / f"{TASK_FORCE}.yaml"),
                                     "0" * 40, False))  # fmt: skip
    assert "The fiscal year runs from October 1 to the end of September" in text
    calendar = document_text(render_docx(load_file(ROOT / "agreements" / f"{TASK_FORCE}.yaml"),
                                         "0" * 40, False))  # fmt: skip
    assert "fiscal year runs" not in calendar  # no clause when none is stated


def test_a_fiscal_year_start_that_is_no_month_is_refused_in_one_line(federal: Path) -> None:
    path = federal / "agreements" / f"{TASK_FORCE}.yaml"
    bad = path.read_text().replace("fiscal_year_start: october", "fiscal_year_start: Oct 1")
    target = federal / "bad.yaml"
    target.write_text(bad)
    result = run_mou("validate", str(target), cwd=federal)
    err = (result.stdout + result.stderr).decode()
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "fiscal_year_start" in text)
    assert result.returncode != 0
    assert f"bad.yaml:{line}: $.evaluation.fiscal_year_start:" in err, err
    target.unlink()


def test_a_termination_recorded_closes_the_agreements_deadlines(federal: Path) -> None:
    record = Record(TASK_FORCE, terminated=dt.date(2027, 9, 30))
    (federal / "lifecycle").mkdir(exist_ok=True)
    (federal / lifecycle_path(TASK_FORCE)).write_bytes(dump(record))
    git(federal, "add", "lifecycle")
    git(federal, "commit", "-q", "-m", "Terminated as of 2027-09-30")
    try:
        ahead = due(federal)  # today 2027-06-01: the termination lies ahead
        kinds = {d["kind"] for d in ahead}
        assert ("termination", "2027-09-30") in {(d["kind"], d["date"]) for d in ahead}
        assert not kinds & {"expiration", "notice"}
        # FY 2027 ends with the agreement: its certification is still due, 60 days on.
        later = {(d["kind"], d["date"]) for d in ahead if d["date"] > "2027-09-30"}
        assert later == {("certification", "2027-11-29")}
        reviews = [d for d in ahead if d["kind"] == "review"]
        assert reviews == []  # 2028-01-01 falls after the agreement's end
        after = run_mou("due", "--today", "2027-10-01", "--json", cwd=federal)
        assert json.loads(after.stdout) == []  # ended: not even overdue reports are listed
    finally:
        git(federal, "rm", "-q", "-r", "lifecycle")
        git(federal, "commit", "-q", "-m", "Undo")


def test_a_fiscal_year_is_named_by_the_year_it_ends_in() -> None:
    federal = parse_period("2027", "annual", 10)
    assert (federal.start, federal.end) == (dt.date(2026, 10, 1), dt.date(2027, 9, 30))
    assert period_containing(dt.date(2026, 10, 1), "annual", 10).text == "2027"
    assert period_containing(dt.date(2026, 9, 30), "annual", 10).text == "2026"
    state = parse_period("2027", "annual", year_start("july"))
    assert (state.start, state.end) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert parse_period("2027-Q1", "quarterly", 10).start == dt.date(2027, 1, 1)  # calendar
    assert year_start(None) == year_start("Oct") == 1

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
from mou.lifecycle import Record, Withdrawal, dump, lifecycle_path
from mou.store.factscan import scan_facts
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

"""Measurements: `mou measure` and `mou measurements` on real workspaces, and their rules."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mou.measures import parse_period, parse_value, period_containing, progress
from mou.model import Frequency, Metric
from tests.support.runner import ROOT, run_mou, snapshot
from tests.support.workspaces import changed_paths, git, head, make_workspace

AUTHOR = "Jane Roe <jane.roe@agency.gov>"
ID = "port-kestrel-violence-reduction-partnership"
FILE = f"measurements/{ID}.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A workspace holding the violence-reduction example, committed with mou save."""
    ws = make_workspace(tmp_path)
    shutil.copy(ROOT / "agreements" / f"{ID}.yaml", ws / "agreements")
    saved = run_mou("save", f"agreements/{ID}.yaml", "-m", "Add", "--author", AUTHOR, cwd=ws)
    assert saved.returncode == 0, saved.stderr
    return ws


def measure(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run_mou("measure", ID, *args, "--author", AUTHOR, cwd=root)


def revision(root: Path) -> str:
    out = run_mou("log", ID, "--json", cwd=root)
    return json.loads(out.stdout)[0]["sha"]


def test_a_recording_is_one_commit_of_the_measurements_file_only(root: Path) -> None:
    before = revision(root)
    done = measure(root, "group-shootings", "--period", "2027-Q1", "--value", "19")
    assert done.returncode == 0, done.stderr
    assert changed_paths(root, head(root)) == [FILE]
    assert revision(root) == before  # the agreement's own revision did not move
    author = git(root, "log", "-1", "--format=%an <%ae>").strip()
    assert author == AUTHOR
    assert (root / FILE).read_text().splitlines()[1:] == [
        f"agreement: {ID}",
        "measurements:",
        "  - metric: group-shootings",
        "    period: 2027-Q1",
        "    value: 19",
    ]
    assert git(root, "status", "--porcelain") == ""


def test_entries_are_ordered_by_metric_then_period_whatever_the_order_recorded(root: Path) -> None:
    for metric, period in (
        ("homicides", "2027-Q2"),
        ("group-shootings", "2027-Q2"),
        ("homicides", "2027-Q1"),
    ):
        assert measure(root, metric, "--period", period, "--value", "4").returncode == 0
    rows = json.loads(run_mou("measurements", ID, "--json", cwd=root).stdout)
    order = [(r["metric"], r["period"]) for r in rows]
    assert order == [
        ("group-shootings", "2027-Q2"),
        ("homicides", "2027-Q1"),
        ("homicides", "2027-Q2"),
    ]
    assert len(git(root, "log", "--format=%H", "--", FILE).split()) == 3


def test_a_period_recorded_twice_needs_replace_and_the_history_keeps_both(root: Path) -> None:
    assert measure(root, "homicides", "--period", "2027-Q1", "--value", "5").returncode == 0
    tip, files = head(root), snapshot(root)
    again = measure(root, "homicides", "--period", "2027-Q1", "--value", "6")
    assert again.returncode == 1
    assert again.stderr.decode().count("\n") == 1
    assert "--period:" in again.stderr.decode() and "--replace" in again.stderr.decode()
    assert (head(root), snapshot(root)) == (tip, files)

    replaced = measure(root, "homicides", "--period", "2027-Q1", "--value", "6", "--note", "late")
    assert replaced.returncode == 1  # still needs --replace
    done = measure(root, "homicides", "--period", "2027-Q1", "--value", "6", "--replace")
    assert done.returncode == 0, done.stderr
    rows = json.loads(run_mou("measurements", ID, "--json", cwd=root).stdout)
    assert rows == [
        {
            "metric": "homicides",
            "period": "2027-Q1",
            "value": 6,
            "note": None,
            "replaced": [{"value": 5, "note": None}],
        }
    ]
    listed = run_mou("measurements", ID, cwd=root).stdout.decode()
    assert "homicides  2027-Q1  6  (replaced: 5)" in listed
    old = git(root, "show", f"{tip}:{FILE}")
    assert "value: 5" in old  # and git holds the file as it was
    messages = git(root, "log", "--format=%s", "--", FILE).splitlines()
    assert messages == ["Replace homicides for 2027-Q1: 6", "Record homicides for 2027-Q1: 5"]


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["no-such-metric", "--period", "2027", "--value", "1"], "METRIC: "),
        (
            ["group-shootings", "--period", "2027", "--value", "1"],
            "--period: '2027' is not a quarterly",
        ),
        (["group-shootings", "--period", "2027-Q5", "--value", "1"], "--period: "),
        (["feel-safe", "--period", "2027-Q1", "--value", "1"], "--period: '2027-Q1' is not an"),
        (["six-month-retention", "--period", "2027-H3", "--value", "1"], "--period: "),
        (["group-shootings", "--period", "1850-Q1", "--value", "1"], "--period: "),
        (
            ["group-shootings", "--period", "2027-Q1", "--value", "many"],
            "--value: 'many' is not a number",
        ),
        (
            ["group-shootings", "--period", "2027-Q1", "--value", "3 hours"],
            "--value: '3 hours' is not in",
        ),
        (["group-shootings", "--period", "2027-Q1", "--value", "nan"], "--value: "),
        (["group-shootings", "--period", "2027-Q1", "--value", "1e400"], "--value: "),
        (
            ["feel-safe", "--period", "2027", "--value", "140 %"],
            "--value: '140 %' is not a percentage",
        ),
        (["feel-safe", "--period", "2027", "--value", "40", "--note", "a\x1bb"], "--note: "),
        (["feel-safe", "--period", "2027", "--value", "40", "--note", "x\u202ey"], "--note: "),
    ],
)
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    root: Path, args: list[str], start: str
) -> None:
    tip, files = head(root), snapshot(root)
    result = measure(root, *args)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert err.startswith(start) and err.count("\n") == 1, err
    assert (head(root), snapshot(root)) == (tip, files)


def test_an_unknown_agreement_or_author_is_refused_in_one_line(root: Path) -> None:
    tip = head(root)
    unknown = run_mou(
        "measure",
        "no-such-mou",
        "homicides",
        "--period",
        "2027-Q1",
        "--value",
        "1",
        "--author",
        AUTHOR,
        cwd=root,
    )
    assert unknown.returncode == 1 and "no agreement 'no-such-mou'" in unknown.stderr.decode()
    nameless = run_mou(
        "measure",
        ID,
        "homicides",
        "--period",
        "2027-Q1",
        "--value",
        "1",
        "--author",
        "nobody",
        cwd=root,
    )
    assert nameless.returncode == 2 and nameless.stderr.decode().startswith("--author")
    assert head(root) == tip


def test_a_broken_measurements_file_committed_by_hand_is_named_with_its_line(root: Path) -> None:
    (root / "measurements").mkdir()
    (root / FILE).write_text(
        f"agreement: {ID}\nmeasurements:\n  - metric: homicides\n    period: 2027-Q1\n"
        "    value: 4\n  - metric: homicides\n    period: '2027'\n    value: 4\n"
    )
    git(root, "add", FILE)
    git(root, "commit", "-q", "-m", "by hand")
    listed = run_mou("measurements", ID, cwd=root)
    assert listed.returncode == 1
    assert listed.stderr.decode().startswith(f"{FILE}@")
    assert (
        ":7: $.measurements[1].period: '2027' is not a quarterly period" in listed.stderr.decode()
    )
    tip = head(root)
    refused = measure(root, "homicides", "--period", "2027-Q2", "--value", "3")
    assert refused.returncode == 1 and head(root) == tip


def test_periods_follow_the_frequency() -> None:
    q3 = parse_period("2026-Q3", Frequency.quarterly)
    assert (q3.start, q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    h1 = parse_period("2028-H1", Frequency.semiannual)
    assert (h1.start, h1.end) == (dt.date(2028, 1, 1), dt.date(2028, 6, 30))
    feb = parse_period("2028-02", Frequency.monthly)
    assert feb.end == dt.date(2028, 2, 29)
    assert parse_period("2026-07-14", Frequency.per_event).start == dt.date(2026, 7, 14)
    for text, frequency in (
        ("2026-13", Frequency.monthly),
        ("2026-02-30", Frequency.per_event),
        ("2026-Q1", Frequency.annual),
        ("26", Frequency.annual),
    ):
        with pytest.raises(ValueError):
            parse_period(text, frequency)
    assert period_containing(dt.date(2026, 8, 2), Frequency.quarterly).text == "2026-Q3"


def metric(**changes: object) -> Metric:
    data = {
        "id": "m",
        "name": "Shootings",
        "unit": "shootings per year",
        "baseline": 100,
        "target": 60,
        "target_date": "2030-12-31",
        "frequency": "annual",
        "data_source": "RMS",
        **changes,
    }
    return Metric.model_validate(data)


def test_values_take_the_metrics_unit() -> None:
    assert parse_value("1,234.5", metric()) == 1234.5
    assert parse_value("12 shootings", metric()) == 12
    assert parse_value("87 %", metric(unit="percent of cases")) == 87
    with pytest.raises(ValueError):
        parse_value("1,23", metric())


def test_progress_compares_the_latest_value_with_the_line_to_the_target() -> None:
    years = [parse_period(str(y), Frequency.annual) for y in (2027, 2028, 2029)]
    start = dt.date(2027, 1, 1)
    # 4 years from 100 to 60: by the end of 2028 the line stands at 80.
    assert progress(metric(), list(zip(years[:2], [95, 79], strict=True)), start) == "on track"
    assert progress(metric(), list(zip(years[:2], [95, 85], strict=True)), start) == "off track"
    assert progress(metric(), [(years[0], 58)], start) == "met"
    assert progress(metric(), [], start) == "no data"
    rising = metric(baseline=40, target=90, target_date=None)
    assert progress(rising, [(years[0], 45)]) == "on track"
    assert progress(rising, [(years[0], 38)]) == "off track"


def test_a_withdrawal_written_in_the_measurements_file_points_to_mou_withdraw(root: Path) -> None:
    (root / "measurements").mkdir()
    (root / FILE).write_text(
        f"agreement: {ID}\nmeasurements: []\nwithdrawals:\n  - party: pkpd\n"
        "    notice_date: 2027-05-01\n"
    )
    git(root, "add", FILE)
    git(root, "commit", "-q", "-m", "by hand, as before issue 12")
    listed = run_mou("measurements", ID, cwd=root)
    lines = listed.stderr.decode().strip().splitlines()
    assert listed.returncode == 1 and len(lines) == 1
    assert ":3: $.withdrawals: withdrawals are recorded with `mou withdraw`" in lines[0]


def reviewed(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run_mou("reviewed", *args, "--author", AUTHOR, cwd=root)


def review_due(root: Path) -> list[str]:
    out = run_mou("due", "--today", "2027-06-01", "--json", cwd=root)
    return [d["date"] for d in json.loads(out.stdout) if d["kind"] == "review"]


def test_a_review_held_is_one_commit_and_the_next_is_due_an_interval_after_it(root: Path) -> None:
    assert review_due(root) == ["2028-01-01"]  # 12 months after taking effect
    before = revision(root)
    done = reviewed(root, ID, "--date", "2026-11-20", "--note", "Targets kept")
    assert done.returncode == 0, done.stderr
    assert changed_paths(root, head(root)) == [FILE]
    assert revision(root) == before
    assert git(root, "log", "-1", "--format=%an <%ae> %s").strip() == (
        f"{AUTHOR} Record the periodic review held on 2026-11-20"
    )
    assert "reviews:\n  - date: 2026-11-20\n    note: Targets kept\n" in (root / FILE).read_text()
    assert review_due(root) == ["2027-11-20"]  # 12 months after the review held
    assert measure(root, "group-shootings", "--period", "2027-Q1", "--value", "19").returncode == 0
    assert "note: Targets kept" in (root / FILE).read_text()  # kept by a later recording


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((ID, "--date", "2026-13-01"), "--date: '2026-13-01' is not a date (YYYY-MM-DD)"),
        ((ID, "--date", "yesterday"), "--date: 'yesterday' is not a date (YYYY-MM-DD)"),
        ((ID, "--date", str(dt.date.today() + dt.timedelta(1))), "is in the future"),
        ((ID, "--date", "2026-11-20"), "a review held on 2026-11-20 is recorded already"),
        (("no-such-agreement", "--date", "2026-11-20"), "no-such-agreement"),
    ],
)
def test_a_bad_review_is_one_line_exit_1_and_writes_nothing(
    root: Path, args: tuple[str, ...], message: str
) -> None:
    assert reviewed(root, ID, "--date", "2026-11-20").returncode == 0
    tip, before = head(root), (root / FILE).read_bytes()
    refused = reviewed(root, *args)
    lines = refused.stderr.decode().strip().splitlines()
    assert refused.returncode == 1 and len(lines) == 1, lines
    assert message in lines[0]
    assert head(root) == tip and (root / FILE).read_bytes() == before
    assert git(root, "status", "--porcelain") == ""


# --------------------------------------------------------------------------- validate and fmt


def test_validate_and_fmt_take_the_measurements_files_by_default(root: Path) -> None:
    assert measure(root, "homicides", "--period", "2027-Q2", "--value", "4").returncode == 0
    assert measure(root, "group-shootings", "--period", "2027-Q1", "--value", "19").returncode == 0
    checked = run_mou("validate", "--json", cwd=root)
    assert checked.returncode == 0, checked.stdout
    assert {Path(e["file"]).name for e in json.loads(checked.stdout)} == {f"{ID}.yaml"} and {
        Path(e["file"]).parent.name for e in json.loads(checked.stdout)
    } == {"agreements", "measurements"}
    canonical = (root / FILE).read_bytes()
    # Reordered by hand, a comment dropped: valid, but not canonical.
    lines = canonical.decode().splitlines(keepends=True)
    (root / FILE).write_text("".join(lines[1:3] + lines[6:] + lines[3:6]))
    assert run_mou("fmt", "--check", cwd=root).returncode == 1
    done = run_mou("fmt", cwd=root)
    assert done.returncode == 0 and f"{FILE}: reformatted" in done.stdout.decode()
    assert (root / FILE).read_bytes() == canonical
    assert run_mou("fmt", "--check", FILE, cwd=root).returncode == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "agreement: {id}\nmeasurements:\n  - metric: homicides\n    period: 2027-H1\n"
            "    value: 4\n",
            ":4: $.measurements[0].period: '2027-H1' is not a quarterly period",
        ),
        (
            "agreement: {id}\nmeasurements:\n  - metric: nobody\n    period: 2027-Q1\n"
            "    value: 4\n",
            ":3: $.measurements[0].metric: no metric 'nobody' in the agreement",
        ),
        ("agreement: {id}\nmeasurements: [\n", ": $: "),  # not YAML
        ("agreement: other-agreement\nmeasurements: []\n", ":1: $.agreement: names"),
        ("- just\n- a list\n", ": $: "),
    ],
    ids=["period", "metric", "yaml", "agreement", "shape"],
)
def test_a_bad_measurements_file_is_one_line_naming_its_place_and_fmt_writes_nothing(
    root: Path, text: str, expected: str
) -> None:
    (root / "measurements").mkdir()
    (root / FILE).write_text(text.format(id=ID))
    files = snapshot(root)
    for command in (["validate"], ["fmt"], ["fmt", "--check"]):
        result = run_mou(*command, cwd=root)
        out = (result.stdout + result.stderr).decode()
        problems = [line for line in out.splitlines() if line.startswith(str(root / FILE))]
        assert result.returncode == 1 and len(problems) == 1, out
        assert expected in problems[0] and "Traceback" not in out, out
    assert snapshot(root) == files


def test_a_measurements_file_without_its_agreement_is_named(root: Path) -> None:
    (root / "measurements").mkdir()
    orphan = root / "measurements" / "no-such-agreement.yaml"
    orphan.write_text("agreement: no-such-agreement\nmeasurements: []\n")
    result = run_mou("validate", str(orphan), cwd=root)
    out = result.stdout.decode()
    assert result.returncode == 1
    assert out.startswith(f"{orphan}: $: no agreement ") and out.count("\n") == 1, out

"""The wizard's Dashboard, Measurements page and report download, through AppTest."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from mou.measures import Measurement
from mou.store.create import init_workspace
from mou.store.measurements import load_measured, record
from mou.store.workspace import Author, Workspace
from mou.validate import load_file
from tests.support.runner import ROOT

APP = str(ROOT / "app.py")
ALICE = Author("Alice Liaison", "alice@county.example.gov")
TASK_FORCE = "bellwater-regional-violent-crime-task-force"
EXCHANGE = "western-franklin-records-exchange"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The task force (two metrics measured) and the records exchange."""
    root = tmp_path / "workspace"
    init_workspace(root)
    monkeypatch.setenv("MOU_WORKSPACE", str(root))
    with Workspace(root) as ws:
        for agreement_id in (TASK_FORCE, EXCHANGE):
            ws.save(load_file(ROOT / "agreements" / f"{agreement_id}.yaml"), "Add", ALICE)
        for metric in ("homicides", "conviction-rate"):
            for year, value in ((2027, 40), (2028, 38)):
                entry = Measurement(metric=metric, period=str(year), value=value)
                record(ws, entry, TASK_FORCE, ALICE)
    return root


def goto(at: AppTest, slug: str) -> AppTest:
    at._page_hash = calc_hash(slug)  # function pages are reached by their url_path hash
    at.run()
    at._page_hash = ""
    return at


def open_agreement(at: AppTest, agreement_id: str) -> AppTest:
    goto(at, "agreements")
    at.selectbox(key="list-open").set_value(agreement_id)
    return at.button(key="list-open-button").click().run()


def commits(root: Path) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True)
    return int(out.stdout)


def test_the_dashboard_shows_what_is_due_states_resources_and_metric_charts(
    workspace: Path,
) -> None:
    at = goto(AppTest.from_file(APP, default_timeout=60).run(), "dashboard")
    assert not at.exception, [e.message for e in at.exception]
    assert [t.value for t in at.title] == ["Dashboard"]
    due = at.dataframe[0].value
    # Nothing has been measured for the exchange since it began in 2026: overdue reports.
    overdue = due[(due["id"] == EXCHANGE) & (due["kind"] == "report")]
    assert overdue["overdue"].any()
    states = at.dataframe[1].value
    assert int(states.loc["task_force"].sum()) == 1
    resources = at.dataframe[2].value
    fte = resources[
        (resources["provider"] == "BCSO") & (resources["unit"] == "full-time equivalents")
    ]
    assert list(fte["quantity"]) == [6.25]
    at.selectbox(key="dashboard-agreement").set_value(TASK_FORCE).run()
    charts = [e for e in at.get("vega_lite_chart")]
    assert len(charts) == 1 + 2  # the states chart and one chart per metric measured
    shown = " ".join(m.value for m in at.markdown)
    assert "Criminal homicides" in shown


def test_a_value_is_recorded_in_the_wizard_as_one_commit_and_bad_input_is_named(
    workspace: Path,
) -> None:
    at = open_agreement(AppTest.from_file(APP, default_timeout=60).run(), TASK_FORCE)
    goto(at, "measurements")
    assert [t.value for t in at.title] == ["Measurements"]
    before = commits(workspace)
    at.selectbox(key="measure-metric").set_value("nonfatal-shootings")
    at.text_input(key="measure-period").set_value("2027")
    at.text_input(key="measure-value").set_value("150")
    at.text_input(key="measure-name").set_value("Alice Liaison")
    at.text_input(key="measure-email").set_value("alice@county.example.gov")
    next(b for b in at.button if b.label == "Record").click().run()
    assert [e.value for e in at.error] == [
        "Period: '2027' is not a quarterly period: give a quarter such as 2026-Q3"
    ]
    assert commits(workspace) == before
    at.text_input(key="measure-period").set_value("2027-Q2")
    next(b for b in at.button if b.label == "Record").click().run()
    assert not at.error, [e.value for e in at.error]
    assert commits(workspace) == before + 1
    assert "Recorded nonfatal-shootings for 2027-Q2" in at.success[0].value.replace("\\", "")
    table = at.dataframe[0].value
    assert ("nonfatal-shootings", "2027-Q2", 150) in set(
        zip(table["metric"], table["period"], table["value"], strict=True)
    )
    with Workspace(workspace) as ws:
        assert len(load_measured(ws, TASK_FORCE).log.measurements) == 5


def test_export_offers_the_report_and_its_public_version(workspace: Path) -> None:
    at = open_agreement(AppTest.from_file(APP, default_timeout=60).run(), TASK_FORCE)
    goto(at, "export")
    assert not at.exception, [e.message for e in at.exception]
    labels = [b.label for b in at.get("download_button")]
    assert "Download report" in labels and "Download public report" in labels

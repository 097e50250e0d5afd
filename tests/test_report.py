"""The performance report: `mou report` on a real workspace, read back with python-docx."""

from __future__ import annotations

import io
import os
import shutil
import struct
from pathlib import Path

import docx
import pytest

from mou.document.charts import (
    ChartCanvas,
    metric_chart,
    tick_labels,
    value_range,
    value_ticks,
)
from mou.document.report import build_report
from mou.measures import Measurement, series
from mou.model import Agreement
from mou.store.measurements import Measured, load_measured, record
from mou.store.workspace import Author, Workspace
from tests.support.runner import ROOT, run_mou, snapshot
from tests.support.workspaces import head, make_workspace

AUTHOR = "Jane Roe <jane.roe@agency.gov>"
ID = "bellwater-regional-violent-crime-task-force"
# Three quarters of 2027 for three metrics; the term starts 2027-01-01 and every target
# is due 2031-12-31, so by the end of 2027-Q3 the straight line has gone 3/20 of the way.
VALUES = {
    "nonfatal-shootings": [164, 162, 160],  # 168 → 135: the line stands at 163.05: on track
    "retaliatory-shootings": [38, 39, 40],  # 37 → 25: getting worse: off track
    "fugitive-days-at-large": [44, 35, 29],  # 47 → 30: below the target: met
}
PERIODS = ["2027-Q1", "2027-Q2", "2027-Q3"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The task-force example with three quarters of values for three metrics."""
    ws_root = make_workspace(tmp_path_factory.mktemp("report"))
    shutil.copy(ROOT / "agreements" / f"{ID}.yaml", ws_root / "agreements")
    saved = run_mou("save", f"agreements/{ID}.yaml", "-m", "Add", "--author", AUTHOR, cwd=ws_root)
    assert saved.returncode == 0, saved.stderr
    contact = "Daniel R. Okafor"  # a point of contact of the example, typed into a note
    with Workspace(ws_root) as ws:
        agreement = load_measured(ws, ID).agreement
        assert contact in {p.point_of_contact.name for p in agreement.parties}
        for metric, values in VALUES.items():
            for period, value in zip(PERIODS, values, strict=True):
                note = f"Confirmed by {contact}" if period == "2027-Q2" else None
                entry = Measurement(metric=metric, period=period, value=value, note=note)
                record(ws, entry, ID, Author.parse(AUTHOR))
    return ws_root


def report(root: Path, *args: str) -> docx.document.Document:
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    target = out / f"report{len(list(out.iterdir()))}.docx"
    result = run_mou("report", ID, "-o", str(target), *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return docx.Document(str(target))


def all_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    props = document.core_properties
    parts += [props.title or "", props.subject or "", props.comments or "", props.keywords or ""]
    return "\n".join(parts)


def summary_rows(document: docx.document.Document) -> dict[str, list[str]]:
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "Goal",
        "Metric",
        "Baseline",
        "Target",
        "Latest",
        "Status",
    ]
    return {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}


def images(document: docx.document.Document) -> list[bytes]:
    blobs = []
    for shape in document.inline_shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blobs.append(document.part.related_parts[rid].blob)
    return blobs


def test_the_report_holds_values_one_chart_per_measured_metric_and_status(root: Path) -> None:
    document = report(root)
    text = all_text(document)
    assert text.startswith("FOR OFFICIAL USE ONLY")
    rows = summary_rows(document)
    by_id = {m.id: m.name for g in load_agreement(root).goals for m in g.metrics}
    assert rows[by_id["nonfatal-shootings"]][2:] == [
        "168",
        "135 by 2031-12-31",
        "160 (2027-Q3)",
        "on track",
    ]
    assert rows[by_id["retaliatory-shootings"]][5] == "off track"
    assert rows[by_id["fugitive-days-at-large"]][5] == "met"
    assert rows[by_id["homicides"]][4:] == ["none yet", "no data"]
    charts = images(document)
    assert len(charts) == len(VALUES)
    assert all(blob.startswith(b"\x89PNG") for blob in charts)
    value_tables = [t for t in document.tables if t.rows[0].cells[0].text == "Period"]
    assert [[c.text for c in r.cells] for r in value_tables[0].rows[1:]] == [
        ["2027-Q1", "164"],
        ["2027-Q2", "162"],
        ["2027-Q3", "160"],
    ]
    assert "Note (2027-Q2): Confirmed by Daniel R. Okafor" in text
    assert "Contacts" in text


def load_agreement(root: Path) -> Agreement:
    with Workspace(root) as ws:
        return load_measured(ws, ID).agreement


def test_the_public_report_holds_no_contact_name_phone_email_or_marking(root: Path) -> None:
    document = report(root, "--public")
    text = all_text(document).lower()
    agreement = load_agreement(root)
    withheld = {"for official use only"}
    for party in agreement.parties:
        for contact in (party.point_of_contact, party.notice_addressee):
            withheld |= {contact.name, contact.email, contact.phone or contact.email}
        withheld |= {s.name for s in party.signatories}
    assert len(withheld) > 10
    found = sorted(w for w in withheld if w.lower() in text)
    assert found == []
    assert "note (2027-q2): confirmed by [withheld]" in text
    assert len(images(document)) == len(VALUES)  # the figures themselves are public


def test_period_limits_the_values_and_the_same_input_gives_the_same_bytes(root: Path) -> None:
    document = report(root, "--period", "2027-Q2")
    rows = summary_rows(document)
    name = next(
        m.name
        for g in load_agreement(root).goals
        for m in g.metrics
        if m.id == "fugitive-days-at-large"
    )
    assert rows[name][4] == "35 (2027-Q2)"
    out = root.parent / "same"
    out.mkdir()
    for name in ("a.docx", "b.docx"):
        done = run_mou("report", ID, "-o", str(out / name), cwd=root)
        assert done.returncode == 0, done.stderr
    assert (out / "a.docx").read_bytes() == (out / "b.docx").read_bytes()


def png_chunks(png: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        chunks.append(png[at + 4 : at + 8])
        at += 12 + length
    return chunks


def test_a_chart_carries_no_date_and_no_software_version(root: Path) -> None:
    with Workspace(root) as ws:
        data = load_measured(ws, ID)
    metric = next(
        m for g in data.agreement.goals for m in g.metrics if m.id == "nonfatal-shootings"
    )
    points = series(data.log, metric)
    assert len(points) == 3
    png = metric_chart(metric, points)
    assert png == metric_chart(metric, points)
    assert b"tIME" not in png_chunks(png) and b"tEXt" not in png_chunks(png)
    assert b"matplotlib" not in png.lower()
    assert docx.Document(io.BytesIO(build_twice(data))).inline_shapes is not None


def build_twice(data: Measured) -> bytes:
    first = build_report(data.agreement, data.log, revision=data.revision)
    assert first == build_report(data.agreement, data.log, revision=data.revision)
    return first


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--period", "2027-Q9"], "--period: '2027-Q9' is not a period"),
        (["--period", "next year"], "--period: "),
        (["-o", "report.pdf"], "-o report.pdf: the output must be a .docx file"),
        (["-o", "missing/report.docx"], "-o missing/report.docx: the folder missing does not"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    root: Path, args: list[str], start: str
) -> None:
    files, tip = snapshot(root), head(root)
    result = run_mou("report", ID, *args, cwd=root)
    err = result.stderr.decode()
    assert result.returncode != 0 and err.startswith(start) and err.count("\n") == 1, err
    assert (snapshot(root), head(root)) == (files, tip)


def test_the_report_converts_to_pdf(root: Path, tmp_path: Path) -> None:
    if shutil.which("soffice") is None and os.environ.get("CI") != "true":
        pytest.skip("LibreOffice (soffice) is not installed here; CI installs it")
    result = run_mou("report", ID, "--public", "-o", str(tmp_path / "r.docx"), "--pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_a_chart_drawn_on_the_shared_figure_equals_one_drawn_on_a_fresh_figure(
    root: Path,
) -> None:
    """The figure is reused from chart to chart: nothing of the previous chart (its
    periods, its scale, its legend with or without a baseline) may show in the next."""
    with Workspace(root) as ws:
        data = load_measured(ws, ID)
    metrics = [m for g in data.agreement.goals for m in g.metrics if series(data.log, m)]
    first, second = metrics[0], metrics[1]
    long_name = "Quarterly gypsy-jay query: " * 4  # descenders just above the legend
    no_baseline = second.model_copy(update={"baseline": None, "target": 1250.5, "name": long_name})
    charts = [
        (first, series(data.log, first)),
        (no_baseline, [(p, v * 13.7) for p, v in series(data.log, second)[:2]]),
        (second, series(data.log, second)[:1]),
        (first, series(data.log, first)),
    ]
    shared = ChartCanvas()
    drawn = [shared.render(metric, points) for metric, points in charts]
    assert drawn == [ChartCanvas().render(metric, points) for metric, points in charts]
    assert drawn[0] == drawn[3] and len(set(drawn)) == 3
    assert metric_chart(*charts[1]) == drawn[1]


def test_the_value_axis_ticks_are_round_and_written_alike() -> None:
    bottom, top = value_range([1250.5, 1330.0, 1356.0])
    ticks = value_ticks(bottom, top)
    assert bottom < 1250.5 and top > 1356.0
    assert tick_labels(ticks) == ["1,250", "1,275", "1,300", "1,325", "1,350"]
    assert tick_labels([0.0, 0.25, 0.5]) == ["0.00", "0.25", "0.50"]
    assert tick_labels([-0.0, 10.0]) == ["0", "10"]
    assert value_range([5.0, 5.0]) == (4.5, 5.5)
    assert value_range([0.0, 0.0]) == (-1.0, 1.0)

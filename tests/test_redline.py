"""The Word redline over real git workspaces and real renders: round trip, attribution, PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mou.changes.redline import redline_docx
from mou.document.render import render_docx
from mou.model import to_data
from mou.presets import preset
from mou.store.history import load_version
from mou.store.workspace import open_workspace
from mou.validate import load_file
from tests.support.histories import (
    ALICE,
    BOB,
    CAROL,
    History,
    add_party,
    change_date,
    commit_raw,
    edit_purpose,
    edit_termination,
    remove_responsibility,
    reorder_rows,
)
from tests.support.runner import EXAMPLES, run_mou, snapshot
from tests.support.tracked import W, tracked_ids, visible_units, xpath

TYPES = ["task_force", "information_sharing", "community_partnership", "joint_training",
         "mutual_aid"]  # fmt: skip


def _starting_points() -> list[tuple[str, dict]]:
    """Every example agreement in agreements/, or a preset of every type when there are none."""
    if EXAMPLES:
        return [(path.stem, to_data(load_file(path))) for path in EXAMPLES]
    return [(t, preset(t, f"sample-{t.replace('_', '-')}", f"Sample {t}")) for t in TYPES]


def _scripted(root: Path, data: dict) -> History:
    """Text edits, a party added, a responsibility removed, a row reordered, a date changed."""
    data = {**data, "responsibilities": data.get("responsibilities") or _two_duties(data)}
    history = History(root, data)
    history.save(ALICE, "Draft")
    history.save(BOB, "Wording", lambda d: (edit_purpose(d), edit_termination(d)))
    history.save(CAROL, "New member", add_party)
    history.save(BOB, "Drop a duty", remove_responsibility)
    history.save(ALICE, "Reorder", reorder_rows)
    history.save(CAROL, "Extend", change_date)
    return history


def _two_duties(data: dict) -> list[dict]:
    party = data["parties"][0]["id"]
    return [{"id": f"duty-{n}", "parties": [party], "text": f"Duty {n}."} for n in (1, 2)]


def _exports(history: History, agreement_id: str, rev_a: str, rev_b: str) -> tuple[bytes, bytes]:
    with open_workspace(history.root) as ws:
        old, new = load_version(ws, agreement_id, rev_a), load_version(ws, agreement_id, rev_b)
    return (
        render_docx(old.agreement, old.revision, True),
        render_docx(new.agreement, new.revision, True),
    )


@pytest.mark.parametrize(
    ("name", "data"), _starting_points(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_accept_all_is_the_new_export_and_reject_all_the_old(tmp_path, name, data):
    history = _scripted(tmp_path / "ws", data)
    first, last = history.revisions[0], history.revisions[-1]
    redline = redline_docx(history.root, data["id"], first, last)
    old_export, new_export = _exports(history, data["id"], first, last)
    # The summary is excluded by its bookmark; headers and footers (revision and
    # fingerprint) are not compared: they are the new export's and not tracked.
    assert visible_units(redline, "accept") == visible_units(new_export)
    assert visible_units(redline, "reject") == visible_units(old_export)
    ids = tracked_ids(redline)
    assert len(ids) == len(set(ids)) > 0


def test_an_inserted_article_is_a_clean_insertion_and_later_headings_only_renumbered(tmp_path):
    # Pairing each old paragraph with the first new one half like it turned "ARTICLE 3.
    # FUNDING" into "ARTICLE 3. RECORDS AND INFORMATION SHARING", which LibreOffice's
    # Reject All then merged with the paragraph after it.
    data = preset("information_sharing", "records-exchange", "Records Exchange")
    sharing = data.pop("information_sharing")
    history = History(tmp_path / "ws", data)
    first = history.save(ALICE, "Draft")
    last = history.save(BOB, "Sharing", lambda d: d.update(information_sharing=sharing))
    redline = redline_docx(history.root, data["id"], first, last)
    ns = {"w": W}
    for paragraph in xpath(redline, "//w:body/w:p[.//w:delText]"):
        deleted = "".join(paragraph.xpath(".//w:delText/text()", namespaces=ns))
        inserted = "".join(paragraph.xpath(".//w:ins//w:t/text()", namespaces=ns))
        assert deleted.replace(".", "").isdigit() and inserted.replace(".", "").isdigit()
    heading = "//w:body/w:p[contains(string(.), 'RECORDS AND INFORMATION SHARING')]"
    assert xpath(redline, f"{heading}/w:pPr/w:rPr/w:ins")  # a whole new paragraph
    old_export, new_export = _exports(history, data["id"], first, last)
    assert visible_units(redline, "accept") == visible_units(new_export)
    assert visible_units(redline, "reject") == visible_units(old_export)


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    _, data = _starting_points()[0]
    history = _scripted(tmp_path_factory.mktemp("redline") / "ws", data)
    first, last = history.revisions[0], history.revisions[-1]
    return history, data["id"], redline_docx(history.root, data["id"], first, last)


def test_a_backward_redline_round_trips_too(scripted):
    history, agreement_id, _ = scripted
    newer, older = history.revisions[-1], history.revisions[1]
    with open_workspace(history.root) as ws:  # the wizard passes its open workspace
        redline = redline_docx(ws, agreement_id, newer, older)
    newer_export, older_export = _exports(history, agreement_id, newer, older)
    assert visible_units(redline, "accept") == visible_units(older_export)
    assert visible_units(redline, "reject") == visible_units(newer_export)


def _authors_of(redline: bytes, text: str, kind: str = "ins") -> set[str]:
    tag = "w:t" if kind == "ins" else "w:delText"
    marks = xpath(redline, f"//w:{kind}[.//{tag}[contains(., '{text}')]]")
    return {m.get(f"{{{W}}}author") for m in marks}


def test_each_change_carries_the_author_of_the_commit_that_made_it(scripted):
    _, _, redline = scripted
    assert _authors_of(redline, "Added Agency Number") == {CAROL.name}
    assert _authors_of(redline, "jointly-0") == {BOB.name}
    assert _authors_of(redline, "Records are returned within") == {BOB.name}
    assert _authors_of(redline, "2040") == {CAROL.name}


def test_a_moved_row_is_credited_to_whoever_moved_it(scripted):
    history, agreement_id, redline = scripted
    with open_workspace(history.root) as ws:
        moved = load_version(ws, agreement_id, "HEAD").agreement
    rows = moved.resources or moved.personnel or moved.responsibilities
    first_words = " ".join((getattr(rows[0], "description", None) or rows[0].text).split()[:3])
    assert "'" not in first_words
    assert _authors_of(redline, first_words) == {ALICE.name}


def test_money_percentages_and_the_totals_they_drive_go_to_whoever_changed_them(tmp_path):
    # The document prints 2150000 as "$2,150,000" and 42 as "42%"; a later prose edit by
    # someone else must not take the credit for them (it is the newest commit).
    data = to_data(load_file(next(p for p in EXAMPLES if p.stem.endswith("records-exchange"))))
    history = History(tmp_path / "ws", data)
    first = history.save(ALICE, "Draft")

    def figures(d: dict) -> None:
        d["funding"]["caps"][1]["amount"] = 2150000  # the not-to-exceed amount
        d["resources"][0]["estimated_value"] += 1000
        d["funding"]["cost_shares"][0]["percent"] -= 4
        d["funding"]["cost_shares"][1]["percent"] += 4

    history.save(BOB, "Figures", figures)
    last = history.save(CAROL, "Wording", edit_purpose)
    redline = redline_docx(history.root, data["id"], first, last)
    assert _authors_of(redline, "$2,150,000") == {BOB.name}
    shares = [s["percent"] for s in history.data["funding"]["cost_shares"][:2]]
    assert all(_authors_of(redline, f"{share}%") == {BOB.name} for share in shares)
    assert _authors_of(redline, "jointly-0") == {CAROL.name}
    changed = {m.get(f"{{{W}}}author") for m in xpath(redline, "//w:ins[.//w:t[contains(., '$')]]")}
    assert changed == {BOB.name}  # the resource total per provider moved with his figure too


@pytest.mark.parametrize("name", ["Mal\x01lory", "Eve\x0bEvans"], ids=["soh", "vtab"])
def test_an_author_name_with_a_control_character_is_written_without_it(tmp_path, name):
    # Git takes any byte in a name; Word documents (XML 1.0) cannot hold control characters.
    history = History(tmp_path / "ws", preset("task_force", "metro", "Metro Task Force"))
    first = history.save(ALICE, "Draft")
    path = history.root / "agreements/metro.yaml"
    text = path.read_text(encoding="utf-8").replace("Metro Task Force", "Metro Regional Force")
    last = commit_raw(history.root, "agreements/metro.yaml", text, "Retitle", name=name)
    out = tmp_path / "changes.docx"
    done = run_mou("redline", "metro", first, last, "-o", str(out),
                   "--workspace", str(history.root))  # fmt: skip
    assert done.returncode == 0, done.stderr
    clean = name.replace("\x01", "").replace("\x0b", "")
    assert _authors_of(out.read_bytes(), "Regional") == {clean}
    assert xpath(out.read_bytes(), f"//w:tbl//w:t[. = '{clean}']")  # the summary's "By" column


def test_dates_are_the_commit_dates(scripted):
    history, agreement_id, redline = scripted
    with open_workspace(history.root) as ws:
        dates = {r.date.astimezone().strftime("%Y-%m-%d") for r in ws.history(agreement_id)}
    marks = xpath(redline, "//w:ins | //w:del")
    assert {m.get(f"{{{W}}}date")[:10] for m in marks} <= dates


def test_summary_counts_changes_by_kind_party_and_section(scripted):
    _, _, redline = scripted
    first = xpath(redline, "//w:body/*[1]")[0]
    assert first.xpath(".//w:bookmarkStart/@w:name", namespaces={"w": W}) == ["mou_redline_summary"]
    cells = ["".join(c.itertext()) for c in xpath(redline, "//w:body/w:tbl[1]/w:tr/w:tc")]
    counts = dict(zip(cells[2::2], cells[3::2], strict=True))
    assert int(counts["added"]) >= 1 and int(counts["removed"]) >= 1
    assert int(counts["moved"]) == 1
    summary_text = "".join(xpath(redline, "//w:body/w:tbl[position() <= 4]//w:t/text()"))
    assert "NEW0" in summary_text  # the added party is a row of "Changes by party"
    assert "Roles and responsibilities" in summary_text


def _soffice() -> str | None:
    found = shutil.which("soffice")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("LibreOffice (soffice) is required when CI=true")
    return found


def test_libreoffice_opens_the_redline_and_converts_it_to_pdf(scripted, tmp_path):
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _, _, redline = scripted
    source = tmp_path / "redline.docx"
    source.write_bytes(redline)
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "redline.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr.decode()
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


# --------------------------------------------------------------------------- mou redline


def test_redline_command_writes_the_docx(scripted, tmp_path):
    history, agreement_id, _ = scripted
    out = tmp_path / "changes.docx"
    first, last = history.revisions[0], history.revisions[-1]
    done = run_mou("redline", agreement_id, first, last, "-o", str(out),
                   "--workspace", str(history.root))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert visible_units(out.read_bytes(), "accept")
    assert tracked_ids(out.read_bytes())


def test_redline_of_identical_revisions_says_no_changes(scripted, tmp_path):
    history, agreement_id, _ = scripted
    out = tmp_path / "same.docx"
    rev = history.revisions[2]
    done = run_mou("redline", agreement_id, rev, rev, "-o", str(out),
                   "--workspace", str(history.root))  # fmt: skip
    assert done.returncode == 0
    assert "no changes" in done.stderr.decode()
    assert tracked_ids(out.read_bytes()) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["no-such-agreement", "HEAD~1", "HEAD"], 1, "no agreement 'no-such-agreement'"),
        (["{id}", "HEAD~1", "bogus"], 1, "unknown revision 'bogus'"),
        (["{id}", "HEAD~1", "HEAD", "-o", "{tmp}/out.pdf"], 2, "name it *.docx"),
        (["{id}", "HEAD~1", "HEAD", "-o", "{tmp}/missing/out.docx"], 2, "does not exist"),
    ],
)
def test_redline_bad_input_is_one_line_and_writes_nothing(scripted, tmp_path, args, code, message):
    history, agreement_id, _ = scripted
    args = [a.format(id=agreement_id, tmp=tmp_path) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "out.docx")]
    before = snapshot(history.root), snapshot(tmp_path)
    done = run_mou("redline", *args, "--workspace", str(history.root))
    err = done.stderr.decode().strip()
    assert done.returncode == code
    assert message in err and len(err.splitlines()) == 1, err
    assert (snapshot(history.root), snapshot(tmp_path)) == before


def _party_specific_edits(data: dict) -> None:
    """A responsibility of one party, a resource it provides, a metric of a shared goal."""
    data["responsibilities"][0]["text"] += " It keeps minutes."
    data["resources"][0]["quantity"] = 4
    data["goals"][0]["metrics"][0]["target"] = 50
    data["purpose"] += " Amended."


def test_summary_names_each_change_s_party_and_its_items_as_people_see_them(tmp_path):
    """Party-specific changes once counted for "(whole agreement)" and read
    "Responsibility pkpd-review › Text"."""
    kestrel = next(p for p in EXAMPLES if p.stem.startswith("port-kestrel"))
    data = to_data(load_file(kestrel))
    history = History(tmp_path / "ws", data)
    first = history.save(ALICE, "Draft")
    last = history.save(BOB, "Party edits", _party_specific_edits)
    redline = redline_docx(history.root, data["id"], first, last)
    every = xpath(redline, "//w:body/w:tbl[4]/w:tr")
    rows = [
        ["".join(c.itertext()) for c in row.xpath("w:tc", namespaces={"w": W})] for row in every
    ]
    assert rows[0] == ["Section", "Change", "Party", "Kind", "By", "Date"]
    by_label = {row[1]: row[2] for row in rows[1:]}
    assert by_label == {
        "Purpose": "(whole agreement)",
        "Goal “Reduce group-involved shootings and homicides” › Metric "
        "“Group-member-involved shootings, fatal and…” › Target": "CPK, BCPA, FDOC, KBFS, LWNU",
        "Responsibility “Host the Shooting Review each week, classify…” › Text": "CPK",
        "Resource “Lieutenant and two officers for notifications…” › Quantity": "CPK",
    }
    parties = xpath(redline, "//w:body/w:tbl[2]/w:tr/w:tc[1]")
    assert ["".join(c.itertext()) for c in parties] == [
        "Party",
        "CPK",
        "BCPA",
        "FDOC",
        "KBFS",
        "LWNU",
        "(whole agreement)",
    ]

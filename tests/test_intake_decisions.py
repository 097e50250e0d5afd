"""Deciding on a returned copy's changes, and the message of the revision that saves them.

The layer under the wizard's "Partner's returned copy" page (mou/changes/decisions.py):
a decision is read from the data, accepting or rejecting touches only its own field or
item, what the copy says is grouped beside the field it belongs to, and the revision's
message records the source file and credits the authors of accepted tracked changes in
trailers git itself parses — whatever names the partner's file holds.
"""

from __future__ import annotations

import copy
import random
import subprocess
from pathlib import Path

import pytest

from mou.changes.decisions import (
    ACCEPTED,
    EDITED,
    REJECTED,
    Source,
    Taken,
    accept,
    by_field,
    commit_message,
    decision,
    index_path,
    one_line,
    reject,
    remarks_by_field,
)
from mou.errors import MouError
from tests.test_intake import ANN, BOB, CY, DEE, PORT_KESTREL, Exported, export, intake
from tests.test_intake import partner_edits as edits_of


@pytest.fixture(scope="module")
def taken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Exported, Taken, dict]:
    exported = export(tmp_path_factory.mktemp("decisions"), PORT_KESTREL)
    scenario = edits_of(exported)
    docx = scenario.copy.save()
    result = intake(exported, docx)
    return exported, Taken(result, Source.of("returned.docx", docx)), scenario.authors


def test_every_subset_of_decisions_gives_exactly_those_changes(taken) -> None:
    _, t, _ = taken
    changes = t.intake.changes
    rng = random.Random(13)
    for _ in range(12):
        data = copy.deepcopy(t.proposed)
        chosen = {c.path for c in changes if rng.random() < 0.5}
        for change in rng.sample(changes, len(changes)):  # any order
            if change.path not in chosen:
                reject(data, change, t)
        assert {c.path: decision(data, c, t) for c in changes} == {
            c.path: ACCEPTED if c.path in chosen else REJECTED for c in changes
        }
        for change in rng.sample(changes, len(changes)):
            accept(data, change, t)
        assert data == t.proposed  # accepting again restores the copy's order too
    for change in changes:
        reject(data, change, t)
    assert data == t.base_data


def test_a_field_edited_elsewhere_is_neither_and_other_decisions_leave_it(taken) -> None:
    _, t, authors = taken
    data = copy.deepcopy(t.proposed)
    phone = next(p for p, by in authors.items() if by is None)
    party = next(p for p in data["parties"] if p["id"] in phone)
    party["point_of_contact"]["phone"] = "(555) 010-0000"
    [change] = [c for c in t.intake.changes if c.path == phone]
    assert decision(data, change, t) == EDITED
    for other in t.intake.changes:
        if other is not change:
            reject(data, other, t)
    assert party["point_of_contact"]["phone"] == "(555) 010-0000"


def test_accepting_inside_an_item_removed_from_the_draft_says_so(taken) -> None:
    _, t, authors = taken
    data = copy.deepcopy(t.base_data)
    responsibility = next(p for p, by in authors.items() if p.endswith("].text") and by == ANN)
    data["responsibilities"] = [
        r for r in data["responsibilities"] if r["id"] not in responsibility
    ]
    [change] = [c for c in t.intake.changes if c.path == responsibility]
    with pytest.raises(MouError, match="no longer in the draft"):
        accept(data, change, t)


def test_comments_and_unmapped_edits_sit_beside_their_field(taken) -> None:
    exported, t, _ = taken
    notes = by_field(t.intake)
    goal = exported.agreement.goals[0]
    [with_comment] = [n for n in notes if n.comments]
    assert with_comment.path == f"$.goals[id={goal.id}].title"
    assert with_comment.comments[0].author == BOB
    [with_edit] = [n for n in notes if n.unmapped]
    assert with_edit.unmapped[0].location == "Article 1, paragraph 1"
    assert with_edit.path == with_edit.unmapped[0].near is not None
    assert [n.change.path for n in notes if n.change] == [c.path for c in t.intake.changes]
    # The new responsibility follows the change before it, in document order.
    paths = [n.path for n in notes]
    new = next(p for p in paths if p and p.endswith("[id=keep-a-shared-log]"))
    assert paths.index(new) < paths.index(next(p for p in paths if p and "cost_shares" in p))


def test_remarks_are_filed_under_the_wizard_s_index_paths(taken) -> None:
    _, t, _ = taken
    found = remarks_by_field(t.intake, t.proposed)
    assert found["$.goals[0].title"] == [f"Comment by {BOB}: Is this target realistic?"]
    [(place, [line])] = [(k, v) for k, v in found.items() if not k.startswith("$.goals")]
    assert place.startswith("$.background[")
    assert line == f"Unmapped edit in Article 1, paragraph 1: inserted “one” — {ANN} (not taken in)"
    new = "$.responsibilities[id=keep-a-shared-log]"
    at = [r["id"] for r in t.proposed["responsibilities"]].index("keep-a-shared-log")
    assert index_path(t.proposed, f"{new}.text") == f"$.responsibilities[{at}].text"
    assert index_path(t.base_data, new) is None


def trailers(message: str) -> list[str]:
    done = subprocess.run(["git", "interpret-trailers", "--parse"], input=message,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.splitlines()


def test_the_message_records_the_source_and_credits_only_accepted_authors(taken) -> None:
    exported, t, _ = taken
    data = copy.deepcopy(t.proposed)
    for change in t.intake.changes:
        if change.by == CY:
            reject(data, change, t)
    t.emails = {ANN: "ann@bellwater.example.gov"}
    message = commit_message("Partner's edits", t, data)
    assert message.startswith("Partner's edits\n\nTaken in from returned.docx")
    assert trailers(message) == [
        "Intake-Source: returned.docx",
        f"Intake-Source-SHA256: {t.source.sha256}",
        f"Intake-Base: {exported.revision}",
        f"Co-authored-by: {ANN} <ann@bellwater.example.gov>",
        f"Co-authored-by: {DEE}",
    ]
    t.emails = {DEE: "dee at finance"}
    with pytest.raises(MouError, match=f"^E-mail of {DEE}: 'dee at finance' is not"):
        commit_message("Partner's edits", t, data)
    t.emails = {}


@pytest.mark.parametrize(
    ("hostile", "clean"),
    [
        (
            "Eve\nCo-authored-by: Mallory <m@evil.example>",
            "Eve Co-authored-by: Mallory m@evil.example",
        ),
        ("Ann\u202eCounsel", "AnnCounsel"),
        ("  Ann \t Counsel\r\n", "Ann Counsel"),
        ("\x00\x07", ""),
        ("x" * 500, "x" * 120),
    ],
)
def test_names_from_the_file_become_one_safe_line(hostile: str, clean: str) -> None:
    assert one_line(hostile) == clean


def test_the_source_is_named_by_its_hash_and_a_clean_name(tmp_path: Path) -> None:
    source = Source.of("reply\n<b>.docx", b"bytes")
    assert source.name == "reply b.docx"
    assert source.sha256 == "277089d91c0bdf4f2e6862ba7e4a07605119431f5d13f726dd352b06f1b206a9"
    assert Source.of("\u202e", b"").name == "returned copy"

"""The field-level three-way merge: by id and field, prose by words, validated."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mou.changes.diff import diff
from mou.changes.merge import merge, merge_sequences
from mou.model import Agreement, to_data
from mou.presets import preset
from mou.validate import validate_data

PURPOSE = "The parties join forces to reduce violent crime in the metro region by sharing data."


def base_data(responsibilities: int = 4) -> dict[str, Any]:
    """A valid task-force agreement with a few responsibilities and three parties."""
    data = preset("task_force", "metro-tf", "Metro Task Force")
    third = copy.deepcopy(data["parties"][1])
    third.update(id="party-c", acronym="PC", legal_name="Party C")
    data["parties"].append(third)
    data["purpose"] = PURPOSE
    data["responsibilities"] = [
        {"id": f"duty-{n}", "parties": ["party-a"], "text": f"Party A performs duty number {n}."}
        for n in range(responsibilities)
    ]
    data["responsibilities"].append(
        {"id": "duty-b", "parties": ["party-b"], "text": "Party B assigns two detectives."}
    )
    data["responsibilities"].append(
        {"id": "duty-c", "parties": ["party-c"], "text": "Party C provides analysts."}
    )
    return data


def model(data: dict[str, Any]) -> Agreement:
    return validate_data(copy.deepcopy(data))


def edit(data: dict[str, Any], change) -> Agreement:
    copied = copy.deepcopy(data)
    change(copied)
    return validate_data(copied)


def duty(data: dict[str, Any], duty_id: str) -> dict[str, Any]:
    return next(r for r in data["responsibilities"] if r["id"] == duty_id)


def test_edits_of_different_fields_both_apply():
    data = base_data()
    mine = edit(data, lambda d: d.update(title="Metro Violent Crime Task Force"))
    theirs = edit(data, lambda d: duty(d, "duty-1").update(text="Party A leads the unit."))
    merged = merge(model(data), mine, theirs)
    assert merged.clean
    assert merged.agreement is not None
    assert merged.agreement.title == "Metro Violent Crime Task Force"
    texts = {r.id: r.text for r in merged.agreement.responsibilities}
    assert texts["duty-1"] == "Party A leads the unit."


def test_same_field_changed_differently_is_a_conflict_naming_both_values():
    data = base_data()
    mine = edit(data, lambda d: d.update(title="Mine"))
    theirs = edit(data, lambda d: d.update(title="Theirs"))
    merged = merge(model(data), mine, theirs)
    assert merged.agreement is None
    [conflict] = merged.conflicts
    assert (conflict.path, conflict.mine, conflict.theirs) == ("$.title", "Mine", "Theirs")
    assert conflict.base == "Metro Task Force"


def test_prefer_settles_only_the_conflicting_field():
    data = base_data()

    def mine_edit(d):
        d.update(title="Mine", number="2026-17")

    mine = edit(data, mine_edit)
    theirs = edit(data, lambda d: d.update(title="Theirs", marking="For Official Use Only"))
    for prefer, title in (("mine", "Mine"), ("theirs", "Theirs")):
        merged = merge(model(data), mine, theirs, prefer)
        assert merged.agreement is not None
        assert merged.agreement.title == title
        assert merged.agreement.number == "2026-17"
        assert merged.agreement.marking == "For Official Use Only"
        assert [c.path for c in merged.resolved] == ["$.title"]


def test_item_added_identically_on_both_sides_is_kept_once():
    data = base_data()
    new = {"id": "duty-new", "parties": ["party-b"], "text": "Party B hosts the unit."}
    mine = edit(data, lambda d: d["responsibilities"].append(copy.deepcopy(new)))
    theirs = edit(data, lambda d: d["responsibilities"].append(copy.deepcopy(new)))
    merged = merge(model(data), mine, theirs)
    assert merged.agreement is not None
    ids = [r.id for r in merged.agreement.responsibilities]
    assert ids.count("duty-new") == 1


def test_same_id_added_with_different_content_is_a_conflict():
    data = base_data()
    mine = edit(data, lambda d: d["responsibilities"].append(
        {"id": "duty-new", "parties": ["party-b"], "text": "Party B hosts the unit."}))  # fmt: skip
    theirs = edit(data, lambda d: d["responsibilities"].append(
        {"id": "duty-new", "parties": ["party-c"], "text": "Party C hosts the unit."}))  # fmt: skip
    merged = merge(model(data), mine, theirs)
    assert [c.path for c in merged.conflicts] == ["$.responsibilities[id=duty-new]"]
    assert merged.conflicts[0].reason == "added on both sides with different content"


def test_different_items_added_on_both_sides_are_both_kept():
    data = base_data()
    mine = edit(data, lambda d: d["responsibilities"].append(
        {"id": "duty-x", "parties": ["party-b"], "text": "X."}))  # fmt: skip
    theirs = edit(data, lambda d: d["responsibilities"].append(
        {"id": "duty-y", "parties": ["party-c"], "text": "Y."}))  # fmt: skip
    merged = merge(model(data), mine, theirs)
    assert merged.agreement is not None
    assert [r.id for r in merged.agreement.responsibilities][-2:] == ["duty-x", "duty-y"]


def test_reorder_on_one_side_and_edit_on_the_other_both_apply():
    data = base_data()
    mine = edit(data, lambda d: d["responsibilities"].reverse())
    theirs = edit(data, lambda d: duty(d, "duty-2").update(text="Party A trains everyone."))
    for first, second in ((mine, theirs), (theirs, mine)):
        merged = merge(model(data), first, second)
        assert merged.agreement is not None
        ids = [r.id for r in merged.agreement.responsibilities]
        assert ids == [r.id for r in mine.responsibilities]
        texts = {r.id: r.text for r in merged.agreement.responsibilities}
        assert texts["duty-2"] == "Party A trains everyone."


def test_two_different_reorders_conflict():
    data = base_data()
    mine = edit(data, lambda d: d["responsibilities"].reverse())
    theirs = edit(data, lambda d: d["responsibilities"].insert(0, d["responsibilities"].pop()))
    merged = merge(model(data), mine, theirs)
    assert [c.reason for c in merged.conflicts] == ["reordered differently on both sides"]


def test_removed_on_one_side_and_changed_on_the_other_conflicts():
    data = base_data()
    mine = edit(data, lambda d: d["responsibilities"].remove(duty(d, "duty-1")))
    theirs = edit(data, lambda d: duty(d, "duty-1").update(text="Party A does more."))
    merged = merge(model(data), mine, theirs)
    assert [c.reason for c in merged.conflicts] == ["removed on one side, changed on the other"]
    settled = merge(model(data), mine, theirs, "mine")
    assert settled.agreement is not None
    assert "duty-1" not in [r.id for r in settled.agreement.responsibilities]


def test_prose_edits_of_different_words_merge():
    data = base_data()
    mine = edit(data, lambda d: d.update(purpose=PURPOSE.replace("join forces", "work together")))
    better = PURPOSE.replace("sharing data", "sharing intelligence")
    theirs = edit(data, lambda d: d.update(purpose=better))
    merged = merge(model(data), mine, theirs)
    assert merged.agreement is not None
    assert merged.agreement.purpose == (
        "The parties work together to reduce violent crime in the metro region by sharing "
        "intelligence."
    )


def test_prose_edits_of_the_same_words_conflict():
    data = base_data()
    mine = edit(data, lambda d: d.update(purpose=PURPOSE.replace("violent crime", "gun crime")))
    theirs = edit(data, lambda d: d.update(purpose=PURPOSE.replace("violent crime", "all crime")))
    merged = merge(model(data), mine, theirs)
    [conflict] = merged.conflicts
    assert conflict.path == "$.purpose"
    assert conflict.reason == "edited on both sides where the edits overlap"


def test_a_merge_that_breaks_the_cost_shares_is_a_conflict_not_an_agreement():
    data = base_data()
    data["funding"]["cost_shares"] = [
        {"party": "party-a", "percent": 50},
        {"party": "party-b", "percent": 50},
    ]
    data["funding"]["joint_costs"] = "Rent of the shared office."

    def mine_edit(d):  # C joins with 20 %, taken from A
        d["funding"]["cost_shares"][0]["percent"] = 30
        d["funding"]["cost_shares"].append({"party": "party-c", "percent": 20})

    def theirs_edit(d):  # C joins with 20 %, taken from B
        d["funding"]["cost_shares"][1]["percent"] = 30
        d["funding"]["cost_shares"].append({"party": "party-c", "percent": 20})

    merged = merge(model(data), edit(data, mine_edit), edit(data, theirs_edit))
    assert merged.agreement is None
    [conflict] = merged.conflicts
    assert conflict.path == "$"
    assert "invalid" in conflict.reason and "100" in conflict.reason


def test_a_reference_to_a_party_the_other_side_removed_is_a_conflict():
    data = base_data()

    def remove_c(d):
        d["parties"] = [p for p in d["parties"] if p["id"] != "party-c"]
        d["responsibilities"] = [r for r in d["responsibilities"] if r["id"] != "duty-c"]

    theirs = edit(data, lambda d: duty(d, "duty-b")["parties"].append("party-c"))
    merged = merge(model(data), edit(data, remove_c), theirs)
    assert merged.agreement is None
    assert "party-c" in merged.conflicts[0].reason


def test_agreement_removed_on_one_side_and_edited_on_the_other():
    data = base_data()
    theirs = edit(data, lambda d: d.update(title="Renamed"))
    merged = merge(model(data), None, theirs)
    assert merged.conflicts[0].reason == "removed on one side, changed on the other"
    assert merge(model(data), None, model(data)).agreement is None  # removed, nothing else
    assert merge(model(data), None, theirs, "theirs").agreement == theirs


def test_merge_sequences_is_diff3():
    base = list("abcdefgh")
    assert merge_sequences(base, list("aXcdefgh"), list("abcdefYh")) == list("aXcdefYh")
    assert merge_sequences(base, list("aXcdefgh"), list("aYcdefgh")) is None
    assert merge_sequences(base, list("aXcdefgh"), list("aXcdefgh")) == list("aXcdefgh")
    assert merge_sequences(base, list("abQcdefgh"), list("abRcdefgh")) is None  # same spot


# --------------------------------------------------------------------------- properties

DUTIES = 6
_edits = st.sampled_from(["text", "remove", "add", "parties"])


def _apply(data: dict[str, Any], target: int, how: str) -> None:
    """One edit of responsibility ``target`` (disjoint targets never touch one another)."""
    item = duty(data, f"duty-{target}")
    if how == "text":
        item["text"] = f"Party A performs duty number {target}, and reports monthly."
    elif how == "remove":
        data["responsibilities"].remove(item)
    elif how == "add":
        at = data["responsibilities"].index(item)
        data["responsibilities"].insert(
            at + 1, {"id": f"new-{target}", "parties": ["party-b"], "text": f"New {target}."}
        )
    else:
        item["parties"] = ["party-a", "party-c"]


def _edited(data: dict[str, Any], edits: dict[int, str]) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    for target, how in sorted(edits.items()):
        _apply(copied, target, how)
    return copied


@st.composite
def _disjoint_edits(draw) -> tuple[dict[int, str], dict[int, str]]:
    targets = draw(st.lists(st.integers(0, DUTIES - 1), unique=True, max_size=DUTIES))
    split = draw(st.integers(0, len(targets)))
    mine = {t: draw(_edits) for t in targets[:split]}
    theirs = {t: draw(_edits) for t in targets[split:]}
    return mine, theirs


@settings(max_examples=40, deadline=None)
@given(_disjoint_edits(), st.booleans())
def test_disjoint_edits_merge_to_both_applied(edits, title_too):
    data = base_data(DUTIES)
    mine_data, theirs_data = _edited(data, edits[0]), _edited(data, edits[1])
    if title_too:
        mine_data["title"] = "Renamed on my side"
    both = _edited(mine_data, edits[1])
    merged = merge(model(data), model(mine_data), model(theirs_data))
    assert merged.clean, merged.conflicts
    assert merged.agreement is not None
    assert to_data(merged.agreement) == to_data(model(both))
    swapped = merge(model(data), model(theirs_data), model(mine_data))
    assert swapped.agreement is not None
    # Symmetric up to the order of items both sides inserted at one place: no other change.
    assert {c.kind for c in diff(merged.agreement, swapped.agreement)} <= {"moved"}


@settings(max_examples=20, deadline=None)
@given(_disjoint_edits())
def test_merging_with_itself_or_with_the_base_changes_nothing(edits):
    data = base_data(DUTIES)
    base, mine = model(data), model(_edited(data, edits[0]))
    assert merge(base, mine, mine).agreement == mine
    assert merge(base, mine, base).agreement == mine
    assert merge(base, base, mine).agreement == mine


def test_choices_settle_conflicts_one_by_one():
    data = base_data()

    def mine_edit(d):
        d.update(title="Mine", marking="Mine")

    def theirs_edit(d):
        d.update(title="Theirs", marking="Theirs")

    mine, theirs = edit(data, mine_edit), edit(data, theirs_edit)
    merged = merge(model(data), mine, theirs, choices={"$.title": "theirs", "$.marking": "mine"})
    assert merged.agreement is not None
    assert (merged.agreement.title, merged.agreement.marking) == ("Theirs", "Mine")
    partly = merge(model(data), mine, theirs, choices={"$.title": "theirs"})
    assert [c.path for c in partly.conflicts] == ["$.marking"]

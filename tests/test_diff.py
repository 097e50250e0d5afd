"""Semantic diff: items matched by key, moves kept apart from edits, prose diffed by word."""

from __future__ import annotations

import copy
import random
import typing
from typing import Any

import pytest

from mou.changes.diff import (
    ancestors,
    count_by_kind,
    diff,
    group_by_party,
    group_by_section,
    tokenize,
    word_diff,
)
from mou.model import Agreement
from mou.presets import preset
from mou.validate import validate_data


def _task_force() -> dict[str, Any]:
    data = preset("task_force", "metro-task-force", "Metro Task Force")
    data["responsibilities"] = [
        {"id": f"r{n}", "parties": ["party-a"], "text": f"Responsibility number {n}."}
        for n in range(1, 5)
    ]
    data["funding"]["cost_shares"] = [
        {"party": "party-a", "percent": 60},
        {"party": "party-b", "percent": 40},
    ]
    return data


def _pair(edit) -> tuple[Agreement, Agreement]:
    before = _task_force()
    after = copy.deepcopy(before)
    edit(after)
    return validate_data(before), validate_data(after)


def _kinds(changes) -> list[tuple[str, str]]:
    return [(c.kind, c.path) for c in changes]


def test_identical_agreements_have_no_changes():
    old, new = _pair(lambda d: None)
    assert diff(old, new) == []


def test_insert_at_top_edit_and_swap_are_one_add_one_edit_one_move():
    # Pins the positional-diff trap: an insert at the top must not cascade into edits.
    def edit(data):
        r1, r2, r3, r4 = data["responsibilities"]
        r3["text"] = "Responsibility number three, amended."
        new = {"id": "r0", "parties": ["party-b"], "text": "A new first duty."}
        data["responsibilities"] = [new, r2, r1, r3, r4]

    changes = diff(*_pair(edit))
    assert count_by_kind(changes) == {"added": 1, "removed": 0, "changed": 1, "moved": 1}
    kinds = dict((path, kind) for kind, path in _kinds(changes))
    assert kinds["$.responsibilities[id=r0]"] == "added"
    assert kinds["$.responsibilities[id=r3].text"] == "changed"
    moved = next(c for c in changes if c.kind == "moved")
    assert moved.path in ("$.responsibilities[id=r1]", "$.responsibilities[id=r2]")


def test_reversing_a_list_moves_all_but_one():
    def edit(data):
        data["responsibilities"].reverse()

    changes = diff(*_pair(edit))
    assert [c.kind for c in changes] == ["moved"] * 3


def test_moves_are_the_fewest_and_never_from_a_position_to_itself():
    # [E, S, D, A] -> [S, A, D, E]: S and D keep their order, so two moves are enough.
    def edit(data):
        e, s, d, a = data["responsibilities"]
        data["responsibilities"] = [s, a, d, e]

    moves = [c for c in diff(*_pair(edit)) if c.kind == "moved"]
    assert len(moves) == 2
    assert all(move.old != move.new for move in moves)
    assert "$.responsibilities[id=r1]" in {move.path for move in moves}


def test_removed_item_reports_its_old_data():
    def edit(data):
        del data["responsibilities"][1]

    (change,) = diff(*_pair(edit))
    assert (change.kind, change.path) == ("removed", "$.responsibilities[id=r2]")
    assert change.old["text"] == "Responsibility number 2."
    assert change.new is None


def test_nested_field_path_label_section_and_party():
    def edit(data):
        data["parties"][0]["signatories"][0]["title"] = "Sheriff"

    (change,) = diff(*_pair(edit))
    assert change.path == "$.parties[id=party-a].signatories[id=head].title"
    assert change.label == "Party PA › Signatory head › Title"
    assert change.section == "Parties"
    assert change.party == "party-a"
    assert (change.old, change.new) == ("[TITLE]", "Sheriff")


def test_an_item_whose_id_equals_its_party_id_keeps_its_own_name():
    # Pins a labelling trap: a signatory "party-a" inside party "party-a" is not the party.
    def edit(data):
        data["parties"][0]["signatories"][0].update(id="party-a", title="Chief")

    before = _task_force()
    before["parties"][0]["signatories"][0]["id"] = "party-a"
    after = copy.deepcopy(before)
    edit(after)
    (change,) = diff(validate_data(before), validate_data(after))
    assert change.label == "Party PA › Signatory party-a › Title"


def test_party_keyed_rows_match_by_party_and_name_it():
    def edit(data):
        data["funding"]["cost_shares"] = [
            {"party": "party-b", "percent": 50},
            {"party": "party-a", "percent": 50},
        ]

    changes = diff(*_pair(edit))
    assert count_by_kind(changes) == {"added": 0, "removed": 0, "changed": 2, "moved": 1}
    percent = next(c for c in changes if c.path == "$.funding.cost_shares[party=party-a].percent")
    assert (percent.old, percent.new, percent.party) == (60, 50, "party-a")
    assert percent.label == "Funding › Cost share PA › Percent"
    assert percent.section == "Funding"


def test_renamed_acronym_labels_with_the_new_acronym():
    def edit(data):
        data["parties"][1]["acronym"] = "CCSO"
        data["parties"][1]["legal_name"] = "County Sheriff"

    changes = diff(*_pair(edit))
    assert {c.label for c in changes} == {"Party CCSO › Acronym", "Party CCSO › Legal name"}


def test_scalars_dates_and_enums_are_old_to_new():
    def edit(data):
        data["term"]["effective_rule"] = "fixed_date"
        data["term"]["effective_date"] = "2027-01-01"
        data["evaluation"]["reporting_frequency"] = "quarterly"

    changes = {c.path: c for c in diff(*_pair(edit))}
    assert changes["$.term.effective_rule"].old == "last_signature"
    assert changes["$.term.effective_date"].kind == "added"
    assert changes["$.term.effective_date"].new == "2027-01-01"
    assert changes["$.evaluation.reporting_frequency"].new == "quarterly"


def test_whole_section_added_and_removed():
    def edit(data):
        data["governance"] = {
            "board_name": "Executive Board",
            "seats": [{"party": "party-a", "seats": 1, "votes": 1}],
            "quorum": "a majority",
            "vote_threshold": "a majority",
            "meeting_frequency": "quarterly",
        }
        del data["operations"]

    changes = {c.path: c for c in diff(*_pair(edit))}
    assert changes["$.governance"].kind == "added"
    assert changes["$.governance"].new["board_name"] == "Executive Board"
    assert changes["$.operations"].kind == "removed"
    assert len(changes) == 2


def test_word_diff_on_a_long_field_reports_only_the_changed_words():
    rng = random.Random(6)
    vocabulary = ["agency", "shall", "the", "records", "party", "notice", "of", "and", "to"]
    words = [rng.choice(vocabulary) for _ in range(2000)]
    old_text = " ".join(words)
    changed = {150: "Commissioner", 1000: "$12,500.00", 1999: "§ 1535"}
    new_words = [changed.get(n, w) for n, w in enumerate(words)]

    def edit(data):
        data["purpose"] = " ".join(new_words)

    before = _task_force()
    before["purpose"] = old_text
    after = copy.deepcopy(before)
    edit(after)
    (change,) = diff(validate_data(before), validate_data(after))
    deleted = [w.text.strip() for w in change.words if w.op == "delete"]
    inserted = [w.text.strip() for w in change.words if w.op == "insert"]
    assert inserted == ["Commissioner", "$12,500.00", "§ 1535"]
    assert deleted == [words[150], words[1000], words[1999]]
    assert "".join(w.text for w in change.words if w.op != "insert") == old_text


def test_tokens_keep_numbers_money_and_sections_whole():
    tokens = [t.strip() for t in tokenize("Pay $1,000.00 within 3.5 days under § 12, or 100%.")]
    assert tokens == ["Pay", "$1,000.00", "within", "3.5", "days", "under", "§ 12", ",", "or",
                      "100%", "."]  # fmt: skip


def test_word_diff_rebuilds_both_texts():
    old = "  Leading space.\nSecond line — with a dash and $3.50 fee."
    new = "Leading space!\nSecond line with a $4.50 fee and more."
    ops = word_diff(old, new)
    assert "".join(w.text for w in ops if w.op != "insert") == old
    assert "".join(w.text for w in ops if w.op != "delete") == new


def test_lines_list_is_diffed_by_word():
    def edit(data):
        data["supersedes"] = ["MOU 2019-04 of the Metro Task Force"]

    before = _task_force()
    before["supersedes"] = ["MOU 2018-04 of the Metro Task Force"]
    after = copy.deepcopy(before)
    edit(after)
    (change,) = diff(validate_data(before), validate_data(after))
    assert [(w.op, w.text.strip()) for w in change.words if w.op != "equal"] == [
        ("delete", "2018-04"),
        ("insert", "2019-04"),
    ]


def test_groups_by_section_in_document_order_and_by_party():
    def edit(data):
        data["term"]["withdrawal_notice_days"] = 60
        data["parties"][1]["legal_name"] = "City of Metro"
        data["title"] = "Metro Regional Task Force"

    changes = diff(*_pair(edit))
    assert list(group_by_section(changes)) == ["Title block", "Parties", "Term"]
    assert {k: len(v) for k, v in group_by_party(changes).items()} == {None: 2, "party-b": 1}


def test_change_as_json_round_trips_through_json():
    import json

    def edit(data):
        data["purpose"] = "A new purpose."

    (change,) = diff(*_pair(edit))
    data = json.loads(json.dumps(change.as_json()))
    assert data["kind"] == "changed"
    assert "".join(w["text"] for w in data["words"] if w["op"] != "delete") == "A new purpose."


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.title", ["$"]),
        ("$.parties[id=a].signatories[id=b].title",
         ["$", "$.parties", "$.parties[id=a]", "$.parties[id=a].signatories",
          "$.parties[id=a].signatories[id=b]"]),
    ],
)  # fmt: skip
def test_ancestors_of_key_based_paths(path, expected):
    assert ancestors(path) == expected


def _models_in(model, seen=None):
    import typing

    from pydantic import BaseModel

    seen = seen if seen is not None else {}
    if model in seen:
        return seen
    seen[model] = True
    for info in model.model_fields.values():
        for arg in (*typing.get_args(info.annotation), info.annotation):
            inner = typing.get_args(arg) or (arg,)
            for candidate in inner:
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    _models_in(candidate, seen)
    return list(seen)


@pytest.mark.parametrize("model", _models_in(Agreement), ids=lambda m: m.__name__)
def test_every_list_of_items_in_the_model_has_a_key_to_match_by(model):
    # Guards the id-not-position principle: a new list without keys would be diffed by position.
    from mou.changes.diff import _field_kinds

    for name, kind in _field_kinds(model).items():
        if kind == "items":
            annotation = model.model_fields[name].annotation
            (item,) = [a for a in typing.get_args(annotation) if isinstance(a, type)]
            assert item.key_field, f"{model.__name__}.{name} items have no key_field"


def test_value_at_follows_key_based_paths():
    from mou.changes.diff import value_at

    agreement = validate_data(_task_force())
    assert value_at(agreement, "$.parties[id=party-b].acronym") == "PB"
    assert value_at(agreement, "$.funding.cost_shares[party=party-a].percent") == 60
    assert value_at(agreement, "$.responsibilities[id=r2]")["text"] == "Responsibility number 2."
    assert value_at(agreement, "$.responsibilities[id=nope].text") is None
    assert value_at(agreement, "$.governance.board_name") is None

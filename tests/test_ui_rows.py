"""The wizard's pure conversions: paths, ids of new rows, tables <-> lists, merging."""

from __future__ import annotations

import math

import pytest

from mou.presets import preset
from mou.ui.rows import (
    Column,
    Table,
    from_rows,
    get_in,
    in_words,
    json_path,
    move_item,
    new_party,
    party_labels,
    place,
    remove_party_references,
    set_in,
    slugify,
    to_rows,
    typed_first,
)
from mou.validate import validate_data

METRICS = Table(
    ("goals", 0, "metrics"),
    (Column("name", "Metric"), Column("target", "Target", kind="float")),
    name_field="name",
)
SHARES = Table(
    ("funding", "cost_shares"),
    (Column("party", "Party", kind="party"), Column("percent", "Percent", kind="float")),
    key_field=None,
)


def test_json_path_matches_the_paths_validation_reports():
    assert json_path(("parties", 0, "legal_name")) == "$.parties[0].legal_name"
    assert json_path(()) == "$"


def test_get_in_returns_default_for_any_missing_step():
    data = {"parties": [{"id": "a"}]}
    assert get_in(data, ("parties", 0, "id")) == "a"
    assert get_in(data, ("parties", 3, "id"), "none") == "none"
    assert get_in(data, ("term", "notice_method")) is None


def test_set_in_creates_parents_and_blank_removes_the_key():
    data: dict = {}
    set_in(data, ("term", "notice_method"), "by mail")
    assert data == {"term": {"notice_method": "by mail"}}
    set_in(data, ("term", "notice_method"), "")
    assert data == {"term": {}}
    set_in(data, ("funding", "each_party_bears_own_costs"), False)
    assert data["funding"] == {"each_party_bears_own_costs": False}  # False is a value


def test_set_in_keeps_text_exactly_as_typed():
    # Nothing typed is ever altered: no stripping, no normalising.
    data: dict = {}
    text = "  {{ x }} & <b>  \n second line "
    set_in(data, ("purpose",), text)
    assert data["purpose"] == text


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Executive Board of the Task Force", [], "executive-board-of-the-task-force"),
        ("Overtime", ["overtime"], "overtime-2"),
        ("Overtime", ["overtime", "overtime-2"], "overtime-3"),
        ("../../etc/passwd", [], "etc-passwd"),
        ("§§ ++ !!", [], "item"),
        ("Ünïcödé Straße", [], "n-c-d-stra-e"),
    ],
)
def test_slugify_gives_safe_unique_ids(name, taken, expected):
    assert slugify(name, taken) == expected


def test_slugify_caps_the_length():
    assert len(slugify("word " * 40)) <= 48


def test_rows_round_trip_keeps_ids_order_and_hidden_fields():
    goal_metrics = [
        {"id": "shootings", "name": "Shootings", "unit": "incidents", "target": 40},
        {"id": "clearance", "name": "Clearance", "unit": "%", "target": 60.5},
    ]
    rows = to_rows(goal_metrics, METRICS)
    assert rows[0] == {"id": "shootings", "name": "Shootings", "target": 40}
    back = from_rows(rows, goal_metrics, METRICS)
    assert back == goal_metrics  # "unit" is not a column, yet it survives


def test_new_row_gets_a_unique_slug_id_from_its_name():
    previous = [{"id": "shootings", "name": "Shootings", "target": 40}]
    rows = [*to_rows(previous, METRICS), {"id": None, "name": "Shootings", "target": 12.0}]
    items = from_rows(rows, previous, METRICS)
    assert [i["id"] for i in items] == ["shootings", "shootings-2"]
    assert items[1]["target"] == 12  # a whole float is written as a whole number


def test_renamed_row_keeps_its_id():
    previous = [{"id": "shootings", "name": "Shootings", "target": 40}]
    rows = [{"id": "shootings", "name": "Non-fatal shootings", "target": 40}]
    assert from_rows(rows, previous, METRICS)[0]["id"] == "shootings"


def test_deleted_and_blank_rows_disappear():
    previous = [{"id": "a", "name": "A", "target": 1}, {"id": "b", "name": "B", "target": 2}]
    rows = [to_rows(previous, METRICS)[1], {"id": None, "name": None, "target": math.nan}]
    assert from_rows(rows, previous, METRICS) == [{"id": "b", "name": "B", "target": 2}]


def test_cleared_cell_removes_the_field_so_validation_names_it():
    previous = [{"id": "a", "name": "A", "target": 1}]
    rows = [{"id": "a", "name": "", "target": 1.0}]
    assert from_rows(rows, previous, METRICS) == [{"id": "a", "target": 1}]


def test_rows_keyed_by_party_have_no_id_column():
    shares = [{"party": "ccso", "percent": 60}, {"party": "city", "percent": 40}]
    rows = to_rows(shares, SHARES)
    assert rows == shares
    assert from_rows(rows, shares, SHARES) == shares


def test_parties_column_defaults_to_an_empty_pick():
    table = Table(("authorities",), (Column("parties", "Parties", kind="parties"),))
    assert to_rows([{"id": "a"}], table) == [{"id": "a", "parties": []}]


def test_new_party_id_comes_from_the_acronym_and_is_unique():
    data = preset("task_force", "tf-one", "Task force")
    party = new_party(data, "Columbia County Sheriff's Office", "PA")
    assert party == {"id": "pa", "legal_name": "Columbia County Sheriff's Office", "acronym": "PA"}
    assert new_party(data, "Another", "party-a")["id"] == "party-a-2"


def test_party_labels_show_acronyms():
    data = preset("mutual_aid", "aid-one", "Aid")
    assert party_labels(data) == {"party-a": "PA", "party-b": "PB"}


def test_removing_a_party_removes_its_references():
    data = preset("task_force", "tf-one", "Task force")
    data["responsibilities"] = [{"id": "r", "text": "Do it", "parties": ["party-a", "party-b"]}]
    remove_party_references(data, "party-a")
    assert data["responsibilities"][0]["parties"] == ["party-b"]


def test_preset_data_survives_the_table_round_trip_and_stays_valid():
    data = preset("task_force", "tf-one", "Task force")
    signatories = Table(
        ("parties", 0, "signatories"),
        (Column("name", "Name"), Column("title", "Title")),
        name_field="name",
    )
    items = data["parties"][0]["signatories"]
    data["parties"][0]["signatories"] = from_rows(to_rows(items, signatories), items, signatories)
    validate_data(data)


def test_place_names_a_path_in_words():
    data = {
        "goals": [{"id": "g", "title": "Fewer shootings", "metrics": []}],
        "parties": [{"id": "p", "acronym": "CCSO"}],
    }
    assert place("$.goals[0].metrics", data) == "Goals › Fewer shootings › Metrics"
    assert place("$.parties[0].point_of_contact.email", data) == (
        "Parties › CCSO › Point of contact › Email"
    )
    assert place("$.parties[5].acronym", data) == "Parties › item 6 › Acronym"
    assert place("$", data) == "The agreement"


def test_a_data_editor_s_edit_state_applies_as_the_editor_shows_it():
    import pandas as pd

    from mou.ui.fields import apply_edits

    frame = pd.DataFrame({"id": ["a", "b", "c"], "name": ["Alpha", "Bravo", "Charlie"]})
    state = {
        "edited_rows": {0: {"name": "Alpha, renamed"}, 2: {"name": "Charlie, renamed"}},
        "deleted_rows": [1],
        "added_rows": [{"name": "Delta"}],
    }
    shown = apply_edits(frame, state).to_dict("records")
    assert [row["name"] for row in shown] == ["Alpha, renamed", "Charlie, renamed", "Delta"]
    assert [row["id"] for row in shown][:2] == ["a", "c"] and pd.isna(shown[2]["id"])
    assert frame["name"].tolist() == ["Alpha", "Bravo", "Charlie"]  # the frozen copy is kept


@pytest.mark.parametrize(
    ("index", "offset", "order", "new_index"),
    [
        (2, -2, ["c", "a", "b"], 0),  # make first
        (1, -1, ["b", "a", "c"], 0),
        (1, 1, ["a", "c", "b"], 2),
        (2, 1, ["a", "b", "c"], 2),  # already last: stays
    ],
)
def test_a_party_moves_within_the_list(index, offset, order, new_index):
    items = ["a", "b", "c"]
    assert move_item(items, index, offset) == new_index
    assert items == order


def test_an_option_comes_before_the_options_whose_labels_contain_it():
    frequencies = ["monthly", "quarterly", "semiannual", "annual", "per_event"]
    assert typed_first(frequencies, str.title) == [
        "monthly",
        "quarterly",
        "annual",
        "semiannual",
        "per_event",
    ]
    assert typed_first(["PAB", "XPA", "PA", "B"], str) == ["PA", "B", "PAB", "XPA"]


def test_problem_messages_are_put_in_the_words_of_the_wizard():
    data = {"parties": [{"id": "party-a", "acronym": "CC"}]}
    said = in_words("CC has no responsibility; add one under $.responsibilities", data)
    assert said == "CC has no responsibility; add one under “Responsibilities”"
    assert in_words("required when effective_rule is fixed_date", data) == (
        "required when effective rule is fixed date"
    )
    assert in_words("needs at least 1 item", data) == "needs at least one entry"
    assert in_words("see $.parties[0].point_of_contact", data) == (
        "see “Parties › CC › Point of contact”"
    )
    assert in_words('"a_b@x" is not a valid e-mail address', data).startswith('"a_b@x"')

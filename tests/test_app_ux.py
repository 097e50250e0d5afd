"""The wizard keeps what is typed and shows what is wrong (issue 16), through Streamlit's AppTest.

Each test drives the app as a liaison would: a choice nobody made stays unmade, a new
agreement not yet saved can be found again, a removed party comes back with Undo,
problems are listed at once in the words of the field labels.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

from streamlit.testing.v1 import AppTest

from tests.test_app import (
    _submit,
    assert_clean,
    draft_of,
    fill_blanks,
    goto,
    key,
    open_agreement,
    ready_data,
    start,
    texts,
    titles,
    with_agreement,
    workspace,
)

__all__ = ["with_agreement", "workspace"]  # fixtures used below


def add_party(at: AppTest, name: str, acronym: str) -> AppTest:
    """Add a party by its name and acronym on the Parties step."""
    at.text_input(key=key(at, "$.parties::new-name")).set_value(name)
    at.text_input(key=key(at, "$.parties::new-acronym")).set_value(acronym)
    return _submit(at, "Add party")


def test_a_new_party_has_no_level_until_one_is_chosen(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "parties")
    add_party(at, "Riverton Youth League", "RYL")
    assert at.text_input(key=key(at, "$.parties[2].legal_name")).value == "Riverton Youth League"
    level = at.selectbox(key=key(at, "$.parties[2].level"))
    assert level.value is None
    assert "level" not in draft_of(at).data["parties"][2]
    assert "required: fill it in" in texts(at)  # beneath Level
    level.set_value("community").run()
    assert draft_of(at).data["parties"][2]["level"] == "community"
    assert_clean(at)


def test_a_new_reimbursement_leaves_invoices_and_payer_to_the_user(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "resources")
    at.segmented_control(key=key(at, "resources::part")).set_value("Reimbursements").run()
    at.text_input(key=key(at, "$.funding::new-r")).set_value("Overtime")
    _submit(at, "Add reimbursement")
    item = draft_of(at).data["funding"]["reimbursements"][0]
    assert item == {"id": "overtime", "title": "Overtime"}
    payer = "$.funding.reimbursements[0].payer"
    at.selectbox(key=f"{key(at, payer)}::kind::").set_value("party").run()
    assert at.selectbox(key=key(at, f"{payer}.party")).value is None
    assert draft_of(at).data["funding"]["reimbursements"][0]["payer"] == {}
    assert at.selectbox(key=key(at, "$.funding.reimbursements[0].invoice_frequency")).value is None
    assert_clean(at)


def create(at: AppTest, agreement_id: str, title: str) -> AppTest:
    goto(at, "agreements")
    at.selectbox(key="new-type").set_value("community_partnership")
    at.text_input(key="new-title").set_value(title)
    at.text_input(key="new-id").set_value(agreement_id)
    return _submit(at, "Create from preset")


def test_an_unsaved_new_agreement_is_listed_and_opens_again(with_agreement):
    at = create(start(), "lake-partnership", "Lake Partnership")
    at.text_area(key=key(at, "$.purpose")).set_value("Safer lake shore.").run()
    open_agreement(at, "river-partnership")
    goto(at, "agreements")
    listed = at.dataframe[0].value
    assert set(listed["id"]) == {"river-partnership", "lake-partnership"}
    row = listed[listed["id"] == "lake-partnership"].iloc[0]
    assert (row["title"], row["changed"]) == (
        "Lake Partnership",
        "not saved yet (this browser session)",
    )
    at.text_input(key="list-search").set_value("lake").run()
    open_agreement(at, "lake-partnership")
    assert titles(at) == ["Basics"]
    assert at.text_area(key=key(at, "$.purpose")).value == "Safer lake shore."
    create(at, "lake-partnership", "Lake Partnership again")
    assert "open it from the list above" in texts(at)
    assert_clean(at)


def test_removing_a_party_can_be_undone_with_its_references(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "parties")
    before = draft_of(at).data
    kept = {"goals": before["goals"], "responsibilities": before["responsibilities"]}
    kept = copy.deepcopy(kept)
    _submit(at, "Remove this party")
    removed = draft_of(at).data
    assert [p["acronym"] for p in removed["parties"]] == ["CR"]
    assert removed["responsibilities"][0]["parties"] == ["party-b"]
    assert "Removed the party “CC”" in texts(at)
    _submit(at, "Undo")
    restored = draft_of(at).data
    assert [p["acronym"] for p in restored["parties"]] == ["CC", "CR"]
    assert {k: restored[k] for k in kept} == kept
    assert at.text_input(key=key(at, "$.parties[0].legal_name")).value == "Columbia County"
    assert not draft_of(at).dirty
    assert_clean(at)


def test_undo_is_withdrawn_once_the_draft_changes_again(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "goals")
    _submit(at, "Remove this goal")
    assert "Removed the goal “Fewer shootings”" in texts(at)
    at.text_input(key=key(at, "$.goals::new")).set_value("Safer parks")
    _submit(at, "Add goal")
    assert not any(b.label == "Undo" for b in at.button)
    assert at.text_input(key=key(at, "$.goals[0].title")).value == "Safer parks"
    assert [g["title"] for g in draft_of(at).data["goals"]] == ["Safer parks"]


def test_discarding_asks_first(with_agreement):
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("Scratch title").run()
    goto(at, "review")
    assert at.button(key="discard").disabled
    at.checkbox(key="discard-sure").check().run()
    _submit(at, "Discard my changes")
    assert draft_of(at).data["title"] == "River Partnership"


def broken_data() -> dict:
    """A partnership with a problem of every layer: e-mails, a control character, the dates,
    and a party with no responsibility."""
    data = ready_data()
    data["parties"][0]["point_of_contact"]["email"] = "jane@@county"
    data["parties"][1]["notice_addressee"]["email"] = "not an email"
    data["term"].update(
        effective_rule="fixed_date", effective_date="2027-01-01", expiration_date="2026-01-01"
    )
    data["responsibilities"][0]["parties"] = ["party-a"]
    return data


def test_review_lists_every_problem_at_once_each_once_in_plain_words(with_agreement):
    at = open_agreement(start(), "river-partnership")
    draft = draft_of(at)
    draft.data = broken_data()
    draft.data["purpose"] = "Reduce\x07 serious violence."
    draft.touch()
    goto(at, "review")
    badged = [m.value for m in at.markdown if "-badge[Error]" in m.value]
    checklist = [re.sub(r"\\(.)", r"\1", line) for line in badged]  # Markdown escapes
    said = "\n".join(checklist)
    for expected in (
        "jane@@county",
        "not an email",
        "control character U+0007",
        "is not after the effective date",
        "CR has no responsibility",
    ):
        assert sum(expected in line for line in checklist) == 1, (expected, said)
    assert "$." not in said and "_" not in said, said
    assert "Not ready for signature: 5 errors" in texts(at)
    fix = [b.label for b in at.button if b.label.startswith("Fix in")]
    assert fix[-1] == "Fix in Roles"  # CR's missing responsibility is fixed under Roles
    assert_clean(at)


def test_a_problem_shown_beside_its_field_is_not_listed_again_on_the_step(with_agreement):
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("River\x07 Partnership").run()
    said = texts(at)
    assert said.count("control character U+0007") == 1, said
    assert "in other parts of this step" not in said


def test_after_a_save_the_page_says_saved_and_nothing_else(workspace):
    at = fill_blanks(create(start(), "lake-partnership", "Lake Partnership"))
    goto(at, "review")
    at.text_input(key="save-message").set_value("First draft")
    at.text_input(key="save-name").set_value("Alice Liaison")
    at.text_input(key="save-email").set_value("alice@county.example.gov")
    _submit(at, "Save revision")
    said = texts(at)
    assert "Saved as revision" in said
    assert "not saved yet" not in said and "Unsaved changes" not in said
    at.run()
    assert "Saved as revision" not in texts(at)  # said once


def test_an_effective_date_in_the_past_is_pointed_out(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "term")
    date = at.date_input(key=key(at, "$.term.effective_date"))
    date.set_value(dt.date(2019, 1, 1)).run()
    assert "2019-01-01 has already passed" in texts(at)
    at.date_input(key=key(at, "$.term.effective_date")).set_value(dt.date(2199, 1, 1)).run()
    assert "has already passed" not in texts(at)
    assert_clean(at)

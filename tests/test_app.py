"""The wizard driven through Streamlit's AppTest against real git workspaces.

Every page renders; a new agreement is filled in from scratch through the steps,
saved as one commit and exported; bad input is named and never saved; two
sessions editing one agreement are two users, and the second save is a conflict.
"""

from __future__ import annotations

import copy
import html
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from mou.model import to_data
from mou.presets import preset
from mou.store.create import init_workspace
from mou.store.workspace import Author, Workspace
from mou.ui.pages import export, history
from mou.ui.state import Draft
from mou.validate import validate_data
from tests.support.histories import commit_raw
from tests.support.pdfs import text_pdf
from tests.support.runner import ROOT, snapshot

APP = str(ROOT / "app.py")
ALICE = Author("Alice Liaison", "alice@county.example.gov")
DRAFT_PAGES = [
    "Basics",
    "Parties and signatories",
    "Shared goals and metrics",
    "Roles and responsibilities",
    "Resources and funding",
    "Information sharing",
    "Operations, governance and evaluation",
    "Term, liability and general provisions",
    "Exhibits",
    "Review and save",
    "History",
    "Signatures",
    "Measurements",
    "Export",
    "Partner's returned copy",
]


# --------------------------------------------------------------------------- helpers


def ready_data(agreement_id: str = "river-partnership", title: str = "River Partnership") -> dict:
    """A complete community partnership that passes every readiness rule."""
    data = preset("community_partnership", agreement_id, title)
    data["purpose"] = "Reduce serious violence along the river corridor."
    data["general"]["governing_law"] = "the laws of the State of Columbia"
    for party, (name, acronym) in zip(
        data["parties"], [("Columbia County", "CC"), ("City of Riverton", "CR")], strict=True
    ):
        party.update(legal_name=name, acronym=acronym)
        party["address"].update(street="1 Main St", city="Riverton", state="CO")
        for contact in ("point_of_contact", "notice_addressee"):
            party[contact].update(name=f"Contact of {acronym}", title="Coordinator")
        party["signatories"] = [{"id": "head", "name": f"Head of {acronym}", "title": "Chief"}]
    metric = {
        "id": "shootings",
        "name": "Shootings",
        "unit": "incidents per year",
        "baseline": 40,
        "target": 30,
        "frequency": "annual",
        "data_source": "RMS",
    }
    data["goals"] = [
        {
            "id": "fewer-shootings",
            "title": "Fewer shootings",
            "owners": ["party-a", "party-b"],
            "metrics": [metric],
        }
    ]
    data["responsibilities"] = [
        {"id": "outreach", "text": "Run street outreach.", "parties": ["party-a", "party-b"]}
    ]
    return data


def commit(root: Path, data: dict, message: str = "Add agreement", author: Author = ALICE) -> str:
    """Save agreement data into the workspace; return its revision."""
    with Workspace(root) as ws:
        return ws.save(validate_data(data), message, author).revision


def saved_data(root: Path, agreement_id: str) -> dict:
    with Workspace(root) as ws:
        return to_data(ws.load(agreement_id).agreement)


def revisions(root: Path, agreement_id: str) -> list[Any]:
    with Workspace(root) as ws:
        return ws.history(agreement_id) if agreement_id in ws.ids() else []


def start() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def goto(at: AppTest, slug: str) -> AppTest:
    # AppTest.switch_page() resolves only file-backed pages; ours are functions, so the
    # page is requested by its url_path hash, the way a browser's URL requests it.
    at._page_hash = calc_hash(slug)
    at.run()
    at._page_hash = ""  # later runs stay where the app's own navigation leaves them
    return at


def open_agreement(at: AppTest, agreement_id: str) -> AppTest:
    goto(at, "agreements")
    at.selectbox(key="list-open").set_value(agreement_id)
    return at.button(key="list-open-button").click().run()


def history_tab(at: AppTest, label: str) -> AppTest:
    """Open a tab of the History page (only the open one is drawn), as a click on it does."""
    at.session_state["hist-tab"] = label
    return at.run()


def next_page(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Next").click().run()


def draft_of(at: AppTest) -> Draft:
    return at.session_state["mou_drafts"][at.session_state["mou_open_id"]]


def key(at: AppTest, path: str) -> str:
    return draft_of(at).key(path)


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def texts(at: AppTest) -> str:
    """Everything the page says in Markdown, alerts and captions, as one string."""
    parts = [
        e.value
        for kind in ("markdown", "error", "warning", "info", "success", "caption")
        for e in getattr(at, kind)
    ]
    # Markdown escapes (\\. \\-) keep user text from turning into formatting; drop them.
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def shown_html(at: AppTest) -> str:
    """The HTML blocks on the page (the change lists), entities decoded."""
    return html.unescape("".join(h.value for h in at.get("html")))


def save(
    at: AppTest, message: str, name: str = "Alice Liaison", email: str = "alice@county.example.gov"
) -> AppTest:
    goto(at, "review")
    at.text_input(key="save-message").set_value(message)
    at.text_input(key="save-name").set_value(name)
    at.text_input(key="save-email").set_value(email)
    return next(b for b in at.button if b.label == "Save revision").click().run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """An empty git workspace, chosen with MOU_WORKSPACE as a user would."""
    root = tmp_path / "workspace"
    init_workspace(root)
    monkeypatch.setenv("MOU_WORKSPACE", str(root))
    return root


@pytest.fixture
def with_agreement(workspace) -> Path:
    commit(workspace, ready_data())
    return workspace


# --------------------------------------------------------------------------- pages


def test_agreements_page_lists_searches_and_filters(workspace):
    commit(workspace, ready_data())
    commit(workspace, preset("mutual_aid", "valley-mutual-aid", "Valley Mutual Aid"))
    at = start()
    assert_clean(at)
    assert titles(at) == ["Agreements"]
    table = at.dataframe[0].value
    assert set(table["id"]) == {"river-partnership", "valley-mutual-aid"}
    assert "Alice Liaison" in table["changed"].iloc[0]
    assert set(table["parties"]) == {"CC, CR", "PA, PB"}
    at.text_input(key="list-search").set_value("valley").run()
    assert list(at.dataframe[0].value["id"]) == ["valley-mutual-aid"]
    at.text_input(key="list-search").set_value("").run()
    at.multiselect(key="list-type").set_value(["Community partnership"]).run()
    assert list(at.dataframe[0].value["id"]) == ["river-partnership"]


def test_every_page_renders_in_order_for_an_open_agreement(with_agreement):
    at = open_agreement(start(), "river-partnership")
    seen = [titles(at)[0]]
    while any(b.label == "Next" for b in at.button):
        next_page(at)
        assert_clean(at)
        seen.append(titles(at)[0])
    assert seen == DRAFT_PAGES


def test_draft_pages_without_an_open_agreement_point_to_the_list(workspace):
    at = start()
    for slug in ("basics", "parties", "review", "history", "measurements", "export"):
        goto(at, slug)
        assert_clean(at)
        assert titles(at) == ["No agreement open"]


def test_new_agreement_filled_from_scratch_is_saved_as_one_commit_and_exported(workspace):
    at = start()
    at.selectbox(key="new-type").set_value("community_partnership")
    at.text_input(key="new-title").set_value("River Partnership")
    at.text_input(key="new-id").set_value("river-partnership")
    _submit(at, "Create from preset")
    assert titles(at) == ["Basics"]
    _fill_every_step(at)
    goto(at, "review")
    assert "Every readiness rule passes" in texts(at), texts(at)
    save(at, "First draft of the river partnership")
    assert_clean(at)
    assert "Saved as revision" in texts(at)
    history = revisions(workspace, "river-partnership")
    assert [(r.author, r.email, r.message.strip()) for r in history] == [
        ("Alice Liaison", "alice@county.example.gov", "First draft of the river partnership")
    ]
    assert saved_data(workspace, "river-partnership") == draft_of(at).data
    assert "Saved]" in at.sidebar.markdown[0].value
    goto(at, "history")
    assert history[0].sha[:8] in at.dataframe[0].value["revision"].tolist()
    goto(at, "export")
    assert_clean(at)
    assert f"Revision {history[0].sha[:8]} passes the readiness rules" in texts(at)
    assert [b.label for b in at.get("download_button")][:1] == ["Download .docx"]


def fill_blanks(at: AppTest) -> AppTest:
    """Give a new agreement what its preset left blank (names, contacts, governing law):
    the values of :func:`ready_data`, so it can be saved."""
    draft = draft_of(at)
    draft.data = ready_data(draft.agreement_id, draft.data["title"])
    draft.touch()
    draft.generation += 1  # the fields start again from the draft, as after a reload
    return at.run()


def _submit(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def _fill_every_step(at: AppTest) -> None:
    """Type a complete community partnership through the wizard's fields and tables."""
    at.text_area(key=key(at, "$.purpose")).set_value("Reduce serious violence.").run()
    next_page(at)  # parties
    for index, (name, acronym) in enumerate([("Columbia County", "CC"), ("Riverton", "CR")]):
        at.segmented_control(key=key(at, "$.parties::focus")).set_value(index).run()
        _fill_party(at, index, name, acronym)
    next_page(at)  # goals
    at.text_input(key=key(at, "$.goals::new")).set_value("Fewer shootings")
    at.multiselect(key=key(at, "$.goals::new-parties")).set_value(["party-a", "party-b"])
    _submit(at, "Add goal")
    assert at.multiselect(key=key(at, "$.goals[0].owners")).value == ["party-a", "party-b"]
    metric = {
        "name": "Shootings",
        "unit": "incidents",
        "baseline": 40.0,
        "target": 30.0,
        "frequency": "annual",
        "data_source": "Records system",
    }
    _edit_table(at, "$.goals[0].metrics", added=[metric])
    next_page(at)  # roles
    at.text_area(key=key(at, "$.responsibilities::new")).set_value("Run street outreach.")
    at.multiselect(key=key(at, "$.responsibilities::new-parties")).set_value(["party-a", "party-b"])
    _submit(at, "Add responsibility")
    goto(at, "term")
    at.segmented_control(key=key(at, "term::part")).set_value("General provisions").run()
    at.text_input(key=key(at, "$.general.governing_law")).set_value("the laws of Columbia").run()
    assert_clean(at)


def _fill_party(at: AppTest, index: int, name: str, acronym: str) -> None:
    p = f"$.parties[{index}]"
    values = {
        f"{p}.legal_name": name,
        f"{p}.acronym": acronym,
        f"{p}.address.street": "1 Main St",
        f"{p}.address.city": "Riverton",
        f"{p}.address.state": "CO",
        f"{p}.address.postal_code": "80202",
    }
    for contact in ("point_of_contact", "notice_addressee"):
        values[f"{p}.{contact}.name"] = f"Contact of {acronym}"
        values[f"{p}.{contact}.title"] = "Coordinator"
        values[f"{p}.{contact}.email"] = f"{acronym.lower()}@riverton.example.gov"
    for path, value in values.items():
        at.text_input(key=key(at, path)).set_value(value)
    at.selectbox(key=key(at, f"{p}.level")).set_value("county")
    at.run()
    _edit_table(at, f"{p}.signatories", added=[{"name": f"Head of {acronym}", "title": "Chief"}])


def table_key(at: AppTest, path: str) -> str:
    """The key of the table editing ``path`` (it changes when rows are added by a form)."""
    base = key(at, path)
    try:
        return f"{base}#{at.session_state[base + '::epoch']}"
    except KeyError:
        return f"{base}#0"


def _edit_table(at: AppTest, path: str, *, edited=None, added=None) -> None:
    # AppTest cannot type into st.data_editor; assigning its edit state is what the
    # browser sends after the user edits cells or adds rows.
    at.session_state[table_key(at, path)] = {
        "edited_rows": edited or {},
        "added_rows": added or [],
        "deleted_rows": [],
    }
    at.run()


# --------------------------------------------------------------------------- draft state


def test_moving_between_steps_pages_and_agreements_loses_nothing(workspace):
    commit(workspace, ready_data())
    commit(workspace, ready_data("lake-partnership", "Lake Partnership"))
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("River Partnership, revised").run()
    next_page(at)
    next(b for b in at.button if b.label == "Back").click().run()
    assert at.text_input(key=key(at, "$.title")).value == "River Partnership, revised"
    assert "Unsaved changes" in at.sidebar.markdown[0].value
    goto(at, "agreements")
    assert "Unsaved changes in `river-partnership`" in texts(at)
    open_agreement(at, "lake-partnership")
    assert at.text_input(key=key(at, "$.title")).value == "Lake Partnership"
    open_agreement(at, "river-partnership")
    assert at.text_input(key=key(at, "$.title")).value == "River Partnership, revised"
    assert saved_data(workspace, "river-partnership")["title"] == "River Partnership"


def test_table_edits_keep_ids_and_survive_leaving_the_step(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "goals")
    metric = {
        "name": "Homicides",
        "unit": "per year",
        "target": 5.0,
        "frequency": "annual",
        "data_source": "RMS",
    }
    _edit_table(
        at, "$.goals[0].metrics", edited={0: {"name": "Non-fatal shootings"}}, added=[metric]
    )
    metrics = draft_of(at).data["goals"][0]["metrics"]
    assert [(m["id"], m["name"]) for m in metrics] == [
        ("shootings", "Non-fatal shootings"),
        ("homicides", "Homicides"),
    ]
    next_page(at)
    goto(at, "goals")
    table = at.data_editor(key=table_key(at, "$.goals[0].metrics")).value
    assert table["name"].tolist() == ["Non-fatal shootings", "Homicides"]


def test_switching_an_optional_section_off_and_on_keeps_what_was_typed(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "operations")
    at.segmented_control(key=key(at, "operations::part")).set_value("Training").run()
    at.toggle(key=key(at, "$.training::on")).set_value(True).run()
    at.text_area(key=key(at, "$.training.host_rotation")).set_value("Yearly rotation").run()
    at.toggle(key=key(at, "$.training::on")).set_value(False).run()
    assert "training" not in draft_of(at).data
    at.toggle(key=key(at, "$.training::on")).set_value(True).run()
    assert draft_of(at).data["training"]["host_rotation"] == "Yearly rotation"


def test_switching_sub_units_off_takes_them_out_of_the_agreement(workspace):
    data = ready_data()
    data["parties"][0]["sub_units"] = [{"id": "outreach-unit", "name": "Outreach Unit"}]
    commit(workspace, data)
    at = open_agreement(start(), "river-partnership")
    goto(at, "parties")
    switch = key(at, "$.parties[0].sub_units::on")
    at.toggle(key=switch).set_value(False).run()
    assert "sub_units" not in draft_of(at).data["parties"][0] and draft_of(at).dirty
    at.toggle(key=switch).set_value(True).run()
    assert draft_of(at).data["parties"][0]["sub_units"][0]["name"] == "Outreach Unit"


def test_fix_opens_the_part_and_the_party_that_hold_the_problem(workspace):
    data = ready_data()
    data["parties"][1]["address"]["city"] = "TBD"
    data["definitions"] = [{"id": "quorum", "term": "Quorum", "meaning": "[MEANING]"}]
    commit(workspace, data)
    at = open_agreement(start(), "river-partnership")
    for step, shown in (("Parties", "$.parties[1].address.city"), ("Basics", None)):
        goto(at, "review")
        next(b for b in at.button if b.label == f"Fix in {step}").click().run()
        if shown:
            assert at.text_input(key=key(at, shown)).value == "TBD"
        else:
            assert at.session_state[key(at, "basics::part")] == "Definitions"


def test_an_optional_date_can_be_cleared_so_the_agreement_runs_until_terminated(workspace):
    data = ready_data()
    data["term"]["expiration_date"] = "2030-06-30"
    commit(workspace, data)
    at = open_agreement(start(), "river-partnership")
    goto(at, "term")
    at.button(key=key(at, "$.term.expiration_date") + "::clear").click().run()
    assert "expiration_date" not in draft_of(at).data["term"]
    goto(at, "basics")
    goto(at, "term")  # and it stays empty when the step is drawn again
    assert "expiration_date" not in draft_of(at).data["term"]
    save(at, "Until terminated")
    assert "expiration_date" not in saved_data(workspace, "river-partnership")["term"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("../../etc/passwd", "is not a valid agreement id"),
        ("AB", "is not a valid agreement id"),
        ("x" * 65, "is not a valid agreement id"),
        ("river-partnership", "already exists"),
    ],
)
def test_bad_new_agreement_id_is_named_and_nothing_is_written(with_agreement, typed, said):
    before = snapshot(with_agreement)
    at = start()
    at.text_input(key="new-title").set_value("Anything")
    at.text_input(key="new-id").set_value(typed)
    _submit(at, "Create from preset")
    assert_clean(at)
    assert said in at.error[0].value
    assert titles(at) == ["Agreements"]
    assert at.session_state["mou_drafts"] == {}
    assert snapshot(with_agreement) == before


@pytest.mark.parametrize(
    ("path", "typed", "said"),
    [
        ("$.title", "River\x07Partnership", "control character U+0007"),
        ("$.purpose", "x" * 100_000, "the limit is 50,000"),
        ("$.title", "", "required: fill it in"),
    ],
)
def test_bad_field_is_named_beside_it_and_not_saved(with_agreement, path, typed, said):
    before = saved_data(with_agreement, "river-partnership")
    at = open_agreement(start(), "river-partnership")
    widget = at.text_area(key=key(at, path)) if path == "$.purpose" else None
    widget = widget or at.text_input(key=key(at, path))
    widget.set_value(typed).run()
    assert said in texts(at)
    save(at, "Try to save bad input")
    assert_clean(at)
    assert "Not saved: the draft has 1 problem;" in texts(at)
    assert len(revisions(with_agreement, "river-partnership")) == 1
    assert saved_data(with_agreement, "river-partnership") == before


@pytest.mark.parametrize(
    ("name", "email", "said"),
    [
        ("Alice Liaison", "not an email", "Your email: 'not an email' is not an e-mail address"),
        ("", "alice@county.example.gov", "Your name: needed"),
        ("Alice\x07Bell", "alice@county.example.gov", "control character U+0007"),
    ],
)
def test_bad_author_is_refused_naming_the_form_field(with_agreement, name, email, said):
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("Renamed").run()
    save(at, "Rename", name=name, email=email)
    assert "Not saved:" in texts(at) and said in texts(at)
    assert "--author" not in texts(at)
    assert len(revisions(with_agreement, "river-partnership")) == 1


def test_saving_keeps_hand_edits_in_the_workspace_file_and_says_so(with_agreement):
    path = with_agreement / "agreements" / "river-partnership.yaml"
    hand_edited = path.read_text().replace("Reduce serious", "Hand-edited: reduce serious")
    path.write_text(hand_edited)
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("Renamed").run()
    save(at, "Rename")
    assert "Saved as revision" in texts(at) and "left as it was" in texts(at)
    assert path.read_text() == hand_edited
    assert saved_data(with_agreement, "river-partnership")["title"] == "Renamed"


def test_reopening_an_unedited_agreement_shows_the_newest_revision(with_agreement):
    alice = open_agreement(start(), "river-partnership")
    bob = open_agreement(start(), "river-partnership")
    bob.text_input(key=key(bob, "$.title")).set_value("Bob's title").run()
    save(bob, "Bob renames", name="Bob Counsel", email="bob@city.example.gov")
    open_agreement(alice, "river-partnership")
    goto(alice, "basics")
    assert alice.text_input(key=key(alice, "$.title")).value == "Bob's title"
    assert draft_of(alice).base == revisions(with_agreement, "river-partnership")[0].sha
    assert not draft_of(alice).dirty


# --------------------------------------------------------------------------- two users


def _alice_then_bob_save(bob_edits: str, bob_value: str) -> AppTest:
    """Alice and Bob open the river partnership at one revision; Alice retitles it and saves,
    then Bob saves his own edit of the `bob_edits` field. Gives Bob's session."""
    alice = open_agreement(start(), "river-partnership")
    bob = open_agreement(start(), "river-partnership")
    alice.text_input(key=key(alice, "$.title")).set_value("Alice's title").run()
    field = bob.text_area if bob_edits == "$.purpose" else bob.text_input
    field(key=key(bob, bob_edits)).set_value(bob_value).run()
    save(alice, "Alice renames")
    save(bob, "Bob's edit", name="Bob Counsel", email="bob@city.example.gov")
    return bob


def test_second_session_saving_the_same_field_gets_a_conflict_and_can_reload(with_agreement):
    bob = _alice_then_bob_save("$.title", "Bob's title")
    assert_clean(bob)
    assert "saved this agreement" in texts(bob) and "Nothing was overwritten" in texts(bob)
    assert "Alice's title" in shown_html(bob)  # what they changed
    assert saved_data(with_agreement, "river-partnership")["title"] == "Alice's title"
    assert [b.label for b in bob.button if b.label == "Apply my changes to theirs"] == []
    _submit(bob, "Reload their version")
    goto(bob, "basics")
    assert bob.text_input(key=key(bob, "$.title")).value == "Alice's title"
    assert not draft_of(bob).dirty


def test_second_session_with_other_edits_applies_them_on_top_of_the_first(with_agreement):
    bob = _alice_then_bob_save("$.purpose", "Bob's purpose")
    assert len(revisions(with_agreement, "river-partnership")) == 2  # Bob's was refused
    _submit(bob, "Apply my changes to theirs")
    save(bob, "Bob's purpose, on top of Alice's", name="Bob Counsel", email="bob@city.example.gov")
    final = saved_data(with_agreement, "river-partnership")
    assert (final["title"], final["purpose"]) == ("Alice's title", "Bob's purpose")
    assert len(revisions(with_agreement, "river-partnership")) == 3


def test_two_sessions_creating_the_same_new_id_conflict(workspace):
    first, second = start(), start()
    for at in (first, second):
        at.text_input(key="new-title").set_value("Same")
        at.text_input(key="new-id").set_value("same-id")
        _submit(at, "Create from preset")
        fill_blanks(at)
    goto(second, "basics")
    second.text_area(key=key(second, "$.purpose")).set_value("The second liaison's purpose").run()
    save(first, "Create")
    save(second, "Create too")
    assert "created meanwhile" in texts(second) or "saved this agreement" in texts(second)
    assert len(revisions(workspace, "same-id")) == 1
    # Their work is not lost: it can be saved under another id.
    for taken, said in (("same-id", "already exists"), ("../x", "not a valid agreement id")):
        second.text_input(key="another-id-value").set_value(taken)
        _submit(second, "Use this id")
        assert "New id:" in texts(second) and said in texts(second)
    second.text_input(key="another-id-value").set_value("second-id")
    _submit(second, "Use this id")
    save(second, "Create under my own id")
    assert saved_data(workspace, "second-id")["purpose"] == "The second liaison's purpose"
    assert len(revisions(workspace, "same-id")) == 1


# --------------------------------------------------------------------------- history, export


def test_history_compares_two_revisions_by_section(with_agreement):
    changed = copy.deepcopy(ready_data())
    changed["purpose"] = "Reduce serious violence along the whole river."
    commit(with_agreement, changed, "Widen the purpose")
    at = open_agreement(start(), "river-partnership")
    goto(at, "history")
    assert_clean(at)
    assert at.dataframe[0].value["message"].tolist() == ["Widen the purpose", "Add agreement"]
    compared = shown_html(history_tab(at, "Compare two revisions"))
    assert "<ins" in compared and "whole" in compared
    assert "Purpose and shared goals" in texts(at)
    old, new = (r.sha for r in reversed(revisions(with_agreement, "river-partnership")))
    redline = history.redline_bytes("river-partnership", old, new)
    with zipfile.ZipFile(io.BytesIO(redline)) as docx:
        body = docx.read("word/document.xml").decode()
    assert "<w:ins " in body and "<w:del " in body  # tracked changes a reviewer can accept


def test_history_opens_a_revision_as_the_wizard_names_things_not_yaml(with_agreement):
    changed = copy.deepcopy(ready_data())
    changed["purpose"] = "Reduce serious violence along the whole river."
    commit(with_agreement, changed, "Widen the purpose")
    at = open_agreement(start(), "river-partnership")
    goto(at, "history")
    assert_clean(at)
    assert "Purpose and shared goals (" in " ".join(at.selectbox(key="hist-part").options)
    at.selectbox(key="hist-part").set_value("Purpose and shared goals").run()
    shown = shown_html(at)
    assert "whole river" in shown and "Goal Fewer shootings" in shown
    assert "Owners</span><br><span style='white-space:pre-wrap'>CC, CR<" in shown
    at.selectbox(key="hist-part").set_value("Parties").run()
    shown = shown_html(at)
    assert "Party CC — Columbia County" in shown and "Signatory Head of CC" in shown
    assert "party-a" not in shown and "schema_version" not in shown  # no internal ids
    older = revisions(with_agreement, "river-partnership")[1].sha
    at.selectbox(key="hist-open").set_value(older).run()
    at.selectbox(key="hist-part").set_value("Purpose and shared goals").run()
    assert "along the river corridor" in shown_html(at) and "whole" not in shown_html(at)
    assert_clean(at)


def test_history_lists_the_latest_revisions_and_shows_more_on_request(with_agreement):
    for number in range(1, 22):
        changed = {**ready_data(), "purpose": f"Reduce serious violence, take {number}."}
        commit(with_agreement, changed, f"Take {number}")
    at = open_agreement(start(), "river-partnership")
    goto(at, "history")
    assert len(at.dataframe[0].value) == 20
    assert at.dataframe[0].value["message"].tolist()[0] == "Take 21"
    next(b for b in at.button if b.label == "Show 2 more").click().run()
    assert at.dataframe[0].value["message"].tolist()[-1] == "Add agreement"
    assert not [b for b in at.button if b.label.startswith("Show ")]


def test_history_draws_a_long_change_list_in_pages(with_agreement):
    changed = copy.deepcopy(ready_data())
    changed["responsibilities"] += [
        {"id": f"duty-{n}", "text": f"Duty number {n}.", "parties": ["party-a"]} for n in range(160)
    ]
    commit(with_agreement, changed, "Add 160 duties")
    at = open_agreement(start(), "river-partnership")
    goto(at, "history")
    history_tab(at, "Compare two revisions")
    assert shown_html(at).count("Added · ") == 150
    assert "The first 150 of 160 changes." in texts(at)
    next(b for b in at.button if b.label == "Show 10 more").click().run()
    assert shown_html(at).count("Added · ") == 160 and "Duty number 159." in shown_html(at)
    assert_clean(at)


def test_history_names_a_revision_that_cannot_be_read_in_one_line(with_agreement):
    path = "agreements/river-partnership.yaml"
    good = (with_agreement / path).read_text(encoding="utf-8")
    commit_raw(with_agreement, path, "id: [broken\n", "Break it")
    commit_raw(with_agreement, path, good, "Repair it")
    at = open_agreement(start(), "river-partnership")
    goto(at, "history")
    broken = revisions(with_agreement, "river-partnership")[1].sha
    at.selectbox(key="hist-open").set_value(broken).run()
    assert_clean(at)
    assert "river-partnership.yaml" in at.error[0].value
    assert "\n" not in at.error[0].value


def test_export_files_carry_id_and_revision_and_refuse_unsaved_edits(with_agreement):
    revision = revisions(with_agreement, "river-partnership")[0].sha
    at = open_agreement(start(), "river-partnership")
    draft = draft_of(at)
    docx = export.signature_docx(draft)
    assert docx.startswith(b"PK")
    assert export.file_name(draft.agreement_id, revision, "docx") == (
        f"river-partnership-{revision[:8]}.docx"
    )
    at.text_input(key=key(at, "$.title")).set_value("Edited").run()
    goto(at, "export")
    assert "Save the draft first" in texts(at)


def test_row_added_by_the_form_is_not_erased_by_the_table_above_it(with_agreement):
    # Regression: the responsibilities table kept its frozen rows after the "Add" form
    # appended one, and wrote them back on the next run, erasing the new row.
    at = open_agreement(start(), "river-partnership")
    goto(at, "roles")
    at.text_area(key=key(at, "$.responsibilities::new")).set_value("Share crime data.")
    at.multiselect(key=key(at, "$.responsibilities::new-parties")).set_value(["party-b"])
    _submit(at, "Add responsibility")
    at.run()
    texts_now = [r["text"] for r in draft_of(at).data["responsibilities"]]
    assert texts_now == ["Run street outreach.", "Share crime data."]
    table = at.data_editor(key=table_key(at, "$.responsibilities")).value
    assert table["text"].tolist() == texts_now
    _edit_table(at, "$.responsibilities", edited={1: {"text": "Share crime data weekly."}})
    assert draft_of(at).data["responsibilities"][1] == {
        "id": "share-crime-data",
        "text": "Share crime data weekly.",
        "parties": ["party-b"],
    }


def test_export_makes_a_pdf_with_libreoffice(with_agreement):
    if shutil.which("soffice") is None:
        reason = "LibreOffice (soffice) is missing: the PDF export cannot be tested here"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    at = open_agreement(start(), "river-partnership")
    goto(at, "export")
    at.button(key="export-pdf-make").click().run(timeout=180)
    assert_clean(at)
    revision, pdf = at.session_state["export-pdf-file"]
    assert revision == draft_of(at).base
    assert pdf.startswith(b"%PDF")
    assert [b.label for b in at.get("download_button")] == [
        "Download .docx",
        "Download PDF",
        "Download draft .docx",
        "Download report",
        "Download public report",
    ]


def test_discarding_goes_back_to_the_saved_revision(with_agreement):
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("Scratch title").run()
    goto(at, "review")
    at.checkbox(key="discard-sure").check().run()
    _submit(at, "Discard my changes")
    assert not draft_of(at).dirty
    goto(at, "basics")
    assert at.text_input(key=key(at, "$.title")).value == "River Partnership"
    assert len(revisions(with_agreement, "river-partnership")) == 1


def test_supersedes_is_edited_one_agreement_per_line(with_agreement):
    at = open_agreement(start(), "river-partnership")
    typed = "Riverton MOU of 2019\n\nInterlocal Agreement 2021-07"
    at.text_area(key=key(at, "$.supersedes")).set_value(typed).run()
    assert draft_of(at).data["supersedes"] == [
        "Riverton MOU of 2019",
        "Interlocal Agreement 2021-07",
    ]
    at.text_area(key=key(at, "$.supersedes")).set_value("").run()
    assert "supersedes" not in draft_of(at).data


def test_workspace_that_is_not_a_git_repository_is_named_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("MOU_WORKSPACE", str(tmp_path / "no-such-workspace"))
    at = start()
    assert_clean(at)
    assert "Cannot read the workspace:" in texts(at)


def test_information_sharing_step_is_optional_for_other_types(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "information")
    assert_clean(at)
    assert "does not usually share records" in texts(at)
    assert "information_sharing" not in draft_of(at).data
    at.toggle(key=key(at, "$.information_sharing::on")).set_value(True).run()
    assert "Who owns the records" in [t.label for t in at.text_area]
    assert "required: fill it in" in texts(at) or "is empty" in texts(at)


def test_keep_editing_after_a_conflict_keeps_the_draft_and_saves_nothing(with_agreement):
    alice = open_agreement(start(), "river-partnership")
    bob = open_agreement(start(), "river-partnership")
    alice.text_input(key=key(alice, "$.title")).set_value("Alice's title").run()
    bob.text_input(key=key(bob, "$.title")).set_value("Bob's title").run()
    save(alice, "Alice renames")
    save(bob, "Bob renames", name="Bob Counsel", email="bob@city.example.gov")
    _submit(bob, "Keep editing")
    assert draft_of(bob).data["title"] == "Bob's title" and draft_of(bob).dirty
    save(bob, "Bob insists", name="Bob Counsel", email="bob@city.example.gov")
    assert "Nothing was overwritten" in texts(bob)  # still refused: Alice's save stands
    assert saved_data(with_agreement, "river-partnership")["title"] == "Alice's title"


# --------------------------------------------------------------------------- invisible characters
# Regression (issue 10, item 11): the wizard showed zero-width spaces and bidirectional
# marks invisibly, and let a bidirectional override into the author of a save.


def test_a_field_names_the_invisible_characters_it_holds(with_agreement):
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("River\u200b Partnership").run()
    assert_clean(at)
    assert "Holds invisible characters: U+200B ZERO WIDTH SPACE" in texts(at)
    assert draft_of(at).data["title"] == "River\u200b Partnership"  # kept exactly as typed


def test_history_shows_invisible_characters_in_messages_and_changes(with_agreement):
    changed = copy.deepcopy(ready_data())
    changed["purpose"] = "Reduce serious\u200b violence along the river corridor."
    commit(with_agreement, changed, "Tidy\u200b the purpose")
    at = open_agreement(start(), "river-partnership")
    goto(at, "history")
    assert_clean(at)
    assert at.dataframe[0].value["message"].tolist()[0] == "Tidy<U+200B> the purpose"
    history_tab(at, "Compare two revisions")
    assert "serious<U+200B>" in shown_html(at) and "\u200b" not in shown_html(at)


def test_a_bidi_override_in_the_authors_name_is_refused_naming_the_field(with_agreement):
    at = open_agreement(start(), "river-partnership")
    at.text_input(key=key(at, "$.title")).set_value("Renamed").run()
    save(at, "Rename", name="Alice \u202eLiaison")
    assert_clean(at)
    assert (
        "Your name: the bidirectional control character U+202E RIGHT-TO-LEFT OVERRIDE is "
        "not allowed" in texts(at)
    )
    assert len(revisions(with_agreement, "river-partnership")) == 1


def test_an_exhibit_table_is_added_and_filled_and_switching_its_kind_sets_it_aside(
    with_agreement,
):
    at = open_agreement(start(), "river-partnership")
    goto(at, "exhibits")
    at.text_input(key=key(at, "$.exhibits::new-title")).set_value("Overtime rates")
    at.selectbox(key=key(at, "$.exhibits::new-kind")).set_value("table")
    _submit(at, "Add exhibit")
    at.text_area(key=key(at, "$.exhibits[0].columns")).set_value("Rank\nRate").run()
    _edit_table(at, "$.exhibits[0].rows", added=[{"c0": "Officer", "c1": "$62.50"}])
    table = {
        "letter": "A",
        "title": "Overtime rates",
        "kind": "table",
        "columns": ["Rank", "Rate"],
        "rows": [{"id": "officer", "cells": ["Officer", "$62.50"]}],
    }
    assert draft_of(at).data["exhibits"] == [table]
    at.selectbox(key=key(at, "$.exhibits[0].kind")).set_value("text").run()
    assert "columns" not in draft_of(at).data["exhibits"][0]  # an exhibit holds one kind
    at.selectbox(key=key(at, "$.exhibits[0].kind")).set_value("table").run()
    assert draft_of(at).data["exhibits"] == [table]  # and gets its table back
    assert_clean(at)


def test_an_uploaded_exhibit_file_is_committed_with_the_save(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "exhibits")
    at.text_input(key=key(at, "$.exhibits::new-title")).set_value("Data use agreement")
    at.selectbox(key=key(at, "$.exhibits::new-kind")).set_value("file")
    _submit(at, "Add exhibit")
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("Data use (2027).pdf", b"MZ not a pdf", "application/pdf")).run()
    assert "Data use (2027).pdf: not a PDF file" in texts(at)
    assert "file" not in draft_of(at).data["exhibits"][0]  # nothing attached
    pdf = text_pdf("The data use agreement")
    at.get("file_uploader")[0].set_value(("Data use (2027).pdf", pdf, "application/pdf")).run()
    assert draft_of(at).data["exhibits"][0]["file"] == "Data-use-2027.pdf"
    assert "committed by your next save" in texts(at)
    draft_of(at).data["purpose"] += " The data use agreement is Exhibit A."
    draft_of(at).touch()
    save(at, "Attach the data use agreement")
    assert_clean(at)
    folder = "agreements/river-partnership.exhibits"
    shown = subprocess.run(
        ["git", "show", "--name-only", "--format=", "HEAD"],
        cwd=with_agreement, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert shown == [f"{folder}/Data-use-2027.pdf", "agreements/river-partnership.yaml"]
    assert (with_agreement / folder / "Data-use-2027.pdf").read_bytes() == pdf
    assert draft_of(at).attachments == {}


def test_a_party_is_moved_first_and_stays_the_one_being_edited(workspace):
    data = ready_data()
    commit(workspace, data)
    at = open_agreement(start(), "river-partnership")
    goto(at, "parties")
    at.segmented_control(key=key(at, "$.parties::focus")).set_value(1).run()
    next(b for b in at.button if b.label == "Make first").click().run()
    assert [p["acronym"] for p in draft_of(at).data["parties"]] == ["CR", "CC"]
    assert at.text_input(key=key(at, "$.parties[0].legal_name")).value == "City of Riverton"
    assert_clean(at)


def test_a_notice_mailing_address_is_entered_and_switched_off_again(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "parties")
    path = "$.parties[0].notice_addressee.mailing_address"
    at.toggle(key=key(at, f"{path}::on")).set_value(True).run()
    for field, value in (("street", "PO Box 7"), ("city", "Riverton"), ("state", "CO")):
        at.text_input(key=key(at, f"{path}.{field}")).set_value(value)
    at.text_input(key=key(at, f"{path}.postal_code")).set_value("80001").run()
    notice = draft_of(at).data["parties"][0]["notice_addressee"]
    assert notice["mailing_address"] == {
        "street": "PO Box 7",
        "city": "Riverton",
        "state": "CO",
        "postal_code": "80001",
    }
    at.toggle(key=key(at, f"{path}::on")).set_value(False).run()
    assert "mailing_address" not in draft_of(at).data["parties"][0]["notice_addressee"]
    assert_clean(at)


def test_an_agreement_written_in_version_1_opens_with_a_notice(workspace):
    # A file committed before version 2 existed (plain git, no schema_version).
    v1 = ROOT / "tests" / "data" / "v1" / "western-franklin-training-consortium.yaml"
    target = workspace / "agreements" / v1.name
    target.write_bytes(v1.read_bytes())
    with Workspace(workspace) as ws:
        ws.repo.run("add", f"agreements/{v1.name}")
        env = {
            "GIT_AUTHOR_NAME": "Old",
            "GIT_AUTHOR_EMAIL": "old@example.org",
            "GIT_COMMITTER_NAME": "Old",
            "GIT_COMMITTER_EMAIL": "old@example.org",
        }
        ws.repo.run("commit", "-qm", "Version 1", env=env)
    at = open_agreement(start(), v1.stem)
    goto(at, "basics")
    assert "written in schema version 1; read as version 2" in texts(at)
    assert draft_of(at).data["schema_version"] == 2
    assert_clean(at)


def test_a_reimbursement_is_added_and_its_payer_named_by_role_then_by_party(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "resources")
    at.segmented_control(key=key(at, "resources::part")).set_value("Reimbursements").run()
    at.text_input(key=key(at, "$.funding::new-r")).set_value("Deployment costs")
    _submit(at, "Add reimbursement")
    payer = "$.funding.reimbursements[0].payer"
    at.selectbox(key=f"{key(at, payer)}::kind::").set_value("role").run()
    at.selectbox(key=key(at, f"{payer}.role")).set_value("requesting_party").run()
    item = draft_of(at).data["funding"]["reimbursements"][0]
    assert (item["id"], item["title"], item["payer"]) == (
        "deployment-costs",
        "Deployment costs",
        {"role": "requesting_party"},
    )
    at.selectbox(key=f"{key(at, payer)}::kind::role").set_value("party").run()
    at.selectbox(key=key(at, f"{payer}.party")).set_value("party-a").run()
    assert draft_of(at).data["funding"]["reimbursements"][0]["payer"] == {"party": "party-a"}
    assert_clean(at)


def test_the_fiscal_year_is_picked_in_the_evaluation_part(with_agreement):
    at = open_agreement(start(), "river-partnership")
    goto(at, "operations")
    at.segmented_control(key=key(at, "operations::part")).set_value("Evaluation").run()
    box = at.selectbox(key=key(at, "$.evaluation.fiscal_year_start"))
    assert box.value in ("", None)  # nothing stated: the calendar year
    box.set_value("october").run()
    assert draft_of(at).data["evaluation"]["fiscal_year_start"] == "october"

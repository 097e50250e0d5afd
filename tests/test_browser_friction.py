"""What a new liaison trips over, in a real browser (issue 16, "Friction a liaison hits"):
Chromium against `streamlit run app.py`, one server for the module.

The home page introduces the app and suggests the id from the title; a preset's
placeholders are hints in empty fields; every column of a wide table is visible on a
1280 px laptop screen, blank cells empty; a party is moved up and the move undone.
Skips with a printed reason when Chromium is missing, except in CI (CI=true).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mou.store.create import init_workspace
from tests.support.blanks import fill_blanks_and_save
from tests.support.browser import chromium_page, streamlit_server
from tests.test_app import commit, ready_data
from tests.test_browser import chromium_available, heading
from tests.test_browser_ux import act, only_legal_name, open_river, settle, sidebar

__all__ = ["chromium_available"]  # the fixture that skips, or fails in CI, without Chromium

LAPTOP = 1280
"""A typical laptop screen's width in CSS pixels."""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, chromium_available):
    """One app server on a workspace holding a partnership whose metric has a long name."""
    folder = tmp_path_factory.mktemp("browser-friction")
    workspace = folder / "workspace"
    init_workspace(workspace)
    data = ready_data()
    metric = data["goals"][0]["metrics"][0]
    metric["name"] = "Non-fatal shootings along the river corridor, as the records system counts"
    metric["unit"] = "incidents per calendar year, counted at year end"
    commit(workspace, data)
    with streamlit_server(workspace, folder / "streamlit.log") as url:
        yield url


def test_the_home_page_introduces_mou_and_the_id_follows_the_title(app_url):
    with chromium_page() as page:
        page.goto(app_url)
        heading(page, "Agreements")
        settle(page)
        expect(page.get_by_text("To start", exact=False).first).to_be_visible()
        expect(page.get_by_text("Where your work is kept", exact=False)).to_be_visible()
        page.get_by_label("Title", exact=True).fill("Lake Shore Partnership")
        act(page, lambda: page.get_by_label("Title", exact=True).press("Tab"))
        agreement_id = page.get_by_label("Id (the file name)", exact=True)
        expect(agreement_id).to_have_value("lake-shore-partnership")
        page.get_by_role("button", name="Create from preset").click()
        heading(page, "Basics")
        settle(page)
        purpose = page.get_by_label("Purpose", exact=True)
        expect(purpose).to_have_value("")
        expect(purpose).to_have_attribute(
            "placeholder", "State the shared purpose of this agreement in one or two sentences."
        )
        sidebar(page, "Parties and signatories")
        legal_name = page.get_by_label("Legal name", exact=True)
        expect(legal_name).to_have_value("")
        expect(legal_name).to_have_attribute(
            "placeholder", "Full legal name, e.g. County of Bellwater"
        )
        expect(page.get_by_text("required: fill it in").first).to_be_visible()


def grid_fits(page) -> list[dict]:
    """Each grid's visible width and the width of its columns (wider: columns hidden)."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller'))"
        ".map(s => ({shown: s.clientWidth, needed: s.scrollWidth}))"
    )


def test_every_column_of_the_metrics_table_is_visible_on_a_laptop_and_blanks_are_empty(app_url):
    with chromium_page(width=LAPTOP) as page:
        open_river(page, app_url)
        sidebar(page, "Shared goals and metrics")
        grid = page.get_by_test_id("stDataFrame").first
        grid.hover()
        page.wait_for_timeout(300)
        for fit in grid_fits(page):
            assert fit["needed"] <= fit["shown"], fit
        headers = grid.evaluate(
            "g => Array.from(g.querySelectorAll('[role=columnheader]')).map(h => h.textContent)"
        )
        assert [h.strip() for h in headers][-2:] == ["Reported", "Data source"], headers
        cells = page.evaluate(
            "() => Array.from(document.querySelectorAll('[id^=\"glide-cell-\"]'))"
            ".filter(e => e.id.endsWith('-0')).map(e => e.textContent)"
        )
        assert "RMS" in cells and "None" not in cells, cells  # Target date is blank
        assert "" in cells, cells


def test_a_party_moved_up_comes_back_with_undo(app_url):
    with chromium_page() as page:
        open_river(page, app_url)
        sidebar(page, "Parties and signatories")
        act(page, page.get_by_test_id("stButtonGroup").first.get_by_text("CR", exact=True).click)
        only_legal_name(page, "City of Riverton")
        act(page, page.get_by_role("button", name="Move up").click)
        expect(page.get_by_text("Moved the party “CR” up.")).to_be_visible()
        picker = page.get_by_test_id("stButtonGroup").first
        expect(picker.locator("button")).to_have_text(["CR", "CC"])
        only_legal_name(page, "City of Riverton")  # still the party being edited
        act(page, page.get_by_role("button", name="Undo").click)
        expect(picker.locator("button")).to_have_text(["CC", "CR"])
        expect(page.get_by_text("Saved", exact=True)).to_be_visible()  # nothing left unsaved


def retitle_and_save(page, title: str, who: str) -> None:
    """On Basics: retitle the agreement, then try to save it from Review."""
    field = page.get_by_label("Title", exact=True)
    field.fill(title)
    act(page, lambda: field.press("Enter"))
    sidebar(page, "Review and save")
    page.get_by_label("What changed, and why", exact=True).fill(f"{who} retitles")
    page.get_by_label("Your name", exact=True).fill(who)
    page.get_by_label("Your email", exact=True).fill(f"{who.lower()}@county.example.gov")
    act(page, page.get_by_role("button", name="Save revision").click)


def test_a_conflict_on_one_field_is_settled_by_choosing_theirs(app_url):
    # Runs before the test that saves a new agreement: open_river opens the first listed.
    with chromium_page() as bob:
        open_river(bob, app_url)
        alice = bob.context.browser.new_context(viewport={"width": 1360, "height": 900})
        alice_page = alice.new_page()
        open_river(alice_page, app_url)
        retitle_and_save(alice_page, "Alice's title", "Alice")
        alice_page.get_by_text("Saved as revision").wait_for(timeout=60_000)
        alice.close()
        retitle_and_save(bob, "Bob's title", "Bob")
        expect(bob.get_by_text("You both changed 1 field.")).to_be_visible(timeout=30_000)
        act(bob, bob.get_by_test_id("stRadio").get_by_text("Keep theirs", exact=True).click)
        act(bob, bob.get_by_role("button", name="Apply my choices").click)
        expect(bob.get_by_text("You both changed")).to_have_count(0)
        sidebar(bob, "Basics")
        expect(bob.get_by_label("Title", exact=True)).to_have_value("Alice's title")
        expect(bob.get_by_text("Saved", exact=True)).to_be_visible()  # theirs, nothing left


def test_a_new_agreement_is_saved_once_its_blanks_are_filled(app_url):
    with chromium_page() as page:
        page.goto(app_url)
        heading(page, "Agreements")
        settle(page)
        page.get_by_label("Title", exact=True).fill("Harbor Partnership")
        act(page, lambda: page.get_by_label("Title", exact=True).press("Tab"))
        page.get_by_role("button", name="Create from preset").click()
        heading(page, "Basics")
        settle(page)
        purpose = page.get_by_label("Purpose", exact=True)
        purpose.fill("Safer harbor.")
        act(page, lambda: purpose.press("Control+Enter"))
        parties = [("party-a", "Harbor County", "HC"), ("party-b", "City of Harbor", "CH")]
        fill_blanks_and_save(page, parties, sidebar)

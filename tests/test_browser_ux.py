"""What a liaison does in a real browser keeps working (issue 16): Chromium against
`streamlit run app.py`, one server for the whole module.

A half-filled table row is kept and named, Enter in a dropdown cell takes the option
typed, the focus stays where the user is, a removed party comes back with Undo, a new
party has no level until one is chosen, an unsaved new agreement can be found again,
and after a save the page says saved. Skips with a printed reason when Chromium is
missing, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mou.store.create import init_workspace
from tests.support.blanks import fill_blanks_and_save
from tests.support.browser import chromium_page, settled, streamlit_server, watch_runs
from tests.test_app import commit, ready_data
from tests.test_browser import chromium_available, heading

__all__ = ["chromium_available"]  # the fixture that skips, or fails in CI, without Chromium

HEADER = 35
"""Height in pixels of the grid's header and of each of its rows (Streamlit's default)."""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, chromium_available):
    """One app server for the module, on a workspace holding a two-goal partnership.

    Every test opens its own browser page, which is a session of its own: drafts are
    per session, so tests do not see each other's edits (only saves are shared).
    """
    folder = tmp_path_factory.mktemp("browser-ux")
    workspace = folder / "workspace"
    init_workspace(workspace)
    data = ready_data()
    metric = {**data["goals"][0]["metrics"][0], "id": "park-incidents", "name": "Park incidents"}
    second = {**data["goals"][0], "id": "safer-parks", "title": "Safer parks", "metrics": [metric]}
    data["goals"].append(second)
    commit(workspace, data)
    with streamlit_server(workspace, folder / "streamlit.log") as url:
        yield url


def settle(page) -> None:
    """Wait for the run an action may have started to end, its stale elements gone."""
    page.wait_for_timeout(300)
    settled(page, ran=False)


def act(page, action) -> None:
    """Do ``action`` (a click, a key) and wait for the run it starts to end."""
    watch_runs(page)
    action()
    settled(page)


def open_river(page, url: str) -> None:
    page.goto(url)
    heading(page, "Agreements")
    settle(page)
    page.get_by_test_id("stBaseButton-primary").filter(has_text="Open").click()
    heading(page, "Basics")
    settle(page)


def sidebar(page, title: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(title, exact=True).click()
    heading(page, title)
    settle(page)


def focused(page) -> str:
    """The focused element's label (or test id, or tag): where typing would go now."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.getAttribute('aria-label') || e.dataset.testid || e.tagName; }"
    )


def row_cells(page, row: int) -> list[str]:
    """The texts of a grid row's cells, read from the grid's accessible table (which the
    grid fills in once the pointer has been over it)."""
    page.get_by_test_id("stDataFrame").first.hover()
    page.wait_for_timeout(300)
    return page.evaluate(
        "row => Array.from(document.querySelectorAll('[id^=\"glide-cell-\"]'))"
        ".filter(e => e.id.endsWith('-' + row)).map(e => e.textContent)",
        row,
    )


def keys(page, *typed: str) -> None:
    """Type texts and press keys (names such as Tab) one after another, as a user does."""
    for item in typed:
        if item in ("Tab", "Enter", "ArrowRight", "Escape", "End"):
            page.keyboard.press(item)
        else:
            page.keyboard.type(item)
        page.wait_for_timeout(150)
    settle(page)


def test_a_half_filled_metric_row_is_kept_named_and_annual_means_annual(app_url):
    with chromium_page() as page:
        open_river(page, app_url)
        sidebar(page, "Shared goals and metrics")
        grid = page.get_by_test_id("stDataFrame").first
        box = grid.bounding_box()
        new_row = (box["x"] + 74, box["y"] + HEADER * 2 + HEADER / 2)  # the Metric cell
        page.mouse.click(*new_row)  # the first click adds the row, the second selects it
        settle(page)
        page.mouse.click(*new_row)
        settle(page)
        keys(page, "Homicides", "Tab", "per year", "Tab", "ArrowRight", "ArrowRight")
        keys(page, "5", "Tab", "ArrowRight", "Annual")
        page.wait_for_timeout(500)
        keys(page, "Enter")  # Data source is left empty
        assert row_cells(page, 1)[:8] == ["Homicides", "per year", "", "", "5", "", "annual", ""]
        assert grid.evaluate("grid => grid.contains(document.activeElement)"), focused(page)
        problem = page.get_by_text("Row 2, Data source: required: fill it in")
        expect(problem).to_be_visible()

        page.get_by_text("2. Safer parks", exact=True).click()
        settle(page)
        page.get_by_text("1. Fewer shootings", exact=True).click()
        settle(page)
        assert row_cells(page, 1)[:2] == ["Homicides", "per year"]
        sidebar(page, "Roles and responsibilities")
        sidebar(page, "Shared goals and metrics")
        assert row_cells(page, 1)[:2] == ["Homicides", "per year"]
        expect(problem).to_be_visible()
        sidebar(page, "Review and save")
        expect(page.get_by_text("Homicides › Data source: required: fill it in")).to_be_visible()


def test_the_focus_stays_in_the_next_field_after_the_first_edit(app_url):
    # The first edit of a clean agreement brings the "Unsaved changes" notice; the
    # fields below must stay the same elements, or the browser drops the focus.
    with chromium_page() as page:
        open_river(page, app_url)
        page.get_by_label("Title", exact=True).click()
        keys(page, " (revised)", "Tab")
        expect(page.get_by_text("Unsaved changes — they are kept")).to_be_visible()
        assert focused(page) == "Handling marking (optional)"
        keys(page, "For Official Use Only", "Tab")
        assert focused(page) == "Purpose"
        keys(page, "End", " By keyboard.", "Tab")
        expect(page.get_by_label("Title", exact=True)).to_have_value("River Partnership (revised)")
        marking = page.get_by_label("Handling marking (optional)", exact=True)
        expect(marking).to_have_value("For Official Use Only")
        purpose = page.get_by_label("Purpose", exact=True)
        expect(purpose).to_have_value(
            "Reduce serious violence along the river corridor. By keyboard."
        )


def only_legal_name(page, value: str) -> None:
    """Wait until the page shows one party, ``value``: the fields of the party shown before
    may stay a moment while the browser swaps them."""
    page.wait_for_function(
        "value => { const found = document.querySelectorAll('input[aria-label=\"Legal name\"]');"
        " return found.length === 1 && found[0].value === value; }",
        arg=value,
        timeout=30_000,
    )


def test_a_party_removed_by_the_enter_key_comes_back_with_undo(app_url):
    with chromium_page() as page:
        open_river(page, app_url)
        sidebar(page, "Parties and signatories")
        page.get_by_role("button", name="Remove this party").focus()
        act(page, lambda: page.keyboard.press("Enter"))
        only_legal_name(page, "City of Riverton")  # the removed party's is gone
        expect(page.get_by_text("Removed the party “CC”")).to_be_visible()
        act(page, page.get_by_role("button", name="Undo").click)
        only_legal_name(page, "Columbia County")
        expect(page.get_by_text("CR", exact=True)).to_be_visible()
        expect(page.get_by_text("Saved", exact=True)).to_be_visible()  # nothing left unsaved


def test_a_new_party_has_no_level_until_one_is_chosen(app_url):
    with chromium_page() as page:
        open_river(page, app_url)
        sidebar(page, "Parties and signatories")
        form = page.get_by_test_id("stForm")
        form.get_by_label("Legal name of the new party", exact=True).fill("Riverton Youth League")
        form.get_by_label("Acronym of the new party", exact=True).fill("RYL")
        act(page, form.get_by_role("button", name="Add party").click)
        only_legal_name(page, "Riverton Youth League")  # the party shown before is swapped out
        level = page.get_by_test_id("stSelectbox").filter(has_text="Level")
        expect(level.locator("input")).to_have_attribute("placeholder", "Choose…")
        column = page.get_by_test_id("stColumn").filter(has=level)
        expect(column).to_contain_text("required: fill it in")


def create(page, url: str, title: str, agreement_id: str) -> None:
    page.goto(url)
    heading(page, "Agreements")
    settle(page)
    page.get_by_label("Title", exact=True).fill(title)
    act(page, lambda: page.get_by_label("Title", exact=True).press("Enter"))  # suggests the id
    page.get_by_label("Id (the file name)", exact=True).fill(agreement_id)
    page.get_by_role("button", name="Create from preset").click()
    heading(page, "Basics")
    settle(page)
    purpose = page.get_by_label("Purpose", exact=True)
    purpose.fill(f"The purpose of the {title}.")
    purpose.press("Control+Enter")
    settle(page)


def test_an_unsaved_new_agreement_is_found_again_on_the_agreements_page(app_url):
    with chromium_page() as page:
        create(page, app_url, "Lake Partnership", "lake-partnership")
        sidebar(page, "Agreements")
        picker = page.get_by_test_id("stSelectbox").filter(has_text="Agreement")
        picker.click()
        page.get_by_role("option", name="Lake Partnership (lake-partnership)").click()
        page.get_by_test_id("stBaseButton-primary").filter(has_text="Open").click()
        heading(page, "Basics")
        settle(page)
        purpose = page.get_by_label("Purpose", exact=True)
        expect(purpose).to_have_value("The purpose of the Lake Partnership.")


def test_after_a_save_the_page_says_saved_and_not_new(app_url):
    with chromium_page() as page:
        create(page, app_url, "Bay Partnership", "bay-partnership")
        parties = [("party-a", "Bay County", "BC"), ("party-b", "City of Bay", "CB")]
        fill_blanks_and_save(page, parties, sidebar)
        settle(page)
        shown = page.locator("body").inner_text()
        assert "not saved yet" not in shown and "Unsaved changes" not in shown, shown


NAME_OF_FOCUSED = """() => {
  const e = document.activeElement;
  if (e.getAttribute('aria-label')) return e.getAttribute('aria-label');
  if (e.labels && e.labels.length) return e.labels[0].textContent.trim();
  const shown = e.cloneNode(true);  // a button's words, without its (hidden) icon
  shown.querySelectorAll('[aria-hidden="true"]').forEach(icon => icon.remove());
  return shown.textContent.trim();
}"""


def tab_to(page, name: str, most: int = 200) -> None:
    """Press Tab until the control named ``name`` has the focus, as a keyboard user does."""
    passed = []
    for _ in range(most):
        page.keyboard.press("Tab")
        passed.append(page.evaluate(NAME_OF_FOCUSED))
        if passed[-1] == name:
            return
    raise AssertionError(f"Tab never reached {name!r}; it passed {passed}")


def test_a_whole_step_is_done_by_keyboard(app_url):
    # Exhibits, from adding one to moving on: Tab, typing, Enter, never the mouse.
    with chromium_page() as page:
        create(page, app_url, "Dock Partnership", "dock-partnership")
        sidebar(page, "Exhibits")
        tab_to(page, "Title of the new exhibit")
        keys(page, "Overtime rates", "Tab")
        assert page.evaluate(NAME_OF_FOCUSED).startswith("The new exhibit holds")
        keys(page, "Text", "Enter")  # a choice inside a form starts no run
        tab_to(page, "Add exhibit")
        act(page, lambda: page.keyboard.press("Enter"))
        expect(page.get_by_label("Title", exact=True)).to_have_value("Overtime rates")
        tab_to(page, "Text (a blank line starts a paragraph)")
        keys(page, "Overtime is paid at one and a half times the hourly rate.", "Tab")
        tab_to(page, "Next")
        act(page, lambda: page.keyboard.press("Enter"))
        heading(page, "Review and save")
        tab_to(page, "Back")
        act(page, lambda: page.keyboard.press("Enter"))
        heading(page, "Exhibits")
        settle(page)
        text = page.get_by_label("Text (a blank line starts a paragraph)", exact=True)
        expect(text).to_have_value("Overtime is paid at one and a half times the hourly rate.")
        expect(page.get_by_label("Letter", exact=True)).to_have_value("A")


def test_what_was_typed_is_still_there_after_a_reload(app_url):
    with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" on unsaved edits
        open_river(page, app_url)  # the first agreement listed: others may be saved by now
        before = page.get_by_label("Title", exact=True).input_value()
        page.get_by_label("Title", exact=True).click()
        keys(page, "End", " (kept)", "Tab")
        expect(page.get_by_text("Unsaved changes — they are kept")).to_be_visible()
        assert "draft=" in page.url
        page.reload()  # a new session of the same tab: its URL carries the draft token
        heading(page, "Basics")
        settle(page)
        title = page.get_by_label("Title", exact=True)
        expect(title).to_have_value(f"{before} (kept)", timeout=30_000)
        sidebar(page, "Agreements")
        expect(page.get_by_text("Unsaved changes in")).to_be_visible()

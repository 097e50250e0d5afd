"""Fill in, in the browser, what a new agreement's preset leaves blank, so it can be saved.

A preset's names, contacts, addresses and governing law are empty fields showing a hint
(their placeholder); the fields are found by that hint, as a user finds them by the words
in them, so this does not depend on the labels around them.
"""

from __future__ import annotations

from typing import Any

from tests.support.browser import settled, watch_runs

PARTY_HINTS = (
    ("Full legal name, e.g. County of Bellwater", 0, "{name}"),
    ("e.g. BCSO", 0, "{acronym}"),
    ("e.g. 100 Main Street", 0, "1 Main St"),
    ("City", 0, "Harbor City"),
    ("e.g. CO", 0, "CO"),
    ("e.g. 80202", 0, "80202"),
    ("Name, e.g. Jane Roe", 0, "Contact of {acronym}"),
    ("Title, e.g. Deputy Chief", 0, "Coordinator"),
    ("e.g. jane.roe@agency.gov", 0, "{short}@harbor.example.gov"),
    ("Name, e.g. Jane Roe", 1, "Notices of {acronym}"),
    ("Title, e.g. Deputy Chief", 1, "Counsel"),
    ("e.g. jane.roe@agency.gov", 1, "legal-{short}@harbor.example.gov"),
)
"""(hint, which of the fields with that hint, value) for one party."""


def commit_field(page: Any, field: Any, value: str) -> None:
    """Type ``value`` into ``field`` and press Enter, then wait for the run it starts."""
    field.fill(value)
    watch_runs(page)
    field.press("Enter")
    settled(page, timeout=60_000)


def fill_party(page: Any, picker: str, name: str, acronym: str, level: str = "County") -> None:
    """Pick the party labelled ``picker`` on the Parties step and fill its blank fields."""
    settled(page, ran=False, timeout=60_000)  # the step's own run is over
    watch_runs(page)
    page.get_by_test_id("stButtonGroup").first.get_by_text(picker, exact=True).click()
    settled(page, timeout=60_000)
    for hint, nth, value in PARTY_HINTS:
        field = page.get_by_placeholder(hint, exact=True).nth(nth)
        commit_field(page, field, value.format(name=name, acronym=acronym, short=acronym.lower()))
    level_box = page.get_by_test_id("stSelectbox").filter(has_text="Level")
    level_box.click()
    watch_runs(page)
    page.get_by_role("option", name=level, exact=True).click()
    settled(page, timeout=60_000)


def fill_governing_law(page: Any, law: str = "the laws of the State of Columbia") -> None:
    """On the Term step: open General provisions and name the governing law."""
    settled(page, ran=False, timeout=60_000)
    watch_runs(page)
    page.get_by_test_id("stButtonGroup").first.get_by_text("General provisions").click()
    settled(page, timeout=60_000)
    commit_field(page, page.get_by_placeholder("e.g. the laws of the State of Colorado"), law)


def fill_blanks_and_save(page: Any, parties: list[tuple[str, str, str]], go: Any) -> None:
    """Fill what a preset leaves blank for ``parties`` (picker, name, acronym each) and
    save the first revision; ``go(page, title)`` opens a page from the sidebar."""
    go(page, "Parties and signatories")
    for picker, name, acronym in parties:
        fill_party(page, picker, name, acronym)
    go(page, "Term, liability and general provisions")
    fill_governing_law(page)
    go(page, "Review and save")
    page.get_by_label("What changed, and why", exact=True).fill("First draft")
    page.get_by_label("Your name", exact=True).fill("Alice Liaison")
    page.get_by_label("Your email", exact=True).fill("alice@county.example.gov")
    page.get_by_role("button", name="Save revision").click()
    page.get_by_text("Saved as revision").wait_for(timeout=60_000)

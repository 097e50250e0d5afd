"""Every page of the wizard passes axe-core (issue 16): no serious or critical violation.

axe-core (the npm package, installed into ``tests/axe/node_modules`` by ``make test``)
runs inside Chromium on each page, with the largest example open: Agreements, Dashboard,
every drafting step, Review, History (both its views: a revision, and the comparison of
two), Signatures, Measurements, Export and the partner's returned copy. Every violation
found on any page is listed at the end by page, rule, impact and the elements' selectors.
Skips with a printed reason when Chromium or axe-core is missing, except in CI
(CI=true), where it must run.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mou.store.workspace import Workspace
from mou.ui.app import SECTIONS
from mou.validate import load_file
from tests.support.browser import ROOT, chromium_page, settled, streamlit_server, watch_runs
from tests.support.workspaces import AUTHOR, edited, make_workspace
from tests.test_browser import chromium_available, heading

__all__ = ["chromium_available"]  # the fixture that skips, or fails in CI, without Chromium

AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
"""The impacts that fail the test; moderate and minor ones are printed only."""
CONTROL = re.compile(r'^\s*- (button|link|tab|textbox|combobox|spinbutton|checkbox|switch) "(.*)"')
"""A control and its accessible name in Playwright's ARIA snapshot of the page."""
FIELDS = {"textbox", "combobox", "spinbutton", "checkbox", "switch"}
ARROWS = re.compile("[\u2190-\u21ff\u2794-\u27bf]")

_ICON_WORDS = """() => Array.from(document.querySelectorAll('[data-testid="stIconMaterial"]'))
  .map(icon => [icon, icon.closest('button, a, [role="tab"], [role="button"]')])
  .filter(([icon, control]) => control && !control.hasAttribute('aria-label')
    && !icon.closest('[aria-hidden="true"]'))
  .map(([icon, control]) => [control.textContent, icon.textContent])"""
"""Icons inside a control that count towards its name: neither hidden nor overridden."""

_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" "))
  }));
}"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if AXE.exists():
        return AXE
    reason = f"{AXE} is missing: run `npm ci --prefix tests/axe` (or `make test`) first"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    print(reason)
    pytest.skip(reason)


def largest_example() -> Path:
    return max((ROOT / "agreements").glob("*.yaml"), key=lambda path: path.stat().st_size)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, chromium_available, axe_script):
    """The app on a workspace holding the largest example in two revisions (so History
    has two to compare)."""
    folder = tmp_path_factory.mktemp("browser-axe")
    workspace = make_workspace(folder)
    example = load_file(largest_example())
    with Workspace(workspace) as ws:
        ws.save(example, "First revision", AUTHOR)
        ws.save(edited(example, title=f"{example.title} (revised)"), "Revised", AUTHOR)
    with streamlit_server(workspace, folder / "streamlit.log") as url:
        yield url, example.id


def settle(page) -> None:
    page.wait_for_timeout(300)
    settled(page, ran=False)


def go(page, title: str) -> None:
    """Open the page ``title`` from the sidebar and wait until it is drawn."""
    watch_runs(page)
    page.get_by_test_id("stSidebar").get_by_text(title, exact=True).click()
    heading(page, title)
    settle(page)


def violations(page, looks: int = 3) -> list[dict[str, Any]]:
    """axe-core's violations on the page once it is still (axe is loaded on first use).

    A page just drawn may still be fading in (Streamlit animates new and rerun elements),
    which axe reads as low contrast: a blocking finding is looked at again after a pause,
    and only one that is still there after ``looks`` looks is reported.
    """
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(_RUN_AXE)
    for _ in range(looks - 1):
        if not any(v["impact"] in BLOCKING for v in found):
            break
        page.wait_for_timeout(1_500)
        settle(page)
        found = page.evaluate(_RUN_AXE)
    return found


def named_controls(page) -> list[tuple[str, str]]:
    """``(role, accessible name)`` of every control a screen reader would list now."""
    lines = page.locator("body").aria_snapshot().splitlines()
    return [(m[1], m[2]) for m in map(CONTROL.match, lines) if m]


def naming_problems(page) -> list[str]:
    """What axe does not check: two fields with one label (which is which, by ear?), and
    controls whose names are read with an icon's word or an arrow glyph in them."""
    controls = named_controls(page)
    fields = Counter(name for role, name in controls if role in FIELDS)
    found = [f"two or more fields labelled {name!r}" for name, n in fields.items() if n > 1]
    found += [
        f"{role} {name!r} is read with an arrow" for role, name in controls if ARROWS.search(name)
    ]
    found += [
        f"{name!r} is read with the icon word {word!r}" for name, word in page.evaluate(_ICON_WORDS)
    ]
    return found


def open_example(page, url: str, agreement_id: str) -> None:
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Agreement")
    picker.click()
    page.get_by_role("option").filter(has_text=f"({agreement_id})").click()
    settle(page)
    page.get_by_test_id("stBaseButton-primary").filter(has_text="Open").click()
    heading(page, "Basics")
    settle(page)


def every_page(page, url: str, agreement_id: str):
    """Visit each page (and History's comparison); yield its name once it is drawn."""
    page.goto(url)
    heading(page, "Agreements")
    settle(page)
    yield "Agreements"
    go(page, "Dashboard")
    yield "Dashboard"
    go(page, "Agreements")
    open_example(page, url, agreement_id)
    yield "Basics"
    drafting = [route.title for route, _ in SECTIONS["Draft"]][1:]
    for title in drafting:
        go(page, title)
        yield title
    go(page, "History")
    yield "History"
    page.get_by_role("tab", name="Compare two revisions").click()
    settle(page)
    yield "History: compare"
    for title in ("Signatures", "Measurements", "Export", "Partner's returned copy"):
        go(page, title)
        yield title


def test_no_page_has_a_serious_or_critical_axe_violation(app_url):
    url, agreement_id = app_url
    found: list[tuple[str, dict[str, Any]]] = []
    named: list[str] = []
    with chromium_page() as page:
        page.set_default_timeout(60_000)
        for name in every_page(page, url, agreement_id):
            found += [(name, v) for v in violations(page)]
            named += [f"{name}: {problem}" for problem in naming_problems(page)]
    for name, v in found:
        print(f"{name}: {v['id']} ({v['impact']}, {len(v['targets'])} elements)")
    blocking = [
        f"{name}: {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"])
        for name, v in found
        if v["impact"] in BLOCKING
    ]
    assert not named, "\n".join(named)
    assert not blocking, f"{len(blocking)} serious or critical violations:\n" + "\n".join(blocking)

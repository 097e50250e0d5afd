"""A partner's returned copy taken in through a real browser (Debian's Chromium, Playwright).

The copy is uploaded through the page's file input, one change is rejected by unticking
it, and the accepted changes are saved; git then holds one commit with exactly those
changes, crediting the authors of the accepted tracked changes. Skips with a printed
reason when Chromium is missing, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mou.store.workspace import Workspace
from mou.validate import validate_data
from tests.support.browser import CHROMIUM, chromium_page, streamlit_server
from tests.support.workspaces import git
from tests.test_app_intake import ANN_EMAIL, revert
from tests.test_intake import ANN, CY, DEE, PORT_KESTREL, export, partner_edits


@pytest.fixture(scope="module")
def chromium_available() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser test"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    print(reason)
    pytest.skip(reason)


def settle(page) -> None:
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)


def test_upload_reject_one_change_and_save_in_chromium(tmp_path: Path, chromium_available) -> None:
    exported = export(tmp_path, PORT_KESTREL)
    scenario = partner_edits(exported)
    copy = tmp_path / "bellwater-returned.docx"
    copy.write_bytes(scenario.copy.save())
    recital = next(p for p, by in scenario.authors.items() if by == CY)
    revert(scenario, exported, recital)
    log = tmp_path / "streamlit.log"
    with streamlit_server(exported.root, log) as url, chromium_page() as page:
        page.goto(f"{url}/returned-copy")
        page.get_by_role("heading", name="Partner's returned copy").wait_for(timeout=30_000)
        page.locator('input[type="file"]').set_input_files(str(copy))
        settle(page)
        page.get_by_role("button", name="Read the copy").click()
        page.get_by_text("6 proposed changes").wait_for(timeout=60_000)
        settle(page)
        assert page.get_by_text("Is this target realistic?").count() == 1
        # The innermost block holding both the field's name and a checkbox: its card.
        card = page.get_by_test_id("stVerticalBlock").filter(
            has_text="Recital recital-approach › Text", has=page.get_by_role("checkbox")
        )
        card.last.get_by_text("Accept", exact=True).click()
        page.get_by_text("6 proposed changes (5 accepted)").wait_for(timeout=30_000)
        settle(page)
        page.screenshot(path=str(tmp_path / "decide.png"), full_page=True)
        form = page.get_by_test_id("stForm").filter(has_text="Save accepted changes")
        form.get_by_label("Your name", exact=True).fill("Alice Liaison")
        form.get_by_label("Your email", exact=True).fill("alice@county.example.gov")
        form.get_by_label(f"E-mail of {ANN}", exact=True).fill(ANN_EMAIL)
        form.get_by_role("button", name="Save accepted changes").click()
        try:
            page.get_by_text("Saved as revision").wait_for(timeout=60_000)
        finally:
            page.screenshot(path=str(tmp_path / "intake.png"), full_page=True)

    with Workspace(exported.root) as ws:
        history = ws.history(exported.agreement.id)
        saved = ws.load(exported.agreement.id).agreement
    assert len(history) == 2
    assert saved == validate_data(scenario.data)
    message = git(exported.root, "log", "-1", "--format=%B")
    assert f"Intake-Source-SHA256: {hashlib.sha256(copy.read_bytes()).hexdigest()}" in message
    assert f"Co-authored-by: {ANN} <{ANN_EMAIL}>\nCo-authored-by: {DEE}" in message
    assert f"Co-authored-by: {CY}" not in message

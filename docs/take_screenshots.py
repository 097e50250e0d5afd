"""Take the README's wizard screenshots with Chromium against the repository's examples.

    python docs/take_screenshots.py

Copies agreements/*.yaml into a temporary workspace, runs `streamlit run app.py` on it,
opens the largest example and saves docs/wizard-parties.png and docs/wizard-review.png,
then records a few measurements and saves the Dashboard as docs/wizard-dashboard.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from mou.measures import Measurement  # noqa: E402
from mou.store.create import init_workspace  # noqa: E402
from mou.store.measurements import record  # noqa: E402
from mou.store.workspace import Author, Workspace  # noqa: E402
from mou.validate import load_file  # noqa: E402
from tests.support.browser import chromium_page, streamlit_server  # noqa: E402


def main() -> None:
    examples = sorted((ROOT / "agreements").glob("*.yaml"), key=lambda p: p.stat().st_size)
    if not examples:
        sys.exit("no examples in agreements/")
    with tempfile.TemporaryDirectory(prefix="mou-shots-") as folder:
        root = Path(folder) / "workspace"
        init_workspace(root)
        with Workspace(root) as ws:
            for path in examples:
                ws.save(load_file(path), "Add example", Author("Ann Example", "ann@example.org"))
            task_force = load_file(examples[-1]).id
            _measure(ws, task_force)
        with streamlit_server(root, Path(folder) / "streamlit.log") as url:
            shoot(url, task_force)
            shoot_dashboard(url, task_force)


def _measure(ws: Workspace, agreement_id: str) -> None:
    """Three quarters of values for two metrics of the task force, for its charts."""
    author = Author("Ann Example", "ann@example.org")
    values = {"nonfatal-shootings": (164, 158, 151), "retaliatory-shootings": (36, 38, 33)}
    for metric, numbers in values.items():
        for quarter, value in enumerate(numbers, start=1):
            entry = Measurement(metric=metric, period=f"2027-Q{quarter}", value=value)
            record(ws, entry, agreement_id, author)


def shoot_dashboard(url: str, agreement_id: str) -> None:
    with chromium_page(width=1440, height=1800) as page:
        page.goto(f"{url}/dashboard")
        page.get_by_role("heading", name="Dashboard", exact=True).wait_for(timeout=60_000)
        page.get_by_test_id("stSelectbox").filter(has_text="Agreement").first.click()
        page.get_by_role("option").filter(has_text=agreement_id).click()
        page.wait_for_timeout(4000)  # let the charts paint
        page.screenshot(path=str(ROOT / "docs" / "wizard-dashboard.png"), full_page=True)


def shoot(url: str, agreement_id: str) -> None:
    with chromium_page(width=1440, height=1000) as page:
        page.goto(url)
        page.get_by_role("heading", name="Agreements", exact=True).wait_for(timeout=60_000)
        page.get_by_test_id("stSelectbox").filter(has_text="Agreement").first.click()
        page.get_by_role("option").filter(has_text=f"({agreement_id})").click()
        page.locator(".st-key-list-open-button button").click()
        page.get_by_role("heading", name="Basics", exact=True).wait_for(timeout=60_000)
        # An unfinished edit, so the review shows the checklist and the unsaved marker.
        number = page.get_by_label("Agreement number", exact=True)
        number.fill("TBD")
        number.press("Enter")
        page.wait_for_timeout(1500)
        page.get_by_role("button", name="Next", exact=True).click()
        page.get_by_role("heading", name="Parties and signatories", exact=True).wait_for()
        page.wait_for_timeout(1500)  # let the tables paint
        page.screenshot(path=str(ROOT / "docs" / "wizard-parties.png"))
        # The sidebar link keeps the browser session (a page load would start a new one).
        page.get_by_test_id("stSidebar").get_by_text("Review and save").click()
        page.get_by_role("heading", name="Review and save", exact=True).wait_for()
        page.get_by_role("button", name="Save revision").wait_for()
        page.wait_for_timeout(2500)
        page.screenshot(path=str(ROOT / "docs" / "wizard-review.png"))


if __name__ == "__main__":
    main()

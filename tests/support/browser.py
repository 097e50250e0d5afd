"""Run the app with `streamlit run` on a free loopback port and drive it with Chromium.

Shared by the browser test and the script that takes the README screenshots.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(
    workspace: Path, log: Path, app: Path | None = None, code: Path = ROOT
) -> Iterator[str]:
    """`streamlit run app.py` (or ``app``) of the checkout ``code`` on ``workspace``; yields
    its URL and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "MOU_WORKSPACE": str(workspace), "PYTHONPATH": str(code)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app or code / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=code, env=env, stdout=out, stderr=out)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer within {timeout} s")


@contextmanager
def chromium_page(width: int = 1360, height: int = 900) -> Iterator[Any]:
    """A headless Chromium page (Debian's chromium; Playwright's download is not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, accept_downloads=True
            )
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def wait_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current run (the status widget is gone)."""
    page.wait_for_timeout(150)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=timeout)
    page.wait_for_timeout(100)


_WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__mouRunSeen = false;
  if (window.__mouRunWatch) window.__mouRunWatch.disconnect();
  // A run shows as the script state leaving "notRunning", or, for a run too quick for
  // that to be drawn, as a change to the page it draws.
  // (elements added or removed under the main area, not mere style changes of a hover).
  const main = document.querySelector('[data-testid="stMain"]') || app;
  const seen = () => { window.__mouRunSeen = true; };
  window.__mouRunWatch = new MutationObserver(() => {
    if (app.dataset.testScriptState !== "notRunning") seen();
  });
  window.__mouRunWatch.observe(app, {attributes: true});
  window.__mouDrawWatch = window.__mouDrawWatch || new MutationObserver(seen);
  window.__mouDrawWatch.disconnect();
  window.__mouDrawWatch.observe(main, {childList: true, subtree: true});
}"""

_SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.dataset.testScriptState === "notRunning"
    && !document.querySelector('[data-stale="true"]');
}"""


def watch_runs(page: Any) -> None:
    """Start noting whether Streamlit begins a run (call before the action that starts one)."""
    page.evaluate(_WATCH_RUNS)


def settled(page: Any, *, ran: bool = True, timeout: float = 30_000) -> None:
    """Wait until the run started after :func:`watch_runs` (if ``ran``) is over and no stale
    element of an earlier run is left on the page: what the user sees is final."""
    if ran:
        page.wait_for_function("() => window.__mouRunSeen === true", timeout=timeout)
    page.wait_for_function(_SETTLED, timeout=timeout)

"""Look and feel: a restrained stylesheet, safe text in Markdown, the leave-page guard."""

from __future__ import annotations

import streamlit as st

_CSS = """
<style>
  .block-container { max-width: 1100px; padding-top: 2.2rem; }
  h1 { font-size: 1.65rem !important; font-weight: 650 !important; letter-spacing: -0.01em; }
  /* Sections of a page are h2 and what they hold h3, in order for screen readers (axe:
     heading-order); the sizes stay those of the compact look. */
  h2 { font-size: 1.05rem !important; font-weight: 620 !important; }
  h3 { font-size: 0.98rem !important; font-weight: 620 !important; }
  [data-testid="stExpander"] details { border-radius: 10px; }
  [data-testid="stVerticalBlockBorderWrapper"] { border-radius: 10px; }
  /* Streamlit fades captions to 60 % opacity, below the 4.5:1 contrast small text needs
     (WCAG 1.4.3): full opacity, in a grey that has 5.8:1 on white. */
  [data-testid="stCaptionContainer"] { color: #5b6472; opacity: 1; }
  /* Code colours with at least 4.5:1 on the code background (Streamlit's orange, green
     and grey tokens have 2.6 to 3.6). */
  [data-testid="stCode"] pre .token.comment, [data-testid="stCode"] pre .token.punctuation,
  [data-testid="stCode"] pre .token.prolog { color: #5b6472; }
  [data-testid="stCode"] pre .token.atrule, [data-testid="stCode"] pre .token.decorator,
  [data-testid="stCode"] pre .token.operator, [data-testid="stCode"] pre .token.entity,
  [data-testid="stCode"] pre .token.key { color: #9a3f00; }
  [data-testid="stCode"] pre .token.number, [data-testid="stCode"] pre .token.boolean,
  [data-testid="stCode"] pre .token.constant, [data-testid="stCode"] pre .token.symbol,
  [data-testid="stCode"] pre .token.regex { color: #0b6e5f; }
  [data-testid="stCode"] pre .token.string, [data-testid="stCode"] pre .token.char,
  [data-testid="stCode"] pre .token.attr-value { color: #0c5a44; }
  [data-testid="stCode"] pre .token.url { color: #7a3e9d; }
  /* A long code block scrolls in its outer box, which Streamlit makes focusable, rather
     than in its pre element, which the keyboard cannot reach (axe: scrollable-region-focusable). */
  [data-testid="stCode"] { max-height: 480px; overflow: auto; }
  [data-testid="stCode"] pre { overflow: visible; max-height: none; }
  .stButton button[kind="primary"] { font-weight: 600; }
  /* The sidebar's page entries (buttons, see mou.ui.app._links): a compact list, left
     aligned, the current page in a box. */
  [data-testid="stSidebar"] [class*="st-key-mou-nav-"] { margin-bottom: -0.8rem; }
  [data-testid="stSidebar"] [class*="st-key-mou-nav-"] button {
    width: 100%; min-height: 2rem; padding: 0.2rem 0.5rem; justify-content: flex-start;
  }
  [data-testid="stSidebar"] [class*="st-key-mou-nav-"] button * {
    justify-content: flex-start; text-align: left;
  }
</style>
"""

# The handler is installed once; each run only updates the flag it reads. No user
# text ever reaches this script.
_GUARD = """
<script>
  window.__mouDirty = %s;
  if (!window.__mouGuard) {
    window.__mouGuard = true;
    window.addEventListener("beforeunload", function (event) {
      if (window.__mouDirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }
</script>
"""


def apply() -> None:
    """Add the stylesheet to the page."""
    st.html(_CSS)


def warn_before_leaving(dirty: bool) -> None:
    """Ask the browser to confirm closing or reloading the tab while edits are unsaved."""
    st.html(_GUARD % ("true" if dirty else "false"), unsafe_allow_javascript=True)


def plain(text: object) -> str:
    """User text made safe inside Markdown: shown exactly as typed, never as formatting."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in str(text))


def code(text: object) -> str:
    """Text as a Markdown code span: shown as typed (escapes would show as backslashes)."""
    shown = str(text).replace("`", "'").replace("\n", " ")
    return f"`{shown}`"


def count(number: int, noun: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"

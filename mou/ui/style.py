"""Look and feel: a restrained stylesheet, safe text in Markdown, the leave-page guard."""

from __future__ import annotations

import streamlit as st

_CSS = """
<style>
  .block-container { max-width: 1100px; padding-top: 2.2rem; }
  h1 { font-size: 1.65rem !important; font-weight: 650 !important; letter-spacing: -0.01em; }
  h2 { font-size: 1.25rem !important; font-weight: 620 !important; }
  h3 { font-size: 1.05rem !important; font-weight: 620 !important; }
  [data-testid="stExpander"] details { border-radius: 10px; }
  [data-testid="stVerticalBlockBorderWrapper"] { border-radius: 10px; }
  [data-testid="stCaptionContainer"] { color: #5b6472; }
  .stButton button[kind="primary"] { font-weight: 600; }
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

"""The change list between two versions, grouped by section: additions green, deletions
struck through. User text is HTML-escaped before it is shown, and invisible format
characters (zero-width space, bidirectional marks…) are shown as ``<U+200B>``."""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from ..changes.diff import Change, diff, group_by_section
from ..chars import visible
from ..model import Agreement
from .style import count

_INS = "background:#e6f4ea;color:#0f5323;text-decoration:none;padding:0 2px;border-radius:3px"
_DEL = "background:#fdecea;color:#8a1c1c;padding:0 2px;border-radius:3px"
_KIND = {"added": "Added", "removed": "Removed", "changed": "Changed", "moved": "Moved"}


def show_changes(old: Agreement, new: Agreement, *, empty: str = "No differences.") -> int:
    """Draw every change from ``old`` to ``new`` by section; return how many there are."""
    return show_change_list(diff(old, new), empty=empty)


def show_change_list(changes: list[Change], *, empty: str = "No differences.") -> int:
    """Draw ``changes`` (of :func:`mou.changes.diff.diff`) by section; return how many."""
    if not changes:
        st.info(empty)
        return 0
    for section, items in group_by_section(changes).items():
        st.markdown(f"**{_shown(section)}** · {count(len(items), 'change')}")
        st.html("".join(change_html(change) for change in items))
    return len(changes)


def change_html(change: Any) -> str:
    """One change as HTML: what kind, where, and the words removed and added."""
    label = _shown(change.label)
    kind = _KIND.get(change.kind, change.kind)
    return (
        f"<div style='margin:0 0 .55rem 0;line-height:1.5'>"
        f"<span style='color:#5b6472;font-size:.85em'>{kind} · {label}</span><br>"
        f"{_body(change)}</div>"
    )


def _body(change: Any) -> str:
    if change.words:
        return "".join(_word(op.op, op.text) for op in change.words)
    if change.kind == "moved":
        return (
            f"moved from position {html.escape(str(change.old))} to {html.escape(str(change.new))}"
        )
    parts = []
    if change.old is not None and change.kind != "added":
        parts.append(_word("delete", _value(change.old)))
    if change.new is not None and change.kind != "removed":
        parts.append(_word("insert", _value(change.new)))
    return " ".join(parts)


def _shown(text: str) -> str:
    """``text`` safe in HTML, every invisible character visible."""
    return html.escape(visible(text))


def _word(op: str, text: str) -> str:
    escaped = _shown(text)
    if op == "insert":
        return f"<ins style='{_INS}'>{escaped}</ins>"
    if op == "delete":
        return f"<del style='{_DEL}'>{escaped}</del>"
    return escaped


def _value(value: Any) -> str:
    if isinstance(value, dict):
        shown = value.get("legal_name") or value.get("title") or value.get("name")
        return str(shown or value.get("text") or value.get("id") or value)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return str(value)

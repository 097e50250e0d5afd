"""Controls shared by the wizard steps, built on the draft-bound fields of :mod:`mou.ui.fields`.

A step in parts, one item of a long list at a time, optional sections that can be
switched off without losing what was typed, and the small forms that add and remove
list items. Only the chosen part and item are drawn: reruns stay fast and the page
calm, at the cost that problems elsewhere show only as counts on the part labels.

"Fix in …" on the Review page leaves a *focus path* in the session (:func:`focus_on`);
:func:`parts` and :func:`pick` open the part and item holding it, and the step clears
it once drawn (:func:`clear_focus`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from ..model import Frequency
from .rows import Column, get_in, json_path, party_labels, set_in, slugify, under
from .state import Draft
from .style import plain

FREQUENCIES = tuple(Frequency)
CLAUSE = (Column("text", "Text", required=True),)
"""The columns of a list of clauses (recitals, uses, commitments, provisions)."""

Part = tuple[str, tuple[str, ...], Callable[[Draft], None]]
"""One part of a step: its label, the dotted field paths it edits, and its body."""


# --------------------------------------------------------------------------- focus


def focus_on(draft: Draft, path: str) -> None:
    """Ask the step that edits ``path`` to open the part and item holding it."""
    st.session_state[_focus_key(draft)] = path


def clear_focus(draft: Draft) -> None:
    """Forget the focus path: the step has opened what it asked for."""
    st.session_state.pop(_focus_key(draft), None)


def _focused(draft: Draft) -> str:
    return st.session_state.get(_focus_key(draft)) or ""


def _focus_key(draft: Draft) -> str:
    return draft.key("::focus-path")


# --------------------------------------------------------------------------- parts and items


def parts(draft: Draft, step: str, choices: Sequence[Part]) -> None:
    """A step in parts: one is drawn at a time, each labelled with its problem count."""
    counts = {label: problem_count(draft, sections) for label, sections, _ in choices}
    labels = [label for label, _, _ in choices]
    key = draft.key(f"{step}::part")
    _open_focused_part(draft, key, choices)
    if st.session_state.get(key) not in labels:
        st.session_state[key] = labels[0]
    chosen = st.segmented_control(
        "Part",
        labels,
        format_func=lambda label: f"{label} ({counts[label]})" if counts[label] else label,
        key=key,
        label_visibility="collapsed",
    )
    for label, _, draw in choices:
        if label == (chosen or labels[0]):
            st.header(label)
            draw(draft)


def _open_focused_part(draft: Draft, key: str, choices: Sequence[Part]) -> None:
    wanted = _focused(draft)
    for label, sections, _ in choices:
        if wanted and any(under(wanted, f"$.{section}") for section in sections):
            st.session_state[key] = label


def problem_count(draft: Draft, sections: tuple[str, ...]) -> int:
    """Problems at or under any of ``sections`` (dotted field paths such as ``term``)."""
    prefixes = tuple(f"$.{section}" for section in sections)
    return sum(
        len(found)
        for path, found in draft.problems_by_path().items()
        if any(under(path, prefix) for prefix in prefixes)
    )


def pick(
    draft: Draft, name: str, items: list[Any], label: Callable[[Any], Any], prompt: str
) -> int | None:
    """Choose which item of a long list to edit; only that one is drawn (fast, calm)."""
    if not items:
        return None
    options = list(range(len(items)))
    key = draft.key(f"$.{name}::focus")
    wanted = _focused(draft)
    for index in options:
        if under(wanted, f"$.{name}[{index}]"):
            st.session_state[key] = index
    if st.session_state.get(key) not in options:
        st.session_state[key] = 0
    chosen = st.segmented_control(
        prompt, options, format_func=lambda i: str(label(items[i])), key=key
    )
    return 0 if chosen is None else int(chosen)


# --------------------------------------------------------------------------- optional content


def section(draft: Draft, name: str, label: str, skeleton: dict[str, Any], help: str) -> bool:
    """A switch that adds or removes an optional section; removed content is kept aside."""
    stash = f"{draft.key(name)}::stash"
    present = name in draft.data
    on = st.toggle(label, value=present, key=draft.key(f"$.{name}::on"), help=help)
    if on and not present:
        draft.data[name] = st.session_state.pop(stash, None) or copy.deepcopy(skeleton)
        draft.touch()
    elif present and not on:
        st.session_state[stash] = draft.data.pop(name)
        draft.touch()
    return on


def set_aside_unless(draft: Draft, path: tuple[Any, ...], wanted: bool) -> None:
    """Take a list out of the draft while its switch is off; put it back when it is on again.

    Hiding the list is not enough: what is in the draft is saved and printed.
    """
    stash = f"{draft.key(json_path(path))}::stash"
    present = bool(get_in(draft.data, path))
    if wanted and not present and st.session_state.get(stash):
        set_in(draft.data, path, st.session_state.pop(stash))
        draft.touch()
    elif present and not wanted:
        st.session_state[stash] = get_in(draft.data, path)
        set_in(draft.data, path, None)
        draft.touch()


# --------------------------------------------------------------------------- adding and removing


def remove_button(draft: Draft, path: tuple[str, ...], index: int, noun: str) -> None:
    """A button that removes item ``index`` of the list at ``path`` (with Undo after)."""
    items = get_in(draft.data, path)
    if st.button(f"Remove this {noun}", key=draft.key(f"{json_path(path)}[{index}]::remove")):
        name = _item_title(items[index], noun)
        keep_for_undo(draft, name)
        del items[index]
        draft.touch()
        draft.generation += 1  # rows below moved up: their widgets start again from the draft
        note_undo_version(draft)
        st.rerun()


def _item_title(item: Any, noun: str) -> str:
    for field in ("acronym", "title", "name", "text"):
        value = item.get(field) if isinstance(item, dict) else None
        if isinstance(value, str) and value.strip():
            short = value if len(value) <= 40 else value[:39] + "…"
            return f"the {noun} “{short}”"
    return f"the {noun}"


# --------------------------------------------------------------------------- undo


def keep_for_undo(draft: Draft, what: str, done: str = "Removed") -> None:
    """Remember the draft as it is, before an edit that Undo can take back: ``done``
    ``what`` ("Removed" "the party “PA”", "Moved" "the party “PA” up")."""
    st.session_state[_undo_key(draft)] = [f"{done} {what}", copy.deepcopy(draft.data), None]


def note_undo_version(draft: Draft) -> None:
    """Call after the removal: Undo is offered until the draft next changes."""
    kept = st.session_state.get(_undo_key(draft))
    if kept is not None:
        kept[2] = draft.version


def undo_offer(draft: Draft) -> None:
    """ "Removed … — Undo" after a removal or a move, until the next edit (which Undo
    would lose)."""
    kept = st.session_state.get(_undo_key(draft))
    slot = st.container()  # always drawn, so the fields below keep their place (and focus)
    if kept is None or kept[2] != draft.version:
        st.session_state.pop(_undo_key(draft), None)
        return
    said, before, _ = kept
    text, button = slot.columns([5, 1], vertical_alignment="center")
    icon = ":material/delete:" if said.startswith("Removed") else ":material/undo:"
    text.info(f"{plain(said)}.", icon=icon)
    if button.button("Undo", key=draft.key("::undo"), type="primary", width="stretch"):
        st.session_state.pop(_undo_key(draft), None)
        draft.data = before
        draft.touch()
        draft.generation += 1  # every widget starts again from the restored draft
        st.rerun()


def _undo_key(draft: Draft) -> str:
    return f"{draft.agreement_id}::undo-snapshot"  # not by generation: removal bumps it


def add_item(
    draft: Draft,
    path: tuple[str, ...],
    noun: str,
    prompt: str,
    field: str,
    parties_field: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """A small form that appends an item (with the parties it belongs to) under a new id."""
    labels = party_labels(draft.data)
    with st.form(draft.key(f"{json_path(path)}::add"), clear_on_submit=True):
        st.markdown(f"**Add a {noun}**")
        widget = st.text_area if field == "text" else st.text_input
        value = widget(prompt, key=draft.key(f"{json_path(path)}::new"))
        chosen = st.multiselect(
            f"{'Parties' if parties_field == 'parties' else 'Owners'} of the new {noun}",
            list(labels),
            format_func=lambda p: labels.get(p, p),
            key=draft.key(f"{json_path(path)}::new-parties"),
        )
        if st.form_submit_button(f"Add {noun}", icon=":material/add:"):
            if not value.strip():
                st.error(f"Type the {noun} first.")
                return
            fields = {field: value, parties_field: list(chosen), **copy.deepcopy(extra or {})}
            _append(draft, path[0], value, fields)
            st.rerun()


def _append(draft: Draft, name: str, title: str, fields: dict[str, Any]) -> None:
    """Append an item to the top-level list ``name``, its id made from ``title``."""
    items = draft.data.setdefault(name, [])
    items.append({"id": slugify(title, [str(i.get("id")) for i in items]), **fields})
    draft.touch()
    focus_on(draft, f"$.{name}[{len(items) - 1}]")  # show the new one

"""Field widgets bound to the draft: each one reads its value from the draft, writes the
edit back at once, and shows the draft's validation problems for its path beneath it."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ..changes.decisions import remarks_by_field
from ..chars import invisible_chars
from ..presets import hint_path
from .rows import (
    Column,
    Path,
    Table,
    column_widths,
    from_rows,
    get_in,
    goal_labels,
    in_words,
    is_blank,
    json_path,
    party_labels,
    set_in,
    to_rows,
    typed_first,
)
from .state import Draft
from .style import plain

SHOWN = "mou_problem_places_shown"
"""The JSON paths whose problems the fields of this run show beneath them."""
BOUND = "mou_bound_fields"
"""Every field drawn, by widget key: how to take an edit made in it into the draft."""


def messages(draft: Draft, path: Path) -> list[str]:
    """Problems reported exactly at ``path``, in the words a liaison sees (once each)."""
    mark_shown(json_path(path))
    found = draft.problems_by_path().get(json_path(path), [])
    return list(dict.fromkeys(in_words(m, draft.data) for m in found))


def mark_shown(path: str) -> None:
    """Note that the problems at (and, for a table, inside) ``path`` are shown on the page."""
    st.session_state.setdefault(SHOWN, set()).add(path)


def shown_places() -> set[str]:
    """The places whose problems this run shows beside their fields."""
    return set(st.session_state.get(SHOWN, set()))


def forget_shown() -> None:
    """Start a page's run: no field has shown its problems yet."""
    st.session_state[SHOWN] = set()


def write(draft: Draft, path: Path, value: Any) -> None:
    """Write a field's value into the draft, noting the change only when there is one."""
    blank = is_blank(value)
    if (get_in(draft.data, path) is None and blank) or get_in(draft.data, path) == value:
        return
    set_in(draft.data, path, value)
    draft.touch()


def show_problems(found: Sequence[str]) -> None:
    """Problems under a field, in the app's error colour.

    They go into a container drawn even when empty: the fields below then keep their
    place on the page when a problem comes or goes, and the browser keeps the focus.
    """
    slot = st.container()
    for message in found:
        slot.markdown(f":red[:material/error: {plain(message)}]")


def show_partner_notes(draft: Draft, path: str, *, rows: dict[str, str] | None = None) -> None:
    """Under a field, what the partner's returned copy the draft decides on says about it:
    its comments and the unmapped edits nearest it. With ``rows`` (a table's column labels),
    those on the table's rows too, named by row."""
    if draft.intake is None:
        return
    taken = draft.intake
    found = draft.memo("partner notes", lambda: remarks_by_field(taken.intake, draft.data))
    for at, lines in found.items():
        if at == path:
            where = ""
        elif rows is not None and at.startswith(path + "["):
            where = _row_place(at[len(path) :], rows)
        else:
            continue
        for line in lines:
            st.caption(f":material/comment: {plain(where + line)}")


def show_invisible(value: Any) -> None:
    """Under a text field, name the invisible characters its value holds (zero-width
    space, bidirectional marks…): kept as typed, but nobody should be surprised by them."""
    found = invisible_chars(value) if isinstance(value, str) else []
    slot = st.container()  # drawn always, as for problems
    if found:
        slot.caption(f":material/visibility: Holds invisible characters: {plain(', '.join(found))}")


def _bound(
    draft: Draft,
    path: Path,
    widget: Callable[..., Any],
    initial: dict[str, Any],
    stored: Callable[[Any], Any],
    **kw: Any,
) -> None:
    """Draw ``widget`` showing the draft's value; write what it holds back into the draft.

    The draft's value goes in as the widget's own default (``initial``: ``value=``,
    ``index=`` or ``default=``), never through ``st.session_state``: the browser rebuilds
    a widget from its default when it comes back on screen, and a default left blank
    would be sent back as an edit and blank the field. ``stored`` turns the widget's
    value into the draft's.

    The write happens up to three times on purpose: in ``on_change``, which Streamlit
    runs before the next run even when that run draws another page (a field typed in
    and left by a click on the sidebar); at the start of the next run, by
    :func:`keep_pending_edits`, in case ``on_change`` was cut short; and after drawing,
    for the value shown now.
    """
    key = _widget_key(draft, path)
    value = widget(key=key, on_change=_commit, args=(draft, path, key, stored), **initial, **kw)
    write(draft, path, stored(value))
    _remember(key, _FieldEdit(draft, path, stored, stored(value)))
    show_problems(messages(draft, path))
    show_partner_notes(draft, json_path(path))


def _widget_key(draft: Draft, path: Path) -> str:
    """The field's widget key; a new one after "Clear", so the widget starts empty."""
    key = draft.key(json_path(path))
    cleared = st.session_state.get(f"{key}::cleared", 0)
    return f"{key}#{cleared}" if cleared else key


def _clear_button(draft: Draft, path: Path, label: str) -> None:
    """Empty an optional number or date: Streamlit cannot empty one whose default is set.

    The draft's value is the widget's default (see ``_bound``), so the widget itself
    can only change it, never remove it.
    """
    if get_in(draft.data, path) is None:
        return
    key = draft.key(json_path(path))
    if st.button(
        "Clear", key=f"{key}::clear", type="tertiary", icon=":material/close:",
        help=f"Remove the value of “{label}”",
    ):  # fmt: skip
        write(draft, path, None)
        st.session_state[f"{key}::cleared"] = st.session_state.get(f"{key}::cleared", 0) + 1
        st.rerun()


def _commit(draft: Draft, path: Path, key: str, stored: Callable[[Any], Any]) -> None:
    if key in st.session_state:
        write(draft, path, stored(st.session_state[key]))


def keep_pending_edits() -> None:
    """Write into the draft every edit a field holds that has not reached it yet.

    Called at the start of every run, before the page is chosen or left. A field's
    ``on_change`` can be cut short: when another message from the browser is already
    waiting (the click that left the field), Streamlit stops the callback at its first
    look at ``st.session_state`` and starts the next run with the waiting message. The
    field's value is still in the session then; this is where it reaches the draft.
    """
    bound: dict[str, _FieldEdit | _TableEdit] = st.session_state.setdefault(BOUND, {})
    for key, edit in list(bound.items()):
        # A widget gone (another page or agreement) holds nothing pending; one drawn
        # before the draft was replaced (a reload) belongs to content no longer there.
        if key not in st.session_state or edit.generation != edit.draft.generation:
            del bound[key]
        else:
            edit.keep(st.session_state[key])


def _remember(key: str, edit: _FieldEdit | _TableEdit) -> None:
    st.session_state.setdefault(BOUND, {})[key] = edit


@dataclass
class _FieldEdit:
    """A field as last drawn: where its value goes and the value it showed."""

    draft: Draft
    path: Path
    stored: Callable[[Any], Any]
    shown: Any
    generation: int = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.generation = self.draft.generation

    def keep(self, value: Any) -> None:
        """Write ``value`` if the user changed the field since it was drawn; a field left
        alone never overwrites what changed in the draft meanwhile (an undo, a removal)."""
        value = self.stored(value)
        if value != self.shown:
            write(self.draft, self.path, value)
            self.shown = value


@dataclass
class _TableEdit:
    """A table as last drawn: its spec, the rows it started from and the list it wrote."""

    draft: Draft
    spec: Table
    frozen: pd.DataFrame
    wrote: list[Any]
    generation: int = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.generation = self.draft.generation

    def keep(self, state: Any) -> None:
        """Write the table's edits if they changed its list since it was drawn, and the
        list in the draft is still the one the table wrote (not changed elsewhere)."""
        if not _has_edits(state) or get_in(self.draft.data, self.spec.path) != self.wrote:
            return
        items = from_rows(_records(apply_edits(self.frozen, state)), self.wrote, self.spec)
        if items != self.wrote:
            write(self.draft, self.spec.path, items)
            self.wrote = copy.deepcopy(items)


def _same(value: Any) -> Any:
    return value


def text(draft: Draft, path: Path, label: str, *, area: bool = False, **kw: Any) -> None:
    """A one-line or multi-line text field; an empty field removes the value."""
    current = get_in(draft.data, path)
    widget = st.text_area if area else st.text_input
    shown = "" if current is None else str(current)
    hint = draft.hints.get(hint_path(json_path(path)))
    if hint:  # what a preset left for the liaison to fill in, shown while it is empty
        kw["placeholder"] = hint
    _bound(draft, path, widget, {"value": shown}, _same, label=label, **kw)
    show_invisible(get_in(draft.data, path))


def number(draft: Draft, path: Path, label: str, *, integer: bool = True, **kw: Any) -> None:
    """A number field that may be left empty (optional numbers)."""
    current = get_in(draft.data, path)
    step = 1 if integer else 0.01
    fmt = "%d" if integer else "%g"
    kw.setdefault("min_value", 0 if integer else 0.0)
    shown = None if current is None else (int(current) if integer else float(current))
    stored = _whole_as_int if integer else _whole_as_int_or_float
    _bound(draft, path, st.number_input, {"value": shown}, stored, label=label, step=step,
           format=fmt, **kw)  # fmt: skip
    _clear_button(draft, path, label)


def lines(draft: Draft, path: Path, label: str, **kw: Any) -> None:
    """A list of one-line texts, typed one per line (empty lines are not items)."""
    current = get_in(draft.data, path) or []
    shown = "\n".join(str(item) for item in current)
    _bound(draft, path, st.text_area, {"value": shown}, _nonblank_lines, label=label, **kw)
    show_invisible("\n".join(str(item) for item in get_in(draft.data, path) or []))


def checkbox(draft: Draft, path: Path, label: str, *, default: bool = False, **kw: Any) -> None:
    """A yes/no field (written always, so the file says what was decided)."""
    current = get_in(draft.data, path, default)
    _bound(draft, path, st.checkbox, {"value": bool(current)}, bool, label=label, **kw)


_TRISTATE = {"": "— (not stated)", "yes": "Yes", "no": "No"}


def yes_no(draft: Draft, path: Path, label: str, **kw: Any) -> None:
    """Yes, no, or not stated: an optional true/false, left out of the file when unstated."""
    current = get_in(draft.data, path)
    shown = "" if current is None else ("yes" if current else "no")
    options = list(_TRISTATE)
    _bound(draft, path, st.selectbox, {"index": options.index(shown)}, _yes_no_value,
           label=label, options=options, format_func=_TRISTATE.__getitem__, **kw)  # fmt: skip


def _yes_no_value(value: Any) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def choice(
    draft: Draft,
    path: Path,
    label: str,
    options: Sequence[str],
    *,
    labels: dict[str, str] | None = None,
    optional: bool = False,
    **kw: Any,
) -> None:
    """Pick one of ``options`` (ids or enum values), shown with readable labels.

    Nothing is picked until the user picks: an unset field shows "Choose…", so the
    draft never holds a value nobody chose and validation keeps naming it.
    """
    current = get_in(draft.data, path)
    names = labels or {}
    shown = typed_first(options, lambda option: names.get(option, humanize(option)))
    if optional:
        shown = ["", *shown]
    if current is not None and current not in shown:
        shown.append(current)  # keep an unknown value visible rather than silently replace it

    def describe(option: str) -> str:
        return names.get(option, humanize(option)) if option else "—"

    index = shown.index(current) if current is not None else (0 if optional else None)
    kw.setdefault("placeholder", "Choose…")
    _bound(
        draft,
        path,
        st.selectbox,
        {"index": index},
        _same,
        label=label,
        options=shown,
        format_func=describe,
        **kw,
    )


def parties(draft: Draft, path: Path, label: str, **kw: Any) -> None:
    """Pick parties by acronym; the draft stores their ids."""
    labels = party_labels(draft.data)
    current = [p for p in get_in(draft.data, path) or [] if p in labels]
    _bound(
        draft,
        path,
        st.multiselect,
        {"default": current},
        list,
        label=label,
        options=list(labels),
        format_func=lambda p: labels.get(p, p),
        **kw,
    )


def party(draft: Draft, path: Path, label: str, *, optional: bool = False, **kw: Any) -> None:
    """Pick one party by acronym."""
    labels = party_labels(draft.data)
    choice(draft, path, label, list(labels), labels=labels, optional=optional, **kw)


PAYMENT_KINDS = {
    "": "—",
    "party": "A party",
    "role": "A role (e.g. the requesting party)",
    "other": "Someone who is not a party",
}


def payment(
    draft: Draft, path: Path, label: str, roles: Sequence[str], *, optional: bool = False
) -> None:
    """One side of a payment: a party, a role, or someone who is not a party."""
    current = get_in(draft.data, path)
    now = next(
        (k for k in ("party", "role", "other") if isinstance(current, dict) and k in current), ""
    )
    kinds = [k for k in PAYMENT_KINDS if k or optional or not now]
    # The key carries the kind in the draft, so the picker follows the draft after a reload.
    key = f"{draft.key(json_path(path))}::kind::{now}"
    chosen = st.selectbox(
        label, kinds, index=kinds.index(now), key=key, format_func=PAYMENT_KINDS.__getitem__
    )
    if chosen != now:
        write(draft, path, {} if chosen else None)
    if chosen == "party":
        party(draft, (*path, "party"), f"{label}: party")
    elif chosen == "role":
        choice(draft, (*path, "role"), f"{label}: role", roles)
    elif chosen == "other":
        text(draft, (*path, "other"), f"{label}: name", placeholder="e.g. the State Treasurer")
    show_problems(messages(draft, path))


def date(draft: Draft, path: Path, label: str, **kw: Any) -> None:
    """An optional date, stored as ISO text."""
    current = get_in(draft.data, path)
    # Streamlit's own range is today ± 10 years; agreements run for decades.
    kw.setdefault("min_value", dt.date(1900, 1, 1))
    kw.setdefault("max_value", dt.date(2199, 12, 31))
    shown = {"value": _as_date(current)}
    _bound(draft, path, st.date_input, shown, _iso_date, label=label, format="YYYY-MM-DD", **kw)
    _clear_button(draft, path, label)


def _as_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _iso_date(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _whole_as_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _whole_as_int_or_float(value: Any) -> int | float | None:
    # 250000.0 is written as 250000; 0.5 stays a fraction.
    if value is None or not float(value).is_integer():
        return value
    return int(value)


def _nonblank_lines(value: Any) -> list[str]:
    return [line for line in str(value).split("\n") if line.strip()]


def humanize(value: str) -> str:
    """``approved_as_to_form`` -> ``Approved as to form``."""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- tables


def table(draft: Draft, spec: Table, *, caption: str | None = None, height: Any = "auto") -> None:
    """A list edited as a table; rows keep their ids and new rows get one from their name.

    The table is fed a frozen copy of the rows made when it first appears: feeding it
    the draft each run would reset it on every edit and drop every second keystroke
    (streamlit#7749). The copy is rebuilt whenever the editor was not on screen in
    the previous run, so a table always starts from the draft's current rows. When
    the list changed elsewhere (an "Add" form), the editor starts over under a new
    key: its pending edits refer to the old rows and would otherwise erase the new one.
    """
    previous = get_in(draft.data, spec.path) or []
    key = table_key(draft, spec.path, previous)
    frozen = f"{key}::rows"
    if key not in st.session_state or frozen not in st.session_state:
        st.session_state[frozen] = _frame(to_rows(previous, spec), spec)
    if caption:
        st.caption(caption)
    edited = st.data_editor(
        st.session_state[frozen],
        key=key,
        on_change=_commit_table,
        args=(draft, spec, key),
        num_rows="dynamic",
        hide_index=True,
        column_config=_column_config(draft, spec),
        column_order=[c.field for c in spec.columns],
        width="stretch",
        height=height,
        placeholder="",  # a blank cell shows empty, not "None"
    )
    items = previous
    if _has_edits(st.session_state.get(key)):  # untouched tables cost no conversion
        items = from_rows(_records(edited), previous, spec)
        write(draft, spec.path, items)
    st.session_state[f"{draft.key(json_path(spec.path))}::wrote"] = copy.deepcopy(items)
    _remember(key, _TableEdit(draft, spec, st.session_state[frozen], copy.deepcopy(items)))
    show_table_problems(draft, spec)


def _commit_table(draft: Draft, spec: Table, key: str) -> None:
    """Write a table's pending edits into the draft before the next run draws anything.

    Streamlit runs this even when the click that ended the edit leads to another part
    or page, where the table is not drawn and its edits would otherwise be dropped.
    """
    frozen, state = st.session_state.get(f"{key}::rows"), st.session_state.get(key)
    if frozen is None or not isinstance(state, dict) or not _has_edits(state):
        return
    previous = get_in(draft.data, spec.path) or []
    items = from_rows(_records(apply_edits(frozen, state)), previous, spec)
    write(draft, spec.path, items)
    # The table wrote this itself: drawn again on this page it keeps its key, so the
    # browser keeps the grid (and the focus in it). Drawn after a page switch it starts
    # again from the draft under a new key (see table_key).
    st.session_state[f"{draft.key(json_path(spec.path))}::wrote"] = copy.deepcopy(items)


def apply_edits(frame: pd.DataFrame, state: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with a data editor's edit state applied, as the editor shows it.

    Cells first, then deleted rows (positions in ``frame``), then the added rows.
    """
    result = frame.copy()
    for position, changes in (state.get("edited_rows") or {}).items():
        for column, value in changes.items():
            if column in result.columns:
                result.at[result.index[int(position)], column] = value
    deleted = [result.index[int(p)] for p in state.get("deleted_rows") or [] if int(p) < len(frame)]
    result = result.drop(index=deleted)
    added = pd.DataFrame(state.get("added_rows") or [], columns=result.columns)
    return pd.concat([result, added], ignore_index=True) if len(added) else result


def _has_edits(state: Any) -> bool:
    if not isinstance(state, dict):
        return False
    return any(state.get(name) for name in ("edited_rows", "added_rows", "deleted_rows"))


def table_key(draft: Draft, path: Path, current: list[Any]) -> str:
    """The editor's widget key: a new one whenever the list changed outside the table, or
    the table was not on screen in the previous run.

    A grid the browser rebuilds after a page switch would otherwise show the rows from
    before an edit committed by that switch, and the next edit made there would undo it.
    While the table stays on screen its key stays, so the browser keeps the focus in it.
    """
    base = draft.key(json_path(path))
    epoch = st.session_state.get(f"{base}::epoch", 0)
    on_screen = f"{base}#{epoch}" in st.session_state
    if st.session_state.get(f"{base}::wrote", current) != current or not on_screen:
        epoch += 1
        st.session_state[f"{base}::epoch"] = epoch
    return f"{base}#{epoch}"


def _frame(rows: list[dict[str, Any]], spec: Table) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=spec.fields)
    for column in spec.columns:
        if column.kind in ("text", "date", "choice", "party", "parties", "goals"):
            frame[column.field] = frame[column.field].astype("object")
        elif column.kind == "bool":
            frame[column.field] = frame[column.field].fillna(False).astype(bool)
        elif column.kind in ("int", "float"):
            frame[column.field] = pd.to_numeric(frame[column.field]).astype("float64")
    return frame


def _records(edited: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = edited.to_dict("records")
    return [{k: (None if is_blank(v) else v) for k, v in row.items()} for row in records]


def _column_config(draft: Draft, spec: Table) -> dict[str, Any]:
    config: dict[str, Any] = {}
    labels = party_labels(draft.data)
    goals = goal_labels(draft.data)
    widths = column_widths(spec.columns)
    for c in spec.columns:
        common: dict[str, Any] = {"help": _column_help(c), "width": widths[c.field]}
        if c.kind in ("int", "float"):
            fmt = "%d" if c.kind == "int" else "%g"
            config[c.field] = st.column_config.NumberColumn(c.label, format=fmt, **common)
        elif c.kind == "bool":
            config[c.field] = st.column_config.CheckboxColumn(
                c.label, help=c.help, width=widths[c.field]
            )
        elif c.kind == "choice":
            config[c.field] = st.column_config.SelectboxColumn(
                c.label,
                options=typed_first(c.options, lambda v: humanize(str(v))),
                format_func=lambda v: humanize(str(v)),
                **common,
            )
        elif c.kind == "goals":
            config[c.field] = st.column_config.MultiselectColumn(
                c.label, options=list(goals), format_func=lambda g: goals.get(g, g), **common
            )
        elif c.kind == "parties":
            config[c.field] = st.column_config.MultiselectColumn(
                c.label, options=list(labels), format_func=lambda p: labels.get(p, p), **common
            )
        elif c.kind == "party":
            config[c.field] = st.column_config.SelectboxColumn(
                c.label,
                options=typed_first(list(labels), lambda p: labels.get(str(p), str(p))),
                format_func=lambda p: labels.get(str(p), str(p)),
                **common,
            )
        elif c.kind == "date":  # ISO text, as the draft keeps it; validation names a bad one
            config[c.field] = st.column_config.TextColumn(
                c.label, validate=r"^\d{4}-\d{2}-\d{2}$", **common
            )
        else:
            config[c.field] = st.column_config.TextColumn(c.label, **common)
    return config


def _column_help(column: Column) -> str | None:
    """The column's tooltip; a required column says so.

    Required columns are not marked ``required`` for the grid: it would hold a new row
    back, in the browser only, until every such cell is filled, and lose it when the
    table leaves the screen. The row is kept in the draft instead, and the missing cell
    named beneath the table.
    """
    if not column.required:
        return column.help
    return f"Required. {column.help}" if column.help else "Required."


def show_table_problems(draft: Draft, spec: Table) -> None:
    """Problems in a table's rows, named by row number and column label (in a container
    drawn always, as for a field)."""
    prefix = json_path(spec.path)
    mark_shown(prefix)
    labels = {c.field: c.label for c in spec.columns}
    slot = st.container()
    for path, found in draft.problems_by_path().items():
        if path == prefix or path.startswith(prefix + "["):
            where = _row_place(path[len(prefix) :], labels)
            for message in dict.fromkeys(found):
                said = in_words(message, draft.data)
                slot.markdown(f":red[:material/error: {plain(where + said)}]")
    show_partner_notes(draft, prefix, rows=labels)


def _row_place(rest: str, labels: dict[str, str]) -> str:
    """``[2].unit`` -> ``Row 3, Unit: ``."""
    if not rest.startswith("["):
        return ""
    index, _, tail = rest[1:].partition("]")
    field = tail.lstrip(".").split(".")[0].split("[")[0]
    column = f", {labels.get(field, humanize(field))}" if field else ""
    return f"Row {int(index) + 1}{column}: " if index.isdigit() else ""

"""Step 2, Parties: each party with its address, contacts, sub-units and signature blocks.

Only the chosen party is drawn (:func:`mou.ui.controls.pick`); removing a party also
removes every reference to it (owners, providers, seats…), so nothing points nowhere.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ...model import PartyLevel, SignatureRole
from ...outline import fields_of
from .. import fields as f
from ..controls import focus_on, keep_for_undo, note_undo_version, pick, set_aside_unless
from ..lifecycle import withdrawal_of
from ..rows import (
    Column,
    Table,
    get_in,
    json_path,
    move_item,
    new_party,
    remove_party_references,
)
from ..state import Draft
from ..style import plain
from .step import Step

SIGNATORIES = (
    Column("role", "Role", kind="choice", options=tuple(SignatureRole), required=True),
    Column("name", "Name", required=True),
    Column("title", "Title", required=True),
    Column("authority", "Authority to sign"),
)
SUB_UNITS = (Column("name", "Sub-unit", required=True), Column("acronym", "Acronym"))


def parties(draft: Draft) -> None:
    """Each party with address, contacts, sub-units and signature blocks."""
    items = draft.data.get("parties") or []
    index = pick(draft, "parties", items, lambda p: p.get("acronym") or p.get("id"), "Party")
    if index is not None:
        with st.container(border=True):
            st.markdown(f"## {plain(items[index].get('legal_name') or items[index].get('id'))}")
            _withdrawal(draft, str(items[index].get("id")))
            _order(draft, items, index)
            _party(draft, index)
            _remove_party(draft, items, index)
    _add_party(draft)


def _withdrawal(draft: Draft, party: str) -> None:
    """The party's withdrawal notice, when one is recorded (`mou withdraw`)."""
    notice = withdrawal_of(draft, party)
    if notice is not None:
        st.warning(
            f"Gave notice of withdrawal on {notice.notice_date}; it takes effect on "
            f"{notice.effective_date}. Rebalance its shares, seats and roles by amendment.",
            icon=":material/logout:",
        )


def _order(draft: Draft, items: list[Any], index: int) -> None:
    """Move the party: the document lists parties in this order, the lead agency first."""
    first, up, down, note = st.columns([2, 2, 2, 5])
    moves = (
        (first, "Make first", ":material/vertical_align_top:", -index, "to the first place"),
        (up, "Move up", ":material/arrow_upward:", -1, "up"),
        (down, "Move down", ":material/arrow_downward:", 1, "down"),
    )
    for column, label, icon, offset, where in moves:
        column.button(
            label,
            key=draft.key(f"$.parties[{index}]::{label}"),
            icon=icon,
            disabled=offset == 0 or not 0 <= index + offset < len(items),
            on_click=_move,
            args=(draft, items, index, offset, where),
        )
    note.caption("The document lists the parties in this order: put the lead agency first.")


def _remove_party(draft: Draft, items: list[Any], index: int) -> None:
    name = items[index].get("acronym") or items[index].get("legal_name") or items[index]["id"]
    if st.button("Remove this party", key=draft.key(f"$.parties[{index}]::remove")):
        keep_for_undo(draft, f"the party “{name}” and its place in goals and responsibilities")
        remove_party_references(draft.data, items[index]["id"])
        del items[index]
        draft.touch()
        draft.generation += 1
        note_undo_version(draft)
        st.rerun()


def _move(draft: Draft, items: list[Any], index: int, offset: int, where: str) -> None:
    """Move a party before the next run draws anything, and keep it the one shown
    (Undo puts it back)."""
    name = items[index].get("acronym") or items[index].get("legal_name") or items[index]["id"]
    keep_for_undo(draft, f"the party “{name}” {where}", done="Moved")
    moved_to = move_item(items, index, offset)
    draft.touch()
    draft.generation += 1  # every party's widgets start again from the draft
    st.session_state[draft.key("$.parties::focus")] = moved_to
    note_undo_version(draft)


def _party(draft: Draft, i: int) -> None:
    p: tuple[Any, ...] = ("parties", i)
    left, mid, right = st.columns([3, 1, 1])
    with left:
        f.text(draft, (*p, "legal_name"), "Legal name")
    with mid:
        f.text(draft, (*p, "acronym"), "Acronym")
    with right:
        f.choice(draft, (*p, "level"), "Level", list(PartyLevel))
    _address(draft, (*p, "address"))
    _contact(draft, (*p, "point_of_contact"), "Point of contact", "Contact")
    _contact(draft, (*p, "notice_addressee"), "Notice addressee (formal notices)", "Addressee")
    _mailing_address(draft, (*p, "notice_addressee", "mailing_address"))
    f.text(draft, (*p, "governing_body_resolution"), "Governing-body resolution (optional)")
    f.table(
        draft,
        Table((*p, "signatories"), SIGNATORIES, name_field="name"),
        caption="Signature blocks: the signatory, then attest and approvals.",
    )
    _sub_units(draft, p)


def _address(draft: Draft, path: tuple[Any, ...], prefix: str = "") -> None:
    """Street, city, state and postal code; ``prefix`` (e.g. "Mailing ") tells a second
    address's fields from the first's."""
    a, b, c, d = st.columns([3, 2, 1, 1])
    with a:
        f.text(draft, (*path, "street"), f"{prefix}Street".capitalize())
    with b:
        f.text(draft, (*path, "city"), f"{prefix}City".capitalize())
    with c:
        f.text(draft, (*path, "state"), f"{prefix}State".capitalize())
    with d:
        f.text(draft, (*path, "postal_code"), f"{prefix}Postal code".capitalize())


def _contact(draft: Draft, path: tuple[Any, ...], label: str, who: str) -> None:
    """A person's name, title, e-mail and phone, each labelled with ``who`` (e.g.
    "Contact"): a screen reader lists fields by label, so no two may read the same."""
    st.markdown(f"**{label}**")
    name, title, email, phone = st.columns([3, 4, 3, 2])
    with name:
        f.text(draft, (*path, "name"), f"{who} name")
    with title:
        f.text(draft, (*path, "title"), f"{who} title")
    with email:
        f.text(draft, (*path, "email"), f"{who} email")
    with phone:
        f.text(draft, (*path, "phone"), f"{who} phone (optional)")


def _mailing_address(draft: Draft, path: tuple[Any, ...]) -> None:
    elsewhere = st.toggle(
        "Notices by mail go to another address than the party's",
        value=get_in(draft.data, path) is not None,
        key=draft.key(f"{json_path(path)}::on"),
    )
    set_aside_unless(draft, path, elsewhere)
    if elsewhere:
        _address(draft, path, "Mailing ")


def _sub_units(draft: Draft, p: tuple[Any, ...]) -> None:
    has_units = bool(get_in(draft.data, (*p, "sub_units")))
    acts_through_units = st.toggle(
        "This party acts through sub-units",
        value=has_units,
        key=draft.key(f"{json_path(p)}.sub_units::on"),
    )
    set_aside_unless(draft, (*p, "sub_units"), acts_through_units)
    if acts_through_units:
        f.table(
            draft,
            Table((*p, "sub_units"), SUB_UNITS, name_field="name"),
            caption="Sub-units, e.g. Office of the Sheriff, District Attorney.",
        )


def _add_party(draft: Draft) -> None:
    with st.form(draft.key("$.parties::add"), clear_on_submit=True, border=True):
        st.markdown("**Add a party**")
        left, right = st.columns([3, 1])
        legal_name = left.text_input(
            "Legal name of the new party", key=draft.key("$.parties::new-name")
        )
        acronym = right.text_input(
            "Acronym of the new party", key=draft.key("$.parties::new-acronym")
        )
        if st.form_submit_button("Add party", icon=":material/add:"):
            if not legal_name.strip() or not acronym.strip():
                st.error("Give the new party a legal name and an acronym.")
                return
            added = draft.data.setdefault("parties", [])
            added.append(new_party(draft.data, legal_name, acronym))
            draft.touch()
            focus_on(draft, f"$.parties[{len(added) - 1}]")  # show the new one
            st.rerun()


STEP = Step(
    "parties",
    "Parties and signatories",
    ":material/groups:",
    fields_of("parties"),
    parties,
    "Parties",
)

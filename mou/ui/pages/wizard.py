"""The wizard steps, one function per step, in the order a liaison thinks.

Every step edits the open draft through :mod:`mou.ui.fields`; nothing is saved
until the Review page. Each step begins with the same header (agreement, unsaved
marker, progress) and ends with Back / Next.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ...model import (
    AgreementType,
    CjisTopic,
    EffectiveRule,
    Frequency,
    Instrument,
    LiabilityBearer,
    PartyLevel,
    ResourceCategory,
    SignatureRole,
    Status,
)
from .. import fields as f
from ..rows import (
    Column,
    Table,
    get_in,
    json_path,
    new_party,
    place,
    remove_party_references,
    set_in,
)
from ..state import Draft, current
from ..style import count, plain

FREQUENCIES = tuple(Frequency)
CLAUSE = (Column("text", "Text", required=True),)


@dataclass(frozen=True)
class Step:
    """A wizard step: slug, title, icon, the top-level fields it edits, and its body."""

    slug: str
    title: str
    icon: str
    sections: tuple[str, ...]
    body: Callable[[Draft], None]
    short: str = ""
    """A one-word name for buttons ("Fix in Parties")."""

    def draw(self) -> None:
        """Draw the step for the open draft (or a pointer to the Agreements page)."""
        draft = current()
        if draft is None:
            _nothing_open()
            return
        _header(draft, self)
        self.body(draft)
        st.session_state.pop(_focus_key(draft), None)  # the step has opened what it asked for
        _footer(draft, self)


def focus_on(draft: Draft, path: str) -> None:
    """Ask the step that edits ``path`` to open the part and item holding it."""
    st.session_state[_focus_key(draft)] = path


def _focus_key(draft: Draft) -> str:
    return draft.key("::focus-path")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def _nothing_open() -> None:
    from .. import nav

    st.title("No agreement open")
    st.write("Open an agreement from the list, or start a new one from a preset.")
    if st.button("Go to Agreements", type="primary"):
        nav.go("agreements")


def _header(draft: Draft, step: Step) -> None:
    number = [s.slug for s in STEPS].index(step.slug) + 1
    st.caption(
        f"{plain(draft.data.get('title') or draft.agreement_id)} · step {number} of "
        f"{len(STEPS) + 1}"
    )
    st.title(step.title)
    st.progress(number / (len(STEPS) + 1))
    if draft.dirty:
        st.info(
            "Unsaved changes — they are kept while you move between steps; save them "
            "on the Review page.",
            icon=":material/edit_note:",
        )


def open_draft_page(title: str) -> Draft | None:
    """Head a page after the steps with the open draft; None (and a pointer) when none is open."""
    draft = current()
    if draft is None:
        _nothing_open()
        return None
    _header_plain(draft, title)
    return draft


def _header_plain(draft: Draft, title: str) -> None:
    """The header of the pages after the steps: agreement, title, unsaved marker."""
    st.caption(f"{plain(draft.data.get('title') or draft.agreement_id)} · `{draft.agreement_id}`")
    st.title(title)
    if draft.base is None:
        st.info("New agreement — not saved yet.", icon=":material/edit_note:")
    elif draft.dirty:
        st.info("Unsaved changes.", icon=":material/edit_note:")


def _footer(draft: Draft, step: Step) -> None:
    remaining = step_problems(draft, step)
    if remaining:
        with st.expander(f"{count(len(remaining), 'problem')} in this step", expanded=False):
            for path, message in remaining:
                st.markdown(f"- **{plain(place(path, draft.data))}:** {plain(message)}")
    back_next(step.slug)


def back_next(slug: str) -> None:
    """Back / Next buttons through the draft pages (steps, review, history, export)."""
    from .. import nav

    order = [s.slug for s in nav.DRAFT_PAGES]
    index = order.index(slug)
    st.divider()
    back, _, ahead = st.columns([1, 3, 1])
    if index > 0 and back.button("← Back", key=f"back-{slug}", width="stretch"):
        nav.go(order[index - 1])
    if index + 1 < len(order) and ahead.button(
        "Next →", key=f"next-{slug}", type="primary", width="stretch"
    ):
        nav.go(order[index + 1])


def step_problems(draft: Draft, step: Step) -> list[tuple[str, str]]:
    """Validation problems in the fields this step edits."""
    return [
        (path, message)
        for path, found in draft.problems_by_path().items()
        for message in found
        if step_of(path) is step
    ]


def step_of(path: str) -> Step:
    """The step that edits the field at JSON ``path`` (Basics for the document itself)."""
    top = path.removeprefix("$.").split(".")[0].split("[")[0]
    return next((s for s in STEPS if top in s.sections), STEPS[0])


def _section(draft: Draft, name: str, label: str, skeleton: dict[str, Any], help: str) -> bool:
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


def _set_aside_unless(draft: Draft, path: tuple[Any, ...], wanted: bool) -> None:
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


def _list_controls(draft: Draft, path: tuple[str, ...], index: int, noun: str) -> None:
    items = get_in(draft.data, path)
    if st.button(
        f"Remove this {noun}",
        key=draft.key(f"{json_path(path)}[{index}]::remove"),
        icon=":material/delete:",
    ):
        del items[index]
        draft.touch()
        draft.generation += 1  # rows below moved up: their widgets start again from the draft
        st.rerun()


Part = tuple[str, tuple[str, ...], Callable[[Draft], None]]


def parts(draft: Draft, step: str, choices: Sequence[Part]) -> None:
    """A step in parts: one is drawn at a time, each labelled with its problem count."""
    counts = {label: _problem_count(draft, sections) for label, sections, _ in choices}
    labels = [label for label, _, _ in choices]
    key = draft.key(f"{step}::part")
    wanted = st.session_state.get(_focus_key(draft))
    for label, sections, _ in choices:
        if wanted and any(_under(wanted, f"$.{section}") for section in sections):
            st.session_state[key] = label
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
            st.subheader(label)
            draw(draft)


def _problem_count(draft: Draft, sections: tuple[str, ...]) -> int:
    """Problems at or under any of ``sections`` (dotted field paths such as ``term``)."""
    prefixes = tuple(f"$.{section}" for section in sections)
    return sum(
        len(found)
        for path, found in draft.problems_by_path().items()
        if any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes)
    )


# --------------------------------------------------------------------------- 1 basics


def basics(draft: Draft) -> None:
    """Type, title, number, purpose, background, authorities, definitions."""
    parts(
        draft,
        "basics",
        [
            ("Title and purpose", (*BASICS_FIELDS, "purpose"), _title_and_purpose),
            ("Recitals", ("background",), _recitals),
            ("Authorities", ("authorities",), _authorities),
            ("Definitions", ("definitions",), _definitions),
        ],
    )


def _title_and_purpose(draft: Draft) -> None:
    st.caption(f"Agreement id: `{draft.agreement_id}` (the file name; it cannot change)")
    left, right = st.columns(2)
    with left:
        f.choice(draft, ("type",), "Agreement type", list(AgreementType))
        f.text(draft, ("number",), "Agreement number", placeholder="e.g. 2026-TF-014")
    with right:
        f.choice(draft, ("instrument",), "Instrument", list(Instrument))
        f.choice(draft, ("status",), "Status", list(Status))
    f.text(draft, ("title",), "Title")
    f.text(
        draft, ("marking",), "Handling marking (optional)", placeholder="e.g. For Official Use Only"
    )
    f.text(draft, ("purpose",), "Purpose", area=True, height=110)
    f.lines(
        draft,
        ("supersedes",),
        "Supersedes (optional; one earlier agreement per line)",
        height=68,
    )


def _recitals(draft: Draft) -> None:
    f.table(
        draft,
        Table(("background",), CLAUSE, name_field="text"),
        caption="One recital per row, e.g. “WHEREAS the parties …”.",
    )


def _authorities(draft: Draft) -> None:
    authorities = (
        Column("citation", "Citation", required=True),
        Column("description", "Description"),
        Column("parties", "Parties (empty = all)", kind="parties"),
    )
    f.table(draft, Table(("authorities",), authorities, name_field="citation"))


def _definitions(draft: Draft) -> None:
    terms = (Column("term", "Term", required=True), Column("meaning", "Meaning", required=True))
    f.table(
        draft,
        Table(("definitions",), terms, name_field="term"),
        caption="Defined terms; each should be used in the text.",
    )


# --------------------------------------------------------------------------- 2 parties


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
        party = items[index]
        with st.container(border=True):
            st.markdown(f"##### {plain(party.get('legal_name') or party.get('id'))}")
            _party(draft, index)
            if st.button(
                "Remove this party",
                key=draft.key(f"$.parties[{index}]::remove"),
                icon=":material/delete:",
            ):
                remove_party_references(draft.data, party["id"])
                del items[index]
                draft.touch()
                draft.generation += 1
                st.rerun()
    _add_party(draft)


def pick(
    draft: Draft, name: str, items: list[Any], label: Callable[[Any], Any], prompt: str
) -> int | None:
    """Choose which item of a long list to edit; only that one is drawn (fast, calm)."""
    if not items:
        return None
    options = list(range(len(items)))
    key = draft.key(f"$.{name}::focus")
    wanted = st.session_state.get(_focus_key(draft)) or ""
    for index in options:
        if _under(wanted, f"$.{name}[{index}]"):
            st.session_state[key] = index
    if st.session_state.get(key) not in options:
        st.session_state[key] = 0
    chosen = st.segmented_control(
        prompt,
        options,
        format_func=lambda i: str(label(items[i])),
        key=key,
    )
    return 0 if chosen is None else int(chosen)


def _party(draft: Draft, i: int) -> None:
    p: tuple[Any, ...] = ("parties", i)
    left, mid, right = st.columns([3, 1, 1])
    with left:
        f.text(draft, (*p, "legal_name"), "Legal name")
    with mid:
        f.text(draft, (*p, "acronym"), "Acronym")
    with right:
        f.choice(draft, (*p, "level"), "Level", list(PartyLevel))
    a, b, c, d = st.columns([3, 2, 1, 1])
    with a:
        f.text(draft, (*p, "address", "street"), "Street")
    with b:
        f.text(draft, (*p, "address", "city"), "City")
    with c:
        f.text(draft, (*p, "address", "state"), "State")
    with d:
        f.text(draft, (*p, "address", "postal_code"), "Postal code")
    _contact(draft, (*p, "point_of_contact"), "Point of contact")
    _contact(draft, (*p, "notice_addressee"), "Notice addressee (formal notices)")
    f.text(draft, (*p, "governing_body_resolution"), "Governing-body resolution (optional)")
    f.table(
        draft,
        Table((*p, "signatories"), SIGNATORIES, name_field="name"),
        caption="Signature blocks: the signatory, then attest and approvals.",
    )
    has_units = bool(get_in(draft.data, (*p, "sub_units")))
    acts_through_units = st.toggle(
        "This party acts through sub-units",
        value=has_units,
        key=draft.key(f"{json_path(p)}.sub_units::on"),
    )
    _set_aside_unless(draft, (*p, "sub_units"), acts_through_units)
    if acts_through_units:
        f.table(
            draft,
            Table((*p, "sub_units"), SUB_UNITS, name_field="name"),
            caption="Sub-units, e.g. Office of the Sheriff, District Attorney.",
        )


def _contact(draft: Draft, path: tuple[Any, ...], label: str) -> None:
    st.markdown(f"**{label}**")
    name, title, email, phone = st.columns([3, 4, 3, 2])
    with name:
        f.text(draft, (*path, "name"), "Name")
    with title:
        f.text(draft, (*path, "title"), "Title")
    with email:
        f.text(draft, (*path, "email"), "Email")
    with phone:
        f.text(draft, (*path, "phone"), "Phone (optional)")


def _add_party(draft: Draft) -> None:
    with st.form(draft.key("$.parties::add"), clear_on_submit=True, border=True):
        st.markdown("**Add a party**")
        left, right = st.columns([3, 1])
        legal_name = left.text_input(
            "Legal name of the new party", key=draft.key("$.parties::new-name")
        )
        acronym = right.text_input("Acronym", key=draft.key("$.parties::new-acronym"))
        if st.form_submit_button("Add party", icon=":material/add:"):
            if not legal_name.strip() or not acronym.strip():
                st.error("Give the new party a legal name and an acronym.")
                return
            draft.data.setdefault("parties", []).append(new_party(draft.data, legal_name, acronym))
            draft.touch()
            st.rerun()


# --------------------------------------------------------------------------- 3 goals


METRICS = (
    Column("name", "Metric", required=True),
    Column("unit", "Unit", required=True),
    Column("baseline", "Baseline", kind="float"),
    Column("target", "Target", kind="float", required=True),
    Column("frequency", "Reported", kind="choice", options=FREQUENCIES, required=True),
    Column("data_source", "Data source", required=True),
)


def goals(draft: Draft) -> None:
    """Shared goals, each owned by parties and measured by metrics."""
    items = draft.data.get("goals") or []
    index = pick(
        draft, "goals", items, lambda g: f"{items.index(g) + 1}. {g.get('title', '')}"[:40], "Goal"
    )
    if index is not None:
        with st.container(border=True):
            p = ("goals", index)
            st.caption(f"Goal id `{plain(items[index].get('id'))}`")
            f.text(draft, (*p, "title"), "Goal")
            f.text(draft, (*p, "description"), "Description (optional)", area=True, height=80)
            f.parties(draft, (*p, "owners"), "Owners")
            f.table(
                draft,
                Table((*p, "metrics"), METRICS, name_field="name"),
                caption="How progress is measured.",
            )
            _list_controls(draft, ("goals",), index, "goal")
    _add_item(
        draft,
        ("goals",),
        "goal",
        "Title of the new goal",
        "title",
        parties_field="owners",
        extra={"metrics": []},
    )


def _add_item(
    draft: Draft,
    path: tuple[str, ...],
    noun: str,
    prompt: str,
    field: str,
    parties_field: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """A small form that appends an item (with the parties it belongs to) under a new id."""
    from ..rows import party_labels, slugify

    labels = party_labels(draft.data)
    with st.form(draft.key(f"{json_path(path)}::add"), clear_on_submit=True):
        st.markdown(f"**Add a {noun}**")
        widget = st.text_area if field == "text" else st.text_input
        value = widget(prompt, key=draft.key(f"{json_path(path)}::new"))
        chosen = st.multiselect(
            "Parties" if parties_field == "parties" else "Owners",
            list(labels),
            format_func=lambda p: labels.get(p, p),
            key=draft.key(f"{json_path(path)}::new-parties"),
        )
        if st.form_submit_button(f"Add {noun}", icon=":material/add:"):
            if not value.strip():
                st.error(f"Type the {noun} first.")
                return
            items = draft.data.setdefault(path[0], [])
            item_id = slugify(value, [str(i.get("id")) for i in items])
            new = {"id": item_id, field: value, parties_field: list(chosen)}
            items.append({**new, **copy.deepcopy(extra or {})})
            draft.touch()
            st.rerun()


# --------------------------------------------------------------------------- 4 roles


RESPONSIBILITIES = (
    Column("text", "Responsibility", required=True),
    Column("parties", "Carried by", kind="parties", required=True),
    Column("goals", "Serves goals", kind="goals"),
)
PERSONNEL = (
    Column("party", "Party", kind="party", required=True),
    Column("position", "Position", required=True),
    Column("count", "Count", kind="int", required=True),
    Column("full_time", "Full time", kind="bool"),
    Column("minimum_months", "Min. months", kind="int"),
    Column("clearance_level", "Clearance"),
    Column("deputation", "Deputation"),
    Column("employer_policies_apply", "Employer policies apply", kind="bool"),
)


def roles(draft: Draft) -> None:
    """Responsibilities (who does what, for which goal), supervision and personnel."""
    parts(
        draft,
        "roles",
        [
            ("Responsibilities", ("responsibilities",), _responsibilities),
            ("Supervision", ("supervision",), _supervision),
            ("Personnel", ("personnel",), _personnel),
        ],
    )


def _responsibilities(draft: Draft) -> None:
    f.table(
        draft,
        Table(("responsibilities",), RESPONSIBILITIES, name_field="text"),
        caption="Who does what, and for which shared goal. Pick parties and goals in the "
        "cells; double-click a cell to read or edit long text.",
    )
    _add_item(
        draft,
        ("responsibilities",),
        "responsibility",
        "New responsibility",
        "text",
        parties_field="parties",
    )


def _supervision(draft: Draft) -> None:
    skeleton = {"personnel_supervision": "", "case_assignment": "", "resource_control": ""}
    if _section(
        draft,
        "supervision",
        "Personnel are assigned to a joint unit",
        skeleton,
        help="Task forces: who supervises assigned personnel and assigns cases.",
    ):
        f.party(draft, ("supervision", "supervising_party"), "Supervising party")
        for name, label in (
            ("personnel_supervision", "Supervision of personnel"),
            ("case_assignment", "Case assignment"),
            ("resource_control", "Control of resources"),
        ):
            f.text(draft, ("supervision", name), label, area=True, height=80)


def _personnel(draft: Draft) -> None:
    f.table(
        draft,
        Table(("personnel",), PERSONNEL, name_field="position"),
        caption="Positions each party assigns to the joint work.",
    )


# --------------------------------------------------------------------------- 5 resources


RESOURCES = (
    Column("provider", "Provider", kind="party", required=True),
    Column("category", "Category", kind="choice", options=tuple(ResourceCategory), required=True),
    Column("description", "Description", required=True),
    Column("quantity", "Qty", kind="float", required=True),
    Column("unit", "Unit", required=True),
    Column("estimated_value", "Value (USD)", kind="float"),
    Column("reimbursable", "Reimbursable", kind="bool"),
    Column("disposition_on_termination", "On termination"),
)
SHARES = (
    Column("party", "Party", kind="party", required=True),
    Column("percent", "Percent", kind="float", required=True),
)
FEES = (
    Column("description", "Fee", required=True),
    Column("amount", "Amount", kind="float", required=True),
    Column("unit", "Per", required=True),
)


def resources(draft: Draft) -> None:
    """What each party contributes, and who pays for what."""
    parts(
        draft,
        "resources",
        [
            ("Resources", ("resources",), _resources),
            ("Funding", ("funding",), _funding),
            ("Asset forfeiture", ("forfeiture",), _forfeiture),
        ],
    )


def _resources(draft: Draft) -> None:
    f.table(
        draft,
        Table(("resources",), RESOURCES, name_field="description"),
        caption="Personnel, vehicles, equipment, facilities, systems and funds each party "
        "provides.",
    )


def _funding(draft: Draft) -> None:
    fu = ("funding",)
    left, right = st.columns(2)
    with left:
        f.checkbox(
            draft,
            (*fu, "each_party_bears_own_costs"),
            "Each party bears its own costs",
            default=True,
        )
    with right:
        f.checkbox(
            draft, (*fu, "subject_to_appropriations"), "Subject to appropriations", default=True
        )
    f.table(
        draft,
        Table((*fu, "cost_shares"), SHARES, key_field=None),
        caption="Cost shares of joint costs — when given they must sum to 100 %.",
    )
    f.number(
        draft,
        (*fu, "not_to_exceed"),
        "Not-to-exceed amount (USD, optional)",
        integer=False,
    )
    _reimbursement(draft)
    st.markdown("**Fee schedule**")
    f.table(draft, Table((*fu, "fee_schedule"), FEES, name_field="description"))
    f.text(draft, (*fu, "notes"), "Funding notes (optional)", area=True, height=80)


def _reimbursement(draft: Draft) -> None:
    p = ("funding", "reimbursement")
    on = st.toggle(
        "One party reimburses another",
        value=get_in(draft.data, p) is not None,
        key=draft.key("$.funding.reimbursement::on"),
    )
    funding = draft.data.setdefault("funding", {})
    if on != ("reimbursement" in funding):
        draft.touch()
    if not on:
        funding.pop("reimbursement", None)
        return
    funding.setdefault("reimbursement", {})
    left, right = st.columns(2)
    with left:
        f.party(draft, (*p, "payer"), "Payer")
        f.number(draft, (*p, "cap"), "Cap per period (USD)", integer=False)
        f.choice(draft, (*p, "invoice_frequency"), "Invoices", FREQUENCIES)
    with right:
        f.text(draft, (*p, "covers"), "What is reimbursed")
        f.text(draft, (*p, "period"), "Period", placeholder="e.g. federal fiscal year")
        f.number(draft, (*p, "invoice_deadline_days"), "Invoice deadline (days)")


def _forfeiture(draft: Draft) -> None:
    if _section(
        draft,
        "forfeiture",
        "Proceeds of forfeiture are shared",
        {"distribution": []},
        help="Task forces: how shared forfeiture proceeds are distributed.",
    ):
        f.party(draft, ("forfeiture", "fiscal_agent"), "Fiscal agent", optional=True)
        f.table(
            draft,
            Table(("forfeiture", "distribution"), SHARES, key_field=None),
            caption="Shares of proceeds — at most 100 % in total.",
        )
        f.text(draft, ("forfeiture", "procedure"), "Procedure (optional)", area=True, height=80)


# --------------------------------------------------------------------------- 6 information


CJIS = (
    Column("topic", "CJIS topic", kind="choice", options=tuple(CjisTopic), required=True),
    Column("text", "How it is met", required=True),
)


def information(draft: Draft) -> None:
    """Records and information sharing, including the CJIS topics when CJI is exchanged."""
    skeleton = {"record_owner": "", "data_categories": []}
    relevant = draft.data.get("type") in ("information_sharing", "task_force")
    if not _section(
        draft,
        "information_sharing",
        "The parties share records or data",
        skeleton,
        help="Information-sharing agreements and task forces.",
    ):
        if not relevant:
            st.caption("This agreement type does not usually share records; skip this step.")
        return
    parts(
        draft,
        "information",
        [
            (
                "Records",
                (
                    "information_sharing.record_owner",
                    "information_sharing.data_categories",
                    "information_sharing.retention",
                    "information_sharing.dissemination_approval",
                ),
                _records,
            ),
            (
                "Uses",
                ("information_sharing.permitted_uses", "information_sharing.prohibited_uses"),
                _uses,
            ),
            (
                "Criminal justice information",
                ("information_sharing.cji_exchanged", "information_sharing.cjis_provisions"),
                _cji,
            ),
            (
                "Public records and security",
                (
                    "information_sharing.public_records_law",
                    "information_sharing.public_records_notice_days",
                    "information_sharing.breach_notification_hours",
                    "information_sharing.audit_logging",
                ),
                _records_security,
            ),
        ],
    )


IS = ("information_sharing",)


def _records(draft: Draft) -> None:
    f.text(draft, (*IS, "record_owner"), "Who owns the records", area=True, height=70)
    f.table(
        draft,
        Table((*IS, "data_categories"), CLAUSE, name_field="text"),
        caption="Categories of data shared.",
    )
    f.text(draft, (*IS, "dissemination_approval"), "Dissemination approval", area=True, height=70)
    f.text(draft, (*IS, "retention"), "Retention", area=True, height=70)


def _uses(draft: Draft) -> None:
    f.table(
        draft, Table((*IS, "permitted_uses"), CLAUSE, name_field="text"), caption="Permitted uses"
    )
    f.table(
        draft,
        Table((*IS, "prohibited_uses"), CLAUSE, name_field="text"),
        caption="Prohibited uses",
    )


def _cji(draft: Draft) -> None:
    f.checkbox(draft, (*IS, "cji_exchanged"), "Criminal justice information (CJI) is exchanged")
    exchanged = bool(get_in(draft.data, (*IS, "cji_exchanged")))
    _set_aside_unless(draft, (*IS, "cjis_provisions"), exchanged)
    if exchanged:
        f.table(
            draft,
            Table((*IS, "cjis_provisions"), CJIS, key_field=None),
            caption="How each FBI CJIS Security Policy topic is met; all eleven are required.",
        )


def _records_security(draft: Draft) -> None:
    left, mid, right = st.columns(3)
    with left:
        f.text(draft, (*IS, "public_records_law"), "Public-records law")
    with mid:
        f.number(draft, (*IS, "public_records_notice_days"), "Notice on requests (days)")
    with right:
        f.number(draft, (*IS, "breach_notification_hours"), "Breach notice (hours)")
    f.text(draft, (*IS, "audit_logging"), "Audit and logging", area=True, height=70)


# --------------------------------------------------------------------------- 7 operations


SEATS = (
    Column("party", "Party", kind="party", required=True),
    Column("seats", "Seats", kind="int", required=True),
    Column("votes", "Votes", kind="int", required=True),
)
LEVELS = (
    Column("description", "Level", required=True),
    Column("days", "Days before escalating", kind="int"),
)


def operations(draft: Draft) -> None:
    """Governance, operations, mutual aid, media, training and evaluation."""
    chosen = [
        ("Governance", ("governance",), _board),
        ("Operations", ("operations", "prosecution"), _operations),
        ("Communication", ("media",), _communication),
        ("Training", ("training",), _training),
        ("Evaluation", ("evaluation",), _evaluation),
    ]
    if draft.data.get("type") == "mutual_aid" or "mutual_aid" in draft.data:
        chosen.insert(2, ("Requests for assistance", ("mutual_aid",), _mutual_aid))
    parts(draft, "operations", chosen)


def _board(draft: Draft) -> None:
    skeleton = {"board_name": "Executive Board", "seats": [], "quorum": "", "vote_threshold": ""}
    if _section(
        draft,
        "governance",
        "A board governs the work",
        skeleton,
        help="Executive board seats and votes, chair, quorum.",
    ):
        _governance(draft)


def _operations(draft: Draft) -> None:
    if _section(
        draft,
        "operations",
        "Operational rules",
        {},
        help="Investigations, sources, evidence, use of force.",
    ):
        for name, label in (
            ("investigative_exclusivity", "Investigative exclusivity"),
            ("confidential_sources", "Confidential sources"),
            ("evidence", "Evidence"),
            ("use_of_force", "Use of force"),
        ):
            f.text(draft, ("operations", name), label, area=True, height=70)
    f.text(draft, ("prosecution",), "Prosecution (optional)", area=True, height=70)


def _communication(draft: Draft) -> None:
    f.text(draft, ("media",), "Media releases (optional)", area=True, height=90)


def _evaluation(draft: Draft) -> None:
    left, right = st.columns(2)
    with left:
        f.choice(draft, ("evaluation", "reporting_frequency"), "Reporting", FREQUENCIES)
    with right:
        f.number(
            draft,
            ("evaluation", "review_interval_months"),
            "Review every (months)",
            min_value=1,
        )
    f.text(draft, ("evaluation", "surveys"), "Surveys (optional)", area=True, height=70)
    f.text(
        draft,
        ("evaluation", "after_action_debriefs"),
        "After-action debriefs (optional)",
        area=True,
        height=70,
    )


def _governance(draft: Draft) -> None:
    g = ("governance",)
    left, right = st.columns(2)
    with left:
        f.text(draft, (*g, "board_name"), "Board name")
        f.text(draft, (*g, "quorum"), "Quorum")
        f.party(draft, (*g, "chair"), "Chair", optional=True)
        f.party(draft, (*g, "fiscal_agent"), "Fiscal agent", optional=True)
    with right:
        f.choice(draft, (*g, "meeting_frequency"), "Meets", FREQUENCIES)
        f.text(draft, (*g, "vote_threshold"), "Vote threshold")
        f.text(draft, (*g, "chair_rotation"), "Chair rotation (optional)")
    f.table(draft, Table((*g, "seats"), SEATS, key_field=None), caption="Seats and votes")


def _mutual_aid(draft: Draft) -> None:
    skeleton = {
        "authorized_officials": "",
        "responder_discretion": "",
        "right_of_recall": "",
        "command_and_control": "",
    }
    if not _section(draft, "mutual_aid", "Mutual aid terms", skeleton, help="Mutual aid."):
        return
    m = ("mutual_aid",)
    f.text(draft, (*m, "authorized_officials"), "Authorized officials", area=True, height=70)
    f.checkbox(draft, (*m, "oral_requests_allowed"), "Oral requests allowed", default=True)
    f.number(draft, (*m, "written_confirmation_hours"), "Written confirmation within (hours)")
    for name, label in (
        ("responder_discretion", "Responder discretion"),
        ("right_of_recall", "Right of recall"),
        ("command_and_control", "Command and control"),
        ("license_reciprocity", "License reciprocity (optional)"),
    ):
        f.text(draft, (*m, name), label, area=True, height=70)


def _training(draft: Draft) -> None:
    if _section(
        draft,
        "training",
        "Joint training commitments",
        {"commitments": []},
        help="Joint training and the annual report.",
    ):
        f.table(draft, Table(("training", "commitments"), CLAUSE, name_field="text"))
        f.text(
            draft, ("training", "host_rotation"), "Host rotation (optional)", area=True, height=70
        )
        f.text(
            draft, ("training", "annual_report"), "Annual report (optional)", area=True, height=70
        )


# --------------------------------------------------------------------------- 8 term


def term(draft: Draft) -> None:
    """Term, liability, disputes, amendment and general provisions."""
    parts(
        draft,
        "term",
        [
            ("Term", ("term",), _term),
            ("Liability", ("liability",), _liability),
            ("Disputes", ("disputes",), _disputes),
            ("Amendment", ("amendment",), _amendment),
            ("General provisions", ("general",), _general),
        ],
    )


def _term(draft: Draft) -> None:
    t = ("term",)
    left, mid, right = st.columns(3)
    with left:
        f.choice(
            draft,
            (*t, "effective_rule"),
            "Takes effect",
            list(EffectiveRule),
            labels={"fixed_date": "On a fixed date", "last_signature": "On the last signature"},
        )
    with mid:
        f.date(draft, (*t, "effective_date"), "Effective date")
    with right:
        f.date(draft, (*t, "expiration_date"), "Expires (empty: until terminated)")
    left, mid, right = st.columns(3)
    with left:
        f.number(draft, (*t, "review_interval_months"), "Review every (months)", min_value=1)
    with mid:
        f.number(
            draft,
            (*t, "withdrawal_notice_days"),
            "Withdrawal notice (days)",
            min_value=1,
        )
    with right:
        f.text(draft, (*t, "notice_method"), "Notice method")
    f.text(draft, (*t, "renewal"), "Renewal (optional)", area=True, height=70)
    f.text(draft, (*t, "termination_effects"), "Effects of termination", area=True, height=70)


def _liability(draft: Draft) -> None:
    left, right = st.columns(2)
    with left:
        f.choice(draft, ("liability", "tort"), "Tort liability borne by", list(LiabilityBearer))
    with right:
        f.choice(
            draft,
            ("liability", "workers_compensation"),
            "Workers' compensation borne by",
            list(LiabilityBearer),
        )
    f.text(
        draft, ("liability", "indemnification"), "Indemnification (optional)", area=True, height=70
    )
    f.text(draft, ("liability", "insurance"), "Insurance (optional)", area=True, height=70)


def _disputes(draft: Draft) -> None:
    f.table(
        draft,
        Table(("disputes", "levels"), LEVELS, name_field="description"),
        caption="Escalation levels in order, ending with the agency heads.",
    )


def _amendment(draft: Draft) -> None:
    f.text(draft, ("amendment", "procedure"), "Procedure", area=True, height=70)
    f.text(draft, ("amendment", "new_members"), "New members (optional)", area=True, height=70)


def _general(draft: Draft) -> None:
    g = ("general",)
    f.text(draft, (*g, "governing_law"), "Governing law")
    cols = st.columns(3)
    flags = (
        ("no_third_party_beneficiaries", "No third-party beneficiaries"),
        ("no_assignment", "No assignment"),
        ("counterparts_and_electronic_signatures", "Counterparts and e-signatures"),
        ("severability", "Severability"),
        ("entire_agreement", "Entire agreement"),
    )
    for index, (name, label) in enumerate(flags):
        with cols[index % 3]:
            f.checkbox(draft, (*g, name), label, default=True)
    f.table(
        draft, Table((*g, "additional"), CLAUSE, name_field="text"), caption="Additional provisions"
    )


BASICS_FIELDS = ("id", "title", "number", "type", "instrument", "status", "marking", "supersedes")
OPERATIONS = ("governance", "operations", "prosecution", "mutual_aid", "media", "training")
STEPS = [
    Step(
        "basics",
        "Basics",
        ":material/description:",
        (*BASICS_FIELDS, "purpose", "background", "authorities", "definitions"),
        basics,
        "Basics",
    ),
    Step(
        "parties", "Parties and signatories", ":material/groups:", ("parties",), parties, "Parties"
    ),
    Step("goals", "Shared goals and metrics", ":material/flag:", ("goals",), goals, "Goals"),
    Step(
        "roles",
        "Roles and responsibilities",
        ":material/assignment_ind:",
        ("responsibilities", "supervision", "personnel"),
        roles,
        "Roles",
    ),
    Step(
        "resources",
        "Resources and funding",
        ":material/payments:",
        ("resources", "funding", "forfeiture"),
        resources,
        "Resources",
    ),
    Step(
        "information",
        "Information sharing",
        ":material/lock:",
        ("information_sharing",),
        information,
        "Information",
    ),
    Step(
        "operations",
        "Operations, governance and evaluation",
        ":material/tune:",
        (*OPERATIONS, "evaluation"),
        operations,
        "Operations",
    ),
    Step(
        "term",
        "Term, liability and general provisions",
        ":material/gavel:",
        ("term", "liability", "disputes", "amendment", "general"),
        term,
        "Term",
    ),
]

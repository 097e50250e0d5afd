"""Starting points for a new agreement, one per agreement type.

Names, contacts and addresses only the liaison knows are :class:`Blank` in a preset.
A file made by `mou new` must be valid, so there each one holds a stand-in: a
bracketed placeholder ("[LEGAL NAME OF PARTY A]") that the readiness rules flag until
someone replaces it. The wizard leaves each one out instead and shows its hint in the
empty field (:func:`preset_with_hints`): an untouched field is then a missing value
the checks name, never text that could reach a signed document. The standard clauses
are ordinary, conservative language that counsel would expect to see and then adapt.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .migrate import CURRENT_VERSION


@dataclass(frozen=True)
class Blank:
    """A value only the liaison can give: ``hint`` says what goes there; ``stand_in`` is
    written where a value is needed now (a file made by `mou new`)."""

    hint: str
    stand_in: Any


def _party(letter: str) -> dict[str, Any]:
    def contact() -> dict[str, Any]:
        return {
            "name": Blank("Name, e.g. Jane Roe", f"[NAME OF CONTACT, PARTY {letter}]"),
            "title": Blank("Title, e.g. Deputy Chief", "[TITLE]"),
            "email": Blank("e.g. jane.roe@agency.gov", f"contact-{letter.lower()}@example.org"),
        }

    return {
        "id": f"party-{letter.lower()}",
        "legal_name": Blank(
            "Full legal name, e.g. County of Bellwater", f"[LEGAL NAME OF PARTY {letter}]"
        ),
        "acronym": Blank("e.g. BCSO", f"P{letter}"),
        "level": Blank("Choose…", "county" if letter == "A" else "municipal"),
        "address": {
            "street": Blank("e.g. 100 Main Street", "[STREET]"),
            "city": Blank("City", "[CITY]"),
            "state": Blank("e.g. CO", "[STATE]"),
            "postal_code": Blank("e.g. 80202", "00000"),
        },
        "point_of_contact": contact(),
        "notice_addressee": contact(),
        "signatories": [
            Blank(
                "A signature block",
                {"id": "head", "name": "[NAME OF SIGNATORY]", "title": "[TITLE]"},
            )
        ],
    }


_COMMON: dict[str, Any] = {
    "status": "draft",
    "parties": [_party("A"), _party("B")],
    "purpose": Blank(
        "State the shared purpose of this agreement in one or two sentences.",
        "[State the shared purpose of this agreement in one or two sentences.]",
    ),
    "funding": {"each_party_bears_own_costs": True, "subject_to_appropriations": True},
    "evaluation": {"reporting_frequency": "annual", "review_interval_months": 12},
    "liability": {"tort": "each_party", "workers_compensation": "each_party"},
    "disputes": {
        "levels": [
            {"id": "staff", "description": "Points of contact of the parties", "days": 15},
            {"id": "heads", "description": "Heads of the parties"},
        ]
    },
    "term": {
        "effective_rule": "last_signature",
        "review_interval_months": 12,
        "withdrawal_notice_days": 30,
        "notice_method": "written notice to the notice addressee of every other party",
        "termination_effects": "Each party retains its own property and records; shared "
        "property is returned to the party that provided it.",
    },
    "amendment": {
        "procedure": "This agreement may be amended only by a written amendment "
        "signed by every party."
    },
    "general": {
        "governing_law": Blank(
            "e.g. the laws of the State of Colorado", "[the laws of the State of ...]"
        )
    },
}

_BY_TYPE: dict[str, dict[str, Any]] = {
    "task_force": {
        "instrument": "memorandum_of_understanding",
        "supervision": {
            "supervising_party": "party-a",
            "personnel_supervision": "Assigned personnel remain employees of their agency and "
            "are supervised day to day by the task force supervisor.",
            "case_assignment": "The task force supervisor assigns cases.",
            "resource_control": "Each party retains control of the resources it provides.",
        },
        "operations": {
            "use_of_force": "Each officer follows the use-of-force policy of the "
            "officer's employing agency."
        },
        "prosecution": "Cases are referred to the prosecuting office with jurisdiction.",
        "media": "Press releases are issued jointly and approved by every party.",
    },
    "information_sharing": {
        "instrument": "memorandum_of_understanding",
        "information_sharing": {
            "record_owner": "The contributing party owns the records it contributes.",
            "data_categories": [{"id": "incident-reports", "text": "Incident reports"}],
            "cji_exchanged": False,
            "breach_notification_hours": 24,
        },
        "media": "No party releases shared information to the media without the "
        "contributing party's approval.",
    },
    "community_partnership": {
        "instrument": "memorandum_of_understanding",
        "evaluation": {
            "reporting_frequency": "quarterly",
            "review_interval_months": 12,
            "surveys": "An annual survey of program participants.",
            "after_action_debriefs": "A debrief after every critical incident.",
        },
    },
    "joint_training": {
        "instrument": "memorandum_of_agreement",
        "training": {
            "commitments": [{"id": "host", "text": "Each party hosts training in turn."}],
            "host_rotation": "Hosting rotates among the parties each year.",
        },
    },
    "mutual_aid": {
        "instrument": "mutual_aid_agreement",
        "mutual_aid": {
            "authorized_officials": "The chief executive of each party or a designee.",
            "oral_requests_allowed": True,
            "written_confirmation_hours": 72,
            "responder_discretion": "A responding party decides whether and how far it can "
            "help without impairing its own service.",
            "right_of_recall": "A responding party may recall its personnel at any time.",
            "command_and_control": "Responding personnel work under the incident command of "
            "the requesting party and the supervision of their own officers.",
        },
    },
}


def preset(agreement_type: str, agreement_id: str, title: str) -> dict[str, Any]:
    """Draft agreement data of ``agreement_type`` with the given id and title, valid: every
    blank holds its bracketed stand-in (what `mou new` writes)."""
    template = _template(agreement_type, agreement_id, title)
    return _filled(template, lambda blank, _path: blank.stand_in)


def preset_with_hints(
    agreement_type: str, agreement_id: str, title: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The preset with every blank left out, and what each blank's field should hint.

    Hints are keyed by JSON path with list positions left out (``$.parties[].acronym``),
    so they hold for every party, including those added or moved later.
    """
    hints: dict[str, str] = {}

    def leave_out(blank: Blank, path: str) -> None:  # None: the value is left out
        if isinstance(blank.stand_in, str):  # a field's (a row's blank leaves the list empty)
            hints[hint_path(path)] = blank.hint

    data = _filled(_template(agreement_type, agreement_id, title), leave_out)
    return data, hints


def hint_path(path: str) -> str:
    """``$.parties[1].address.city`` -> ``$.parties[].address.city``: the key of a hint."""
    return re.sub(r"\[\d+\]", "[]", path)


def _template(agreement_type: str, agreement_id: str, title: str) -> dict[str, Any]:
    data = copy.deepcopy(_COMMON)
    data.update(copy.deepcopy(_BY_TYPE[agreement_type]))
    return {
        "schema_version": CURRENT_VERSION,
        "id": agreement_id,
        "title": title,
        "type": agreement_type,
        **data,
    }


def _filled(value: Any, fill: Callable[[Blank, str], Any], path: str = "$") -> Any:
    """``value`` with each :class:`Blank` replaced by ``fill(blank, its JSON path)``; a
    blank filled with None is left out."""
    if isinstance(value, Blank):
        return fill(value, path)
    if isinstance(value, dict):
        fields = {k: _filled(v, fill, f"{path}.{k}") for k, v in value.items()}
        return {k: v for k, v in fields.items() if v is not None}
    if isinstance(value, list):
        items = [_filled(v, fill, f"{path}[{i}]") for i, v in enumerate(value)]
        return [v for v in items if v is not None]
    return value

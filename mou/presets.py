"""Starting points for a new agreement, one per agreement type.

A preset is valid but not ready: party names, contacts and dates are bracketed
placeholders ("[LEGAL NAME OF PARTY A]") that the readiness rules flag until a
liaison fills them in. The standard clauses are ordinary, conservative language
that counsel would expect to see and then adapt.
"""

from __future__ import annotations

import copy
from typing import Any

from .migrate import CURRENT_VERSION


def _party(letter: str) -> dict[str, Any]:
    contact = {
        "name": f"[NAME OF CONTACT, PARTY {letter}]",
        "title": "[TITLE]",
        "email": f"contact-{letter.lower()}@example.org",
    }
    return {
        "id": f"party-{letter.lower()}",
        "legal_name": f"[LEGAL NAME OF PARTY {letter}]",
        "acronym": f"P{letter}",
        "level": "county" if letter == "A" else "municipal",
        "address": {
            "street": "[STREET]",
            "city": "[CITY]",
            "state": "[STATE]",
            "postal_code": "00000",
        },
        "point_of_contact": contact,
        "notice_addressee": dict(contact),
        "signatories": [{"id": "head", "name": "[NAME OF SIGNATORY]", "title": "[TITLE]"}],
    }


_COMMON: dict[str, Any] = {
    "status": "draft",
    "parties": [_party("A"), _party("B")],
    "purpose": "[State the shared purpose of this agreement in one or two sentences.]",
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
    "general": {"governing_law": "[the laws of the State of ...]"},
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
    """Draft agreement data of ``agreement_type`` with the given id and title."""
    data = copy.deepcopy(_COMMON)
    data.update(copy.deepcopy(_BY_TYPE[agreement_type]))
    return {
        "schema_version": CURRENT_VERSION,
        "id": agreement_id,
        "title": title,
        "type": agreement_type,
        **data,
    }

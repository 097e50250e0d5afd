"""How ready the open draft is for signature: its validation problems, else the rule findings.

Shared by the Review page (the checklist) and the Export page (which refuses a
signature-ready file while any error remains). No Streamlit here; the result is
remembered on the draft until it next changes, so both pages pay for the rules once.
"""

from __future__ import annotations

from ..rules import check
from ..validate import validate_data
from .state import Draft, stored_attachments

Finding = tuple[str, str, str, str]
"""``(severity, rule, path, message)``."""


def findings(draft: Draft) -> list[Finding]:
    """(severity, rule, path, message) for every validation problem and readiness finding."""
    return draft.memo("findings", lambda: _findings(draft))  # type: ignore[no-any-return]


def _findings(draft: Draft) -> list[Finding]:
    found = [("error", "validation", p.path, p.message) for p in draft.problems()]
    if found:
        return found  # the readiness rules need a valid agreement
    agreement = validate_data(draft.data)
    stored = stored_attachments(draft, agreement)
    return [(x.severity, x.rule_id, x.path, x.message) for x in check(agreement, stored)]

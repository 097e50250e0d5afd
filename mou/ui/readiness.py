"""How ready the open draft is for signature: every problem, of every kind, at once.

Validation has layers (schema, models, references) and the readiness rules need a
valid agreement, so a draft with one bad e-mail would otherwise hide every later
problem until that one is fixed: problems would arrive in waves. Here the draft's
problems are listed, then a scratch copy is *repaired* — hidden characters taken out
of text, each bad optional value left out — and checked again, layer after layer, up
to the readiness rules. What the copy adds is listed too, unless a problem at the
same place is listed already, so each place is named once.

Shared by the Review page (the checklist) and the Export page (which refuses a
signature-ready file while any error remains). No Streamlit here; the result is
remembered on the draft until it next changes, so both pages pay for the rules once.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from typing import Any

from ..chars import hidden_char
from ..errors import InvalidAgreement, Problem
from ..model import PartyLevel
from ..rules import check
from ..validate import validate_data
from .rows import under
from .state import Draft, stored_attachments

Finding = tuple[str, str, str, str]
"""``(severity, rule, path, message)``."""

REPAIR_ROUNDS = 6
"""Layers a scratch copy is repaired through: schema, models, references, then rules."""


def findings(draft: Draft) -> list[Finding]:
    """(severity, rule, path, message) for every validation problem and readiness finding,
    and the wizard's own remarks (an effective date that has passed)."""
    return draft.memo("findings", lambda: _with_remarks(_findings(draft), draft.data))  # type: ignore[no-any-return]


PAST_DATE = "wizard.effective-date-past"
_SETTLED = ("executed", "expired", "terminated")


def past_effective_date(data: dict[str, Any], today: dt.date | None = None) -> str | None:
    """Why the effective date deserves a second look when it has already passed (often a
    slip, 2019 for 2029; an agreement rarely takes effect before it is signed), or None.

    Not a readiness rule: those are pure functions of the agreement, and this depends on
    the day it is read. Not said of an agreement already signed or ended.
    """
    value = (data.get("term") or {}).get("effective_date")
    try:
        day = dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None  # validation names a malformed date
    if day is None or day >= (today or dt.date.today()) or data.get("status") in _SETTLED:
        return None
    return (
        f"{day.isoformat()} has already passed: check the year, or keep it if the parties "
        "agree to take effect retroactively"
    )


def _with_remarks(found: list[Finding], data: dict[str, Any]) -> list[Finding]:
    said = past_effective_date(data)
    path = "$.term.effective_date"
    if said is None or any(under(path, f[2]) for f in found):
        return found
    return [*found, ("warning", PAST_DATE, path, said)]


def _findings(draft: Draft) -> list[Finding]:
    problems = draft.problems()
    if not problems:
        return _rule_findings(draft, validate_data(draft.data))
    found = [_as_finding(p) for p in problems]
    scratch = copy.deepcopy(draft.data)
    numbers = itertools.count(1)  # one sequence per check: stand-ins stay short and alike
    for _ in range(REPAIR_ROUNDS):
        if not repair(scratch, problems, numbers):
            break
        try:
            return _once(found + _scrubbed(_rule_findings(draft, validate_data(scratch))))
        except InvalidAgreement as err:
            problems = err.problems
            found += _scrubbed([_as_finding(p) for p in problems])
    return _once(found)


_STAND_IN_TEXT = re.compile(r"[Ss]tand-in\d*(@example\.org)?")


def _scrubbed(found: list[Finding]) -> list[Finding]:
    """Findings about the repaired copy, its stand-ins named as what they stand for."""
    return [(a, b, c, _STAND_IN_TEXT.sub("(not filled in yet)", d)) for a, b, c, d in found]


def _as_finding(problem: Problem) -> Finding:
    return ("error", "validation", problem.path, problem.message)


def _rule_findings(draft: Draft, agreement: Any) -> list[Finding]:
    stored = stored_attachments(draft, agreement)  # the files its exhibits name
    return [(x.severity, x.rule_id, x.path, x.message) for x in check(agreement, stored)]


def _once(found: list[Finding]) -> list[Finding]:
    """Each place named once: a finding at or inside a place already listed is left out."""
    kept: list[Finding] = []
    for finding in found:
        path = finding[2]
        if not any(under(path, k[2]) for k in kept):
            kept.append(finding)
    return kept


_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def repair(
    data: dict[str, Any], problems: list[Problem], numbers: Iterator[int] | None = None
) -> bool:
    """Make ``data`` pass ``problems`` as far as it can; False when nothing changed.

    Text loses its hidden characters; other bad text becomes a stand-in; any other
    value is left out, and a missing one is stood in for, so that the checks after
    this layer can run. ``numbers`` tells stand-ins apart (a fresh count by default).
    """
    numbers = numbers or itertools.count(1)
    changed = False
    for problem in problems:
        parts = [key or int(index) for key, index in _PART.findall(problem.path)]
        parent = _parent(data, parts[:-1]) if parts else None
        if isinstance(parent, dict) and isinstance(parts[-1], str):
            changed |= _repair_value(parent, parts[-1], numbers)
    return changed


def _parent(data: Any, parts: list[str | int]) -> Any:
    for part in parts:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _repair_value(parent: dict[str, Any], key: str, numbers: Iterator[int]) -> bool:
    if key not in parent:
        named = key == "acronym" and _ACRONYM.fullmatch(str(parent.get("id")))
        parent[key] = str(parent["id"]) if named else _stand_in(key, numbers)  # "party-a has no …"
        return True
    value = parent[key]
    if isinstance(value, str) and hidden_char(value, "\n\t") is not None:
        parent[key] = "".join(c for c in value if hidden_char(c, "\n\t") is None)
    elif isinstance(value, str) and not _is_stand_in(value):
        parent[key] = _stand_in(key, numbers)
    else:
        del parent[key]
    return True


_ACRONYM = re.compile(r"[A-Za-z0-9&.-]{1,16}")
_STAND_INS = {"level": PartyLevel.municipal.value, "postal_code": "00000"}
"""Stand-ins for choices, which no text passes (a level nobody chose yet: one that
triggers no rule of its own, as "federal" would), and for short codes, which a numbered
stand-in would outgrow (a postal code holds ten characters)."""


def _stand_in(key: str, numbers: Iterator[int]) -> str:
    """Text that passes where the user's does not (never shown: the copy is scratch);
    numbered, so that two stand-ins never clash (two parties' acronyms)."""
    if key in _STAND_INS:
        return _STAND_INS[key]
    number = next(numbers)
    return f"stand-in{number}@example.org" if "email" in key else f"Stand-in{number}"


def _is_stand_in(value: str) -> bool:
    return value.startswith(("Stand-in", "stand-in")) or value in _STAND_INS.values()

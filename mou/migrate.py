"""Agreement file versions, and the migration of version-1 data to version 2.

Every agreement file says which version of the model it follows in ``schema_version``;
a file without it is version 1 (every file written before version 2 existed). Reading
a version-1 file checks it against the version-1 schema and then moves its values into
the version-2 shape with :func:`migrate_v1`, a pure function of the data: the same file
always gives the same version-2 data, so comparing a revision written in version 1 with
one written in version 2 shows only what someone changed, never the migration itself.

The migration loses no value. Where version 2 gives a value a structured home, the value
moves there; prose keeps its place (notes stay notes), and what version 1 left unsaid
stays unsaid rather than being guessed. :func:`lost_values` checks that promise.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

CURRENT_VERSION = 2
KNOWN_VERSIONS = (1, 2)

# Version-1 paths whose values moved, as (pattern, replacement) on JSON paths; used to
# place a problem found after migration on the line of the value it came from.
_MOVED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\$\.funding\.reimbursement\.cap$"), "$.funding.reimbursements[0].caps"),
    (re.compile(r"^\$\.funding\.reimbursement\.payer$"), "$.funding.reimbursements[0].payer"),
    (re.compile(r"^\$\.funding\.reimbursement(?=[.\[]|$)"), "$.funding.reimbursements[0]"),
    (re.compile(r"^\$\.funding\.not_to_exceed$"), "$.funding.caps"),
]


def declared_version(data: dict[str, Any]) -> Any:
    """The ``schema_version`` the data declares; 1 when it declares none."""
    return data.get("schema_version", 1)


def version_problem(value: Any) -> str | None:
    """Why ``value`` is no schema version this mou reads, or None when it is one."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value in KNOWN_VERSIONS:
            return None
        if value > CURRENT_VERSION:
            return (
                f"version {value} is newer than this mou, which reads versions 1 to "
                f"{CURRENT_VERSION}; update mou to read this file"
            )
    return f"{value!r} is not a schema version; use {CURRENT_VERSION} (or leave it out for 1)"


def migrate_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version-1 agreement data (already valid against the version-1 schema) as version 2.

    * ``funding.reimbursement`` becomes the one item of ``funding.reimbursements``
      (id ``reimbursement``); its payer a named party, its ``cap`` (a maximum "per
      period") a cap per year when a period is named and over the term when none is.
      Version 1 named no payee, so none is guessed.
    * ``funding.not_to_exceed`` ("total payments shall not exceed") becomes a cap on all
      costs over the term (id ``not-to-exceed``).
    * Forfeiture shares, which version 1 printed as shares of "shared proceeds", state
      their base: net proceeds.
    """
    new = copy.deepcopy(data)
    new.pop("schema_version", None)
    _funding(new.get("funding") or {})
    if isinstance(new.get("forfeiture"), dict):
        for share in new["forfeiture"].get("distribution") or []:
            share.setdefault("base", "net")
    return {"schema_version": CURRENT_VERSION, **new}


def _funding(funding: dict[str, Any]) -> None:
    old = funding.pop("reimbursement", None)
    ceiling = funding.pop("not_to_exceed", None)
    rest = {key: funding.pop(key) for key in list(funding) if key in _AFTER_CAPS}
    if ceiling is not None:
        funding["caps"] = [_cap("not-to-exceed", ceiling, "per_term")]
    if old is not None:
        funding["reimbursements"] = [_reimbursement(old)]
    funding.update(rest)  # keeps the keys in the order the model writes them


_AFTER_CAPS = ("fee_schedule", "subject_to_appropriations", "notes")


def _reimbursement(old: dict[str, Any]) -> dict[str, Any]:
    new: dict[str, Any] = {"id": "reimbursement", "payer": {"party": old["payer"]}}
    new["covers"] = old["covers"]
    if old.get("cap") is not None:
        scope = "per_year" if old.get("period") else "per_term"
        new["caps"] = [_cap("cap", old["cap"], scope)]
    for key in ("period", "invoice_frequency", "invoice_deadline_days"):
        if key in old:
            new[key] = old[key]
    return new


def _cap(cap_id: str, amount: Any, scope: str) -> dict[str, Any]:
    return {"id": cap_id, "amount": amount, "scope": scope, "cost": "all_costs"}


def migrated_lines(lines: dict[str, int]) -> dict[str, int]:
    """The line map of a version-1 file with the version-2 paths of moved values added."""
    result = dict(lines)
    for path, line in lines.items():
        for pattern, replacement in _MOVED:
            moved = pattern.sub(replacement, path)
            if moved != path:
                result.setdefault(moved, line)
    return result


# --------------------------------------------------------------------------- losslessness


def lost_values(old: Any, new: Any) -> list[Any]:
    """Strings and numbers of ``old`` that ``new`` no longer holds (as often), in order.

    Values are compared wherever they sit, since a migration moves them; a value that
    appears twice in ``old`` must appear at least twice in ``new``.
    """
    kept = Counter(_leaves(new))
    lost = []
    for value in _leaves(old):
        if kept[value] > 0:
            kept[value] -= 1
        else:
            lost.append(value)
    return lost


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield value

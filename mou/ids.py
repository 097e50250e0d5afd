"""Agreement ids and the files they name: one pattern, checked the same way everywhere.

An id is also a file name (``agreements/<id>.yaml``) and part of git tag names, so it
is kept to lower-case letters, digits and hyphens. This module imports nothing heavy:
`mou list` and `mou log` check ids without loading pydantic.
"""

from __future__ import annotations

import re

from .errors import MouError

AGREEMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,63}$"
AGREEMENTS_FOLDER = "agreements"
MEASUREMENTS_FOLDER = "measurements"  # beside agreements/: each agreement's measurements
_AGREEMENT_ID = re.compile(AGREEMENT_ID_PATTERN)


def is_agreement_id(value: object) -> bool:
    """Whether ``value`` is a valid agreement id."""
    return isinstance(value, str) and bool(_AGREEMENT_ID.fullmatch(value))


def check_agreement_id(value: str) -> str:
    """Return ``value`` if it is a valid agreement id (safe as a file name), else raise."""
    if not is_agreement_id(value):
        raise MouError(
            f"{value!r} is not a valid agreement id: use 3 to 64 lower-case letters, digits "
            "and hyphens, starting with a letter or digit"
        )
    return value


def agreement_path(agreement_id: str) -> str:
    """The path of an agreement's file inside the workspace, as git names it."""
    return f"{AGREEMENTS_FOLDER}/{agreement_id}.yaml"


def is_agreement_name(name: str) -> bool:
    """Whether a file name inside ``agreements/`` is an agreement's (``<id>.yaml``)."""
    return name.endswith(".yaml") and is_agreement_id(name[: -len(".yaml")])

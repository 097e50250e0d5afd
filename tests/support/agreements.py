"""Builders of agreement data for tests: a valid minimal agreement to break in one place."""

from __future__ import annotations

import copy
from typing import Any

from mou.presets import preset


def minimal(agreement_id: str = "test-mou", agreement_type: str = "mutual_aid") -> dict[str, Any]:
    """A valid agreement's data (from a preset), fresh each call so tests may mutate it."""
    return copy.deepcopy(preset(agreement_type, agreement_id, "Test agreement"))

"""Naming the redline summary's changes: one shared index answers as a fresh search does."""

from __future__ import annotations

import copy

from mou.changes.diff import diff
from mou.changes.names import parties_of, readable_label
from mou.model import to_data
from mou.validate import load_file, validate_data
from tests.support.runner import EXAMPLES


def _kestrel() -> dict:
    return to_data(load_file(next(p for p in EXAMPLES if p.stem.startswith("port-kestrel"))))


def _reworked(data: dict) -> dict:
    """Items removed (only the old version holds them), reordered, edited and added."""
    new = copy.deepcopy(data)
    duties = new["responsibilities"]
    removed = duties.pop(0)
    duties.reverse()
    duties[0]["text"] += " It keeps minutes."
    added = {**removed, "id": f"{removed['id']}-again", "text": "A duty added back."}
    duties.append(added)
    new["resources"][0]["quantity"] = 4
    new["goals"][0]["metrics"][0]["target"] = 50
    return new


def test_a_shared_index_names_every_change_as_a_fresh_search_does():
    """The summary keys each list once for all changes (a search per change was quadratic
    in thousands of moved items); a removed item must still be found in the old version."""
    data = _kestrel()
    old, new = validate_data(data), validate_data(_reworked(data))
    changes = diff(old, new)
    assert any(c.kind == "removed" for c in changes) and len(changes) > 4
    index: dict = {}
    shared = [(parties_of(c, old, new, index), readable_label(c, old, new, index)) for c in changes]
    fresh = [(parties_of(c, old, new), readable_label(c, old, new)) for c in changes]
    assert shared == fresh
    removed = next(n for c, n in zip(changes, shared, strict=True) if c.kind == "removed")
    assert removed[0] and "“" in removed[1]  # its parties and wording come from the old version

"""Helpers for the review tests: real git workspaces with agreements saved by several people."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mou.presets import preset
from mou.store.create import init_workspace
from mou.store.workspace import Author, Workspace
from mou.validate import validate_data

ALICE = Author("Alice Liaison", "alice@county.gov")
BOB = Author("Bob Counsel", "bob@city.gov")
CAROL = Author("Carol Finance", "carol@county.gov")


def task_force_data(agreement_id: str = "metro-task-force") -> dict[str, Any]:
    """A small task-force agreement with responsibilities and cost shares to edit."""
    data = preset("task_force", agreement_id, "Metro Task Force")
    data["responsibilities"] = [
        {"id": f"r{n}", "parties": ["party-a"], "text": f"Responsibility number {n}."}
        for n in range(1, 5)
    ]
    data["funding"]["cost_shares"] = [
        {"party": "party-a", "percent": 60},
        {"party": "party-b", "percent": 40},
    ]
    return data


class History:
    """A workspace in ``root`` and a running copy of one agreement's data to save edits of."""

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        init_workspace(root)
        self.root = root
        self.data = copy.deepcopy(data)
        self.revisions: list[str] = []

    def save(self, author: Author, message: str, edit: Callable[[dict], None] = lambda d: None):
        """Apply ``edit`` to the data and save it as one commit by ``author``; its sha."""
        edit(self.data)
        with Workspace(self.root) as ws:
            saved = ws.save(validate_data(copy.deepcopy(self.data)), message, author)
        self.revisions.append(saved.revision)
        return saved.revision


def commit_raw(root: Path, relative: str, text: str, message: str, name: str = "Mallory") -> str:
    """Commit a file's text with plain git (to plant an invalid revision); the new sha."""
    (root / relative).write_text(text, encoding="utf-8")
    env = ["-c", f"user.name={name}", "-c", "user.email=mallory@example.org"]
    subprocess.run(["git", *env, "add", relative], cwd=root, check=True)
    subprocess.run(["git", *env, "commit", "-qm", message], cwd=root, check=True)
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True)
    return out.stdout.decode().strip()


# --------------------------------------------------------------------------- scripted edits


def edit_purpose(data: dict, n: int = 0) -> None:
    """A text edit: a few words of the purpose replaced."""
    words = data["purpose"].split(" ")
    words[min(3 + n, len(words) - 1)] = f"jointly-{n}"
    data["purpose"] = " ".join(words)


def add_party(data: dict, n: int = 0) -> None:
    """A party added at the end, a copy of the last one under a new id and acronym."""
    party = copy.deepcopy(data["parties"][-1])
    party.update(id=f"added-party-{n}", acronym=f"NEW{n}", legal_name=f"Added Agency Number {n}")
    data["parties"].append(party)


def remove_responsibility(data: dict, n: int = 0) -> None:
    """The second responsibility removed (or the only one, when it is alone)."""
    duties = data.get("responsibilities", [])
    if duties:
        duties.pop(min(1, len(duties) - 1))
    if not duties:
        data.pop("responsibilities", None)


def reorder_rows(data: dict, n: int = 0) -> None:
    """The first two rows of a table-like list swapped."""
    for name in ("resources", "personnel", "responsibilities", "definitions", "parties"):
        rows = data.get(name, [])
        if len(rows) >= 2:
            rows[0], rows[1] = rows[1], rows[0]
            return


def change_date(data: dict, n: int = 0) -> None:
    """The expiration date moved."""
    data["term"]["expiration_date"] = f"{2040 + n}-06-30"


def edit_contact(data: dict, n: int = 0) -> None:
    """A party's point of contact retitled."""
    data["parties"][0]["point_of_contact"]["title"] = f"Deputy Director {n}"


def edit_notice_days(data: dict, n: int = 0) -> None:
    """A number changed."""
    data["term"]["withdrawal_notice_days"] = 40 + n


def edit_termination(data: dict, n: int = 0) -> None:
    """A prose field extended by a sentence."""
    data["term"]["termination_effects"] += f" Records are returned within {30 + n} days."


SCRIPTED_EDITS = [
    edit_purpose,
    add_party,
    remove_responsibility,
    reorder_rows,
    change_date,
    edit_contact,
    edit_notice_days,
    edit_termination,
]

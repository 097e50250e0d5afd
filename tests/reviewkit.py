"""Helpers for the review tests: real git workspaces with agreements saved by several people."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mou.presets import preset
from mou.store import Author, Workspace, init_workspace
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


def commit_raw(root: Path, relative: str, text: str, message: str) -> str:
    """Commit a file's text with plain git (to plant an invalid revision); the new sha."""
    (root / relative).write_text(text, encoding="utf-8")
    env = ["-c", "user.name=Mallory", "-c", "user.email=mallory@example.org"]
    subprocess.run(["git", *env, "add", relative], cwd=root, check=True)
    subprocess.run(["git", *env, "commit", "-qm", message], cwd=root, check=True)
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True)
    return out.stdout.decode().strip()

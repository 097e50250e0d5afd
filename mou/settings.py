"""Settings, declared once: name, environment variable, default and help."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One setting: the environment variable that sets it and what it means."""

    env: str
    help: str


WORKSPACE = Setting(
    "MOU_WORKSPACE",
    "Workspace directory (a git repository holding agreements/). Default: the git "
    "repository around the current directory.",
)


def resolve_workspace(value: str | Path | None = None) -> Path:
    """The workspace: ``value``, else $MOU_WORKSPACE, else the enclosing git repository."""
    chosen = value or os.environ.get(WORKSPACE.env)
    if chosen:
        return Path(chosen).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here

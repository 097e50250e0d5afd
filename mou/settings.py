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


SYNC_AFTER_SAVE = Setting(
    "MOU_SYNC_AFTER_SAVE",
    "After a save in the wizard, sync with the branch's upstream when it has one: 1 (the "
    "default) or 0.",
)
TRUSTED_EMAIL_HEADER = Setting(
    "MOU_TRUSTED_EMAIL_HEADER",
    "Behind an authenticating proxy: the request header holding the signed-in person's "
    "e-mail address (e.g. X-Forwarded-Email). Saves then take it instead of the form's.",
)
TRUSTED_NAME_HEADER = Setting(
    "MOU_TRUSTED_NAME_HEADER",
    "Behind an authenticating proxy: the request header holding the person's name (e.g. "
    "X-Forwarded-User); without it the name is the e-mail address's local part.",
)


def sync_after_save() -> bool:
    """Whether the wizard syncs after each save ($MOU_SYNC_AFTER_SAVE, default yes)."""
    return os.environ.get(SYNC_AFTER_SAVE.env, "1").strip().lower() not in ("0", "no", "false")

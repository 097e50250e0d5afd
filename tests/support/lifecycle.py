"""Helpers for the lifecycle tests: an example agreement in a real workspace, signed."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from mou.lifecycle import ORIGINAL
from mou.store.lifecycle import SignRequest, read_record, required_signers, sign, signable
from mou.store.workspace import Author, Workspace
from mou.validate import load_file
from tests.support.runner import ROOT, run_mou
from tests.support.workspaces import make_workspace

AUTHOR = Author("Jane Roe", "jane.roe@agency.gov")
AUTHOR_TEXT = str(AUTHOR)
MUTUAL_AID = "bellwater-tamsin-law-enforcement-mutual-aid"
TASK_FORCE = "bellwater-regional-violent-crime-task-force"
TODAY = dt.date.today()


def workspace_with(parent: Path, *agreement_ids: str) -> Path:
    """A fresh workspace holding the named examples, each saved as one commit."""
    root = make_workspace(parent)
    with Workspace(root) as ws:
        for agreement_id in agreement_ids:
            source = ROOT / "agreements" / f"{agreement_id}.yaml"
            shutil.copy(source, root / "agreements" / source.name)
            ws.save(load_file(source), f"Add {agreement_id}", AUTHOR)
    return root


def signers(root: Path, agreement_id: str) -> list[str]:
    """Every party/signatory that must sign the agreement at HEAD."""
    with Workspace(root) as ws:
        return required_signers(ws.load(agreement_id).agreement, read_record(ws, agreement_id))


def sign_in_process(root: Path, agreement_id: str, who: list[str], amendment: int = ORIGINAL):
    """Record the signatures of ``who`` today (setup, not under test); the last outcome."""
    outcome = None
    with Workspace(root) as ws:
        for each in who:
            loaded = signable(ws, agreement_id, amendment)
            party, block = each.split("/")
            request = SignRequest(agreement_id, party, block, TODAY, loaded.revision, amendment)
            outcome = sign(ws, request, AUTHOR, TODAY)
    return outcome


def mou(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run mou in the workspace ``root``."""
    return run_mou(*args, "--workspace", str(root), cwd=root)

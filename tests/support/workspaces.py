"""Helpers shared by the workspace tests: real git repositories, real commands."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mou.attachments import attachments_beside
from mou.data import SAMPLE_AGREEMENT
from mou.model import Agreement, to_data
from mou.presets import preset
from mou.store.create import init_workspace
from mou.store.workspace import Author, Workspace
from mou.validate import load_file, validate_data

AUTHOR = Author("Jane Roe", "jane.roe@agency.gov")


def git(root: Path, *args: str, check: bool = True) -> str:
    """Run git in ``root`` and return its standard output."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def make_workspace(parent: Path, name: str = "ws") -> Path:
    """A fresh workspace with a local git identity for the plain-git commits tests make."""
    root = parent / name
    assert init_workspace(root) is True
    git(root, "config", "user.name", "Plain Git")
    git(root, "config", "user.email", "plain@example.org")
    return root


def workspace_with_sample(parent: Path) -> Path:
    """A workspace holding the packaged sample (every section, ready for signature) and
    its attached exhibit file, committed as one save."""
    root = make_workspace(parent)
    source = parent / "sample-every-section.yaml"  # the file name the id requires
    source.write_bytes(SAMPLE_AGREEMENT.read_bytes())
    with Workspace(root) as ws:
        sample = load_file(source)
        ws.save(
            sample, "Ready sample", AUTHOR, attachments=attachments_beside(SAMPLE_AGREEMENT, sample)
        )
    return root


def draft(agreement_id: str, title: str = "Metro Task Force", **changes: Any) -> Agreement:
    """A valid agreement from the task-force preset, with top-level fields replaced."""
    data = preset("task_force", agreement_id, title)
    data.update(changes)
    return validate_data(data)


def edited(agreement: Agreement, **changes: Any) -> Agreement:
    """``agreement`` with top-level fields replaced, validated again."""
    return validate_data({**to_data(agreement), **changes})


def head(root: Path) -> str:
    """The sha HEAD points at."""
    return git(root, "rev-parse", "HEAD").strip()


def assert_fsck_clean(root: Path) -> None:
    """git fsck --strict accepts the repository (dangling objects are allowed)."""
    result = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    problems = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert not problems, result.stderr


def changed_paths(root: Path, commit: str) -> list[str]:
    """The paths a commit changed relative to its parent."""
    out = git(root, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit)
    return out.split()


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` refuses new files, even to root (whose permissions are never checked)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    else:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not supported here: {made.stderr.decode().strip()}")
        undo = ["chattr", "-i", str(folder)]
    try:
        yield
    finally:
        subprocess.run(undo, check=True)

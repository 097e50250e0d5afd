"""Shared fixtures; the helpers themselves live in ``tests/support/``."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support.runner import run_mou


def pytest_configure(config: pytest.Config) -> None:
    """Shut out the machine's git configuration, for this process and all it starts.

    The suite must pass on a machine whose git has no identity and no default branch,
    and must not pass only because the developer's has them: every test sets the
    identity and the branch it needs.
    """
    folder = tempfile.mkdtemp(prefix="mou-tests-git-")
    atexit.register(shutil.rmtree, folder, True)
    empty = Path(folder) / "gitconfig"
    empty.write_text("")
    os.environ["GIT_CONFIG_GLOBAL"] = str(empty)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME"):
        os.environ.pop(name, None)
    os.environ.pop("GIT_COMMITTER_EMAIL", None)
    # A template found clean is remembered in the user's cache folder: the suite keeps its own.
    os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")


@pytest.fixture
def mou():
    """The `run_mou` helper as a fixture."""
    return run_mou


@pytest.fixture(scope="session")
def exported_examples(tmp_path_factory: pytest.TempPathFactory):
    """Every example and the sample exported and converted to PDF, once per session."""
    from tests.support.exports import export_all

    return export_all(tmp_path_factory.mktemp("exported-examples"))

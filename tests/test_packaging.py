"""A non-editable install carries every module, the schema and the default template.

The editable install the tests run from reads the source tree, so a package or data file
left out of the wheel would only show after `pip install .`; this builds the wheel.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.runner import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A copy, because setuptools reuses the tree's build/ folder: a stale one there would
    # still hold a package that the current configuration leaves out.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "mou", source / "mou", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("mou-*.whl")
    return built


def test_wheel_holds_every_module_and_data_file(wheel: Path) -> None:
    inside = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        path.relative_to(ROOT).as_posix()
        for pattern in ("*.py", "*.json", "*.yaml", "*.docx")
        for path in (ROOT / "mou").rglob(pattern)
    }
    assert sources - inside == set()


def test_installed_copy_runs_without_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "import mou, mou.ui.app, mou.schema, mou.document.template;"
        "print(mou.__file__);"
        "print(len(mou.schema.schema_problems({})));"
        "print(mou.document.template.template_bytes()[:2].decode())"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert shown[0].startswith(str(target))
    assert int(shown[1]) > 0  # the shipped schema was found and applied
    assert shown[2] == "PK"  # the default template is a .docx (a zip)

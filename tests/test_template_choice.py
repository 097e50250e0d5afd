"""One decision picks the template: export, redline and the wizard render with the same one.

Regression: `template_for` lived in the export command, so `mou redline` (and the
wizard's Export and Preview) rendered a workspace whose ``templates/mou.docx`` was no
Word file with the packaged template, while `mou export --draft` refused it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mou.data import PACKAGED_TEMPLATE
from mou.document.template import template_for
from mou.store.workspace import Workspace
from tests.support.runner import ROOT, run_mou, snapshot
from tests.support.workspaces import AUTHOR, draft, make_workspace

AGREEMENT = "metro-tf"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A workspace with two revisions of one agreement and a template that is no .docx."""
    root = make_workspace(tmp_path)
    with Workspace(root) as ws:
        ws.save(draft(AGREEMENT), "First draft", AUTHOR)
        ws.save(draft(AGREEMENT, title="Metro Task Force II"), "Retitle", AUTHOR)
    (root / "templates/mou.docx").write_text("this is not a Word document\n")
    return root


def refusal(root: Path) -> str:
    return f"{root / 'templates/mou.docx'}: not a Word document (.docx): File is not a zip file"


@pytest.mark.parametrize(
    "command",
    [
        ["export", AGREEMENT, "--draft", "-o", "out.docx"],
        ["redline", AGREEMENT, "HEAD~1", "HEAD", "-o", "out.docx"],
    ],
    ids=["export-draft", "redline"],
)
def test_every_command_refuses_the_broken_workspace_template(broken: Path, command) -> None:
    before = snapshot(broken)
    result = run_mou(*command, cwd=broken)
    assert result.returncode == 1
    assert result.stderr.decode().strip() == refusal(broken)
    assert snapshot(broken) == before  # nothing written


def test_templates_check_names_the_same_fault(broken: Path) -> None:
    result = run_mou("templates", "check", cwd=broken)
    assert result.returncode == 1
    assert result.stdout.decode().splitlines()[0] == refusal(broken)


def test_the_workspace_template_wins_over_the_packaged_one(tmp_path: Path) -> None:
    assert template_for(tmp_path) == PACKAGED_TEMPLATE
    own = tmp_path / "templates/mou.docx"
    own.parent.mkdir()
    own.write_bytes(PACKAGED_TEMPLATE.read_bytes())
    assert template_for(tmp_path) == own
    assert template_for(tmp_path, PACKAGED_TEMPLATE) == PACKAGED_TEMPLATE


def test_the_wizard_preview_and_export_refuse_it_the_same_way(broken: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    monkeypatch.setenv("MOU_WORKSPACE", str(broken))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.selectbox(key="list-open").set_value(AGREEMENT)
    at.button(key="list-open-button").click().run()
    shown = {}
    for page in ("review", "export"):
        at._page_hash = calc_hash(page)  # as a browser's URL requests the page
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        shown[page] = [e.value for e in at.error]
    assert f"Cannot render the preview: {refusal(broken)}" in shown["review"]
    assert shown["export"] == [f"Cannot export: {refusal(broken)}"]
    assert not at.get("download_button")

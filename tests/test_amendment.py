"""Amendments (issue 12, slice 2): opened after execution, generated from the diff, signed.

The instructions are checked mechanically: applied by hand to the original's printed
units, they give the amended text, on every example.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import docx
import pytest

from mou.changes.amendment import apply_instructions, instructions
from mou.document.amendment import text_units
from mou.model import to_data
from mou.store.lifecycle import amend_agreement
from mou.store.workspace import Workspace
from mou.validate import load_file, validate_data
from tests.support.lifecycle import (
    AUTHOR,
    AUTHOR_TEXT,
    MUTUAL_AID,
    TODAY,
    mou,
    sign_in_process,
    signers,
    workspace_with,
)
from tests.support.runner import EXAMPLES
from tests.support.workspaces import git, head

TRAINING = "western-franklin-training-consortium"


def _amended(data: dict) -> dict:
    """The example with a changed responsibility, a deleted one, a new party, a new exhibit row."""
    new = copy.deepcopy(data)
    resp = new["responsibilities"]
    resp[0]["text"] = resp[0]["text"] + " It reports to the board each month."
    removed = resp.pop(_one_of_several(resp))
    party = copy.deepcopy(new["parties"][0])
    party.update(id="new-member", legal_name="Town of New Member", acronym="TNM")
    new["parties"].append(party)
    resp.append({"id": "new-duty", "parties": ["new-member"], "text": "Host one session a year."})
    if new.get("exhibits") and new["exhibits"][0].get("rows"):
        new["exhibits"][0]["rows"][0]["cells"][-1] = "Town of New Member"
    assert removed["id"] not in {r["id"] for r in resp}
    return new


def _one_of_several(responsibilities: list[dict]) -> int:
    """A responsibility that shares its parties with another, outside the first one's group
    (so deleting it is a paragraph of a lettered list); else the last."""
    first = responsibilities[0]["parties"]
    groups: dict[tuple, list[int]] = {}
    for index, item in enumerate(responsibilities):
        groups.setdefault(tuple(item["parties"]), []).append(index)
    shared = [ix for group, ix in groups.items() if len(ix) > 1 and list(group) != first]
    return shared[0][-1] if shared else len(responsibilities) - 1


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_instructions_applied_by_hand_give_the_amended_text(example: Path) -> None:
    old = load_file(example)
    new = validate_data(_amended(to_data(old)))
    steps = instructions(old, new)
    assert {s.kind for s in steps} >= {"add", "delete"}
    assert any(s.part is not None for s in steps)  # rows or paragraphs, not whole units
    after = {u.key: u.paras for u in text_units(new)}
    assert apply_instructions(text_units(old), steps) == after


def test_an_unchanged_agreement_needs_no_instruction() -> None:
    old = load_file(EXAMPLES[0])
    assert instructions(old, old) == []


@pytest.fixture
def executed(tmp_path: Path) -> Path:
    root = workspace_with(tmp_path, TRAINING)
    sign_in_process(root, TRAINING, signers(root, TRAINING))
    return root


def test_the_amendment_document_speaks_counsel_and_leaves_out_unchanged_articles(
    executed: Path, tmp_path: Path
) -> None:
    opened = mou(executed, "amend", TRAINING, "-m", "New member", "--author", AUTHOR_TEXT)
    assert opened.returncode == 0, opened.stderr
    path = executed / "agreements" / f"{TRAINING}.yaml"
    amended = validate_data(_amended(to_data(load_file(path))))
    with Workspace(executed) as ws:
        ws.save(amended, "Amend: new member", AUTHOR)
    out = tmp_path / "amendment.docx"
    made = mou(executed, "export", TRAINING, "--amendment", "1", "-o", str(out), "--draft")
    assert made.returncode == 0, made.stderr
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert text.splitlines()[1].startswith("Amendment No. 1 to ")
    assert "is deleted in its entirety and replaced with the following:" in text
    assert "It reports to the board each month." in text
    assert "is amended by adding the following new Section" in text
    assert "Exhibit A is replaced by the attached Exhibit A." in text
    assert "is amended by deleting paragraph(s) (b) in their entirety" in text
    assert "is amended by adding the following row(s) at its end:" in text
    assert "Town of New Member (TNM) joins the Agreement" in text
    assert "every term of the Agreement remains in full force" in text
    # Unchanged articles do not appear: a restatement would repeat Dispute resolution.
    assert "DISPUTE RESOLUTION" not in text.upper().split("SIGNATURES")[0]
    assert "Liability" not in text


def test_signing_the_amendment_executes_and_tags_it(executed: Path) -> None:
    with Workspace(executed) as ws:
        assert amend_agreement(ws, TRAINING, "New member", AUTHOR, TODAY) == 1
        path = executed / "agreements" / f"{TRAINING}.yaml"
        ws.save(validate_data(_amended(to_data(load_file(path)))), "Amend", AUTHOR)
    everyone = signers(executed, TRAINING)
    assert "new-member/manager" in everyone  # the joining party signs too
    sign_in_process(executed, TRAINING, everyone[:-1], amendment=1)
    last = mou(
        executed,
        "sign",
        TRAINING,
        "--amendment",
        "1",
        "--signatory",
        everyone[-1],
        "--date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
    )
    assert last.returncode == 0, last.stderr
    tag = f"executed/{TRAINING}/amendment-1"
    assert git(executed, "cat-file", "-t", tag).strip() == "tag"
    again = mou(
        executed,
        "save",
        str(executed / "agreements" / f"{TRAINING}.yaml"),
        "-m",
        "x",
        "--author",
        AUTHOR_TEXT,
    )
    assert again.returncode == 0  # no change: nothing to refuse
    path = executed / "agreements" / f"{TRAINING}.yaml"
    path.write_text(path.read_text().replace("Host one session a year.", "Host two."))
    refused = mou(executed, "save", str(path), "-m", "x", "--author", AUTHOR_TEXT)
    assert refused.returncode == 1 and "mou amend" in refused.stderr.decode()


def test_bad_amendment_requests_are_one_line(tmp_path: Path) -> None:
    root = workspace_with(tmp_path, MUTUAL_AID)
    before = head(root)
    for args, expected in (
        (("amend", MUTUAL_AID, "-m", "x", "--author", AUTHOR_TEXT), "is not executed"),
        (
            ("export", MUTUAL_AID, "--amendment", "1", "--draft", "-o", str(tmp_path / "a.docx")),
            "has no Amendment No. 1",
        ),
        (
            (
                "sign",
                MUTUAL_AID,
                "--amendment",
                "1",
                "--signatory",
                "wrenfield/mayor",
                "--date",
                str(TODAY),
                "--author",
                AUTHOR_TEXT,
            ),
            "no such draft",
        ),
    ):
        result = mou(root, *args)
        err = result.stderr.decode()
        assert result.returncode == 1 and err.count("\n") == 1 and expected in err, err
    assert head(root) == before and not (tmp_path / "a.docx").exists()


def test_the_amendment_converts_to_pdf(executed: Path, tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    with Workspace(executed) as ws:
        amend_agreement(ws, TRAINING, "New member", AUTHOR, TODAY)
        path = executed / "agreements" / f"{TRAINING}.yaml"
        ws.save(validate_data(_amended(to_data(load_file(path)))), "Amend", AUTHOR)
    out = tmp_path / "amendment.docx"
    made = mou(executed, "export", TRAINING, "--amendment", "1", "--draft", "--pdf", "-o", str(out))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "amendment.pdf").read_bytes().startswith(b"%PDF")


def _executed_amendment(root: Path) -> None:
    with Workspace(root) as ws:
        amend_agreement(ws, TRAINING, "New member", AUTHOR, TODAY)
        path = root / "agreements" / f"{TRAINING}.yaml"
        ws.save(validate_data(_amended(to_data(load_file(path)))), "Amend", AUTHOR)
    sign_in_process(root, TRAINING, signers(root, TRAINING), amendment=1)


def test_the_conformed_copy_holds_the_amended_text_and_its_signatures(
    executed: Path, tmp_path: Path
) -> None:
    _executed_amendment(executed)
    out = tmp_path / "conformed.docx"
    args = ("export", TRAINING, "--conformed", "-o", str(out))
    pdf = shutil.which("soffice") is not None
    made = mou(executed, *args, *(("--pdf",) if pdf else ()))
    assert made.returncode == 0, made.stderr
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "It reports to the board each month." in text  # the amended text, not the old
    assert text.startswith(f"CONFORMED COPY of {TRAINING}")
    report = json.loads(mou(executed, "status", TRAINING, "--json").stdout)
    for amendment_revision in (report["amendments"][0]["base"], report["revision_in_force"]):
        assert amendment_revision[:12] in text.splitlines()[0]  # provenance: both revisions
    rows = [[c.text for c in r.cells] for r in document.tables[-1].rows]
    assert [r[0] for r in rows] == ["Instrument", "Original agreement", "Amendment No. 1"]
    signed_blocks = [p.text for p in document.paragraphs if "/s/ " in p.text]
    assert len(signed_blocks) == len(signers(executed, TRAINING))
    assert all("Date: ____" not in block for block in signed_blocks)
    if pdf:
        assert (tmp_path / "conformed.pdf").read_bytes().startswith(b"%PDF")


def test_no_conformed_copy_before_execution(tmp_path: Path) -> None:
    root = workspace_with(tmp_path, MUTUAL_AID)
    out = tmp_path / "c.docx"
    result = mou(root, "export", MUTUAL_AID, "--conformed", "-o", str(out))
    err = result.stderr.decode()
    assert result.returncode == 1 and err.count("\n") == 1 and "is not executed" in err
    assert not out.exists()

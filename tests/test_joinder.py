"""Joinder (issue 12, slice 3): where the amendment article admits new members by joinder
alone, the amendment adding one is a joinder agreement signed by the new member and the
parties the article names, and by no one else."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import docx

from mou.model import to_data
from mou.store.lifecycle import amend_agreement, awaiting
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
)
from tests.support.runner import ROOT
from tests.support.workspaces import git, head, make_workspace


def _joinable(tmp_path: Path) -> Path:
    """The mutual-aid example, its article admitting members by joinder with Bellwater
    County's signature, executed; then Amendment No. 1 adding the Town of Corvale."""
    root = make_workspace(tmp_path)
    data = to_data(load_file(ROOT / "agreements" / f"{MUTUAL_AID}.yaml"))
    data["amendment"].update(joinder_alone=True, joinder_signers=["bellwater-county"])
    with Workspace(root) as ws:
        ws.save(validate_data(data), "Add", AUTHOR)
    sign_in_process(root, MUTUAL_AID, signers(root, MUTUAL_AID))
    member = copy.deepcopy(data["parties"][-1])
    member.update(id="corvale", legal_name="Town of Corvale", acronym="TOC")
    data["parties"].append(member)
    data["responsibilities"].append(
        {"id": "corvale-duty", "parties": ["corvale"], "text": "Answer requests in the county."}
    )
    with Workspace(root) as ws:
        amend_agreement(ws, MUTUAL_AID, "Corvale joins", AUTHOR, TODAY)
        ws.save(validate_data(data), "Corvale joins", AUTHOR)
    return root


def test_a_joinder_is_signed_by_the_new_member_and_the_named_parties(tmp_path: Path) -> None:
    root = _joinable(tmp_path)
    with Workspace(root) as ws:
        who = awaiting(ws, MUTUAL_AID)
    block = signers(root, MUTUAL_AID)[-1].split("/")[1]
    assert sorted(who) == sorted(["bellwater-county/chair", f"corvale/{block}"])
    report = json.loads(mou(root, "status", MUTUAL_AID, "--json").stdout)
    assert sorted(report["awaiting"]) == sorted(who)
    before = head(root)
    other = mou(
        root,
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
    )
    err = other.stderr.decode()
    assert other.returncode == 1 and err.count("\n") == 1 and "is a joinder" in err
    assert head(root) == before
    sign_in_process(root, MUTUAL_AID, who, amendment=1)
    assert git(root, "cat-file", "-t", f"executed/{MUTUAL_AID}/amendment-1").strip() == "tag"


def test_the_joinder_document_has_only_their_signature_blocks(tmp_path: Path) -> None:
    root = _joinable(tmp_path)
    out = tmp_path / "joinder.docx"
    made = mou(root, "export", MUTUAL_AID, "--amendment", "1", "--draft", "-o", str(out))
    assert made.returncode == 0, made.stderr
    text = [p.text for p in docx.Document(str(out)).paragraphs]
    assert text[1].startswith("Joinder Agreement (Amendment No. 1) to ")
    signatures = text[text.index("Signatures") :]
    assert "Town of Corvale" in signatures
    assert any(line.startswith("Bellwater County") for line in signatures)
    assert not any(line.startswith("City of Wrenfield") for line in signatures)
    joined = "\n".join(text)
    assert "Town of Corvale (TOC) joins the Agreement as a party" in joined
    assert "admits a new member by a joinder agreement" in joined

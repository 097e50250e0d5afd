"""After the signature: signatures, derived execution, tags, status, refusals (issue 12).

Real workspaces in temporary folders, real git, real commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mou.lifecycle import lifecycle_path
from tests.support.lifecycle import (
    AUTHOR_TEXT,
    MUTUAL_AID,
    TASK_FORCE,
    TODAY,
    mou,
    sign_in_process,
    signers,
    workspace_with,
)
from tests.support.runner import snapshot
from tests.support.workspaces import changed_paths, git, head


@pytest.fixture
def mutual(tmp_path: Path) -> Path:
    return workspace_with(tmp_path, MUTUAL_AID)


def status(root: Path, agreement_id: str = MUTUAL_AID) -> dict:
    result = mou(root, "status", agreement_id, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_signing_every_signatory_executes_tags_and_derives_the_dates(mutual: Path) -> None:
    everyone = signers(mutual, MUTUAL_AID)
    assert len(everyone) == 6 and status(mutual)["state"] == "approved"
    first = mou(
        mutual,
        "sign",
        MUTUAL_AID,
        "--signatory",
        everyone[0],
        "--date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
    )
    assert first.returncode == 0, first.stderr
    assert changed_paths(mutual, head(mutual)) == [lifecycle_path(MUTUAL_AID)]
    middle = status(mutual)
    assert middle["state"] == "partially_signed" and middle["awaiting"] == everyone[1:]
    sign_in_process(mutual, MUTUAL_AID, everyone[1:-1])
    assert git(mutual, "tag", "--list") == ""
    last = mou(
        mutual,
        "sign",
        MUTUAL_AID,
        "--signatory",
        everyone[-1],
        "--date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
    )
    assert last.returncode == 0, last.stderr
    assert f"tagged executed/{MUTUAL_AID}/original" in last.stdout.decode()
    done = status(mutual)
    # The mutual-aid example takes effect upon the last signature: both dates are derived.
    assert (done["state"], done["executed_date"], done["effective_date"]) == (
        "executed",
        str(TODAY),
        str(TODAY),
    )
    assert [f"{s['party']}/{s['signatory']}" for s in done["signatures"]] == everyone
    tag = f"executed/{MUTUAL_AID}/original"
    assert git(mutual, "cat-file", "-t", tag).strip() == "tag"  # annotated
    message = git(mutual, "tag", "-l", "--format=%(contents)", tag)
    assert all(f"Signed: {who} {TODAY}" in message for who in everyone)
    assert git(mutual, "rev-parse", f"{tag}^{{commit}}").strip() == head(mutual)
    listed = json.loads(mou(mutual, "list", "--json").stdout)
    assert listed[0]["state"] == "executed"
    signing = git(mutual, "log", "--format=%H", f"{tag}~6..{tag}").split()
    assert all(changed_paths(mutual, c) == [lifecycle_path(MUTUAL_AID)] for c in signing)


def test_a_fixed_effective_date_is_the_one_the_agreement_states(tmp_path: Path) -> None:
    root = workspace_with(tmp_path, TASK_FORCE)
    outcome = sign_in_process(root, TASK_FORCE, signers(root, TASK_FORCE))
    assert outcome.execution is not None
    report = status(root, TASK_FORCE)
    assert report["effective_date"] == "2027-01-01" and report["executed_date"] == str(TODAY)


def test_an_executed_agreement_refuses_a_save_in_one_line(mutual: Path) -> None:
    sign_in_process(mutual, MUTUAL_AID, signers(mutual, MUTUAL_AID))
    path = mutual / "agreements" / f"{MUTUAL_AID}.yaml"
    path.write_text(
        path.read_text().replace("withdrawal_notice_days: 90", "withdrawal_notice_days: 60")
    )
    before = head(mutual)
    result = mou(mutual, "save", str(path), "-m", "Shorter notice", "--author", AUTHOR_TEXT)
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode() == (
        f"agreements/{MUTUAL_AID}.yaml: not saved: executed on {TODAY}; changes go through "
        f"an amendment: mou amend {MUTUAL_AID}\n"
    )
    assert head(mutual) == before


def test_a_save_during_signature_is_refused(mutual: Path) -> None:
    sign_in_process(mutual, MUTUAL_AID, signers(mutual, MUTUAL_AID)[:1])
    path = mutual / "agreements" / f"{MUTUAL_AID}.yaml"
    path.write_text(
        path.read_text().replace("withdrawal_notice_days: 90", "withdrawal_notice_days: 60")
    )
    result = mou(mutual, "save", str(path), "-m", "Edit", "--author", AUTHOR_TEXT)
    assert result.returncode == 1
    assert "being signed" in result.stderr.decode()


def _refused(root: Path, *args: str) -> str:
    before, files = head(root), snapshot(root)
    result = mou(root, *args)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert head(root) == before and snapshot(root) == files and git(root, "tag", "-l") == ""
    return err


def test_bad_signatures_are_one_line_exit_1_nothing_written(mutual: Path) -> None:
    sign_in_process(mutual, MUTUAL_AID, ["wrenfield/mayor"])
    base = ("sign", MUTUAL_AID, "--author", AUTHOR_TEXT)
    cases = {
        ("--signatory", "nobody/chief", "--date", str(TODAY)): "no party 'nobody'",
        ("--signatory", "wrenfield/nobody", "--date", str(TODAY)): "no signature block",
        ("--signatory", "wrenfield/clerk", "--date", str(TODAY)): "is attest, not a signatory",
        ("--signatory", "wrenfield", "--date", str(TODAY)): "PARTY/SIGNATORY",
        ("--signatory", "wrenfield/mayor", "--date", str(TODAY)): "already signed",
        ("--signatory", "alder-falls/manager", "--date", "2001-01-01"): "before the text",
        ("--signatory", "alder-falls/manager", "--date", "2999-01-01"): "in the future",
        ("--signatory", "alder-falls/manager", "--date", "31/12/2026"): "YYYY-MM-DD",
    }
    for args, expected in cases.items():
        assert expected in _refused(mutual, *base, *args), args


def test_signing_a_non_ready_agreement_is_refused(tmp_path: Path) -> None:
    root = workspace_with(tmp_path)
    assert (
        mou(root, "new", "rough-draft", "--type", "mutual_aid", "--title", "Rough").returncode == 0
    )
    saved = mou(root, "save", "agreements/rough-draft.yaml", "-m", "Start", "--author", AUTHOR_TEXT)
    assert saved.returncode == 0, saved.stderr
    err = _refused(
        root,
        "sign",
        "rough-draft",
        "--signatory",
        "x/y",
        "--date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
    )
    assert "not ready for signature" in err


def test_a_copy_that_fails_verification_is_refused(mutual: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "signed.docx"
    bogus.write_bytes(b"not a word file")
    err = _refused(
        mutual,
        "sign",
        MUTUAL_AID,
        "--signatory",
        "wrenfield/mayor",
        "--date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
        "--copy",
        str(bogus),
    )
    assert err.startswith(f"{bogus}:") or "--copy" in err


def test_a_draft_export_is_no_signed_copy(mutual: Path, tmp_path: Path) -> None:
    copy = tmp_path / "draft.docx"
    made = mou(mutual, "export", MUTUAL_AID, "--draft", "-o", str(copy))
    assert made.returncode == 0, made.stderr
    err = _refused(
        mutual,
        "sign",
        MUTUAL_AID,
        "--signatory",
        "wrenfield/mayor",
        "--date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
        "--copy",
        str(copy),
    )
    assert "draft export" in err


def test_the_signed_copy_is_verified_and_stored(mutual: Path, tmp_path: Path) -> None:
    copy = tmp_path / "signed.docx"
    assert mou(mutual, "export", MUTUAL_AID, "-o", str(copy)).returncode == 0
    result = mou(
        mutual,
        "sign",
        MUTUAL_AID,
        "--signatory",
        "wrenfield/mayor",
        "--date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
        "--copy",
        str(copy),
    )
    assert result.returncode == 0, result.stderr
    stored = f"signed/{MUTUAL_AID}/original-wrenfield-mayor.docx"
    assert sorted(changed_paths(mutual, head(mutual))) == [lifecycle_path(MUTUAL_AID), stored]
    assert (mutual / stored).read_bytes() == copy.read_bytes()
    assert status(mutual)["signatures"][0]["copy"] == stored
    assert git(mutual, "status", "--porcelain") == ""

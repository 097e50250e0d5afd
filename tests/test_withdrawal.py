"""Withdrawal and termination (issue 12, slice 3), on real workspaces."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from mou.store.lifecycle import withdraw
from mou.store.workspace import Workspace
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
from tests.support.runner import snapshot
from tests.support.workspaces import head


@pytest.fixture
def executed(tmp_path: Path) -> Path:
    root = workspace_with(tmp_path, MUTUAL_AID)
    sign_in_process(root, MUTUAL_AID, signers(root, MUTUAL_AID))
    return root


def _status(root: Path) -> dict:
    return json.loads(mou(root, "status", MUTUAL_AID, "--json").stdout)


def test_a_withdrawal_takes_effect_after_the_notice_period(executed: Path) -> None:
    result = mou(
        executed,
        "withdraw",
        MUTUAL_AID,
        "wrenfield",
        "--notice-date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
    )
    assert result.returncode == 0, result.stderr
    effective = TODAY + dt.timedelta(days=90)  # the example's withdrawal notice: 90 days
    report = _status(executed)
    party = next(p for p in report["parties"] if p["party"] == "wrenfield")
    assert party == {
        "party": "wrenfield",
        "participation": "withdrawing",
        "notice_date": str(TODAY),
        "withdrawal_effective_date": str(effective),
    }
    assert report["state"] == "executed"  # five parties remain
    assert any(item.startswith("funding.cost_shares: wrenfield") for item in report["rebalance"])
    assert "wrenfield/mayor" not in signers(executed, MUTUAL_AID)  # signs no amendment


def test_the_agreement_ends_when_fewer_than_two_parties_remain(executed: Path) -> None:
    parties = [who.split("/")[0] for who in signers(executed, MUTUAL_AID)]
    with Workspace(executed) as ws:
        for party in parties[1:]:
            last = withdraw(ws, MUTUAL_AID, party, TODAY, AUTHOR, TODAY)
    assert _status(executed)["terminated_date"] == str(last.effective_date)


def test_termination_ends_the_agreement(executed: Path) -> None:
    result = mou(executed, "terminate", MUTUAL_AID, "--date", str(TODAY), "--author", AUTHOR_TEXT)
    assert result.returncode == 0, result.stderr
    assert _status(executed)["state"] == "terminated"
    listed = json.loads(mou(executed, "list", "--json").stdout)
    assert listed[0]["state"] == "terminated"


def test_bad_withdrawals_and_terminations_are_one_line(executed: Path, tmp_path: Path) -> None:
    mou(
        executed,
        "withdraw",
        MUTUAL_AID,
        "wrenfield",
        "--notice-date",
        str(TODAY),
        "--author",
        AUTHOR_TEXT,
    )
    draft_only = workspace_with(tmp_path / "other", MUTUAL_AID)
    cases = [
        (executed, ("withdraw", MUTUAL_AID, "nobody"), "no such party"),
        (executed, ("withdraw", MUTUAL_AID, "wrenfield"), "gave notice of withdrawal"),
        (
            executed,
            ("withdraw", MUTUAL_AID, "alder-falls", "--notice-date", "2001-01-01"),
            "before the agreement was executed",
        ),
        (
            executed,
            ("withdraw", MUTUAL_AID, "alder-falls", "--notice-date", "2999-01-01"),
            "in the future",
        ),
        (executed, ("terminate", MUTUAL_AID, "--date", "2001-01-01"), "before the agreement"),
        (executed, ("terminate", MUTUAL_AID, "--date", "someday"), "YYYY-MM-DD"),
        (draft_only, ("terminate", MUTUAL_AID, "--date", str(TODAY)), "is not executed"),
    ]
    for root, args, expected in cases:
        if args[0] == "withdraw" and "--notice-date" not in args:
            args = (*args, "--notice-date", str(TODAY))
        before, files = head(root), snapshot(root)
        result = mou(root, *args, "--author", AUTHOR_TEXT)
        err = result.stderr.decode()
        assert result.returncode == 1 and err.count("\n") == 1 and expected in err, (args, err)
        assert head(root) == before and snapshot(root) == files

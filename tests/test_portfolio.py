"""Portfolio questions on a workspace of the five examples: mou list filters, mou resources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mou.lifecycle import STATES as LIFECYCLE_STATES
from mou.model import AgreementType
from mou.store.listing import STATES, TYPES
from tests.support.runner import EXAMPLES, run_mou
from tests.support.workspaces import git, make_workspace


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five examples, committed with plain git."""
    ws = make_workspace(tmp_path_factory.mktemp("portfolio"))
    for example in EXAMPLES:
        shutil.copy(example, ws / "agreements")
    git(ws, "add", "agreements")
    git(ws, "commit", "-q", "-m", "The examples")
    return ws


def listed(root: Path, *args: str) -> list[str]:
    result = run_mou("list", "--json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


def test_list_filters_by_party_type_state_and_expiry(root: Path) -> None:
    assert len(listed(root)) == 5
    assert listed(root, "--party", "fbi") == ["bellwater-regional-violent-crime-task-force"]
    assert listed(root, "--party", "FBI", "--type", "task_force",
                  "--expiring-before", "2032-01-01") == [
        "bellwater-regional-violent-crime-task-force"
    ]  # fmt: skip
    # It expires on 2031-12-31: not before that day.
    assert listed(root, "--party", "FBI", "--expiring-before", "2031-12-31") == []
    assert listed(root, "--expiring-before", "2031-12-31") == [
        "port-kestrel-violence-reduction-partnership", "western-franklin-records-exchange"
    ]  # fmt: skip
    assert listed(root, "--party", "KBFS", "--type", "mutual_aid") == []
    assert listed(root, "--type", "mutual_aid") == ["bellwater-tamsin-law-enforcement-mutual-aid"]
    states = {s: listed(root, "--state", s) for s in STATES}
    assert sorted(i for ids in states.values() for i in ids) == listed(root)


def test_list_filters_refuse_bad_values_in_one_line(root: Path) -> None:
    for args in (["--type", "fusion"], ["--state", "signed"], ["--expiring-before", "2031"]):
        result = run_mou("list", *args, cwd=root)
        err = result.stderr.decode()
        assert result.returncode == 2 and err.count("\n") == 1 and args[0] in err, err


def test_the_filters_know_every_type_and_state_of_the_model() -> None:
    assert set(TYPES) == {t.value for t in AgreementType}
    assert set(STATES) == set(LIFECYCLE_STATES) - {"approved"}


def totals(root: Path, *args: str) -> dict[tuple[str, str, str], dict]:
    result = run_mou("resources", "--json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return {(t["provider"], t["kind"], t["unit"]): t for t in json.loads(result.stdout)}


def test_resources_equal_a_hand_count_of_the_examples(root: Path) -> None:
    found = totals(root)
    # BCSO: 5 + 0.25 FTE on the task force, 1 FTE for the records exchange.
    fte = found[("BCSO", "personnel", "full-time equivalents")]
    assert fte["quantity"] == 6.25 and fte["estimated_value"] == 690_000 + 41_000 + 126_000
    assert sorted(fte["agreements"]) == [
        "bellwater-regional-violent-crime-task-force", "western-franklin-records-exchange"
    ]  # fmt: skip
    # BCSO vehicles: 2 for the task force, 6 for the training consortium.
    assert found[("BCSO", "vehicle", "vehicles")]["quantity"] == 8
    # The FBI's vehicles (14 + 3) and its positions on the task force (1 + 6 + 1 full-time).
    assert found[("FBI", "vehicle", "vehicles")]["quantity"] == 17
    assert found[("FBI", "vehicle", "vehicles")]["estimated_value"] == 126_000 + 48_000
    assert found[("FBI", "assigned personnel", "full-time positions")]["quantity"] == 8
    # BCPA (the prosecuting attorney) is another provider than BCSO.
    assert found[("BCPA", "personnel", "full-time equivalents")]["quantity"] == 0.2
    only = totals(root, "--party", "bcso")
    assert {key[0] for key in only} == {"BCSO"} and only[("BCSO", "vehicle", "vehicles")]


def test_resources_text_names_provider_kind_and_total(root: Path) -> None:
    out = run_mou("resources", "--party", "FBI", cwd=root).stdout.decode()
    assert "FBI  vehicle  17 vehicles  $174,000  (1 agreement(s))" in out.splitlines()


def test_resources_after_due_filled_the_deadline_cache_equal_resources_from_nothing(
    root: Path,
) -> None:
    """`mou due` caches facts without resources; `mou resources` must not read them as none."""
    git_dir = root / ".git"
    caches = [git_dir / name for name in ("mou-facts-cache.json", "mou-holdings-cache.json")]
    for cache in caches:
        cache.unlink(missing_ok=True)
    from_nothing = totals(root)
    for cache in caches:
        cache.unlink()
    assert run_mou("due", "--json", cwd=root).returncode == 0
    assert not (git_dir / "mou-holdings-cache.json").exists()  # due never reads resources
    assert totals(root) == from_nothing  # only resources read again
    assert totals(root) == from_nothing  # both caches full

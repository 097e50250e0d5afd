"""Schema versions: version-1 files load everywhere, migrate losing nothing, and a migration
revision is no edit in the eyes of diff and blame."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mou import validate
from mou.commands import files as files_command
from mou.errors import MouError
from mou.migrate import CURRENT_VERSION, lost_values, migrate_v1
from mou.model import to_data
from mou.notices import collecting
from mou.validate import load_file
from mou.yamlio import read_bytes
from tests.support.histories import commit_raw
from tests.support.runner import ROOT, run_mou, snapshot
from tests.support.workspaces import make_workspace

V1 = sorted((ROOT / "tests" / "data" / "v1").glob("*.yaml"))
"""The five examples and the sample exactly as they were before version 2 existed."""
TASK_FORCE = "bellwater-regional-violent-crime-task-force"


def v1_data(path: Path) -> dict[str, Any]:
    return read_bytes(path.read_bytes(), str(path)).data


def stderr_lines(result: Any) -> list[str]:
    return result.stderr.decode().splitlines()


def test_the_version_1_fixtures_are_the_files_from_before_version_2() -> None:
    assert len(V1) == 6
    assert all("schema_version" not in v1_data(path) for path in V1)


@pytest.mark.parametrize("path", V1, ids=[p.stem for p in V1])
def test_a_version_1_file_loads_and_keeps_every_string_and_number(path: Path) -> None:
    with collecting() as notices:
        agreement = load_file(path)
    assert agreement.schema_version == CURRENT_VERSION
    assert lost_values(v1_data(path), to_data(agreement)) == []
    assert notices == [
        f"{path}: written in schema version 1; read as version 2; "
        f"`mou migrate {path}` rewrites the file"
    ]


@pytest.mark.parametrize("path", V1, ids=[p.stem for p in V1])
def test_migration_is_a_pure_function_of_the_data(path: Path) -> None:
    data = v1_data(path)
    assert migrate_v1(data) == migrate_v1(v1_data(path))
    assert data == v1_data(path)  # the input is not touched


def test_lost_values_counts_each_value_wherever_it_moved() -> None:
    old = {"a": "x", "b": [5, "x"], "c": True}
    assert lost_values(old, {"moved": ["x", {"deep": 5}, "x"]}) == []
    assert lost_values(old, {"a": "x", "b": [5]}) == ["x"]
    assert lost_values(old, {"a": "x", "b": ["x"]}) == [5]


def test_migrate_rewrites_version_1_files_canonically_and_only_them(tmp_path: Path) -> None:
    folder = tmp_path / "agreements"
    folder.mkdir()
    for path in V1:
        shutil.copy(path, folder / path.name)
    check = run_mou("migrate", "--check", str(folder))
    assert check.returncode == 1
    assert len(check.stdout.decode().splitlines()) == len(V1)
    done = run_mou("migrate", str(folder))
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().count("migrated from schema version 1 to 2") == len(V1)
    assert not [line for line in stderr_lines(done) if line.startswith("notice:")]
    for path in V1:
        migrated = folder / path.name
        assert v1_data(migrated)["schema_version"] == CURRENT_VERSION
        assert lost_values(v1_data(path), v1_data(migrated)) == []
    after = snapshot(tmp_path)
    again = run_mou("migrate", str(folder))
    assert again.returncode == 0 and again.stdout == b""
    assert snapshot(tmp_path) == after  # version-2 files are left as they are
    assert run_mou("migrate", "--check", str(folder)).returncode == 0
    assert run_mou("fmt", "--check", str(folder)).returncode == 0  # and they are canonical


def test_migrate_writes_nothing_when_any_file_is_invalid(tmp_path: Path) -> None:
    good, bad = tmp_path / V1[0].name, tmp_path / "bad-file.yaml"
    shutil.copy(V1[0], good)
    bad.write_text(V1[1].read_text().replace(f"id: {V1[1].stem}", "id: bad-file", 1))
    bad.write_text(bad.read_text().replace("\ntitle:", "\ntitel:", 1))
    before = snapshot(tmp_path)
    result = run_mou("migrate", str(good), str(bad))
    assert result.returncode == 1
    assert [line for line in stderr_lines(result) if "titel" in line] == [
        f"{bad}:3: $.titel: unknown field 'titel'; did you mean 'title'?"
    ]
    assert snapshot(tmp_path) == before


def test_migrate_refuses_to_write_a_file_it_would_lose_a_value_of(tmp_path, monkeypatch) -> None:
    # Pins the guard: a faulty migration must never cost a user a value.
    target = tmp_path / V1[0].name
    shutil.copy(V1[0], target)
    before = target.read_bytes()

    def dropping_the_marking(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in migrate_v1(data).items() if k != "marking"}

    monkeypatch.setattr(validate, "migrate_v1", dropping_the_marking)
    assert "marking" in v1_data(target)
    # In process, through the function `mou migrate` and `mou fmt` build every file with
    # (invoking the click command here would leave click's cached help options behind).
    with pytest.raises(MouError) as caught:
        files_command._rewritten([target])
    assert caught.value.message == (
        f"{target}: migrating would lose 'For Official Use Only'; nothing was written"
    )
    assert target.read_bytes() == before


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("3", "$.schema_version: version 3 is newer than this mou, which reads versions 1 to 2"),
        ("two", "$.schema_version: 'two' is not a schema version; use 2"),
        ("true", "$.schema_version: True is not a schema version"),
    ],
)
def test_an_unknown_version_is_one_located_line(tmp_path: Path, value: str, said: str) -> None:
    target = tmp_path / V1[0].name
    text = V1[0].read_text()
    target.write_text(text.replace("\nid:", f"\nschema_version: {value}\nid:", 1))
    result = run_mou("validate", str(target))
    assert result.returncode == 1
    assert result.stdout.decode().splitlines() == [f"{target}:2: {said}" + _rest(said)]


def _rest(said: str) -> str:
    if "newer" in said:
        return "; update mou to read this file"
    if "'two'" in said:
        return " (or leave it out for 1)"
    return "; use 2 (or leave it out for 1)"


def test_a_version_1_file_validates_with_one_notice(tmp_path: Path) -> None:
    target = tmp_path / V1[0].name
    shutil.copy(V1[0], target)
    result = run_mou("validate", str(target))
    assert result.returncode == 0, result.stdout
    notices = [line for line in stderr_lines(result) if line.startswith("notice:")]
    assert notices == [
        f"notice: {target}: written in schema version 1; read as version 2; "
        f"`mou migrate {target}` rewrites the file"
    ]


def test_a_version_1_file_names_the_version_1_line_of_a_problem(tmp_path: Path) -> None:
    target = tmp_path / V1[0].name
    text = V1[0].read_text().replace("    acronym: AFPD\n", "    acronym: FSP\n", 1)
    target.write_text(text)
    line = text.splitlines().index("    acronym: FSP", 60) + 1
    result = run_mou("validate", str(target))
    expected = f"{target}:{line}: $.parties[5].acronym: duplicate acronym 'FSP'"
    assert expected in result.stdout.decode()


def test_both_schemas_are_published(tmp_path: Path) -> None:
    published = json.loads((ROOT / "schemas" / "agreement.v1.schema.json").read_text())
    current = json.loads((ROOT / "schemas" / "agreement.schema.json").read_text())
    assert "schema_version" not in published["properties"]
    assert current["properties"]["schema_version"]["const"] == CURRENT_VERSION
    assert "schema_version" in current["required"]
    for path in V1:  # the frozen schema still accepts every file written before version 2
        assert validate.schema_problems(v1_data(path), version=1) == []


# --------------------------------------------------------------------------- in a workspace


@pytest.fixture
def migrated_history(tmp_path: Path) -> tuple[Path, list[str]]:
    """The task force committed as version 1 by Alice, then migrated by Bob with plain git."""
    root = make_workspace(tmp_path)
    relative = f"agreements/{TASK_FORCE}.yaml"
    v1_text = (ROOT / "tests" / "data" / "v1" / f"{TASK_FORCE}.yaml").read_text()
    first = commit_raw(root, relative, v1_text, "Version 1 draft", name="Alice")
    done = run_mou("migrate", "--workspace", str(root))
    assert done.returncode == 0, done.stderr
    second = commit_raw(root, relative, (root / relative).read_text(), "Migrate", name="Bob")
    return root, [first, second]


def test_diff_across_a_migration_revision_reports_no_change(migrated_history) -> None:
    root, (first, second) = migrated_history
    result = run_mou("diff", TASK_FORCE, first, second, "--workspace", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip().endswith(": no changes")
    notices = [line for line in stderr_lines(result) if line.startswith("notice:")]
    assert notices == [
        f"notice: agreements/{TASK_FORCE}.yaml@{first[:10]}: written in schema version 1; "
        "read as version 2"
    ]


def test_diff_and_blame_across_a_migration_show_only_the_real_edit(migrated_history) -> None:
    root, (first, _) = migrated_history
    relative = f"agreements/{TASK_FORCE}.yaml"
    text = (root / relative).read_text().replace("status: approved", "status: executed", 1)
    third = commit_raw(root, relative, text, "Executed", name="Carol")
    result = run_mou("diff", TASK_FORCE, first, third, "--json", "--workspace", str(root))
    changes = json.loads(result.stdout)["changes"]
    assert [(c["path"], c["old"], c["new"]) for c in changes] == [
        ("$.status", "approved", "executed")
    ]
    blame = json.loads(run_mou("blame", TASK_FORCE, "--json", "--workspace", str(root)).stdout)
    authors = {row["path"]: row["author"] for row in blame}
    assert authors["$.status"] == "Carol"
    assert set(authors.values()) == {"Alice", "Carol"}  # the migration is nobody's edit


def test_show_of_a_version_1_revision_prints_version_2(migrated_history) -> None:
    root, (first, _) = migrated_history
    result = run_mou("show", TASK_FORCE, "--rev", first, "--workspace", str(root))
    assert result.returncode == 0
    assert result.stdout.decode().splitlines()[1] == f"schema_version: {CURRENT_VERSION}"
    assert len([line for line in stderr_lines(result) if line.startswith("notice:")]) == 1


def test_save_writes_version_2(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    edited = tmp_path / V1[0].name
    shutil.copy(V1[0], edited)
    author = "Alice Liaison <alice@county.gov>"
    result = run_mou("save", str(edited), "-m", "Add", "--author", author, "--workspace", str(root))
    assert result.returncode == 0, result.stderr
    saved = (root / "agreements" / V1[0].name).read_text()
    assert saved.splitlines()[1] == f"schema_version: {CURRENT_VERSION}"


def test_list_gives_one_notice_for_the_version_1_files_until_they_are_migrated(
    tmp_path: Path,
) -> None:
    root = make_workspace(tmp_path)
    examples = [path for path in V1 if path.stem != "sample-every-section"]
    for path in examples:
        commit_raw(root, f"agreements/{path.name}", path.read_text(), f"Add {path.stem}")
    names = [path.stem for path in examples]
    said = (
        f"notice: 5 agreement file(s) written in schema version 1 ({', '.join(names[:3])} "
        "and 2 more); each is read as version 2, and `mou migrate` rewrites them"
    )
    for args in (["list"], ["list"], ["list", "--json"]):  # cold cache, warm cache, JSON
        result = run_mou(*args, "--workspace", str(root))
        assert result.returncode == 0, result.stderr
        assert [line for line in stderr_lines(result) if line.startswith("notice:")] == [said]
    assert len(json.loads(run_mou("list", "--json", "--workspace", str(root)).stdout)) == 5
    assert run_mou("migrate", "--workspace", str(root)).returncode == 0
    for path in examples:
        relative = f"agreements/{path.name}"
        commit_raw(root, relative, (root / relative).read_text(), "Migrate")
    result = run_mou("list", "--workspace", str(root))
    assert not [line for line in stderr_lines(result) if line.startswith("notice:")]

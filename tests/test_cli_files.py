"""The file commands as a user runs them: new, validate, fmt, schema, and the CLI's manners."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mou.schema import SCHEMA_FILE, schema_text
from tests.support.runner import EXAMPLES, ROOT, run_mou, snapshot

TYPES = [
    "task_force",
    "information_sharing",
    "community_partnership",
    "joint_training",
    "mutual_aid",
]


def test_help_does_not_import_the_heavy_layers():
    # `mou --help` must stay fast: Streamlit, docxtpl, GitPython and pydantic load on demand.
    code = (
        "import sys; from mou.cli import cli\n"
        "try:\n    cli.main(['--help'], prog_name='mou')\nexcept SystemExit:\n    pass\n"
        "heavy = ('streamlit', 'docxtpl', 'git', 'pydantic', 'docx', 'ruamel')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "validate" in result.stdout


def test_usage_errors_exit_2_with_one_line_naming_the_command():
    answers = {
        "mou: No such command": run_mou("no-such-command"),
        "mou new: Missing option '--type'": run_mou("new", "abc-def", "--title", "x"),
        "mou new: Invalid value for '--type'": run_mou(
            "new", "abc-def", "--type", "sewer", "--title", "x"
        ),
        "mou log: No such option '--bogus'": run_mou("log", "abc-def", "--bogus"),
    }
    for start, result in answers.items():
        assert result.returncode == 2
        (line,) = result.stderr.decode().splitlines()
        assert line.startswith(start) and line.endswith("--help')")
        assert result.stdout == b""


def test_plain_mou_shows_the_help():
    result = run_mou()
    assert result.returncode == 2 and "Agreement files:" in result.stderr.decode()


@pytest.mark.parametrize("agreement_type", TYPES)
def test_new_writes_a_valid_canonical_draft(agreement_type, tmp_path):
    result = run_mou(
        "new",
        "draft-one",
        "--type",
        agreement_type,
        "--title",
        "A & B <MOU>",
        "--workspace",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    created = tmp_path / "agreements" / "draft-one.yaml"
    assert run_mou("validate", str(created)).returncode == 0
    assert run_mou("fmt", "--check", str(created)).returncode == 0
    assert f"type: {agreement_type}" in created.read_text(encoding="utf-8")


@pytest.mark.parametrize("bad_id", ["../x", "a/b", "ABC", "", "ab", "-leading", "x" * 65])
def test_new_refuses_unsafe_ids_before_touching_any_file(bad_id, tmp_path):
    result = run_mou(
        "new", "--type", "mutual_aid", "--title", "x", "--workspace", str(tmp_path), "--", bad_id
    )
    assert result.returncode == 1
    assert result.stderr.decode().count("\n") == 1
    assert "is not a valid agreement id" in result.stderr.decode()
    assert list(tmp_path.iterdir()) == []


def test_new_never_overwrites(tmp_path):
    args = (
        "new",
        "draft-one",
        "--type",
        "mutual_aid",
        "--title",
        "x",
        "--workspace",
        str(tmp_path),
    )
    assert run_mou(*args).returncode == 0
    before = snapshot(tmp_path)
    result = run_mou(*args)
    assert result.returncode == 1 and "already exists" in result.stderr.decode()
    assert snapshot(tmp_path) == before


def test_fmt_rewrites_to_canonical_and_check_reports_it(tmp_path):
    run_mou(
        "new", "draft-one", "--type", "joint_training", "--title", "x", "--workspace", str(tmp_path)
    )
    path = tmp_path / "agreements" / "draft-one.yaml"
    canonical = path.read_text(encoding="utf-8")
    shuffled = canonical.replace("title: x\n", "").replace(
        "status: draft\n", 'status: draft\ntitle:   "x"\n'
    )
    path.write_text(shuffled, encoding="utf-8")
    check = run_mou("fmt", "--check", str(path))
    assert check.returncode == 1 and "not canonical" in check.stdout.decode()
    assert run_mou("fmt", str(path)).returncode == 0
    assert path.read_text(encoding="utf-8") == canonical


def test_fmt_treats_crlf_line_ends_as_not_canonical(tmp_path):
    run_mou(
        "new", "draft-one", "--type", "joint_training", "--title", "x", "--workspace", str(tmp_path)
    )
    path = tmp_path / "agreements" / "draft-one.yaml"
    canonical = path.read_bytes()
    path.write_bytes(canonical.replace(b"\n", b"\r\n"))  # as a Windows editor saves it
    check = run_mou("fmt", "--check", str(path))
    assert check.returncode == 1 and "not canonical" in check.stdout.decode()
    assert run_mou("fmt", str(path)).returncode == 0
    assert path.read_bytes() == canonical


def test_schema_check_sees_crlf_line_ends_as_drift(tmp_path):
    target = tmp_path / "schemas" / SCHEMA_FILE
    target.parent.mkdir()
    target.write_bytes(schema_text().replace("\n", "\r\n").encode("utf-8"))
    assert run_mou("schema", "--check", "--workspace", str(tmp_path)).returncode == 1
    assert run_mou("schema", "--workspace", str(tmp_path)).returncode == 0
    assert target.read_bytes() == schema_text().encode("utf-8")


def test_schema_check_detects_drift_and_regeneration_fixes_it(tmp_path):
    target = tmp_path / "schemas" / SCHEMA_FILE
    target.parent.mkdir()
    target.write_text(schema_text().replace("Full legal name", "Legal name"), encoding="utf-8")
    assert run_mou("schema", "--check", "--workspace", str(tmp_path)).returncode == 1
    assert run_mou("schema", "--workspace", str(tmp_path)).returncode == 0
    assert target.read_text(encoding="utf-8") == schema_text()


def test_committed_schemas_match_the_models():
    schema = json.loads((ROOT / "schemas" / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for path in (ROOT / "schemas" / SCHEMA_FILE, ROOT / "mou" / "data" / SCHEMA_FILE):
        assert path.read_text(encoding="utf-8") == schema_text(), f"{path}: run `mou schema`"


def test_validate_json_reports_each_file():
    result = run_mou("validate", "--json", *map(str, EXAMPLES))
    report = json.loads(result.stdout)
    assert {entry["file"] for entry in report} == {str(p) for p in EXAMPLES}
    assert all(entry["valid"] for entry in report), report


def test_the_repository_examples_are_valid_and_canonical():
    assert len(EXAMPLES) == 5
    assert run_mou("validate", "agreements").returncode == 0
    assert run_mou("fmt", "--check", "agreements").returncode == 0
    assert run_mou("schema", "--check").returncode == 0

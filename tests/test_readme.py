"""The README documents every command, and its reference matches the code."""

from __future__ import annotations

from mou.cli import COMMANDS, SECTIONS
from mou.clidoc import command_help, updated_readme
from tests.support.runner import ROOT, run_mou

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_cli_reference_is_current():
    assert updated_readme(README) == README, "run `python -m mou.clidoc`"


def test_every_command_is_in_a_help_section_and_the_readme():
    listed = {name for names in SECTIONS.values() for name in names}
    assert listed == set(COMMANDS)
    for name in COMMANDS:
        assert f"#### `mou {name}`" in README


def test_readme_names_the_two_commands():
    assert "make run" in README and "make test" in README


def test_the_rules_table_lists_every_readiness_rule_as_the_code_states_it():
    from mou.rules import RULES

    rows = {line for line in README.splitlines() if line.startswith("| `")}
    for rule in RULES:
        assert f"| `{rule.id}` | {rule.severity} | {rule.summary} |" in rows


def test_the_reference_shows_the_help_flags_a_user_sees(tmp_path):
    """`mou attach --help` run for real lists -h; the reference must say the same, whether
    or not the command already ran in this process (click keeps a help option once made)."""
    shown = run_mou("attach", "--help", cwd=tmp_path)
    assert shown.returncode == 0 and b"-h, --help" in shown.stdout
    assert "-h, --help" in command_help("attach")

"""Characters that hide: bidirectional overrides refused, other invisible ones shown.

Regression (issue 10, item 11): bidirectional overrides and isolates (U+202A–U+202E,
U+2066–U+2069) were accepted in author names, e-mail addresses, commit messages and
agreement text, where they make text display in another order than it reads; and
`mou diff` and `mou log` printed zero-width spaces and the like invisibly. Right-to-left
text itself must stay allowed and exact, all the way to Word.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mou.chars import BIDI_CONTROLS, visible
from mou.document.ooxml import document_text
from mou.document.render import render_docx
from mou.errors import InvalidAgreement, MouError, UsageError
from mou.ids import check_agreement_id
from mou.model import to_data
from mou.store.workspace import Author, Workspace
from mou.validate import validate_data
from mou.yamlio import dump
from tests.support.runner import run_mou
from tests.support.workspaces import AUTHOR, draft, git, head, make_workspace

RLO = "\u202e"
ZWSP = "\u200b"
ARABIC = "مذكرة تفاهم بين شرطة المدينة ومكتب المدعي العام"
HEBREW = "מזכר הבנות בין משטרת העיר לבין הפרקליטות"
BIDI = sorted(BIDI_CONTROLS)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path)
    with Workspace(root) as ws:
        ws.save(draft("metro-tf"), "First draft", AUTHOR)
    return root


def data_with(**changes: object) -> dict:
    return {**to_data(draft("metro-tf")), **changes}


# --------------------------------------------------------------------------- refused


def test_all_nine_are_the_overrides_and_isolates() -> None:
    assert [f"{ord(c):04X}" for c in BIDI] == [
        "202A", "202B", "202C", "202D", "202E", "2066", "2067", "2068", "2069",
    ]  # fmt: skip


@pytest.mark.parametrize("char", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_agreement_text_with_a_bidi_control_is_refused_naming_the_field(char: str) -> None:
    with pytest.raises(InvalidAgreement) as caught:
        validate_data(data_with(title=f"Pay {char}0001$ to the city"))
    (problem,) = caught.value.problems
    assert problem.path == "$.title"
    assert f"bidirectional control character U+{ord(char):04X}" in problem.message


def test_mou_validate_names_file_line_and_field(tmp_path: Path) -> None:
    data = to_data(draft("metro-tf"))
    data["purpose"] = f"Share records {RLO}for ever{chr(0x202C)} with partners."
    path = tmp_path / "metro-tf.yaml"
    path.write_text(dump(data), encoding="utf-8")
    result = run_mou("validate", str(path), cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stdout.decode().splitlines()
    assert line.startswith(f"{path}:")
    assert ": $.purpose: contains the bidirectional control character U+202E " in line
    assert "RIGHT-TO-LEFT OVERRIDE" in line


def test_an_email_with_a_bidi_control_is_refused() -> None:
    data = data_with()
    data["parties"][0]["point_of_contact"]["email"] = f"jane{RLO}vog.ycnega@x.gov"
    with pytest.raises(InvalidAgreement) as caught:
        validate_data(data)
    assert caught.value.problems[0].path == "$.parties[0].point_of_contact.email"


def test_ids_with_a_bidi_control_are_refused() -> None:
    with pytest.raises(MouError, match="not a valid agreement id"):
        check_agreement_id(f"metro{RLO}-tf")
    data = data_with()
    data["parties"][0]["id"] = f"party{RLO}-a"
    with pytest.raises(InvalidAgreement) as caught:
        validate_data(data)
    assert any(p.path == "$.parties[0].id" for p in caught.value.problems)


@pytest.mark.parametrize(
    "author", [f"Jane {RLO}eoR <jane@agency.gov>", f"Jane Roe <jane{chr(0x2066)}@agency.gov>"]
)
def test_an_author_with_a_bidi_control_is_refused_in_one_line(workspace: Path, author: str) -> None:
    before = head(workspace)
    path = workspace / "agreements" / "metro-tf.yaml"
    result = run_mou("save", str(path), "-m", "x", "--author", author, cwd=workspace)
    assert result.returncode == 2
    (line,) = result.stderr.decode().splitlines()
    assert "not allowed in a name or e-mail address, nor bidirectional overrides (U+20" in line
    with pytest.raises(UsageError):
        Author.parse(author)
    assert head(workspace) == before


def test_a_commit_message_with_a_bidi_control_is_refused(workspace: Path) -> None:
    before = head(workspace)
    with Workspace(workspace) as ws, pytest.raises(UsageError) as caught:
        ws.save(draft("metro-tf", title="Metro II"), f"Fix typo {RLO}txet detaler", AUTHOR)
    assert "(U+202E RIGHT-TO-LEFT OVERRIDE)" in caught.value.message
    assert head(workspace) == before


# --------------------------------------------------------------------------- shown


def test_diff_and_log_show_invisible_characters(workspace: Path) -> None:
    """A zero-width space typed into the title, by someone whose name holds one too."""
    with Workspace(workspace) as ws:
        ws.save(
            draft("metro-tf", title=f"Metro{ZWSP} Task Force"),
            f"Retitle{ZWSP}",
            Author(f"Eve{ZWSP} Roe", "eve@agency.gov"),
        )
    diff = run_mou("diff", "metro-tf", cwd=workspace).stdout.decode()
    assert "Metro<U+200B> Task Force" in diff and ZWSP not in diff
    log = run_mou("log", "metro-tf", cwd=workspace).stdout.decode()
    assert "Eve<U+200B> Roe" in log and "Retitle<U+200B>" in log and ZWSP not in log
    blame = run_mou("blame", "metro-tf", cwd=workspace).stdout.decode()
    assert "Eve<U+200B> Roe" in blame and ZWSP not in blame
    as_json = json.loads(run_mou("log", "metro-tf", "--json", cwd=workspace).stdout)
    assert as_json[0]["author"] == f"Eve{ZWSP} Roe"  # machines get the exact text


def test_a_bidi_override_committed_by_plain_git_is_shown_in_log(workspace: Path) -> None:
    """mou refuses them, but history written by other tools may hold them."""
    path = workspace / "agreements" / "metro-tf.yaml"
    path.write_text(path.read_text().replace("Metro Task Force", "Metro Task Force II"))
    git(workspace, "commit", "-q", "-am", f"Approved {RLO}devorppa ton")
    log = run_mou("log", "metro-tf", cwd=workspace).stdout.decode()
    assert "Approved <U+202E>devorppa ton" in log


def test_visible_leaves_right_to_left_text_alone() -> None:
    assert visible(ARABIC) == ARABIC and visible(HEBREW) == HEBREW
    assert visible(f"a{ZWSP}b\u200ec\u00add") == "a<U+200B>b<U+200E>c<U+00AD>d"


# --------------------------------------------------------------------------- right to left


def test_right_to_left_text_round_trips_to_word_exactly(workspace: Path) -> None:
    data = to_data(draft("metro-tf"))
    data["title"] = ARABIC
    data["purpose"] = f"{HEBREW}\n\nEnglish after Hebrew, and a mark:\u200f {ARABIC}."
    agreement = validate_data(data)
    with Workspace(workspace) as ws:
        saved = ws.save(agreement, "كتابة بالعربية", AUTHOR)
        loaded = ws.load("metro-tf")
    assert (loaded.agreement.title, loaded.agreement.purpose) == (data["title"], data["purpose"])
    text = document_text(render_docx(loaded.agreement, saved.revision, draft=True))
    assert ARABIC in text.splitlines()
    assert f"English after Hebrew, and a mark:\u200f {ARABIC}." in text.splitlines()
    assert HEBREW in text.splitlines()
    shown = run_mou("show", "metro-tf", cwd=workspace).stdout.decode()
    assert ARABIC in shown and HEBREW in shown

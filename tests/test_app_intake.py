"""The wizard takes a partner's returned Word copy in: upload, decide, save — with real git.

An example is saved in a real workspace and exported; the copy is edited in its XML as
Word would (tests/support/wordedits.py, the scenario of tests/test_intake.py: tracked
replacements by three authors, an untracked phone number, a new responsibility, an edit
of the template's wording, a comment on a goal). The liaison uploads it on the "Partner's
returned copy" page, rejects some changes, and saves: the saved file holds exactly the
accepted ones, and the commit credits their authors and names the file by its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from mou.model import to_data
from mou.store.workspace import Workspace
from mou.validate import validate_data
from tests.support.runner import snapshot
from tests.support.wordedits import WordCopy
from tests.support.workspaces import AUTHOR, changed_paths, git, head
from tests.test_app import assert_clean, draft_of, goto, open_agreement, start, texts
from tests.test_intake import (
    ANN,
    BOB,
    CY,
    DEE,
    EXAMPLES,
    PORT_KESTREL,
    Exported,
    Scenario,
    export,
    partner_edits,
    with_properties,
)
from tests.test_zip_bomb import bomb

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE = "returned-copy"
ANN_EMAIL = "ann.counsel@bellwater.example.gov"


@pytest.fixture
def kestrel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Exported:
    """The Port Kestrel example saved and exported; the wizard runs on its workspace."""
    exported = export(tmp_path, PORT_KESTREL)
    monkeypatch.setenv("MOU_WORKSPACE", str(exported.root))
    return exported


def upload(name: str, data: bytes, revision: str = "") -> AppTest:
    """A fresh session on the page, ``data`` uploaded as ``name`` and read."""
    at = goto(start(), PAGE)
    at.file_uploader(key="intake-file").set_value((name, data, DOCX))
    if revision:
        at.text_input(key="intake-revision").set_value(revision)
    return button(at, "Read the copy").click().run()


def said(element) -> str:
    """What an alert says, without the Markdown escapes that keep user text literal."""
    return re.sub(r"\\(.)", r"\1", element.value)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def decide(at: AppTest, path: str, accepted: bool) -> AppTest:
    """Tick or untick "Accept" beside the change at ``path``."""
    [box] = [c for c in at.checkbox if f":intake:{path}@" in c.key]
    return (box.check() if accepted else box.uncheck()).run()


def save(at: AppTest, emails: dict[str, str]) -> AppTest:
    at.text_input(key="intake-name").set_value("Alice Liaison")
    at.text_input(key="intake-email").set_value("alice@county.example.gov")
    for field in at.text_input:
        for author, email in emails.items():
            if field.label == f"E-mail of {author}":
                field.set_value(email)
    return button(at, "Save accepted changes").click().run()


def trailers(root: Path, commit: str) -> list[str]:
    """The commit's trailers as git itself parses them."""
    message = git(root, "log", "-1", "--format=%B", commit)
    parsed = git_with_input(root, message, "interpret-trailers", "--parse")
    return parsed.strip().splitlines()


def git_with_input(root: Path, text: str, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def revision_count(root: Path, agreement_id: str) -> int:
    with Workspace(root) as ws:
        return len(ws.history(agreement_id))


def saved_agreement(root: Path, agreement_id: str):
    with Workspace(root) as ws:
        return ws.load(agreement_id).agreement


def revert(scenario: Scenario, exported: Exported, path: str) -> None:
    """Put the base value of one field back into the scenario's expected data."""
    base = to_data(exported.agreement)
    for index, party in enumerate(base["parties"]):
        if path == f"$.parties[id={party['id']}].point_of_contact.phone":
            scenario.data["parties"][index]["point_of_contact"] = party["point_of_contact"]
            return
    for index, recital in enumerate(base["background"]):
        if path == f"$.background[id={recital['id']}].text":
            scenario.data["background"][index] = recital
            return
    raise AssertionError(f"no such field in the scenario: {path}")


# --------------------------------------------------------------------------- the flow


def test_upload_accept_some_reject_some_and_save_one_credited_revision(kestrel: Exported) -> None:
    scenario = partner_edits(kestrel)
    docx = scenario.copy.save()
    at = upload("bellwater-returned.docx", docx)
    assert_clean(at)
    shown = texts(at)
    # Every change is listed with who proposed it; the comment and the template-wording
    # edit are beside their fields; nothing was saved yet.
    assert set(scenario.authors) == {c.key.split(":intake:")[1].split("@")[0] for c in at.checkbox}
    assert all(box.value for box in at.checkbox)
    for name in (ANN, CY, DEE):
        assert f"Proposed by {name}" in shown
    assert "Untracked edit" in shown
    goal_title = kestrel.agreement.goals[0].title
    assert f"{BOB}** · 2026-11-20: Is this target realistic?" in shown
    assert shown.index(f"Goal {kestrel.agreement.goals[0].id} › Title") < shown.index(
        "Is this target realistic?"
    )
    assert f"on “{goal_title}”" in shown
    assert "Unmapped edit** in Article 1, paragraph 1 (template wording): inserted “one”" in shown
    assert revision_count(kestrel.root, kestrel.agreement.id) == 1

    # Reject the recital deletion (Cy's) and the untracked phone number; keep the rest.
    phone = next(p for p, by in scenario.authors.items() if by is None)
    recital = next(p for p, by in scenario.authors.items() if by == CY)
    for path in (phone, recital):
        at = decide(at, path, accepted=False)
        assert_clean(at)
        revert(scenario, kestrel, path)
    assert draft_of(at).data == to_data(validate_data(scenario.data))

    before = head(kestrel.root)
    at = save(at, {ANN: ANN_EMAIL})
    assert_clean(at)
    assert any("Saved as revision" in s.value for s in at.success), texts(at)

    # One commit, touching only the agreement, holding exactly the accepted changes.
    commit = head(kestrel.root)
    assert git(kestrel.root, "rev-parse", f"{commit}^").strip() == before
    assert changed_paths(kestrel.root, commit) == [f"agreements/{kestrel.agreement.id}.yaml"]
    assert saved_agreement(kestrel.root, kestrel.agreement.id) == validate_data(scenario.data)
    author = git(kestrel.root, "log", "-1", "--format=%an <%ae>", commit).strip()
    assert author == "Alice Liaison <alice@county.example.gov>"
    assert trailers(kestrel.root, commit) == [
        "Intake-Source: bellwater-returned.docx",
        f"Intake-Source-SHA256: {hashlib.sha256(docx).hexdigest()}",
        f"Intake-Base: {kestrel.revision}",
        f"Co-authored-by: {ANN} <{ANN_EMAIL}>",
        f"Co-authored-by: {DEE}",
    ]  # Cy's only change was rejected: not credited
    message = git(kestrel.root, "log", "-1", "--format=%B", commit)
    assert message.startswith("Take in the partner's returned copy bellwater-returned.docx\n")
    assert "4 of 6 proposed change(s) accepted" in message
    assert "Rejected:\n" in message and f"({CY})" in message
    # The page is ready for the next copy; the draft follows the saved revision.
    assert at.file_uploader(key="intake-file") is not None
    assert not draft_of(at).dirty and draft_of(at).intake is None


def test_the_same_copy_is_then_refused_as_already_taken_in(kestrel: Exported) -> None:
    docx = partner_edits(kestrel).copy.save()
    at = save(upload("copy.docx", docx), {})
    assert_clean(at)
    again = upload("copy.docx", docx)
    [error] = again.error
    assert said(error).startswith("copy.docx: already taken in: revision")


def test_a_change_that_leaves_the_agreement_invalid_is_named_and_not_saved(
    kestrel: Exported,
) -> None:
    scenario = partner_edits(kestrel)
    at = upload("copy.docx", scenario.copy.save())
    share = next(p for p, by in scenario.authors.items() if by == DEE)
    at = decide(at, share, accepted=False)  # the other share alone: no longer 100 %
    assert "The agreement as decided has 1 problem" in texts(at)
    assert "100" in texts(at)
    before = head(kestrel.root)
    at = save(at, {})
    assert said(at.error[-1]).startswith("Not saved: the agreement as decided has 1 problem")
    assert head(kestrel.root) == before
    at = decide(at, share, accepted=True)
    at = save(at, {})
    assert any("Saved as revision" in s.value for s in at.success)
    assert head(kestrel.root) != before


def test_rejecting_everything_saves_nothing_and_the_copy_can_be_put_aside(
    kestrel: Exported,
) -> None:
    scenario = partner_edits(kestrel)
    at = upload("copy.docx", scenario.copy.save())
    for path in scenario.authors:
        at = decide(at, path, accepted=False)
    assert button(at, "Save accepted changes").disabled
    assert "Every change is rejected: nothing to save." in texts(at)
    at = button(at, "Put the copy aside").click().run()
    assert_clean(at)
    assert kestrel.agreement.id not in at.session_state["mou_drafts"]
    assert revision_count(kestrel.root, kestrel.agreement.id) == 1


def test_the_partner_s_comment_shows_under_its_field_in_the_step(kestrel: Exported) -> None:
    scenario = partner_edits(kestrel)
    at = goto(upload("copy.docx", scenario.copy.save()), "goals")
    assert_clean(at)
    note = f"Comment by {BOB}: Is this target realistic?"
    assert [said(c) for c in at.caption if note in said(c)] == [f":material/comment: {note}"]
    assert note not in texts(goto(at, "parties"))
    at = save(goto(at, PAGE), {})
    assert any("Saved as revision" in s.value for s in at.success)
    at = goto(at, "goals")  # saved: the copy is no longer being decided on
    assert note not in texts(at)


def test_a_field_edited_in_the_wizard_since_is_neither_accepted_nor_rejected(
    kestrel: Exported,
) -> None:
    scenario = partner_edits(kestrel)
    at = upload("copy.docx", scenario.copy.save())
    draft = draft_of(at)
    phone = next(p for p, by in scenario.authors.items() if by is None)
    party = next(p for p in draft.data["parties"] if p["id"] in phone)
    party["point_of_contact"]["phone"] = "(555) 010-0000"  # as the Parties step writes it
    draft.touch()
    at = goto(at, PAGE)
    assert "Edited in the wizard since" in texts(at)
    [box] = [c for c in at.checkbox if f":intake:{phone}@" in c.key]
    assert box.value is False and box.key.endswith("@edited")
    # Other decisions leave the liaison's own edit alone.
    at = decide(at, next(p for p, by in scenario.authors.items() if by == CY), accepted=False)
    assert draft_of(at).data["parties"][0]["point_of_contact"]["phone"] == "(555) 010-0000"


def test_unsaved_edits_of_the_agreement_are_never_replaced_by_a_copy(kestrel: Exported) -> None:
    at = open_agreement(start(), kestrel.agreement.id)
    draft = draft_of(at)
    draft.data["purpose"] = "Typed but not saved."
    draft.touch()
    goto(at, PAGE)
    at.file_uploader(key="intake-file").set_value(("copy.docx", kestrel.docx, DOCX))
    at = button(at, "Read the copy").click().run()
    [error] = at.error
    assert "has unsaved changes in this session" in said(error)
    assert draft_of(at).data["purpose"] == "Typed but not saved."
    assert draft_of(at).intake is None


# --------------------------------------------------------------------------- bad input


def plain_word_document() -> bytes:
    document = Document()
    document.add_paragraph("Dear colleague, please find our comments attached.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def another_agreements_export(tmp_path: Path) -> bytes:
    other = next(p for p in EXAMPLES if p != PORT_KESTREL)
    return export(tmp_path / "elsewhere", other).docx


def bomb_bytes(tmp_path: Path) -> bytes:
    # One part that inflates past the 64 MB any part may have (about 70 kB on disk).
    return bomb(tmp_path / "bomb.docx", 65).read_bytes()


BAD = {
    "not-word": (lambda k, t: b"Dear partner, our edits are below.", "not a Word document"),
    "plain-word": (lambda k, t: plain_word_document(), "not an export of mou"),
    "another-agreement": (lambda k, t: another_agreements_export(t), "no agreement '"),
    "another-document": (
        lambda k, t: with_properties(
            another_agreements_export(t), agreement=k.agreement.id, revision=k.revision
        ),
        f"not an export of {PORT_KESTREL.stem}",
    ),
    "zip-bomb": (lambda k, t: bomb_bytes(t), "refused: part word/document.xml inflates to"),
    "no-revision": (
        lambda k, t: with_properties(k.docx, revision=""),
        "names no revision (exported from an uncommitted working copy, or its properties "
        "were stripped); give it under “Exported from revision”",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_clear_message_and_nothing_is_saved(
    kestrel: Exported, tmp_path: Path, case: str
) -> None:
    make, expected = BAD[case]
    data = make(kestrel, tmp_path)
    before, commit = snapshot(kestrel.root), head(kestrel.root)
    at = upload("partner-reply.docx", data)
    assert_clean(at)
    [error] = at.error
    assert said(error).startswith("partner-reply.docx: "), error.value
    assert expected in said(error), error.value
    assert "\n" not in error.value and "Traceback" not in texts(at)
    assert at.session_state["mou_drafts"] == {} and not at.checkbox
    assert snapshot(kestrel.root) == before and head(kestrel.root) == commit


def test_stripped_provenance_is_taken_in_once_the_revision_is_given(kestrel: Exported) -> None:
    stripped = with_properties(kestrel.docx, revision="")
    bad = upload("copy.docx", stripped, revision="not-a-revision")
    [error] = bad.error
    assert "unknown revision 'not-a-revision'" in said(error)
    at = upload("copy.docx", stripped, revision=kestrel.revision[:10])
    assert_clean(at)
    assert not at.error
    assert draft_of(at).intake.intake.base == kestrel.revision


def test_a_hostile_author_name_cannot_forge_a_trailer(kestrel: Exported) -> None:
    copy = WordCopy(kestrel.docx)
    item = kestrel.agreement.responsibilities[0]
    forged = "Eve\nCo-authored-by: Mallory <mallory@evil.example>\u202e"
    copy.replace(item.text.split()[-1], "promptly.", forged, within=item.text[:60])
    at = save(upload("copy.docx", copy.save()), {})
    assert_clean(at)
    lines = trailers(kestrel.root, head(kestrel.root))
    assert [line for line in lines if line.startswith("Co-authored-by")] == [
        "Co-authored-by: Eve Co-authored-by: Mallory mallory@evil.example"
    ]


def test_a_malformed_partner_email_is_named_and_nothing_is_saved(kestrel: Exported) -> None:
    at = upload("copy.docx", partner_edits(kestrel).copy.save())
    before = head(kestrel.root)
    at = save(at, {ANN: "ann at bellwater"})
    assert said(at.error[-1]).startswith(f"Not saved: E-mail of {ANN}: 'ann at bellwater'")
    assert head(kestrel.root) == before


def test_a_copy_of_an_older_revision_is_a_conflict_merged_on_review(kestrel: Exported) -> None:
    """Someone saved after the export: the save is refused, nothing is overwritten, and
    the accepted changes applied on top of theirs are saved from Review, still credited."""
    scenario = partner_edits(kestrel)
    theirs = to_data(kestrel.agreement)
    theirs["purpose"] = "A purpose someone else changed meanwhile."
    with Workspace(kestrel.root) as ws:
        ws.save(validate_data(theirs), "Their change", AUTHOR)
    at = upload("copy.docx", scenario.copy.save())
    assert "has changed since this copy was exported" in texts(at)
    moved = head(kestrel.root)
    at = save(at, {})
    assert "was saved again (revision" in texts(at) and head(kestrel.root) == moved
    at = button(at, "Go to Review and save").click().run()
    assert at.title[0].value == "Review and save"
    at = button(at, "Apply my changes to theirs").click().run()
    at.text_input(key="save-message").set_value("Partner's edits on top of theirs")
    at.text_input(key="save-name").set_value("Alice Liaison")
    at.text_input(key="save-email").set_value("alice@county.example.gov")
    at = button(at, "Save revision").click().run()
    assert_clean(at)
    saved = to_data(saved_agreement(kestrel.root, kestrel.agreement.id))
    assert saved == {**to_data(validate_data(scenario.data)), "purpose": theirs["purpose"]}
    assert f"Co-authored-by: {ANN}" in trailers(kestrel.root, head(kestrel.root))

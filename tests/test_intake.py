"""mou intake: a partner's edited Word copy read back into the agreement, field by field.

Every example is saved in a real workspace, exported, then edited in its XML the way
Word edits (tests/support/wordedits.py): tracked and untracked replacements, a tracked
deletion, a new paragraph, a comment, runs split at random, quotes made curly.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from mou.changes.diff import diff, value_at
from mou.changes.intake import Intake, take_in
from mou.data import PACKAGED_TEMPLATE
from mou.document import ooxml
from mou.document.render import render_docx
from mou.document.spans import PARAGRAPH, rendered_fields
from mou.document.template import template_for
from mou.model import Agreement, to_data
from mou.store.workspace import open_workspace
from mou.validate import load_file, validate_data
from tests.support.runner import EXAMPLES, run_mou
from tests.support.wordedits import WordCopy, q
from tests.support.workspaces import AUTHOR, make_workspace

ANN, BOB, CY, DEE = "Ann Counsel", "Bob Reviewer", "Cy Editor", "Dee Finance"
NEW_PHONE = "(555) 010-4242"


@dataclass
class Exported:
    """An example saved in a workspace and exported from it."""

    root: Path
    agreement: Agreement
    revision: str
    docx: bytes

    def __repr__(self) -> str:
        # Hypothesis shows a fixture it passes along; the whole model and document would
        # be 180 kB of repr, which it turns into a warning (an error under -Werror).
        return f"Exported({self.agreement.id} at {self.revision[:12]})"


@dataclass
class Scenario:
    """The edits a partner made, and what intake must make of them."""

    copy: WordCopy
    data: dict[str, Any]
    authors: dict[str, str | None] = field(default_factory=dict)
    goal_path: str = ""


def export(tmp_path: Path, source: Path, draft: bool = False) -> Exported:
    root = make_workspace(tmp_path)
    agreement = load_file(source)
    with open_workspace(root) as ws:
        saved = ws.save(agreement, "Example", AUTHOR)
        docx = render_docx(agreement, saved.revision, draft, template_for(ws.root))
    return Exported(root, agreement, saved.revision, docx)


def intake(exported: Exported, docx: bytes, rev: str | None = None) -> Intake:
    with open_workspace(exported.root) as ws:
        return take_in(ws, docx, rev)


def test_quotes_curled_by_autocorrect_keep_the_field_s_straight_style(tmp_path: Path) -> None:
    # Pins: a partner's typed apostrophe came back curly in a field written with
    # straight quotes, so the proposal mixed styles.
    exported = export(tmp_path, PORT_KESTREL)
    item = exported.agreement.responsibilities[0]
    copy = WordCopy(exported.docx)
    last = item.text.split()[-1]
    copy.replace(last, f"{last[:-1]} under each party’s policy.", ANN, within=item.text[:60])
    result = intake(exported, copy.save())
    [change] = result.changes
    assert change.new.endswith("under each party's policy.")


# --------------------------------------------------------------------------- field spans


@pytest.mark.parametrize("draft", [False, True], ids=["signature-ready", "draft"])
def test_the_marked_render_reads_exactly_as_the_export(draft: bool) -> None:
    """The spans are only as good as the text they index: marks taken out, the marked
    render is the exported body paragraph for paragraph, and each span reads its field."""
    for source in EXAMPLES:
        agreement = load_file(source)
        docx = render_docx(agreement, "a" * 40, draft)
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            body = archive.read("word/document.xml")
        rendered = rendered_fields(agreement, "a" * 40, draft, PACKAGED_TEMPLATE)
        assert rendered.paragraphs == ooxml.paragraphs(body), source.stem
        for span in rendered.spans:
            shown = rendered.text[span.start : span.end]
            if span.kind == "text":
                value = value_at(agreement, span.path).replace("\r\n", "\n")
                assert shown == value.replace("\n\n", PARAGRAPH), span.path


# --------------------------------------------------------------------------- the edits


def edit_responsibility(s: Scenario, agreement: Agreement) -> None:
    """Tracked replacement of two words in a responsibility."""
    index = min(1, len(agreement.responsibilities) - 1)
    text = agreement.responsibilities[index].text
    first = text.index(" ") + 1
    old = text[first : text.index(" ", text.index(" ", first) + 1)]
    s.copy.replace(old, "shall promptly", ANN, within=text.split("\n")[0][:60])
    s.data["responsibilities"][index]["text"] = text.replace(old, "shall promptly", 1)
    s.authors[f"$.responsibilities[id={agreement.responsibilities[index].id}].text"] = ANN


def edit_phone(s: Scenario, agreement: Agreement, shown: str) -> None:
    """Untracked edit of a phone number that appears once in the document."""
    for p_index, party in enumerate(agreement.parties):
        for role in ("point_of_contact", "notice_addressee"):
            phone = getattr(party, role).phone
            if phone and shown.count(phone) == 1:
                s.copy.replace(phone, NEW_PHONE, None)
                s.data["parties"][p_index][role]["phone"] = NEW_PHONE
                s.authors[f"$.parties[id={party.id}].{role}.phone"] = None
                return
    raise AssertionError("no phone number appears once")


def edit_amount(s: Scenario, agreement: Agreement) -> None:
    """A changed cost share (two shares, so they still add up), else a payment cap."""
    shares = agreement.funding.cost_shares
    if len(shares) >= 2:
        table = s.copy.paragraphs_after("Shares of joint costs")
        cells = [p for p in table if re.fullmatch(r"[\d.]+%", p.xpath("string()"))]
        for index, delta in ((0, -5), (1, 5)):
            old = f"{shares[index].percent:g}%"
            new = f"{shares[index].percent + delta:g}%"
            s.copy.replace(old, new, DEE, paragraph=cells[index])
            s.data["funding"]["cost_shares"][index]["percent"] = shares[index].percent + delta
            s.authors[f"$.funding.cost_shares[party={shares[index].party}].percent"] = DEE
        return
    path, amount = cap_shown_once(s, agreement)
    s.copy.replace(f"{amount:,.0f}", "1,950,000", DEE, within="shall not exceed")
    set_at(s.data, path, 1_950_000)
    s.authors[path] = DEE


def cap_shown_once(s: Scenario, agreement: Agreement) -> tuple[str, float]:
    """A payment cap whose amount the document prints once: its path and amount."""
    shown = "\n".join(p.xpath("string()") for p in s.copy.paragraphs())
    found = [("$.funding", agreement.funding.caps)]
    found += [(f"$.funding.reimbursements[id={r.id}]", r.caps)
              for r in agreement.funding.reimbursements]  # fmt: skip
    for prefix, caps in found:
        for cap in caps:
            if shown.count(f"{cap.amount:,.0f}") == 1:
                return f"{prefix}.caps[id={cap.id}].amount", cap.amount
    raise AssertionError("no cap amount appears once")


def delete_in_recital(s: Scenario, agreement: Agreement) -> None:
    """A tracked deletion of a passage of a recital."""
    text = agreement.background[1].text
    start = text.index(", ")
    end = text.index(" ", text.index(" ", text.index(" ", start + 2) + 1) + 1)
    old = text[start:end]
    s.copy.delete(old, CY, within=text[:50])
    s.data["background"][1]["text"] = text.replace(old, "", 1)
    s.authors[f"$.background[id={agreement.background[1].id}].text"] = CY


def new_responsibility(s: Scenario, agreement: Agreement) -> None:
    """A tracked new paragraph after the last item of the first responsibilities group."""
    first = agreement.responsibilities[0]
    group = [r for r in agreement.responsibilities if r.parties == first.parties]
    last = group[-1]
    letter = "abcdefghijklmnopqrstuvwxyz"[len(group)]
    text = "Keep a shared log of every joint operation."
    s.copy.insert_paragraph_after(last.text.split("\n")[-1][-40:], f"({letter}) {text}", ANN)
    position = agreement.responsibilities.index(last) + 1
    item = {"id": "keep-a-shared-log", "parties": list(first.parties), "text": text}
    s.data["responsibilities"].insert(position, item)
    s.authors["$.responsibilities[id=keep-a-shared-log]"] = ANN


def template_wording(s: Scenario) -> None:
    s.copy.replace("each referred", "each one referred", ANN)


def comment_on_goal(s: Scenario, agreement: Agreement) -> None:
    goal = agreement.goals[0]
    s.copy.comment(goal.title, "Is this target realistic?", BOB)
    s.goal_path = f"$.goals[id={goal.id}]"


def partner_edits(exported: Exported, seed: int = 7) -> Scenario:
    """Every edit of the issue's "Done when", then Word's noise over the whole copy."""
    agreement = exported.agreement
    s = Scenario(WordCopy(exported.docx), to_data(agreement))
    shown = "\n".join(p.xpath("string()") for p in s.copy.paragraphs())
    edit_responsibility(s, agreement)
    edit_phone(s, agreement, shown)
    edit_amount(s, agreement)
    delete_in_recital(s, agreement)
    new_responsibility(s, agreement)
    template_wording(s)
    comment_on_goal(s, agreement)
    s.copy.split_runs(random.Random(seed))
    s.copy.curly_quotes()
    return s


# --------------------------------------------------------------------------- tests


def differences(expected: Agreement, actual: Agreement | None) -> str:
    """What the proposal got wrong, field by field (for a failing assertion)."""
    if actual is None:
        return "no proposal"
    return "\n".join(f"{c.kind} {c.path}: {c.old!r} -> {c.new!r}" for c in diff(expected, actual))


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: p.stem)
def test_every_kind_of_edit_is_taken_in_on_every_example(tmp_path: Path, source: Path) -> None:
    exported = export(tmp_path, source)
    scenario = partner_edits(exported)
    result = intake(exported, scenario.copy.save())
    assert result.problem is None
    expected = validate_data(scenario.data)
    assert result.proposal == expected, differences(expected, result.proposal)
    assert {c.path: c.by for c in result.changes} == scenario.authors
    [wording] = result.unmapped
    assert wording.location == "Article 1, paragraph 1"
    assert "one" in wording.new and wording.by == ANN
    [comment] = result.comments
    assert comment.path is not None and comment.path.startswith(scenario.goal_path)
    assert (comment.author, comment.text) == (BOB, "Is this target realistic?")
    # Quoted as the copy reads (Word curled its quotes).
    assert comment.quoted.replace("’", "'") == exported.agreement.goals[0].title


def _need_soffice() -> None:
    if shutil.which("soffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) is not installed")


def resaved_by_libreoffice(tmp_path: Path, copies: dict[str, bytes]) -> dict[str, bytes]:
    """Each copy opened and saved again as .docx by LibreOffice, in one run."""
    source, target = tmp_path / "edited", tmp_path / "resaved"
    source.mkdir()
    for name, data in copies.items():
        (source / f"{name}.docx").write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    files = sorted(str(p) for p in source.iterdir())
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
               "docx", "--outdir", str(target), *files]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=600, check=True)
    return {name: (target / f"{name}.docx").read_bytes() for name in copies}


def test_the_libreoffice_round_trip_maps_the_same(tmp_path: Path) -> None:
    """LibreOffice drops rsids, rewrites runs, tracked changes and comments: the same
    proposal, authors, unmapped edit and comment come out of every example."""
    _need_soffice()
    cases = {}
    for source in EXAMPLES:
        exported = export(tmp_path / source.stem, source)
        cases[source.stem] = (exported, partner_edits(exported))
    resaved = resaved_by_libreoffice(tmp_path, {n: s.copy.save() for n, (_, s) in cases.items()})
    for name, (exported, scenario) in cases.items():
        result = intake(exported, resaved[name])
        expected = validate_data(scenario.data)
        assert result.proposal == expected, f"{name}: {differences(expected, result.proposal)}"
        assert {c.path: c.by for c in result.changes} == scenario.authors, name
        assert [u.location for u in result.unmapped] == ["Article 1, paragraph 1"], name
        [comment] = result.comments
        assert comment.path and comment.path.startswith(scenario.goal_path), name


# --------------------------------------------------------------------------- property

_WORD = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=3, max_size=8)
_TEXT = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)
_FIGURE = st.one_of(
    st.integers(min_value=1, max_value=5_000_000),
    st.decimals(min_value=1, max_value=9999, places=1).map(float),
)
_VALUES = {"text": _TEXT, "number": _FIGURE, "integer": st.integers(1, 730)}


def editable_fields(agreement: Agreement) -> list[tuple[str, str]]:
    """Fields a partner edits, with their kind: texts, figures, a whole number."""
    fields = [(f"$.responsibilities[id={r.id}].text", "text") for r in agreement.responsibilities]
    # A recital opening "NOW, THEREFORE" stands in for the template's own closing words;
    # retyping it brings those words back, a paragraph no partner typed.
    fields += [(f"$.background[id={c.id}].text", "text") for c in agreement.background
               if not c.text.startswith("NOW, THEREFORE")]  # fmt: skip
    for goal in agreement.goals:
        fields.append((f"$.goals[id={goal.id}].title", "text"))
        fields += [(f"$.goals[id={goal.id}].metrics[id={m.id}].target", "number")
                   for m in goal.metrics]  # fmt: skip
    fields += [(f"$.parties[id={p.id}].point_of_contact.phone", "text")
               for p in agreement.parties if p.point_of_contact.phone]  # fmt: skip
    fields.append(("$.term.withdrawal_notice_days", "integer"))
    fields += [(f"$.funding.caps[id={cap.id}].amount", "number") for cap in agreement.funding.caps]
    return fields


def set_at(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a key-based path (``$.goals[id=x].title``) of plain data."""
    node: Any = data
    steps = re.findall(r"\.(\w+)|\[id=([^\]]+)\]", path)
    for name, key in steps[:-1]:
        node = node[name] if name else next(i for i in node if i["id"] == key)
    node[steps[-1][0]] = value


@pytest.fixture(scope="module")
def kestrel_once(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return export(tmp_path_factory.mktemp("property"), PORT_KESTREL)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_field_edits_rendered_then_taken_in_give_the_values_back(
    kestrel_once: Exported, data: st.DataObject
) -> None:
    # Property: a copy whose fields were retyped (rendered from the edited agreement,
    # stamped as the base revision) is taken in as exactly those values.
    base = kestrel_once.agreement
    fields = editable_fields(base)
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=5, unique=True))
    edited_data = to_data(base)
    for path, kind in chosen:
        set_at(edited_data, path, data.draw(_VALUES[kind], label=path))
    edited = validate_data(edited_data)
    with open_workspace(kestrel_once.root) as ws:
        docx = render_docx(edited, kestrel_once.revision, False, template_for(ws.root))
    result = intake(kestrel_once, docx)
    assert result.proposal == edited, differences(edited, result.proposal)
    assert result.unmapped == []
    assert {c.path for c in result.changes} <= {path for path, _ in chosen}


# --------------------------------------------------------------------------- the command

PORT_KESTREL = next(p for p in EXAMPLES if p.stem.startswith("port-kestrel"))
SAVER = "Liaison Officer <liaison@agency.gov>"


def mou_in(root: Path, *args: str):
    return run_mou(*args, cwd=root.parent, env={"MOU_WORKSPACE": str(root)})


def exported_by_cli(tmp_path: Path) -> tuple[Exported, Path]:
    """The example saved, then exported as a draft by `mou export` as a user would."""
    exported = export(tmp_path, PORT_KESTREL)
    target = tmp_path / "copy.docx"
    result = mou_in(exported.root, "export", exported.agreement.id, "--draft", "-o", str(target))
    assert result.returncode == 0, result.stderr
    exported.docx = target.read_bytes()
    return exported, target


def test_intake_json_has_the_shape_the_issue_gives(tmp_path: Path) -> None:
    exported, target = exported_by_cli(tmp_path)
    scenario = partner_edits(exported)
    target.write_bytes(scenario.copy.save())
    result = mou_in(exported.root, "intake", str(target), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["id"], report["base"]) == (exported.agreement.id, exported.revision)
    assert {"changes", "unmapped", "comments"} <= set(report)
    for change in report["changes"]:
        assert {"path", "label", "old", "new", "by", "date"} <= set(change)
    assert {u["location"] for u in report["unmapped"]} == {"Article 1, paragraph 1"}
    assert {"location", "old", "new", "by"} <= set(report["unmapped"][0])
    [comment] = report["comments"]
    assert {"path", "author", "date", "text", "quoted"} <= set(comment)
    assert report["changes"][0]["by"] in (None, ANN, CY, DEE)


def test_intake_prints_changes_unmapped_edits_and_comments(tmp_path: Path) -> None:
    exported, target = exported_by_cli(tmp_path)
    scenario = partner_edits(exported)
    target.write_bytes(scenario.copy.save())
    result = mou_in(exported.root, "intake", str(target))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert f"{exported.agreement.id} at {exported.revision[:7]}" in out
    assert "Responsibility" in out and f"— {ANN}" in out and NEW_PHONE in out
    assert "Unmapped" in out and "Article 1, paragraph 1" in out
    assert "Comments" in out and "Is this target realistic?" in out


def test_the_proposal_saves_and_the_same_copy_is_then_refused(tmp_path: Path) -> None:
    exported, target = exported_by_cli(tmp_path)
    scenario = partner_edits(exported)
    target.write_bytes(scenario.copy.save())
    (tmp_path / "proposal").mkdir()
    proposal = tmp_path / "proposal" / f"{exported.agreement.id}.yaml"
    result = mou_in(exported.root, "intake", str(target), "-o", str(proposal))
    assert result.returncode == 0, result.stderr
    assert load_file(proposal) == validate_data(scenario.data)
    saved = mou_in(exported.root, "save", str(proposal), "--base", exported.revision,
                   "--author", SAVER, "-m", "Partner's edits")  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    again = mou_in(exported.root, "intake", str(target))
    assert again.returncode == 1
    assert again.stderr.decode().count("\n") == 1
    assert "already taken in" in again.stderr.decode()


def test_an_invalid_proposal_is_not_written(tmp_path: Path) -> None:
    """One cost share changed alone: the shares no longer add up to 100%."""
    exported, target = exported_by_cli(tmp_path)
    copy = WordCopy(exported.docx)
    table = copy.paragraphs_after("Shares of joint costs")
    cell = next(p for p in table if re.fullmatch(r"[\d.]+%", p.xpath("string()")))
    copy.replace(cell.xpath("string()"), "50%", DEE, paragraph=cell)
    target.write_bytes(copy.save())
    proposal = tmp_path / f"{exported.agreement.id}.yaml"
    result = mou_in(exported.root, "intake", str(target), "-o", str(proposal))
    assert result.returncode == 1 and not proposal.exists()
    message = result.stderr.decode()
    assert message.count("\n") == 1 and "not valid" in message and "cost_shares" in message


# --------------------------------------------------------------------------- bad input


def with_properties(docx: bytes, **changes: str) -> bytes:
    """``docx`` with mou custom properties rewritten (``revision="…"``), or all removed."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    custom = parts["docProps/custom.xml"].decode()
    for name, value in changes.items():
        custom = re.sub(rf'(name="mou.{name}"><vt:lpwstr>)[^<]*', rf"\g<1>{value}", custom)
    parts["docProps/custom.xml"] = custom.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def refused(exported: Exported, tmp_path: Path, data: bytes, *args: str) -> str:
    """Intake of ``data`` fails in one line (returned), exit 1, and writes nothing."""
    target = tmp_path / "returned.docx"
    target.write_bytes(data)
    proposal = tmp_path / f"{exported.agreement.id}.yaml"
    result = mou_in(exported.root, "intake", str(target), "-o", str(proposal), *args)
    message = result.stderr.decode()
    assert result.returncode == 1, message
    assert message.count("\n") == 1 and "Traceback" not in message
    assert message.startswith(f"{target}: ") and not proposal.exists()
    return message


@pytest.fixture
def kestrel(tmp_path: Path) -> Exported:
    return export(tmp_path, PORT_KESTREL)


def test_a_file_that_is_not_word_is_refused(kestrel: Exported, tmp_path: Path) -> None:
    assert "not a Word document" in refused(kestrel, tmp_path, b"Dear partner, see below.")


def test_a_copy_of_an_unknown_agreement_is_refused(kestrel: Exported, tmp_path: Path) -> None:
    data = with_properties(kestrel.docx, agreement="no-such-agreement")
    assert "no agreement 'no-such-agreement'" in refused(kestrel, tmp_path, data)


def test_a_word_document_mou_did_not_export_is_refused(kestrel: Exported, tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Dear colleague, our comments are attached.")
    out = io.BytesIO()
    document.save(out)
    assert "not an export of mou" in refused(kestrel, tmp_path, out.getvalue())


def test_a_copy_of_an_agreement_kept_elsewhere_is_refused(
    kestrel: Exported, tmp_path: Path
) -> None:
    other = export(tmp_path / "elsewhere", next(p for p in EXAMPLES if p != PORT_KESTREL))
    message = refused(kestrel, tmp_path, other.docx)
    assert f"no agreement '{other.agreement.id}' in this workspace" in message


def test_a_copy_of_an_unknown_revision_is_refused(kestrel: Exported, tmp_path: Path) -> None:
    data = with_properties(kestrel.docx, revision="0" * 40)
    assert "unknown revision" in refused(kestrel, tmp_path, data)


def test_another_document_is_not_an_export_of_the_agreement(
    kestrel: Exported, tmp_path: Path
) -> None:
    """Another example's export, its provenance made to claim this agreement."""
    other = export(tmp_path / "other", next(p for p in EXAMPLES if p != PORT_KESTREL))
    data = with_properties(other.docx, agreement=kestrel.agreement.id, revision=kestrel.revision)
    message = refused(kestrel, tmp_path, data)
    assert f"not an export of {kestrel.agreement.id}" in message


def test_nested_tracked_changes_are_refused(kestrel: Exported, tmp_path: Path) -> None:
    copy = WordCopy(kestrel.docx)
    copy.replace("each referred", "each one referred", ANN)
    inserted = next(copy.root.iter(q("ins")))
    wrapper = etree.Element(q("del"), {q("id"): "1", q("author"): BOB})
    inserted.addprevious(wrapper)
    wrapper.append(inserted)
    assert "tracked changes are nested" in refused(kestrel, tmp_path, copy.save())


def test_stripped_properties_are_read_from_the_footer(kestrel: Exported) -> None:
    """Some mail gateways strip custom properties; the footer still says where from."""
    with zipfile.ZipFile(io.BytesIO(kestrel.docx)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist() if n != "docProps/custom.xml"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    copy = WordCopy(out.getvalue())
    copy.replace("each referred", "each one referred", ANN)
    result = intake(kestrel, copy.save())
    assert (result.agreement_id, result.base) == (kestrel.agreement.id, kestrel.revision)
    assert [u.location for u in result.unmapped] == ["Article 1, paragraph 1"]


def test_a_copy_without_a_revision_needs_rev(kestrel: Exported, tmp_path: Path) -> None:
    """A draft of an uncommitted working copy names no revision: --rev supplies it."""
    data = with_properties(kestrel.docx, revision="")
    assert "--rev" in refused(kestrel, tmp_path, data)
    target = tmp_path / "returned.docx"
    result = mou_in(kestrel.root, "intake", str(target), "--rev", "HEAD", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["base"] == kestrel.revision


def test_a_copy_made_with_another_template_is_refused(kestrel: Exported, tmp_path: Path) -> None:
    """The spans come from the workspace's template: another one would misplace them."""
    template = kestrel.root / "templates" / "mou.docx"
    template.parent.mkdir(exist_ok=True)
    template.write_bytes(PACKAGED_TEMPLATE.read_bytes() + b"\0")  # other bytes, same Word
    assert "another template" in refused(kestrel, tmp_path, kestrel.docx)

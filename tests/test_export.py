"""The document commands end to end: a real git workspace, real .docx, real LibreOffice."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from mou.model import to_data
from mou.presets import preset
from mou.store.create import init_workspace
from mou.validate import load_file, validate_data
from mou.yamlio import dump
from tests.support.runner import EXAMPLES, ROOT, run_mou, snapshot

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"
READY = "sample-every-section"
UNREADY = "fresh-draft"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Liaison",
    "GIT_AUTHOR_EMAIL": "liaison@example.gov",
    "GIT_COMMITTER_NAME": "Test Liaison",
    "GIT_COMMITTER_EMAIL": "liaison@example.gov",
}


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace with a ready agreement and a fresh (unready) preset, both committed."""
    root = tmp_path / "ws"
    init_workspace(root)
    shutil.copyfile(SAMPLE, root / "agreements" / f"{READY}.yaml")
    # The sample's Exhibit C attaches a file, stored beside the agreement as mou keeps it.
    shutil.copytree(SAMPLE.with_suffix(".exhibits"), root / "agreements" / f"{READY}.exhibits")
    fresh = validate_data(preset("task_force", UNREADY, "Fresh draft"))
    (root / "agreements" / f"{UNREADY}.yaml").write_text(dump(to_data(fresh)), encoding="utf-8")
    git(root, "add", "agreements")
    git(root, "commit", "-q", "-m", "Two agreements")
    return root


def mou_in(root: Path, *args: str, env: dict[str, str] | None = None):
    return run_mou(*args, cwd=root.parent, env={"MOU_WORKSPACE": str(root), **(env or {})})


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def lines(stream: bytes) -> list[str]:
    return stream.decode().strip().splitlines()


def paragraphs_text(path: Path) -> str:
    document = Document(str(path))
    return "\n\n".join(Paragraph(p, document).text for p in document.element.body.iter(qn("w:p")))


# --------------------------------------------------------------------------- export


def test_signature_ready_export_then_verify(workspace: Path) -> None:
    out = workspace.parent / "signed.docx"
    result = mou_in(workspace, "export", READY, "-o", str(out))
    assert result.returncode == 0, result.stderr
    head = git(workspace, "rev-parse", "HEAD")
    assert "signature-ready" in result.stdout.decode()
    assert out.stat().st_mode & 0o777 == 0o666 & ~current_umask()  # not a private temp file
    header = "\n".join(p.text for p in Document(str(out)).sections[0].header.paragraphs)
    assert "DRAFT" not in header
    verified = mou_in(workspace, "verify", str(out))
    assert verified.returncode == 0, verified.stderr
    assert f"unaltered: agreement {READY} at revision {head}" in verified.stdout.decode()
    assert "a fresh export of it has the same text" in verified.stdout.decode()


def test_verify_reports_an_edited_copy(workspace: Path) -> None:
    out = workspace.parent / "signed.docx"
    assert mou_in(workspace, "export", READY, "-o", str(out)).returncode == 0
    document = Document(str(out))
    paragraph = next(p for p in document.paragraphs if "Shootings" in p.text or p.runs)
    paragraph.add_run(" and a sentence someone slipped in")
    document.save(str(out))
    result = mou_in(workspace, "verify", str(out))
    assert result.returncode == 1
    assert lines(result.stdout)[0].startswith(f"{out}: altered: agreement {READY}")


def test_verify_catches_a_forged_fingerprint(workspace: Path) -> None:
    """Text edited and the recorded fingerprint rewritten to match: the repository knows."""
    from mou.document.provenance import fingerprint

    out = workspace.parent / "signed.docx"
    assert mou_in(workspace, "export", READY, "-o", str(out)).returncode == 0
    old = fingerprint(out.read_bytes())
    document = Document(str(out))
    document.paragraphs[-1].add_run(" Each party also owes the others a pony.")
    edited = io.BytesIO()
    document.save(edited)
    new = fingerprint(edited.getvalue())
    with zipfile.ZipFile(edited) as source, zipfile.ZipFile(out, "w") as forged:
        for name in source.namelist():
            forged.writestr(name, source.read(name).replace(old.encode(), new.encode()))
    result = mou_in(workspace, "verify", str(out))
    assert result.returncode == 1
    assert lines(result.stdout)[0].startswith(f"{out}: unaltered")  # the file alone is fooled
    assert lines(result.stdout)[1].startswith(f"{out}: altered: the text differs")


def test_verify_unknown_and_unreadable_files(workspace: Path) -> None:
    plain = workspace.parent / "plain.docx"
    Document().save(str(plain))
    result = mou_in(workspace, "verify", str(plain))
    assert result.returncode == 1 and "unknown" in result.stdout.decode()
    text_file = workspace.parent / "notes.docx"
    text_file.write_text("not a zip")
    result = mou_in(workspace, "verify", str(text_file))
    assert result.returncode == 1
    assert lines(result.stderr) == [
        f"{text_file}: not a Word document (.docx): File is not a zip file"
    ]


def test_verify_against_a_named_workspace_that_cannot_be_opened(workspace: Path) -> None:
    out = workspace.parent / "signed.docx"
    assert mou_in(workspace, "export", READY, "-o", str(out)).returncode == 0
    missing = workspace.parent / "no-such-workspace"
    by_flag = run_mou("verify", str(out), "--workspace", str(missing), cwd=workspace.parent)
    assert by_flag.returncode == 1
    assert lines(by_flag.stderr) == [
        f"{out}: cannot compare with the workspace: {missing}: no such workspace folder"
    ]
    by_env = run_mou("verify", str(out), cwd=workspace.parent, env={"MOU_WORKSPACE": str(missing)})
    assert by_env.returncode == 1 and lines(by_env.stderr) == lines(by_flag.stderr)


def test_unready_export_is_refused_naming_the_rules(workspace: Path) -> None:
    before = snapshot(workspace.parent)
    result = mou_in(workspace, "export", UNREADY, "-o", str(workspace.parent / "x.docx"))
    assert result.returncode == 1
    last = lines(result.stderr)[-1]
    assert last.startswith(f"{UNREADY}: not ready for signature (")
    for rule_id in ("text.placeholders", "goals.present", "parties.responsibility"):
        assert rule_id in last
    assert snapshot(workspace.parent) == before


def test_uncommitted_changes_are_refused_but_a_draft_exports_them(workspace: Path) -> None:
    path = workspace / "agreements" / f"{READY}.yaml"
    path.write_text(path.read_text().replace("Sample Agreement With", "Edited Agreement With"))
    out = workspace.parent / "draft.docx"
    refused = mou_in(workspace, "export", READY, "-o", str(out))
    assert refused.returncode == 1 and not out.exists()
    assert lines(refused.stderr) == [
        f"{path}: has changes that are not committed; save them first (a signature-ready "
        "export is exactly one committed revision) or use --draft"
    ]
    drafted = mou_in(workspace, "export", READY, "-o", str(out), "--draft")
    assert drafted.returncode == 0, drafted.stderr
    document = Document(str(out))
    section = document.sections[0]
    assert "DRAFT — NOT FOR SIGNATURE" in "\n".join(p.text for p in section.header.paragraphs)
    assert "uncommitted working copy" in "\n".join(p.text for p in section.footer.paragraphs)
    assert "Edited Agreement With Every Section" in paragraphs_text(out)


def test_a_draft_of_an_unready_agreement_exports(workspace: Path) -> None:
    out = workspace.parent / "fresh.docx"
    result = mou_in(workspace, "export", UNREADY, "-o", str(out), "--draft")
    assert result.returncode == 0, result.stderr
    assert "[LEGAL NAME OF PARTY A]" in paragraphs_text(out)


def test_export_of_an_earlier_revision_carries_that_revision(workspace: Path) -> None:
    first = git(workspace, "rev-parse", "HEAD")
    path = workspace / "agreements" / f"{READY}.yaml"
    path.write_text(path.read_text().replace("SAMPLE-0001", "SAMPLE-0002"))
    git(workspace, "commit", "-q", "-am", "Renumber")
    out = workspace.parent / "old.docx"
    result = mou_in(workspace, "export", READY, "--rev", "HEAD~1", "-o", str(out))
    assert result.returncode == 0, result.stderr
    footer = "\n".join(p.text for p in Document(str(out)).sections[0].footer.paragraphs)
    assert first in footer and "SAMPLE-0001" in footer


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["export", "no-such-agreement"], "no agreement 'no-such-agreement' at revision 'HEAD'"),
        (["export", READY, "--rev", "nope"], "unknown revision 'nope'"),
        (["check", READY, "--rev", "0" * 40], f"unknown revision '{'0' * 40}'"),
        (["export", "Bad_Id"], "'Bad_Id' is not a valid agreement id"),
        (["export", READY, "--template", "missing.docx"], "missing.docx: no such template"),
        (["templates", "check", "missing.docx"], "missing.docx: no such template"),
    ],
)
def test_bad_requests_get_one_clear_line(workspace: Path, args: list[str], expected: str) -> None:
    before = snapshot(workspace.parent)
    result = mou_in(workspace, *args)
    assert result.returncode == 1
    assert len(lines(result.stderr)) == 1 and expected in result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert snapshot(workspace.parent) == before


def test_output_must_be_a_docx_in_an_existing_folder(workspace: Path) -> None:
    wrong = mou_in(workspace, "export", READY, "-o", "out.pdf")
    assert wrong.returncode == 2 and "must be a .docx" in wrong.stderr.decode()
    nowhere = mou_in(workspace, "export", READY, "-o", "no/such/folder/x.docx")
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr.decode()
    unwritable = mou_in(workspace, "export", READY, "-o", "/proc/mou-export.docx")
    assert unwritable.returncode == 1
    assert lines(unwritable.stderr) == [
        "/proc/mou-export.docx: cannot write here: No such file or directory"
    ]


def test_missing_libreoffice_says_what_to_install(workspace: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # a PATH with git and nothing of LibreOffice
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git"))
    before = snapshot(workspace.parent)
    out = workspace.parent / "x.docx"
    result = mou_in(workspace, "export", READY, "-o", str(out), "--pdf", env={"PATH": str(bin_dir)})
    assert result.returncode == 1
    assert lines(result.stderr) == [
        "LibreOffice is needed for --pdf but `soffice` is not on PATH; install it with "
        "`apt-get install libreoffice-writer-nogui` (Debian/Ubuntu) and try again"
    ]
    assert snapshot(workspace.parent) == before


def test_export_all_uses_worker_processes(workspace: Path) -> None:
    folder = workspace.parent / "all"
    result = mou_in(workspace, "export", "--all", str(folder), "--jobs", "2")
    assert result.returncode == 1  # the fresh preset is not ready
    refusal = f"{UNREADY}: not exported: not ready for signature ("
    assert lines(result.stderr)[-2].startswith(refusal)
    assert lines(result.stderr)[-1] == f"{folder}: 1 of 2 agreement(s) exported"
    assert sorted(p.name for p in folder.iterdir()) == [f"{READY}.docx"]
    drafts = mou_in(workspace, "export", "--all", str(folder), "--draft", "--jobs", "2")
    assert drafts.returncode == 0, drafts.stderr
    assert sorted(p.name for p in folder.iterdir()) == [f"{UNREADY}.docx", f"{READY}.docx"]


# --------------------------------------------------------------------------- check


def test_check_lists_findings_and_fails_on_errors(workspace: Path) -> None:
    ready = mou_in(workspace, "check", READY)
    assert ready.returncode == 0 and "ready for signature" in ready.stderr.decode()
    unready = mou_in(workspace, "check", UNREADY)
    assert unready.returncode == 1
    assert "error: text.placeholders: $.parties[0].legal_name: " in unready.stdout.decode()


def test_check_json(workspace: Path) -> None:
    import json

    result = mou_in(workspace, "check", UNREADY, "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["ready"] is False
    assert report["revision"] == git(workspace, "rev-parse", "HEAD")
    assert {"rule", "severity", "path", "message"} == set(report["findings"][0])


# --------------------------------------------------------------------------- templates


def test_templates_check_passes_the_shipped_template(workspace: Path) -> None:
    result = mou_in(workspace, "templates", "check")
    assert result.returncode == 0, result.stdout
    assert "1 template(s) checked, 0 problem(s)" in result.stderr.decode()


def test_templates_check_catches_misspelt_variables(workspace: Path) -> None:
    template = workspace / "templates" / "mou.docx"
    document = Document(str(template))
    document.add_paragraph("{{ doc.titel }}")
    document.add_paragraph("{%p for p in parties %}")
    document.add_paragraph("{{ p.legl_name }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{{ partys }}")
    document.save(str(template))
    result = mou_in(workspace, "templates", "check")
    assert result.returncode == 1
    out = result.stdout.decode()
    for expression in ("'partys'", "'doc.titel'", "'p.legl_name'"):
        assert f"{template}: {expression} is not provided by the model" in out


def with_body_edit(template: Path, old: str, new: str, count: int = -1) -> None:
    """Rewrite ``old`` as ``new`` (its first ``count`` times; all by default) in the
    template's body XML (tags sit in one run each)."""
    with zipfile.ZipFile(template) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    assert old.encode() in parts["word/document.xml"]
    body = parts["word/document.xml"]
    parts["word/document.xml"] = body.replace(old.encode(), new.encode(), count)
    with zipfile.ZipFile(template, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_templates_check_reports_a_misspelt_attribute_chain_and_a_failing_expression(
    workspace: Path,
) -> None:
    typo = workspace.parent / "typo.docx"
    shutil.copyfile(workspace / "templates" / "mou.docx", typo)
    with_body_edit(typo, "{{ art.purpose.no }}", "{{ art.purpos.no }}")
    broken = workspace.parent / "zerodiv.docx"
    shutil.copyfile(workspace / "templates" / "mou.docx", broken)
    with_body_edit(broken, "{{ doc.title }}", "{{ 1/0 }}")
    result = mou_in(workspace, "templates", "check", str(typo), str(broken))
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr
    assert lines(result.stdout) == [
        f"{typo}: 'art.purpos' is not provided by the model",
        f"{broken}: template cannot be rendered: ZeroDivisionError: division by zero",
    ]


def test_a_tag_left_open_is_caught_before_text_vanishes(workspace: Path) -> None:
    broken = workspace.parent / "open-tag.docx"
    shutil.copyfile(workspace / "templates" / "mou.docx", broken)
    with_body_edit(broken, "{{ doc.title }}", "{{ doc.title }", count=1)
    checked = mou_in(workspace, "templates", "check", str(broken))
    assert checked.returncode == 1
    (line,) = lines(checked.stdout)
    counts = re.fullmatch(
        rf"{re.escape(str(broken))}: (\d+) '{{{{' but (\d+) '}}}}': a tag is not closed "
        r"\(or closed twice\), so text after it would vanish",
        line,
    )
    assert counts and int(counts[1]) == int(counts[2]) + 1
    out = workspace.parent / "out.docx"
    ready = mou_in(workspace, "export", READY, "--template", str(broken), "-o", str(out))
    assert ready.returncode == 1 and "signature-ready export is refused" in ready.stderr.decode()
    assert not out.exists()
    draft = mou_in(workspace, "export", READY, "--template", str(broken), "-o", str(out), "--draft")
    assert draft.returncode == 0 and "warning: " in draft.stderr.decode()


def test_templates_check_of_a_file_that_is_not_a_word_document(workspace: Path) -> None:
    fake = workspace.parent / "notdocx.docx"
    fake.write_text("plain text, not a zip")
    result = mou_in(workspace, "templates", "check", str(fake))
    assert result.returncode == 1
    assert lines(result.stdout) == [f"{fake}: not a Word document (.docx): File is not a zip file"]
    assert b"internal error" not in result.stderr


def test_export_through_a_template_with_a_misspelt_variable(workspace: Path) -> None:
    """Signature-ready: refused, naming it. Draft: written with a warning on stderr."""
    template = workspace / "templates" / "mou.docx"
    with_body_edit(template, "{{ p.legal_name }}", "{{ p.legl_name }}")
    out = workspace.parent / "signed.docx"
    refused = mou_in(workspace, "export", READY, "-o", str(out))
    assert refused.returncode == 1 and not out.exists()
    assert lines(refused.stderr) == [
        f"{template}: the template uses 'p.legl_name', which the model does not provide; a "
        f"signature-ready export is refused (see `mou templates check {template}`)"
    ]
    drafted = mou_in(workspace, "export", READY, "-o", str(out), "--draft")
    assert drafted.returncode == 0, drafted.stderr
    assert out.exists()
    assert f"{template}: warning: the template uses 'p.legl_name'" in drafted.stderr.decode()


# --------------------------------------------------------------------------- LibreOffice


def _need_soffice() -> None:
    if shutil.which("soffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) is not installed")


def test_examples_convert_to_pdf_and_read_back_complete(exported_examples) -> None:
    """Every example (and the sample) exported, converted in one LibreOffice run, read back."""
    for exported in exported_examples:
        assert exported.pdf.read_bytes().startswith(b"%PDF")
        assert exported.pdf.stat().st_size > 10_000
        text = paragraphs_text(exported.docx).replace("\r", "")
        for party in exported.agreement.parties:
            assert party.legal_name in text
            for signatory in party.signatories:
                assert signatory.name in text and signatory.title in text
        for responsibility in exported.agreement.responsibilities:
            assert responsibility.text.replace("\r\n", "\n") in text


def saved_again_by_libreoffice(docx: Path, tmp_path: Path) -> Path:
    """``docx`` opened and saved again as .docx by LibreOffice, as a person restyling it."""
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "docx", "--outdir", str(out), str(docx)],
        check=True,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    return out / docx.name


def test_a_copy_saved_again_by_libreoffice_still_verifies(tmp_path: Path) -> None:
    """Re-saving recomputes page numbers and restructures runs; the text is unchanged."""
    _need_soffice()
    from mou.document.provenance import verify
    from mou.document.render import render_docx

    exported = tmp_path / "signed.docx"
    exported.write_bytes(render_docx(load_file(SAMPLE, READY), "a" * 40, draft=False))
    resaved = saved_again_by_libreoffice(exported, tmp_path).read_bytes()
    assert resaved != exported.read_bytes()
    assert verify(resaved).status == "unaltered"


def test_a_template_restyled_in_libreoffice_still_renders_fully(tmp_path: Path) -> None:
    """LibreOffice drops table captions and retypes the core-properties relationship."""
    _need_soffice()
    from mou.data import PACKAGED_TEMPLATE
    from mou.document.render import render_docx

    restyled = saved_again_by_libreoffice(PACKAGED_TEMPLATE, tmp_path)
    largest = max(EXAMPLES, key=lambda p: p.stat().st_size)
    data = render_docx(load_file(largest), "a" * 40, draft=False, template=restyled)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == len(set(names))  # no second docProps/core.xml
    matrix = next(
        t for t in Document(io.BytesIO(data)).tables if t.rows[0].cells[-1].text.startswith("Goal")
    )
    goal_columns = [int(c.get(qn("w:w"))) for c in matrix._tbl.tblGrid][1:]
    assert len(goal_columns) > 2 and len(set(goal_columns)) == 1  # every goal column visible
    assert min(goal_columns) > 500


def test_read_back_of_the_docx_equals_document_text(tmp_path: Path) -> None:
    from mou.document.ooxml import document_text
    from mou.document.render import render_docx

    data = render_docx(load_file(SAMPLE, READY), None, draft=True)
    document = Document(io.BytesIO(data))
    expected = "\n".join(Paragraph(p, document).text for p in document.element.body.iter(qn("w:p")))
    assert document_text(data) == expected

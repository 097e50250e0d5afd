"""Attached-file exhibits: stored beside the agreement, committed with it, bound into the PDF."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
import yaml

from mou.attachments import MAX_ATTACHMENT_BYTES, safe_name, sha256_of
from mou.cli import main
from mou.document.ooxml import document_text
from tests.support.pdfs import text_pdf
from tests.support.runner import ROOT, snapshot
from tests.support.workspaces import changed_paths, git, head, make_workspace

AUTHOR = "Jane Roe <jane.roe@agency.gov>"
ID = "western-franklin-training-consortium"
EXAMPLE = ROOT / "agreements" / f"{ID}.yaml"
RATES = text_pdf("Overtime rates page one", "Overtime rates page two")
FOLDER = f"agreements/{ID}.exhibits"


def word_file() -> bytes:
    """The smallest zip Word would recognise as a document, for the content check."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, text in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>")):
            package.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace holding the training example, saved once, and a rates PDF to attach."""
    root = make_workspace(tmp_path)
    shutil.copy(EXAMPLE, root / "agreements")
    (tmp_path / "rates.pdf").write_bytes(RATES)
    return root


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(mou, root: Path, *args: str) -> Ran:
    """Run `mou ARGS --workspace ROOT` in this process, from ROOT, as its entry point does."""
    out, err, before = io.StringIO(), io.StringIO(), Path.cwd()
    argv = ["mou", *args, "--workspace", str(root)]
    os.chdir(root)
    try:
        with mock.patch.object(sys, "argv", argv), redirect_stdout(out), redirect_stderr(err):
            try:
                main()
            except SystemExit as done:
                code = int(done.code or 0)
    finally:
        os.chdir(before)
    return Ran(code, out.getvalue(), err.getvalue())


def attach_and_save(mou, root: Path, source: Path, exhibit: str = "Overtime rates") -> None:
    done = run(mou, root, "attach", ID, str(source), "--exhibit", exhibit)
    assert done.returncode == 0, done.stderr
    cite = root / "agreements" / f"{ID}.yaml"
    cite.write_text(cite.read_text().replace("set out in Exhibit A,", "set out in Exhibit A "
                                             "and paid at the rates in Exhibit B,"))  # fmt: skip
    saved = run(mou, root, "save", f"agreements/{ID}.yaml", "-m", "Rates", "--author", AUTHOR)
    assert saved.returncode == 0, saved.stderr


def exhibits_of(root: Path) -> list[dict]:
    return yaml.safe_load((root / "agreements" / f"{ID}.yaml").read_text())["exhibits"]


def test_an_attached_file_is_committed_with_the_save_that_records_it(mou, ws: Path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    assert exhibits_of(ws)[1] == {
        "letter": "B",
        "title": "Overtime rates",
        "kind": "file",
        "file": "rates.pdf",
        "sha256": sha256_of(RATES),
    }
    assert changed_paths(ws, head(ws)) == [f"{FOLDER}/rates.pdf", f"agreements/{ID}.yaml"]
    assert git(ws, "show", f"HEAD:{FOLDER}/rates.pdf").encode("latin-1") == RATES
    assert git(ws, "status", "--porcelain") == ""  # index and working tree follow the commit
    check = run(mou, ws, "check", ID)
    assert check.returncode in (0, 1) and "exhibits.files-stored" not in check.stdout


def test_a_save_from_a_copy_elsewhere_keeps_the_stored_file(mou, ws: Path, tmp_path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    copy = tmp_path / "elsewhere" / f"{ID}.yaml"
    copy.parent.mkdir()
    copy.write_text((ws / "agreements" / f"{ID}.yaml").read_text().replace("2027", "2028", 1))
    saved = run(mou, ws, "save", str(copy), "-m", "Edit", "--author", AUTHOR)
    assert saved.returncode == 0, saved.stderr
    assert changed_paths(ws, head(ws)) == [f"agreements/{ID}.yaml"]
    assert git(ws, "ls-tree", "--name-only", "HEAD", f"{FOLDER}/").split() == [
        f"{FOLDER}/rates.pdf"
    ]


def test_a_file_whose_hash_differs_refuses_the_save_naming_it(mou, ws: Path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    before = head(ws)
    (ws / FOLDER / "rates.pdf").write_bytes(text_pdf("Rates changed without recording it"))
    cite = ws / "agreements" / f"{ID}.yaml"
    cite.write_text(cite.read_text().replace("2027", "2028", 1))
    saved = run(mou, ws, "save", f"agreements/{ID}.yaml", "-m", "Edit", "--author", AUTHOR)
    assert saved.returncode == 1
    lines = saved.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{FOLDER}/rates.pdf: its SHA-256 is" in lines[0]
    assert "not the" in lines[0] and "attach it again" in lines[0]
    assert head(ws) == before


def test_a_missing_file_refuses_the_save_naming_it(mou, ws: Path) -> None:
    run(mou, ws, "attach", ID, str(ws.parent / "rates.pdf"), "--exhibit", "Overtime rates")
    shutil.rmtree(ws / FOLDER)
    before = head(ws)
    saved = run(mou, ws, "save", f"agreements/{ID}.yaml", "-m", "Edit", "--author", AUTHOR)
    assert saved.returncode == 1
    assert saved.stderr.strip() == (
        f"agreements/{ID}.yaml: not saved: {FOLDER}/rates.pdf: no such file; "
        "attach it (mou attach) or put it there"
    )
    assert head(ws) == before


def test_dropping_a_file_exhibit_drops_its_file_in_the_same_commit(mou, ws: Path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    data = yaml.safe_load((ws / "agreements" / f"{ID}.yaml").read_text())
    data["exhibits"].pop()
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    text = text.replace(" and paid at the rates in Exhibit B", "")
    (ws / "agreements" / f"{ID}.yaml").write_text(text)
    saved = run(mou, ws, "save", f"agreements/{ID}.yaml", "-m", "Drop", "--author", AUTHOR)
    assert saved.returncode == 0, saved.stderr
    assert changed_paths(ws, head(ws)) == [f"{FOLDER}/rates.pdf", f"agreements/{ID}.yaml"]
    assert git(ws, "ls-tree", "HEAD", f"{FOLDER}/") == ""
    assert not (ws / FOLDER).exists()
    assert git(ws, "status", "--porcelain") == ""


def test_a_stored_file_changed_with_plain_git_is_a_readiness_error(mou, ws: Path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    (ws / FOLDER / "rates.pdf").write_bytes(text_pdf("Other rates"))
    git(ws, "commit", "-qam", "Swap the rates behind mou's back")
    check = run(mou, ws, "check", ID)
    assert check.returncode == 1
    found = [line for line in check.stdout.splitlines() if "files-stored" in line]
    assert found == [
        "error: exhibits.files-stored: $.exhibits[1].sha256: Exhibit B (rates.pdf): the stored "
        f"file's SHA-256 is {sha256_of(text_pdf('Other rates'))[:12]}…, not the "
        f"{sha256_of(RATES)[:12]}… the agreement records; attach it again"
    ]
    export = run(mou, ws, "export", ID, "-o", str(ws.parent / "out.docx"))
    assert export.returncode == 1 and "exhibits.files-stored" in export.stderr
    assert not (ws.parent / "out.docx").exists()


def test_a_word_file_is_attached_and_listed_with_its_hash(mou, ws: Path, tmp_path) -> None:
    (tmp_path / "budget.docx").write_bytes(word_file())
    attach_and_save(mou, ws, tmp_path / "budget.docx", exhibit="Budget")
    assert git(ws, "ls-tree", "--name-only", "HEAD", f"{FOLDER}/").split() == [
        f"{FOLDER}/budget.docx"
    ]
    export = run(mou, ws, "export", ID, "-o", str(tmp_path / "out.docx"))
    assert export.returncode == 0, export.stderr
    text = document_text((tmp_path / "out.docx").read_bytes())
    assert f"Attached file: budget.docx\nSHA-256: {sha256_of(word_file())}" in text


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        (
            "notes.txt",
            b"%PDF-1.4",
            "'notes.txt' is not an attachment name: letters, digits, '.', '-' and '_', "
            "ending in .pdf or .docx",
        ),
        ("fake.pdf", b"MZ\x90\x00 a program", "not a PDF file (it does not start with %PDF-)"),
        ("fake.docx", b"PK\x03\x04 not a zip", "not a Word (.docx) file"),
    ],
)
def test_attach_refuses_what_is_not_a_pdf_or_word_file(
    mou, ws: Path, tmp_path, name: str, content: bytes, said: str
) -> None:
    (tmp_path / name).write_bytes(content)
    before = snapshot(ws)
    done = run(mou, ws, "attach", ID, str(tmp_path / name), "--exhibit", "Rates")
    assert done.returncode == 2
    assert done.stderr.strip() == f"{tmp_path / name}: {said}"
    assert snapshot(ws) == before


def test_attach_refuses_a_file_over_the_limit(mou, ws: Path, tmp_path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)
    before = snapshot(ws)
    done = run(mou, ws, "attach", ID, str(big), "--exhibit", "Rates")
    assert done.returncode == 1
    assert done.stderr.strip() == (f"{big}: 20.0 MB is over the 20.0 MB limit for an attached file")
    assert snapshot(ws) == before


def test_attach_refuses_a_symbolic_link(mou, ws: Path, tmp_path) -> None:
    os.symlink(tmp_path / "rates.pdf", tmp_path / "link.pdf")
    before = snapshot(ws)
    done = run(mou, ws, "attach", ID, str(tmp_path / "link.pdf"), "--exhibit", "Rates")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"{tmp_path / 'link.pdf'}: is a symbolic link; attach the file itself"
    )
    assert snapshot(ws) == before


@pytest.mark.parametrize(
    ("exhibit", "said"),
    [
        ("D", "--exhibit D: no such exhibit (exhibits: A); give a title to add one"),
        (
            "A",
            "--exhibit A: Exhibit A holds table, not a file; give a new title to add a file "
            "exhibit",
        ),
        ("  ", "--exhibit: give the letter of a file exhibit, or a title"),
    ],
)
def test_attach_names_an_exhibit_it_cannot_use(mou, ws: Path, exhibit: str, said: str) -> None:
    before = snapshot(ws)
    done = run(mou, ws, "attach", ID, str(ws.parent / "rates.pdf"), "--exhibit", exhibit)
    assert done.returncode == 2
    assert done.stderr.strip() == f"{said}"
    assert snapshot(ws) == before


def test_attaching_again_by_letter_replaces_the_file(mou, ws: Path, tmp_path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    newer = text_pdf("Overtime rates, revised")
    (tmp_path / "rates.pdf").write_bytes(newer)
    done = run(mou, ws, "attach", ID, str(tmp_path / "rates.pdf"), "--exhibit", "B")
    assert done.returncode == 0, done.stderr
    assert exhibits_of(ws)[1]["sha256"] == sha256_of(newer)
    saved = run(mou, ws, "save", f"agreements/{ID}.yaml", "-m", "Revised", "--author", AUTHOR)
    assert saved.returncode == 0, saved.stderr
    assert git(ws, "show", f"HEAD:{FOLDER}/rates.pdf").encode("latin-1") == newer


def test_a_path_in_the_file_field_is_refused_and_nothing_is_written(mou, ws: Path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    target = ws / "agreements" / f"{ID}.yaml"
    target.write_text(target.read_text().replace("file: rates.pdf", "file: ../../../x.pdf"))
    before = head(ws)
    saved = run(mou, ws, "save", f"agreements/{ID}.yaml", "-m", "Edit", "--author", AUTHOR)
    assert saved.returncode == 1
    assert '$.exhibits[1].file: "../../../x.pdf" does not have the expected form' in (saved.stderr)
    assert head(ws) == before and not (ws.parent / "x.pdf").exists()


def test_an_uploaded_or_given_name_loses_its_folders() -> None:
    assert safe_name("../../etc/Overtime rates.PDF") == "Overtime-rates.pdf"
    assert safe_name("C:\\Users\\me\\..\\budget.docx") == "budget.docx"


def test_a_linked_exhibits_folder_refuses_the_save(mou, ws: Path, tmp_path) -> None:
    run(mou, ws, "attach", ID, str(ws.parent / "rates.pdf"), "--exhibit", "Overtime rates")
    elsewhere = tmp_path / "elsewhere"
    shutil.move(ws / FOLDER, elsewhere)
    os.symlink(elsewhere, ws / FOLDER)
    before = head(ws)
    saved = run(mou, ws, "save", f"agreements/{ID}.yaml", "-m", "Edit", "--author", AUTHOR)
    assert saved.returncode == 1
    assert saved.stderr.strip().endswith("is a symbolic link; mou reads no attachment through it")
    assert head(ws) == before


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True)
    return out.stdout.decode()


def test_the_pdf_export_binds_the_attached_pdf_after_its_exhibit(mou, ws: Path) -> None:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have LibreOffice and poppler-utils")
        pytest.skip("LibreOffice or pdftotext is not installed here")
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    out = ws.parent / "out.docx"
    export = run(mou, ws, "export", ID, "-o", str(out), "--pdf")
    assert export.returncode == 0, export.stderr
    assert "with 1 attached PDF exhibit(s) bound in" in export.stdout
    pages = _pdf_text(out.with_suffix(".pdf")).split("\f")
    signed = next(i for i, p in enumerate(pages) if "IN WITNESS WHEREOF" in p)
    cover_a = next(i for i, p in enumerate(pages) if "EXHIBIT A" in p)
    cover_b = next(i for i, p in enumerate(pages) if "EXHIBIT B" in p)
    rates = [i for i, p in enumerate(pages) if "Overtime rates page" in p]
    assert signed < cover_a < cover_b < rates[0] and rates == [cover_b + 1, cover_b + 2]
    assert sha256_of(RATES)[:32] in pages[cover_b]


def _edited_copy(docx: bytes, old: str, new: str) -> bytes:
    """``docx`` with ``old`` replaced by ``new`` in its body, as an edit in Word would."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            copy.writestr(item, data)
    return out.getvalue()


def test_verify_covers_the_attached_files_hashes(mou, ws: Path, tmp_path) -> None:
    attach_and_save(mou, ws, ws.parent / "rates.pdf")
    out = tmp_path / "out.docx"
    assert run(mou, ws, "export", ID, "-o", str(out)).returncode == 0
    assert run(mou, ws, "verify", str(out)).returncode == 0
    forged = tmp_path / "forged.docx"
    other = sha256_of(text_pdf("Other rates"))
    forged.write_bytes(_edited_copy(out.read_bytes(), sha256_of(RATES), other))
    checked = run(mou, ws, "verify", str(forged))
    assert checked.returncode == 1 and "altered" in checked.stdout


def test_verify_fails_when_the_revision_stores_another_file(mou, ws: Path, tmp_path) -> None:
    # A plain git commit of the agreement with a file that is not the one it records.
    done = run(mou, ws, "attach", ID, str(ws.parent / "rates.pdf"), "--exhibit", "Rates")
    assert done.returncode == 0, done.stderr
    (ws / FOLDER / "rates.pdf").write_bytes(text_pdf("Not the recorded rates"))
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "Plain git, wrong file")
    out = tmp_path / "out.docx"
    assert run(mou, ws, "export", ID, "--draft", "-o", str(out)).returncode == 0
    checked = run(mou, ws, "verify", str(out))
    assert checked.returncode == 1
    assert "altered:" in checked.stdout and "Exhibit B (rates.pdf): the stored file's" in (
        checked.stdout
    )


def test_a_save_killed_after_its_commit_gets_its_files_from_the_next(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kill point between moving the branch and updating the working files (the index
    # entries are staged before the branch moves): left so, the attached file would be
    # missing from the working tree, and a plain `git commit -a` would commit its removal.
    from mou.store.workspace import Author, Workspace
    from mou.validate import load_file, validate_data

    author = Author("Jane Roe", "jane.roe@agency.gov")
    agreement = load_file(ws / "agreements" / f"{ID}.yaml")
    data = agreement.model_dump(mode="json", exclude_none=True)
    data["exhibits"].append(
        {"letter": "B", "title": "Rates", "kind": "file", "file": "rates.pdf",
         "sha256": sha256_of(RATES)}
    )  # fmt: skip
    with Workspace(ws) as store:
        store.save(agreement, "First", author)

        def killed(*args: object) -> None:
            raise KeyboardInterrupt

        with monkeypatch.context() as patch:
            patch.setattr(Workspace, "_update_working_file", killed)
            with pytest.raises(KeyboardInterrupt):
                store.save(validate_data(data), "Landed", author, attachments={"rates.pdf": RATES})
        assert git(ws, "ls-files", f"{FOLDER}/").split() == [f"{FOLDER}/rates.pdf"]
        assert not (ws / FOLDER / "rates.pdf").exists()  # the working copy is not written yet
        store.save(validate_data(data), "Next save", author)  # finishes the killed save
    assert git(ws, "ls-files", f"{FOLDER}/").split() == [f"{FOLDER}/rates.pdf"]
    assert (ws / FOLDER / "rates.pdf").read_bytes() == RATES
    assert git(ws, "status", "--porcelain") == ""

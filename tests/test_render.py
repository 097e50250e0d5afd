"""Rendering: every character typed reaches Word exactly; provenance; draft marking; templates."""

from __future__ import annotations

import copy
import hashlib
import io
import os
import zipfile
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mou.chars import BIDI_CONTROLS
from mou.data import PACKAGED_TEMPLATE
from mou.document.build import build
from mou.document.ooxml import document_text
from mou.document.provenance import custom_properties, fingerprint, verify
from mou.document.render import render_docx
from mou.model import xml_forbidden_char
from mou.validate import validate_data
from mou.yamlio import read_bytes
from tests.support.runner import ROOT

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"
REVISION = "0123456789abcdef0123456789abcdef01234567"
# Keys whose strings are not free text: ids, enums, references, dates, patterned values.
NOT_TEXT = {
    "id",
    "type",
    "instrument",
    "status",
    "level",
    "role",
    "frequency",
    "category",
    "topic",
    "tort",
    "workers_compensation",
    "effective_rule",
    "email",
    "postal_code",
    "acronym",
    "party",
    "payer",
    "provider",
    "chair",
    "fiscal_agent",
    "supervising_party",
    "custodian",
    "operator",
    "criminal_justice_agency",
    "host_party",
    "invoice_frequency",
    "meeting_frequency",
    "reporting_frequency",
    "effective_date",
    "expiration_date",
    "baseline_due",
    "target_date",
    "scope",
    "cost",
    "base",
    "kind",
    "letter",
    "file",
    "sha256",
}
# Lists of ids (references), as opposed to lists of items under the same key.
REFERENCE_LISTS = {"owners", "parties", "goals", "joinder_signers"}
TRAPS = [
    "{{ x }}",
    "{% if true %}yes{% endif %}",
    "{_{ a }_}",
    "{_% b %_}",
    "{# c #}",
    "{%p if x %}",
    "&amp; & < > \" ' &lt;",
    "  two leading, two trailing  ",
    "a    b",
    "tab\there",
    "line\nbreak",
    "para\n\nbreak",
    "\n\n\nthree",
    "]]>",
    "<w:t>x</w:t>",
    "😀👩‍👩‍👧",
    "مرحبا بالعالم",
    "שלום",
    "中文字符",
    "e\u0301 n\u0303",
    "\u200b\u200d\u2028\u2029",
    "\x85",
    "FINGERPRINT-PENDING-",
]


def sample_data() -> dict[str, Any]:
    return copy.deepcopy(read_bytes(SAMPLE.read_bytes(), str(SAMPLE)).data)


def text_slots(data: Any, path: tuple = ()) -> list[tuple]:
    """Paths (key/index tuples) of every free-text string in agreement data."""
    slots: list[tuple] = []
    if isinstance(data, dict):
        for key, value in data.items():
            is_references = key in REFERENCE_LISTS and all(isinstance(v, str) for v in value)
            if key not in NOT_TEXT and not is_references:
                slots += text_slots(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            slots += text_slots(value, (*path, index))
    elif isinstance(data, str):
        slots.append(path)
    return slots


def put(data: Any, path: tuple, value: str) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def visible_text(docx_bytes: bytes) -> str:
    """Every paragraph of body, tables and headers read back by python-docx, blank-line joined.

    A typed blank line becomes a paragraph break, so joining paragraphs with a blank
    line gives back what was typed.
    """
    document = Document(io.BytesIO(docx_bytes))
    containers = [document.element.body]
    containers += [s.header._element for s in document.sections]
    paragraphs = [Paragraph(p, document).text for c in containers for p in c.iter(qn("w:p"))]
    return "\n\n".join(paragraphs)


def typed(value: str) -> str:
    """What Word shows for typed text: carriage returns are line breaks."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def fill_and_render(values: list[str]) -> tuple[str, dict[str, str]]:
    data = sample_data()
    expected = {}
    for index, path in enumerate(text_slots(data)):
        # Markers make each string findable only where its own field put it.
        value = f"⟦{index}⟧{values[index % len(values)]}⟦/{index}⟧"
        put(data, path, value)
        expected[".".join(map(str, path))] = value
    agreement = validate_data(data)
    return visible_text(render_docx(agreement, REVISION, draft=False)), expected


def test_the_sample_has_many_text_fields() -> None:
    assert len(text_slots(sample_data())) > 90


def test_trap_strings_reach_word_exactly() -> None:
    # Pins docxtpl's post-render rewrite of "{_{", "}_}", "{_%", "%_}" into tags,
    # autoescaping, and space preservation (xml:space="preserve").
    text, expected = fill_and_render(TRAPS)
    missing = {k: v for k, v in expected.items() if typed(v) not in text}
    assert missing == {}


def test_windows_line_endings_become_line_breaks() -> None:
    text, _ = fill_and_render(["one\r\ntwo\rthree"])
    assert "one\ntwo\nthree" in text


def test_carriage_returns_in_one_line_fields_and_table_cells_are_one_line_break() -> None:
    data = sample_data()
    data["title"] = "Joint\r\nTask Force"
    data["personnel"][0]["position"] = "Special Agent\r\nSupervisor"
    data["parties"][0]["legal_name"] = "City of\rAlpha"
    document = Document(io.BytesIO(render_docx(validate_data(data), REVISION, draft=False)))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Joint\nTask Force" in paragraphs
    assert "Special Agent\nSupervisor" in cells
    assert any(c.startswith("City of\nAlpha") for c in cells)


def _typable() -> st.SearchStrategy[str]:
    characters = st.characters(codec="utf-8").filter(
        lambda c: xml_forbidden_char(c) is None and c not in BIDI_CONTROLS  # both refused
    )
    return st.one_of(st.text(characters, max_size=24), st.sampled_from(TRAPS))


@settings(
    max_examples=1000 if os.environ.get("CI") == "true" else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(_typable(), min_size=1, max_size=12))
def test_any_text_in_any_field_reaches_word_exactly(values: list[str]) -> None:
    text, expected = fill_and_render(values)
    missing = {k: v for k, v in expected.items() if typed(v) not in text}
    assert missing == {}


# --------------------------------------------------------------------------- provenance


@pytest.fixture(scope="module")
def exported() -> bytes:
    return render_docx(validate_data(sample_data()), REVISION, draft=False)


def test_custom_properties_carry_id_revision_and_fingerprint(exported: bytes) -> None:
    props = custom_properties(exported)
    assert props["mou.agreement"] == "sample-every-section"
    assert props["mou.revision"] == REVISION
    assert props["mou.fingerprint"] == fingerprint(exported)
    assert props["mou.draft"] == "false"
    assert (
        props["mou.template-sha256"] == hashlib.sha256(PACKAGED_TEMPLATE.read_bytes()).hexdigest()
    )
    # Word and LibreOffice find the part only through these two entries.
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        assert b"/docProps/custom.xml" in archive.read("[Content_Types].xml")
        assert b"docProps/custom.xml" in archive.read("_rels/.rels")


def test_footer_carries_id_revision_fingerprint_and_page_fields(exported: bytes) -> None:
    document = Document(io.BytesIO(exported))
    footer = document.sections[0].footer
    text = "\n".join(p.text for p in footer.paragraphs)
    assert "sample-every-section" in text
    assert REVISION in text
    assert fingerprint(exported) in text
    instructions = [t.text.strip() for t in footer._element.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_verify_an_untouched_export(exported: bytes) -> None:
    result = verify(exported)
    assert (result.status, result.agreement_id, result.revision) == (
        "unaltered",
        "sample-every-section",
        REVISION,
    )


def test_verify_notices_an_edit_made_in_word(exported: bytes) -> None:
    document = Document(io.BytesIO(exported))
    target = next(p for p in document.paragraphs if "Each party keeps its own property." in p.text)
    target.runs[0].text = target.runs[0].text.replace("keeps", "gives up")
    edited = io.BytesIO()
    document.save(edited)
    result = verify(edited.getvalue())
    assert result.status == "altered"
    assert "altered" in result.describe()


def test_verify_notices_a_changed_table_cell(exported: bytes) -> None:
    document = Document(io.BytesIO(exported))
    cell = document.tables[0].rows[1].cells[0]
    cell.paragraphs[0].runs[0].text = "Omega County"
    edited = io.BytesIO()
    document.save(edited)
    assert verify(edited.getvalue()).status == "altered"


def test_verify_a_document_mou_did_not_make() -> None:
    plain = io.BytesIO()
    Document().save(plain)
    result = verify(plain.getvalue())
    assert result.status == "unknown"
    assert not result.ok


def with_footer_edit(docx_bytes: bytes, old: bytes, new: bytes) -> bytes:
    """The .docx with ``old`` replaced by ``new`` in its footer XML, as an editor would."""
    source, out = zipfile.ZipFile(io.BytesIO(docx_bytes)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("word/footer"):
                data = data.replace(old, new)
            target.writestr(item, data)
    return out.getvalue()


def test_fingerprint_covers_header_and_footer(exported: bytes) -> None:
    draft = render_docx(validate_data(sample_data()), REVISION, draft=True)
    assert fingerprint(draft) != fingerprint(exported)  # the DRAFT header is text too
    other_revision = render_docx(validate_data(sample_data()), "f" * 40, draft=False)
    assert fingerprint(other_revision) != fingerprint(exported)  # the footer names it
    forged = with_footer_edit(exported, REVISION.encode(), b"1" * 40)
    assert verify(forged).status == "altered"


def test_page_numbers_word_recomputes_do_not_count_as_edits(exported: bytes) -> None:
    # The template's PAGE and NUMPAGES fields hold "1" until Word or LibreOffice lays out.
    laid_out = with_footer_edit(exported, b'preserve">1</w:t>', b'preserve">29</w:t>')
    assert laid_out != exported
    assert verify(laid_out).status == "unaltered"


# --------------------------------------------------------------------------- content


def test_draft_marks_every_page_header_and_ready_does_not(exported: bytes) -> None:
    draft = render_docx(validate_data(sample_data()), None, draft=True)
    for docx_bytes, marked in ((draft, True), (exported, False)):
        document = Document(io.BytesIO(docx_bytes))
        assert len(document.sections) == 1  # one section: its header is on every page
        header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
        assert ("DRAFT — NOT FOR SIGNATURE" in header) is marked
        assert "For Official Use Only" in header
    assert "uncommitted working copy" in "\n".join(
        p.text for p in Document(io.BytesIO(draft)).sections[0].footer.paragraphs
    )


def test_articles_are_numbered_in_order_without_gaps(exported: bytes) -> None:
    lines = document_text(exported).splitlines()
    articles = [line for line in lines if line.startswith("ARTICLE ")]
    numbers = [int(line.split()[1].rstrip(".")) for line in articles]
    assert numbers == list(range(1, len(numbers) + 1))
    assert articles[0] == "ARTICLE 1. PARTIES"
    assert articles[-1].endswith("SIGNATURES")


def test_absent_sections_leave_no_article() -> None:
    data = sample_data()
    for key in ("governance", "supervision", "forfeiture", "mutual_aid", "prosecution"):
        data.pop(key)
    data["type"] = "community_partnership"
    text = document_text(render_docx(validate_data(data), REVISION, draft=False))
    assert "GOVERNANCE" not in text and "ASSET FORFEITURE" not in text
    assert "REQUESTS FOR ASSISTANCE" not in text and "PROSECUTION" not in text


def test_signature_page_has_a_block_per_signatory(exported: bytes) -> None:
    text = document_text(exported)
    signatures = text[text.index("SIGNATURES") :]
    for name in ("Carla Chair", "Cole Clerk", "Dana Counsel", "Sam Sheriff", "Mia Mayor"):
        assert name in signatures
    for label in ("ATTEST:", "APPROVED AS TO FORM:", "APPROVED AS TO CONTENT:"):
        assert label in signatures
    assert "For City of Beta" in signatures  # shown in capitals by Word's caps style
    assert "FOR THE" not in signatures
    assert signatures.count("Date: ") == 5


def test_tables_have_repeating_header_rows_and_borders(exported: bytes) -> None:
    document = Document(io.BytesIO(exported))
    assert len(document.tables) >= 10
    for table in document.tables:
        first = table.rows[0]._tr
        assert first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        assert table.style.name == "Table Grid"


def test_resource_totals_per_providing_party(exported: bytes) -> None:
    text = document_text(exported)
    assert "City of Beta (BPD)\n1\n$60,000" in text
    assert "All parties\n2\n$84,000" in text


def test_rendering_twice_gives_the_same_text() -> None:
    # Pins the docxtpl trap: render() mutates the template object; each render is fresh.
    agreement = validate_data(sample_data())
    first = render_docx(agreement, REVISION, draft=False)
    other = sample_data()
    other["title"] = "Another title"
    render_docx(validate_data(other), REVISION, draft=True)
    assert document_text(render_docx(agreement, REVISION, draft=False)) == document_text(first)


# --------------------------------------------------------------------------- templates


def test_workspace_copy_of_the_template_is_the_packaged_one() -> None:
    assert (ROOT / "templates" / "mou.docx").read_bytes() == PACKAGED_TEMPLATE.read_bytes()


def test_committed_template_is_what_the_build_script_makes() -> None:
    def parts(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.startswith("word/")]
            return {n: archive.read(n) for n in names}

    assert parts(build()) == parts(PACKAGED_TEMPLATE.read_bytes())


def test_template_tags_are_each_in_one_run() -> None:
    document = Document(str(PACKAGED_TEMPLATE))
    body = document.element.body
    for t in body.iter(qn("w:t")):
        text = t.text or ""
        assert text.count("{{") == text.count("}}"), text
        assert text.count("{%") == text.count("%}"), text
        assert t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


def test_no_context_key_is_shadowed_by_a_dict_method() -> None:
    # Pins a bug: a row key "items" rendered as "<built-in method items ...>", because
    # Jinja looks up attributes before keys.
    from mou.document.context import build_context

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    context = build_context(validate_data(sample_data()), REVISION, False, "x")
    assert keys(context) & set(dir(dict)) == set()

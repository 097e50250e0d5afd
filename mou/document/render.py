"""Word documents from agreements: docxtpl rendering, provenance, verification and PDF.

Fidelity comes first: every character a person typed reaches Word exactly. User
text is only ever a *value* in the context, rendered with autoescaping, and the
``finalize`` hook also writes braces as character references, because docxtpl
rewrites ``{_{``, ``}_}``, ``{_%`` and ``%_}`` in the rendered XML (its escape for
literal tags) and would otherwise change what was typed.

Provenance: the document carries the agreement id, the revision and a
fingerprint — SHA-256 of the visible text of the body and headers — in its footer
and in its custom document properties (``docProps/custom.xml``), so a copy that
comes back can be checked with :func:`verify`.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from ..data import PACKAGED_TEMPLATE
from ..errors import MouError
from ..model import Agreement

# Stands in for the fingerprint in the footer until the text is known; 64 characters.
PENDING = "FINGERPRINT-PENDING-" + "0" * 44
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
PROPERTY_NAMES = {
    "agreement": "mou.agreement",
    "revision": "mou.revision",
    "fingerprint": "mou.fingerprint",
    "draft": "mou.draft",
    "template": "mou.template-sha256",
}
INSTALL_LIBREOFFICE = (
    "LibreOffice is needed for --pdf but `soffice` is not on PATH; install it with "
    "`apt-get install libreoffice-writer-nogui` (Debian/Ubuntu) and try again"
)
# The names a render used that the context lacks; a list only while a render records them.
_UNKNOWN_USES: ContextVar[list[str] | None] = ContextVar("mou_unknown_uses", default=None)


# --------------------------------------------------------------------------- rendering


@lru_cache(maxsize=8)
def _template_bytes(path: str, mtime_ns: int) -> bytes:
    del mtime_ns  # part of the cache key only: an edited template is read again
    return Path(path).read_bytes()


def template_bytes(template: Path | None = None) -> bytes:
    """The bytes of ``template`` (default: the packaged master), cached until it changes."""
    path = template or PACKAGED_TEMPLATE
    try:
        return _template_bytes(str(path), path.stat().st_mtime_ns)
    except OSError as err:
        raise MouError(f"{path}: template not found ({err.strerror or err})") from None


def _finalize(value: Any) -> Any:
    from markupsafe import Markup, escape

    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    # Braces as character references: docxtpl turns a rendered "{_{" into "{{".
    escaped = str(escape(str(value)))
    return Markup(escaped.replace("{", "&#123;").replace("}", "&#125;"))


@lru_cache(maxsize=1)
def jinja_environment() -> Any:
    """The Jinja environment every render uses: autoescaping, brace-safe output, and a
    cache of compiled templates (compiling a template's XML is half the cost of a render;
    a compiled template is immutable, so sharing it across renders is safe)."""
    from jinja2 import Environment

    class CachingEnvironment(Environment):
        @lru_cache(maxsize=64)  # noqa: B019 - one environment per process, kept for its life
        def from_string(self, source: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            return super().from_string(source, *args, **kwargs)

    return CachingEnvironment(autoescape=True, finalize=_finalize, undefined=recording_undefined())


@lru_cache(maxsize=1)
def recording_undefined() -> type:
    """An Undefined that notes its name whenever the template uses it, then acts empty.

    Used, not merely created: ``{% if x is defined %}`` is not a use. Chainable, so a
    misspelt ``art.purpos.no`` is one name noted rather than an error mid-render.
    """
    from jinja2 import ChainableUndefined

    class RecordingUndefined(ChainableUndefined):
        def _note(self) -> None:
            uses, name = _UNKNOWN_USES.get(), self._undefined_name
            if uses is not None and name is not None and str(name) not in uses:
                uses.append(str(name))

        def __str__(self) -> str:
            self._note()
            return ""

        def __bool__(self) -> bool:
            self._note()
            return False

        def __iter__(self) -> Any:
            self._note()
            return iter(())

        def __len__(self) -> int:
            self._note()
            return 0

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            self._note()
            return self

        def __getitem__(self, key: Any) -> Any:
            self._note()
            return self

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            self._note()
            return self

    return RecordingUndefined


def render_recording(source: bytes, context: dict[str, Any], title: str) -> tuple[bytes, list[str]]:
    """Render ``source`` with ``context``; also the names it used that the context lacks."""
    token = _UNKNOWN_USES.set([])
    try:
        rendered = _render(source, context, title)
        return rendered, list(_UNKNOWN_USES.get() or [])
    finally:
        _UNKNOWN_USES.reset(token)


@lru_cache(maxsize=1)
def _template_class() -> Any:
    """DocxTemplate whose XML clean-up (dozens of regexes) is cached per template XML."""
    from docxtpl import DocxTemplate

    class CachedDocxTemplate(DocxTemplate):
        @lru_cache(maxsize=64)  # noqa: B019 - the cache is keyed by XML text, not by self
        def _patched(self, src_xml: str) -> str:
            return super().patch_xml(src_xml)

        def patch_xml(self, src_xml: str) -> str:
            return CachedDocxTemplate._patched(_SHARED, src_xml)

    _SHARED = CachedDocxTemplate(io.BytesIO())
    return CachedDocxTemplate


def render_docx(
    agreement: Agreement,
    revision: str | None,
    draft: bool,
    template: Path | None = None,
    warn: Callable[[str], None] | None = None,
) -> bytes:
    """The agreement as a .docx, carrying its id, revision and text fingerprint.

    ``revision`` is the sha of the commit the agreement comes from (None for an
    uncommitted copy); ``draft`` marks every page "DRAFT — NOT FOR SIGNATURE".
    A template that uses something the model does not provide would leave blanks:
    a signature-ready render is refused (MouError), a draft is passed to ``warn``.
    """
    from .context import build_context

    context = build_context(agreement, revision, draft, PENDING)
    source = template_bytes(template)
    _check_balanced(template or PACKAGED_TEMPLATE, source, draft, warn)
    rendered, unknown = render_recording(source, context, agreement.title)
    if unknown:
        _unknown_uses(template or PACKAGED_TEMPLATE, source, unknown, draft, warn)
    # The template's hash too: the same revision through an edited template reads differently.
    template_sha = hashlib.sha256(source).hexdigest()
    return stamp(rendered, agreement.id, revision, draft, template_sha)


def _check_balanced(
    path: Path, source: bytes, draft: bool, warn: Callable[[str], None] | None
) -> None:
    """Refuse (signature-ready) or warn about (draft) a template with a tag left open."""
    from .check import unbalanced_tags

    for problem in unbalanced_tags(source):
        _refuse_or_warn(
            draft,
            warn,
            f"{path}: {problem}; a signature-ready export is refused",
            f"{path}: warning: {problem}",
        )


def _unknown_uses(
    path: Path, source: bytes, names: list[str], draft: bool, warn: Callable[[str], None] | None
) -> None:
    from .check import usages

    used = ", ".join(usages(source, names))
    _refuse_or_warn(
        draft,
        warn,
        f"{path}: the template uses {used}, which the model does not provide; a "
        f"signature-ready export is refused (see `mou templates check {path}`)",
        f"{path}: warning: the template uses {used}, which the model does not provide; "
        "it is blank in this draft",
    )


def _refuse_or_warn(
    draft: bool, warn: Callable[[str], None] | None, refusal: str, warning: str
) -> None:
    """A template fault: a signature-ready document is refused, a draft only warned of."""
    if not draft:
        raise MouError(refusal)
    if warn is not None:
        warn(warning)


# LibreOffice names the core-properties relationship by a type python-docx does not
# know; python-docx then adds a second docProps/core.xml, a duplicate entry in the zip.
_LIBREOFFICE_CORE = (
    b"http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties"
)
_STANDARD_CORE = (
    b"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
)


@lru_cache(maxsize=8)
def _known_core_properties(template: bytes) -> bytes:
    """``template`` with its core-properties relationship typed as python-docx expects."""
    parts = _parts(template)
    rels = parts.get("_rels/.rels", b"")
    if _LIBREOFFICE_CORE not in rels:
        return template
    parts["_rels/.rels"] = rels.replace(_LIBREOFFICE_CORE, _STANDARD_CORE)
    return _zip(parts)


def _render(template: bytes, context: dict[str, Any], title: str) -> bytes:
    source = io.BytesIO(_known_core_properties(template))
    document = _template_class()(source)  # fresh: render() mutates it
    try:
        document.render(context, jinja_environment(), autoescape=True)
    except Exception as err:  # a template error is the template's fault, said in one line
        raise MouError(f"template cannot be rendered: {type(err).__name__}: {err}") from None
    document.docx.core_properties.title = title
    _size_matrix(document.docx, context.get("tables", {}).get("matrix_goals") or [])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _size_matrix(docx: Any, goal_labels: list[str]) -> None:
    """Give the responsibility matrix a narrow party column and equal goal columns.

    docxtpl's ``{%tc for %}`` copies the template cell's width into every goal column.
    """
    from docx.shared import Inches

    for table in docx.tables:
        if not _is_matrix(table, goal_labels):
            continue
        columns = len(table.rows[0].cells)
        widths = [Inches(0.9)] + [Inches(5.6 / (columns - 1))] * (columns - 1)
        for column, width in zip(table._tbl.tblGrid.iter(f"{W}gridCol"), widths, strict=False):
            column.set(f"{W}w", str(int(width.twips)))
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = width


def _is_matrix(table: Any, goal_labels: list[str]) -> bool:
    """The matrix by its caption, or, in a template saved by LibreOffice (which drops
    table captions), by its header row: a first cell, then one cell per goal."""
    from .build import MATRIX_CAPTION

    if not table.rows or len(table.rows[0].cells) < 2:
        return False
    caption = table._tbl.tblPr.find(f"{W}tblCaption")
    if caption is not None and caption.get(f"{W}val") == MATRIX_CAPTION:
        return True
    header = [cell.text.strip() for cell in table.rows[0].cells[1:]]
    return bool(goal_labels) and header == goal_labels


# --------------------------------------------------------------------------- text


def _paragraph_text(paragraph: Any) -> str:
    # The same reading as python-docx's Paragraph.text: text, tabs and line breaks.
    pieces = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        tag = node.tag[len(W) :]
        if tag == "t":
            pieces.append(node.text or "")
        elif tag == "tab":
            pieces.append("\t")
        elif tag == "noBreakHyphen":
            pieces.append("-")
        elif tag == "cr" or node.get(f"{W}type", "textWrapping") == "textWrapping":
            pieces.append("\n")
    return "".join(pieces)


def _xml(part_xml: bytes) -> Any:
    try:
        return etree.fromstring(part_xml)
    except etree.XMLSyntaxError as err:
        raise MouError(f"not a Word document (.docx): damaged XML: {err}") from None


def _paragraphs(part_xml: bytes) -> list[str]:
    root = _xml(part_xml)
    return [_paragraph_text(p) for p in root.iter(f"{W}p")]


def _parts(docx_bytes: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError, KeyError) as err:
        raise MouError(f"not a Word document (.docx): {err}") from None


def document_text(docx_bytes: bytes) -> str:
    """The body of a .docx as plain text, one paragraph per line (tables included)."""
    parts = _parts(docx_bytes)
    if "word/document.xml" not in parts:
        raise MouError("not a Word document (.docx): word/document.xml is missing")
    return "\n".join(_paragraphs(parts["word/document.xml"]))


def _fingerprint(parts: dict[str, bytes], recorded: str | None = None) -> str:
    """SHA-256 of the normalized visible text of body, headers and footers.

    The footers print the fingerprint itself and page numbers that Word recomputes, so
    in them the ``recorded`` fingerprint reads as the placeholder it replaced, and field
    results are left out.
    """
    body_and_headers = [
        "word/document.xml",
        *sorted(n for n in parts if n.startswith("word/header") and n.endswith(".xml")),
    ]
    texts = ["\n".join(_paragraphs(parts[n])) for n in body_and_headers if n in parts]
    texts += [_footer_text(parts[n], recorded) for n in sorted(parts) if _is_footer(n)]
    text = "\n".join(texts)
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def _is_footer(name: str) -> bool:
    return name.startswith("word/footer") and name.endswith(".xml")


def _footer_text(part_xml: bytes, recorded: str | None) -> str:
    root = _xml(part_xml)
    for result in _field_results(root):
        result.getparent().remove(result)
    text = "\n".join(_paragraph_text(p) for p in root.iter(f"{W}p"))
    return text.replace(recorded, PENDING) if recorded else text


def _field_results(root: Any) -> list[Any]:
    """The text runs showing a field's computed result (between 'separate' and 'end')."""
    results, inside = [], False
    for node in root.iter(f"{W}fldChar", f"{W}t", f"{W}fldSimple"):
        if node.tag == f"{W}fldSimple":
            results.extend(node.iter(f"{W}t"))
        elif node.tag == f"{W}fldChar":
            inside = node.get(f"{W}fldCharType") == "separate"
        elif inside and not any(a.tag == f"{W}fldSimple" for a in node.iterancestors()):
            results.append(node)
    return results


def fingerprint(docx_bytes: bytes) -> str:
    """The fingerprint of a .docx's text as it is now (the one it records read as unset)."""
    recorded = custom_properties(docx_bytes).get(PROPERTY_NAMES["fingerprint"])
    return _fingerprint(_parts(docx_bytes), recorded)


# --------------------------------------------------------------------------- provenance


def stamp(
    docx_bytes: bytes,
    agreement_id: str,
    revision: str | None,
    draft: bool,
    template_sha: str = "",
) -> bytes:
    """Put the fingerprint in the footer and the provenance in the custom properties."""
    parts = _parts(docx_bytes)
    digest = _fingerprint(parts)
    for name in parts:
        if name.startswith("word/footer") and name.endswith(".xml"):
            parts[name] = parts[name].replace(PENDING.encode(), digest.encode())
    properties = {
        "agreement": agreement_id,
        "revision": revision or "",
        "fingerprint": digest,
        "draft": "true" if draft else "false",
        "template": template_sha,
    }
    parts[CUSTOM_PART] = _custom_xml(properties)
    parts["[Content_Types].xml"] = _with_override(parts["[Content_Types].xml"])
    parts["_rels/.rels"] = _with_relationship(parts["_rels/.rels"])
    return _zip(parts)


def _custom_xml(properties: dict[str, str]) -> bytes:
    rows = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f'name="{PROPERTY_NAMES[key]}"><vt:lpwstr>{xml_escape(value)}</vt:lpwstr></property>'
        for pid, (key, value) in enumerate(properties.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/docPropsVTypes">{rows}</Properties>'
    ).encode()


def _with_override(content_types: bytes) -> bytes:
    if b"/docProps/custom.xml" in content_types:
        return content_types
    override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{CUSTOM_TYPE}"/>'
    return content_types.replace(b"</Types>", override.encode() + b"</Types>")


def _with_relationship(rels: bytes) -> bytes:
    if CUSTOM_REL.encode() in rels:
        return rels
    relationship = f'<Relationship Id="rIdMouCustom" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}"/>'
    return rels.replace(b"</Relationships>", relationship.encode() + b"</Relationships>")


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # [Content_Types].xml first, as Word writes it.
        for name in sorted(parts, key=lambda n: n != "[Content_Types].xml"):
            archive.writestr(name, parts[name])
    return buffer.getvalue()


def custom_properties(docx_bytes: bytes) -> dict[str, str]:
    """The custom document properties of a .docx, by name ({} when it has none)."""
    raw = _parts(docx_bytes).get(CUSTOM_PART)
    if raw is None:
        return {}
    try:
        root = etree.fromstring(raw)
    except etree.XMLSyntaxError:
        return {}
    return {
        prop.get("name", ""): "".join(prop.itertext())
        for prop in root
        if isinstance(prop.tag, str) and prop.tag.endswith("property")
    }


@dataclass(frozen=True)
class VerifyResult:
    """What a .docx says about where it came from, and whether its text still matches."""

    status: str  # "unaltered", "altered" or "unknown"
    agreement_id: str | None
    revision: str | None
    draft: bool
    recorded: str | None
    actual: str
    template_sha: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "unaltered"

    def describe(self) -> str:
        """One line for the user."""
        if self.status == "unknown":
            return "unknown: the document carries no mou provenance (not exported by mou)"
        origin = f"agreement {self.agreement_id} at revision {self.revision or 'uncommitted'}"
        if self.draft:
            origin += " (draft)"
        if self.status == "unaltered":
            return f"unaltered: {origin}; fingerprint {self.actual}"
        return (
            f"altered: {origin}; its text changed since export (fingerprint {self.actual}, "
            f"recorded {self.recorded})"
        )


def verify(docx_bytes: bytes) -> VerifyResult:
    """Check a .docx against the provenance it carries."""
    parts = _parts(docx_bytes)
    if "word/document.xml" not in parts:
        raise MouError("not a Word document (.docx): word/document.xml is missing")
    props = custom_properties(docx_bytes)
    recorded = props.get(PROPERTY_NAMES["fingerprint"])
    actual = _fingerprint(parts, recorded)
    agreement_id = props.get(PROPERTY_NAMES["agreement"])
    if not recorded or not agreement_id:
        status = "unknown"
    else:
        footers = b"".join(v for k, v in parts.items() if k.startswith("word/footer"))
        intact = actual == recorded and recorded.encode() in footers
        status = "unaltered" if intact else "altered"
    return VerifyResult(
        status=status,
        agreement_id=agreement_id,
        revision=props.get(PROPERTY_NAMES["revision"]) or None,
        draft=props.get(PROPERTY_NAMES["draft"]) == "true",
        recorded=recorded,
        actual=actual,
        template_sha=props.get(PROPERTY_NAMES["template"]) or None,
    )


# --------------------------------------------------------------------------- PDF


def soffice() -> str:
    """The LibreOffice executable, or a MouError saying what to install."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise MouError(INSTALL_LIBREOFFICE)
    return found


def to_pdf(docx_path: Path, out_dir: Path) -> Path:
    """Convert one .docx to PDF in ``out_dir`` with LibreOffice; return the PDF's path."""
    return to_pdfs([docx_path], out_dir)[0]


def to_pdfs(docx_paths: list[Path], out_dir: Path, timeout: float = 600) -> list[Path]:
    """Convert several .docx files in one LibreOffice run (it starts slowly)."""
    executable = soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    # A private profile per run: parallel conversions sharing one profile collide.
    profile = Path(tempfile.gettempdir()) / f"mou-soffice-{os.getpid()}-{uuid.uuid4().hex}"
    command = [
        executable,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        *(str(p) for p in docx_paths),
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise MouError(f"LibreOffice did not finish converting within {timeout:.0f} s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [out_dir / f"{p.stem}.pdf" for p in docx_paths]
    missing = [p for p in pdfs if not p.exists()]
    if result.returncode != 0 or missing:
        detail = (result.stderr or result.stdout).decode(errors="replace").strip().splitlines()
        raise MouError(
            f"LibreOffice could not convert {missing[0].stem if missing else docx_paths[0].name}"
            f" to PDF: {detail[-1] if detail else 'exit ' + str(result.returncode)}"
        )
    return pdfs

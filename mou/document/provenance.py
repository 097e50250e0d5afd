"""Provenance: what an exported document says about where it came from, and a check of it.

The document carries the agreement id, the revision and a fingerprint — SHA-256 of
the visible text of the body, headers and footers — in its footer and in its custom
document properties (``docProps/custom.xml``), so a copy that comes back can be
checked with :func:`verify`. A signed export also carries an SSH signature over that
provenance (:mod:`mou.document.signing`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from ..errors import MouError
from . import ooxml
from .ooxml import W
from .signing import Signer, statement

# Stands in for the fingerprint in the footer until the text is known; 64 characters.
PENDING = "FINGERPRINT-PENDING-" + "0" * 44

CUSTOM_PART = "docProps/custom.xml"

CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"

PROPERTY_NAMES = {
    "agreement": "mou.agreement",
    "revision": "mou.revision",
    "fingerprint": "mou.fingerprint",
    "draft": "mou.draft",
    "template": "mou.template-sha256",
    "signature": "mou.signature",
}


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
    texts = ["\n".join(ooxml.paragraphs(parts[n])) for n in body_and_headers if n in parts]
    texts += [_footer_text(parts[n], recorded) for n in sorted(parts) if _is_footer(n)]
    text = "\n".join(texts)
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def _is_footer(name: str) -> bool:
    return name.startswith("word/footer") and name.endswith(".xml")


def _footer_text(part_xml: bytes, recorded: str | None) -> str:
    root = ooxml.xml_root(part_xml)
    for result in _field_results(root):
        result.getparent().remove(result)
    text = "\n".join(ooxml.paragraph_text(p) for p in root.iter(f"{W}p"))
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
    return _fingerprint(ooxml.parts(docx_bytes), recorded)


def stamp(
    docx_bytes: bytes,
    agreement_id: str,
    revision: str | None,
    draft: bool,
    template_sha: str = "",
    signer: Signer | None = None,
) -> bytes:
    """Put the fingerprint in the footer and the provenance in the custom properties,
    signed by ``signer`` when one is given."""
    parts = ooxml.parts(docx_bytes)
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
    if signer is not None:
        properties["signature"] = signer(statement(properties))
    parts[CUSTOM_PART] = _custom_xml(properties)
    parts["[Content_Types].xml"] = _with_override(parts["[Content_Types].xml"])
    parts["_rels/.rels"] = _with_relationship(parts["_rels/.rels"])
    return ooxml.zip_parts(parts)


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


def custom_properties(docx_bytes: bytes) -> dict[str, str]:
    """The custom document properties of a .docx, by name ({} when it has none)."""
    raw = ooxml.parts(docx_bytes).get(CUSTOM_PART)
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
    signature: str | None = None
    signed_statement: bytes = b""
    """The provenance a signature would cover, as the document records it."""

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
    parts = ooxml.parts(docx_bytes)
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
        signature=props.get(PROPERTY_NAMES["signature"]) or None,
        signed_statement=statement({k: props.get(n, "") for k, n in PROPERTY_NAMES.items()}),
    )

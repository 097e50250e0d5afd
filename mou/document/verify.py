"""Verify a returned copy: what it says of itself, its signature, and the workspace's word.

Three checks, each as strong as what it can know:

1. The copy alone: its recorded fingerprint against its text. A checksum — whoever
   edits the text can recompute it — so on its own it proves nothing about origin.
2. Its signature, if it carries one: an SSH signature over the provenance, checked
   against the allowed signers. This needs no workspace.
3. The workspace, if there is one: the revision the copy names is rendered again with
   the template the copy was made with — the current one, or an earlier version found
   in git by its SHA-256 — and the texts compared. When the text cannot be compared
   (no such template anywhere), the copy is "unverified", never passed.

The decision lives here, so the CLI and any other front end cannot disagree; the
workspace answers through the :class:`Origin` protocol (:mod:`mou.store.origin`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..attachments import sha256_of, stored_problems
from ..data import PACKAGED_TEMPLATE
from ..errors import MouError
from ..model import Agreement
from .provenance import VerifyResult, fingerprint
from .provenance import verify as check_file
from .render import render_with
from .signing import SignatureCheck, check_signature
from .template import TEMPLATE_NAME, template_bytes, template_for

CHECKSUM_NOTE = (
    "the fingerprint is a checksum, not a signature: whoever edits the text can recompute "
    "it. Verify inside the workspace (it renders the revision again and compares) or "
    "check a signed export against your allowed signers"
)


class Origin(Protocol):
    """What a workspace can say about where a copy came from."""

    root: Path

    def agreement_at(self, agreement_id: str, revision: str) -> tuple[Agreement, str]:
        """The agreement as of ``revision`` and the revision that last changed it."""
        ...

    def template_with_sha256(self, sha256: str) -> bytes | None:
        """A template ever committed to the workspace with this SHA-256, or None."""
        ...

    def attachments_at(self, agreement: Agreement, revision: str) -> dict[str, bytes]:
        """The files the agreement's exhibits attach, as committed with ``revision``."""
        ...


@dataclass(frozen=True)
class Verdict:
    """The outcome: ``status`` is unaltered, altered, unverified or unknown."""

    status: str
    copy: VerifyResult
    signature: SignatureCheck
    workspace: str | None = None
    """What the workspace said, one line; None when there was no workspace to ask."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "unaltered"

    def lines(self) -> list[str]:
        """What to tell the user, one line each: the copy, its signature, the workspace."""
        lines = [self.copy.describe()]
        if self.signature.status != "unsigned" or self.workspace is None:
            lines.append(f"signature: {self.signature.describe()}")
        if self.workspace is not None:
            lines.append(self.workspace)
        return lines + [f"note: {note}" for note in self.notes]

    def as_json(self) -> dict[str, Any]:
        """The `mou verify --json` fields this verdict adds."""
        return {
            "status": self.status,
            "file_status": self.copy.status,
            "signature": {
                "status": self.signature.status,
                "principal": self.signature.principal,
                "key": self.signature.key,
            },
            "repository": self.workspace,
            "notes": self.notes,
        }


def verify_copy(
    data: bytes, origin: Origin | None, signers: Path | None, *, require_signature: bool = False
) -> Verdict:
    """Check the .docx ``data``: alone, by its signature against ``signers``, and
    against ``origin`` (the workspace) when there is one.

    ``require_signature``: the allowed signers were named for this check, so a copy
    without a trusted signature is "unverified" rather than passed on its checksum.
    """
    copy = check_file(data)
    if copy.status == "unknown":
        return Verdict("unknown", copy, SignatureCheck("unsigned"))
    signature = check_signature(copy.signed_statement, copy.signature, signers)
    status = _from_copy_and_signature(copy, signature, require_signature)
    asked = origin is not None and copy.revision and status == "unaltered"
    said = _ask_workspace(copy, origin) if asked and origin is not None else None
    if said is not None:
        status = said[0]
    trusted = signature.status == "valid" or said is not None
    notes = [] if trusted or status != "unaltered" else [CHECKSUM_NOTE]
    return Verdict(status, copy, signature, said[1] if said else None, notes)


def _from_copy_and_signature(
    copy: VerifyResult, signature: SignatureCheck, require_signature: bool
) -> str:
    if copy.status == "altered" or signature.status == "invalid":
        return "altered"
    if signature.status == "untrusted" or (require_signature and signature.status != "valid"):
        return "unverified"
    return "unaltered"


def _ask_workspace(copy: VerifyResult, origin: Origin) -> tuple[str, str]:
    """(status, one line) from rendering the copy's revision again and comparing."""
    agreement_id, revision = copy.agreement_id or "", copy.revision or ""
    try:
        agreement, last_change = origin.agreement_at(agreement_id, revision)
    except MouError:
        return (
            "unknown",
            f"unknown: revision {revision[:12]} of {agreement_id} is not in {origin.root}",
        )
    if last_change != revision:
        return "unknown", f"unknown: {revision[:12]} is not a revision that changed {agreement_id}"
    where = f"revision {revision[:12]} of {agreement_id} is in {origin.root}"
    source = _template_with_sha256(origin, copy.template_sha or "")
    if source is None:
        return "unverified", (
            f"unverified: {where}, but no template with the copy's SHA-256 "
            f"{(copy.template_sha or 'none')[:16]} is in the workspace or its history, "
            "so its text cannot be compared"
        )
    compared = _compare(copy, agreement, source, where)
    if compared[0] != "unaltered":
        return compared
    return _check_attachments(origin, agreement, revision, where) or compared


def _check_attachments(
    origin: Origin, agreement: Agreement, revision: str, where: str
) -> tuple[str, str] | None:
    """("altered", why) when a file the copy lists by SHA-256 is not stored with that
    hash at the revision (the copy's text is then no longer the whole agreement); None
    when every attached file is."""
    stored = origin.attachments_at(agreement, revision)
    hashes = {name: sha256_of(data) for name, data in stored.items()}
    problems = stored_problems(agreement, hashes)
    if not problems:
        return None
    return "altered", f"altered: {where}, but {problems[0][1]}"


def _compare(
    copy: VerifyResult, agreement: Agreement, source: bytes, where: str
) -> tuple[str, str]:
    try:
        fresh = render_with(agreement, copy.revision, copy.draft, Path(TEMPLATE_NAME), source)
    except MouError as err:
        return "unverified", f"unverified: {where}, but it cannot be rendered again: {err.message}"
    if fingerprint(fresh) != copy.actual:
        return "altered", f"altered: the text differs from a fresh export of {where}"
    return "unaltered", f"{where} and a fresh export of it has the same text"


def _template_with_sha256(origin: Origin, sha256: str) -> bytes | None:
    """The template whose bytes hash to ``sha256``: the workspace's own, the packaged
    one, any file in its ``templates/``, else any version ever committed there."""
    if not sha256:
        return None
    candidates = [template_for(origin.root), PACKAGED_TEMPLATE]
    candidates += sorted((origin.root / "templates").glob("*.docx"))
    for path in dict.fromkeys(candidates):
        try:
            data = template_bytes(path)
        except MouError:
            continue
        if hashlib.sha256(data).hexdigest() == sha256:
            return data
    return origin.template_with_sha256(sha256)

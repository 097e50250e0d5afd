"""What a workspace knows of an exported document's origin: the agreement at a revision,
and any template ever committed, found by the SHA-256 the document records.

`mou verify` re-renders the revision a returned copy names with the template it was
made with, and compares. That template may have changed since the export; its
earlier versions are still in git, so they are looked up here by content hash. The
document layer decides what to compare (:mod:`mou.document.verify`); this module only
answers from git, and satisfies that layer's ``Origin`` protocol without importing it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import MouError
from ..model import Agreement
from .git import GitFailed, Repository
from .workspace import Workspace

TEMPLATES_FOLDER = "templates"
_NO_BLOB = "0" * 40


def find_template_blob(repo: Repository, sha256: str) -> bytes | None:
    """The content of a blob ever committed under ``templates/`` (on any branch or tag)
    whose SHA-256 is ``sha256``; None when there is none."""
    blobs = _template_blobs(repo)
    for content in repo.read_files(blobs):
        if content is not None and hashlib.sha256(content).hexdigest() == sha256:
            return content
    return None


def _template_blobs(repo: Repository) -> list[str]:
    """Every blob id a commit gave a path under ``templates/``, each once."""
    try:
        out = repo.run(
            "log", "--all", "--format=", "--raw", "--no-abbrev", "--no-renames", "--",
            f"{TEMPLATES_FOLDER}/",
        )  # fmt: skip
    except GitFailed:
        return []  # no commits yet
    # ":100644 100644 <old> <new> M\ttemplates/mou.docx": the blob the commit wrote
    blobs = [line.split()[3] for line in out.splitlines() if line.startswith(":")]
    return list(dict.fromkeys(blob for blob in blobs if blob != _NO_BLOB))


class WorkspaceOrigin:
    """A workspace answering the document layer's questions about an export's origin."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.root: Path = ws.root

    def agreement_at(self, agreement_id: str, revision: str) -> tuple[Agreement, str]:
        """The agreement as of ``revision`` and the revision that last changed it then;
        MouError when the workspace does not hold it."""
        loaded = self.ws.load(agreement_id, revision)
        return loaded.agreement, loaded.revision

    def attachments_at(self, agreement: Agreement, revision: str) -> dict[str, bytes]:
        """The files ``agreement``'s exhibits attach, as committed with ``revision``."""
        return self.ws.attachments(agreement, revision)

    def template_with_sha256(self, sha256: str) -> bytes | None:
        """A template committed under ``templates/`` whose SHA-256 is ``sha256``."""
        try:
            return find_template_blob(self.ws.repo, sha256)
        except MouError:
            return None

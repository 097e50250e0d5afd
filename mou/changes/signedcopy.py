"""A signed copy handed in with a signature: it must be the unaltered export of that text.

The check is `mou verify`'s (:func:`mou.document.verify.verify_copy`, against the
workspace), plus: the copy is of this agreement and this revision, and not a draft.
Shared by `mou sign --copy` and the wizard's Signatures page, so they cannot disagree.
"""

from __future__ import annotations

from ..document.verify import verify_copy
from ..errors import MouError
from ..store.gitconfig import signing_settings
from ..store.origin import WorkspaceOrigin
from ..store.workspace import Workspace


def check_signed_copy(ws: Workspace, data: bytes, agreement_id: str, revision: str) -> None:
    """MouError (one line, without the place) unless ``data`` is the signature export."""
    settings = signing_settings(ws.root)
    verdict = verify_copy(data, WorkspaceOrigin(ws), settings.allowed_signers)
    found = verdict.copy
    if not verdict.ok:
        raise MouError(f"{verdict.status}: {'; '.join(verdict.lines())}")
    if found.agreement_id != agreement_id or found.revision != revision:
        raise MouError(
            f"a copy of {found.agreement_id} revision {(found.revision or '?')[:10]}, "
            f"not of {agreement_id} revision {revision[:10]}"
        )
    if found.draft:
        raise MouError("a draft export, not the copy for signature")

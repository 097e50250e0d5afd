"""Session state: one canonical draft per open agreement, and the workspace it lives in.

The draft is plain agreement data (the shape of :func:`mou.model.to_data`) kept in
``st.session_state`` under our own keys, never only in widget state: Streamlit
forgets a widget's value when the widget is not drawn (another step, another page),
so every widget writes through to the draft on each run and is re-seeded from it.
``generation`` is part of every widget key; bumping it (after a reload) makes every
widget start again from the draft.
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from ..attachments import sha256_of
from ..changes.decisions import Source, Taken, commit_message
from ..changes.intake import RevisionNeeded, take_in
from ..chars import hidden_char, name_of
from ..errors import ConflictError, InvalidAgreement, MouError, Problem
from ..ids import check_agreement_id
from ..model import Agreement, to_data
from ..notices import collecting
from ..settings import TRUSTED_EMAIL_HEADER, TRUSTED_NAME_HEADER, WORKSPACE, resolve_workspace
from ..store import drafts as kept_drafts
from ..store.workspace import Author, Workspace
from ..validate import validate_data
from .rows import slugify

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
DRAFTS = "mou_drafts"
OPEN = "mou_open_id"
AUTHOR = "mou_author"
TOKEN = "mou_draft_token"
KEPT = "mou_kept_versions"
"""Agreement id -> the draft version last written to disk (or found clean) this session."""
KEPT_OPEN = "mou_kept_open"
KEEP_PROBLEMS = "mou_keep_problems"
QUERY = "draft"
"""The URL query parameter that carries the tab's draft token across a reload."""
# What the form can check before git does: something@domain.tld, no spaces or brackets.
_EMAIL = re.compile(r"[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+")


@dataclass
class Conflict:
    """Someone saved the agreement after this edit started: their revision and content."""

    revision: str
    author: str
    data: dict[str, Any]


@dataclass
class Draft:
    """The liaison's working copy of one agreement."""

    agreement_id: str
    data: dict[str, Any]
    base: str | None
    """Revision the edit started from; None for an agreement not yet saved."""
    saved: dict[str, Any] | None
    generation: int = 0
    conflict: Conflict | None = None
    version: int = 0
    """Bumped on every edit, so validation reruns only when something changed."""
    notices: list[str] = field(default_factory=list)
    """Remarks from loading the revision, e.g. that it was written in an older schema version."""
    intake: Taken | None = None
    """The partner's returned copy this draft decides on; its save credits the partner."""
    attachments: dict[str, bytes] = field(default_factory=dict)
    """Files uploaded for file exhibits, by name, not yet saved: the next save commits them."""
    hints: dict[str, str] = field(default_factory=dict)
    """What goes in the fields a preset left blank, shown in them while they are empty,
    by JSON path with list positions left out (:func:`mou.presets.hint_path`)."""
    _checked: tuple[int, list[Problem], dict[str, list[str]]] | None = field(
        default=None, repr=False
    )
    _memo: dict[str, tuple[int, Any]] = field(default_factory=dict, repr=False)

    @property
    def dirty(self) -> bool:
        """True when the draft differs from the revision it started from."""
        return self.data != self.saved

    def key(self, path: str) -> str:
        """The widget key of the field at JSON ``path`` in this draft."""
        return f"{self.agreement_id}:{self.generation}:{path}"

    def touch(self) -> None:
        """Note that ``data`` changed (every write to the draft calls this)."""
        self.version += 1

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered until the draft next changes (rules, previews)."""
        kept = self._memo.get(name)
        if kept is None or kept[0] != self.version:
            kept = (self.version, compute())
            self._memo[name] = kept
        return kept[1]

    def problems(self) -> list[Problem]:
        """Validation problems of the draft as it is now (cached until it changes)."""
        return self._validated()[1]

    def problems_by_path(self) -> dict[str, list[str]]:
        """Problem messages grouped by JSON path."""
        return self._validated()[2]

    def _validated(self) -> tuple[int, list[Problem], dict[str, list[str]]]:
        if self._checked is None or self._checked[0] != self.version:
            found = _validation_problems(self.data)
            self._checked = (self.version, found, problems_by_path(found))
        return self._checked

    def replace(self, data: dict[str, Any], base: str | None) -> None:
        """Start over from saved content at ``base`` (a reload): widgets re-seed."""
        self.data = copy.deepcopy(data)
        self.saved = copy.deepcopy(data)
        self.base = base
        self.conflict = None
        self.attachments = {}  # uploads belonged to the edit being replaced
        self.generation += 1
        self.touch()


def _validation_problems(data: dict[str, Any]) -> list[Problem]:
    try:
        validate_data(data)
    except InvalidAgreement as err:
        return err.problems
    return []


def problems_by_path(problems: list[Problem]) -> dict[str, list[str]]:
    """Problem messages grouped by JSON path."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.path, []).append(problem.message)
    return grouped


# --------------------------------------------------------------------------- session


def drafts() -> dict[str, Draft]:
    """Every draft opened in this browser session, by agreement id."""
    return st.session_state.setdefault(DRAFTS, {})


def current() -> Draft | None:
    """The draft of the agreement open now, if any."""
    open_id = st.session_state.get(OPEN)
    return drafts().get(open_id) if open_id else None


def author() -> dict[str, str]:
    """The author's name and email, remembered for the browser session."""
    return st.session_state.setdefault(AUTHOR, {"name": "", "email": ""})


def proxy_identity() -> dict[str, str] | None:
    """Who is signed in, from the trusted proxy's headers; None when none is configured.

    MouError when the app is configured to trust a proxy but the request carries no
    identity (someone reached the app around the proxy): nobody may then save.
    """
    email_header = os.environ.get(TRUSTED_EMAIL_HEADER.env, "").strip()
    if not email_header:
        return None
    headers = request_headers()
    email = (headers.get(email_header) or "").strip()
    if not email:
        raise MouError(
            f"the sign-in proxy did not say who you are (no {email_header} header); "
            "open the app through the proxy"
        )
    name_header = os.environ.get(TRUSTED_NAME_HEADER.env, "").strip()
    name = (headers.get(name_header) or "").strip() if name_header else ""
    return {"name": name or email.split("@", 1)[0], "email": email, "header": email_header}


def request_headers() -> Any:
    """The headers of the browser's request to the app (case-insensitive)."""
    return st.context.headers


def start_new(data: dict[str, Any], hints: dict[str, str] | None = None) -> Draft:
    """Open a new, never saved agreement from preset data (``hints``: what its blank
    fields ask for)."""
    draft = Draft(data["id"], copy.deepcopy(data), base=None, saved=None, hints=hints or {})
    drafts()[draft.agreement_id] = draft
    st.session_state[OPEN] = draft.agreement_id
    return draft


def open_agreement(agreement_id: str) -> Draft:
    """Open an agreement: its draft in this session if it has edits, else its latest revision.

    A draft without edits follows the workspace: when someone saved since it was opened,
    reopening shows (and exports) their revision, not the superseded one.
    """
    draft = drafts().get(agreement_id)
    if draft is None or (draft.base is not None and not draft.dirty):
        with workspace() as ws, collecting() as notices:
            loaded = ws.load(agreement_id)
        data = to_data(loaded.agreement)
        if draft is None:
            draft = Draft(agreement_id, copy.deepcopy(data), loaded.revision, copy.deepcopy(data))
            drafts()[agreement_id] = draft
        elif loaded.revision != draft.base:
            draft.replace(data, loaded.revision)
        draft.notices = list(notices)
    st.session_state[OPEN] = agreement_id
    return draft


def new_id_problem(agreement_id: str, taken: set[str]) -> str | None:
    """Why ``agreement_id`` cannot be a new agreement's id (malformed, or ``taken`` or open
    in this session already), or None."""
    try:
        check_agreement_id(agreement_id)
    except MouError as err:
        return err.message
    if agreement_id in taken:
        return f"an agreement with the id '{agreement_id}' already exists; choose another."
    if agreement_id in drafts():
        return (
            f"a new agreement with the id '{agreement_id}' is open in this session, not saved "
            "yet: open it from the list above, or choose another id."
        )
    return None


def suggest_id(title: str, taken: set[str]) -> str:
    """A new agreement's id made from its title ("Lake Partnership" -> ``lake-partnership``),
    unlike any id in ``taken`` or open in this session; valid even for a short or
    non-Latin title."""
    base = slugify(title, fallback="agreement")
    if len(base) < 3:
        base = f"{base}-agreement"
    return slugify(base, taken | set(drafts()))


def rename_new(draft: Draft, new_id: str) -> None:
    """Give a never-saved draft another id: the one it had was taken meanwhile.

    MouError (naming the field) when the id is malformed or taken too.
    """
    with workspace() as ws:
        problem = new_id_problem(new_id, set(ws.ids()))
    if problem:
        raise MouError(f"New id: {problem}")
    drafts().pop(draft.agreement_id, None)
    draft.agreement_id = new_id
    draft.data["id"] = new_id
    draft.conflict = None
    draft.generation += 1  # the fields' keys carry the id: start them again from the draft
    draft.touch()
    drafts()[new_id] = draft
    st.session_state[OPEN] = new_id


def discard(draft: Draft) -> None:
    """Drop unsaved edits: back to the saved revision, or forget a never-saved draft
    (a returned copy being decided on is put aside too)."""
    draft.intake = None
    if draft.base is None or draft.saved is None:
        drafts().pop(draft.agreement_id, None)
        st.session_state[OPEN] = None
    else:
        draft.replace(draft.saved, draft.base)


# --------------------------------------------------------------------------- kept on disk


def keep_across_reloads() -> None:
    """Give the session its tab's draft token (from the URL, else a new one put there);
    on the session's first run, bring back the drafts kept under that token."""
    token = st.session_state.get(TOKEN)
    if token is None:
        token = _restore(st.query_params.get(QUERY))
        st.session_state[TOKEN] = token
    if st.query_params.get(QUERY) != token:
        st.query_params[QUERY] = token  # page links may drop it; a reload must find it


def keep_problems() -> list[str]:
    """Drafts that could not be brought back or kept on disk, one line each."""
    return st.session_state.setdefault(KEEP_PROBLEMS, [])


def _restore(asked: object) -> str:
    """Load the drafts kept for the token ``asked`` (if it is one); the session's token."""
    try:
        return _restored(asked)
    except MouError as err:  # no usable workspace: the pages say so; start empty
        _note(err.message)
        return secrets.token_urlsafe(16)


def _note(problem: str) -> None:
    if problem not in keep_problems():
        keep_problems().append(problem)


def _restored(asked: object) -> str:
    root = workspace_root()
    if not kept_drafts.known(root, asked):
        return secrets.token_urlsafe(16)  # a bad or unknown token: start empty, never fail
    token = str(asked)
    try:
        records, problems = kept_drafts.read_all(root, token)
    except MouError as err:
        records, problems = {}, [err.message]
    keep_problems().extend(problems)
    for agreement_id, record in records.items():
        _adopt_kept(agreement_id, record)
    _reopen(kept_drafts.read_open(root, token))
    return token


def _adopt_kept(agreement_id: str, record: dict[str, Any]) -> None:
    if agreement_id in drafts():
        return  # what the session holds is newer than the disk
    data = {**record["data"], "id": agreement_id}
    base, saved, hints = record.get("base"), record.get("saved"), record.get("hints") or {}
    draft = Draft(agreement_id, data, base, saved, hints=hints)
    drafts()[agreement_id] = draft
    st.session_state.setdefault(KEPT, {})[agreement_id] = draft.version


def _reopen(agreement_id: str | None) -> None:
    """Open again the agreement the tab had open; quietly nothing when it is gone."""
    if agreement_id is None or st.session_state.get(OPEN):
        return
    try:
        open_agreement(agreement_id)
    except MouError:
        return
    st.session_state[KEPT_OPEN] = agreement_id


def keep_drafts() -> None:
    """Write every draft that changed since it was last kept; remove the kept copy of
    drafts now clean (saved, discarded) or gone (put aside). Nothing changed, nothing
    written: a comparison of version numbers."""
    token = st.session_state.get(TOKEN)
    if token is None:
        return
    kept: dict[str, int] = st.session_state.setdefault(KEPT, {})
    try:
        for agreement_id in set(kept) - set(drafts()):
            kept_drafts.remove(workspace_root(), token, agreement_id)
            del kept[agreement_id]
        for draft in drafts().values():
            if kept.get(draft.agreement_id) != draft.version:
                _keep(token, draft)
                kept[draft.agreement_id] = draft.version
        _keep_open(token)
    except MouError as err:
        _note(f"Unsaved changes could not be kept on disk: {err.message}")


def _keep(token: str, draft: Draft) -> None:
    root = workspace_root()
    if not draft.dirty:
        kept_drafts.remove(root, token, draft.agreement_id)
        return
    record = {"data": draft.data, "base": draft.base, "saved": draft.saved, "hints": draft.hints}
    kept_drafts.write(root, token, draft.agreement_id, record)


def _keep_open(token: str) -> None:
    open_id = st.session_state.get(OPEN)
    if st.session_state.get(KEPT_OPEN, None) != open_id:
        kept_drafts.write_open(workspace_root(), token, open_id)
        st.session_state[KEPT_OPEN] = open_id


# --------------------------------------------------------------------------- workspace


def workspace_root() -> Path:
    """$MOU_WORKSPACE when set, else the repository this app lives in."""
    if os.environ.get(WORKSPACE.env):
        return resolve_workspace()
    return REPOSITORY_ROOT


@contextmanager
def workspace() -> Iterator[Workspace]:
    """The git workspace, opened for one operation and closed after it."""
    ws = Workspace(workspace_root())
    try:
        yield ws
    finally:
        ws.close()


def revision(agreement_id: str, sha: str) -> Agreement:
    """The agreement as saved in the commit ``sha`` (a full sha from its history).

    Shared by every session and kept, since a commit never changes: History and Compare
    pay for reading and validating a revision once, not on every rerun. The model is
    shared, so callers only read it. MouError when that revision cannot be read.
    """
    return _revision(str(workspace_root()), agreement_id, sha)


@st.cache_resource(max_entries=32, show_spinner="Reading the revision…")
def _revision(root: str, agreement_id: str, sha: str) -> Agreement:
    with Workspace(Path(root)) as ws:
        return ws.load(agreement_id, sha).agreement


def save(draft: Draft, message: str, name: str, email: str) -> Any:
    """Validate and commit the draft as one revision; the store's ``Saved`` answer.

    Raises InvalidAgreement when the draft has problems, MouError for a bad author
    and ConflictError when someone saved since the edit started (the conflict is
    also recorded on the draft so the page can show what changed).
    """

    agreement = validate_data(draft.data)
    signer = _signer(name, email)
    if not message.strip():
        raise MouError("a save needs a message that says what changed and why")
    if draft.intake is not None:
        message = commit_message(message, draft.intake, draft.data)
    try:
        with workspace() as ws:
            new = draft.base is None  # someone may create the same id meanwhile
            saved = ws.save(
                agreement,
                message.strip(),
                signer,
                base=draft.base,
                new=new,
                attachments=draft.attachments,
            )
    except ConflictError:
        draft.conflict = their_version(draft.agreement_id)
        raise
    _adopt_saved(draft, agreement, saved.revision)
    draft.intake = None
    return saved


def author_of(name: str, email: str) -> Any:
    """The person recording a fact (a signature, an amendment) from a form's two fields."""
    return _signer(name, email)


def _signer(name: str, email: str) -> Any:
    """The author of a save from the form's two fields, with messages that name them."""
    name, email = name.strip(), email.strip()
    if not name:
        raise MouError("Your name: needed, so that the revision says who saved it")
    if not _EMAIL.fullmatch(email):
        raise MouError(f"Your email: {email!r} is not an e-mail address (jane.roe@agency.gov)")
    for label, value in (("Your name", name), ("Your email", email)):
        bad = hidden_char(value)
        if bad is not None:
            kind = "control" if unicodedata.category(bad) == "Cc" else "bidirectional control"
            raise MouError(f"{label}: the {kind} character {name_of(bad)} is not allowed")
    return Author.parse(f"{name} <{email}>")


def _adopt_saved(draft: Draft, agreement: Agreement, revision: str) -> None:
    canonical = to_data(agreement)
    if canonical != draft.data:
        draft.replace(canonical, revision)  # widgets show the canonical values
    draft.base = revision
    draft.saved = copy.deepcopy(draft.data)
    draft.conflict = None
    draft.notices = []  # the saved revision is written in the current version
    draft.attachments = {}  # committed with the revision
    draft.touch()  # previews and checks now belong to the saved revision


def stored_attachments(draft: Draft, agreement: Agreement) -> dict[str, str | None]:
    """Name → SHA-256 of the attached files a save of the draft would commit: those
    uploaded, else those stored with the revision the edit started from."""
    committed: dict[str, bytes] = {}
    if not any(x.file for x in agreement.exhibits):
        return {}  # nothing attached: no need to read git
    if draft.base is not None:
        with workspace() as ws:
            committed = ws.attachments(agreement, draft.base)
    found = committed | draft.attachments
    return {name: sha256_of(data) for name, data in found.items()}


def their_version(agreement_id: str) -> Conflict:
    """The latest saved revision of an agreement, as a conflict to show."""
    with workspace() as ws:
        loaded = ws.load(agreement_id)
        history = ws.history(agreement_id)
    who = f"{history[0].author} on {history[0].date:%Y-%m-%d %H:%M}" if history else "someone"
    return Conflict(loaded.revision, who, to_data(loaded.agreement))


def reload_theirs(draft: Draft) -> None:
    """Discard the local edits and continue from the newer saved revision."""
    if draft.conflict is not None:
        draft.replace(draft.conflict.data, draft.conflict.revision)
        draft.intake = None  # the accepted changes went with the local edits


# --------------------------------------------------------------------------- returned copies


def take_in_copy(name: str, data: bytes, revision: str = "") -> Draft:
    """Open a partner's returned copy ``data`` (uploaded as ``name``) as the draft of its
    agreement, every change it proposes accepted, based on the revision it was exported
    from. MouError (one line) for a copy that cannot be taken in, and when the agreement
    has unsaved edits in this session: they are never replaced."""
    with workspace() as ws:
        try:
            result = take_in(ws, data, revision.strip() or None)
        except RevisionNeeded as err:
            raise MouError(f"{err.message}; give it under “Exported from revision”") from None
    held = drafts().get(result.agreement_id)
    if held is not None and held.dirty:
        raise MouError(
            f"{result.agreement_id} has unsaved changes in this session; save or discard "
            "them on the Review page first, then take the copy in"
        )
    taken = Taken(result, Source.of(name, data))
    draft = Draft(result.agreement_id, copy.deepcopy(taken.proposed), result.base,
                  copy.deepcopy(taken.base_data), intake=taken)  # fmt: skip
    if held is not None:
        draft.generation = held.generation + 1  # its fields start again from this draft
    drafts()[draft.agreement_id] = draft
    st.session_state[OPEN] = draft.agreement_id
    return draft


def put_aside(draft: Draft) -> None:
    """Forget a returned copy and the draft made from it; the agreement reopens from its
    latest revision."""
    draft.intake = None
    drafts().pop(draft.agreement_id, None)
    if st.session_state.get(OPEN) == draft.agreement_id:
        st.session_state[OPEN] = None

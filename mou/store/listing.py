"""The rows of `mou list`, fast on a workspace of thousands of agreements.

Two costs are avoided. Walking each agreement's history separately: the last
change of every file comes from one ``git log --name-only`` pass, and only the
commits since the previous call are walked after that. Parsing every file whole:
the few summary fields are read by a scanner that understands the canonical
layout; a file written otherwise (by plain git: keys reordered, re-indented,
flow-style values) is cut into its top-level pieces (:mod:`mou.yamlchunks`), of
which libyaml checks every one and builds only those holding summary fields; a
JSON file is read as JSON; only what none of these can take is loaded whole, by
libyaml. The files are read by one ``git cat-file --batch``.
Both results are cached in ``.git/mou-list-cache.json``, keyed by the head
commit and by blob sha, so the cache can never describe other content than git
holds; a damaged cache is ignored and rebuilt. A fresh clone has no cache, so the
first listing there takes the uncached path, which is built to be fast too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from yaml import YAMLError

from ..coreyaml import load_piece, load_yaml
from ..errors import MouError
from ..fsutil import atomic_write
from ..lifecycle import STATES as LIFECYCLE_STATES
from ..yamlchunks import is_wellformed, item_pieces, list_items, may_span_lines, top_level
from .git import GitFailed, Repository, commit_date

CACHE_FILE = "mou-list-cache.json"
CACHE_VERSION = 2  # 2: rows know the schema version their file declares
PARALLEL_FROM = 200  # files to read before a second process is worth its start
_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$")
_SCALAR_KEYS = ("title", "type", "status")
_VERSION_KEY = "schema_version"  # absent in a version-1 file, so not required
_UNSAFE_START = tuple("|>&*!{[%@`'\"")
# sha, author name, ISO date; each ends in NUL (`git log -z`), which no name can hold.
_CHANGE_FORMAT = "%H%x00%an%x00%aI"
_CHANGE_FIELDS = 3
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Summary:
    """One row of `mou list`."""

    id: str
    title: str
    type: str
    status: str
    parties: list[str]
    effective_date: str | None
    expiration_date: str | None
    schema_version: str | None
    """The ``schema_version`` the file declares, as written; None for a version-1 file."""
    revision: str
    author: str
    date: dt.datetime
    state: str = "draft"
    """Derived from the lifecycle record (see :func:`mou.lifecycle.state`), never typed."""

    def as_json(self) -> dict[str, Any]:
        """The `mou list --json` shape of one row."""
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "status": self.status,
            "parties": list(self.parties),
            "effective_date": self.effective_date,
            "expiration_date": self.expiration_date,
            "revision": self.revision,
            "author": self.author,
            "date": self.date.isoformat(),
            "state": self.state,
        }


# The model's agreement types and states, spelled here so that `mou list` needs no pydantic
# (a test keeps them equal to the model's enumerations).
TYPES = ("task_force", "information_sharing", "community_partnership", "joint_training",
         "mutual_aid")  # fmt: skip
STATES = tuple(s for s in LIFECYCLE_STATES if s != "approved")
"""The states `mou list` can show: derived from signatures, never typed; "approved" needs the
readiness rules, which `mou list` does not load."""


@dataclass(frozen=True)
class Filter:
    """Which agreements `mou list` shows; None lets every agreement through."""

    party: str | None = None
    type: str | None = None
    state: str | None = None
    expiring_before: dt.date | None = None

    def keeps(self, row: Summary) -> bool:
        """Whether ``row`` passes every filter given (a party by acronym, any case)."""
        if self.party and self.party.casefold() not in {p.casefold() for p in row.parties}:
            return False
        if self.type and row.type != self.type:
            return False
        if self.state and row.state != self.state:
            return False
        if self.expiring_before is None:
            return True
        return row.expiration_date is not None and row.expiration_date < str(self.expiring_before)


def summaries(repo: Repository, head: str, blobs: dict[str, str]) -> list[Summary]:
    """A summary per agreement id in ``blobs`` (id -> blob sha at ``head``), sorted by id."""
    cache_path = Path(repo.git_dir) / CACHE_FILE
    cache = _read_cache(cache_path)
    before = json.dumps(cache, sort_keys=True)
    changes = _last_changes(repo, head, cache, set(blobs))
    fields = cache["fields"]
    unread = sorted(set(blobs.values()) - set(fields))
    texts = [(raw or b"").decode("utf-8", "replace") for raw in repo.read_files(unread)]
    fields.update(zip(unread, _all_summary_fields(texts), strict=True))
    cache["fields"] = {blob: fields[blob] for blob in blobs.values()}
    if json.dumps(cache, sort_keys=True) != before:
        _write_cache(cache_path, cache)
    rows = []
    for agreement_id in sorted(blobs):
        sha, author, date = changes[agreement_id]
        info = fields[blobs[agreement_id]]
        rows.append(Summary(agreement_id, **info, revision=sha, author=author, date=_date(date)))
    return rows


def _date(text: str) -> dt.datetime:
    return commit_date(text)


# ---------------------------------------------------------------------- last changes


def _last_changes(
    repo: Repository, head: str, cache: dict[str, Any], ids: set[str]
) -> dict[str, list[str]]:
    """id -> [sha, author name, ISO date] of the last commit that changed each file."""
    known: dict[str, list[str]] = cache["changes"]
    if cache["head"] != head:
        since = cache["head"] if _is_ancestor(repo, cache["head"], head) else None
        newer = _changes_in_log(repo, f"{since}..{head}" if since else head)
        known = {**(known if since else {}), **newer}
    for missing in ids - set(known):
        # Reached only through a merge whose diff git log does not list; rare.
        path = f"agreements/{missing}.yaml"
        found = _changes_in_log(repo, head, path, first=True).get(missing)
        known[missing] = found or _commit_info(repo, head)
    cache["head"] = head
    cache["changes"] = {i: known[i] for i in ids}
    return cache["changes"]


def _commit_info(repo: Repository, commit: str) -> list[str]:
    out = repo.run("log", "-1", "-z", f"--format={_CHANGE_FORMAT}", commit, strip=False)
    return out.split("\0")[:_CHANGE_FIELDS]


def _is_ancestor(repo: Repository, old: str | None, new: str) -> bool:
    if not old:
        return False
    try:
        repo.run("merge-base", "--is-ancestor", old, new)
    except GitFailed:
        return False
    return True


def _changes_in_log(
    repo: Repository, revisions: str, path: str = "agreements/", first: bool = False
) -> dict[str, list[str]]:
    """Newest change per agreement file in one ``git log --name-only`` pass."""
    options = ["-1"] if first else []
    # A merge that resolved or added a file changed it too; plain --name-only lists
    # nothing for merges.
    options += ["-z", f"--format={_CHANGE_FORMAT}", "--name-only", "--diff-merges=dense-combined"]
    out = repo.run("log", *options, revisions, "--", path, strip=False)
    changes: dict[str, list[str]] = {}
    for header, names in _log_records(out.split("\0")):
        for name in names:
            if name.startswith("agreements/") and name.endswith(".yaml"):
                changes.setdefault(name[len("agreements/") : -len(".yaml")], header)
    return changes


def _log_records(fields: list[str]) -> Iterator[tuple[list[str], list[str]]]:
    """(header, file names) per commit of ``git log -z --name-only`` split at NUL.

    Each commit is its header fields, each ending in NUL, then its file names (the
    first after a newline), each ending in NUL; a merge lists none. The header is
    taken by position, so a name or message may hold any character; a file name
    starts with ``agreements/`` (the path the log is limited to), a sha never does.
    """
    header: list[str] = []
    names: list[str] = []
    for field in fields:
        if len(header) < _CHANGE_FIELDS:
            header.append(field)
        elif field.lstrip("\n").startswith("agreements/"):
            names.append(field.lstrip("\n"))
        elif field:
            yield header, names
            header, names = [field], []
    if len(header) == _CHANGE_FIELDS:
        yield header, names


# ---------------------------------------------------------------------- fields


def _all_summary_fields(texts: list[str]) -> list[dict[str, Any]]:
    return in_two_processes(summary_fields, texts)


def in_two_processes(read: Callable[[T], R], items: list[T]) -> list[R]:
    """``read`` of each item; on two cores or more, many are read in two processes.

    A fresh clone of a large workspace has thousands of files to read. The second half
    goes to a forked child (it inherits the items, sends back plain values), but only in a
    process running no other thread: forking beside threads (the wizard's server) could
    copy a lock that one of them holds.
    """
    alone = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    if len(items) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not alone:
        return [read(item) for item in items]
    half = len(items) // 2
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_send_read, args=(read, items[half:], sending))
    child.start()
    sending.close()
    mine = [read(item) for item in items[:half]]
    try:
        theirs = receiving.recv()
    except EOFError:  # the child died (out of memory, killed): read its half here
        theirs = [read(item) for item in items[half:]]
    child.join()
    return mine + theirs


def _send_read(read: Callable[[T], R], items: list[T], sending: Any) -> None:
    sending.send([read(item) for item in items])
    sending.close()


def summary_fields(text: str) -> dict[str, Any]:
    """Title, type, status, party acronyms and term dates of one agreement file's text."""
    return scan_summary(text) or piece_summary(text) or json_summary(text) or _loaded_summary(text)


def scan_summary(text: str) -> dict[str, Any] | None:
    """The summary fields read line by line from a canonical file; None if in doubt."""
    if may_span_lines(text):
        # Regression (issue 10): `purpose: "one` then `title: Forged"` is one quoted
        # purpose, yet this scanner read a title. Canonical files keep every quoted or
        # flow value on one line; anything else goes to the readers that check.
        return None
    top: dict[str, str] = {}
    parties: list[str] = []
    term: dict[str, str] = {}
    section = ""
    for line in text.split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            match = _TOP_KEY.match(line)
            if match is None:
                return None
            section, value = match.groups()
            known = section in _SCALAR_KEYS or section == _VERSION_KEY
            if known and (value is None or section in top):
                return None  # a block scalar or a repeated key: let the loader decide
            if known:
                top[section] = plain_scalar(value)
        elif section in _SCALAR_KEYS or section == _VERSION_KEY:
            return None  # the value goes on over several lines
        elif section == "parties" and line.startswith("    acronym: "):
            parties.append(plain_scalar(line[len("    acronym: ") :]))
        elif section == "term" and line.startswith(("  effective_date: ", "  expiration_date: ")):
            key, value = line.strip().split(": ", 1)
            term[key] = plain_scalar(value)
    return _fields(top, parties, term) if _all_simple(top, parties, term) else None


def plain_scalar(value: str) -> str:
    """The text of a one-line scalar, or a marker that the full loader must decide."""
    if value.startswith("'") and value.endswith("'") and len(value) > 1:
        inner = value[1:-1]
        return inner.replace("''", "'") if "'" not in inner.replace("''", "") else "\0"
    if value.startswith(_UNSAFE_START) or " #" in value:
        return "\0"
    if not value or value.startswith(("- ", "? ")) or value.rstrip() != value:
        return "\0"
    return value


def _all_simple(top: dict[str, str], parties: list[str], term: dict[str, str]) -> bool:
    values = [*top.values(), *parties, *term.values()]
    return "\0" not in "".join(values) and all(key in top for key in _SCALAR_KEYS)


def _fields(top: dict[str, str], parties: list[str], term: dict[str, str]) -> dict[str, Any]:
    return {
        "title": top.get("title", ""),
        "type": top.get("type", ""),
        "status": top.get("status", ""),
        "parties": parties,
        "effective_date": term.get("effective_date"),
        "expiration_date": term.get("expiration_date"),
        "schema_version": top.get(_VERSION_KEY),
    }


def piece_summary(text: str) -> dict[str, Any] | None:
    """The summary fields of a block-style file read piece by piece; None if in doubt.

    Only the pieces holding summary fields are built into values; libyaml checks each
    run of the pieces between them in one pass, so a key-like line inside a quoted or
    flow value cannot pass for a key (see :mod:`mou.yamlchunks`).
    """
    pieces = top_level(text)
    readers = {key: _scalar_piece for key in (*_SCALAR_KEYS, _VERSION_KEY, "term")}
    data = _read_pieces(pieces, {**readers, "parties": _parties}) if pieces else None
    return _summary_of(data) if data is not None else None


def _read_pieces(pieces: list[tuple[str, str]], readers: dict) -> dict[str, Any] | None:
    """The value of each piece with a reader; None if one or a run of the others is unsound."""
    data: dict[str, Any] = {}
    skipped: list[str] = []
    for key, piece in pieces:
        if key not in readers:
            skipped.append(piece)
            continue
        if skipped and not is_wellformed("".join(skipped)):
            return None
        skipped = []
        data[key] = readers[key](key, piece)
        if data[key] is _UNREAD:
            return None
    return data if not skipped or is_wellformed("".join(skipped)) else None


_UNREAD: Any = object()  # a piece that must be read with the whole file instead


def _scalar_piece(key: str, piece: str) -> Any:
    return (load_piece(piece) or {}).get(key, _UNREAD)


def _parties(key: str, piece: str) -> Any:
    """The parties as ``[{"acronym": ...}]``, building no more than each acronym."""
    items = list_items(piece)
    if items is None:
        return _scalar_piece(key, piece)
    parties = []
    for item in items:
        pieces = item_pieces(item)
        party = _read_pieces(pieces, {"acronym": _scalar_piece}) if pieces else None
        if party is None:
            return _UNREAD
        parties.append(party)
    return parties


def json_summary(text: str) -> dict[str, Any] | None:
    """The summary fields of a file written as JSON (which is YAML too); None if it is not.

    JSON that Python reads is read the same by a YAML 1.2 loader, except for a key
    given twice and the non-standard NaN and Infinity, which are left to the loader.
    """
    if not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text, object_pairs_hook=_no_repeats, parse_constant=_no_constant)
    except ValueError:
        return None
    return _summary_of(data)


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("a key is given twice")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _loaded_summary(text: str) -> dict[str, Any]:
    """The summary fields through libyaml; "invalid" status when it cannot read them."""
    try:
        data = load_yaml(text)
    except (YAMLError, ValueError):
        data = None
    return _summary_of(data)


def _summary_of(data: Any) -> dict[str, Any]:
    """The summary fields of a file's data (an "invalid" status when it is no mapping)."""
    if not isinstance(data, dict):
        return _fields({"status": "invalid"}, [], {})
    term = _of_type(data.get("term"), dict)
    parties = _of_type(data.get("parties"), list)
    top = {key: _text(data.get(key)) or "" for key in _SCALAR_KEYS}
    if (version := _text(data.get(_VERSION_KEY))) is not None:
        top[_VERSION_KEY] = version
    return _fields(
        top,
        [_text(p.get("acronym")) or "" for p in parties if isinstance(p, dict)],
        {k: v for k in ("effective_date", "expiration_date") if (v := _text(term.get(k)))},
    )


def _of_type(value: Any, kind: type) -> Any:
    return value if isinstance(value, kind) else kind()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# ---------------------------------------------------------------------- cache file


def _read_cache(path: Path) -> dict[str, Any]:
    empty: dict[str, Any] = {"version": CACHE_VERSION, "head": None, "changes": {}, "fields": {}}
    try:
        cache = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return empty
    return cache if _is_valid_cache(cache) else empty


def _is_valid_cache(cache: Any) -> bool:
    """Whether ``cache`` has the shape this version writes, down to every entry."""
    if not isinstance(cache, dict) or cache.get("version") != CACHE_VERSION:
        return False
    head, changes, fields = cache.get("head"), cache.get("changes"), cache.get("fields")
    if not (head is None or (isinstance(head, str) and _SHA.fullmatch(head))):
        return False  # a head that is no sha could even be read by git as an option
    if not isinstance(changes, dict) or not isinstance(fields, dict):
        return False
    return all(map(_is_change, changes.values())) and all(map(_is_fields, fields.values()))


def _is_change(value: Any) -> bool:
    if not (isinstance(value, list) and len(value) == _CHANGE_FIELDS):
        return False
    if not all(isinstance(part, str) for part in value):
        return False
    try:
        dt.datetime.fromisoformat(value[2])  # strict: the cache wrote what git printed
    except ValueError:
        return False
    return True


def _is_fields(value: Any) -> bool:
    if not isinstance(value, dict) or set(value) != set(_fields({}, [], {})):
        return False
    if not isinstance(value["parties"], list):
        return False
    texts = [*(value[key] for key in _SCALAR_KEYS), *value["parties"]]
    dates = [value["effective_date"], value["expiration_date"], value["schema_version"]]
    return all(isinstance(t, str) for t in texts) and all(
        d is None or isinstance(d, str) for d in dates
    )


def _write_cache(path: Path, cache: dict[str, Any]) -> None:
    # A read-only repository still lists, just without the speed-up.
    with contextlib.suppress(OSError, MouError):
        atomic_write(path, json.dumps(cache, separators=(",", ":")).encode())

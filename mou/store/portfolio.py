"""Every agreement at HEAD as the few facts deadlines and totals need, cached by blob.

Facts are read from the committed files by a line scanner for the canonical layout
(:mod:`mou.store.factscan`), by libyaml when it is in doubt (:func:`mou.deadlines.facts_of`),
in two processes when there are many (as `mou list` does). They are kept in
``.git/mou-facts-cache.json`` under each file's blob id, so a second run over thousands of
agreements reads only what changed. The cache is checked on every read and always safe to
delete.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from ..deadlines import HOLDING_KEYS, facts_of, lifecycle_facts, log_facts
from ..errors import MouError
from ..fsutil import atomic_write
from ..ids import AGREEMENTS_FOLDER, MEASUREMENTS_FOLDER, is_agreement_name
from ..lifecycle import LIFECYCLE_FOLDER
from ..notices import notice
from .factscan import scan_facts
from .listing import in_two_processes
from .reader import Reader

CACHE_FILE = "mou-facts-cache.json"
HOLDINGS_CACHE_FILE = "mou-holdings-cache.json"  # apart: `mou due` never loads it
CACHE_VERSION = 5  # 4: resources and personnel apart; 5: fiscal year, termination
_SECTIONS = ("facts", "logs", "lifecycle")


def portfolio(
    reader: Reader, *, holdings: bool = False
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(agreement facts, measurement facts) for every readable agreement at HEAD, by id.

    With ``holdings`` the agreement facts also hold the resources and personnel that
    totals use; deadlines need neither, so they are read and cached apart.
    """
    head = reader.repo.tip()
    if head is None:
        return []
    agreements = _blobs(reader, head, AGREEMENTS_FOLDER)
    logs = _blobs(reader, head, MEASUREMENTS_FOLDER)
    records = _blobs(reader, head, LIFECYCLE_FOLDER)
    facts, kept = _agreements(reader, set(agreements.values()), holdings)
    new: dict[str, Any] = {
        "version": CACHE_VERSION,
        "facts": facts,
        "logs": _fill(reader, kept["logs"], set(logs.values()), log_facts),
        "lifecycle": _fill(reader, kept["lifecycle"], set(records.values()), lifecycle_facts),
    }
    if new != kept:
        _write_cache(reader.repo.git_dir / CACHE_FILE, new)
    rows = []
    for agreement_id, blob in sorted(agreements.items()):
        if facts.get(blob) is None:
            notice(f"{AGREEMENTS_FOLDER}/{agreement_id}.yaml: cannot be read; left out")
            continue
        log = new["logs"].get(logs.get(agreement_id, ""), log_facts(None))
        record = new["lifecycle"].get(records.get(agreement_id, ""), lifecycle_facts(None))
        rows.append((facts[blob], {**log, **record}))
    return rows


def _agreements(
    reader: Reader, wanted: set[str], holdings: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The facts of every blob in ``wanted`` (with their holdings, if asked), and the
    facts cache as it was read."""
    kept = _read_cache(reader.repo.git_dir / CACHE_FILE, _SECTIONS)
    facts = {sha: kept["facts"][sha] for sha in wanted if sha in kept["facts"]}
    if not holdings:
        missing = sorted(wanted - set(facts))
        facts.update(zip(missing, _read_all(reader, missing, _due_facts), strict=True))
        return facts, kept
    path = reader.repo.git_dir / HOLDINGS_CACHE_FILE
    stored = _read_cache(path, ("holdings",))
    have = {sha: stored["holdings"][sha] for sha in wanted if sha in stored["holdings"]}
    missing = sorted(wanted - (set(facts) & set(have)))
    for sha, found in zip(missing, _read_all(reader, missing, agreement_facts), strict=True):
        facts.setdefault(sha, _without_holdings(found))
        have[sha] = {key: found[key] for key in HOLDING_KEYS} if found is not None else None
    if have != stored["holdings"]:
        _write_cache(path, {"version": CACHE_VERSION, "holdings": have})
    # A file whose resources cannot be read is left out of totals, as an unreadable one.
    both = {sha: (f, have[sha]) for sha, f in facts.items()}
    return {sha: {**f, **h} if f and h else None for sha, (f, h) in both.items()}, kept


def _read_all(reader: Reader, blobs: list[str], read: Any) -> list[Any]:
    return in_two_processes(read, [raw or b"" for raw in reader.repo.read_blobs(blobs)])


def _without_holdings(found: dict[str, Any] | None) -> dict[str, Any] | None:
    return {k: v for k, v in found.items() if k not in HOLDING_KEYS} if found else None


def _blobs(reader: Reader, head: str, folder: str) -> dict[str, str]:
    entries = reader.repo.folder_entries(head, folder)
    return {
        name.decode()[: -len(".yaml")]: sha.hex()
        for _, name, sha in entries
        if is_agreement_name(name.decode())
    }


def _fill(reader: Reader, cached: dict[str, Any], wanted: set[str], read: Any) -> dict[str, Any]:
    """The facts of every blob in ``wanted``: cached ones kept, the others read in one batch."""
    kept = {sha: cached[sha] for sha in wanted if sha in cached}
    missing = sorted(wanted - set(kept))
    kept.update(zip(missing, _read_all(reader, missing, read), strict=True))
    return kept


def agreement_facts(raw: bytes) -> dict[str, Any] | None:
    """The facts of an agreement file: scanned when canonical, else read by libyaml."""
    return scan_facts(raw) or facts_of(raw)


def _due_facts(raw: bytes) -> dict[str, Any] | None:
    """The facts deadlines need, without the resources and personnel."""
    return scan_facts(raw, holdings=False) or facts_of(raw, holdings=False)


def _read_cache(path: Path, sections: tuple[str, ...]) -> dict[str, Any]:
    empty: dict[str, Any] = {"version": CACHE_VERSION, **{key: {} for key in sections}}
    try:
        cache = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return empty
    if not isinstance(cache, dict) or cache.get("version") != CACHE_VERSION:
        return empty
    if not all(isinstance(cache.get(key), dict) for key in sections):
        return empty
    return cache


def _write_cache(path: Path, cache: dict[str, Any]) -> None:
    # A read-only repository still answers, just without the speed-up.
    with contextlib.suppress(OSError, MouError):
        atomic_write(path, json.dumps(cache, separators=(",", ":")).encode())

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

from ..deadlines import facts_of, lifecycle_facts, log_facts
from ..errors import MouError
from ..fsutil import atomic_write
from ..ids import AGREEMENTS_FOLDER, MEASUREMENTS_FOLDER, is_agreement_name
from ..lifecycle import LIFECYCLE_FOLDER
from ..notices import notice
from .factscan import scan_facts
from .listing import in_two_processes
from .reader import Reader

CACHE_FILE = "mou-facts-cache.json"
CACHE_VERSION = 3  # 3: withdrawals from the lifecycle record


def portfolio(reader: Reader) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(agreement facts, measurement facts) for every readable agreement at HEAD, by id."""
    head = reader.repo.tip()
    if head is None:
        return []
    agreements = _blobs(reader, head, AGREEMENTS_FOLDER)
    logs = _blobs(reader, head, MEASUREMENTS_FOLDER)
    records = _blobs(reader, head, LIFECYCLE_FOLDER)
    path = reader.repo.git_dir / CACHE_FILE
    cache = _read_cache(path)
    new: dict[str, Any] = {
        "version": CACHE_VERSION,
        "facts": _fill(reader, cache["facts"], set(agreements.values()), agreement_facts),
        "logs": _fill(reader, cache["logs"], set(logs.values()), log_facts),
        "lifecycle": _fill(reader, cache["lifecycle"], set(records.values()), lifecycle_facts),
    }
    if new != cache:
        _write_cache(path, new)
    rows = []
    for agreement_id, blob in sorted(agreements.items()):
        if new["facts"].get(blob) is None:
            notice(f"{AGREEMENTS_FOLDER}/{agreement_id}.yaml: cannot be read; left out")
            continue
        log = new["logs"].get(logs.get(agreement_id, ""), log_facts(None))
        record = new["lifecycle"].get(records.get(agreement_id, ""), lifecycle_facts(None))
        rows.append((new["facts"][blob], {**log, **record}))
    return rows


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
    found = in_two_processes(read, [raw or b"" for raw in reader.repo.read_files(missing)])
    kept.update(zip(missing, found, strict=True))
    return kept


def agreement_facts(raw: bytes) -> dict[str, Any] | None:
    """The facts of an agreement file: scanned when canonical, else read by libyaml."""
    return scan_facts(raw) or facts_of(raw)


def _read_cache(path: Path) -> dict[str, Any]:
    empty: dict[str, Any] = {"version": CACHE_VERSION, "facts": {}, "logs": {}, "lifecycle": {}}
    try:
        cache = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return empty
    if not isinstance(cache, dict) or cache.get("version") != CACHE_VERSION:
        return empty
    if not all(isinstance(cache.get(k), dict) for k in ("facts", "logs", "lifecycle")):
        return empty
    return cache


def _write_cache(path: Path, cache: dict[str, Any]) -> None:
    # A read-only repository still answers, just without the speed-up.
    with contextlib.suppress(OSError, MouError):
        atomic_write(path, json.dumps(cache, separators=(",", ":")).encode())

"""Measurements in the workspace: read at a revision, record one value as one commit.

The file ``measurements/<id>.yaml`` is committed like an agreement (one commit per
recording, the person recording as author, the same locks and compare-and-swap), but
it is another file, so the agreement's revision stays where it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ConflictError
from ..measures import (
    Measurement,
    MeasurementLog,
    empty_log,
    key,
    log_bytes,
    measurements_path,
    read_log,
    review_from_text,
    with_measurement,
    with_review,
)
from ..model import Agreement
from .reader import Revision
from .workspace import Author, Saved, Workspace

_ATTEMPTS = 20


@dataclass(frozen=True)
class Measured:
    """An agreement at a revision with its measurements as of the same commit."""

    agreement: Agreement
    revision: str
    log: MeasurementLog
    commit: str


def load_measured(ws: Workspace, agreement_id: str, rev: str = "HEAD") -> Measured:
    """The agreement and its measurements at ``rev``; an empty log if none were recorded."""
    commit = ws.resolve(rev)
    loaded = ws.load(agreement_id, commit)
    path = measurements_path(agreement_id)
    blob = ws.repo.blob_sha(commit, path)
    if blob is None:
        return Measured(loaded.agreement, loaded.revision, empty_log(agreement_id), commit)
    raw = ws.repo.read_object(blob)
    log = read_log(raw, f"{path}@{commit[:10]}", loaded.agreement)
    return Measured(loaded.agreement, loaded.revision, log, commit)


def record(
    ws: Workspace, entry: Measurement, agreement_id: str, author: Author, *, replace: bool = False
) -> Saved:
    """Record ``entry`` as one commit; MouError if its period is taken and not ``replace``.

    Two people recording at once both land (see :func:`_commit`).
    """

    def change(log: MeasurementLog) -> tuple[MeasurementLog, str]:
        replacing = any(key(m) == key(entry) for m in log.measurements)
        return with_measurement(log, entry, replace=replace), _message(entry, replacing=replacing)

    return _commit(ws, agreement_id, author, change)


def record_review(
    ws: Workspace, agreement_id: str, held: str, note: str | None, author: Author, today: dt.date
) -> Saved:
    """Record a periodic review held on ``held`` as one commit; FieldProblem if it cannot be."""

    def change(log: MeasurementLog) -> tuple[MeasurementLog, str]:
        review = review_from_text(log, held, note, today)
        return with_review(log, review), f"Record the periodic review held on {review.date}"

    return _commit(ws, agreement_id, author, change)


def _commit(
    ws: Workspace,
    agreement_id: str,
    author: Author,
    change: Callable[[MeasurementLog], tuple[MeasurementLog, str]],
) -> Saved:
    """One commit of the measurements file as ``change`` makes it from the file at HEAD.

    Two people recording at once both land: a change is made against the file as it was
    read, and made again on the newer file when someone else's came first.
    """
    for _ in range(_ATTEMPTS):
        measured = load_measured(ws, agreement_id)
        log, message = change(measured.log)
        path = measurements_path(agreement_id)
        try:
            return ws.save_file(path, log_bytes(log), message, author, base=measured.commit)
        except ConflictError:
            continue
    raise ConflictError(f"{measurements_path(agreement_id)}: kept changing while recording")


def _message(entry: Measurement, *, replacing: bool) -> str:
    verb = "Replace" if replacing else "Record"
    return f"{verb} {entry.metric} for {entry.period}: {entry.value:g}"


def measurement_history(ws: Workspace, agreement_id: str) -> list[Revision]:
    """Every commit that recorded a measurement of the agreement, newest first."""
    return ws.file_history(measurements_path(agreement_id))

"""An agreement's life after drafting: signatures, executions, amendments, withdrawals.

These facts live beside the agreement, in ``lifecycle/<id>.yaml``, a file mou alone
writes (one commit per fact) and git versions. They are kept out of the agreement file
on purpose: the agreement file is the *text* the parties sign, and a signature is not a
change of that text. Keeping them apart leaves every version-1 and version-2 agreement
file, the JSON Schema and every diff, blame and fingerprint as they were, and lets
`mou list` read the state without pydantic (this module imports plain YAML only).

The state is derived from these facts (:func:`state`), never typed by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from .coreyaml import plain_value
from .errors import MouError

LIFECYCLE_FOLDER = "lifecycle"
SIGNED_FOLDER = "signed"
HEADER = "# The life of agreements/{id}.yaml after drafting; written by mou, one commit a fact.\n"
STATES = ("draft", "approved", "partially_signed", "executed", "expired", "terminated")
ORIGINAL = 0
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def lifecycle_path(agreement_id: str) -> str:
    """Where an agreement's lifecycle record lives inside the workspace, as git names it."""
    return f"{LIFECYCLE_FOLDER}/{agreement_id}.yaml"


def tag_name(agreement_id: str, amendment: int) -> str:
    """The annotated tag marking an executed text: the original or amendment N."""
    suffix = "original" if amendment == ORIGINAL else f"amendment-{amendment}"
    return f"executed/{agreement_id}/{suffix}"


def instrument_name(amendment: int) -> str:
    """ "the agreement" or "Amendment No. N", as messages name what is signed."""
    return "the agreement" if amendment == ORIGINAL else f"Amendment No. {amendment}"


@dataclass(frozen=True)
class Signature:
    """One signature: who signed which instrument, when, and the signed copy if kept."""

    party: str
    signatory: str
    date: dt.date
    revision: str
    amendment: int = ORIGINAL
    copy: str | None = None
    copy_sha256: str | None = None


@dataclass(frozen=True)
class Execution:
    """An instrument fully signed: the revision executed, its dates and its tag."""

    amendment: int
    revision: str
    executed_date: dt.date
    effective_date: dt.date | None
    tag: str


@dataclass(frozen=True)
class Amendment:
    """An amendment opened against the executed text (``base``, an agreement revision)."""

    number: int
    opened: dt.date
    base: str
    message: str


@dataclass(frozen=True)
class Withdrawal:
    """A party's notice of withdrawal and the date it takes effect."""

    party: str
    notice_date: dt.date
    effective_date: dt.date


@dataclass(frozen=True)
class Record:
    """Every lifecycle fact of one agreement, in the order they happened."""

    agreement: str
    signatures: tuple[Signature, ...] = ()
    executions: tuple[Execution, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    withdrawals: tuple[Withdrawal, ...] = ()
    terminated: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def execution(self, amendment: int = ORIGINAL) -> Execution | None:
        """The execution of the original (0) or of amendment N, if it happened."""
        return next((e for e in self.executions if e.amendment == amendment), None)

    def signatures_of(self, amendment: int) -> list[Signature]:
        """The signatures given to the original (0) or to amendment N."""
        return [s for s in self.signatures if s.amendment == amendment]

    def open_amendment(self) -> Amendment | None:
        """The amendment opened and not yet executed, if any (at most one at a time)."""
        return next((a for a in self.amendments if self.execution(a.number) is None), None)

    def last_execution(self) -> Execution | None:
        """The latest executed instrument: its revision is the text in force."""
        return self.executions[-1] if self.executions else None

    def withdrawal(self, party: str) -> Withdrawal | None:
        """The withdrawal notice of ``party``, if one was given."""
        return next((w for w in self.withdrawals if w.party == party), None)

    def with_signature(self, signature: Signature) -> Record:
        """This record with one more signature."""
        return replace(self, signatures=(*self.signatures, signature))

    def with_execution(self, execution: Execution) -> Record:
        """This record with one more executed instrument."""
        return replace(self, executions=(*self.executions, execution))


def state(record: Record, expiration: dt.date | None, today: dt.date, ready: bool) -> str:
    """The agreement's state from its facts: see :data:`STATES`.

    ``ready`` says the readiness rules find no error (draft vs approved); a caller that
    does not run them (``mou list`` starts without the model) passes False.
    """
    if record.terminated is not None and record.terminated <= today:
        return "terminated"
    if record.execution(ORIGINAL) is not None:
        return "expired" if expiration is not None and expiration < today else "executed"
    if record.signatures_of(ORIGINAL):
        return "partially_signed"
    return "approved" if ready else "draft"


def amendment_state(record: Record, number: int) -> str:
    """An amendment's state: draft, partially_signed or executed."""
    if record.execution(number) is not None:
        return "executed"
    return "partially_signed" if record.signatures_of(number) else "draft"


def edit_refusal(record: Record) -> str | None:
    """Why the agreement's text may not be saved now, or None when it may.

    Signed text changes only through an amendment: while the original or an amendment
    is being signed, and once it is executed until an amendment is opened.
    """
    opened = record.open_amendment()
    if opened is not None:
        signed = record.signatures_of(opened.number)
        if not signed:
            return None
        return (
            f"Amendment No. {opened.number} is being signed (first signature "
            f"{signed[0].date.isoformat()}); its text can no longer change"
        )
    executed = record.execution(ORIGINAL)
    if executed is not None:
        return (
            f"executed on {executed.executed_date.isoformat()}; changes go through an "
            f"amendment: mou amend {record.agreement}"
        )
    signed = record.signatures_of(ORIGINAL)
    if signed:
        return (
            f"being signed (first signature {signed[0].date.isoformat()}); "
            "its text can no longer change"
        )
    return None


# ---------------------------------------------------------------------- reading


def parse(raw: bytes, source: str, agreement_id: str) -> Record:
    """The record in ``raw``; MouError naming ``source`` and the field when it is not one."""
    data = plain_value(raw)
    if not isinstance(data, dict):
        raise MouError(f"{source}: $: not a lifecycle record (a YAML mapping mou writes)")
    reader = _Reader(source)
    if data.get("agreement") != agreement_id:
        reader.fail("$.agreement", f"names {data.get('agreement')!r}, not {agreement_id!r}")
    known = {"agreement", "signatures", "executions", "amendments", "withdrawals", "terminated"}
    return Record(
        agreement=agreement_id,
        signatures=tuple(reader.items(data, "signatures", _signature)),
        executions=tuple(reader.items(data, "executions", _execution)),
        amendments=tuple(reader.items(data, "amendments", _amendment)),
        withdrawals=tuple(reader.items(data, "withdrawals", _withdrawal)),
        terminated=reader.date(data.get("terminated"), "$.terminated", optional=True),
        extra={k: v for k, v in data.items() if k not in known},
    )


class _Reader:
    """Reads the record's values, failing in one line that names the file and the path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> None:
        raise MouError(f"{self.source}: {path}: {message}")

    def items(self, data: dict[str, Any], key: str, build: Any) -> list[Any]:
        values = data.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            self.fail(f"$.{key}", "must be a list of mappings")
        return [build(self, v, f"$.{key}[{i}]") for i, v in enumerate(values)]

    def date(self, value: Any, path: str, optional: bool = False) -> Any:
        if value is None and optional:
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(path, f"{value!r} is not a date (YYYY-MM-DD)")
        raise AssertionError  # unreachable: fail raises

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value:
            self.fail(path, "must be a non-empty text")
        return str(value)

    def sha(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _SHA.match(value):
            self.fail(path, "must be a full commit sha")
        return str(value)

    def number(self, value: Any, path: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(path, "must be a whole number, 0 or more")
        return int(value)


def _signature(r: _Reader, v: dict[str, Any], at: str) -> Signature:
    copy = v.get("copy")
    return Signature(
        party=r.text(v.get("party"), f"{at}.party"),
        signatory=r.text(v.get("signatory"), f"{at}.signatory"),
        date=r.date(v.get("date"), f"{at}.date"),
        revision=r.sha(v.get("revision"), f"{at}.revision"),
        amendment=r.number(v.get("amendment", ORIGINAL), f"{at}.amendment"),
        copy=r.text(copy, f"{at}.copy") if copy is not None else None,
        copy_sha256=v.get("copy_sha256") if isinstance(v.get("copy_sha256"), str) else None,
    )


def _execution(r: _Reader, v: dict[str, Any], at: str) -> Execution:
    return Execution(
        amendment=r.number(v.get("amendment", ORIGINAL), f"{at}.amendment"),
        revision=r.sha(v.get("revision"), f"{at}.revision"),
        executed_date=r.date(v.get("executed_date"), f"{at}.executed_date"),
        effective_date=r.date(v.get("effective_date"), f"{at}.effective_date", optional=True),
        tag=r.text(v.get("tag"), f"{at}.tag"),
    )


def _amendment(r: _Reader, v: dict[str, Any], at: str) -> Amendment:
    return Amendment(
        number=r.number(v.get("number"), f"{at}.number"),
        opened=r.date(v.get("opened"), f"{at}.opened"),
        base=r.sha(v.get("base"), f"{at}.base"),
        message=r.text(v.get("message"), f"{at}.message"),
    )


def _withdrawal(r: _Reader, v: dict[str, Any], at: str) -> Withdrawal:
    return Withdrawal(
        party=r.text(v.get("party"), f"{at}.party"),
        notice_date=r.date(v.get("notice_date"), f"{at}.notice_date"),
        effective_date=r.date(v.get("effective_date"), f"{at}.effective_date"),
    )


# ---------------------------------------------------------------------- writing


def dump(record: Record) -> bytes:
    """The record as the canonical YAML file mou commits (stable order, ISO dates)."""
    data: dict[str, Any] = {"agreement": record.agreement}
    for key, items in (
        ("signatures", record.signatures),
        ("executions", record.executions),
        ("amendments", record.amendments),
        ("withdrawals", record.withdrawals),
    ):
        if items:
            data[key] = [_plain(item) for item in items]
    if record.terminated is not None:
        data["terminated"] = record.terminated.isoformat()
    data.update(record.extra)  # facts a later mou wrote are kept, not dropped
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return (HEADER.format(id=record.agreement) + text).encode("utf-8")


def _plain(item: Any) -> dict[str, Any]:
    """A fact as plain data: dates as ISO strings, absent optional values left out."""
    out: dict[str, Any] = {}
    for name, value in vars(item).items():
        if value is None:
            continue
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out

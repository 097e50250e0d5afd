"""The lifecycle record on its own: state derived from facts, and a damaged record named."""

from __future__ import annotations

import datetime as dt

import pytest

from mou.errors import MouError
from mou.lifecycle import (
    Execution,
    Record,
    Signature,
    Withdrawal,
    dump,
    edit_refusal,
    parse,
    state,
)

SHA = "a" * 40
DAY = dt.date(2027, 1, 4)
SIGNED = Signature("pd", "chief", DAY, SHA)
EXECUTED = Execution(0, SHA, DAY, DAY, "executed/x-1/original")


def test_the_state_follows_the_facts() -> None:
    empty = Record("x-1")
    assert state(empty, None, DAY, ready=False) == "draft"
    assert state(empty, None, DAY, ready=True) == "approved"
    signing = empty.with_signature(SIGNED)
    assert state(signing, None, DAY, ready=True) == "partially_signed"
    done = signing.with_execution(EXECUTED)
    assert state(done, dt.date(2030, 1, 1), DAY, ready=True) == "executed"
    assert state(done, dt.date(2030, 1, 1), dt.date(2030, 1, 2), ready=True) == "expired"
    ended = Record("x-1", (SIGNED,), (EXECUTED,), terminated=dt.date(2028, 1, 1))
    assert state(ended, None, dt.date(2027, 12, 31), ready=True) == "executed"
    assert state(ended, None, dt.date(2028, 1, 1), ready=True) == "terminated"


def test_edits_are_refused_while_signing_and_after_execution() -> None:
    assert edit_refusal(Record("x-1")) is None
    assert "being signed" in (edit_refusal(Record("x-1").with_signature(SIGNED)) or "")
    refusal = edit_refusal(Record("x-1", (SIGNED,), (EXECUTED,)))
    assert refusal == "executed on 2027-01-04; changes go through an amendment: mou amend x-1"


def test_a_record_reads_back_as_written_and_keeps_facts_it_does_not_know() -> None:
    record = Record(
        "x-1",
        (SIGNED,),
        (EXECUTED,),
        withdrawals=(Withdrawal("pd", DAY, DAY),),
        extra={"renewals": [{"date": "2031-01-01"}]},
    )
    raw = dump(record)
    again = parse(raw, "lifecycle/x-1.yaml", "x-1")
    assert again == record and again.extra == record.extra and dump(again) == raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a list\n", "lifecycle/x-1.yaml: $: not a lifecycle record"),
        ("agreement: other\n", "lifecycle/x-1.yaml: $.agreement: names 'other'"),
        ("agreement: x-1\nsignatures: [{party: pd}]\n", "$.signatures[0].signatory: must be"),
        (
            "agreement: x-1\nterminated: someday\n",
            "lifecycle/x-1.yaml: $.terminated: 'someday' is not a date",
        ),
    ],
)
def test_a_damaged_record_is_named_in_one_line(text: str, expected: str) -> None:
    with pytest.raises(MouError) as caught:
        parse(text.encode(), "lifecycle/x-1.yaml", "x-1")
    assert expected in caught.value.message and "\n" not in caught.value.message

"""Every class of bad agreement input: one located line each, exit 1, nothing written."""

from __future__ import annotations

import os
import tracemalloc

import pytest

from mou.errors import InvalidAgreement, MouError
from mou.model import to_data
from mou.validate import load_file, validate_data
from mou.yamlio import dump
from tests.support.agreements import minimal
from tests.support.runner import run_mou, snapshot

GOOD = dump(to_data(validate_data(minimal("bad-input"))))


def _replace(old: str, new: str) -> bytes:
    assert old in GOOD
    return GOOD.replace(old, new, 1).encode()


# Line numbers count the `schema_version: 2` line that every version-2 file starts with.
BAD_FILES = {
    "malformed YAML": (_replace("title: Test agreement", "title: [Test"), ":5: $: not valid YAML"),
    "tab indentation": (_replace("  - id: party-a", "\t- id: party-a"), "indented with a tab"),
    "wrong type": (
        _replace("review_interval_months: 12", "review_interval_months: twelve"),
        "$.evaluation.review_interval_months: expected a whole number, got text",
    ),
    "unknown field": (
        _replace("title: Test agreement", "title: Test agreement\ntitel: Typo"),
        "$.titel: unknown field 'titel'; did you mean 'title'?",
    ),
    "missing field": (_replace("purpose: ", "# purpose: "), "$.purpose: required field is missing"),
    "dangling reference": (
        _replace(
            "liability:",
            "responsibilities:\n  - id: r1\n    parties: [ghost]\n    text: Respond.\nliability:",
        ),
        "$.responsibilities[0].parties[0]: 'ghost' is not a party id",
    ),
    "duplicate id": (
        GOOD.replace("id: party-b", "id: party-a").encode(),
        "$.parties[1].id: duplicate id 'party-a'",
    ),
    "alias bomb": (b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", ":2: $: YAML aliases"),
    "not UTF-8": (GOOD.encode().replace(b"Test agreement", b"T\xe9st"), ":4: $: not UTF-8 text"),
    "empty file": (b"", ": $: file is empty"),
    "over 5 MB": (GOOD.encode() + b"#" * (5 * 1024 * 1024), "the limit is 5,242,880"),
    "escaped control character": (
        _replace("title: Test agreement", 'title: "Te\\x01st"'),
        "$.title: contains the control character U+0001",
    ),
    "raw U+FFFE": (_replace("Test agreement", "Te\ufffest"), "U+FFFE is not allowed"),
    "YAML tag": (
        _replace("title: Test agreement", 'title: !!python/object:os.system "echo x"'),
        ":4: $.title: YAML tags (!…) are not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_gets_one_located_line_and_nothing_is_written(case, tmp_path):
    content, expected = BAD_FILES[case]
    target = tmp_path / "agreements" / "bad-input.yaml"
    target.parent.mkdir()
    target.write_bytes(content)
    before = snapshot(tmp_path)

    for command in (["validate", str(target)], ["fmt", str(target)]):
        result = run_mou(*command, cwd=tmp_path)
        lines = result.stdout.decode().splitlines() + result.stderr.decode().splitlines()
        problems = [line for line in lines if line.startswith(str(target))]
        assert result.returncode == 1, lines
        assert len(problems) == 1, lines
        assert expected in problems[0]
        assert "Traceback" not in result.stderr.decode()
    assert snapshot(tmp_path) == before


def _problems(data: dict) -> list[str]:
    with pytest.raises(InvalidAgreement) as caught:
        validate_data(data, "draft")
    return [str(p) for p in caught.value.problems]


def test_cost_shares_must_sum_to_exactly_100():
    data = minimal()
    data["funding"]["cost_shares"] = [
        {"party": "party-a", "percent": 33.33},
        {"party": "party-b", "percent": 33.33},
    ]
    assert _problems(data) == [
        "draft: $.funding.cost_shares: cost shares sum to 66.66 %, not 100 %"
    ]
    data["funding"]["cost_shares"][1]["percent"] = 66.67
    assert validate_data(data).funding.cost_shares[1].percent == 66.67


def test_expiration_must_follow_the_effective_date():
    data = minimal()
    data["term"].update(
        effective_rule="fixed_date", effective_date="2026-07-01", expiration_date="2026-06-30"
    )
    [problem] = _problems(data)
    assert "$.term.expiration_date: expiration 2026-06-30 is not after" in problem


def test_all_problems_are_reported_at_once():
    data = minimal()
    data["parties"][1]["acronym"] = "PA"
    data["parties"][1]["signatories"].append(dict(data["parties"][1]["signatories"][0]))
    data["funding"]["cost_shares"] = [{"party": "nobody", "percent": 100}]
    problems = _problems(data)
    assert len(problems) == 3
    assert any("duplicate acronym 'PA'" in p for p in problems)
    assert any("$.parties[1].signatories[1].id: duplicate id 'head'" in p for p in problems)
    assert any("'nobody' is not a party id" in p for p in problems)


def test_forfeiture_may_not_distribute_more_than_everything():
    data = minimal(agreement_type="task_force")
    data["forfeiture"] = {
        "fiscal_agent": "party-a",
        "distribution": [{"party": "party-a", "percent": 60}, {"party": "party-b", "percent": 50}],
    }
    assert "shares of net proceeds sum to 110 %, more than 100 %" in _problems(data)[0]


def test_forfeiture_shares_of_different_bases_are_not_added_together():
    # 60 % of net proceeds and 50 % of the remainder after it is a whole distribution.
    data = minimal(agreement_type="task_force")
    data["forfeiture"] = {
        "fiscal_agent": "party-a",
        "distribution": [
            {"party": "party-a", "percent": 60},
            {"party": "party-b", "percent": 100, "base": "remainder"},
        ],
    }
    assert validate_data(data).forfeiture is not None


def test_a_payment_names_exactly_one_side():
    data = minimal()
    data["funding"]["reimbursements"] = [
        {
            "id": "r",
            "payer": {"party": "party-a", "other": "the State Treasurer"},
            "covers": "Overtime.",
            "invoice_frequency": "monthly",
            "invoice_deadline_days": 30,
        }
    ]
    assert _problems(data) == [
        "draft: $.funding.reimbursements[0].payer: give exactly one of: other, party, role"
    ]


def test_file_name_must_be_the_agreement_id(tmp_path):
    target = tmp_path / "other-name.yaml"
    target.write_text(GOOD, encoding="utf-8")
    result = run_mou("validate", str(target), cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "$.id: the id 'bad-input' must match the file name 'other-name.yaml'"
        in result.stdout.decode()
    )


def test_a_huge_file_is_refused_after_reading_only_the_limit(tmp_path):
    target = tmp_path / "bad-input.yaml"
    with target.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk, but 200 MB if read whole
    tracemalloc.start()
    try:
        with pytest.raises(InvalidAgreement, match="file is 209,715,200 bytes; the limit is"):
            load_file(target)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_devices_pipes_and_folders_are_refused_in_one_line(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")  # read whole: endless, then MemoryError
    os.mkfifo(tmp_path / "pipe.yaml")  # opened plainly: waits forever for a writer
    (tmp_path / "folder.yaml").mkdir()
    for name in ("zero.yaml", "pipe.yaml", "folder.yaml"):
        with pytest.raises(MouError) as caught:
            load_file(tmp_path / name)
        assert (
            caught.value.message
            == f"{tmp_path / name}: not a regular file; an agreement is a YAML file"
        )
    result = run_mou("validate", str(tmp_path / "zero.yaml"), cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "not a regular file" in result.stdout.decode()
    assert "Traceback" not in result.stderr.decode()


def test_a_metric_has_a_baseline_or_a_date_for_one_not_both():
    data = minimal(agreement_type="task_force")
    metric = {
        "id": "m",
        "name": "Shootings",
        "unit": "per year",
        "baseline": 40,
        "baseline_due": "2027-03-31",
        "target": 30,
        "frequency": "annual",
        "data_source": "RMS",
    }
    data["goals"] = [{"id": "g", "title": "Fewer", "owners": ["party-a"], "metrics": [metric]}]
    assert _problems(data) == [
        "draft: $.goals[0].metrics[0]: baseline_due is for a baseline still to be established; "
        "remove it or the baseline"
    ]
    del metric["baseline"]
    assert validate_data(data).goals[0].metrics[0].baseline_due is not None

"""Readiness rules: each fires on a minimal broken agreement and is silent on complete ones."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mou.model import Agreement
from mou.presets import preset
from mou.rules import RULES, Finding, check, errors
from mou.validate import load_file, validate_data
from mou.yamlio import read_bytes
from tests.support.runner import EXAMPLES, ROOT

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"


def sample_data() -> dict[str, Any]:
    """The complete sample agreement as plain data, ready to be broken."""
    return copy.deepcopy(read_bytes(SAMPLE.read_bytes(), str(SAMPLE)).data)


def model(data: dict[str, Any]) -> Agreement:
    # Pydantic only: the reference checks of mou.validate would refuse some broken
    # examples before the rules could see them, and the rules must stand on their own.
    return Agreement.model_validate(data)


def _drop_signatory(d: dict[str, Any]) -> None:
    d["parties"][1]["signatories"] = [{"id": "clerk", "role": "attest", "name": "C", "title": "T"}]


def _second_party_idle(d: dict[str, Any]) -> None:
    for item in d["responsibilities"]:
        item["parties"] = ["alpha"]


def _federal(d: dict[str, Any]) -> None:
    d["parties"][1]["level"] = "federal"


def _no_goals(d: dict[str, Any]) -> None:
    d["goals"] = []
    for item in d["responsibilities"]:
        item["goals"] = []


def _cameras_without_section(d: dict[str, Any]) -> None:
    d.pop("recordings")
    d["operations"]["use_of_force"] = "Officers wear body-worn cameras at every arrest."


def _cji_missing_topic(d: dict[str, Any]) -> None:
    d["information_sharing"]["cjis_provisions"].pop()  # drops "validation"


BREAKERS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "parties.min-two": (lambda d: d.update(parties=d["parties"][:1]), "$.parties"),
    "parties.acronyms-unique": (
        lambda d: d["parties"][1].update(acronym="alc"),
        "$.parties[1].acronym",
    ),
    "parties.references-resolve": (
        lambda d: d["goals"][0].update(owners=["alpha", "gamma"]),
        "$.goals[0].owners",
    ),
    "parties.signatory": (_drop_signatory, "$.parties[1].signatories"),
    "parties.responsibility": (_second_party_idle, "$.parties[1]"),
    "goals.present": (_no_goals, "$.goals"),
    "goals.metric-baseline": (
        lambda d: d["goals"][0]["metrics"][0].pop("baseline"),
        "$.goals[0].metrics[0].baseline",
    ),
    "goals.metric-dates": (
        lambda d: d["goals"][0]["metrics"][1].update(baseline_due="2028-07-01"),
        "$.goals[0].metrics[1].baseline_due",
    ),
    "funding.cost-shares-100": (
        lambda d: d["funding"]["cost_shares"][1].update(percent=39.99),
        "$.funding.cost_shares",
    ),
    "forfeiture.shares-by-base": (
        lambda d: d["forfeiture"]["distribution"][1].update(base="remainder"),
        "$.forfeiture.distribution",
    ),
    "forfeiture.fully-distributed": (
        lambda d: d["forfeiture"]["distribution"][1].update(percent=30),
        "$.forfeiture.distribution",
    ),
    "forfeiture.fiscal-agent": (
        lambda d: d["forfeiture"].pop("fiscal_agent"),
        "$.forfeiture.fiscal_agent",
    ),
    "funding.basis-stated": (
        lambda d: d.update(funding={"each_party_bears_own_costs": False}),
        "$.funding.each_party_bears_own_costs",
    ),
    "funding.reimbursement-cap": (
        lambda d: d["funding"]["reimbursements"][0].pop("caps"),
        "$.funding.reimbursements[0].caps",
    ),
    "funding.payee-named": (
        lambda d: d["funding"]["reimbursements"][1].pop("payee"),
        "$.funding.reimbursements[1].payee",
    ),
    "funding.joint-costs-stated": (
        lambda d: d["funding"].pop("joint_costs"),
        "$.funding.joint_costs",
    ),
    "funding.terms-in-fields": (
        lambda d: d["funding"].update(notes="The City pays up to $5,000 more."),
        "$.funding.notes",
    ),
    "term.effective-date": (lambda d: d["term"].pop("effective_date"), "$.term.effective_date"),
    "term.expiration-after-effective": (
        lambda d: d["term"].update(expiration_date="2026-01-01"),
        "$.term.expiration_date",
    ),
    "term.host-withdrawal": (lambda d: d["term"].pop("host_successor"), "$.term.host_successor"),
    "type.sections": (lambda d: d.pop("supervision"), "$.supervision"),
    "cjis.topics-covered": (_cji_missing_topic, "$.information_sharing.cjis_provisions"),
    "liability.federal-indemnification": (_federal, "$.liability.indemnification"),
    "cjis.management-control": (lambda d: d.pop("management_control"), "$.management_control"),
    "intelligence.part-23": (lambda d: d.pop("criminal_intelligence"), "$.criminal_intelligence"),
    "recordings.section": (_cameras_without_section, "$.recordings"),
    "recordings.federal-records": (
        lambda d: (_federal(d), d["recordings"].pop("federal_records")),
        "$.recordings.federal_records",
    ),
    "definitions.used": (
        lambda d: d["definitions"].append({"id": "x", "term": "Widget", "meaning": "A thing."}),
        "$.definitions[1].term",
    ),
    "exhibits.references-resolve": (
        lambda d: d.update(purpose=d["purpose"] + " The budget is in Exhibit D."),
        "$.purpose",
    ),
    "exhibits.cited": (
        lambda d: d["general"]["additional"][1].update(text="Procedures are in Exhibit B."),
        "$.exhibits[2]",
    ),
    "text.placeholders": (
        lambda d: d["parties"][0]["point_of_contact"].update(name="[NAME]"),
        "$.parties[0].point_of_contact.name",
    ),
}


def test_the_sample_is_complete_and_ready() -> None:
    assert check(model(sample_data())) == []


def test_every_rule_has_a_broken_example() -> None:
    assert sorted(BREAKERS) == sorted(r.id for r in RULES)


def test_rule_ids_are_unique_and_stable_in_form() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and "." in i and " " not in i for i in ids)


@pytest.mark.parametrize("rule_id", sorted(BREAKERS))
def test_rule_fires_on_a_minimal_broken_example(rule_id: str) -> None:
    data = sample_data()
    breaker, path = BREAKERS[rule_id]
    breaker(data)
    findings = check(model(data))
    fired = [f for f in findings if f.rule_id == rule_id]
    assert [f.path for f in fired] == [path], findings
    severity = next(r.severity for r in RULES if r.id == rule_id)
    assert fired[0].severity == severity
    assert fired[0].message and "\n" not in fired[0].message


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_rules_are_silent_on_the_examples(example: Path) -> None:
    assert check(load_file(example)) == []


@pytest.mark.parametrize(
    "text",
    [
        "[NAME]",
        "Signed by TBD",
        "TODO: fill in",
        "[the laws of the State of ...]",
        "FIXME",
        "Resolution No. ____ of the Board",
        "Resolution No. 2026-XX",
        "<NAME OF CHAIR>",
        "notify {Agency name} first",
        "[State the purpose.]",
    ],
)
def test_placeholders_are_found_anywhere(text: str) -> None:
    data = sample_data()
    data["term"]["termination_effects"] = f"Each party keeps its property. {text}"
    found = [f for f in check(model(data)) if f.rule_id == "text.placeholders"]
    assert [f.path for f in found] == ["$.term.termination_effects"]


@pytest.mark.parametrize(
    "text",
    [
        "Section 2[a] applies",
        "TBDX",
        "a [1] footnote",
        "Todos",
        "[t]he [sic] rule",
        "Article 9. [Reserved]",
        "as the statute puts it, “[the Task Force] shall report”",
        "Todo Por La Comunidad hosts the forum",
        "Title XX of the Social Security Act",
        "write to Jane Doe <jane.doe@example.gov>",
    ],
)
def test_ordinary_text_is_not_a_placeholder(text: str) -> None:
    data = sample_data()
    data["term"]["termination_effects"] = text
    assert [f for f in check(model(data)) if f.rule_id == "text.placeholders"] == []


@pytest.mark.parametrize(
    "agreement_type",
    ["task_force", "information_sharing", "community_partnership", "joint_training", "mutual_aid"],
)
def test_a_fresh_preset_is_not_ready(agreement_type: str) -> None:
    agreement = validate_data(preset(agreement_type, "fresh-one", "Fresh"))
    blocking = errors(check(agreement))
    rule_ids = {f.rule_id for f in blocking}
    assert {"text.placeholders", "goals.present", "parties.responsibility"} <= rule_ids
    assert "$.parties[0].legal_name" in {f.path for f in blocking}


@pytest.mark.parametrize("term", ["Quorum", "Counterpart", "Memorandum"])
def test_a_term_the_document_uses_in_mous_own_wording_is_used(term: str) -> None:
    data = sample_data()
    data["definitions"].append({"id": "extra", "term": term, "meaning": "Defined for the test."})
    assert [f for f in check(model(data)) if f.rule_id == "definitions.used"] == []


def test_shared_costs_with_a_stated_basis_are_ready() -> None:
    data = sample_data()
    data["funding"] = {"each_party_bears_own_costs": False, "notes": "Paid from the reserve."}
    assert not [f for f in check(model(data)) if f.rule_id == "funding.basis-stated"]


def test_the_party_that_asked_for_the_work_may_pay_without_a_cap() -> None:
    data = sample_data()
    assert data["funding"]["reimbursements"][1]["payer"] == {"role": "requesting_party"}
    data["funding"]["reimbursements"][1].pop("caps")
    assert not [f for f in check(model(data)) if f.rule_id == "funding.reimbursement-cap"]


def test_a_cap_on_all_payments_caps_every_reimbursement() -> None:
    data = sample_data()
    data["funding"].pop("cost_shares")
    data["funding"]["reimbursements"][0].pop("caps")
    assert not [f for f in check(model(data)) if f.rule_id == "funding.reimbursement-cap"]


@pytest.mark.parametrize(
    "shares",
    [
        [("alpha", 50, "net"), ("beta", 50, "net")],
        [("alpha", 20, "gross"), ("beta", 100, "net")],
        [("alpha", 40, "net"), ("beta", 100, "remainder")],
        [("alpha", 40, "gross"), ("alpha-b", 25, "remainder"), ("beta", 75, "remainder")],
    ],
)
def test_shares_that_give_out_all_of_each_base_are_ready(shares: list) -> None:
    data = sample_data()
    data["forfeiture"].pop("remittances")
    data["parties"].append(copy.deepcopy(data["parties"][1]) | {"id": "alpha-b", "acronym": "AB"})
    data["forfeiture"]["distribution"] = [
        {"party": party, "percent": percent, "base": base} for party, percent, base in shares
    ]
    found = [f for f in check(model(data)) if f.rule_id.startswith("forfeiture.")]
    assert found == []


@pytest.mark.parametrize(
    ("shares", "said"),
    [
        ([("alpha", 60, "net"), ("beta", 50, "net")], "shares of net proceeds sum to 110 %"),
        ([("alpha", 40, "net"), ("beta", 90, "remainder")], "the remainder sum to 90 %, not 100"),
        ([("beta", 100, "remainder")], "no share of gross or net proceeds comes first"),
    ],
)
def test_shares_that_do_not_add_up_by_base_are_errors(shares: list, said: str) -> None:
    data = sample_data()
    data["forfeiture"].pop("remittances")
    data["forfeiture"]["distribution"] = [
        {"party": party, "percent": percent, "base": base} for party, percent, base in shares
    ]
    found = [f for f in check(model(data)) if f.rule_id == "forfeiture.shares-by-base"]
    assert len(found) == 1 and said in found[0].message


def test_cost_shares_in_thirds_add_up() -> None:
    # Pins the float trap: 33.33 + 33.33 + 33.34 is 100.00000000000001 in binary floats.
    data = sample_data()
    data["parties"].append(copy.deepcopy(data["parties"][1]) | {"id": "gamma", "acronym": "G"})
    data["funding"]["cost_shares"] = [
        {"party": p, "percent": v} for p, v in (("alpha", 33.33), ("beta", 33.33), ("gamma", 33.34))
    ]
    assert not [f for f in check(model(data)) if f.rule_id == "funding.cost-shares-100"]


def test_errors_come_before_warnings_and_render_as_one_line() -> None:
    data = sample_data()
    _federal(data)
    data["parties"] = data["parties"][:1] + data["parties"][1:]
    data["goals"][0]["metrics"][0].pop("baseline")
    data["parties"][0]["legal_name"] = "[LEGAL NAME]"
    findings = check(model(data))
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert str(findings[0]).startswith("error: text.placeholders: $.parties[0].legal_name: ")
    assert Finding("a.b", "error", "$.x", "m").as_json() == {
        "rule": "a.b",
        "severity": "error",
        "path": "$.x",
        "message": "m",
    }

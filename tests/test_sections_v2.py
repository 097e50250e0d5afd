"""The version-2 sections as printed: notices, seats, withdrawal by role, party order,
metric dates, and the compliance sections with the rules that require them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mou.document.ooxml import document_text
from mou.document.render import render_docx
from mou.errors import InvalidAgreement
from mou.rules import check
from mou.validate import load_file, validate_data
from mou.yamlio import read_bytes
from tests.support.runner import EXAMPLES, ROOT

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"
BY_NAME = {path.stem: path for path in EXAMPLES}
TASK_FORCE = "bellwater-regional-violent-crime-task-force"


def sample_data() -> dict[str, Any]:
    return copy.deepcopy(read_bytes(SAMPLE.read_bytes(), str(SAMPLE)).data)


def text_of(data: dict[str, Any]) -> str:
    return document_text(render_docx(validate_data(data), "0" * 40, False))


def example_text(name: str) -> str:
    return document_text(render_docx(load_file(BY_NAME[name]), "0" * 40, False))


# --------------------------------------------------------------------------- parties and notices


def test_notices_go_to_the_addressees_mailing_address_or_the_partys() -> None:
    text = text_of(sample_data())
    assert "By mail: PO Box 100, Alpha, Columbia 11111" in text
    assert "By mail: at the party's address" in text  # the second party gave none


def test_board_seats_name_the_representative_and_the_alternate() -> None:
    text = example_text("bellwater-regional-violent-crime-task-force")
    assert "the Special Agent in Charge\nan Assistant Special Agent in Charge" in text
    assert "the Sheriff and the Prosecuting Attorney\na designee named in writing" in text


def test_the_host_party_gives_its_own_withdrawal_notice_and_has_a_successor() -> None:
    text = example_text("western-franklin-records-exchange")
    assert (
        "A party other than the host party may withdraw on at least 180 days' notice. The host "
        "party, Bellwater County, by and through the Bellwater County Sheriff's Office (BCSO), "
        "may withdraw on at least 365 days' notice." in text
    )
    assert "Successor host\nIf the Host Agency gives notice of withdrawal" in text


def test_the_parties_are_printed_in_the_order_the_liaison_chose() -> None:
    data = sample_data()
    data["parties"].reverse()
    text = text_of(data)
    between = text.index("between")
    assert text.index("City of Beta", between) < text.index("Alpha County", between)
    signatures = text.index("IN WITNESS WHEREOF")
    assert text.index("For City of Beta", signatures) < text.index("For Alpha", signatures)


# --------------------------------------------------------------------------- goals


def test_a_metric_prints_its_target_date_and_a_baseline_still_to_be_established() -> None:
    text = text_of(sample_data())
    assert "Shootings (Records management system)\n120\n90 by June 30, 2028" in text
    assert "To be established by June 30, 2026\n90 by June 30, 2028" in text


# --------------------------------------------------------------------------- compliance


def test_the_records_exchange_puts_county_it_under_the_sheriffs_management_control() -> None:
    text = example_text("western-franklin-records-exchange")
    assert "CJIS MANAGEMENT CONTROL" in text
    assert (
        "The Bellwater County Department of Information Technology manages, for the parties, "
        "systems that store, process or transmit criminal justice information. Bellwater County"
        in text
    )


def test_the_task_force_recordings_are_federal_records_released_only_after_notice() -> None:
    text = example_text("bellwater-regional-violent-crime-task-force")
    assert "BODY-WORN CAMERAS AND OTHER RECORDINGS" in text
    assert "The recordings are federal records of the FBI; their retention and release" in text
    assert "No party releases a recording before it has given every other party at least 10" in text


def test_a_criminal_intelligence_system_prints_its_retention_limit() -> None:
    text = text_of(sample_data())
    assert "CRIMINAL INTELLIGENCE SYSTEMS (28 CFR PART 23)" in text
    assert "No information is kept in the system longer than 5 years unless it is reviewed" in text


def test_the_version_1_task_force_lacked_the_recordings_section_its_text_called_for() -> None:
    # The gap the compliance rules close: the old example mentioned body-worn cameras and
    # said nothing of custody, federal-record status or release.
    findings = check(load_file(ROOT / "tests" / "data" / "v1" / f"{TASK_FORCE}.yaml"))
    found = [f for f in findings if f.rule_id == "recordings.section"]
    assert [f.path for f in found] == ["$.recordings"]
    assert "$.operations.use_of_force mentions body-worn cameras" in found[0].message


def test_flags_that_call_for_a_compliance_section_are_required_by_rules() -> None:
    data = sample_data()
    for name in ("management_control", "criminal_intelligence"):
        data.pop(name)
    found = {f.rule_id for f in check(validate_data(data)) if f.severity == "error"}
    assert {"cjis.management-control", "intelligence.part-23"} <= found
    data["information_sharing"]["cji_managed_by_noncriminal_justice"] = False
    data["information_sharing"]["criminal_intelligence_system"] = False
    found = {f.rule_id for f in check(validate_data(data))}
    assert not found & {"cjis.management-control", "intelligence.part-23"}


def test_retention_in_an_intelligence_system_is_five_years_at_most() -> None:
    data = sample_data()
    data["criminal_intelligence"]["retention_years"] = 6
    with pytest.raises(InvalidAgreement) as caught:
        validate_data(data)
    assert "$.criminal_intelligence.retention_years: 6 is more than the maximum of 5" in str(
        caught.value
    )

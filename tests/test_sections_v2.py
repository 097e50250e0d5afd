"""The version-2 sections as printed: notices, seats, withdrawal by role, party order,
metric dates, and the compliance sections with the rules that require them."""

from __future__ import annotations

import copy
from typing import Any

from mou.document.ooxml import document_text
from mou.document.render import render_docx
from mou.validate import load_file, validate_data
from mou.yamlio import read_bytes
from tests.support.runner import EXAMPLES, ROOT

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"
BY_NAME = {path.stem: path for path in EXAMPLES}


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
    assert text.index("FOR THE City of Beta", signatures) < text.index("FOR THE Alpha", signatures)


# --------------------------------------------------------------------------- goals


def test_a_metric_prints_its_target_date_and_a_baseline_still_to_be_established() -> None:
    text = text_of(sample_data())
    assert "Shootings (Records management system)\n120\n90 by June 30, 2028" in text
    assert "To be established by June 30, 2026\n90 by June 30, 2028" in text

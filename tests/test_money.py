"""Money terms: the exported examples print each term once, as the fields say, and the
version-1 contradictions the examples used to print are gone."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from mou.document.ooxml import document_text
from mou.document.render import render_docx
from mou.document.words import money
from mou.model import Agreement
from mou.validate import load_file
from tests.support.runner import EXAMPLES, ROOT

V1 = ROOT / "tests" / "data" / "v1"
BY_NAME = {path.stem: path for path in EXAMPLES}
TASK_FORCE = "bellwater-regional-violent-crime-task-force"
MUTUAL_AID = "bellwater-tamsin-law-enforcement-mutual-aid"
TRAINING = "western-franklin-training-consortium"


@cache
def rendered(path: Path) -> str:
    return document_text(render_docx(load_file(path), "0" * 40, False))


def article(text: str, heading: str) -> str:
    """The text of the article with ``heading``, up to the next article."""
    found = re.search(rf"^ARTICLE \d+\. {heading}$(.*?)(?=^ARTICLE \d+\.)", text, re.M | re.S)
    assert found, heading
    return found.group(1)


def amounts(agreement: Agreement) -> list[float]:
    """Every amount the money fields hold, once per field that holds it."""
    f = agreement.funding
    caps = [*f.caps, *(c for r in f.reimbursements for c in r.caps)]
    return [c.amount for c in caps] + [fee.amount for fee in f.fee_schedule]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_money_term_is_printed_once_in_the_funding_article(path: Path) -> None:
    agreement = load_file(path)
    funding = article(rendered(path), "FUNDING")
    for amount in set(amounts(agreement)):
        assert funding.count(money(amount)) == amounts(agreement).count(amount), money(amount)
    assert not re.search(r"\$\s*\d", agreement.funding.notes or "")
    basis = "Each party bears its own costs" if agreement.funding.each_party_bears_own_costs else ""
    assert funding.count("bears its own costs") == (1 if basis else 0)
    assert ("share the joint costs" in funding) == bool(agreement.funding.cost_shares)


def test_the_task_force_limits_its_ceilings_to_fbi_overtime() -> None:
    text = article(rendered(BY_NAME[TASK_FORCE]), "FUNDING")
    assert "Total payments under this Memorandum shall not exceed" not in text
    assert (
        "Payments under this section shall not exceed $378,000 for overtime in any federal "
        "fiscal year (October 1 to September 30), nor $1,890,000 for overtime over the term of "
        "this Memorandum." in text
    )
    assert "Paid by: United States Department of Justice, Federal Bureau of Investigation" in text


def test_the_training_consortium_prints_its_yearly_cap() -> None:
    text = article(rendered(BY_NAME[TRAINING]), "FUNDING")
    v1_notes = load_file(V1 / f"{TRAINING}.yaml").funding.notes or ""
    assert "$310,000" in v1_notes  # the cap used to live in the notes only
    assert "The joint costs shall not exceed $310,000 in any training year" in text


def test_the_mutual_aid_agreement_says_who_pays_whom_without_contradiction() -> None:
    text = article(rendered(BY_NAME[MUTUAL_AID]), "FUNDING")
    assert "The parties share the joint costs of this" not in text
    assert "Reimbursing party" not in text
    assert "Each party bears its own costs of performing this Agreement, except:" in text
    assert "Paid by: the requesting party.\nPaid to: the responding party." in text


def test_the_forfeiture_table_states_the_base_of_every_share() -> None:
    text = rendered(BY_NAME[TASK_FORCE])
    forfeiture = article(text, "ASSET FORFEITURE AND EQUITABLE SHARING")
    assert "The shares of net proceeds in the table below total 100%." in forfeiture
    shares = re.findall(r"^\d+% of (.+)$", text, re.M)
    assert shares and set(shares) == {"net proceeds"}
    assert "the Franklin State Treasurer (not a party)" in text
    assert "percent" not in (load_file(BY_NAME[TASK_FORCE]).forfeiture.procedure or "")  # type: ignore[union-attr]


def test_a_migrated_version_1_task_force_still_prints_its_old_ceiling_as_it_read() -> None:
    # The migration moves values; it does not reinterpret them: the v1 "not to exceed"
    # stays a ceiling on all payments until someone corrects it.
    text = article(rendered(V1 / f"{TASK_FORCE}.yaml"), "FUNDING")
    assert "Total payments under this Memorandum shall not exceed $1,890,000 over the term" in text


@pytest.mark.parametrize("name", [TASK_FORCE, TRAINING, MUTUAL_AID])
def test_no_other_article_restates_a_money_term(name: str) -> None:
    # The resources table lists estimated values (a funds resource may be valued at its
    # cap); every other article leaves money terms to the Funding article.
    path = BY_NAME[name]
    text = rendered(path)
    rest = text.replace(article(text, "FUNDING"), "").replace(article(text, "RESOURCES"), "")
    for phrase in ("not exceed", "bears its own costs", "share the joint costs", "Paid by:"):
        assert phrase not in rest, phrase
    for amount in set(amounts(load_file(path))):
        assert money(amount) not in rest, money(amount)

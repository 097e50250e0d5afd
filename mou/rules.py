"""Readiness rules: what a reviewer checks before an agreement goes out for signature.

Each rule has a stable id, a severity and a one-line explanation that names the
field by its JSON path. An ``error`` blocks a signature-ready export; a
``warning`` is shown but does not. Rules are pure functions over a validated
:class:`~mou.model.Agreement`: they read no files and know nothing of git or Word.
Structural facts the model already enforces (a goal has an owner and a metric, a
responsibility names a party, a contact has a name) are not repeated here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .attachments import stored_problems
from .document.context import build_context
from .model import Agreement, CjisTopic, PartyLevel, PaymentRole, Ref
from .validate import BASE_WORDS, shares_by_base, walk

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One readiness problem: which rule, how serious, where, and what to do."""

    rule_id: str
    severity: Severity
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.rule_id}: {self.path}: {self.message}"

    def as_json(self) -> dict[str, str]:
        """The finding as a JSON-ready mapping (the ``--json`` shape)."""
        return {
            "rule": self.rule_id,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
        }


@dataclass(frozen=True)
class Rule:
    """A readiness rule: stable id, severity, summary and the function that checks it."""

    id: str
    severity: Severity
    summary: str
    check: Callable[[Agreement], Iterator[tuple[str, str]]]


RULES: list[Rule] = []


def rule(rule_id: str, severity: Severity, summary: str) -> Callable[..., Any]:
    """Register a check that yields ``(path, message)`` pairs."""

    def register(func: Callable[[Agreement], Iterator[tuple[str, str]]]) -> Any:
        RULES.append(Rule(rule_id, severity, summary, func))
        return func

    return register


FILES_STORED: tuple[str, Severity, str] = (
    "exhibits.files-stored",
    "error",
    "Every attached file is stored beside the agreement, with the SHA-256 it records.",
)
"""The one rule that needs more than the model: which attached files are stored."""


def check(agreement: Agreement, stored: Mapping[str, str | None] | None = None) -> list[Finding]:
    """Every readiness finding for ``agreement``, errors first, then in rule order.

    ``stored`` maps the names of the attached files stored beside the agreement to their
    SHA-256 (the store or the caller knows; the rules read no files); when given, each
    file exhibit is checked against it (:data:`FILES_STORED`).
    """
    findings = [
        Finding(r.id, r.severity, path, message)
        for r in RULES
        for path, message in r.check(agreement)
    ]
    if stored is not None:
        rule_id, severity, _ = FILES_STORED
        problems = stored_problems(agreement, stored)
        findings += [Finding(rule_id, severity, path, text) for path, text in problems]
    return sorted(findings, key=lambda f: f.severity != "error")


def errors(findings: list[Finding]) -> list[Finding]:
    """Only the findings that block a signature-ready export."""
    return [f for f in findings if f.severity == "error"]


# --------------------------------------------------------------------------- parties


@rule("parties.min-two", "error", "An agreement needs at least two parties.")
def _min_two(a: Agreement) -> Iterator[tuple[str, str]]:
    if len(a.parties) < 2:
        yield "$.parties", f"has {len(a.parties)} party; an agreement needs at least two"


@rule("parties.acronyms-unique", "error", "Party acronyms are unique (ignoring case).")
def _acronyms_unique(a: Agreement) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for index, party in enumerate(a.parties):
        if party.acronym.upper() in seen:
            yield f"$.parties[{index}].acronym", f"acronym '{party.acronym}' is used twice"
        seen.add(party.acronym.upper())


@rule("parties.references-resolve", "error", "Every reference to a party or goal resolves.")
def _references_resolve(a: Agreement) -> Iterator[tuple[str, str]]:
    known = {"party": {p.id for p in a.parties}, "goal": {g.id for g in a.goals}}
    for path, model in walk(a):
        for name, info in type(model).model_fields.items():
            ref = next((m for m in info.metadata if isinstance(m, Ref)), None)
            value = getattr(model, name)
            if ref is None or value is None:
                continue
            values = [value] if isinstance(value, str) else value
            for item in values:
                if item not in known[ref.target]:
                    yield f"{path}.{name}", f"'{item}' is not the id of a {ref.target}"


@rule("parties.signatory", "error", "Every party has a signatory who signs for it.")
def _signatory(a: Agreement) -> Iterator[tuple[str, str]]:
    for index, party in enumerate(a.parties):
        if not any(s.role == "signatory" for s in party.signatories):
            yield (
                f"$.parties[{index}].signatories",
                f"{party.acronym} has no signatory (role: signatory) with a name and title",
            )


@rule("parties.responsibility", "error", "Every party carries at least one responsibility.")
def _every_party_responsible(a: Agreement) -> Iterator[tuple[str, str]]:
    responsible = {p for r in a.responsibilities for p in r.parties}
    for index, party in enumerate(a.parties):
        if party.id not in responsible:
            yield (
                f"$.parties[{index}]",
                f"{party.acronym} has no responsibility; add one under $.responsibilities",
            )


# --------------------------------------------------------------------------- goals


@rule("goals.present", "error", "The agreement states at least one measurable shared goal.")
def _goals_present(a: Agreement) -> Iterator[tuple[str, str]]:
    if not a.goals:
        yield "$.goals", "no shared goal; state at least one with a measurable metric"


@rule(
    "goals.metric-baseline",
    "warning",
    "Every metric has a baseline, or a date by which one is established.",
)
def _metric_baseline(a: Agreement) -> Iterator[tuple[str, str]]:
    for g, goal in enumerate(a.goals):
        for m, metric in enumerate(goal.metrics):
            if metric.baseline is None and metric.baseline_due is None:
                yield (
                    f"$.goals[{g}].metrics[{m}].baseline",
                    f"metric '{metric.name}' has no baseline, nor a date by which one is "
                    "established, so progress cannot be shown",
                )


@rule(
    "goals.metric-dates",
    "warning",
    "A metric's baseline is due before its target date, and the target date falls in the term.",
)
def _metric_dates(a: Agreement) -> Iterator[tuple[str, str]]:
    end = a.term.expiration_date
    for g, goal in enumerate(a.goals):
        for m, metric in enumerate(goal.metrics):
            path = f"$.goals[{g}].metrics[{m}]"
            due, target = metric.baseline_due, metric.target_date
            if due and target and due >= target:
                yield (
                    f"{path}.baseline_due",
                    f"the baseline is due on {due}, not before the target date {target}",
                )
            if target and end and target > end:
                yield (
                    f"{path}.target_date",
                    f"the target date {target} is after the agreement expires on {end}",
                )


# --------------------------------------------------------------------------- money


def _total(shares: list[Any]) -> Decimal:
    # Decimal from the written figure, so 33.33 + 33.33 + 33.34 is exactly 100.
    return sum((Decimal(str(s.percent)) for s in shares), Decimal(0))


def _figure(value: Decimal) -> str:
    """A percentage as written: 110, 33.5 (never 110.0 or 1.1E+2)."""
    return format(value.normalize(), "f")


@rule("funding.cost-shares-100", "error", "Cost shares, when given, sum to exactly 100 %.")
def _cost_shares(a: Agreement) -> Iterator[tuple[str, str]]:
    shares = a.funding.cost_shares
    if shares and _total(shares) != 100:
        yield "$.funding.cost_shares", f"cost shares sum to {_total(shares)} %, not 100 %"


@rule(
    "forfeiture.shares-by-base",
    "error",
    "Forfeiture shares of one base sum to at most 100 %; shares of the remainder to exactly 100 %.",
)
def _forfeiture_bases(a: Agreement) -> Iterator[tuple[str, str]]:
    if a.forfeiture is None:
        return
    groups = shares_by_base(a.forfeiture)
    for base, shares in groups.items():
        if _total(shares) > 100:
            words = BASE_WORDS[base]
            yield _DISTRIBUTION, f"shares of {words} sum to {_figure(_total(shares))} %, over 100 %"
    remainder = groups.get("remainder")
    if remainder and not (groups.get("gross") or groups.get("net")):
        yield (
            _DISTRIBUTION,
            "has shares of the remainder, but no share of gross or net proceeds comes first "
            "to leave a remainder",
        )
    elif remainder and _total(remainder) != 100:
        total = _figure(_total(remainder))
        yield _DISTRIBUTION, f"shares of the remainder sum to {total} %, not 100 %"


_DISTRIBUTION = "$.forfeiture.distribution"


@rule(
    "forfeiture.fully-distributed",
    "warning",
    "Forfeiture shares give out all the proceeds they divide.",
)
def _forfeiture_complete(a: Agreement) -> Iterator[tuple[str, str]]:
    if a.forfeiture is None:
        return
    groups = shares_by_base(a.forfeiture)
    last = next((base for base in ("net", "gross") if groups.get(base)), None)
    if last is None or groups.get("remainder") or _total(groups[last]) >= 100:
        return
    total = _total(groups[last])
    yield (
        _DISTRIBUTION,
        f"shares of {BASE_WORDS[last]} sum to {_figure(total)} %; say who receives the other "
        f"{_figure(100 - total)} %",
    )


@rule("forfeiture.fiscal-agent", "error", "Forfeiture sharing names exactly one fiscal agent.")
def _forfeiture_agent(a: Agreement) -> Iterator[tuple[str, str]]:
    if a.forfeiture and a.forfeiture.fiscal_agent is None:
        yield "$.forfeiture.fiscal_agent", "name the one party that receives and distributes"


_PAYS_FOR_WHAT_IT_ASKED = (PaymentRole.requesting_party, PaymentRole.receiving_party)


@rule(
    "funding.reimbursement-cap",
    "error",
    "Every reimbursement has a cap, unless the party that asked for the work pays for it.",
)
def _reimbursement_cap(a: Agreement) -> Iterator[tuple[str, str]]:
    funding = a.funding
    all_payments_capped = bool(funding.caps) and not funding.cost_shares
    for index, item in enumerate(funding.reimbursements):
        if item.caps or all_payments_capped or item.payer.role in _PAYS_FOR_WHAT_IT_ASKED:
            continue
        yield (
            f"$.funding.reimbursements[{index}].caps",
            "has no cap, and $.funding.caps does not cap all payments",
        )


@rule("funding.payee-named", "warning", "Every reimbursement says who is paid.")
def _payee_named(a: Agreement) -> Iterator[tuple[str, str]]:
    for index, item in enumerate(a.funding.reimbursements):
        if item.payee is None:
            yield (
                f"$.funding.reimbursements[{index}].payee",
                "say who is paid: a party, a role such as the responding party, or another "
                "recipient",
            )


@rule(
    "funding.basis-stated",
    "error",
    "Where parties do not bear their own costs, the agreement says how costs are met.",
)
def _funding_basis(a: Agreement) -> Iterator[tuple[str, str]]:
    f = a.funding
    if not f.each_party_bears_own_costs and not (
        f.cost_shares or f.reimbursements or f.fee_schedule or f.notes
    ):
        yield (
            "$.funding.each_party_bears_own_costs",
            "is false, but no cost_shares, reimbursements, fee_schedule or notes under "
            "$.funding say how the joint costs are met",
        )


@rule("funding.joint-costs-stated", "warning", "Cost shares say what joint costs they divide.")
def _joint_costs(a: Agreement) -> Iterator[tuple[str, str]]:
    if a.funding.cost_shares and not a.funding.joint_costs:
        yield "$.funding.joint_costs", "say what the joint costs are that the cost shares divide"


# An amount ($1,000) or a percentage (10 %, ten percent) written in prose.
_MONEY_TERM = re.compile(r"\$\s*\d|\d\s*%|\bper\s?cent\b", re.IGNORECASE)


@rule(
    "funding.terms-in-fields",
    "warning",
    "Amounts and percentages are in the money fields, not in notes that could contradict them.",
)
def _terms_in_fields(a: Agreement) -> Iterator[tuple[str, str]]:
    notes = [("$.funding.notes", a.funding.notes)]
    if a.forfeiture:
        notes.append(("$.forfeiture.procedure", a.forfeiture.procedure))
    for path, text in notes:
        found = _MONEY_TERM.search(text or "")
        if found:
            yield (
                path,
                f"states a money term ({_around(text or '', found)!r}); put it in a cap, share "
                "or fee field so that the document states it once",
            )


def _around(text: str, found: re.Match[str]) -> str:
    """The words around a match, for a message that shows where it is."""
    start = text.rfind(" ", 0, max(0, found.start() - 12)) + 1
    end = text.find(" ", found.end() + 8)
    return text[start : end if end >= 0 else len(text)]


# --------------------------------------------------------------------------- term


@rule("term.effective-date", "error", "A fixed effective rule has an effective date.")
def _effective_date(a: Agreement) -> Iterator[tuple[str, str]]:
    if a.term.effective_rule == "fixed_date" and a.term.effective_date is None:
        yield "$.term.effective_date", "effective_rule is fixed_date but no date is given"


@rule("term.expiration-after-effective", "error", "Expiration is after the effective date.")
def _expiration(a: Agreement) -> Iterator[tuple[str, str]]:
    term = a.term
    if term.effective_date and term.expiration_date and term.expiration_date <= term.effective_date:
        yield (
            "$.term.expiration_date",
            f"{term.expiration_date} is not after the effective date {term.effective_date}",
        )


@rule(
    "term.host-withdrawal",
    "error",
    "A host party has its own withdrawal notice and a rule for its successor.",
)
def _host_withdrawal(a: Agreement) -> Iterator[tuple[str, str]]:
    term = a.term
    if term.host_party is None:
        return
    if term.host_withdrawal_notice_days is None:
        yield "$.term.host_withdrawal_notice_days", "say how many days' notice the host gives"
    if term.host_successor is None:
        yield "$.term.host_successor", "say who succeeds the host, and how systems and records move"


# --------------------------------------------------------------------------- by type


_SECTION_OF_TYPE = {
    "task_force": ("supervision", "supervision and control of assigned personnel"),
    "information_sharing": ("information_sharing", "records and information sharing"),
    "joint_training": ("training", "training commitments"),
    "mutual_aid": ("mutual_aid", "requests for assistance"),
}


@rule("type.sections", "error", "The section an agreement type depends on is present.")
def _type_sections(a: Agreement) -> Iterator[tuple[str, str]]:
    needed = _SECTION_OF_TYPE.get(a.type)
    if needed and getattr(a, needed[0]) is None:
        yield f"$.{needed[0]}", f"a {a.type} agreement must set out {needed[1]}"


@rule("cjis.topics-covered", "error", "Where CJI is exchanged, all eleven CJIS topics are covered.")
def _cjis(a: Agreement) -> Iterator[tuple[str, str]]:
    info = a.information_sharing
    if info is None or not info.cji_exchanged:
        return
    covered = {p.topic for p in info.cjis_provisions}
    missing = [t.value for t in CjisTopic if t not in covered]
    if missing:
        yield (
            "$.information_sharing.cjis_provisions",
            f"CJI is exchanged but these CJIS topics are not covered: {', '.join(missing)}",
        )


@rule(
    "cjis.management-control",
    "error",
    "Where a non-criminal-justice agency manages systems holding CJI, a management control "
    "section says who controls it.",
)
def _management_control(a: Agreement) -> Iterator[tuple[str, str]]:
    info = a.information_sharing
    needed = info is not None and info.cji_exchanged and info.cji_managed_by_noncriminal_justice
    if needed and a.management_control is None:
        yield (
            "$.management_control",
            "a non-criminal-justice agency manages systems holding CJI; add the CJIS management "
            "control section",
        )


@rule(
    "intelligence.part-23",
    "error",
    "A criminal intelligence system is run under a 28 CFR Part 23 section.",
)
def _part_23(a: Agreement) -> Iterator[tuple[str, str]]:
    info = a.information_sharing
    if info is not None and info.criminal_intelligence_system and a.criminal_intelligence is None:
        yield (
            "$.criminal_intelligence",
            "the parties share through a criminal intelligence system; add the 28 CFR Part 23 "
            "section",
        )


# Body-worn cameras mentioned anywhere: "body-worn camera", "body camera", "BWC".
_BODY_CAMERA = re.compile(r"\bbody[- ]?(?:worn )?cam(?:era)?s?\b|\bBWCs?\b", re.IGNORECASE)


@rule(
    "recordings.section",
    "error",
    "Where the agreement mentions body-worn cameras, a recordings section governs them.",
)
def _recordings_section(a: Agreement) -> Iterator[tuple[str, str]]:
    if a.recordings is not None:
        return
    for path, text in _texts(a):
        if _BODY_CAMERA.search(text):
            yield "$.recordings", f"{path} mentions body-worn cameras; add the recordings section"
            return


@rule(
    "recordings.federal-records",
    "error",
    "Where a party is federal, the recordings section says whether recordings are federal records.",
)
def _federal_records(a: Agreement) -> Iterator[tuple[str, str]]:
    federal = [p.acronym for p in a.parties if p.level == PartyLevel.federal]
    if a.recordings is not None and federal and a.recordings.federal_records is None:
        yield (
            "$.recordings.federal_records",
            f"{', '.join(federal)} is federal: say whether the recordings are federal records",
        )


@rule(
    "liability.federal-indemnification",
    "warning",
    "A federal party generally cannot indemnify without statutory authority.",
)
def _federal_indemnity(a: Agreement) -> Iterator[tuple[str, str]]:
    federal = [p.acronym for p in a.parties if p.level == PartyLevel.federal]
    if federal and a.liability.indemnification:
        yield (
            "$.liability.indemnification",
            f"{', '.join(federal)} is federal and generally cannot indemnify without "
            "statutory authority; have counsel confirm",
        )


# --------------------------------------------------------------------------- exhibits

_CITED = re.compile(r"\bExhibit ([A-Z]{1,2})\b")


@rule("exhibits.references-resolve", "error", "Every exhibit the text cites exists.")
def _exhibit_references(a: Agreement) -> Iterator[tuple[str, str]]:
    letters = [x.letter for x in a.exhibits]
    for path, text in _texts(a):
        for cited in dict.fromkeys(_CITED.findall(text)):
            if cited not in letters:
                known = ", ".join(letters) or "none"
                yield path, f"cites Exhibit {cited}, which is not an exhibit (exhibits: {known})"


@rule("exhibits.cited", "warning", "Every exhibit is cited in the text.")
def _exhibits_cited(a: Agreement) -> Iterator[tuple[str, str]]:
    cited = {
        letter
        for path, text in _texts(a)
        if not path.startswith("$.exhibits")
        for letter in _CITED.findall(text)
    }
    for index, exhibit in enumerate(a.exhibits):
        if exhibit.letter not in cited:
            yield (
                f"$.exhibits[{index}]",
                f"Exhibit {exhibit.letter} is not cited in the text; say where it applies",
            )


# --------------------------------------------------------------------------- text


@rule("definitions.used", "warning", "Every defined term is used in the text.")
def _definitions_used(a: Agreement) -> Iterator[tuple[str, str]]:
    if not a.definitions:
        return  # building the document's wording is the costly part of every check
    texts = [t for path, t in _texts(a) if not path.startswith("$.definitions")]
    body = "\n".join([*texts, *_document_wording(a)]).casefold()
    for index, definition in enumerate(a.definitions):
        if definition.term.casefold() not in body:
            yield (
                f"$.definitions[{index}].term",
                f"'{definition.term}' is defined but never used",
            )


def _document_wording(a: Agreement) -> list[str]:
    """The document's text outside the definitions: mou's own sentences around what was
    typed ("Quorum: …", "signed in counterparts") count as uses of a term too."""
    context = build_context(a, None, False, "")
    context["art"]["definitions"] = None
    return list(_strings(context))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# Blanks a drafter leaves: enclosed words ("[NAME]", "<NAME OF CHAIR>", "{Agency name}"),
# runs of underscores ("No. ____"), X's standing for digits ("2026-XX") and the to-do
# words, which drafters write in capitals ("Todo" in a sentence is a word, not a note).
_ENCLOSED = re.compile(r"\[[^\[\]\n]*\]|<[^<>\n]*>|\{[^{}\n]*\}")
_BLANK = re.compile(r"_{3,}|(?<=\d[-/.])X{2,}\b|\bX{2,}(?=[-/.]\d)|\b(?:TBD|TBA|TODO|FIXME|XXX)\b")
_NOT_BLANK = {"sic", "emphasis added", "reserved"}


def _placeholder_in(text: str) -> str | None:
    found = [*_ENCLOSED.finditer(text), *_BLANK.finditer(text)]
    for match in sorted(found, key=lambda m: m.start()):
        if match.re is _BLANK or _is_enclosed_blank(match.group(0)):
            return match.group(0)
    return None


def _is_enclosed_blank(enclosed: str) -> bool:
    """``[NAME]`` is a blank; ``[sic]``, ``[Reserved]``, ``2[a]`` and ``[1]`` are not."""
    inner = enclosed[1:-1].strip()
    if "..." in inner or "…" in inner:
        return True
    if sum(c.isalpha() for c in inner) < 2 or inner.strip(" .").casefold() in _NOT_BLANK:
        return False
    if enclosed.startswith("<") and ("@" in inner or "://" in inner):
        return False  # an e-mail or web address
    # "[the Task Force] shall" is a quotation edit; a blank starts with a capital.
    return not (enclosed.startswith("[") and inner[0].islower())


@rule("text.placeholders", "error", 'No placeholder text is left (e.g. "[NAME]", "TBD").')
def _placeholders(a: Agreement) -> Iterator[tuple[str, str]]:
    for path, text in _texts(a):
        found = _placeholder_in(text)
        if found:
            yield path, f"placeholder {found[:60]!r} is still in the text"


# --------------------------------------------------------------------------- walking


def _texts(agreement: Agreement) -> Iterator[tuple[str, str]]:
    """Every free-text value with its JSON path (ids and enum values left out)."""
    for path, model in walk(agreement):
        for name in type(model).model_fields:
            if name == "id":
                continue
            value = getattr(model, name)
            if isinstance(value, str) and not hasattr(value, "value"):
                yield f"{path}.{name}", value
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        yield f"{path}.{name}[{index}]", item

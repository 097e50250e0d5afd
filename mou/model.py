"""The agreement model: every section of an interagency MOU as strict pydantic models.

Attribute docstrings become JSON Schema descriptions, so they are written for the
liaison who reads them in an editor's tooltip. Every list item carries a stable
slug ``id`` (or, for per-party rows, a ``party`` key) so that diffs and merges can
match items by identity rather than by position. Cross-references are ids marked
with :class:`Ref`, which lets :mod:`mou.validate` find and check them generically.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from .chars import bidi_control, bidi_problem
from .ids import AGREEMENT_ID_PATTERN

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
LINE_MAX = 500
PROSE_MAX = 50_000


def xml_forbidden_char(text: str) -> str | None:
    """Return the first character XML 1.0 cannot carry (so Word cannot either), or None."""
    for char in text:
        code = ord(char)
        if code in (0x9, 0xA, 0xD):
            continue
        if code < 0x20 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            return char
    return None


def _xml_safe(text: str) -> str:
    bad = xml_forbidden_char(text)
    if bad is not None:
        raise ValueError(
            f"contains the control character U+{ord(bad):04X}, which Word documents "
            "cannot hold; delete it"
        )
    bidi = bidi_control(text)  # Trojan-Source reordering: see mou/chars.py
    if bidi is not None:
        raise ValueError(bidi_problem(bidi))
    return text


def _address_safe(address: str) -> str:
    # The same refusal as text (a control character, a bidirectional override), under its
    # own name: an address is not free text.
    return _xml_safe(address)


def _integral_as_int(value: float) -> float | int:
    # 250000 stays 250000 in the YAML file rather than becoming 250000.0.
    return int(value) if float(value).is_integer() else value


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=64)]
Line = Annotated[
    str, StringConstraints(min_length=1, max_length=LINE_MAX), AfterValidator(_xml_safe)
]
Prose = Annotated[
    str, StringConstraints(min_length=1, max_length=PROSE_MAX), AfterValidator(_xml_safe)
]
Cell = Annotated[str, StringConstraints(max_length=LINE_MAX), AfterValidator(_xml_safe)]
"""A table cell: one line of text, which may be empty."""
Number = Annotated[float, PlainSerializer(_integral_as_int)]
Amount = Annotated[float, Field(ge=0), PlainSerializer(_integral_as_int)]
Percent = Annotated[float, Field(gt=0, le=100), PlainSerializer(_integral_as_int)]
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254),
    Field(json_schema_extra={"format": "email"}),
    AfterValidator(_address_safe),
]


class Ref:
    """Marks a field whose value is the id (or ids) of items in another list."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __repr__(self) -> str:
        return f"Ref({self.target!r})"


PartyRef = Annotated[Slug, Ref("party")]
PartyRefs = Annotated[list[Slug], Ref("party")]
GoalRefs = Annotated[list[Slug], Ref("goal")]


class Strict(BaseModel):
    """Base for every model: unknown fields are errors, docstrings document fields."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        validate_default=False,
        allow_inf_nan=False,
    )
    key_field: ClassVar[str | None] = None


class Item(Strict):
    """A list item with a stable identity."""

    key_field: ClassVar[str | None] = "id"
    id: Slug
    """Stable identifier: lower-case letters, digits and hyphens. Never reused."""


# --------------------------------------------------------------------------- enums


class AgreementType(StrEnum):
    """The kind of agreement; it picks the preset and the sections readiness requires."""

    task_force = "task_force"
    information_sharing = "information_sharing"
    community_partnership = "community_partnership"
    joint_training = "joint_training"
    mutual_aid = "mutual_aid"


class Instrument(StrEnum):
    """What the document calls itself on its title page."""

    memorandum_of_understanding = "memorandum_of_understanding"
    memorandum_of_agreement = "memorandum_of_agreement"
    interlocal_agreement = "interlocal_agreement"
    interagency_agreement = "interagency_agreement"
    mutual_aid_agreement = "mutual_aid_agreement"


class Status(StrEnum):
    """Where the agreement stands in its life, from first draft to termination."""

    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    executed = "executed"
    expired = "expired"
    terminated = "terminated"


class PartyLevel(StrEnum):
    """The level of government or sector a party belongs to."""

    federal = "federal"
    state = "state"
    county = "county"
    municipal = "municipal"
    tribal = "tribal"
    special_district = "special_district"
    nonprofit = "nonprofit"
    community = "community"
    academic = "academic"


class SignatureRole(StrEnum):
    """What a signature block does: sign for the party, attest, or approve."""

    signatory = "signatory"
    attest = "attest"
    approved_as_to_form = "approved_as_to_form"
    approved_as_to_content = "approved_as_to_content"


class Frequency(StrEnum):
    """How often something is reported or reviewed."""

    monthly = "monthly"
    quarterly = "quarterly"
    semiannual = "semiannual"
    annual = "annual"
    per_event = "per_event"


class Month(StrEnum):
    """A month of the year, by its name."""

    january = "january"
    february = "february"
    march = "march"
    april = "april"
    may = "may"
    june = "june"
    july = "july"
    august = "august"
    september = "september"
    october = "october"
    november = "november"
    december = "december"


MONTHS = tuple(Month)


class ResourceCategory(StrEnum):
    """The kind of resource a party contributes."""

    personnel = "personnel"
    vehicle = "vehicle"
    equipment = "equipment"
    facility = "facility"
    data_system = "data_system"
    funds = "funds"
    other = "other"


class CjisTopic(StrEnum):
    """The eleven topics the FBI CJIS Security Policy expects an agreement to cover."""

    audit = "audit"
    dissemination = "dissemination"
    hit_confirmation = "hit_confirmation"
    logging = "logging"
    quality_assurance = "quality_assurance"
    pre_employment_screening = "pre_employment_screening"
    security = "security"
    timeliness = "timeliness"
    training = "training"
    use_of_system = "use_of_system"
    validation = "validation"


class LiabilityBearer(StrEnum):
    """Who bears a liability: each party for its own, or one side of a request."""

    each_party = "each_party"
    requesting_party = "requesting_party"
    responding_party = "responding_party"


class PaymentRole(StrEnum):
    """A side of a payment named by its part in the work rather than by name."""

    requesting_party = "requesting_party"
    responding_party = "responding_party"
    receiving_party = "receiving_party"
    providing_party = "providing_party"
    each_party = "each_party"


class CapScope(StrEnum):
    """What a ceiling on payments counts over."""

    per_officer = "per_officer"
    per_event = "per_event"
    per_year = "per_year"
    per_term = "per_term"


class CostKind(StrEnum):
    """The kind of cost a ceiling counts."""

    all_costs = "all_costs"
    overtime = "overtime"
    wages_and_benefits = "wages_and_benefits"
    equipment = "equipment"
    travel = "travel"
    services = "services"
    supplies = "supplies"


class ShareBase(StrEnum):
    """What a share of proceeds is a share of."""

    gross = "gross"
    net = "net"
    remainder = "remainder"


class ExhibitKind(StrEnum):
    """What an exhibit holds: a table, text, or a file attached beside the agreement."""

    table = "table"
    text = "text"
    file = "file"


class EffectiveRule(StrEnum):
    """How the effective date is fixed: a date stated, or the last signature."""

    fixed_date = "fixed_date"
    last_signature = "last_signature"


# --------------------------------------------------------------------------- parties


class Address(Strict):
    """A postal address."""

    street: Line
    """Street address or post-office box."""
    city: Line
    state: Line
    """State or territory, e.g. "Columbia" or "CO"."""
    postal_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 -]{3,10}$")]


class Contact(Strict):
    """A person to reach: name, title and how to reach them."""

    name: Line
    title: Line
    """Position, e.g. "Task Force Commander"."""
    email: Email
    phone: Line | None = None


class NoticeAddressee(Contact):
    """Who receives formal notices (withdrawal, amendment, breach), and where by mail."""

    mailing_address: Address | None = None
    """Where notices by mail go, when not to the party's address."""


class SubUnit(Item):
    """A part of a party that does the work (a county's sheriff's office, its district
    attorney)."""

    name: Line
    """Name of the sub-unit, e.g. "Office of the Sheriff"."""
    acronym: Line | None = None


class Signatory(Item):
    """One signature block of a party: who signs, in what role, under what authority."""

    role: SignatureRole = SignatureRole.signatory
    """signatory signs for the party; attest, approved_as_to_form and approved_as_to_content
    are the clerk's and counsel's blocks beneath it."""
    name: Line
    title: Line
    authority: Line | None = None
    """What empowers this person to sign, e.g. "Resolution 2026-114 of the Board"."""


class Party(Item):
    """An agency or organisation bound by the agreement."""

    legal_name: Line
    """Full legal name, as it appears on the signature page."""
    acronym: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9&.-]{1,16}$")]
    """Short name used throughout the text; unique among the parties."""
    level: PartyLevel
    sub_units: list[SubUnit] = []
    address: Address
    point_of_contact: Contact
    """Day-to-day contact for the work under this agreement."""
    notice_addressee: NoticeAddressee
    """Who receives formal notices (withdrawal, amendment, breach)."""
    signatories: list[Signatory] = []
    governing_body_resolution: Line | None = None
    """Resolution or ordinance that approved the agreement, when one is required."""


class Authority(Item):
    """A statute or regulation a party acts under in making the agreement."""

    citation: Line
    """Statute or regulation, e.g. "31 U.S.C. § 1535"."""
    description: Prose | None = None
    parties: PartyRefs = []
    """Parties acting under this authority; empty means all."""


class Clause(Item):
    """A paragraph of agreed text, kept as an item so that edits are tracked by id."""

    text: Prose


# --------------------------------------------------------------------------- goals


class Metric(Item):
    """How a goal is measured: baseline, target, unit, reporting frequency and data source."""

    name: Line
    """What is measured, e.g. "Non-fatal shootings"."""
    unit: Line
    """Unit of the baseline and target, e.g. "incidents per year"."""
    baseline: Number | None = None
    baseline_due: dt.date | None = None
    """When no baseline is known yet: the date by which it is to be established."""
    target: Number
    target_date: dt.date | None = None
    """The date by which the target is to be reached."""
    frequency: Frequency
    """How often the metric is reported."""
    data_source: Line
    """Where the figure comes from, e.g. "Records management system"."""

    @model_validator(mode="after")
    def _baseline_or_its_date(self) -> Metric:
        if self.baseline is not None and self.baseline_due is not None:
            raise ValueError(
                "baseline_due is for a baseline still to be established; remove it or the baseline"
            )
        return self


class Goal(Item):
    """A shared goal, owned by one or more parties and measured by its metrics."""

    title: Line
    description: Prose | None = None
    owners: PartyRefs = Field(min_length=1)
    """Parties accountable for the goal."""
    metrics: list[Metric] = Field(min_length=1)


class Definition(Item):
    """A defined term and what it means in this agreement."""

    term: Line
    meaning: Prose


class Responsibility(Item):
    """What one or more parties commit to do, tied to the goals it serves."""

    parties: PartyRefs = Field(min_length=1)
    """Parties that carry this responsibility."""
    text: Prose
    goals: GoalRefs = []
    """Shared goals this responsibility serves (the responsibility matrix)."""


# --------------------------------------------------------------------------- task force


class BoardSeat(Strict):
    """A party's seats and votes on the executive board."""

    key_field: ClassVar[str | None] = "party"
    party: PartyRef
    seats: int = Field(ge=1, le=50)
    votes: int = Field(ge=0, le=50)
    representative: Line | None = None
    """Who sits for the party: a name, or a position such as "the Chief of Police or a
    designee"."""
    alternate: Line | None = None
    """Who sits when the representative cannot."""


class Governance(Strict):
    """How the partnership decides: board, chair, quorum, vote thresholds, fiscal agent."""

    board_name: Line
    """E.g. "Executive Board"."""
    seats: list[BoardSeat] = Field(min_length=1)
    chair: PartyRef | None = None
    chair_rotation: Line | None = None
    quorum: Line
    """E.g. "a majority of seats"."""
    vote_threshold: Line
    """E.g. "two-thirds of votes present"."""
    meeting_frequency: Frequency
    fiscal_agent: PartyRef | None = None


class Supervision(Strict):
    """Who supervises assigned personnel and controls cases and resources."""

    supervising_party: PartyRef
    """Party whose supervisor directs the day-to-day work."""
    personnel_supervision: Prose
    case_assignment: Prose
    resource_control: Prose


class PersonnelAssignment(Item):
    """Positions a party assigns to the joint work, and on what terms."""

    party: PartyRef
    position: Line
    count: int = Field(ge=1, le=1000)
    full_time: bool = True
    minimum_months: int | None = Field(default=None, ge=1, le=120)
    clearance_level: Line | None = None
    deputation: Line | None = None
    """Deputation authority, e.g. "Special Deputy U.S. Marshal"."""
    employer_policies_apply: bool = True
    """Whether the employing agency's policies continue to govern the person."""


class Operations(Strict):
    """How joint operations run: investigations, sources, evidence, use of force."""

    investigative_exclusivity: Prose | None = None
    confidential_sources: Prose | None = None
    evidence: Prose | None = None
    use_of_force: Prose | None = None
    """Which party's use-of-force policy governs."""


# --------------------------------------------------------------------------- information


class CjisProvision(Strict):
    """How the parties meet one CJIS Security Policy topic."""

    key_field: ClassVar[str | None] = "topic"
    topic: CjisTopic
    text: Prose


class InformationSharing(Strict):
    """Which records are shared, for what uses, under what security and retention."""

    record_owner: Prose
    """Who owns the records shared, e.g. "the contributing agency"."""
    data_categories: list[Clause] = Field(min_length=1)
    cji_exchanged: bool = False
    """Whether criminal justice information (CJI) is exchanged."""
    cji_managed_by_noncriminal_justice: bool = False
    """Whether a non-criminal-justice agency (e.g. a county's IT department) manages
    systems that hold CJI; then a CJIS management control section is required."""
    criminal_intelligence_system: bool = False
    """Whether the parties share through a criminal intelligence system (information on
    suspected criminal activity rather than incident and case records); then a 28 CFR
    Part 23 section is required."""
    cjis_provisions: list[CjisProvision] = []
    """How each FBI CJIS Security Policy topic is met; all eleven when CJI is exchanged."""
    permitted_uses: list[Clause] = []
    prohibited_uses: list[Clause] = []
    dissemination_approval: Prose | None = None
    public_records_law: Line | None = None
    public_records_notice_days: int | None = Field(default=None, ge=0, le=365)
    retention: Prose | None = None
    breach_notification_hours: int | None = Field(default=None, ge=1, le=720)
    audit_logging: Prose | None = None


# --------------------------------------------------------------------------- compliance


class ManagementControl(Strict):
    """CJIS management control: a criminal justice agency's control over the
    non-criminal-justice agency (e.g. county IT) that manages systems holding CJI."""

    criminal_justice_agency: PartyRef
    """The criminal justice agency that keeps management control."""
    managing_agency: Line
    """The non-criminal-justice agency or unit that manages the systems, e.g. "Bellwater
    County Department of Information Technology"."""
    systems: Prose
    """The systems and services it manages that store, process or transmit CJI."""
    authority: Prose
    """The criminal justice agency's authority over that work: its priorities, standards
    for selecting, supervising and removing the personnel, and the policy for the systems."""
    personnel_screening: Prose
    """Fingerprint-based record checks and security training of the managing agency's
    personnel with access to CJI."""
    audit: Prose | None = None
    """How the criminal justice agency audits the managing agency's compliance."""


class CriminalIntelligence(Strict):
    """A criminal intelligence system operated under 28 CFR Part 23."""

    system: Line
    """The system's name, e.g. "Regional shooting review log"."""
    operator: PartyRef
    """The party that operates the system."""
    submission_criteria: Prose
    """What may be entered: information on an individual or organization only where there
    is reasonable suspicion of involvement in criminal conduct, and nothing on political,
    religious or social views unrelated to it."""
    review_and_purge: Prose
    """How entries are reviewed and validated, and purged when they no longer qualify."""
    retention_years: int = Field(ge=1, le=5)
    """The longest an entry is kept without being validated anew; 28 CFR 23.20(h) allows
    five years at most."""
    dissemination: Prose
    """To whom information is disseminated: only to those with a need and a right to know."""
    security: Prose | None = None
    """How the system is protected against unauthorized access and use."""


class Recordings(Strict):
    """Body-worn camera and other recordings made in the joint work."""

    custodian: PartyRef
    """The party that keeps the recordings."""
    devices: Prose
    """Which recordings are made (body-worn and in-car cameras, interview rooms) and whose
    policy governs when devices are switched on."""
    federal_records: bool | None = None
    """Whether the recordings are federal records; to be stated where a party is federal."""
    release_notice_days: int = Field(ge=1, le=90)
    """Days of notice every other party receives before a recording is released."""
    release: Prose | None = None
    """Further terms of release: requests under public-records law, court orders, the press."""
    retention: Prose | None = None


# --------------------------------------------------------------------------- resources


class Resource(Item):
    """Something a party provides: personnel, vehicles, equipment, facilities, systems or funds."""

    provider: PartyRef
    category: ResourceCategory
    description: Line
    quantity: Annotated[Number, Field(gt=0)]
    unit: Line
    estimated_value: Amount | None = None
    """Estimated value in US dollars."""
    reimbursable: bool = False
    disposition_on_termination: Line | None = None


class CostShare(Strict):
    """One party's percentage of the joint costs."""

    key_field: ClassVar[str | None] = "party"
    party: PartyRef
    percent: Percent


class Payment(Strict):
    """One side of a payment: a party, a role, or someone who is not a party. Give one."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})
    party: PartyRef | None = None
    """A named party, e.g. the party that acts as fiscal agent."""
    role: PaymentRole | None = None
    """A party named by its part in the work: the requesting party, the responding party,
    the party receiving or providing the services, or each party for its own personnel."""
    other: Line | None = None
    """Someone who is not a party, e.g. "the Franklin State Treasurer" or "the Regional
    Mutual Aid Reserve"."""

    @model_validator(mode="after")
    def _one_side(self) -> Payment:
        given = [name for name in ("party", "role", "other") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of party, role or other")
        return self


class Cap(Item):
    """A ceiling on payments: how much, over what span, for what kind of cost."""

    amount: Amount
    """The ceiling in US dollars."""
    scope: CapScope
    """What the ceiling counts over: one officer in a year, one event, a year, or the term."""
    cost: CostKind = CostKind.all_costs
    """The kind of cost the ceiling counts; all_costs counts every kind."""


class Reimbursement(Item):
    """Who pays whom for what, up to what caps, invoiced how often."""

    title: Line | None = None
    """Short name printed as the heading, e.g. "Overtime reimbursement"."""
    payer: Payment
    payee: Payment | None = None
    """Who is paid; for example the responding party, or the party providing the personnel."""
    covers: Prose
    """What is reimbursed, e.g. "overtime of assigned officers"."""
    caps: list[Cap] = []
    """Ceilings on what this reimbursement pays."""
    period: Line | None = None
    """The year a yearly cap counts in, e.g. "federal fiscal year (October 1 to
    September 30)"."""
    invoice_frequency: Frequency
    invoice_deadline_days: int = Field(ge=1, le=365)


class Fee(Item):
    """One line of a fee schedule."""

    description: Line
    amount: Amount
    unit: Line
    """E.g. "per student" or "per course"."""


class Funding(Strict):
    """How the work is paid for: own costs with their exceptions, joint costs and their
    shares and caps, reimbursements, fees, appropriations. The document's money wording
    is written from these fields, so that no sentence can contradict another."""

    each_party_bears_own_costs: bool = True
    """The basis: each party bears its own costs, except its share of the joint costs, the
    reimbursements and the exceptions listed here."""
    own_cost_exceptions: list[Clause] = []
    """Further costs a party does not bear itself, e.g. "fuel for vehicles the FBI
    provides"."""
    joint_costs: Prose | None = None
    """What the joint costs are: the costs the cost shares divide."""
    cost_shares: list[CostShare] = []
    """Shares of joint costs; when given they sum to exactly 100."""
    budget_year: Line | None = None
    """The year the yearly caps below count in, e.g. "calendar year"."""
    caps: list[Cap] = []
    """Ceilings on the joint costs; with no cost shares, on all payments under the
    agreement."""
    reimbursements: list[Reimbursement] = []
    fee_schedule: list[Fee] = []
    subject_to_appropriations: bool = True
    notes: Prose | None = None
    """Terms with no field of their own (procedures, forms). Amounts and percentages
    belong in the fields above, where the document states each once."""


class ForfeitureShare(Strict):
    """One party's percentage of shared forfeiture proceeds, and what it is a share of."""

    key_field: ClassVar[str | None] = "party"
    party: PartyRef
    percent: Percent
    base: ShareBase = ShareBase.net
    """What the percentage is of: gross proceeds, net proceeds, or the remainder left
    after the shares of gross or net proceeds."""


class Remittance(Item):
    """A share of proceeds paid to someone who is not a party, e.g. a state treasurer."""

    recipient: Line
    """E.g. "the Franklin State Treasurer"."""
    percent: Percent
    base: ShareBase = ShareBase.net
    """What the percentage is of: gross proceeds, net proceeds, or the remainder."""
    authority: Line | None = None
    """The law that requires the payment, e.g. "Franklin Rev. Code § 69.50.505"."""


class Forfeiture(Strict):
    """How asset forfeiture proceeds are shared, and who acts as fiscal agent."""

    fiscal_agent: PartyRef | None = None
    """The one party that receives and distributes shared proceeds."""
    remittances: list[Remittance] = []
    """Shares paid to recipients that are not parties."""
    distribution: list[ForfeitureShare] = Field(min_length=1)
    """The parties' shares of proceeds; the shares of one base sum to at most 100."""
    procedure: Prose | None = None


# --------------------------------------------------------------------------- mutual aid


class MutualAid(Strict):
    """How assistance is requested, given, recalled and commanded across jurisdictions."""

    authorized_officials: Prose
    """Who may request and approve assistance."""
    oral_requests_allowed: bool = True
    written_confirmation_hours: int | None = Field(default=None, ge=1, le=720)
    """Hours within which an oral request is confirmed in writing."""
    responder_discretion: Prose
    right_of_recall: Prose
    command_and_control: Prose
    license_reciprocity: Prose | None = None


# --------------------------------------------------------------------------- evaluation


class Training(Strict):
    """Joint training the parties commit to, and the annual report."""

    commitments: list[Clause] = Field(min_length=1)
    host_rotation: Prose | None = None
    annual_report: Prose | None = None


class Evaluation(Strict):
    """How performance is reviewed: reports, reviews, surveys, after-action debriefs."""

    reporting_frequency: Frequency
    review_interval_months: int = Field(ge=1, le=120)
    fiscal_year_start: Month | None = None
    """The month whose first day begins the parties' fiscal year, e.g. october (the
    federal fiscal year, October 1 to September 30); empty means the calendar year.
    Yearly measurements and the yearly equitable-sharing certification count in it; a
    fiscal year is named by the calendar year it ends in."""
    surveys: Prose | None = None
    after_action_debriefs: Prose | None = None


class Liability(Strict):
    """Who bears tort liability and workers' compensation, and any indemnification."""

    tort: LiabilityBearer
    """Who bears tort liability for acts of personnel."""
    workers_compensation: LiabilityBearer
    indemnification: Prose | None = None
    """Indemnification promised, if any; a federal party needs statutory authority."""
    insurance: Prose | None = None


class EscalationLevel(Item):
    """One step of dispute resolution: who tries to resolve it, and within how long."""

    description: Line
    """E.g. "Task force supervisors"."""
    days: int | None = Field(default=None, ge=1, le=365)
    """Days allowed at this level before escalating."""


class DisputeResolution(Strict):
    """How disputes escalate, ending at the agency heads."""

    levels: list[EscalationLevel] = Field(min_length=1)
    """Escalation levels in order, ending with the agency heads."""


class Term(Strict):
    """When the agreement takes effect, how long it lasts, and how a party leaves it."""

    effective_rule: EffectiveRule
    effective_date: dt.date | None = None
    """Required when effective_rule is fixed_date."""
    expiration_date: dt.date | None = None
    """Empty means until terminated."""
    renewal: Prose | None = None
    review_interval_months: int = Field(ge=1, le=120)
    withdrawal_notice_days: int = Field(ge=1, le=730)
    """Days of notice a party gives to withdraw (the host party's are set apart below)."""
    host_party: PartyRef | None = None
    """The party that hosts the shared system or program, when one does."""
    host_withdrawal_notice_days: int | None = Field(default=None, ge=1, le=730)
    """Days of notice the host party gives to withdraw; usually more than a member's."""
    host_successor: Prose | None = None
    """What happens when the host party withdraws: who succeeds it, and how the systems,
    records and funds move."""
    notice_method: Line
    """E.g. "written notice by certified mail to each notice addressee"."""
    termination_effects: Prose


class Amendment(Strict):
    """How the agreement is amended and how new members join."""

    procedure: Prose
    """Normally: by mutual written consent of all parties."""
    new_members: Prose | None = None
    joinder_alone: bool | None = None
    """True: new members join by a joinder agreement alone: signed by the new member and the
    parties named in joinder_signers, not by every party."""
    joinder_signers: PartyRefs = []
    """The parties that sign a joinder beside the new member (e.g. the fiscal agent)."""


class GeneralProvisions(Strict):
    """The standard provisions: beneficiaries, assignment, counterparts, governing law."""

    governing_law: Line
    """E.g. "the laws of the State of Columbia"."""
    no_third_party_beneficiaries: bool = True
    no_assignment: bool = True
    counterparts_and_electronic_signatures: bool = True
    severability: bool = True
    entire_agreement: bool = True
    additional: list[Clause] = []


# --------------------------------------------------------------------------- exhibits

EXHIBIT_LETTER_PATTERN = r"^[A-Z]{1,2}$"
FILE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(pdf|docx)$"


class ExhibitRow(Item):
    """One row of a table exhibit: a cell per column."""

    cells: list[Cell]


class Exhibit(Strict):
    """A lettered, titled exhibit bound after the signature pages: a table, text or a file."""

    key_field: ClassVar[str | None] = "letter"
    letter: Annotated[str, StringConstraints(pattern=EXHIBIT_LETTER_PATTERN)]
    """The letter the text cites it by: "A" for Exhibit A. Letters rise in list order."""
    title: Line
    """E.g. "Overtime rates"; printed as "Exhibit A — Overtime rates"."""
    kind: ExhibitKind
    columns: list[Line] = []
    """A table's column headings."""
    rows: list[ExhibitRow] = []
    """A table's rows, each with one cell per column."""
    text: Prose | None = None
    """A text exhibit's text; a blank line starts a new paragraph."""
    file: Annotated[str, StringConstraints(pattern=FILE_NAME_PATTERN)] | None = None
    """An attached file's name (PDF or Word), e.g. "overtime-rates.pdf". The file is kept
    beside the agreement, in agreements/<agreement id>.exhibits/, and committed with it."""
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    """SHA-256 of the attached file, so that the agreement pins the file's exact content."""

    @model_validator(mode="after")
    def _holds_its_kind(self) -> Exhibit:
        wanted = _EXHIBIT_FIELDS[self.kind]
        for name in ("columns", "rows", "text", "file", "sha256"):
            given = getattr(self, name) not in (None, [])
            if given != (name in wanted):
                raise ValueError(_exhibit_message(self.kind, wanted))
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"row '{row.id}' has {len(row.cells)} cell(s) for {len(self.columns)} column(s)"
                )
        return self


_EXHIBIT_FIELDS = {"table": ("columns", "rows"), "text": ("text",), "file": ("file", "sha256")}


def _exhibit_message(kind: str, wanted: tuple[str, ...]) -> str:
    others = [n for n in ("columns", "rows", "text", "file", "sha256") if n not in wanted]
    return f"a {kind} exhibit gives {' and '.join(wanted)}, and no {', '.join(others)}"


# --------------------------------------------------------------------------- agreement


class Agreement(Strict):
    """An interagency memorandum of understanding, one YAML file per agreement."""

    schema_version: Literal[2]
    """Version of the agreement model the file follows. A file without it is version 1;
    `mou migrate` rewrites such a file as version 2."""
    id: Annotated[str, StringConstraints(pattern=AGREEMENT_ID_PATTERN)]
    """The file name without .yaml: 3 to 64 lower-case letters, digits and hyphens."""
    title: Line
    number: Line | None = None
    """Agreement number assigned by the clerk or contracts office."""
    type: AgreementType
    instrument: Instrument = Instrument.memorandum_of_understanding
    status: Status = Status.draft
    marking: Line | None = None
    """Handling marking shown on every page, e.g. "For Official Use Only"."""
    supersedes: list[Line] = []
    """Earlier agreements this one replaces."""
    parties: list[Party] = Field(min_length=1)
    authorities: list[Authority] = []
    background: list[Clause] = []
    """Recitals ("WHEREAS ...")."""
    purpose: Prose
    goals: list[Goal] = []
    definitions: list[Definition] = []
    responsibilities: list[Responsibility] = []
    governance: Governance | None = None
    supervision: Supervision | None = None
    personnel: list[PersonnelAssignment] = []
    operations: Operations | None = None
    information_sharing: InformationSharing | None = None
    management_control: ManagementControl | None = None
    criminal_intelligence: CriminalIntelligence | None = None
    recordings: Recordings | None = None
    prosecution: Prose | None = None
    resources: list[Resource] = []
    funding: Funding
    forfeiture: Forfeiture | None = None
    mutual_aid: MutualAid | None = None
    training: Training | None = None
    evaluation: Evaluation
    media: Prose | None = None
    """Policy for press releases and public statements."""
    liability: Liability
    disputes: DisputeResolution
    term: Term
    amendment: Amendment
    general: GeneralProvisions
    exhibits: list[Exhibit] = []
    """Exhibits bound after the signature pages, lettered A, B, C… and cited in the text."""


def to_data(agreement: Agreement) -> dict[str, Any]:
    """Plain JSON-compatible data for an agreement; unset fields and empty lists left out."""
    return _without_empty(agreement.model_dump(mode="json", exclude_none=True))


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value

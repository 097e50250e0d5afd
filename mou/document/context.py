"""The template context: an agreement turned into numbered articles, clauses and table rows.

Everything a person typed is passed through as data (strings in lists and dicts);
the template only places it. Sentences that wrap user text ("A quorum is …") are
written here so that numbering stays right when optional sections are absent.
Carriage returns become line breaks in every string of the context, one-line
fields and table cells included; in prose a blank line starts a new paragraph.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from ..data import SAMPLE_AGREEMENT
from ..model import MONTHS, Agreement, Exhibit, Metric, Month, Party
from ..outline import ARTICLES
from ..presets import preset
from ..quickload import quick_load
from ..validate import load_bytes, validate_data
from .compliance import ComplianceWords
from .money import MoneyWords
from .provenance import PENDING
from .words import (
    FREQUENCY,
    clause,
    join,
    label,
    letter,
    lettered,
    money,
    number,
    paras,
    percent,
    text,
)

EXHIBIT_TABLE_CAPTION = "mou-exhibit-table"
"""Marks an exhibit's table in the template, so rendering can share out its width."""


def exhibit_name(exhibit: Exhibit) -> str:
    """How the text cites an exhibit: "Exhibit A — Overtime rates"."""
    return f"Exhibit {exhibit.letter} — {exhibit.title}"


INSTRUMENTS = {
    "memorandum_of_understanding": ("MEMORANDUM OF UNDERSTANDING", "Memorandum"),
    "memorandum_of_agreement": ("MEMORANDUM OF AGREEMENT", "Memorandum"),
    "interlocal_agreement": ("INTERLOCAL AGREEMENT", "Agreement"),
    "interagency_agreement": ("INTERAGENCY AGREEMENT", "Agreement"),
    "mutual_aid_agreement": ("MUTUAL AID AGREEMENT", "Agreement"),
}
CJIS_TOPICS = {
    "audit": "Audit",
    "dissemination": "Dissemination",
    "hit_confirmation": "Hit confirmation",
    "logging": "Logging",
    "quality_assurance": "Quality assurance",
    "pre_employment_screening": "Pre-employment screening",
    "security": "Security",
    "timeliness": "Timeliness",
    "training": "Training",
    "use_of_system": "Use of the system",
    "validation": "Validation",
}
TORT = {
    "each_party": "Each party is responsible, to the extent the law allows, for the acts and "
    "omissions of its own officers, employees and agents under this {short}.",
    "requesting_party": "The requesting party is responsible, to the extent the law allows, "
    "for claims arising from the acts of responding personnel while they assist it.",
    "responding_party": "The responding party remains responsible, to the extent the law "
    "allows, for the acts and omissions of its own personnel while they assist.",
}
COMPENSATION = {
    "each_party": "Each party remains responsible for the wages, benefits and workers' "
    "compensation of its own personnel.",
    "requesting_party": "The requesting party bears workers' compensation for responding "
    "personnel injured while assisting it.",
    "responding_party": "The responding party bears workers' compensation for its own "
    "personnel injured while assisting.",
}
GENERAL = [
    (
        "no_third_party_beneficiaries",
        "No third-party beneficiaries",
        "This {short} benefits the parties only and creates no right or remedy for any "
        "other person.",
    ),
    (
        "no_assignment",
        "No assignment",
        "No party may assign its rights or delegate its duties under this {short} without "
        "the written consent of every other party.",
    ),
    (
        "counterparts_and_electronic_signatures",
        "Counterparts and electronic signatures",
        "This {short} may be signed in counterparts, each of which is an original and all "
        "of which together are one instrument. Electronic signatures are as valid as "
        "handwritten ones.",
    ),
    (
        "severability",
        "Severability",
        "If a court holds any provision invalid, the remaining provisions stay in effect.",
    ),
    (
        "entire_agreement",
        "Entire agreement",
        "This {short} is the entire agreement of the parties on its subject and supersedes "
        "earlier understandings on it.",
    ),
]
BLOCK_LABELS = {
    "signatory": None,
    "attest": "ATTEST:",
    "approved_as_to_form": "APPROVED AS TO FORM:",
    "approved_as_to_content": "APPROVED AS TO CONTENT:",
}


class ContextBuilder:
    """Builds the context for one agreement; each article has a method of its own."""

    def __init__(self, agreement: Agreement) -> None:
        self.a = agreement
        self.parties = {p.id: p for p in agreement.parties}
        self.instrument, self.short = INSTRUMENTS[agreement.instrument]
        self.numbers: dict[str, str] = {}
        self.article_no = 0
        self.money = MoneyWords(agreement, self.short, self.named)
        self.compliance = ComplianceWords(agreement, self.short, self.named)

    def acronym(self, party_id: str) -> str:
        party = self.parties.get(party_id)
        return party.acronym if party else party_id

    def named(self, party_id: str) -> str:
        party = self.parties.get(party_id)
        return f"{party.legal_name} ({party.acronym})" if party else party_id

    def build(self, revision: str | None, draft: bool, fingerprint: str) -> dict[str, Any]:
        """The whole context: doc, parties, recitals, art, tables, signatures."""
        articles = self._articles()
        return {
            "doc": self._doc(revision, draft, fingerprint),
            "parties": [_party_row(p) for p in self.a.parties],
            "recitals": paras(*(c.text for c in self.a.background)),
            "art": articles,
            "tables": self._tables(),
            "signatures": [self._signature(p) for p in self.a.parties],
            "exhibits": self._exhibits(),
        }

    def _doc(self, revision: str | None, draft: bool, fingerprint: str) -> dict[str, Any]:
        a = self.a
        last = a.background[-1].text.lstrip().upper() if a.background else ""
        return {
            # Recitals often end with their own "NOW, THEREFORE"; never say it twice.
            "therefore": not last.startswith("NOW, THEREFORE"),
            "id": a.id,
            "instrument": self.instrument,
            "kind": "" if names_instrument(a.title, self.instrument) else self.instrument,
            "short": self.short,
            "title": a.title,
            "number": a.number,
            "marking": a.marking,
            "supersedes": list(a.supersedes),
            "draft": draft,
            "revision": revision or "uncommitted working copy",
            "fingerprint": fingerprint,
            "effective": self._effective_sentence(),
        }

    def _effective_sentence(self) -> str:
        term = self.a.term
        if term.effective_rule == "fixed_date" and term.effective_date:
            return f"takes effect on {term.effective_date:%B %-d, %Y}."
        return "takes effect on the date of the last signature below."

    # ----------------------------------------------------------------- articles

    def _articles(self) -> dict[str, Any]:
        builders = self._article_builders()
        articles: dict[str, Any] = {}
        for article in ARTICLES:
            articles[article.key] = self._article(
                len([v for v in articles.values() if v]) + 1, builders[article.key]
            )
            _place_tables(articles[article.key], article.tables)
            if articles[article.key]:
                self.numbers[article.key] = str(articles[article.key]["no"])
        articles["signatures"] = {"no": len([v for v in articles.values() if v]) + 1}
        return articles

    def _article_builders(self) -> dict[str, Callable[[], list[dict[str, Any]]]]:
        """Article key (:mod:`mou.outline`) -> the method that writes its clauses."""
        return {
            "parties": self._parties,
            "authority": self._authority,
            "purpose": self._purpose,
            "definitions": self._definitions,
            "responsibilities": self._responsibilities,
            "governance": self._governance,
            "supervision": self._supervision,
            "personnel": self._personnel,
            "operations": self._operations,
            "information": self._information,
            "management_control": self.compliance.management_control,
            "criminal_intelligence": self.compliance.criminal_intelligence,
            "recordings": self.compliance.recordings,
            "prosecution": lambda: [clause(None, self.a.prosecution)],
            "resources": self._resources,
            "funding": lambda: self.money.funding(self.article_no),
            "forfeiture": self.money.forfeiture,
            "mutual_aid": self._mutual_aid,
            "training": self._training,
            "evaluation": self._evaluation,
            "media": lambda: [clause(None, self.a.media)],
            "liability": self._liability,
            "disputes": self._disputes,
            "term": self._term,
            "amendment": self._amendment,
            "general": self._general,
        }

    def _article(self, no: int, builder: Any) -> dict[str, Any] | None:
        self.article_no = no  # for builders whose clauses refer to each other by number
        clauses = [c for c in builder() if c["paras"]]
        if not clauses:
            return None
        headed = [c for c in clauses if c["heading"]]
        for index, headed_clause in enumerate(headed, start=1):
            headed_clause["no"] = f"{no}.{index}"
        return {"no": no, "clauses": clauses}

    def _parties(self) -> list[dict[str, Any]]:
        return [
            clause(
                None,
                f"This {self.short} is made between the parties listed below, each referred "
                "to in this document by its short name and acting through the units named.",
            )
        ]

    def _authority(self) -> list[dict[str, Any]]:
        clauses = []
        for authority in self.a.authorities:
            who = (
                join([self.acronym(p) for p in authority.parties])
                if authority.parties
                else "all parties"
            )
            clauses.append(
                clause(authority.citation, authority.description, f"Relied on by: {who}.")
            )
        return clauses

    def _purpose(self) -> list[dict[str, Any]]:
        clauses = [clause("Purpose", self.a.purpose)]
        for goal in self.a.goals:
            owners = join([self.acronym(o) for o in goal.owners])
            clauses.append(
                clause(f"Shared goal: {goal.title}", goal.description, f"Accountable: {owners}.")
            )
        return clauses

    def _definitions(self) -> list[dict[str, Any]]:
        if not self.a.definitions:
            return []
        lines = [f"“{d.term}”: {d.meaning}" for d in self.a.definitions]
        return [
            clause(
                "Definitions", f"In this {self.short} these terms have the meanings below.", *lines
            )
        ]

    def _responsibilities(self) -> list[dict[str, Any]]:
        groups: dict[tuple[str, ...], list[Any]] = {}
        for item in self.a.responsibilities:
            groups.setdefault(tuple(item.parties), []).append(item)
        self._labels: dict[str, str] = {}
        clauses = []
        for group, (parties, items) in enumerate(groups.items(), start=1):
            lines = []
            for index, item in enumerate(items):
                mark = letter(index)
                self._labels[item.id] = f"{{no}}.{group}({mark})"
                lines.append(f"({mark}) {item.text}")
            clauses.append(clause(self._group_heading(parties), *lines))
        return clauses

    def _group_heading(self, parties: tuple[str, ...]) -> str:
        if len(parties) == 1:
            return f"{self.named(parties[0])} will"
        if set(parties) == set(self.parties) and len(parties) == len(self.parties):
            return "All parties will"
        return f"{join([self.acronym(p) for p in parties])} jointly will"

    def _governance(self) -> list[dict[str, Any]]:
        g = self.a.governance
        if g is None:
            return []
        chair = [f"Chair: {self.named(g.chair)}." if g.chair else None]
        clauses = [
            {
                **clause(
                    g.board_name,
                    f"The parties establish the {g.board_name}, with the seats and votes "
                    "shown below.",
                    *chair,
                    g.chair_rotation,
                ),
                "tables": ["seats"],
            },
            clause(
                "Quorum and decisions", f"Quorum: {g.quorum}.", f"Decisions: {g.vote_threshold}."
            ),
            clause("Meetings", f"The {g.board_name} meets {FREQUENCY[g.meeting_frequency]}."),
        ]
        if g.fiscal_agent:
            clauses.append(clause("Fiscal agent", f"Fiscal agent: {self.named(g.fiscal_agent)}."))
        return clauses

    def _supervision(self) -> list[dict[str, Any]]:
        s = self.a.supervision
        if s is None:
            return []
        return [
            clause(
                "Supervising party",
                "The supervisor who directs the day-to-day work is provided by "
                f"{self.named(s.supervising_party)}.",
            ),
            clause("Supervision of personnel", s.personnel_supervision),
            clause("Case assignment", s.case_assignment),
            clause("Control of resources", s.resource_control),
        ]

    def _personnel(self) -> list[dict[str, Any]]:
        if not self.a.personnel:
            return []
        return [
            clause(
                None,
                "Each party assigns the personnel listed below. Assigned personnel remain "
                "employees of the assigning party.",
            )
        ]

    def _operations(self) -> list[dict[str, Any]]:
        o = self.a.operations
        if o is None:
            return []
        return [
            clause(heading, value)
            for heading, value in (
                ("Investigative exclusivity", o.investigative_exclusivity),
                ("Confidential sources", o.confidential_sources),
                ("Evidence", o.evidence),
                ("Use of force", o.use_of_force),
            )
            if value is not None
        ]

    def _information(self) -> list[dict[str, Any]]:
        info = self.a.information_sharing
        if info is None:
            return []
        categories = [f"({letter(i)}) {c.text}" for i, c in enumerate(info.data_categories)]
        cji = (
            "Criminal justice information (CJI) is exchanged. The parties meet the FBI CJIS "
            "Security Policy as set out in the table below."
            if info.cji_exchanged
            else f"No criminal justice information (CJI) is exchanged under this {self.short}."
        )
        public = [
            f"Requests under {info.public_records_law}." if info.public_records_law else None,
            f"A party that receives a request for another party's records notifies that party "
            f"within {info.public_records_notice_days} days."
            if info.public_records_notice_days is not None
            else None,
        ]
        breach = info.breach_notification_hours
        clauses = [
            clause("Ownership of records", info.record_owner),
            clause("Categories of data shared", *categories),
            {**clause("Criminal justice information", cji), "tables": ["cjis"]},
            clause("Permitted uses", *lettered(info.permitted_uses)),
            clause("Prohibited uses", *lettered(info.prohibited_uses)),
            clause("Dissemination", info.dissemination_approval),
            clause("Public records", *public),
            clause("Retention", info.retention),
            clause(
                "Breach notification",
                f"A party that learns of a breach of shared information notifies every other "
                f"party within {breach} hours."
                if breach
                else None,
            ),
            clause("Audit and logging", info.audit_logging),
        ]
        return [c for c in clauses if c["paras"]]

    def _resources(self) -> list[dict[str, Any]]:
        if not self.a.resources:
            return []
        return [
            clause(
                None,
                "The parties provide the resources listed below. Values are estimates in US "
                "dollars; a resource is reimbursed only where the table says so.",
            )
        ]

    def _mutual_aid(self) -> list[dict[str, Any]]:
        m = self.a.mutual_aid
        if m is None:
            return []
        hours = m.written_confirmation_hours
        requests = (
            "Requests may be made orally"
            + (f" and are confirmed in writing within {hours} hours." if hours else ".")
            if m.oral_requests_allowed
            else "Requests are made in writing."
        )
        return [
            clause("Authorized officials", m.authorized_officials),
            clause("Making a request", requests),
            clause("Discretion of the responding party", m.responder_discretion),
            clause("Right of recall", m.right_of_recall),
            clause("Command and control", m.command_and_control),
            clause("Licenses and certifications", m.license_reciprocity),
        ]

    def _training(self) -> list[dict[str, Any]]:
        t = self.a.training
        if t is None:
            return []
        return [
            clause("Training commitments", *lettered(t.commitments)),
            clause("Hosting", t.host_rotation),
            clause("Annual report", t.annual_report),
        ]

    def _evaluation(self) -> list[dict[str, Any]]:
        e = self.a.evaluation
        return [
            clause(
                "Reporting",
                "The parties report progress on the shared goals "
                f"{FREQUENCY[e.reporting_frequency]}.",
            ),
            clause(
                "Review",
                f"The parties review this {self.short} and its results at least every "
                f"{e.review_interval_months} months.",
            ),
            clause("Fiscal year", _fiscal_year(e.fiscal_year_start)),
            clause("Surveys", e.surveys),
            clause("After-action debriefs", e.after_action_debriefs),
        ]

    def _liability(self) -> list[dict[str, Any]]:
        li = self.a.liability
        return [
            clause("Tort liability", TORT[li.tort].format(short=self.short)),
            clause("Workers' compensation", COMPENSATION[li.workers_compensation]),
            clause("Indemnification", li.indemnification),
            clause("Insurance", li.insurance),
        ]

    def _disputes(self) -> list[dict[str, Any]]:
        levels = []
        for index, level in enumerate(self.a.disputes.levels):
            days = f", within {level.days} days" if level.days else ""
            levels.append(f"({letter(index)}) {level.description}{days}")
        return [
            clause(
                "Escalation",
                "The parties try to resolve any dispute at the lowest level possible, raising "
                "it in this order until it is resolved:",
                *levels,
            )
        ]

    def _term(self) -> list[dict[str, Any]]:
        t = self.a.term
        expiry = (
            f"It expires on {t.expiration_date:%B %-d, %Y} unless renewed or terminated earlier."
            if t.expiration_date
            else "It remains in effect until terminated."
        )
        return [
            clause(
                "Effective date and duration",
                f"This {self.short} {self._effective_sentence()}",
                expiry,
            ),
            clause("Renewal", t.renewal),
            clause(
                "Review",
                f"The parties review this {self.short} at least every "
                f"{t.review_interval_months} months.",
            ),
            clause("Withdrawal", *self._withdrawal()),
            clause("Successor host", t.host_successor),
            clause("Effect of termination", t.termination_effects),
        ]

    def _withdrawal(self) -> list[str]:
        """Withdrawal notice by role: a member's, and the host party's where there is one."""
        t = self.a.term
        given = (
            f"Notices under this {self.short} are given by {t.notice_method}. The notice "
            f"addressees and where their mail goes are listed in Article "
            f"{self.numbers.get('parties', '1')}."
        )
        if t.host_party is None or t.host_withdrawal_notice_days is None:
            return [
                f"A party may withdraw on at least {t.withdrawal_notice_days} days' notice.",
                given,
            ]
        return [
            f"A party other than the host party may withdraw on at least "
            f"{t.withdrawal_notice_days} days' notice. The host party, "
            f"{self.named(t.host_party)}, may withdraw on at least "
            f"{t.host_withdrawal_notice_days} days' notice.",
            given,
        ]

    def _amendment(self) -> list[dict[str, Any]]:
        m = self.a.amendment
        joinder = None
        if m.joinder_alone:
            signers = join([self.acronym(p) for p in m.joinder_signers])
            by = f"the new member and {signers}" if signers else "the new member alone"
            joinder = f"A joinder agreement signed by {by} admits a new member."
        return [
            clause("Amendment", m.procedure),
            clause("New members", m.new_members, joinder),
        ]

    def _general(self) -> list[dict[str, Any]]:
        g = self.a.general
        clauses = [
            clause(heading, wording.format(short=self.short))
            for key, heading, wording in GENERAL
            if getattr(g, key)
        ]
        clauses.append(
            clause("Governing law", f"This {self.short} is governed by {g.governing_law}.")
        )
        clauses.append(clause("Additional provisions", *(c.text for c in g.additional)))
        clauses.append(self._exhibit_list())
        return [c for c in clauses if c["paras"]]

    def _exhibit_list(self) -> dict[str, Any]:
        """The clause that makes the exhibits part of the agreement, each cited by letter."""
        if not self.a.exhibits:
            return clause("Exhibits")
        return clause(
            "Exhibits",
            f"The exhibits listed here are part of this {self.short} and are bound after the "
            "signature pages:",
            *(f"{exhibit_name(x)}." for x in self.a.exhibits),
        )

    # ----------------------------------------------------------------- exhibits

    def _exhibits(self) -> list[dict[str, Any]]:
        return [self._exhibit(x) for x in self.a.exhibits]

    def _exhibit(self, x: Exhibit) -> dict[str, Any]:
        if x.kind == "file":
            body = [
                f"Attached file: {x.file}",
                f"SHA-256: {x.sha256}",
                f"The attached file is part of this {self.short} as if set out here. A copy "
                "whose SHA-256 differs is not the file the parties signed.",
            ]
        else:
            body = paras(x.text)
        return {
            "letter": x.letter,
            "heading": f"EXHIBIT {x.letter}",
            "title": x.title,
            "table": x.kind == "table",
            "columns": list(x.columns),
            "rows": [list(row.cells) for row in x.rows],
            "paras": body,
        }

    # ----------------------------------------------------------------- tables

    def _tables(self) -> dict[str, Any]:
        a = self.a
        tables: dict[str, Any] = {
            "parties": [_party_row(p) for p in a.parties],
            "contacts": [_party_row(p) for p in a.parties],
            "goals": self._goal_rows(),
            "seats": self._seat_rows(),
            "personnel": [self._personnel_row(p) for p in a.personnel],
            "cjis": self._cjis_rows(),
            "resources": [self._resource_row(r) for r in a.resources],
            "resource_totals": self._resource_totals(),
            "cost_shares": self._shares(a.funding.cost_shares),
            "fees": [
                {"description": f.description, "amount": money(f.amount), "unit": f.unit}
                for f in a.funding.fee_schedule
            ],
            "forfeiture": self.money.forfeiture_rows(),
        }
        purpose = self.numbers.get("purpose", "")
        # Goal clauses follow the Purpose clause: goal i is clause i + 2 of that article.
        tables["matrix_goals"] = [f"Goal {purpose}.{i + 2}" for i in range(len(a.goals))]
        tables["matrix"] = self._matrix() if a.goals else []
        return tables

    def _goal_rows(self) -> list[dict[str, Any]]:
        rows = []
        for goal in self.a.goals:
            owners = ", ".join(self.acronym(o) for o in goal.owners)
            for index, metric in enumerate(goal.metrics):
                first = index == 0  # a goal with several metrics is named once
                rows.append(
                    {
                        "goal": goal.title if first else "",
                        "owners": owners if first else "",
                        "metric": f"{metric.name} ({metric.data_source})",
                        "baseline": _baseline(metric),
                        "target": number(metric.target)
                        + (f" by {_date(metric.target_date)}" if metric.target_date else ""),
                        "unit": metric.unit,
                        "frequency": label(FREQUENCY[metric.frequency]),
                    }
                )
        return rows

    def _seat_rows(self) -> list[dict[str, Any]]:
        g = self.a.governance
        if g is None:
            return []
        return [
            {
                "party": self.named(s.party),
                "seats": s.seats,
                "votes": s.votes,
                "representative": s.representative or "—",
                "alternate": s.alternate or "—",
            }
            for s in g.seats
        ]

    def _personnel_row(self, p: Any) -> dict[str, Any]:
        return {
            "party": self.acronym(p.party),
            "position": p.position,
            "count": p.count,
            "time": "Full-time" if p.full_time else "Part-time",
            "months": p.minimum_months or "—",
            "clearance": p.clearance_level or "—",
            "deputation": p.deputation or "—",
            "policies": "Yes" if p.employer_policies_apply else "No",
        }

    def _cjis_rows(self) -> list[dict[str, Any]]:
        info = self.a.information_sharing
        if info is None:
            return []
        return [{"topic": CJIS_TOPICS[p.topic], "text": p.text} for p in info.cjis_provisions]

    def _resource_row(self, r: Any) -> dict[str, Any]:
        return {
            "provider": self.acronym(r.provider),
            "category": label(r.category),
            "description": r.description,
            "quantity": number(r.quantity),
            "unit": r.unit,
            "value": money(r.estimated_value),
            "reimbursable": "Yes" if r.reimbursable else "No",
            "disposition": r.disposition_on_termination or "—",
        }

    def _resource_totals(self) -> list[dict[str, Any]]:
        totals: dict[str, list[float | None]] = {}
        for r in self.a.resources:
            totals.setdefault(r.provider, []).append(r.estimated_value)
        rows = [
            {"party": self.named(p), "item_count": len(v), "value": _total_value(v)}
            for p, v in totals.items()
        ]
        if len(rows) > 1:
            values = [v for vs in totals.values() for v in vs]
            rows.append(
                {"party": "All parties", "item_count": len(values), "value": _total_value(values)}
            )
        return rows

    def _shares(self, shares: Iterable[Any]) -> list[dict[str, Any]]:
        return [{"party": self.named(s.party), "percent": percent(s.percent)} for s in shares]

    def _matrix(self) -> list[dict[str, Any]]:
        article = self._articles_cache_no("responsibilities")
        rows = []
        for party in self.a.parties:
            cells = []
            for goal in self.a.goals:
                marks = ["Owner"] if party.id in goal.owners else []
                marks += [
                    self._labels[r.id].format(no=article)
                    for r in self.a.responsibilities
                    if party.id in r.parties and goal.id in r.goals
                ]
                cells.append(", ".join(marks) or "—")
            rows.append({"party": party.acronym, "cells": cells})
        return rows

    def _articles_cache_no(self, key: str) -> str:
        return self.numbers.get(key, "")

    # ----------------------------------------------------------------- signatures

    def _signature(self, party: Party) -> dict[str, Any]:
        ordered = sorted(party.signatories, key=lambda s: list(BLOCK_LABELS).index(s.role))
        return {
            "party": party.legal_name,
            "resolution": party.governing_body_resolution,
            "blocks": [
                {
                    "label": BLOCK_LABELS[s.role],
                    "name": s.name,
                    "title": s.title,
                    "authority": s.authority,
                }
                for s in ordered
            ],
        }


def names_instrument(title: str, instrument: str) -> bool:
    """Whether ``title`` already says what the instrument is ("Memorandum of
    Understanding for …", "… Mutual Aid Agreement"): then the title is printed alone."""
    return " ".join(instrument.split()).casefold() in " ".join(title.split()).casefold()


def _place_tables(article: dict[str, Any] | None, names: tuple[str, ...]) -> None:
    """Give each clause the tables printed after it: those it announces itself (the joint
    costs clause, the shares), and every other table after the article's last clause."""
    if not article:
        return
    clauses = article["clauses"]
    for c in clauses:
        c.setdefault("tables", [])
    placed = {name for c in clauses for name in c["tables"]}
    clauses[-1]["tables"] += [name for name in names if name not in placed]


def _party_row(p: Party) -> dict[str, Any]:
    address = f"{p.address.street}\n{p.address.city}, {p.address.state} {p.address.postal_code}"
    units = [u.name + (f" ({u.acronym})" if u.acronym else "") for u in p.sub_units]
    return {
        "legal_name": p.legal_name,
        "units": "; ".join(units),
        "acronym": p.acronym,
        "level": label(p.level),
        "address": address,
        "poc": _contact(p.point_of_contact),
        "notice": _contact(p.notice_addressee) + "\n" + _notice_address(p),
    }


def _contact(c: Any) -> str:
    lines = [c.name, c.title, c.email] + ([c.phone] if c.phone else [])
    return "\n".join(lines)


def _baseline(metric: Metric) -> str:
    if metric.baseline is not None:
        return number(metric.baseline)
    if metric.baseline_due is not None:
        return f"To be established by {_date(metric.baseline_due)}"
    return "—"


def _date(value: dt.date) -> str:
    """A date as the document writes it: December 31, 2031."""
    return f"{value:%B %-d, %Y}"


def _notice_address(p: Party) -> str:
    """Where notices by mail go: the addressee's own mailing address, else the party's."""
    address = p.notice_addressee.mailing_address
    if address is None:
        return "By mail: at the party's address"
    return f"By mail: {address.street}, {address.city}, {address.state} {address.postal_code}"


def _total_value(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "—"
    unvalued = len(values) - len(known)
    return money(sum(known)) + (f" (+ {unvalued} not valued)" if unvalued else "")


def build_context(
    agreement: Agreement, revision: str | None, draft: bool, fingerprint: str
) -> dict[str, Any]:
    """The template context for ``agreement``; ``fingerprint`` goes into the footer."""
    builder = ContextBuilder(agreement)
    context = builder.build(revision, draft, fingerprint)
    return _line_breaks_normalised(context)


def _line_breaks_normalised(value: Any) -> Any:
    """Every string in ``value`` with CRLF and CR as LF: docxtpl makes each a line break,
    so a CRLF typed into a title or a table cell would otherwise break the line twice."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {key: _line_breaks_normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_line_breaks_normalised(item) for item in value]
    return value


def sample_agreements() -> list[Agreement]:
    """A sample with every section filled in, and a bare preset of another type."""
    raw = SAMPLE_AGREEMENT.read_bytes()
    full = quick_load(raw) or load_bytes(raw, str(SAMPLE_AGREEMENT), "sample-every-section")
    bare = validate_data(preset("mutual_aid", "sample-bare", "Bare preset"), "preset")
    return [full, bare]


@lru_cache(maxsize=1)
def sample_contexts() -> tuple[dict[str, Any], ...]:
    """The contexts of the samples, draft and signature-ready: between them, every name
    a template can use."""
    return tuple(
        build_context(agreement, "0" * 40, draft, PENDING)
        for agreement in sample_agreements()
        for draft in (True, False)
    )


@lru_cache(maxsize=1)
def context_fields() -> frozenset[str]:
    """Every key of every mapping in the sample contexts: the fields a template may read."""
    keys: set[str] = set()
    pending: list[Any] = list(sample_contexts())
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            keys.update(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return frozenset(keys)


def _fiscal_year(start: Month | None) -> str | None:
    """The fiscal year clause, when the parties' year is not the calendar year."""
    if start is None or start is Month.january:
        return None
    first = start.value.capitalize()
    last = MONTHS[MONTHS.index(start) - 1].value.capitalize()
    return (
        f"The fiscal year runs from {first} 1 to the end of {last} and is named by the "
        "calendar year in which it ends; yearly figures are counted in it."
    )

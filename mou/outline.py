"""The outline of an agreement: its articles in document order, written once.

Each article has the key the Word template knows it by (``art.<key>``), the heading
it prints under, the title change lists and the wizard call it, the top-level model
fields whose content it holds, and the tables that follow its clauses. The diff,
the template builder, the rendering context and the wizard read this table; adding
an article is one line here and a builder in :mod:`mou.document.context`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One article of the agreement as printed."""

    key: str
    heading: str
    title: str
    fields: tuple[str, ...]
    tables: tuple[str, ...] = ()


TITLE_BLOCK_FIELDS: tuple[str, ...] = (
    "schema_version",
    "id",
    "title",
    "number",
    "type",
    "instrument",
    "status",
    "marking",
    "supersedes",
)
TITLE_BLOCK = "Title block"
RECITALS = "Background"
EXHIBITS = "Exhibits"
"""Bound after the signature pages; not a numbered article."""

ARTICLES: tuple[Article, ...] = (
    Article("parties", "PARTIES", "Parties", ("parties",), ("parties", "contacts")),
    Article("authority", "AUTHORITY", "Authorities", ("authorities",)),
    Article(
        "purpose",
        "PURPOSE AND SHARED GOALS",
        "Purpose and shared goals",
        ("purpose", "goals"),
        ("goals",),
    ),
    Article("definitions", "SCOPE AND DEFINITIONS", "Scope and definitions", ("definitions",)),
    Article(
        "responsibilities",
        "ROLES AND RESPONSIBILITIES",
        "Roles and responsibilities",
        ("responsibilities",),
        ("matrix",),
    ),
    Article("governance", "GOVERNANCE", "Governance", ("governance",), ("seats",)),
    Article("supervision", "SUPERVISION AND CONTROL", "Supervision and control", ("supervision",)),
    Article("personnel", "PERSONNEL", "Personnel", ("personnel",), ("personnel",)),
    Article("operations", "OPERATIONS", "Operations", ("operations",)),
    Article(
        "information",
        "RECORDS AND INFORMATION SHARING",
        "Records and information sharing",
        ("information_sharing",),
        ("cjis",),
    ),
    Article(
        "management_control",
        "CJIS MANAGEMENT CONTROL",
        "CJIS management control",
        ("management_control",),
    ),
    Article(
        "criminal_intelligence",
        "CRIMINAL INTELLIGENCE SYSTEMS (28 CFR PART 23)",
        "Criminal intelligence systems",
        ("criminal_intelligence",),
    ),
    Article(
        "recordings",
        "BODY-WORN CAMERAS AND OTHER RECORDINGS",
        "Recordings",
        ("recordings",),
    ),
    Article("prosecution", "PROSECUTION", "Prosecution", ("prosecution",)),
    Article(
        "resources", "RESOURCES", "Resources", ("resources",), ("resources", "resource_totals")
    ),
    Article("funding", "FUNDING", "Funding", ("funding",), ("cost_shares", "fees")),
    Article(
        "forfeiture",
        "ASSET FORFEITURE AND EQUITABLE SHARING",
        "Asset forfeiture and equitable sharing",
        ("forfeiture",),
        ("forfeiture",),
    ),
    Article("mutual_aid", "REQUESTS FOR ASSISTANCE", "Requests for assistance", ("mutual_aid",)),
    Article("training", "TRAINING AND REPORTING", "Training and reporting", ("training",)),
    Article("evaluation", "PERFORMANCE EVALUATION", "Performance evaluation", ("evaluation",)),
    Article("media", "MEDIA RELEASES", "Media releases", ("media",)),
    Article("liability", "LIABILITY", "Liability", ("liability",)),
    Article("disputes", "DISPUTE RESOLUTION", "Dispute resolution", ("disputes",)),
    Article("term", "TERM AND TERMINATION", "Term", ("term",)),
    Article("amendment", "AMENDMENT", "Amendment", ("amendment",)),
    Article("general", "GENERAL PROVISIONS", "General provisions", ("general",)),
)


def section_titles() -> dict[str, str]:
    """Every top-level field -> the title of the part of the agreement that holds it."""
    titles = dict.fromkeys(TITLE_BLOCK_FIELDS, TITLE_BLOCK)
    titles["parties"] = "Parties"
    for article in ARTICLES:
        titles.update(dict.fromkeys(article.fields, article.title))
    titles["background"] = RECITALS
    titles["exhibits"] = EXHIBITS
    return _in_document_order(titles)


def _in_document_order(titles: dict[str, str]) -> dict[str, str]:
    """Recitals come after the parties and authorities, before the purpose, as printed;
    exhibits come last, after the signature pages."""
    order = [*TITLE_BLOCK_FIELDS, "parties", "authorities", "background"]
    order += [f for a in ARTICLES for f in a.fields if f not in order]
    order.append("exhibits")
    return {field: titles[field] for field in order}


def article(key: str) -> Article:
    """The article with template key ``key``."""
    return next(a for a in ARTICLES if a.key == key)


def fields_of(*keys: str) -> tuple[str, ...]:
    """The model fields held by the articles ``keys``, in order (for wizard steps)."""
    return tuple(field for key in keys for field in article(key).fields)

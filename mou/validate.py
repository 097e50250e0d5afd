"""Validation in three layers, one report: YAML syntax, JSON Schema, model and references.

Each layer runs only when the one before it passed, so one mistake is reported
once, in the words of the layer that understands it best. Every problem carries
the file, the line (where the YAML gives one) and the JSON path.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InvalidAgreement, Problem
from .migrate import (
    CURRENT_VERSION,
    declared_version,
    migrate_v1,
    migrated_lines,
    version_problem,
)
from .model import Agreement, Forfeiture, ForfeitureShare, Ref, Remittance, Strict
from .notices import notice
from .schema import json_path, schema_problems
from .yamlio import Parsed, read_bytes, read_file


def load_file(path: Path, expected_id: str | None = None) -> Agreement:
    """Read and validate one agreement file; its name (without .yaml) must be its id."""
    return load_bytes(read_file(path), str(path), expected_id or path.stem)


def load_bytes(raw: bytes, source: str, expected_id: str | None = None) -> Agreement:
    """Validate an agreement file's bytes; raise InvalidAgreement listing every problem."""
    parsed = read_bytes(raw, source)
    return validate_parsed(parsed, expected_id)


def validate_parsed(parsed: Parsed, expected_id: str | None = None) -> Agreement:
    """Validate parsed YAML data against the schema, the models and the references.

    Data of an older schema version is checked against that version's schema, then
    migrated (:mod:`mou.migrate`) and checked as the current version; a notice says so.
    """
    data, problems = _current_data(parsed)
    agreement = None
    if not problems:
        agreement, problems = _model_or_problems(data)
    if agreement is not None:
        problems = reference_problems(agreement) + _id_problems(agreement, expected_id)
    if problems:
        raise InvalidAgreement(_located(problems, parsed))
    assert agreement is not None
    return agreement


def _current_data(parsed: Parsed) -> tuple[Any, list[Problem]]:
    """The data in the current version's shape, or the problems of the version it is in."""
    data = parsed.data
    if not isinstance(data, dict):
        message = (
            "an agreement file must be a mapping of fields (key: value), "
            "not a list or a single value"
        )
        return None, [Problem("$", message)]
    version = declared_version(data)
    wrong = version_problem(version)
    if wrong:
        return None, [Problem("$.schema_version", wrong)]
    if version == CURRENT_VERSION:
        return data, schema_problems(data)
    return _migrated(parsed, data)


def _migrated(parsed: Parsed, data: dict[str, Any]) -> tuple[Any, list[Problem]]:
    old = {key: value for key, value in data.items() if key != "schema_version"}
    problems = schema_problems(old, version=1)
    if problems:
        return None, problems
    parsed.lines = migrated_lines(parsed.lines)
    notice(_version_notice(parsed.source))
    return migrate_v1(data), []


def _version_notice(source: str) -> str:
    read = f"{source}: written in schema version 1; read as version {CURRENT_VERSION}"
    if "@" in source or not source.endswith(".yaml"):
        return read  # a committed revision stays as it was written; a draft has no file
    return f"{read}; `mou migrate {source}` rewrites the file"


def validate_data(data: Any, source: str = "<draft>") -> Agreement:
    """Validate data that did not come from a file (the wizard's draft)."""
    return validate_parsed(Parsed(data=data, source=source))


def _located(problems: list[Problem], parsed: Parsed) -> list[Problem]:
    located = [p.located(parsed.source, parsed.line_of(p.path)) for p in problems]
    return sorted(located, key=lambda p: (p.line or 0, p.path))


def _model_or_problems(data: Any) -> tuple[Agreement | None, list[Problem]]:
    try:
        return Agreement.model_validate(data), []
    except ValidationError as err:
        return None, [_pydantic_problem(e) for e in err.errors(include_url=False)]


def _pydantic_problem(error: Any) -> Problem:
    message = str(error["msg"]).removeprefix("Value error, ")
    return Problem(json_path(error["loc"]), message)


def _id_problems(agreement: Agreement, expected_id: str | None) -> list[Problem]:
    if expected_id is None or agreement.id == expected_id:
        return []
    return [
        Problem("$.id", f"the id '{agreement.id}' must match the file name '{expected_id}.yaml'")
    ]


# --------------------------------------------------------------------------- references


def walk(model: BaseModel, path: str = "$") -> Iterator[tuple[str, BaseModel]]:
    """Every model inside ``model`` (itself included) with its JSON path."""
    yield path, model
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from walk(value, f"{path}.{name}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from walk(item, f"{path}.{name}[{index}]")


def reference_problems(agreement: Agreement) -> list[Problem]:
    """Duplicate ids, dangling references and arithmetic that does not add up."""
    known = {
        "party": {p.id for p in agreement.parties},
        "goal": {g.id for g in agreement.goals},
    }
    problems: list[Problem] = []
    for path, model in walk(agreement):
        problems += _model_references(path, model, known)
    problems += _unique_across(agreement)
    problems += _exhibit_order(agreement)
    problems += _sum_problems(agreement)
    problems += _term_problems(agreement)
    return problems


def _model_references(path: str, model: BaseModel, known: dict[str, set[str]]) -> list[Problem]:
    problems = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        ref = next((m for m in info.metadata if isinstance(m, Ref)), None)
        if ref is not None and value is not None:
            problems += _dangling(f"{path}.{name}", value, ref.target, known[ref.target])
        if isinstance(value, list) and value and isinstance(value[0], Strict):
            problems += _duplicates(f"{path}.{name}", value)
    return problems


def _dangling(path: str, value: str | list[str], target: str, known: set[str]) -> list[Problem]:
    if isinstance(value, str):
        return [] if value in known else [Problem(path, _unknown_ref(value, target, known))]
    return [
        Problem(f"{path}[{i}]", _unknown_ref(v, target, known))
        for i, v in enumerate(value)
        if v not in known
    ]


def _unknown_ref(value: str, target: str, known: set[str]) -> str:
    choices = ", ".join(sorted(known)) or "none defined"
    return f"'{value}' is not a {target} id (known: {choices})"


def _duplicates(path: str, items: list[Any]) -> list[Problem]:
    key = items[0].key_field
    if key is None:
        return []
    seen: set[Any] = set()
    problems = []
    for index, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            problems.append(Problem(f"{path}[{index}].{key}", f"duplicate {key} '{value}'"))
        seen.add(value)
    return problems


def _unique_across(agreement: Agreement) -> list[Problem]:
    problems = []
    acronyms: set[str] = set()
    for index, party in enumerate(agreement.parties):
        if party.acronym.upper() in acronyms:
            problems.append(
                Problem(f"$.parties[{index}].acronym", f"duplicate acronym '{party.acronym}'")
            )
        acronyms.add(party.acronym.upper())
    metric_ids: set[str] = set()
    for g, goal in enumerate(agreement.goals):
        for m, metric in enumerate(goal.metrics):
            if metric.id in metric_ids:
                problems.append(
                    Problem(f"$.goals[{g}].metrics[{m}].id", f"duplicate metric id '{metric.id}'")
                )
            metric_ids.add(metric.id)
    return problems


def _exhibit_order(agreement: Agreement) -> list[Problem]:
    """Exhibits are bound in the order of their letters: A, B … Z, AA, AB …"""
    problems = []
    for index in range(1, len(agreement.exhibits)):
        before, letter = agreement.exhibits[index - 1].letter, agreement.exhibits[index].letter
        if (len(letter), letter) <= (len(before), before) and letter != before:
            problems.append(
                Problem(
                    f"$.exhibits[{index}].letter",
                    f"Exhibit {letter} comes after Exhibit {before}; list exhibits in the "
                    "order of their letters",
                )
            )
    return problems


def _percent_total(shares: list[Any]) -> Decimal:
    # Decimal from the written figure, so 33.33 + 33.33 + 33.34 is exactly 100.
    return sum((Decimal(str(share.percent)) for share in shares), Decimal(0))


def _sum_problems(agreement: Agreement) -> list[Problem]:
    problems = []
    shares = agreement.funding.cost_shares
    if shares and _percent_total(shares) != 100:
        problems.append(
            Problem(
                "$.funding.cost_shares", f"cost shares sum to {_percent_total(shares)} %, not 100 %"
            )
        )
    if agreement.forfeiture:
        problems += _forfeiture_sums(agreement.forfeiture)
    return problems


def _forfeiture_sums(forfeiture: Forfeiture) -> list[Problem]:
    """Shares of one base (gross, net or the remainder) cannot give away more than all of it."""
    problems = []
    for base, shares in shares_by_base(forfeiture).items():
        total = _percent_total(shares)
        if total > 100:
            problems.append(
                Problem(
                    "$.forfeiture.distribution",
                    f"forfeiture shares of {BASE_WORDS[base]} sum to "
                    f"{format(total.normalize(), 'f')} %, more than 100 %",
                )
            )
    return problems


BASE_WORDS = {"gross": "gross proceeds", "net": "net proceeds", "remainder": "the remainder"}


def shares_by_base(forfeiture: Forfeiture) -> dict[str, list[Remittance | ForfeitureShare]]:
    """The parties' shares and the remittances to others, grouped by what they are of."""
    shares: list[Remittance | ForfeitureShare] = [*forfeiture.remittances]
    groups: dict[str, list[Remittance | ForfeitureShare]] = {}
    for share in [*shares, *forfeiture.distribution]:
        groups.setdefault(share.base.value, []).append(share)
    return groups


def _term_problems(agreement: Agreement) -> list[Problem]:
    term = agreement.term
    problems = []
    if term.effective_rule == "fixed_date" and term.effective_date is None:
        problems.append(
            Problem("$.term.effective_date", "required when effective_rule is fixed_date")
        )
    if term.effective_date and term.expiration_date and term.expiration_date <= term.effective_date:
        problems.append(
            Problem(
                "$.term.expiration_date",
                f"expiration {term.expiration_date} is not after the "
                f"effective date {term.effective_date}",
            )
        )
    return problems

"""The JSON Schema of an agreement: generated from the models, committed, validated against.

The schema is written to ``schemas/agreement.schema.json`` (for editors, through
the ``yaml-language-server`` comment) and shipped inside the package. jsonschema
errors are rephrased here into plain words with a JSON path.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, _keywords, validators
from jsonschema.exceptions import ValidationError
from pydantic.json_schema import GenerateJsonSchema

from .errors import Problem
from .ids import AGREEMENT_ID_PATTERN
from .migrate import CURRENT_VERSION
from .model import SLUG_PATTERN, Agreement

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "agreement.schema.json"
V1_SCHEMA_FILE = "agreement.v1.schema.json"
"""The frozen version-1 schema, shipped and published for files written before version 2."""


class _AgreementSchema(GenerateJsonSchema):
    def nullable_schema(self, schema: Any) -> Any:
        # Files leave a field out rather than writing null, so null is not offered.
        return self.generate_inner(schema["schema"])


@lru_cache(maxsize=1)
def generate() -> dict[str, Any]:
    """The agreement JSON Schema (draft 2020-12) as a mapping."""
    schema = Agreement.model_json_schema(schema_generator=_AgreementSchema)
    schema["$schema"] = DRAFT
    schema["$id"] = "https://mou.invalid/schemas/agreement.schema.json"
    schema["$comment"] = (
        f"Version {CURRENT_VERSION} of the mou agreement schema; a file says so in "
        "schema_version. Files without it follow agreement.v1.schema.json."
    )
    return schema


def schema_text() -> str:
    """The schema as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(generate(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def v1_schema_text() -> str:
    """The frozen version-1 schema as shipped inside the package."""
    return files("mou.data").joinpath(V1_SCHEMA_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=2)
def _validator(version: int) -> Draft202012Validator:
    # The shipped copy equals generate() (a test enforces it) and loads faster.
    name = SCHEMA_FILE if version == CURRENT_VERSION else V1_SCHEMA_FILE
    shipped = files("mou.data").joinpath(name).read_text(encoding="utf-8")
    validator = validators.extend(Draft202012Validator, {"items": _remembered_items})
    return validator(json.loads(shipped), format_checker=FormatChecker())


VALID_ITEMS_KEPT = 100_000
_valid_items: dict[tuple[int, str], bool] = {}


def _remembered_items(validator: Any, items: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``items`` keyword, skipping a mapping item already found valid.

    The revisions of one agreement share most of their list items (a redline or blame
    validates several); each distinct item is then checked against its schema once.
    Errors are found and worded exactly as by the keyword itself.
    """
    if items is False or not validator.is_type(instance, "array"):
        yield from _keywords.items(validator, items, instance, schema)
        return
    for index, item in enumerate(instance):
        key = _item_key(items, item)
        if key is not None and key in _valid_items:
            continue
        errors = list(validator.descend(instance=item, schema=items, path=index))
        if key is not None and not errors:
            if len(_valid_items) >= VALID_ITEMS_KEPT:
                _valid_items.clear()
            _valid_items[key] = True
        yield from errors


def _item_key(items: Any, item: Any) -> tuple[int, str] | None:
    """What identifies ``item`` checked against the schema ``items``; None: not remembered."""
    if not isinstance(item, dict):
        return None
    try:
        return id(items), json.dumps(item, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):  # keys of several types, a value JSON cannot hold
        return None


def schema_problems(data: Any, version: int = CURRENT_VERSION) -> list[Problem]:
    """Every violation in ``data`` of the schema of ``version``, in plain words."""
    problems: list[Problem] = []
    for error in _validator(version).iter_errors(data):
        problems.extend(_describe(error))
    return problems


def json_path(parts: Any) -> str:
    """``$.parties[0].name`` from a sequence of keys and indexes."""
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _describe(error: ValidationError) -> list[Problem]:
    path = json_path(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        return _unknown_fields(error, path)
    if kind == "required":
        name = error.message.split("'")[1]
        return [Problem(f"{path}.{name}", "required field is missing")]
    return [Problem(path, _message(error))]


def _unknown_fields(error: ValidationError, path: str) -> list[Problem]:
    known = list(error.schema.get("properties", {}))
    problems = []
    for key in error.instance:
        if key not in known:
            hint = difflib.get_close_matches(str(key), known, n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else ""
            problems.append(Problem(f"{path}.{key}", f"unknown field '{key}'{tip}"))
    return problems


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "nothing",
}


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    for name, kind in (("boolean", bool), ("integer", int), ("number", float), ("string", str)):
        if isinstance(value, kind):
            return f"{_TYPE_WORDS[name]} ({_short(value)})"
    return "a list" if isinstance(value, list) else "a mapping of fields"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(error: ValidationError) -> str:
    kind, limit, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        return f"expected {_TYPE_WORDS.get(str(limit), limit)}, got {_kind_of(value)}"
    if kind == "enum":
        return f"{_short(value)} is not one of: {', '.join(map(str, limit))}"
    if kind == "pattern":
        return _pattern_message(value, str(limit))
    if kind == "format":
        return f"{_short(value)} is not a valid {_FORMAT_WORDS.get(str(limit), limit)}"
    if kind in ("minProperties", "maxProperties"):  # a choice of one field (a payer)
        return f"give exactly one of: {', '.join(error.schema.get('properties', {}))}"
    return _limit_message(kind, limit, value) or error.message


_FORMAT_WORDS = {"date": "date (YYYY-MM-DD)", "email": "e-mail address"}


def _pattern_message(value: Any, pattern: str) -> str:
    if pattern == AGREEMENT_ID_PATTERN:
        return (
            f"{_short(value)} is not a valid agreement id: use 3 to 64 lower-case letters, "
            "digits and hyphens"
        )
    if pattern == SLUG_PATTERN:
        return f"{_short(value)} is not a valid id: use lower-case letters, digits and hyphens"
    if "@" in pattern:
        return f"{_short(value)} is not a valid e-mail address"
    return f"{_short(value)} does not have the expected form"


def _limit_message(kind: Any, limit: Any, value: Any) -> str | None:
    if kind == "minLength":
        return (
            "is empty; give a value or remove the field"
            if limit == 1
            else f"is shorter than {limit} characters"
        )
    if kind == "maxLength":
        return f"is {len(value):,} characters long; the limit is {limit:,}"
    if kind == "minItems":
        return f"needs at least {limit} item{'s' if limit != 1 else ''}"
    phrase = _BOUND_WORDS.get(str(kind))
    return f"{_short(value)} {phrase} {limit}" if phrase else None


_BOUND_WORDS = {
    "minimum": "is less than the minimum of",
    "maximum": "is more than the maximum of",
    "exclusiveMinimum": "must be more than",
    "exclusiveMaximum": "must be less than",
}

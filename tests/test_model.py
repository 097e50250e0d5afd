"""Generated agreements survive the trip to YAML and back unchanged."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mou.chars import bidi_control
from mou.model import Agreement, to_data, xml_forbidden_char
from mou.validate import validate_data
from mou.yamlio import dump, read_text
from tests.support.agreements import minimal

TYPES = [
    "task_force",
    "information_sharing",
    "community_partnership",
    "joint_training",
    "mutual_aid",
]

free_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda t: xml_forbidden_char(t) is None and bidi_control(t) is None)


def _text_paths(model: Any, path: tuple = ()) -> list[tuple]:
    """Paths (in to_data's shape) of every free-text field in an agreement model."""
    from pydantic import BaseModel

    found = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += _text_paths(value, (*path, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += _text_paths(item, (*path, name, index))
        elif isinstance(value, str) and _is_free_text(info):
            found.append((*path, name))
    return found


def _is_free_text(info: Any) -> bool:
    """A field any XML-safe text may fill: checked for hidden characters, no pattern.

    E-mail addresses pass the same hidden-character check but must also match a pattern.
    """
    checked = any(
        getattr(getattr(m, "func", None), "__name__", "") == "_xml_safe" for m in info.metadata
    )
    patterned = any(getattr(m, "pattern", None) for m in info.metadata)
    return checked and not patterned


@st.composite
def agreements(draw) -> Agreement:
    data = minimal(agreement_type=draw(st.sampled_from(TYPES)))
    for path in _text_paths(validate_data(data)):
        if draw(st.booleans()):
            target = data
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = draw(free_text)
    data["evaluation"]["review_interval_months"] = draw(st.integers(1, 120))
    amount = draw(st.floats(0, 1e9, allow_nan=False) | st.integers(0))
    data["funding"]["caps"] = [{"id": "not-to-exceed", "amount": amount, "scope": "per_term"}]
    return validate_data(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agreements())
def test_agreement_round_trips_through_canonical_yaml(agreement):
    text = dump(to_data(agreement))
    again = validate_data(read_text(text, "t.yaml").data)
    assert again == agreement
    assert dump(to_data(again)) == text

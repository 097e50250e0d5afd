"""The wizard edits every field of the model: each one has a widget or a table column.

Every step and every part of it is drawn for the sample agreement (every section filled
in), recording the paths the field widgets and tables are bound to; each field of the
model, read from the model itself, must be among them. A field added to the model
without a widget fails here.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from streamlit.testing.v1 import AppTest

from mou.attachments import attachments_beside
from mou.model import Agreement
from mou.store.create import init_workspace
from mou.store.workspace import Workspace
from mou.ui import fields
from mou.ui.steps import STEPS
from mou.validate import load_file
from tests.support.runner import ROOT
from tests.test_app import ALICE, goto, open_agreement, start

SAMPLE = ROOT / "mou" / "data" / "sample.yaml"
NOT_EDITED = {"schema_version", "id"}  # the version is mou's; the id is the file name


def model_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every field of ``model`` as a path, list items written ``[]``; item ids left out."""
    for name, info in model.model_fields.items():
        if name == "id" and getattr(model, "key_field", None) == "id":
            continue  # an item's id is made by the wizard from its name, never typed
        inner = _model_of(info.annotation)
        path = f"{prefix}{name}"
        if inner is None:
            yield path
        else:
            yield from model_paths(inner[0], f"{path}{'[]' if inner[1] else ''}.")


def _model_of(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Annotated:
        return _model_of(args[0])
    if typing.get_origin(annotation) is list:
        found = _model_of(args[0])
        return (found[0], True) if found else None
    if args and typing.get_origin(annotation) is not None:
        return _model_of(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None


def generic(path: tuple[Any, ...]) -> str:
    """``("parties", 0, "address", "city")`` -> ``parties[].address.city``."""
    text = ""
    for part in path:
        text += "[]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


@pytest.fixture
def edited_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every model path a widget or table column was bound to, across all steps and parts."""
    root = tmp_path / "workspace"
    init_workspace(root)
    monkeypatch.setenv("MOU_WORKSPACE", str(root))
    sample = load_file(SAMPLE, "sample-every-section")
    with Workspace(root) as ws:
        ws.save(sample, "Add the sample", ALICE, attachments=attachments_beside(SAMPLE, sample))
    seen: set[str] = set()
    _record(monkeypatch, seen)
    at = open_agreement(start(), "sample-every-section")
    for step in STEPS:
        goto(at, step.slug)
        for part in _choices(at, "::part") or [None]:
            if part is not None:
                at.segmented_control(key=part[0]).set_value(part[1]).run()
            for item in _choices(at, "::focus"):  # every item of a list edited one at a time
                at.segmented_control(key=item[0]).set_value(item[1]).run()
    assert not at.exception, [e.message for e in at.exception]
    return seen


def _choices(at: AppTest, suffix: str) -> list[tuple[str, Any]]:
    """(key, option) of every option of the segmented controls whose key ends so."""
    return [
        (str(control.key), option)
        for control in at.segmented_control
        if str(control.key).endswith(suffix)
        for option in control.options
    ]


def _record(monkeypatch: pytest.MonkeyPatch, seen: set[str]) -> None:
    bound, table, payment = fields._bound, fields.table, fields.payment

    def bound_recorder(draft: Any, path: Any, *args: Any, **kw: Any) -> None:
        seen.add(generic(path))
        bound(draft, path, *args, **kw)

    def table_recorder(draft: Any, spec: Any, **kw: Any) -> None:
        columns = ["cells"] if spec.cells else spec.fields  # an exhibit's rows: one list
        for column in columns:
            seen.add(f"{generic(spec.path)}[].{column}")
        table(draft, spec, **kw)

    def payment_recorder(draft: Any, path: Any, *args: Any, **kw: Any) -> None:
        seen.update(f"{generic(path)}.{side}" for side in ("party", "role", "other"))
        payment(draft, path, *args, **kw)

    monkeypatch.setattr(fields, "_bound", bound_recorder)
    monkeypatch.setattr(fields, "table", table_recorder)
    monkeypatch.setattr(fields, "payment", payment_recorder)


def test_the_model_paths_are_read_from_the_model() -> None:
    paths = set(model_paths(Agreement))
    assert {"title", "parties[].address.city", "funding.reimbursements[].caps[].amount"} <= paths
    assert not any(p.endswith(".id") for p in paths)  # item ids; the agreement id stays


def test_every_field_of_the_model_has_a_widget(edited_paths: set[str]) -> None:
    missing = sorted(set(model_paths(Agreement)) - NOT_EDITED - edited_paths)
    assert missing == []

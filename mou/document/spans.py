"""Which span of an exported document's text each field of the agreement produced.

The agreement is rendered once more with every field value carrying invisible marks
(:mod:`mou.document.marks`); reading the marked render's text and taking the marks out
gives the body text exactly as exported, plus the span each field occupies in it. A
context value whose marks changed what it reads (text the context inspects, such as the
last recital's opening words) is taken unmarked, so the text is always the export's.

Paragraphs are joined by :data:`PARAGRAPH` (U+2029), so a line break inside a paragraph
(``\\n``) and a paragraph break stay distinct.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..model import SLUG_PATTERN, Agreement, Ref
from . import ooxml
from .context import build_context
from .marks import CLOSE, FIRST, LAST, is_opening, marked
from .provenance import PENDING
from .render import render_recording
from .template import template_bytes

PARAGRAPH = "\u2029"


@dataclass(frozen=True)
class FieldSpan:
    """Where one field reads in the body text: ``text[start:end]``."""

    path: str
    """Key-based JSON path, as :mod:`mou.changes.diff` writes it."""
    kind: str
    """text, integer, number or date."""
    start: int
    end: int


@dataclass(frozen=True)
class RenderedText:
    """The body text of an export, paragraphs joined by :data:`PARAGRAPH`, and its fields."""

    text: str
    spans: tuple[FieldSpan, ...]

    @cached_property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs in order."""
        return self.text.split(PARAGRAPH)

    @cached_property
    def paragraph_starts(self) -> list[int]:
        """Where each paragraph starts in :attr:`text`."""
        starts, offset = [], 0
        for paragraph in self.paragraphs:
            starts.append(offset)
            offset += len(paragraph) + 1
        return starts

    @cached_property
    def starts(self) -> list[int]:
        """Where each span starts, in the order of :attr:`spans`."""
        return [span.start for span in self.spans]


def rendered_fields(
    agreement: Agreement, revision: str | None, draft: bool, template: Path
) -> RenderedText:
    """The body text ``template`` gives ``agreement`` and the span of every field in it."""
    fields: list[tuple[str, str]] = []
    copy = agreement.model_copy(deep=True)
    _mark_model(copy, "$", fields)
    plain = build_context(agreement, revision, draft, PENDING)
    context = _keep_marks(build_context(copy, revision, draft, PENDING), plain)
    rendered, _unknown = render_recording(template_bytes(template), context, agreement.title)
    body = ooxml.parts(rendered)[ooxml.DOCUMENT_PART]
    return _unmarked(PARAGRAPH.join(ooxml.paragraphs(body)), fields)


# --------------------------------------------------------------------------- marking


def _mark_model(model: BaseModel, path: str, fields: list[tuple[str, str]]) -> None:
    """Give every markable field of ``model`` (and of the models in it) its marks."""
    for name, kind in _field_kinds(type(model)).items():
        value = model.__dict__.get(name)
        if value is None or kind is None:
            continue
        if kind == "model":
            _mark_model(value, f"{path}.{name}", fields)
        elif kind == "items":
            _mark_items(value, f"{path}.{name}", fields)
        else:
            fields.append((f"{path}.{name}", kind))
            model.__dict__[name] = marked(value, len(fields) - 1, kind)


def _mark_items(items: list[BaseModel], path: str, fields: list[tuple[str, str]]) -> None:
    for item in items:
        key_field = getattr(type(item), "key_field", None)
        if key_field is None:
            return
        key = getattr(item, key_field)
        key = key.value if isinstance(key, Enum) else key
        _mark_model(item, f"{path}[{key_field}={key}]", fields)


@cache
def _field_kinds(model: type[BaseModel]) -> dict[str, str | None]:
    """Field name -> model, items, text, integer, number, date, or None (not marked)."""
    return {
        name: None if name == "id" else _kind(info.annotation, list(info.metadata))
        for name, info in model.model_fields.items()
    }


def _kind(annotation: Any, metadata: list[Any]) -> str | None:
    """How a field is marked. Ids, references and enums are never marked: the context
    looks things up by them, and a marked key would find nothing."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _kind(args[0], [*metadata, *annotation.__metadata__])
    if any(isinstance(m, Ref) for m in metadata) or _is_slug(metadata):
        return None
    if origin is list:
        inner = _kind(args[0], [])
        return "items" if inner == "model" else None
    if origin is not None:  # an optional: X | None
        present = [a for a in args if a is not type(None)]
        return _kind(present[0], metadata) if len(present) == 1 else None
    return _plain_kind(annotation)


def _plain_kind(annotation: Any) -> str | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model"
    if annotation is bool or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return None
    kinds = {str: "text", int: "integer", float: "number", dt.date: "date"}
    return kinds.get(annotation)


def _is_slug(metadata: list[Any]) -> bool:
    return any(getattr(m, "pattern", None) == SLUG_PATTERN for m in metadata)


def _keep_marks(marked_value: Any, plain: Any) -> Any:
    """``marked_value`` where, marks taken out, it reads as ``plain``; otherwise ``plain``."""
    if isinstance(plain, dict) and isinstance(marked_value, dict):
        return {k: _keep_marks(marked_value.get(k), v) for k, v in plain.items()}
    if isinstance(plain, list) and isinstance(marked_value, list):
        if len(plain) != len(marked_value):
            return plain
        return [_keep_marks(m, p) for m, p in zip(marked_value, plain, strict=True)]
    if isinstance(plain, bool) or plain is None:
        return plain
    if isinstance(plain, str | int | float) and _strip(str(marked_value)) == str(plain):
        return marked_value
    return plain


_UNMARKED = dict.fromkeys(range(ord(CLOSE), LAST + 1))
_MARK = re.compile(f"[{CLOSE}-{chr(LAST)}]")


def _strip(text: str) -> str:
    """``text`` without marks (every mark lies in CLOSE..LAST, a private-use range)."""
    return text.translate(_UNMARKED)


# --------------------------------------------------------------------------- reading


def _unmarked(text: str, fields: list[tuple[str, str]]) -> RenderedText:
    """The text without marks, and where each marked stretch of it was."""
    pieces: list[str] = []
    spans: list[FieldSpan] = []
    opened: list[tuple[int, int]] = []  # (field index, start) of the marks still open
    length = at = 0
    for found in _MARK.finditer(text):
        pieces.append(text[at : found.start()])
        length += found.start() - at
        at = found.end()
        char = found.group()
        if is_opening(char):
            opened.append((ord(char) - FIRST, length))
        elif opened:
            index, start = opened.pop()
            path, kind = fields[index]
            spans.append(FieldSpan(path, kind, start, length))
    pieces.append(text[at:])
    spans.sort(key=lambda s: (s.start, s.end))
    return RenderedText("".join(pieces), tuple(spans))

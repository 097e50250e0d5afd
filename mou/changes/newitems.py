"""Paragraphs inserted into a list's region of the copy, read as proposed new list items.

A list whose items each print as a paragraph — lettered, ``(c) text`` (responsibilities,
training commitments, data categories), or the whole paragraph (recitals, additional
provisions) — can take a new paragraph of the same shape as a new item. It is placed
after the item whose paragraph precedes it, its text is the paragraph (without the
letter), the fields every item must have are copied from that neighbour (the parties of
a responsibility, so it stays in its group), and its id is made from its first words.
Anything else stays unmapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..document.spans import PARAGRAPH, FieldSpan, RenderedText
from ..model import Agreement
from .align import Edit
from .diff import path_parts

_LETTERED = re.compile(r"\(([a-z]{1,2})\) (.+)", re.DOTALL)
_ITEM_FIELD = re.compile(r"^(.*)\[(\w+)=([^\]]*)\]\.(\w+)$")
ID_WORDS = 4
ID_LENGTH = 40


@dataclass(frozen=True)
class NewItem:
    """A proposed list item: where it goes, what it holds, and the edit it comes from."""

    list_path: str
    after_key: str
    key_field: str
    data: dict[str, Any]
    edit: Edit

    @property
    def path(self) -> str:
        """The item's key-based path, as `mou diff` writes it."""
        return f"{self.list_path}[{self.key_field}={self.data[self.key_field]}]"


def new_items(
    agreement: Agreement, rendered: RenderedText, copy_text: str, edit: Edit
) -> list[NewItem] | None:
    """The items an inserted paragraph proposes; None when it is no new item."""
    inserted = copy_text[edit.copy_start : edit.copy_end]
    if edit.base_start != edit.base_end or PARAGRAPH not in inserted:
        return None
    neighbour = _neighbour(rendered, edit.base_start)
    if neighbour is None:
        return None
    lettered = _is_lettered(rendered, neighbour)
    if lettered is None:
        return None
    paragraphs = [p for p in inserted.strip(PARAGRAPH).split(PARAGRAPH) if p.strip()]
    return _items(agreement, neighbour, paragraphs, lettered, edit)


def _neighbour(rendered: RenderedText, position: int) -> FieldSpan | None:
    """The field whose paragraph ends right where the paragraph was inserted."""
    for span in reversed(rendered.spans):
        if span.end in (position, position - 1) and _ITEM_FIELD.match(span.path):
            following = rendered.text[span.end : span.end + 1]
            return span if following in ("", PARAGRAPH) else None
    return None


def _is_lettered(rendered: RenderedText, span: FieldSpan) -> bool | None:
    """True for an item printed ``(c) text``, False for a whole paragraph, else None."""
    start = rendered.text.rfind(PARAGRAPH, 0, span.start) + 1
    before = rendered.text[start : span.start]
    if before == "":
        return False
    return True if re.fullmatch(r"\([a-z]{1,2}\) ", before) else None


def _items(
    agreement: Agreement, span: FieldSpan, paragraphs: list[str], lettered: bool, edit: Edit
) -> list[NewItem] | None:
    list_path, key_field, after_key, text_field = _ITEM_FIELD.match(span.path).groups()  # type: ignore[union-attr]
    items = _list_at(agreement, list_path)
    neighbour = next(i for i in items if str(getattr(i, key_field)) == after_key)
    taken = {str(getattr(i, key_field)) for i in items}
    proposed = []
    for paragraph in paragraphs:
        found = _LETTERED.fullmatch(paragraph) if lettered else None
        if lettered and found is None:
            return None
        text = found.group(2) if found else paragraph
        data = _item_data(neighbour, key_field, text_field, text, taken)
        if data is None:
            return None
        proposed.append(NewItem(list_path, after_key, key_field, data, edit))
        after_key = data[key_field]
    return proposed


def _list_at(agreement: Agreement, list_path: str) -> list[BaseModel]:
    value: Any = agreement
    for step in path_parts(list_path)[1:]:
        if not step.startswith("."):
            return []
        value = getattr(value, step[1:], None)
    return value or []


def _item_data(
    neighbour: BaseModel, key_field: str, text_field: str, text: str, taken: set[str]
) -> dict[str, Any] | None:
    """A new item shaped like ``neighbour``: its required fields copied, the text its own."""
    if key_field != "id":
        return None  # per-party rows are keyed by a party: a paragraph cannot name one
    model = type(neighbour)
    data: dict[str, Any] = {"id": _fresh_id(text, taken), text_field: text}
    for name, info in model.model_fields.items():
        if info.is_required() and name not in data:
            data[name] = neighbour.model_dump(mode="json")[name]
    try:
        model.model_validate(data)
    except ValidationError:
        return None
    taken.add(data["id"])
    return data


def _fresh_id(text: str, taken: set[str]) -> str:
    """An id from the first words of ``text`` (``keep-a-shared-log``), unused in the list."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:ID_WORDS]
    base = "-".join(words)[:ID_LENGTH].strip("-") or "new-item"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate

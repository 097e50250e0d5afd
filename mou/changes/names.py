"""A change as a reviewer knows its place: the parties it concerns, the names they see.

A change's path names list items by their ids (``$.responsibilities[id=cpk-review].text``)
and its label repeats them ("Responsibility cpk-review › Text"); people know that item
as the responsibility "Host the Shooting Review each week…" of CPK. And a change is
about a party not only inside the party itself: a responsibility, a resource, a
personnel row, a goal and its metrics belong to the parties they name.
"""

from __future__ import annotations

from typing import Any

from ..model import Agreement
from .diff import SEPARATOR, Change, ancestors, field_words, item_noun, path_parts, value_at

NAME_LENGTH = 48
# Fields that name an item, in the order tried; a longer text is cut to its first words.
_NAMING_FIELDS = (
    "acronym",
    "name",
    "title",
    "term",
    "citation",
    "position",
    "recipient",
    "description",
    "text",
    "covers",
)
# Fields of an item that say which parties it belongs to.
_PARTY_FIELDS = ("party", "provider", "parties", "owners")


def parties_of(
    change: Change, old: Agreement, new: Agreement, index: dict | None = None
) -> list[str]:
    """Ids of the parties ``change`` concerns, nearest item first; [] for the whole agreement.

    Pass the same ``index`` (a dict) for every change of one pair of versions: each list
    is then keyed once (see :func:`~mou.changes.diff.value_at`), not once per change.
    """
    if change.party:
        return [change.party]
    for path in [change.path, *reversed(ancestors(change.path)[1:])]:  # "$" is everyone
        found = _named_parties(_value(path, old, new, index))
        if found:
            return found
    return []


def _named_parties(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    for field in _PARTY_FIELDS:
        named = value.get(field)
        if isinstance(named, str):
            return [named]
        if isinstance(named, list) and named and all(isinstance(n, str) for n in named):
            return list(named)
    payer = value.get("payer")  # a reimbursement belongs to a party that pays it
    return [payer["party"]] if isinstance(payer, dict) and payer.get("party") else []


def readable_label(
    change: Change, old: Agreement, new: Agreement, index: dict | None = None
) -> str:
    """``change``'s place with each item named as people see it: "Responsibility “Host
    the Shooting Review each week…” › Text" rather than "Responsibility cpk-review › Text".

    ``index``: as for :func:`parties_of`.
    """
    parts = path_parts(change.path)[1:]
    words: list[str] = []
    for n, part in enumerate(parts):
        if part.startswith("["):
            list_name = parts[n - 1][1:]
            item = _value("$" + "".join(parts[: n + 1]), old, new, index)
            words[-1] = f"{item_noun(list_name)} {_item_name(part, item, old, new)}"
        else:
            words.append(field_words(part[1:]))
    return SEPARATOR.join(words) or change.label


def _item_name(part: str, item: Any, old: Agreement, new: Agreement) -> str:
    key_field, key = part[1:-1].split("=", 1)
    if key_field == "party":
        return _acronym(key, old, new)
    if key_field == "letter":
        return key
    if key_field == "topic":
        return field_words(key)
    for field in _NAMING_FIELDS:
        text = item.get(field) if isinstance(item, dict) else None
        if isinstance(text, str) and text.strip():
            return text.strip() if field == "acronym" else f"“{_shortened(text)}”"
    return key


def _acronym(party_id: str, old: Agreement, new: Agreement) -> str:
    for agreement in (new, old):
        for party in agreement.parties:
            if party.id == party_id:
                return party.acronym
    return party_id


def _shortened(text: str) -> str:
    """The first words of ``text``, on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= NAME_LENGTH:
        return flat
    return flat[:NAME_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _value(path: str, old: Agreement, new: Agreement, index: dict | None) -> Any:
    """What ``path`` holds in the new version, else in the old (a removed item)."""
    found = value_at(new, path, index)
    return found if found is not None else value_at(old, path, index)

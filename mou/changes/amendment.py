"""Amendment No. N, generated from the difference between the text in force and the draft.

The semantic diff (:func:`mou.changes.diff.diff`) says whether, and in which parts, the
agreement changed; the instructions are then written per printed unit (clause, table,
recitals, exhibit; see :func:`mou.document.amendment.text_units`) in the language counsel
uses. A unit whose printed text is unchanged never appears: an amendment is not a
restatement. :func:`apply_instructions` applies them to the original's units, which is
how the tests prove that the instructions, followed by hand, give the amended text.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from ..document.amendment import AmendmentDocument, Instruction, Unit, text_units
from ..document.context import build_context
from ..document.words import letter
from ..errors import MouError
from ..lifecycle import Record
from ..model import Agreement
from ..store.lifecycle import joinder_parties, read_record
from ..store.workspace import Workspace
from .diff import diff


def instructions(old: Agreement, new: Agreement) -> list[Instruction]:
    """The numbered instructions that turn ``old``'s printed text into ``new``'s."""
    before = _keyed(text_units(old))
    after = _keyed(text_units(new))
    result = [_removed(unit) for key, unit in before.items() if key not in after]
    for key, unit in after.items():
        earlier = before.get(key)
        if earlier is None:
            result.append(_added(unit, before))
        elif earlier.paras != unit.paras:
            result += _partial(earlier, unit) or [_replaced(earlier, unit)]
    return result


def _keyed(units: list[Unit]) -> dict[tuple[str, str], Unit]:
    """Units by key; a heading printed twice in one article is told apart by a counter."""
    keyed: dict[tuple[str, str], Unit] = {}
    for unit in units:
        key, count = unit.key, 2
        while key in keyed:
            key, count = (unit.key[0], f"{unit.key[1]}#{count}"), count + 1
        keyed[key] = Unit(key, unit.article_no, unit.label, unit.paras)
    return keyed


def _removed(unit: Unit) -> Instruction:
    if unit.key[0] == "exhibit":
        return Instruction("delete", unit.key, f"{unit.label} is deleted.")
    return Instruction("delete", unit.key, f"{unit.label} is deleted in its entirety.")


def _replaced(old: Unit, new: Unit) -> Instruction:
    if new.key[0] == "exhibit":
        sentence = f"{old.label} is replaced by the attached {new.label}."
    elif new.key[0] == "recitals":
        sentence = "The recitals are deleted in their entirety and replaced with the following:"
    elif new.key[1].startswith("table:"):
        sentence = f"{old.label} is replaced by the following table:"
    else:
        sentence = f"{old.label} is deleted in its entirety and replaced with the following:"
    return Instruction("replace", new.key, sentence, new.paras)


def _added(unit: Unit, before: dict[tuple[str, str], Unit]) -> Instruction:
    if unit.key[0] == "exhibit":
        return Instruction("add", unit.key, f"The attached {unit.label} is added.", unit.paras)
    article_exists = any(key[0] == unit.key[0] for key in before)
    where = f"Article {unit.article_no}"
    what = unit.label.split(", ", 1)[1] if ", " in unit.label else unit.label
    if not article_exists:
        sentence = f"The Agreement is amended by adding a new {where} with the following {what}:"
    else:
        sentence = f"{where} is amended by adding the following new {what}:"
    return Instruction("add", unit.key, sentence, unit.paras)


def _partial(old: Unit, new: Unit) -> list[Instruction]:
    """Paragraphs of a lettered list, or rows of a table, added or deleted one by one; [] when
    the unit changed otherwise (it is then replaced whole)."""
    table = new.key[1].startswith("table:")
    lettered = _is_lettered(old.paras) and _is_lettered(new.paras)
    if not (table or lettered) or new.key[0] == "exhibit":
        return []
    a, b = _bare(old.paras, lettered), _bare(new.paras, lettered)
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    if any(tag == "replace" for tag, *_ in ops):
        return []
    if table and any(tag == "insert" and i1 != len(a) for tag, i1, *_ in ops):
        return []  # a row added amid a table: the table is replaced, not patched by place
    steps = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "delete":
            steps.append(_deleted_part(old, old.paras[i1:i2], i1, table))
        elif tag == "insert":
            steps.append(_inserted_part(old, new.paras[j1:j2], j1, table))
    return steps


def _deleted_part(unit: Unit, paras: tuple[str, ...], at: int, table: bool) -> Instruction:
    if table:
        sentence = f"{unit.label} is amended by deleting the following row(s):"
    else:
        marks = ", ".join(_mark(p) for p in paras)
        sentence = (
            f"{unit.label} is amended by deleting paragraph(s) {marks} in their entirety; "
            "the paragraphs that follow are re-lettered accordingly."
        )
    return Instruction("delete", unit.key, sentence, paras, part=at)


def _inserted_part(unit: Unit, paras: tuple[str, ...], at: int, table: bool) -> Instruction:
    if table:
        sentence = f"{unit.label} is amended by adding the following row(s) at its end:"
    else:
        marks = ", ".join(_mark(p) for p in paras)
        sentence = (
            f"{unit.label} is amended by adding the following new paragraph(s) {marks}; "
            "the paragraphs that follow are re-lettered accordingly:"
        )
    return Instruction("add", unit.key, sentence, paras, part=at)


_LETTERED = re.compile(r"^\(([a-z]+)\) ")


def _is_lettered(paras: tuple[str, ...]) -> bool:
    return bool(paras) and all(
        _LETTERED.match(p) and _LETTERED.match(p).group(1) == letter(i)  # type: ignore[union-attr]
        for i, p in enumerate(paras)
    )


def _bare(paras: tuple[str, ...], lettered: bool) -> list[str]:
    return [_LETTERED.sub("", p) for p in paras] if lettered else list(paras)


def _mark(para: str) -> str:
    found = _LETTERED.match(para)
    return f"({found.group(1)})" if found else ""


def apply_instructions(
    units: list[Unit], steps: list[Instruction]
) -> dict[tuple[str, str], tuple[str, ...]]:
    """The printed text, unit by unit, after following ``steps`` on ``units`` by hand.

    Steps on parts of one unit are applied from its end backwards, each at the place it
    names in the text it was written against, then a lettered list is re-lettered, as
    the instructions say.
    """
    text = {unit.key: unit.paras for unit in _keyed(units).values()}
    whole = [step for step in steps if step.part is None]
    for step in whole:
        if step.kind == "delete":
            del text[step.key]
        else:
            text[step.key] = step.paras
    for key in dict.fromkeys(step.key for step in steps if step.part is not None):
        text[key] = _patched(text[key], [s for s in steps if s.key == key])
    return text


def _patched(paras: tuple[str, ...], steps: list[Instruction]) -> tuple[str, ...]:
    lettered = _is_lettered(paras)
    bare = _bare(paras, lettered)
    deletions = [s for s in steps if s.kind == "delete"]
    for step in sorted(deletions, key=lambda s: s.part or 0, reverse=True):
        del bare[step.part or 0 : (step.part or 0) + len(step.paras)]
    for step in sorted((s for s in steps if s.kind == "add"), key=lambda s: s.part or 0):
        bare[step.part or 0 : step.part or 0] = _bare(step.paras, lettered)
    if lettered:
        return tuple(f"({letter(i)}) {p}" for i, p in enumerate(bare))
    return tuple(bare)


def amendment_document(
    ws: Workspace, agreement_id: str, number: int, draft: bool
) -> tuple[AmendmentDocument, Agreement]:
    """Amendment No. ``number`` as a document, and the amended text it brings about."""
    record = read_record(ws, agreement_id)
    if not 1 <= number <= len(record.amendments):
        raise MouError(f"--amendment {number}: {agreement_id} has no Amendment No. {number}")
    amendment = record.amendments[number - 1]
    old = ws.load(agreement_id, amendment.base)
    executed = record.execution(number)
    new = ws.load(agreement_id, executed.revision if executed else "HEAD")
    if not diff(old.agreement, new.agreement):
        raise MouError(
            f"{agreement_id}: Amendment No. {number} changes nothing yet; save the amended "
            "text first"
        )
    joining = joinder_parties(old.agreement, new.agreement)
    recitals = _recitals(record, old.agreement, number)
    if joining is not None:
        recitals.insert(-1, _JOINDER_RECITAL)
    document = AmendmentDocument(
        number=number,
        title=new.agreement.title,
        agreement_number=new.agreement.number,
        recitals=recitals,
        instructions=instructions(old.agreement, new.agreement),
        signatures=_signature_blocks(new.agreement, joining),
        joinder_only=joining is not None,
        provenance=f"{agreement_id} · Amendment No. {number} · text of revision "
        f"{new.revision[:12]} amending revision {old.revision[:12]}",
        draft=draft,
        joinders=_joinders(old.agreement, new.agreement),
    )
    return document, new.agreement


_JOINDER_RECITAL = (
    "WHEREAS, the amendment article of the Agreement admits a new member by a joinder "
    "agreement signed by the new member and the parties it names;"
)


def _signature_blocks(agreement: Agreement, joining: frozenset[str] | None) -> list[Any]:
    """The signature blocks of every party, or of those who sign a joinder."""
    blocks = build_context(agreement, None, False, "")["signatures"]
    if joining is None:
        return list(blocks)
    names = {p.legal_name for p in agreement.parties if p.id in joining}
    return [block for block in blocks if block["party"] in names]


def _recitals(record: Record, original: Agreement, number: int) -> list[str]:
    executed = record.execution(0)
    when = executed.executed_date.strftime("%B %-d, %Y") if executed else "—"
    cited = f" (No. {original.number})" if original.number else ""
    lines = [
        f"WHEREAS, the parties entered into the {original.title}{cited}, executed on "
        f'{when} (the "Agreement");'
    ]
    for earlier in record.amendments[: number - 1]:
        done = record.execution(earlier.number)
        if done is not None:
            lines.append(
                f"WHEREAS, the Agreement was amended by Amendment No. {earlier.number}, "
                f"executed on {done.executed_date.strftime('%B %-d, %Y')};"
            )
    lines.append("WHEREAS, the parties wish to amend the Agreement as set out below;")
    return lines


def _joinders(old: Agreement, new: Agreement) -> list[str]:
    """Joinder language for each party the amendment adds."""
    before = {p.id for p in old.parties}
    return [
        f"JOINDER. {p.legal_name} ({p.acronym}) joins the Agreement as a party and, by signing "
        "below, agrees to be bound by every term of the Agreement as amended by this Amendment."
        for p in new.parties
        if p.id not in before
    ]

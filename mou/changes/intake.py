"""Take a partner's edited Word copy back in: each edit mapped to the field it falls in.

mou knows what it rendered: the base revision is re-rendered with the workspace's
template, with the span of text each field produced (:mod:`mou.document.spans`). The
returned copy is read as edited (:mod:`mou.document.returned`), aligned with that text
(:mod:`mou.changes.align`), and every edit inside one field's span becomes the field's
new value. An edit in the template's own wording is never dropped: it is listed as
unmapped with its article and paragraph. Comments are attached to the field they are on.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..document import ooxml
from ..document.provenance import PROPERTY_NAMES, custom_properties
from ..document.returned import Comment, ReturnedCopy, Revision, read_returned
from ..document.spans import PARAGRAPH, FieldSpan, RenderedText, rendered_fields
from ..document.template import template_bytes, template_for
from ..errors import InvalidAgreement, MouError
from ..ids import agreement_path
from ..model import Agreement, to_data
from ..store.history import load_version
from ..store.workspace import Workspace
from ..validate import validate_data
from .align import Alignment, Edit, align, fold
from .diff import Change, WordOp, diff, entries, path_parts, value_at
from .newitems import NewItem, new_items

MATCHED_AT_LEAST = 0.5  # below this share of unchanged paragraphs, the copy is another document
_FOOTER = re.compile(r"Agreement (\S+) .*?Revision ([0-9a-f]{7,40})")
_ARTICLE = re.compile(r"ARTICLE (\d+)\b")


@dataclass(frozen=True)
class FieldChange:
    """A field's new value, read from the copy."""

    path: str
    label: str
    section: str
    party: str | None
    old: Any
    new: Any
    by: str | None
    date: str | None
    kind: str = "changed"
    """changed, or added for a new list item."""
    words: tuple[WordOp, ...] | None = None
    """Word-level diff of a prose field, as `mou diff` has it."""

    def as_json(self) -> dict[str, Any]:
        """The change in the `--json` shape."""
        keys = ("path", "label", "old", "new", "by", "date", "kind", "section", "party")
        return {key: getattr(self, key) for key in keys}


@dataclass(frozen=True)
class Unmapped:
    """An edit of the template's own wording (or one no field can take)."""

    location: str
    old: str
    new: str
    by: str | None
    reason: str = "template wording"
    at: int = 0
    """Where the edit is in the base text (for document order)."""
    near: str | None = None
    """The path of the field nearest the edit in the document (to show it beside)."""

    def as_json(self) -> dict[str, Any]:
        """The edit in the `--json` shape."""
        keys = ("location", "old", "new", "by", "reason", "near")
        return {key: getattr(self, key) for key in keys}


@dataclass(frozen=True)
class Remark:
    """A Word comment, attached to the field it is on (None: on template wording)."""

    path: str | None
    author: str | None
    date: str | None
    text: str
    quoted: str

    def as_json(self) -> dict[str, Any]:
        """The comment in the `--json` shape."""
        keys = ("path", "author", "date", "text", "quoted")
        return {key: getattr(self, key) for key in keys}


@dataclass
class Intake:
    """What a returned copy proposes, against the revision it was exported from."""

    agreement_id: str
    base: str
    base_agreement: Agreement
    changes: list[FieldChange] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    comments: list[Remark] = field(default_factory=list)
    proposal: Agreement | None = None
    proposed: dict[str, Any] | None = None
    """The proposal as plain agreement data, valid or not (what the liaison decides on)."""
    problem: str | None = None
    """Why the proposal is not a valid agreement (one line), when it is not."""

    def as_json(self) -> dict[str, Any]:
        """The report in the `--json` shape of issue 13 (keys may be added, never renamed)."""
        return {
            "id": self.agreement_id,
            "base": self.base,
            "changes": [c.as_json() for c in self.changes],
            "unmapped": [u.as_json() for u in self.unmapped],
            "comments": [c.as_json() for c in self.comments],
            "valid": self.problem is None,
            "problem": self.problem,
        }


class RevisionNeeded(MouError):
    """The copy names its agreement but not the revision it was exported from; each
    front end says how to give it (``--rev``, a wizard field)."""


@dataclass(frozen=True)
class _Origin:
    agreement_id: str
    revision: str
    drafts: tuple[bool, ...]
    template_sha: str | None


def take_in(ws: Workspace, docx: bytes, rev: str | None = None) -> Intake:
    """Read the edits of a returned copy ``docx`` into a proposal; MouError for a copy
    that cannot be taken in (not Word, unknown agreement or revision, another document,
    nested tracked changes, a copy already taken in)."""
    copy = read_returned(docx)
    origin = _origin(docx, rev)
    if origin.agreement_id not in ws.ids():
        raise MouError(
            f"no agreement {origin.agreement_id!r} in this workspace: the copy is of an "
            "agreement kept elsewhere"
        )
    loaded = load_version(ws, origin.agreement_id, origin.revision)
    template = template_for(ws.root)
    _same_template(origin, template)
    rendered, alignment = _best_render(loaded.agreement, loaded.revision, origin, template, copy)
    result = Intake(origin.agreement_id, loaded.revision, loaded.agreement)
    _read_edits(result, rendered, copy, alignment)
    _refuse_taken_in(ws, result)
    return result


# --------------------------------------------------------------------------- origin


def _origin(docx: bytes, rev: str | None) -> _Origin:
    """Agreement and revision from the custom properties, else from the footer."""
    props = custom_properties(docx)
    agreement_id = props.get(PROPERTY_NAMES["agreement"])
    revision = props.get(PROPERTY_NAMES["revision"])
    if not agreement_id:
        agreement_id, revision = _from_footer(docx)
    if rev:
        revision = rev
    if not revision:
        raise RevisionNeeded(
            f"the copy of {agreement_id} names no revision (exported from an uncommitted "
            "working copy, or its properties were stripped)"
        )
    draft = props.get(PROPERTY_NAMES["draft"])
    drafts = (draft == "true",) if draft else (False, True)
    return _Origin(agreement_id, revision, drafts, props.get(PROPERTY_NAMES["template"]))


def _from_footer(docx: bytes) -> tuple[str, str | None]:
    parts = ooxml.parts(docx)
    for name in sorted(n for n in parts if n.startswith("word/footer")):
        found = _FOOTER.search(" ".join(ooxml.paragraphs(parts[name])))
        if found:
            return found.group(1), found.group(2)
    raise MouError(
        "not an export of mou: the copy carries no agreement id (no mou custom "
        "properties, no mou footer)"
    )


def _same_template(origin: _Origin, template: Path) -> None:
    if not origin.template_sha:
        return
    actual = hashlib.sha256(template_bytes(template)).hexdigest()
    if actual != origin.template_sha:
        raise MouError(
            f"the copy was exported with another template than {template} (sha256 "
            f"{origin.template_sha[:12]}, now {actual[:12]}); put that template back to take "
            "the copy in"
        )


def _best_render(
    agreement: Agreement, revision: str, origin: _Origin, template: Path, copy: ReturnedCopy
) -> tuple[RenderedText, Alignment]:
    """The base render the copy matches best (draft or not, when the copy does not say)."""
    tried = []
    for draft in origin.drafts:
        rendered = rendered_fields(agreement, revision, draft, template)
        tried.append((rendered, align(rendered.text, copy.text)))
    rendered, alignment = max(tried, key=lambda pair: pair[1].matched)
    if alignment.matched < MATCHED_AT_LEAST:
        raise MouError(
            f"not an export of {origin.agreement_id} at revision {revision[:12]}: only "
            f"{alignment.matched:.0%} of its paragraphs are found in the copy"
        )
    return rendered, alignment


# --------------------------------------------------------------------------- mapping


def _read_edits(
    result: Intake, rendered: RenderedText, copy: ReturnedCopy, alignment: Alignment
) -> None:
    by_span: dict[FieldSpan, list[Edit]] = {}
    loose: list[Edit] = []
    for edit in alignment.edits:
        span = _span_of(edit, rendered, copy)
        if span is None:
            loose.append(edit)
        else:
            by_span.setdefault(span, []).append(edit)
    values = _values(result, rendered, copy, by_span)
    items: list[NewItem] = []
    for edit in loose:
        proposed = new_items(result.base_agreement, rendered, copy.text, edit)
        if proposed is None:
            result.unmapped.append(_unmapped(edit, rendered, copy))
            continue
        items += proposed
        values.update({i.path: _Value(i.data, *_who([edit], copy.revisions)) for i in items})
    result.changes = _field_changes(result.base_agreement, values)
    _propose(result, values, items)
    result.unmapped.sort(key=lambda u: u.at)
    result.comments = [_remark(c, rendered, copy, alignment) for c in copy.comments]


def _span_of(edit: Edit, rendered: RenderedText, copy: ReturnedCopy) -> FieldSpan | None:
    """The field whose span holds the whole edit. A paragraph inserted at a field's
    edge is not the field's (it is a new item, or unmapped)."""
    inserted = copy.text[edit.copy_start : edit.copy_end]
    for span in _spans_around(rendered, edit.base_start):
        if not span.start <= edit.base_start <= edit.base_end <= span.end:
            continue
        at_edge = edit.base_start == edit.base_end and edit.base_start in (span.start, span.end)
        if at_edge and PARAGRAPH in inserted:
            continue
        return span
    return None


def _spans_around(rendered: RenderedText, position: int) -> list[FieldSpan]:
    """The spans that may hold ``position`` (those starting at or before it)."""
    stop = bisect.bisect_right(rendered.starts, position)
    return [s for s in rendered.spans[:stop] if s.end >= position]


@dataclass(frozen=True)
class _Value:
    value: Any
    by: str | None
    date: str | None


def _values(
    result: Intake, rendered: RenderedText, copy: ReturnedCopy, by_span: dict[FieldSpan, list[Edit]]
) -> dict[str, _Value]:
    """Path -> its new value; an edit no value can be read from is listed as unmapped."""
    values: dict[str, _Value] = {}
    for span, edits in by_span.items():
        value = _parsed(_applied(rendered.text, copy.text, span, edits), span.kind)
        earlier = values.get(span.path)
        if value is None or (earlier is not None and earlier.value != value):
            reason = "not a value" if value is None else "conflicts with another edit of the field"
            result.unmapped += [_unmapped(e, rendered, copy, reason) for e in edits]
            continue
        values[span.path] = _Value(value, *_who(edits, copy.revisions))
    return values


def _applied(base: str, copy: str, span: FieldSpan, edits: list[Edit]) -> str:
    """The span's text with its edits made (text outside the edits stays the base's).

    Word's autocorrect curls the quotes a partner types; in a field written with straight
    quotes the new words keep its style."""
    straight = fold(base[span.start : span.end]) == base[span.start : span.end]
    pieces, at = [], span.start
    for edit in sorted(edits, key=lambda e: e.base_start):
        typed = copy[edit.copy_start : edit.copy_end]
        pieces += [base[at : edit.base_start], fold(typed) if straight else typed]
        at = edit.base_end
    pieces.append(base[at : span.end])
    return "".join(pieces)


def _parsed(shown: str, kind: str) -> Any:
    """The field value a span's new text reads as; None when it reads as none."""
    if kind == "text":  # a word deleted at either end leaves its space behind: trimmed
        return shown.replace(PARAGRAPH, "\n\n").strip() or None
    try:
        if kind == "date":
            return dt.datetime.strptime(shown.strip(), "%B %d, %Y").date().isoformat()
        value = float(shown.strip().lstrip("$").rstrip("%").replace(",", ""))
    except ValueError:
        return None
    if value.is_integer():
        return int(value)
    return None if kind == "integer" else value


def _who(edits: list[Edit], revisions: list[Revision]) -> tuple[str | None, str | None]:
    """Author and date of the first tracked change behind ``edits`` (None: untracked)."""
    for edit in edits:
        for revision in revisions:
            if _behind(revision, edit):
                return revision.author, revision.date
    return None, None


def _behind(revision: Revision, edit: Edit) -> bool:
    if revision.kind == "del":
        return edit.copy_start <= revision.start <= edit.copy_end
    return revision.start < edit.copy_end and revision.end > edit.copy_start


def _field_changes(base: Agreement, values: dict[str, _Value]) -> list[FieldChange]:
    """The changed fields in document order, labelled as `mou diff` labels them."""
    changes = []
    for entry in entries(base):
        found = values.get(entry.path)
        if found is None:
            continue
        old = value_at(base, entry.path)
        if found.value == old:
            continue
        changes.append(FieldChange(entry.path, entry.label, entry.section, entry.party,
                                   old, found.value, found.by, found.date))  # fmt: skip
    return changes


# --------------------------------------------------------------------------- unmapped


def _unmapped(
    edit: Edit, rendered: RenderedText, copy: ReturnedCopy, reason: str = "template wording"
) -> Unmapped:
    old = rendered.text[edit.base_start : edit.base_end].replace(PARAGRAPH, "\n")
    new = copy.text[edit.copy_start : edit.copy_end].replace(PARAGRAPH, "\n")
    by, _date = _who([edit], copy.revisions)
    at, near = edit.base_start, _nearest(rendered, edit.base_start, edit.base_end)
    return Unmapped(_location(rendered, at), old, new, by, reason, at, near)


def _nearest(rendered: RenderedText, start: int, end: int) -> str | None:
    """The path of the field closest to ``[start, end)`` (the earlier of two as close)."""
    stop = bisect.bisect_right(rendered.starts, end)
    before = max(rendered.spans[:stop], key=lambda span: span.end, default=None)
    after = rendered.spans[stop] if stop < len(rendered.spans) else None
    found = [span for span in (before, after) if span is not None]
    best = min(found, key=lambda s: max(s.start - end, start - s.end, 0), default=None)
    return best.path if best else None


def _location(rendered: RenderedText, position: int) -> str:
    """``Article 12, paragraph 3`` (paragraphs counted after the heading), or the
    title page or recitals before the first article."""
    paragraphs = rendered.paragraphs
    index = bisect.bisect_right(rendered.paragraph_starts, position) - 1
    for back in range(index, -1, -1):
        heading = _ARTICLE.match(paragraphs[back])
        if heading:
            return f"Article {heading.group(1)}, paragraph {index - back}"
        if paragraphs[back].strip().upper() == "RECITALS":
            return f"Recitals, paragraph {index - back}"
    return f"Title page, paragraph {index + 1}"


# --------------------------------------------------------------------------- comments


def _remark(
    comment: Comment, rendered: RenderedText, copy: ReturnedCopy, alignment: Alignment
) -> Remark:
    start, end = comment.start, comment.end
    quoted = copy.text[start:end].replace(PARAGRAPH, "\n") if start is not None else ""
    path = None
    if start is not None and end is not None:
        span = _widest_overlap(
            rendered, alignment.base_position(start), alignment.base_position(end)
        )
        path = span.path if span else None
    return Remark(path, comment.author, comment.date, comment.text, quoted)


def _widest_overlap(rendered: RenderedText, start: int, end: int) -> FieldSpan | None:
    """The field the stretch ``[start, end)`` overlaps most (holds, for a point)."""
    best, best_overlap = None, -1
    for span in _spans_around(rendered, end):
        overlap = min(span.end, end) - max(span.start, start)
        if overlap > best_overlap and (overlap > 0 or span.start <= start <= span.end):
            best, best_overlap = span, overlap
    return best


# --------------------------------------------------------------------------- proposal


def _propose(result: Intake, values: dict[str, _Value], items: list[NewItem]) -> None:
    """The base agreement with every mapped change made, validated (or why it is not);
    the changes are then read back with the semantic diff, labelled as `mou diff` does."""
    data = to_data(result.base_agreement)
    result.proposed = data
    for path, found in values.items():
        if path not in {i.path for i in items}:
            _set(data, path, found.value)
    for item in items:
        _insert(data, item)
    try:
        result.proposal = validate_data(data, f"{result.agreement_id} (proposal)")
    except InvalidAgreement as err:
        result.problem = str(err.problems[0]) if err.problems else err.message
    try:
        shaped = result.proposal or Agreement.model_validate(data)
    except ValidationError:
        return  # the field-by-field list stands
    result.changes = [_attributed(c, values) for c in diff(result.base_agreement, shaped)]


def _attributed(change: Change, values: dict[str, _Value]) -> FieldChange:
    found = values.get(change.path)
    by, date = (found.by, found.date) if found else (None, None)
    return FieldChange(change.path, change.label, change.section, change.party,
                       change.old, change.new, by, date, change.kind, change.words)  # fmt: skip


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a key-based path of plain agreement data."""
    node: Any = data
    steps = path_parts(path)[1:]
    for step in steps[:-1]:
        node = node[step[1:]] if step.startswith(".") else _item(node, step)
    node[steps[-1][1:]] = value


def _insert(data: dict[str, Any], item: NewItem) -> None:
    """Put a new item into its list, after the item it follows."""
    node: Any = data
    for step in path_parts(item.list_path)[1:]:
        node = node[step[1:]] if step.startswith(".") else _item(node, step)
    after = next(i for i, row in enumerate(node) if str(row[item.key_field]) == item.after_key)
    node.insert(after + 1, item.data)


def _item(items: list[dict[str, Any]], step: str) -> dict[str, Any]:
    key_field, key = step[1:-1].split("=", 1)
    return next(item for item in items if str(item.get(key_field)) == key)


def _refuse_taken_in(ws: Workspace, result: Intake) -> None:
    """A copy whose every change the agreement already holds, at a later revision, was
    taken in before: say so rather than propose it again."""
    if not result.changes:
        return
    if ws.repo.last_change(ws.resolve("HEAD"), agreement_path(result.agreement_id)) == result.base:
        return  # the copy is of the current revision
    head = load_version(ws, result.agreement_id, "HEAD")
    if all(value_at(head.agreement, c.path) == c.new for c in result.changes):
        raise MouError(
            f"already taken in: revision {head.revision[:12]} of {result.agreement_id} holds "
            f"every change of this copy ({len(result.changes)})"
        )

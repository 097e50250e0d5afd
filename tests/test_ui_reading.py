"""A saved revision read part by part in the wizard's words (mou.ui.reading), directly."""

from __future__ import annotations

from mou.ui.reading import part_html, read_parts
from mou.validate import load_file
from tests.support.runner import ROOT


def _task_force():
    return load_file(ROOT / "agreements" / "bellwater-regional-violent-crime-task-force.yaml")


def test_every_part_reads_in_document_order_without_internal_ids():
    agreement = _task_force()
    parts = read_parts(agreement)
    assert list(parts)[:3] == ["Title block", "Parties", "Authorities"]
    text = "\n".join(f"{line.label} {line.value}" for lines in parts.values() for line in lines)
    assert agreement.id not in text and "Schema version" not in text
    ids = [p.id for p in agreement.parties] + [g.id for g in agreement.goals]
    leaked = [i for i in ids if f" {i}\n" in text or f" {i}," in text]
    assert leaked == []


def test_references_read_as_acronyms_and_titles_and_choices_in_words():
    agreement = _task_force()
    roles = read_parts(agreement)["Roles and responsibilities"]
    duty = agreement.responsibilities[0]
    fields = {line.label: line.value for line in roles[1:4]}
    assert fields["Parties"] == ", ".join(
        next(p.acronym for p in agreement.parties if p.id == ref) for ref in duty.parties
    )
    titles = {g.id: g.title for g in agreement.goals}
    assert fields["Goals"] == ", ".join(titles[ref] for ref in duty.goals)
    party = read_parts(agreement)["Parties"]
    assert party[0].value is None and party[0].label.startswith("Party FBI — ")
    assert party[3].label == "Level" and party[3].value == "Federal"


def test_items_are_headed_by_their_name_and_indented_by_depth():
    goals = read_parts(_task_force())["Purpose and shared goals"]
    goal = next(line for line in goals if line.label.startswith("Goal "))
    metric = next(line for line in goals if line.label.startswith("Metric "))
    assert (goal.depth, metric.depth) == (0, 1)
    assert goal.value is None and "reduce-" not in goal.label


def test_user_text_is_escaped_and_invisible_characters_shown():
    agreement = _task_force().model_copy(update={"purpose": "<b>Reduce</b>\u200b violence"})
    shown = part_html(read_parts(agreement)["Purpose and shared goals"])
    assert "&lt;b&gt;Reduce&lt;/b&gt;&lt;U+200B&gt; violence" in shown
    assert "<b>" not in shown and "\u200b" not in shown

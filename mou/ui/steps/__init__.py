"""The wizard steps, in the order a liaison thinks: one module per step, ordered here.

:data:`STEPS` is the one place that orders the steps: the sidebar, the step numbers,
Back / Next and "Fix in …" on the Review page all follow it. Adding a step is a module
(its body, its columns, its ``STEP``) and a line in that list.

Every step edits the open draft through :mod:`mou.ui.fields`; nothing is saved until the
Review page, which comes after the last step and is counted as the last of the wizard.
"""

from __future__ import annotations

from ..chrome import nothing_open, step_footer, step_header
from ..controls import clear_focus, undo_offer
from ..fields import forget_shown, shown_places
from ..state import Draft, current
from . import basics, exhibits, goals, information, operations, parties, resources, roles, term
from .step import Step

STEPS: list[Step] = [
    basics.STEP,
    parties.STEP,
    goals.STEP,
    roles.STEP,
    resources.STEP,
    information.STEP,
    operations.STEP,
    term.STEP,
    exhibits.STEP,
]


def draw(step: Step) -> None:
    """Draw ``step`` for the open draft (or a pointer to the Agreements page)."""
    draft = current()
    if draft is None:
        nothing_open()
        return
    step_header(draft, step.title, STEPS.index(step) + 1, len(STEPS) + 1)  # + Review
    undo_offer(draft)
    forget_shown()
    step.body(draft)
    clear_focus(draft)  # the step has opened what it asked for
    step_footer(draft, step.slug, step_problems(draft, step), shown_places())


def step_problems(draft: Draft, step: Step) -> list[tuple[str, str]]:
    """Validation problems in the fields this step edits, as ``(path, message)``."""
    return [
        (path, message)
        for path, found in draft.problems_by_path().items()
        for message in found
        if step_of(path) is step
    ]


def step_of(path: str) -> Step:
    """The step that edits the field at JSON ``path`` (Basics for the document itself)."""
    top = path.removeprefix("$.").split(".")[0].split("[")[0]
    return next((s for s in STEPS if top in s.sections), STEPS[0])

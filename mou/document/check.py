"""Check a Word template against the context the model provides.

Two passes: docxtpl's static list of top-level variables the template uses that
the context lacks, then a render of a complete sample agreement (and a bare
preset) under the ``Undefined`` every render uses, which records each missing name
the template uses, so that a misspelt ``p.legl_name`` inside a loop is caught as
well as a misspelt ``partys``. Export renders the same way and refuses a
signature-ready document that used a missing name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..data import SAMPLE_AGREEMENT
from ..errors import MouError
from ..model import Agreement
from ..presets import preset
from ..validate import load_bytes, validate_data
from .context import build_context
from .provenance import PENDING
from .render import render_recording
from .template import jinja_environment, opened_template, template_bytes, unbalanced_tags, usages

SAMPLE = SAMPLE_AGREEMENT


def sample_agreements() -> list[Agreement]:
    """A sample with every section filled in, and a bare preset of another type."""
    full = load_bytes(SAMPLE.read_bytes(), str(SAMPLE), "sample-every-section")
    bare = validate_data(preset("mutual_aid", "sample-bare", "Bare preset"), "preset")
    return [full, bare]


def _contexts() -> list[dict[str, Any]]:

    return [
        build_context(agreement, "0" * 40, draft, PENDING)
        for agreement in sample_agreements()
        for draft in (True, False)
    ]


def template_problems(path: Path) -> list[str]:
    """One line per variable or attribute ``path`` uses that the context does not provide."""
    from jinja2 import TemplateSyntaxError

    data = template_bytes(path)
    try:
        unbalanced = unbalanced_tags(data)
    except MouError as err:
        return [f"{path}: {err.message}"]
    if unbalanced:
        return [f"{path}: {problem}" for problem in unbalanced]
    contexts = _contexts()
    try:
        names = sorted(_undeclared(data, contexts[0]))
        missing = dict.fromkeys(names)
        for context in contexts:
            missing |= dict.fromkeys(_missing_attributes(data, context))
    except TemplateSyntaxError as err:
        return [f"{path}: template syntax error near line {err.lineno}: {err.message}"]
    except MouError as err:  # damaged, not a .docx, or fails mid-render (``{{ 1/0 }}``)
        return [f"{path}: {err.message}"]
    return [f"{path}: {usage} is not provided by the model" for usage in usages(data, missing)]


def _undeclared(data: bytes, context: dict[str, Any]) -> set[str]:
    template = opened_template(data)
    return template.get_undeclared_template_variables(jinja_environment(), context)


def _missing_attributes(data: bytes, context: dict[str, Any]) -> list[str]:
    """The names a render with ``context`` uses that it lacks (the render export does)."""
    return render_recording(data, context, "template check")[1]

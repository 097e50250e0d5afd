"""Check a Word template: that it stays inside the sandbox, and uses only what the model provides.

First the tags are read for anything outside the template allow-list
(:mod:`mou.document.sandbox`): such a template is reported and never rendered. Then two
passes: docxtpl's static list of top-level variables the template uses that
the context lacks, then a render of a complete sample agreement (and a bare
preset) under the ``Undefined`` every render uses, which records each missing name
the template uses, so that a misspelt ``p.legl_name`` inside a loop is caught as
well as a misspelt ``partys``. Export renders the same way and refuses a
signature-ready document that used a missing name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import MouError
from .context import sample_contexts
from .render import render_recording
from .template import (
    forbidden_tags,
    jinja_environment,
    opened_template,
    template_bytes,
    template_sources,
    unbalanced_tags,
    usages,
)


def template_problems(path: Path) -> list[str]:
    """One line per tag ``path`` may not hold (attribute, call or filter outside the
    allow-list), else one per variable or attribute it uses that the context lacks."""
    from jinja2 import TemplateSyntaxError

    data = template_bytes(path)
    try:
        unbalanced = unbalanced_tags(data)
        forbidden = [] if unbalanced else forbidden_tags(data)
    except MouError as err:  # no .docx, a zip bomb, a tag that is no valid syntax
        return [f"{path}: {err.message}"]
    if unbalanced or forbidden:
        return [f"{path}: {problem}" for problem in [*unbalanced, *map(str, forbidden)]]
    contexts = sample_contexts()
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
    names = template.get_undeclared_template_variables(jinja_environment(), context)
    return names - _macros(data)


def _macros(data: bytes) -> set[str]:
    """The names of the template's own macros. Jinja's static reading counts a macro
    defined inside ``{% if %}`` (the title block is one) as undeclared where it is used."""
    from jinja2 import nodes

    env = jinja_environment()
    trees = [env.parse(source) for source in template_sources(data)]
    return {macro.name for tree in trees for macro in tree.find_all(nodes.Macro)}


def _missing_attributes(data: bytes, context: dict[str, Any]) -> list[str]:
    """The names a render with ``context`` uses that it lacks (the render export does)."""
    return render_recording(data, context, "template check")[1]

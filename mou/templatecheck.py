"""Check a Word template against the context the model provides.

Two passes: docxtpl's static list of top-level variables the template uses that
the context lacks, then a render of a complete sample agreement (and a bare
preset) under an ``Undefined`` that records every missing attribute, so that a
misspelt ``p.legl_name`` inside a loop is caught as well as a misspelt ``partys``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from .errors import MouError
from .model import Agreement

SAMPLE = Path(__file__).resolve().parent / "data" / "sample.yaml"


def sample_agreements() -> list[Agreement]:
    """A sample with every section filled in, and a bare preset of another type."""
    from .presets import preset
    from .validate import load_bytes, validate_data

    full = load_bytes(SAMPLE.read_bytes(), str(SAMPLE), "sample-every-section")
    bare = validate_data(preset("mutual_aid", "sample-bare", "Bare preset"), "preset")
    return [full, bare]


def _contexts() -> list[dict[str, Any]]:
    from .context import build_context
    from .render import PENDING

    return [
        build_context(agreement, "0" * 40, draft, PENDING)
        for agreement in sample_agreements()
        for draft in (True, False)
    ]


def template_problems(path: Path) -> list[str]:
    """One line per variable or attribute ``path`` uses that the context does not provide."""
    from jinja2 import TemplateSyntaxError

    from .render import template_bytes

    data = template_bytes(path)
    contexts = _contexts()
    try:
        names = sorted(_undeclared(data, contexts[0]))
        missing = {name: None for name in names}
        for context in contexts:
            missing |= dict.fromkeys(_missing_attributes(data, context))
    except TemplateSyntaxError as err:
        return [f"{path}: template syntax error near line {err.lineno}: {err.message}"]
    source = _template_text(data)
    return [f"{path}: {_usage(name, source)} is not provided by the model" for name in missing]


def _undeclared(data: bytes, context: dict[str, Any]) -> set[str]:
    from docxtpl import DocxTemplate

    from .render import jinja_environment

    template = DocxTemplate(io.BytesIO(data))
    return template.get_undeclared_template_variables(jinja_environment(), context)


def _missing_attributes(data: bytes, context: dict[str, Any]) -> list[str]:
    from docxtpl import DocxTemplate
    from jinja2 import Undefined

    from .render import _finalize

    seen: list[str] = []

    class Recording(Undefined):
        """An Undefined that notes its name and otherwise behaves like an empty value."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self._undefined_name is not None and self._undefined_name not in seen:
                seen.append(str(self._undefined_name))

    from jinja2 import Environment

    environment = Environment(autoescape=True, finalize=_finalize, undefined=Recording)
    template = DocxTemplate(io.BytesIO(data))
    template.render(context, environment, autoescape=True)
    return seen


def _template_text(data: bytes) -> str:
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(data))
    template.init_docx()
    return re.sub(r"<[^>]+>", "", template.patch_xml(template.get_xml()))


def _usage(name: str, source: str) -> str:
    """The expression that uses ``name`` (``p.legl_name``), quoted, or just the name."""
    found = re.search(rf"[A-Za-z_][\w.]*\.{re.escape(name)}\b", source)
    return f"'{found.group(0)}'" if found else f"'{name}'"


def require_template(path: Path) -> Path:
    """``path`` if it is a file; otherwise a one-line MouError."""
    if not path.is_file():
        raise MouError(f"{path}: no such template")
    return path

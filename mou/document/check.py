"""Check a Word template against the context the model provides.

Two passes: docxtpl's static list of top-level variables the template uses that
the context lacks, then a render of a complete sample agreement (and a bare
preset) under the ``Undefined`` every render uses, which records each missing name
the template uses, so that a misspelt ``p.legl_name`` inside a loop is caught as
well as a misspelt ``partys``. Export renders the same way and refuses a
signature-ready document that used a missing name.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..data import SAMPLE_AGREEMENT
from ..errors import MouError
from ..model import Agreement

SAMPLE = SAMPLE_AGREEMENT


def sample_agreements() -> list[Agreement]:
    """A sample with every section filled in, and a bare preset of another type."""
    from ..presets import preset
    from ..validate import load_bytes, validate_data

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
    from .render import jinja_environment

    template = _opened(data)
    return template.get_undeclared_template_variables(jinja_environment(), context)


def _opened(data: bytes) -> Any:
    """The template as a DocxTemplate with its parts read; a MouError if it is no .docx."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    from lxml import etree

    template = DocxTemplate(io.BytesIO(data))
    try:
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, PackageNotFoundError, etree.XMLSyntaxError) as err:
        raise MouError(f"not a Word document (.docx): {err}") from None
    return template


def _missing_attributes(data: bytes, context: dict[str, Any]) -> list[str]:
    """The names a render with ``context`` uses that it lacks (the render export does)."""
    from .render import render_recording

    return render_recording(data, context, "template check")[1]


@lru_cache(maxsize=8)
def unbalanced_tags(data: bytes) -> tuple[str, ...]:
    """Tags opened and not closed (``{{ doc.title }``): the text up to the next closing
    would vanish from the document without an error."""
    # The raw XML, not docxtpl's patched one: its clean-up drops the broken tag too.
    text = _visible(_opened(data).get_xml())
    problems = []
    for opening, closing in (("{{", "}}"), ("{%", "%}")):
        opened, closed = text.count(opening), text.count(closing)
        if opened != closed:
            problems.append(
                f"{opened} '{opening}' but {closed} '{closing}': a tag is not closed "
                "(or closed twice), so text after it would vanish"
            )
    return tuple(problems)


def usages(data: bytes, names: Iterable[str]) -> list[str]:
    """Each name as the template writes it, quoted: ``'p.legl_name'``, else ``'partys'``."""
    source = _template_text(data)
    return [_usage(name, source) for name in names]


def _template_text(data: bytes) -> str:
    template = _opened(data)
    return _visible(template.patch_xml(template.get_xml()))


def _visible(xml: str) -> str:
    """The text of a part's XML, its tags dropped (runs split inside a tag join up again)."""
    return re.sub(r"<[^>]+>", "", xml)


def _usage(name: str, source: str) -> str:
    """The expression that uses ``name`` (``p.legl_name``), quoted, or just the name."""
    found = re.search(rf"[A-Za-z_][\w.]*\.{re.escape(name)}\b", source)
    return f"'{found.group(0)}'" if found else f"'{name}'"


def require_template(path: Path) -> Path:
    """``path`` if it is a file; otherwise a one-line MouError."""
    if not path.is_file():
        raise MouError(f"{path}: no such template")
    return path

"""The Word template: which one a workspace renders with, its bytes, and the Jinja environment.

Which template applies is a decision of this layer, never of a front end, so the CLI,
the wizard's Export and Preview and the redline cannot disagree: :func:`template_for`.
Tag checks that read the template's own text (a tag left open, how a name is written,
a tag outside the sandbox's allow-list) live here too, since rendering and
``mou templates check`` both need them.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..data import PACKAGED_TEMPLATE
from ..errors import MouError
from . import context, ooxml, sandbox
from .context import context_fields
from .sandbox import ALLOWED_FILTERS, Forbidden, forbidden_uses, strict_sandbox

TEMPLATE_NAME = "mou.docx"
MATRIX_CAPTION = "mou-responsibility-matrix"
# The names a render used that the context lacks; a list only while a render records them.
UNKNOWN_USES: ContextVar[list[str] | None] = ContextVar("mou_unknown_uses", default=None)


def template_for(workspace_root: Path | None, explicit: Path | None = None) -> Path:
    """The template to render with: ``explicit`` (--template), else the workspace's
    ``templates/mou.docx``, else the packaged one; MouError for a missing ``explicit``."""
    if explicit is not None:
        return require_template(explicit)
    if workspace_root is not None:
        own = Path(workspace_root) / "templates" / TEMPLATE_NAME
        if own.is_file():
            return own
    return PACKAGED_TEMPLATE


def require_template(path: Path) -> Path:
    """``path`` if it is a file; otherwise a one-line MouError."""
    if not path.is_file():
        raise MouError(f"{path}: no such template")
    return path


@lru_cache(maxsize=8)
def _template_bytes(path: str, mtime_ns: int) -> bytes:
    del mtime_ns  # part of the cache key only: an edited template is read again
    return Path(path).read_bytes()


def template_bytes(template: Path | None = None) -> bytes:
    """The bytes of ``template`` (default: the packaged master), cached until it changes."""
    path = template or PACKAGED_TEMPLATE
    try:
        if path.stat().st_size > ooxml.MAX_TOTAL_BYTES:
            return ooxml.read_docx(path)  # refused, in the same words as a returned copy
        return _template_bytes(str(path), path.stat().st_mtime_ns)
    except OSError as err:
        raise MouError(f"{path}: template not found ({err.strerror or err})") from None


def _finalize(value: Any) -> Any:
    from markupsafe import Markup, escape

    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    # Braces as character references: docxtpl turns a rendered "{_{" into "{{".
    escaped = str(escape(str(value)))
    return Markup(escaped.replace("{", "&#123;").replace("}", "&#125;"))


@lru_cache(maxsize=1)
def jinja_environment() -> Any:
    """The Jinja environment every render uses: the strict sandbox (a template reads the
    context and nothing else), autoescaping, brace-safe output, no globals, only the
    allowed filters, and a cache of compiled templates (compiling a template's XML is
    half the cost of a render; a compiled template is immutable, so sharing is safe)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class CachingEnvironment(strict_sandbox(ImmutableSandboxedEnvironment)):  # type: ignore[misc]
        @lru_cache(maxsize=64)  # noqa: B019 - one environment per process, kept for its life
        def from_string(self, source: str, *args: Any, **kwargs: Any) -> Any:
            return super().from_string(source, *args, **kwargs)

    env = CachingEnvironment(autoescape=True, finalize=_finalize, undefined=recording_undefined())
    env.globals.clear()  # range, cycler, joiner, lipsum, namespace, dict: none is the context
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    return env


@lru_cache(maxsize=1)
def recording_undefined() -> type:
    """An Undefined that notes its name whenever the template uses it, then acts empty.

    Used, not merely created: ``{% if x is defined %}`` is not a use. Chainable, so a
    misspelt ``art.purpos.no`` is one name noted rather than an error mid-render.
    """
    from jinja2 import ChainableUndefined

    class RecordingUndefined(ChainableUndefined):
        def _note(self) -> None:
            uses, name = UNKNOWN_USES.get(), self._undefined_name
            if uses is not None and name is not None and str(name) not in uses:
                uses.append(str(name))

        def __str__(self) -> str:
            self._note()
            return ""

        def __bool__(self) -> bool:
            self._note()
            return False

        def __iter__(self) -> Any:
            self._note()
            return iter(())

        def __len__(self) -> int:
            self._note()
            return 0

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            self._note()
            return self

        def __getitem__(self, key: Any) -> Any:
            self._note()
            return self

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            self._note()
            return self

    return RecordingUndefined


@lru_cache(maxsize=8)
def unbalanced_tags(data: bytes) -> tuple[str, ...]:
    """Tags opened and not closed (``{{ doc.title }``): the text up to the next closing
    would vanish from the document without an error."""
    # The raw XML, not docxtpl's patched one: its clean-up drops the broken tag too.
    text = _visible(opened_template(data).get_xml())
    problems = []
    for opening, closing in (("{{", "}}"), ("{%", "%}")):
        opened, closed = text.count(opening), text.count(closing)
        if opened != closed:
            problems.append(
                f"{opened} '{opening}' but {closed} '{closing}': a tag is not closed "
                "(or closed twice), so text after it would vanish"
            )
    return tuple(problems)


@lru_cache(maxsize=8)
def forbidden_tags(data: bytes) -> tuple[Forbidden, ...]:
    """Every tag of the template that steps outside the sandbox's allow-list (read, not
    run); a MouError naming the tag when a part is no valid template text."""
    return tuple(forbidden_uses(template_sources(data), context_fields()))


def refuse_forbidden(path: Path, source: bytes) -> None:
    """Refuse, in one line, a template with a tag outside the sandbox's allow-list: for
    every export, draft or not, since it is not a blank in a document but code that
    someone meant to run."""
    forbidden = forbidden_tags(source)
    if forbidden:
        more = f" (and {len(forbidden) - 1} more such tag(s))" if len(forbidden) > 1 else ""
        raise MouError(
            f"{path}: {forbidden[0]}{more}; the template is refused "
            f"(see `mou templates check {path}`)"
        )


CHECKED_FOLDER = "mou/templates-checked"  # under the user's cache folder


def checked_before(source: bytes) -> bool:
    """Whether this very template passed :func:`unbalanced_tags` and :func:`forbidden_tags`
    with nothing to report, by this very checking code, in an earlier process.

    Checking costs a tenth of a second or more (the template's XML is read and its tags
    parsed), which every export, preview and redline paid again. Only a clean result is
    remembered, as an empty marker file named by the hashes of the template and of the
    checking code, so a problem is always found and worded afresh. A forged marker only
    skips the early, explicit refusal: the sandbox still refuses at render time.
    """
    marker = _checked_marker(source)
    return marker is not None and marker.is_file()


def remember_checked(source: bytes) -> None:
    """Note that ``source`` passed both checks cleanly; a cache that cannot be written is
    skipped (the checks then simply run again next time)."""
    marker = _checked_marker(source)
    if marker is None or unbalanced_tags(source) or forbidden_tags(source):
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass


def _checked_marker(source: bytes) -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None  # no home folder to keep it in (or a relative setting): no cache
    key = hashlib.sha256(_checker_version() + hashlib.sha256(source).digest()).hexdigest()
    return Path(base) / CHECKED_FOLDER / key


@lru_cache(maxsize=1)
def _checker_version() -> bytes:
    """What the checks' verdict depends on besides the template: the checking code (this
    module, the sandbox and the context that names the fields) and Jinja's version."""
    from jinja2 import __version__ as jinja_version

    digest = hashlib.sha256(jinja_version.encode())
    for module in (__file__, sandbox.__file__, context.__file__):
        digest.update(Path(module).read_bytes())
    return digest.digest()


def template_sources(data: bytes) -> list[str]:
    """The Jinja text of every part docxtpl renders: body, headers, footers, footnotes
    (each as docxtpl patches it) and the core properties it renders too."""
    template = opened_template(data)
    sources = [patch_xml(template.get_xml())]
    for relationship in template.docx.part.rels.values():
        if relationship.reltype in (template.HEADER_URI, template.FOOTER_URI):
            sources.append(patch_xml(template.get_part_xml(relationship.target_part)))
    for part in template.docx.part.package.parts:
        if part.content_type.endswith("wordprocessingml.footnotes+xml"):
            sources.append(patch_xml(part.blob.decode("utf-8")))
    properties = template.docx.core_properties
    for name in ("author", "comments", "identifier", "language", "subject", "title"):
        sources.append(getattr(properties, name) or "")
    return sources


def usages(data: bytes, names: Iterable[str]) -> list[str]:
    """Each name as the template writes it, quoted: ``'p.legl_name'``, else ``'partys'``."""
    source = _template_text(data)
    return [_usage(name, source) for name in names]


@lru_cache(maxsize=4)
def opened_template(data: bytes) -> Any:
    """The template as a DocxTemplate with its parts read; a MouError if it is no .docx.

    Shared by the checks that read it (never rendered: a render takes a fresh one)."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    from lxml import etree

    # python-docx inflates parts without bound: it reads them from a repacked copy.
    template = DocxTemplate(io.BytesIO(ooxml.repacked(data)))
    try:
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, PackageNotFoundError, etree.XMLSyntaxError) as err:
        raise MouError(f"not a Word document (.docx): {err}") from None
    return template


def _template_text(data: bytes) -> str:
    return _visible(patch_xml(opened_template(data).get_xml()))


@lru_cache(maxsize=64)
def patch_xml(xml: str) -> str:
    """docxtpl's clean-up of a part's XML (dozens of regexes), cached per XML text."""
    return _patcher().patch_xml(xml)


@lru_cache(maxsize=1)
def _patcher() -> Any:
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO())


def _visible(xml: str) -> str:
    """The text of a part's XML, its tags dropped (runs split inside a tag join up again)."""
    return re.sub(r"<[^>]+>", "", xml)


def _usage(name: str, source: str) -> str:
    """The expression that uses ``name`` (``p.legl_name``), quoted, or just the name."""
    found = re.search(rf"[A-Za-z_][\w.]*\.{re.escape(name)}\b", source)
    return f"'{found.group(0)}'" if found else f"'{name}'"


@contextmanager
def naming_the_template(path: Path) -> Iterator[None]:
    """A fault of the template (not a .docx, fails mid-render) says which template."""
    try:
        yield
    except MouError as err:
        if err.message.startswith(f"{path}:"):
            raise
        raise MouError(f"{path}: {err.message}") from None


def usable_template(path: Path) -> Path:
    """``path`` if it opens as a Word template and stays inside the sandbox; else the one
    line a render would give."""
    with naming_the_template(path):
        data = template_bytes(path)
        opened_template(data)
        refuse_forbidden(path, data)
    return path

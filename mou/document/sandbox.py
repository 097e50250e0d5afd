"""Templates are untrusted code: what a template may do, enforced twice.

A template may come from anyone who can push to the workspace's repository, and every
liaison renders it. So it may only *read* the context: the fields the model provides
(``doc.title``, ``r.party``), the values of a loop (``loop.index``, ``loop.last``, …),
the filters in :data:`ALLOWED_FILTERS`, and macros it defines itself. Nothing else:
no Python attribute or method (``__init__``, ``upper``), no call, no other template.

Two guards, one rule:

* :func:`forbidden_uses` reads a template's tags before anything renders and names
  each tag that steps outside the allow-list (``mou templates check`` lists them;
  export refuses the template in one line, a draft too).
* :func:`strict_sandbox` is the environment every render uses: Jinja's immutable
  sandbox, narrowed to the same rule, so that whatever the reading misses still
  cannot run (a ``SecurityError`` ends the render).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import MouError

# The filters a template may use: they format values and reach nothing else.
ALLOWED_FILTERS = frozenset(
    {
        "capitalize",
        "center",
        "count",
        "d",
        "default",
        "e",
        "escape",
        "first",
        "int",
        "join",
        "last",
        "length",
        "lower",
        "replace",
        "round",
        "string",
        "title",
        "trim",
        "truncate",
        "upper",
        "wordcount",
    }
)
# What ``loop`` offers inside ``{% for %}`` (its methods ``cycle`` and ``changed`` are calls).
LOOP_ATTRIBUTES = frozenset(
    {
        "index",
        "index0",
        "revindex",
        "revindex0",
        "first",
        "last",
        "length",
        "depth",
        "depth0",
        "previtem",
        "nextitem",
    }
)
# Bounds for ``*`` and ``**``: ``{{ 'x' * 10**10 }}`` must not exhaust memory.
MAX_REPEAT = 1_000_000
MAX_POWER_BITS = 10_000
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def strict_sandbox(base: type) -> type:
    """A subclass of ``base`` (an ImmutableSandboxedEnvironment) that only reads the
    context: mapping keys, loop values, sequence items; it calls only the template's
    own macros, and bounds repetition. Anything else raises ``SecurityError``."""
    from jinja2.runtime import LoopContext, Macro, Undefined
    from jinja2.sandbox import SecurityError

    class StrictSandbox(base):  # type: ignore[valid-type, misc]
        intercepted_binops = frozenset({"*", "**"})

        def getattr(self, obj: Any, attribute: str) -> Any:
            _refuse_private(attribute, SecurityError)
            if isinstance(obj, Undefined):
                return getattr(obj, attribute)  # the Undefined notes the missing name
            if isinstance(obj, Mapping):
                return _key_or_undefined(self, obj, attribute)
            if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
                return getattr(obj, attribute)
            raise SecurityError(f"a template may not read {attribute!r} of a {_kind(obj)}")

        def getitem(self, obj: Any, argument: Any) -> Any:
            if isinstance(argument, str):
                _refuse_private(argument, SecurityError)
            if isinstance(obj, Undefined):
                return obj[argument]
            if isinstance(obj, Mapping | Sequence):
                return _key_or_undefined(self, obj, argument)
            raise SecurityError(f"a template may not index a {_kind(obj)}")

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(__obj, Macro | Undefined):
                raise SecurityError(f"a template may not call {_kind(__obj)} objects")
            return __context.call(__obj, *args, **kwargs)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _refuse_huge(operator, left, right, SecurityError)
            return super().call_binop(context, operator, left, right)

    return StrictSandbox


def _refuse_private(name: str, error: type[Exception]) -> None:
    if name.startswith("_"):
        raise error(f"a template may not read {name!r}: it reaches into Python internals")


def _key_or_undefined(env: Any, obj: Any, key: Any) -> Any:
    try:
        return obj[key]
    except (TypeError, LookupError):
        return env.undefined(obj=obj, name=key)


def _kind(obj: Any) -> str:
    return type(obj).__name__


def _refuse_huge(operator: str, left: Any, right: Any, error: type[Exception]) -> None:
    """``**`` giving a number of over MAX_POWER_BITS bits, ``*`` making a sequence of over
    MAX_REPEAT items."""
    if operator == "**" and _power_bits(left, right) > MAX_POWER_BITS:
        raise error(f"a template may not compute a number of over {MAX_POWER_BITS} bits")
    if operator == "*" and _repeated_length(left, right) > MAX_REPEAT:
        raise error(f"a template may not repeat text more than {MAX_REPEAT} times")


def _power_bits(base: Any, exponent: Any) -> int:
    """About how many bits ``base ** exponent`` takes (0 unless both are integers)."""
    if isinstance(base, int) and isinstance(exponent, int):
        return exponent * max(abs(base), 2).bit_length()
    return 0


def _repeated_length(left: Any, right: Any) -> int:
    """The length of ``left * right`` when it repeats a sequence (0 otherwise)."""
    sized, times = (left, right) if isinstance(right, int) else (right, left)
    if isinstance(sized, str | list | tuple) and isinstance(times, int):
        return len(sized) * times
    return 0


# --------------------------------------------------------------------------- reading tags


@dataclass(frozen=True)
class Forbidden:
    """One tag that steps outside the allow-list, and every way it does."""

    tag: str
    uses: tuple[str, ...]

    def __str__(self) -> str:
        return f"the tag '{self.tag}' uses what no template may: {', '.join(self.uses)}"


def forbidden_uses(sources: list[str], fields: frozenset[str]) -> list[Forbidden]:
    """Each tag of the template ``sources`` (its parts' Jinja text) that steps outside
    the allow-list. ``fields`` are the names the context provides: ``r.count`` reads a
    field, ``doc.title.upper`` a Python method."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    parser = _parser(ImmutableSandboxedEnvironment)
    found: dict[str, list[str]] = {}
    for source in sources:
        # Only the tags, one per line: the text between them is data, and parsing the
        # whole part's XML would cost more than reading what can run.
        tags = [" ".join(tag.split()) for tag in _TAG.findall(source)]
        for line, use in _uses(_parsed(parser, tags), fields):
            tag = tags[line - 1] if 0 < line <= len(tags) else f"line {line}"
            found.setdefault(tag, [])
            if use not in found[tag]:
                found[tag].append(use)
    # Nodes come outermost first; reversed, a chain reads in the order it is written.
    return [Forbidden(tag, tuple(reversed(uses))) for tag, uses in found.items()]


@lru_cache(maxsize=1)
def _parser(base: type) -> Any:
    return base()


def _parsed(parser: Any, tags: list[str]) -> Any:
    """The tags parsed as one template; a syntax error is a MouError naming its tag."""
    from jinja2 import TemplateSyntaxError

    try:
        return parser.parse("\n".join(tags))
    except TemplateSyntaxError as err:
        line = err.lineno or 0
        where = f"the tag '{tags[line - 1]}'" if 0 < line <= len(tags) else f"tag {line}"
        raise MouError(f"template syntax error in {where}: {err.message}") from None


def _uses(tree: Any, fields: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(line, what) for every attribute, call, filter or statement outside the allow-list."""
    from jinja2 import nodes

    macros = {m.name for m in tree.find_all(nodes.Macro)} | {"caller"}
    for node in tree.find_all(nodes.Node):
        problem = _problem(node, fields, macros)
        if problem:
            yield node.lineno, problem


def _problem(node: Any, fields: frozenset[str], macros: set[str]) -> str | None:
    from jinja2 import nodes

    if isinstance(node, nodes.Getattr):
        return _attribute_problem(node, fields)
    if isinstance(node, nodes.Getitem):
        key = node.arg.value if isinstance(node.arg, nodes.Const) else None
        return f"the key {key!r}" if isinstance(key, str) and key.startswith("_") else None
    if isinstance(node, nodes.Call):
        callee = _callee(node.node)
        return None if callee in macros else f"a call of {callee}()"
    if isinstance(node, nodes.Filter):
        return None if node.name in ALLOWED_FILTERS else f"the filter '{node.name}'"
    if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
        return "another template (include, import, extends)"
    if isinstance(node, nodes.EvalContextModifier) and not _escaping(node):
        return "autoescape switched off (typed text would be read as Word XML)"
    return None


def _escaping(node: Any) -> bool:
    """Whether an ``{% autoescape %}`` block keeps escaping on."""
    from jinja2 import nodes

    values = [k.value for k in node.options if k.key == "autoescape"]
    return all(isinstance(v, nodes.Const) and v.value is True for v in values)


def _attribute_problem(node: Any, fields: frozenset[str]) -> str | None:
    from jinja2 import nodes

    name = node.attr
    if name.startswith("_"):
        return f"the attribute '{name}'"
    if isinstance(node.node, nodes.Name) and node.node.name == "loop":
        return None if name in LOOP_ATTRIBUTES else f"the attribute 'loop.{name}'"
    if name in _python_names() and name not in fields:
        return f"the Python attribute '{name}'"
    return None  # a field, or a misspelt one (`mou templates check` names those)


def _callee(node: Any) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"…{node.attr}"
    return "an expression"


@lru_cache(maxsize=1)
def _python_names() -> frozenset[str]:
    """Public attributes of the objects a render handles: a template reading one of them
    reads Python, not the agreement."""
    from jinja2.runtime import LoopContext, Macro, TemplateReference, Undefined
    from markupsafe import Markup

    kinds: tuple[type, ...] = (str, bytes, dict, list, tuple, int, float, bool, Markup)
    kinds += (LoopContext, Macro, TemplateReference, Undefined)
    return frozenset(name for kind in kinds for name in dir(kind) if not name.startswith("_"))

"""mou: draft, version, review and export interagency memoranda of understanding.

Layers, each a module: ``model`` (pydantic models) → ``yamlio`` (canonical YAML)
→ ``schema`` and ``validate`` (one report of every problem) → ``store`` (git)
→ ``rules``, ``render``, ``diff``, ``redline``; ``cli`` and ``ui`` sit on top.
Importing the package imports none of them, so ``mou --help`` stays fast.
"""

__version__ = "0.1.0"


def _skip_slow_format_checker() -> None:
    # jsonschema imports every optional format checker it finds; rfc3987-syntax (pulled in
    # by the format-nongpl extra) builds an Earley parser at import: 1-2 s added to every
    # command that validates, for IRI formats our schema never uses ("date" and "email"
    # are what it checks). A None entry makes that import fail, which jsonschema allows.
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


_skip_slow_format_checker()

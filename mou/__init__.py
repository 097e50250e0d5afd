"""mou: draft, version, review and export interagency memoranda of understanding.

Layers, each a module: ``model`` (pydantic models) → ``yamlio`` (canonical YAML)
→ ``schema`` and ``validate`` (one report of every problem) → ``store`` (git)
→ ``rules``, ``render``, ``diff``, ``redline``; ``cli`` and ``ui`` sit on top.
Importing the package imports none of them, so ``mou --help`` stays fast.
"""

__version__ = "0.1.0"

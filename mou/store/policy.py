"""The repository's own rules for commits, applied to every save.

A save builds its commit from objects rather than through ``git commit``, so the rules
git's porcelain applies on its own are applied here, each explicitly:

* ``commit.gpgsign``: the commit is signed (``git commit-tree -S``, with the key and
  format git is configured with); a signature that cannot be made refuses the save.
* The ``pre-commit`` hook runs with ``GIT_INDEX_FILE`` naming a temporary index that
  holds exactly the tree being committed, and the ``commit-msg`` hook with a file
  holding the message (which it may rewrite, as with git). Either refusing refuses the
  save. Both are found as git finds them (``core.hooksPath`` included) and get
  :func:`hook_timeout` seconds each: a hook still running then is stopped with its
  children and the save refused. ``prepare-commit-msg`` is not run (it prepares a message
  for an editor, and a save has its message already), nor ``post-commit``.
* A ``filter`` attribute (git-crypt, Git LFS) on the agreement's path refuses the save:
  mou reads and writes agreements as plain YAML blobs and cannot apply the filter.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import MouError
from .git import GitFailed, GitTimeout, Repository, run_in_group

HOOK_TIMEOUT_S = 30.0
HOOK_TIMEOUT_ENV = "MOU_HOOK_TIMEOUT"
_HOOKS = ("pre-commit", "commit-msg")
_NO_FILTER = ("unspecified", "unset", "set")


@dataclass(frozen=True)
class Policy:
    """What the repository asks of a commit: a signature, and which hooks exist."""

    sign: bool
    hooks: frozenset[str]


def read_policy(repo: Repository) -> Policy:
    """The signing setting and the runnable commit hooks of ``repo``."""
    try:
        sign = repo.run("config", "--type=bool", "--default=false", "commit.gpgsign") == "true"
    except GitFailed as err:
        raise MouError(f"{repo.root}: commit.gpgsign: {err.message}") from None
    asks = [arg for name in _HOOKS for arg in ("--git-path", f"hooks/{name}")]
    where = repo.run("rev-parse", *asks)
    found = {
        name
        for name, path in zip(_HOOKS, where.splitlines(), strict=True)
        if os.access(repo.root / path, os.X_OK)
    }
    return Policy(sign, frozenset(found))


def refuse_filtered(repo: Repository, path: str) -> None:
    """MouError when ``.gitattributes`` gives ``path`` a filter (git-crypt, LFS)."""
    out = repo.run("check-attr", "-z", "filter", "--", path, strip=False)
    value = out.split("\0")[2] if out.count("\0") >= 3 else "unspecified"
    if value not in _NO_FILTER:
        raise MouError(
            f"{path}: .gitattributes gives it filter={value}, which mou cannot apply "
            "(it stores agreements as plain YAML); not saved. Remove the filter "
            "attribute for agreements/ to save here"
        )


def hook_timeout() -> float:
    """Seconds a hook may run: ``MOU_HOOK_TIMEOUT``, else :data:`HOOK_TIMEOUT_S`."""
    text = os.environ.get(HOOK_TIMEOUT_ENV, "")
    try:
        value = float(text)
    except ValueError:
        return HOOK_TIMEOUT_S
    return value if value > 0 else HOOK_TIMEOUT_S


def run_pre_commit(repo: Repository, policy: Policy, tree: str, env: dict[str, str]) -> None:
    """Run the pre-commit hook on an index holding exactly ``tree``; MouError if it refuses."""
    if "pre-commit" not in policy.hooks:
        return
    with _scratch(repo.git_dir / "mou-hook-index") as index:
        hook_env = {**env, "GIT_INDEX_FILE": str(index)}
        repo.run("read-tree", tree, env=hook_env)
        _run_hook(repo, "pre-commit", [], hook_env)


def run_commit_msg(repo: Repository, policy: Policy, message: str, env: dict[str, str]) -> str:
    """The message after the commit-msg hook (which may rewrite it); MouError if it refuses."""
    if "commit-msg" not in policy.hooks:
        return message
    with _scratch(repo.git_dir / "MOU_COMMIT_EDITMSG") as file:
        file.write_text(message if message.endswith("\n") else message + "\n", encoding="utf-8")
        _run_hook(repo, "commit-msg", [str(file)], env)
        return file.read_text(encoding="utf-8", errors="replace").rstrip("\n")


@contextmanager
def _scratch(path: Path) -> Iterator[Path]:
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _run_hook(repo: Repository, name: str, args: list[str], env: dict[str, str]) -> None:
    """Run hook ``name`` as git would, bounded in time; MouError if it fails or hangs."""
    limit = hook_timeout()
    command = ["hook", "run", "--ignore-missing", name, "--", *args]
    try:
        run_in_group(repo.root, command, env=env, timeout=limit)
    except GitTimeout:
        raise MouError(
            f"the {name} hook ran longer than {limit:g} s and was stopped; nothing saved "
            f"({HOOK_TIMEOUT_ENV} sets the limit)"
        ) from None
    except GitFailed as err:
        said = "".join(c if c >= " " and c != "\x7f" else "?" for c in err.message)
        raise MouError(f"the {name} hook refused the save: {said}") from None

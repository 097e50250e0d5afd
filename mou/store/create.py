"""Creating a workspace: a git repository with the folders and files mou expects.

Creation never writes over an existing file and commits through a private index,
so a folder that already holds work (staged or not) keeps it as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from ..data import TEMPLATES_DIR
from ..errors import MouError, UsageError
from ..fsutil import atomic_write
from ..ids import AGREEMENTS_FOLDER
from ..schema import SCHEMA_FILE, schema_text
from .git import GitFailed, prepared_ref_update, run_git, run_in_group
from .gitlocks import index_lock, release_own_lock
from .policy import hook_timeout, read_policy
from .workspace import COMMITTER, INDEX_SCRATCH, Workspace

WORKSPACE_README = """\
# Agreements workspace

This git repository holds interagency agreements managed with `mou`.

- `agreements/` holds one YAML file per agreement; its file name is the agreement id.
- `schemas/agreement.schema.json` lets editors check and complete the files.
- `templates/` holds the Word templates documents are rendered from; restyle them freely.

Save an edited agreement with
`mou save agreements/ID.yaml -m "what changed" --author "Name <email>"`:
each save is one commit, attributed to its author. `mou log ID` shows who
changed what and when; `mou list` shows every agreement.
"""

# Agreements merge field by field in plain `git merge`, `git pull` and `git rebase` too:
# the attribute names the driver, each clone's configuration says how to run it.
GITATTRIBUTES = f"{AGREEMENTS_FOLDER}/*.yaml merge=mou\n"
MERGE_DRIVER_NAME = "mou: agreements merged field by field"
MERGE_DRIVER = f"{shlex.quote(sys.executable)} -m mou merge-driver %O %A %B %P"


def init_workspace(root: Path) -> bool:
    """Make ``root`` a workspace; True if created, False if it already was one (unchanged)."""
    root = Path(root).resolve()
    if (root / ".git").exists() and (root / AGREEMENTS_FOLDER).is_dir():
        return False
    if root.exists() and not root.is_dir():
        raise MouError(f"{root}: exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        run_git(root, "init", "--quiet")
    files = _scaffold(root)
    with Workspace(root) as workspace:
        _commit_new_files(workspace, files)
    register_merge_driver(root)
    # Changed-path Bloom filters make `git log -- agreements/<id>.yaml` skip the commits
    # that did not touch the file; once written, git's later commit-graph writes (gc,
    # maintenance) keep them.
    with contextlib.suppress(MouError):  # an older git without Bloom filters is still fine
        run_git(root, "commit-graph", "write", "--reachable", "--changed-paths")
    return True


def _scaffold(root: Path) -> list[str]:
    """Write the workspace's starting files (never over existing ones); their paths."""
    wanted: dict[str, bytes] = {
        f"{AGREEMENTS_FOLDER}/.gitkeep": b"",
        "README.md": WORKSPACE_README.encode(),
        f"schemas/{SCHEMA_FILE}": schema_text().encode(),
        ".gitattributes": GITATTRIBUTES.encode(),
    }
    templates = TEMPLATES_DIR
    for template in sorted(templates.glob("*.docx")):
        wanted[f"templates/{template.name}"] = template.read_bytes()
    written = []
    for relative, data in wanted.items():
        target = root / relative
        if not target.exists():
            atomic_write(target, data)
            written.append(relative)
    return written


def _commit_new_files(workspace: Workspace, paths: list[str]) -> None:
    """One commit adding ``paths``, built in a private index so staged work is untouched.

    As with a save, the index takes the new files and then the branch moves, while mou
    holds git's index.lock and its lock on the branch, so a plain ``git commit`` meanwhile
    cannot drop them again; the commit is signed when ``commit.gpgsign`` asks for it.
    """
    root, repo = workspace.root, workspace.repo
    old = repo.tip()
    ref = repo.branch_ref()
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if old:
            run_git(root, "read-tree", old, env=env)
        run_git(root, "add", "--", *paths, env=env)
        tree = run_git(root, "write-tree", env=env)
    commit = _start_commit(workspace, tree, old)
    token = secrets.token_hex(16)
    with index_lock(repo.git_dir, token) as lock:
        index, staged = repo.git_dir / "index", repo.git_dir / INDEX_SCRATCH
        if index.exists():
            shutil.copy2(index, staged)  # its time too: git's racily-clean check reads it
        run_git(root, "add", "--", *paths, env={"GIT_INDEX_FILE": str(staged)})
        try:  # the index before the branch, as a save does it (Workspace._land says why)
            update = prepared_ref_update(
                root, ref, commit, old, timeout=hook_timeout(), message="mou init"
            )
            os.replace(staged, index)
            release_own_lock(lock, token)
            update.commit()
        except GitFailed as err:
            raise MouError(f"{root}: git update-ref: {err.message}") from None


def _start_commit(workspace: Workspace, tree: str, parent: str | None) -> str:
    """The workspace's first commit object, signed if the repository asks for signatures."""
    env = {"GIT_COMMITTER_NAME": COMMITTER[0], "GIT_COMMITTER_EMAIL": COMMITTER[1]}
    env |= {"GIT_AUTHOR_NAME": COMMITTER[0], "GIT_AUTHOR_EMAIL": COMMITTER[1]}
    args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-m", "Start a mou workspace"]
    if read_policy(workspace.repo).sign:
        args.append("-S")
    try:
        out = run_in_group(workspace.root, args, env=env, timeout=hook_timeout())
    except GitFailed as err:
        raise MouError(
            f"{workspace.root}: the first commit could not be made: {err.message}"
        ) from None
    return out.decode().strip()


def register_merge_driver(root: Path) -> None:
    """Register mou's merge driver in the repository's own configuration."""
    run_git(root, "config", "merge.mou.name", MERGE_DRIVER_NAME)
    run_git(root, "config", "merge.mou.driver", MERGE_DRIVER)


def clone_workspace(url: str, directory: Path) -> Path:
    """Clone the workspace at ``url`` into ``directory`` and register the merge driver."""
    if not url or url.startswith("-") or any(c in url for c in "\n\0"):
        raise UsageError(f"URL {url!r}: not a repository address")
    target = Path(directory).resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise MouError(f"{target}: exists and is not an empty folder; choose another")
    target.parent.mkdir(parents=True, exist_ok=True)
    run_git(target.parent, "clone", "--quiet", "--", url, str(target),
            env={"GIT_TERMINAL_PROMPT": "0"})  # fmt: skip
    register_merge_driver(target)
    return target

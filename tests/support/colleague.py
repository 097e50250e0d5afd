"""A colleague's plain `git commit`, started and held at a chosen moment of a mou write.

git reads HEAD, then the index (without taking its lock), and runs the fsmonitor hook right
after reading the index. The reference-transaction hook below starts the colleague's commit
when mou's branch update reaches the chosen phase, and returns once that commit has read
HEAD and the index; the fsmonitor hook then holds the commit until the test lets it go, so it
finishes with what it read, whatever mou did meanwhile.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.workspaces import git

PAUSING_FSMONITOR = r"""#!/bin/sh
touch "$MOU_TEST_PAUSE/read"
i=0
while [ ! -e "$MOU_TEST_PAUSE/go" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
exit 1
"""

# With MOU_TEST_REF set, only a transaction that touches that ref starts the colleague.
COLLEAGUE_IN_PHASE = r"""#!/bin/sh
[ -n "$MOU_TEST_PAUSE" ] && [ "$1" = "$MOU_TEST_PHASE" ] || exit 0
if [ -n "$MOU_TEST_REF" ]; then grep -q " $MOU_TEST_REF\$" || exit 0; fi
mkdir "$MOU_TEST_PAUSE/started" 2>/dev/null || exit 0
monitor="$MOU_TEST_PAUSE/fsmonitor"
(git -c core.fsmonitor="$monitor" commit -qm "plain note"; echo $? > "$MOU_TEST_PAUSE/done") \
  </dev/null >"$MOU_TEST_PAUSE/commit.log" 2>&1 &
i=0
while [ ! -e "$MOU_TEST_PAUSE/read" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
exit 0
"""


@dataclass(frozen=True)
class HeldCommit:
    """The colleague's commit: started by the hook, held until `finish`."""

    pause: Path

    def started(self) -> bool:
        """Whether the commit began and read HEAD and the index."""
        return (self.pause / "read").exists()

    def finish(self) -> str:
        """Let the commit go on, wait for it, and return its exit status as text."""
        (self.pause / "go").touch()
        deadline = time.monotonic() + 30
        while not (self.pause / "done").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (self.pause / "done").exists(), self.log()
        return (self.pause / "done").read_text().strip()

    def log(self) -> str:
        """What the commit printed."""
        return (self.pause / "commit.log").read_text()


def colleague_commit_during(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    phase: str = "committed",
    ref: str = "",
) -> HeldCommit:
    """Stage a colleague's note in `repo` and arm the hooks that start its commit in `phase`."""
    pause = tmp_path / "pause"
    pause.mkdir()
    _executable(pause / "fsmonitor", PAUSING_FSMONITOR)
    _executable(repo / ".git" / "hooks" / "reference-transaction", COLLEAGUE_IN_PHASE)
    (repo / "notes.txt").write_text("a note\n")
    git(repo, "add", "notes.txt")
    monkeypatch.setenv("MOU_TEST_PAUSE", str(pause))
    monkeypatch.setenv("MOU_TEST_PHASE", phase)
    monkeypatch.setenv("MOU_TEST_REF", ref)
    return HeldCommit(pause)


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)

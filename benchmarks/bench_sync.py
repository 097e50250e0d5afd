"""Benchmarks of the field merge and of `mou sync` (issue 14); run by hand.

    python benchmarks/bench_sync.py [--runs N]

1. merge of large agreements, three sizes (200, 1,000 and 5,000 responsibilities; each
   side edits a tenth of the items' text, one side reverses the list, the other adds a
   tenth more items), against the semantic diff of the same pair in the same run, with the
   share of validating the result (the same full validation a save runs); and a
   6,000-word purpose edited on both sides at places far apart. Growth: per-item time
   at each size.
2. sync of a 2,000-agreement workspace receiving 100 changed agreements (100 commits)
   while 10 changed locally, 5 of them among the 100 (other fields: merged by field);
   target < 3 s, with the share the field merge takes. Baseline: plain `git pull
   --no-edit --no-rebase` of the same state (git's line merge; it merges these edits
   too, since they lie on different lines), plus `git push`.

Every baseline is measured in the same run, interleaved with what it is compared to.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_seconds as median_of  # noqa: E402
from mou.changes import merge as merging  # noqa: E402
from mou.changes.diff import diff  # noqa: E402
from mou.model import to_data  # noqa: E402
from mou.presets import preset  # noqa: E402
from mou.store.sync import sync  # noqa: E402
from mou.validate import validate_data  # noqa: E402
from mou.yamlio import dump  # noqa: E402

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench Mark",
    "GIT_AUTHOR_EMAIL": "bench@agency.gov",
    "GIT_COMMITTER_NAME": "Bench Mark",
    "GIT_COMMITTER_EMAIL": "bench@agency.gov",
}
SIZES = (200, 1000, 5000)
AGREEMENTS, INCOMING, LOCAL, OVERLAP = 2000, 100, 10, 5


# --------------------------------------------------------------------------- merge


def large(items: int) -> dict[str, Any]:
    data = preset("task_force", "large-tf", "Large")
    data["responsibilities"] = [
        {"id": f"duty-{n}", "parties": ["party-a"], "text": f"Party A performs duty {n} daily."}
        for n in range(items)
    ]
    return data


def sides(items: int) -> tuple[Any, Any, Any]:
    base = large(items)
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    for n in range(0, items, 10):
        mine["responsibilities"][n]["text"] = f"Party A performs duty {n} weekly."
        theirs["responsibilities"][n + 5]["text"] = f"Party A performs duty {n + 5} hourly."
    mine["responsibilities"].reverse()
    theirs["responsibilities"] += [
        {"id": f"new-{n}", "parties": ["party-a"], "text": f"New duty {n}."}
        for n in range(items // 10)
    ]
    return validate_data(base), validate_data(mine), validate_data(theirs)


def bench_merge(runs: int) -> None:
    print("1. merge of large agreements (median of", runs, "runs)")
    per_item = []
    for items in SIZES:
        base, mine, theirs = sides(items)
        merged = merging.merge(base, mine, theirs)
        assert merged.clean and merged.agreement is not None
        took = median_of(lambda b=base, m=mine, t=theirs: merging.merge(b, m, t), runs)
        diffed = median_of(lambda b=base, m=mine: diff(b, m), runs)
        data = to_data(merged.agreement)
        checked = median_of(lambda d=data: validate_data(d), runs)
        per_item.append(took / items)
        print(
            f"   {items:>5} items: merge {took * 1000:7.1f} ms (of which validating the result, "
            f"as a save does, {checked * 1000:6.1f} ms)   diff {diffed * 1000:6.1f} ms   "
            f"ratio {took / diffed:4.1f}x   {took / items * 1e6:5.1f} µs/item"
        )
    print(f"   growth per item, {SIZES[0]} → {SIZES[-1]}: {per_item[-1] / per_item[0]:.2f}x")
    words = ["the", "party", "shall", "report", "to", "board"] * 1000
    text = " ".join(words)
    data = large(10)
    data["purpose"] = text
    mine_data, theirs_data = copy.deepcopy(data), copy.deepcopy(data)
    mine_data["purpose"] = "Early " + text
    theirs_data["purpose"] = text + " monthly"
    base, mine, theirs = (validate_data(d) for d in (data, mine_data, theirs_data))
    took = median_of(lambda: merging.merge(base, mine, theirs), runs)
    print(f"   6,000-word prose of six words, edited at both ends: {took * 1000:.1f} ms")


# --------------------------------------------------------------------------- sync


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, input=stdin, capture_output=True, check=True
    )
    return done.stdout.decode()


def agreement_text(n: int, title: str | None = None, duty: str | None = None) -> str:
    data = preset(("task_force", "mutual_aid", "joint_training")[n % 3], f"agr-{n:04}", "Title")
    data["title"] = title or f"Agreement number {n}"
    if duty is not None:
        data["responsibilities"] = [{"id": "lead", "parties": ["party-a"], "text": duty}]
    validate_data(copy.deepcopy(data))
    return dump(data)


def build(scratch: Path) -> tuple[Path, Path]:
    """A bare remote 100 commits ahead of a clone that has 10 commits of its own."""
    seed = scratch / "seed"
    (seed / "agreements").mkdir(parents=True)
    git(seed, "init", "--quiet", "-b", "main")
    for n in range(AGREEMENTS):
        (seed / "agreements" / f"agr-{n:04}.yaml").write_text(agreement_text(n))
    git(seed, "add", "agreements")
    git(seed, "commit", "--quiet", "-m", "2,000 agreements")
    bare = scratch / "remote.git"
    git(scratch, "clone", "--quiet", "--bare", str(seed), str(bare))
    other, local = scratch / "other", scratch / "local"
    for clone in (other, local):
        git(scratch, "clone", "--quiet", bare.as_uri(), str(clone))
    for n in range(INCOMING):  # remote: new titles for agreements 0..99
        (other / "agreements" / f"agr-{n:04}.yaml").write_text(agreement_text(n, f"Remote {n}"))
        git(other, "commit", "--quiet", "-am", f"Remote edit {n}")
    git(other, "push", "--quiet", "origin", "main")
    for k in range(LOCAL):  # local: a responsibility for 95..104 (95..99 overlap)
        n = INCOMING - OVERLAP + k
        (local / "agreements" / f"agr-{n:04}.yaml").write_text(
            agreement_text(n, duty=f"Local duty {k}")
        )
        git(local, "commit", "--quiet", "-am", f"Local edit {k}")
    return bare, local


def fresh_copy(bare: Path, local: Path, into: Path) -> Path:
    """A copy of the remote and the clone, the clone pointing at the copy."""
    shutil.copytree(bare, into / "remote.git", symlinks=True)
    shutil.copytree(local, into / "local", symlinks=True)
    git(into / "local", "remote", "set-url", "origin", (into / "remote.git").as_uri())
    return into / "local"


def bench_sync(scratch: Path, runs: int) -> None:
    print(
        f"2. sync: {AGREEMENTS} agreements, {INCOMING} changed on the remote, {LOCAL} here "
        f"({OVERLAP} on both sides) — median of {runs} runs"
    )
    bare, local = build(scratch)
    merge_time: list[float] = []

    def timed_merger(*versions: Any) -> Any:
        started = time.perf_counter()
        outcome = merging.sync_merger(None)(*versions)
        merge_time.append(time.perf_counter() - started)
        return outcome

    totals, plain, shares = [], [], []
    for run in range(runs):
        target = fresh_copy(bare, local, Path(tempfile.mkdtemp(dir=scratch)))
        merge_time.clear()
        started = time.perf_counter()
        result = sync(target, timed_merger)
        totals.append(time.perf_counter() - started)
        shares.append(sum(merge_time))
        assert result.outcome == "merged" and len(result.merged) == OVERLAP, result
        baseline = fresh_copy(bare, local, Path(tempfile.mkdtemp(dir=scratch)))
        started = time.perf_counter()
        git(baseline, "pull", "--quiet", "--no-edit", "--no-rebase", "origin", "main")
        git(baseline, "push", "--quiet", "origin", "main")
        plain.append(time.perf_counter() - started)
        print(f"   run {run + 1}: sync {totals[-1]:.2f} s (merge {shares[-1]:.3f} s); "
              f"git pull + push {plain[-1]:.2f} s")  # fmt: skip
    total, share, base = (statistics.median(x) for x in (totals, shares, plain))
    verdict = "met" if total < 3 else "MISSED"
    print(f"   sync median {total:.2f} s (target < 3 s: {verdict}); the field merge of "
          f"{OVERLAP} agreements {share:.3f} s = {share / total:.0%} of it; git pull + push "
          f"{base:.2f} s, ratio {total / base:.1f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    bench_merge(runs)
    with tempfile.TemporaryDirectory() as scratch:
        bench_sync(Path(scratch), runs)


if __name__ == "__main__":
    main()

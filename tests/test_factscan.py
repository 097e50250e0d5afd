"""`mou due`'s fast path (the byte scanner) against the full reader, file by file.

The full reader is libyaml over the whole file (:func:`mou.coreyaml.plain_data`), whose
data gives the facts. On every example and v1 file the scanner must give exactly those
facts itself; on each altered file below it must either give them too ("scanned") or
answer None ("left") so that the caller's reader (:func:`mou.deadlines.facts_of`)
decides, and that reader must give the full reader's facts.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mou.commands.portfolio import deadlines_json
from mou.coreyaml import plain_data
from mou.deadlines import deadlines, facts_from_data, facts_of, lifecycle_facts, log_facts, sort_key
from mou.store.factscan import scan_facts
from mou.store.portfolio import agreement_facts
from mou.store.reader import Reader
from tests.support.runner import ROOT, run_mou
from tests.support.workspaces import git, make_workspace

TASK_FORCE = ROOT / "agreements" / "bellwater-regional-violent-crime-task-force.yaml"
FILES = sorted((ROOT / "agreements").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "data" / "v1").glob("*.yaml")
)
TODAY = dt.date(2027, 6, 1)


def full(raw: bytes, holdings: bool) -> dict[str, Any] | None:
    """The facts by libyaml over the whole file (None: libyaml refuses it)."""
    data = plain_data(raw)
    return facts_from_data(data, holdings=holdings) if data is not None else None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("holdings", [True, False], ids=["with-resources", "for-due"])
def test_every_example_and_v1_file_is_scanned_to_the_full_readers_facts(
    path: Path, holdings: bool
) -> None:
    raw = path.read_bytes()
    expected = full(raw, holdings)
    assert expected is not None and expected["parties"] and expected["title"]
    assert scan_facts(raw, holdings=holdings) == expected


# (name, text replaced in the task force, replacement, "scanned" or "left")
CHANGES = [
    (
        "fiscal year",
        "  review_interval_months: 12\n",
        "  review_interval_months: 12\n  fiscal_year_start: october\n",
        "scanned",
    ),
    (
        "single-quoted with an escaped quote",
        "    acronym: FBI\n",
        "    acronym: 'F''B I'\n",
        "scanned",
    ),
    (
        "quoted number stays text",
        "  review_interval_months: 12\n",
        "  review_interval_months: '12'\n",
        "scanned",
    ),
    (
        "comment and blank lines in a list",
        "\nparties:\n",
        "\nparties:\n# the parties\n\n    # indented comment\n",
        "scanned",
    ),
    (
        "unread value going on over lines",
        "    legal_name: United States Department of Justice, ",
        "    legal_name: United States\n      Department of Justice, ",
        "scanned",
    ),
    ("empty lists", "\nresources:\n", "\nresources: []\nold_resources:\n", "scanned"),
    ("no status: a draft", "\nstatus: approved\n", "\n", "scanned"),
    ("renewal days named", "  renewal: ", "  renewal: Renewed on 45 days notice. ", "scanned"),
    (
        "unread quoted value going on",
        "\nmedia: ",
        '\nmedia: "Press\n  releases"\nmedia_note: ',
        "left",
    ),
    (
        "a quote that swallows keys",
        "\nterm:\n",
        '\nnote: "hidden\nterm:\n  no: thing"\nterm:\n',
        "left",
    ),
    ("flow list", "\nterm:\n", "\nextra: [a,\n  b]\nterm:\n", "left"),
    ("flow mapping party", "\nparties:\n", "\nparties:\n  - {id: x, acronym: X}\n", "left"),
    ("double-quoted value", "    acronym: FBI\n", '    acronym: "FBI"\n', "scanned"),
    ("escape in double quotes", "    acronym: FBI\n", '    acronym: "F\\u0042I"\n', "left"),
    ("comment after a value", "    acronym: FBI\n", "    acronym: FBI # the bureau\n", "left"),
    ("two spaces after the colon", "    acronym: FBI\n", "    acronym:  FBI\n", "left"),
    ("wanted value going on", "    acronym: FBI\n", "    acronym: FBI\n      TF\n", "left"),
    ("anchor", "\nterm:\n", "\nterm: &t\n", "left"),
    ("alias", "    acronym: FBI\n", "    acronym: *x\n", "left"),
    ("merge key", "    acronym: FBI\n", "    acronym: FBI\n    <<: {acronym: X}\n", "left"),
    (
        "metrics as a mapping",
        "    metrics:\n      - id: fugitive-warrants-cleared\n",
        "    metrics:\n        note: none\n    old_metrics:\n"
        "      - id: fugitive-warrants-cleared\n",
        "left",
    ),
    (
        "block scalar",
        "        frequency: annual\n",
        "        frequency: |-\n          annual\n",
        "left",
    ),
    ("top key twice", "\nterm:\n", "\nterm:\n  renewal: none\nterm:\n", "left"),
    ("party key twice", "    acronym: FBI\n", "    acronym: FBI\n    acronym: F\n", "left"),
    ("list at the wrong indent", "\nparties:\n", "\nparties:\n - id: x\n", "left"),
    ("text before the first key", "schema_version: 2\n", "  stray\nschema_version: 2\n", "left"),
    ("document marker", "schema_version: 2\n", "---\nschema_version: 2\n", "left"),
    ("tab", "    acronym: FBI\n", "    acronym:\tFBI\n", "left"),
    ("carriage returns", "\n", "\r\n", "left"),
    ("byte-order mark", "schema_version", "\ufeffschema_version", "left"),
    ("line separator in a title", "\ntitle: Memorandum", "\ntitle: Memo\u2028randum", "left"),
    ("next line in a title", "\ntitle: Memorandum", "\ntitle: Memo\x85randum", "left"),
    ("control character", "\ntitle: Memorandum", "\ntitle: Memo\x07randum", "left"),
]


@pytest.mark.parametrize(
    ("old", "new", "mode"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
def test_an_unusual_file_is_scanned_right_or_left_to_a_reader_that_agrees(
    old: str, new: str, mode: str
) -> None:
    text = TASK_FORCE.read_text()
    assert old in text
    raw = (text.replace(old, new) if old == "\n" else text.replace(old, new, 1)).encode()
    for holdings in (True, False):
        scanned = scan_facts(raw, holdings=holdings)
        assert (scanned is not None) is (mode == "scanned")
        assert (scanned or facts_of(raw, holdings=holdings)) == full(raw, holdings)
    assert agreement_facts(raw) == full(raw, True)


def test_invalid_utf8_is_left_to_the_reader() -> None:
    raw = TASK_FORCE.read_bytes().replace(b"acronym: FBI", b"acronym: FB\xff", 1)
    assert scan_facts(raw) is None and full(raw, True) is None
    # As before, the reader decodes what it can (it never shows the bad byte's field).
    assert agreement_facts(raw) == facts_of(raw)


def test_mou_due_lists_what_the_full_reader_gives_for_scanned_and_left_files(
    tmp_path: Path,
) -> None:
    ws = make_workspace(tmp_path)
    text = TASK_FORCE.read_text()
    for name, old, new, _ in CHANGES[:16]:
        new_id = "tf-" + name.replace(" ", "-").replace(":", "")[:30]
        body = text.replace(f"id: {TASK_FORCE.stem}\n", f"id: {new_id}\n", 1)
        body = body.replace(old, new) if old == "\n" else body.replace(old, new, 1)
        (ws / "agreements" / f"{new_id}.yaml").write_text(body)
    for example in FILES[:5]:
        shutil.copy(example, ws / "agreements")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "Many layouts")
    rows = [full(p.read_bytes(), False) for p in sorted((ws / "agreements").glob("*.yaml"))]
    log = {**log_facts(None), **lifecycle_facts(None)}
    expected = sorted((d for f in rows if f for d in deadlines(f, log, TODAY)), key=sort_key)
    for _ in range(2):  # without the facts cache, then with it
        done = run_mou("due", "--json", "--today", TODAY.isoformat(), cwd=ws)
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode() == deadlines_json(expected) + "\n"
    assert len(json.loads(done.stdout)) > 100


def test_blobs_are_read_alike_loose_packed_or_missing(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    for example in FILES[:3]:
        shutil.copy(example, ws / "agreements")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "Three")
    listed = git(ws, "ls-tree", "HEAD", "agreements/").split()
    blobs, paths = listed[2::4], listed[3::4]
    tree = git(ws, "rev-parse", "HEAD:agreements").strip()
    shas = [*blobs, tree, "0" * 40]  # a tree and a missing object are no blobs
    expected = [*((ws / path).read_bytes() for path in paths), None, None]
    assert len(blobs) >= 3
    with Reader(ws) as reader:
        loose = reader.repo.read_blobs(shas)
        assert all((ws / ".git" / "objects" / s[:2] / s[2:]).exists() for s in blobs)
        git(ws, "gc", "-q", "--prune=now")
        assert not any((ws / ".git" / "objects" / s[:2] / s[2:]).exists() for s in blobs)
        assert loose == reader.repo.read_blobs(shas) == expected

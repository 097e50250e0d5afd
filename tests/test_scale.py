"""Issue 10, scale: the near-linear paths give the answers the exact ones gave.

Speed itself is measured by benchmarks/bench_scale.py, never here; these tests pin that
the fast paths (anchored word diff, n log n moves, sparse pairing in the redline,
piece-by-piece reading of revisions and of `mou list`) stay correct on the inputs that
made the old ones slow: long texts with a tiny vocabulary, reversed lists, thousands
of items, texts written by plain git.
"""

from __future__ import annotations

import copy
import difflib
import io
import itertools
import json
import subprocess
from pathlib import Path
from unittest import mock

import docx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mou.changes import compare, sequences
from mou.changes.blame import blame_agreement
from mou.changes.compare import compare_documents
from mou.changes.diff import _moved_keys, diff, word_diff
from mou.changes.redline import redline_docx
from mou.document.words import letter
from mou.model import to_data
from mou.presets import preset
from mou.quickload import RevisionReader, quick_load
from mou.store import history as store_history
from mou.store import listing
from mou.store.workspace import Workspace
from mou.validate import load_file, validate_data
from mou.yamlio import dump
from tests.support.histories import ALICE, BOB, SCRIPTED_EDITS, History
from tests.support.runner import EXAMPLES
from tests.support.tracked import visible_units
from tests.support.workspaces import git
from tests.test_docxdiff import STAMP, _blocks_document

VOCABULARY = ["the", "party", "shall", "share", "data", "notice"]
SOME = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rebuilt(ops, side: str) -> str:
    return "".join(op.text for op in ops if op.op in ("equal", side))


# --------------------------------------------------------------------------- word diff

_WORDS = st.lists(st.sampled_from(VOCABULARY), max_size=120).map(" ".join)


@SOME
@given(old=_WORDS, new=_WORDS, mode=st.sampled_from(["anchors", "slices"]))
def test_anchored_word_diff_edits_applied_to_the_old_text_give_the_new(old, new, mode):
    # Property: with difflib left out (every region "too large"), the edits of the
    # anchored diff (or of the slices it falls back to) still rebuild both texts.
    patches = {"DIFFLIB_PAIRS": 0} if mode == "anchors" else {"MAX_DEPTH": 0, "SLICE": 7}
    with mock.patch.multiple(sequences, **patches):
        ops = word_diff(old, new)
    assert _rebuilt(ops, "delete") == old
    assert _rebuilt(ops, "insert") == new


@SOME
@given(
    old=st.lists(st.sampled_from(VOCABULARY), max_size=40),
    new=st.lists(st.sampled_from(VOCABULARY), max_size=40),
)
def test_short_sequences_diff_exactly_as_difflib_did(old, new):
    # Below the bound, the diff is difflib's own: every prose diff a reader saw before
    # is unchanged.
    expected = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert sequences.opcodes(old, new) == expected


def _small_vocabulary_text(words: int) -> tuple[str, str]:
    text = [VOCABULARY[(n * 5) % len(VOCABULARY)] for n in range(words)]
    changed = [VOCABULARY[(VOCABULARY.index(w) + 1) % 6] if n % 10 == 9 else w
               for n, w in enumerate(text)]  # fmt: skip
    return " ".join(text), " ".join(changed)


def test_a_long_text_of_few_words_is_reported_word_by_word():
    # The case that took difflib about n^3 (issue 10): 6,000 words of a six-word
    # vocabulary, every tenth word changed, is reported as exactly those 600 words.
    old, new = _small_vocabulary_text(6000)
    ops = word_diff(old, new)
    assert _rebuilt(ops, "delete") == old and _rebuilt(ops, "insert") == new
    deleted = [op.text.strip() for op in ops if op.op == "delete"]
    assert len(deleted) == 600 and all(word in VOCABULARY for word in deleted)


# --------------------------------------------------------------------------- moves


def _moved_keys_as_before(old_keys: list[str], new_keys: list[str]) -> set[str]:
    """The quadratic search the diff used until issue 10: the oracle for the fast one."""
    old_at = {key: n for n, key in enumerate(old_keys, 1)}
    kept = [(old_at[key], n, key) for n, key in enumerate(new_keys, 1) if key in old_at]
    score: list[tuple[int, int]] = []
    before: list[int | None] = []
    for i, (old, new, _) in enumerate(kept):
        chains = [j for j in range(i) if kept[j][0] < old]
        best = max(chains, key=lambda j: (score[j], -kept[j][0]), default=None)
        length, unmoved = score[best] if best is not None else (0, 0)
        score.append((length + 1, unmoved + (old == new)))
        before.append(best)
    end = max(range(len(kept)), key=lambda i: (score[i], -kept[i][0]), default=None)
    chain = set()
    while end is not None:
        chain.add(kept[end][2])
        end = before[end]
    return {key for _, _, key in kept} - chain


_KEYS = st.lists(st.integers(0, 30), unique=True, max_size=25).map(lambda ns: [f"k{n}" for n in ns])


@settings(max_examples=300, deadline=None)
@given(old=_KEYS, new=_KEYS)
def test_moves_are_the_ones_the_quadratic_search_chose(old, new):
    assert _moved_keys(old, new) == _moved_keys_as_before(old, new)


def _with_duties(count: int, order=lambda items: items):
    data = preset("task_force", "scale-case", "Scale")
    duties = [{"id": f"r{n}", "parties": ["party-a"], "text": f"Duty number {n}."}
              for n in range(count)]  # fmt: skip
    data["responsibilities"] = order(duties)
    return validate_data(data)


def test_a_reversed_list_is_reported_as_moves_that_applied_give_the_new_order():
    old, new = _with_duties(2000), _with_duties(2000, lambda items: items[::-1])
    changes = diff(old, new)
    assert {c.kind for c in changes} == {"moved"} and len(changes) == 1999
    order = [d.id for d in old.responsibilities]
    moves = sorted((c.new, c.path.split("[id=")[1].rstrip("]")) for c in changes)
    order = [key for key in order if key not in {key for _, key in moves}]
    for position, key in moves:
        order.insert(position - 1, key)
    assert order == [d.id for d in new.responsibilities]


# --------------------------------------------------------------------------- redline


def _paragraph_document(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _assert_round_trip(old_docx: bytes, new_docx: bytes) -> None:
    redline = compare_documents(old_docx, new_docx, lambda d, i: STAMP)
    assert visible_units(redline, "accept") == visible_units(new_docx)
    assert visible_units(redline, "reject") == visible_units(old_docx)


def test_a_long_paragraph_of_few_words_round_trips():
    old, new = _small_vocabulary_text(1500)
    _assert_round_trip(_paragraph_document([old]), _paragraph_document([new]))


def test_three_hundred_reversed_rows_round_trip():
    # 300 x 300 changed rows is past PAIR_CELLS: the sparse pairing is what runs.
    rows = [[f"Row {n}", f"Duty number {n} of the party."] for n in range(300)]
    _assert_round_trip(_blocks_document([rows]), _blocks_document([rows[::-1]]))


_TEXT = st.lists(st.sampled_from([*VOCABULARY, "3.5", "§ 12"]), max_size=8).map(" ".join)
_BLOCK = st.one_of(_TEXT, st.lists(st.tuples(_TEXT, _TEXT).map(list), min_size=1, max_size=4))


@SOME
@given(old=st.lists(_BLOCK, max_size=6), new=st.lists(_BLOCK, max_size=6))
def test_sparse_pairing_and_anchored_edits_round_trip_any_two_documents(old, new):
    # Property: with every block paired sparsely and every paragraph diffed by anchors,
    # accept-all is still the new text and reject-all the old.
    with (
        mock.patch.object(compare, "PAIR_CELLS", 0),
        mock.patch.object(compare, "DIFFLIB_PAIRS", 0),
        mock.patch.object(sequences, "DIFFLIB_PAIRS", 0),
    ):
        _assert_round_trip(_blocks_document(old), _blocks_document(new))


_SCORES = st.dictionaries(
    st.tuples(st.integers(0, 8), st.integers(0, 8)), st.floats(0.5, 1.0), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(scores=_SCORES)
def test_the_sparse_chain_scores_as_much_as_the_exact_alignment(scores):
    # Both find monotonic pairs of greatest total similarity; ties may differ, totals not.
    exact = compare._best_alignment(9, 9, scores)
    sparse = compare._best_chain(scores)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in itertools.pairwise(sparse))
    total = sum(scores[pair] for pair in sparse)
    assert total == pytest.approx(sum(scores[pair] for pair in exact))


def test_a_redline_of_a_reversed_agreement_list_accepts_and_rejects_exactly(tmp_path):
    history = History(tmp_path / "ws", to_data(_with_duties(400)))
    first = history.save(ALICE, "Duties")
    last = history.save(BOB, "Reversed", lambda d: d["responsibilities"].reverse())
    redline = redline_docx(history.root, "scale-case", first, last)
    with Workspace(history.root) as ws:
        old, new = (ws.load("scale-case", rev).agreement for rev in (first, last))
    from mou.document.render import render_docx  # heavy: docxtpl

    assert visible_units(redline, "accept") == visible_units(render_docx(new, last, True))
    assert visible_units(redline, "reject") == visible_units(render_docx(old, first, True))


def test_list_letters_go_on_past_zz():
    # Regression: the 703rd item of a party had no letter and every export failed with
    # "IndexError: string index out of range".
    assert [letter(i) for i in (0, 25, 26, 701, 702, 703)] == ["a", "z", "aa", "zz", "aaa", "aab"]


# --------------------------------------------------------------------------- revision walks


def _canonical(data: dict) -> str:
    return dump(to_data(validate_data(data)))


def _tricky_revisions() -> list[str]:
    """Canonical and hand-written texts of one agreement, including ones to decline."""
    data = to_data(load_file(EXAMPLES[0])) if EXAMPLES else preset("task_force", "x-y", "T")
    text = _canonical(data)
    flow = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=90)
    forged = text.replace("\npurpose: ", '\npurpose: "A quoted purpose\ntitle: Forged\n', 1)
    forged = forged.replace("\ngoals:", '"\ngoals:', 1) if "\ngoals:" in forged else forged
    return [
        text,
        text.replace("title: ", "title: Renamed ", 1),
        text.replace("status: ", "# a comment\nstatus: ", 1),
        yaml.safe_dump(data, sort_keys=True, indent=4),
        flow,
        json.dumps(data, indent=2),
        forged,  # a key-like line inside a quoted value: the reader must not cut there
        text.replace("\ntype: ", "\ntype: not-a-type\nx_type: ", 1),  # unknown key, bad type
        text + "title: again\n",  # a key given twice
        text.replace("title: ", "title: &t ", 1) + "number: *t\n",  # an alias
        text.replace("title: ", "title: [unclosed\n", 1),  # not YAML
        text,
    ]


def test_the_piece_by_piece_reader_reads_what_the_whole_file_reader_reads():
    reader = RevisionReader()  # one reader across revisions, as a history walk uses it
    for text in _tricky_revisions():
        raw = text.encode()
        assert reader.load(raw) == quick_load(raw), text[:300]


class _WholeFileReader:
    """The reader blame used before issue 10."""

    def load(self, raw: bytes):
        return quick_load(raw)


def test_blame_read_piece_by_piece_equals_blame_read_whole(tmp_path):
    data = preset("task_force", "metro-task-force", "Metro")
    data["responsibilities"] = [
        {"id": f"r{n}", "parties": ["party-a"], "text": f"Duty {n}."} for n in range(6)
    ]
    history = History(tmp_path / "ws", data)
    history.save(ALICE, "Draft")
    for n, edit in enumerate(SCRIPTED_EDITS * 2):
        history.save([ALICE, BOB][n % 2], f"Edit {n}", lambda d, e=edit, n=n: e(d, n))
    with Workspace(history.root) as ws:
        fast = [row.as_json() for row in blame_agreement(ws, "metro-task-force")]
        with mock.patch.object(store_history, "RevisionReader", _WholeFileReader):
            slow = [row.as_json() for row in blame_agreement(ws, "metro-task-force")]
    assert fast == slow


# --------------------------------------------------------------------------- mou list


def _summary_as_before(text: str) -> dict:
    """What `mou list` showed before issue 10: the canonical scanner, else ruamel's whole load."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    scanned = listing.scan_summary(text)
    if scanned is not None:
        return scanned
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        data = None
    return listing._summary_of(data)


def _styles(data: dict) -> list[str]:
    return [
        yaml.safe_dump(data, sort_keys=True, indent=4, width=80, allow_unicode=True),
        yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120),
        yaml.safe_dump(data, sort_keys=False, default_flow_style=True, width=120),
        json.dumps(data, indent=2, ensure_ascii=False),
        "# by hand\n" + yaml.safe_dump(data, sort_keys=False, width=4096, allow_unicode=True),
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_list_reads_plain_git_styles_as_the_whole_file_loader_did(path):
    for text in _styles(to_data(load_file(path))):
        assert listing.summary_fields(text) == _summary_as_before(text)


@pytest.mark.parametrize(
    "text",
    [
        # A key-like line inside a quoted value is no key: no "Forged" title.
        'id: x-y\ntype: task_force\nstatus: draft\npurpose: "one\ntitle: Forged"\n',
        "id: x-y\ntype: task_force\nparties:\n  - id: a\n    name: 'A\n    acronym: FORGED'\n",
        "id: x-y\ntitle: T\ntype: task_force\nstatus: draft\nfunding: [unclosed\n",  # not YAML
        "id: x-y\ntitle: T\ntype: task_force\nstatus: draft\nfunding: {a: [unclosed}\n",
        "id: x-y\ntitle: T\ntype: task_force\nstatus: draft\ntitle: Again\n",  # key twice
        "id: x-y\ntitle: &t T\ntype: task_force\nstatus: draft\nnumber: *t\n",  # an alias
        "parties:\n- id: a\n  acronym: 'A'\n- {id: b, acronym: B}\ntitle: T\nstatus: draft\n",
        '{"title": "T", "title": "U", "status": "draft"}',  # JSON with a key twice
        "title: T\nstatus: draft\nterm:\n  effective_date: 2026-07-01\n",
    ],
)
def test_list_reads_hand_written_oddities_as_the_whole_file_loader_did(text):
    assert listing.summary_fields(text) == _summary_as_before(text)


def test_a_key_like_line_inside_a_quoted_value_is_not_read_as_a_key():
    # Regression: the canonical scanner read `title: Forged"` (the second line of a quoted
    # purpose) as the agreement's title.
    text = 'id: x-y\ntitle: Real\ntype: task_force\nstatus: draft\npurpose: "one\ntitle: Forged"\n'
    assert listing.summary_fields(text)["title"] == "Real"
    text = 'id: x-y\ntype: task_force\nstatus: draft\npurpose: "one\ntitle: Forged"\n'
    assert listing.summary_fields(text)["title"] == ""


def test_the_first_list_after_a_git_clone_shows_the_same_rows(tmp_path):
    root = tmp_path / "ws"
    history = History(root, preset("task_force", "metro-task-force", "Metro"))
    history.save(ALICE, "Draft")
    other = copy.deepcopy(preset("mutual_aid", "county-mutual-aid", "County"))
    (root / "agreements" / "county-mutual-aid.yaml").write_text(json.dumps(other))
    git(root, "add", "agreements")
    git(root, "-c", "user.name=Plain", "-c", "user.email=p@x.org", "commit", "-qm", "JSON")
    subprocess.run(["git", "clone", "-q", str(root), str(tmp_path / "clone")], check=True)
    with Workspace(root) as ws, Workspace(tmp_path / "clone") as clone:
        assert not (Path(clone.repo.git_dir) / listing.CACHE_FILE).exists()
        rows = [row.as_json() for row in ws.list()]
        assert [row.as_json() for row in clone.list()] == rows
    assert [row["title"] for row in rows] == ["County", "Metro"]


def test_many_files_read_in_two_processes_give_the_rows_one_process_gives():
    # The forked half must come back complete and in order (a fresh clone of thousands).
    texts = [text for path in EXAMPLES for text in _styles(to_data(load_file(path)))]
    texts += ["title: [unclosed\n", "just text"]
    with (
        mock.patch.object(listing, "PARALLEL_FROM", 2),
        mock.patch.object(listing.threading, "active_count", lambda: 1),
    ):
        both = listing._all_summary_fields(texts)
    assert both == [listing.summary_fields(text) for text in texts]
    assert both[-1]["status"] == "invalid"

"""Canonical YAML: exact round trips, deterministic writing, safe reading."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mou.errors import InvalidAgreement
from mou.model import xml_forbidden_char
from mou.yamlio import SCHEMA_COMMENT, dump, read_bytes, read_text

xml_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
).filter(lambda t: xml_forbidden_char(t) is None)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(xml_text)
def test_any_text_round_trips_exactly(text):
    data = {"title": text, "notes": [text, {"inner": text}]}
    written = dump(data)
    assert read_text(written, "t.yaml").data == data
    assert dump(read_text(written, "t.yaml").data) == written


def test_multiline_text_is_a_literal_block():
    written = dump({"purpose": "First paragraph.\n\nSecond paragraph.\n"})
    assert "purpose: |\n" in written
    assert read_text(written, "t.yaml").data["purpose"] == "First paragraph.\n\nSecond paragraph.\n"


def test_dates_are_plain_iso_strings_both_ways():
    written = dump({"effective_date": "2026-07-01"})
    assert "effective_date: 2026-07-01\n" in written
    assert read_text(written, "t.yaml").data == {"effective_date": "2026-07-01"}


def test_first_line_points_editors_at_the_schema():
    assert dump({"id": "abc"}).splitlines()[0] == SCHEMA_COMMENT


def test_line_numbers_are_recorded_for_keys_and_items():
    parsed = read_text("id: abc\nparties:\n  - id: one\n  - id: two\n", "t.yaml")
    assert parsed.line_of("$.parties[1].id") == 4
    assert parsed.line_of("$.parties[1].missing.deeper") == 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a: &x [1, 2]\nb: *x\n", "aliases"),
        (b"a: 1\n\tb: 2\n", "tab"),
        (b"\xff\xfe", "not UTF-8"),
        (b"   \n# only a comment\n", "empty"),
        (b"a: [1, 2\n", "not valid YAML"),
        (b"a: 1\na: 2\n", "duplicate key"),
        (b"a: b\x01c\n", "U+0001"),
    ],
)
def test_hostile_yaml_is_one_located_problem(raw, expected):
    with pytest.raises(InvalidAgreement) as caught:
        read_bytes(raw, "bad.yaml")
    [problem] = caught.value.problems
    assert expected in problem.message
    assert str(problem).startswith("bad.yaml")


def test_billion_laughs_is_refused_before_expansion():
    # Regression: an alias bomb must be refused at parse time, not expanded into memory.
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        prev = f"*a{level - 1}"
        levels.append(f"a{level}: &a{level} [{', '.join([prev] * 9)}]")
    with pytest.raises(InvalidAgreement, match="aliases"):
        read_bytes("\n".join(levels).encode(), "bomb.yaml")


def test_file_over_five_megabytes_is_refused_without_parsing():
    with pytest.raises(InvalidAgreement, match="5 MB"):
        read_bytes(b"#" * (5 * 1024 * 1024 + 1), "big.yaml")


def test_yaml_1_2_core_schema_keeps_what_people_typed():
    # YAML 1.1 loaders read these as false, 8, 630 and a date object.
    parsed = read_text("a: no\nb: 010\nc: 10:30\nd: 2026-07-01\ne: 0x1F\nf: !!int abc\n", "t")
    assert parsed.data == {"a": "no", "b": 10, "c": "10:30", "d": "2026-07-01", "e": 31, "f": "abc"}


@pytest.mark.parametrize(
    ("raw", "line", "path"),
    [
        (b'a: 1\nnumber: !!python/object:os.system "echo x"\n', 2, "$.number"),
        (b"number: !!binary aGVsbG8=\n", 1, "$.number"),
        (b"number: !foo bar\n", 1, "$.number"),
        (b"number: !!timestamp 2026-01-01\n", 1, "$.number"),
        (b"list:\n  - !!set {a: null}\n", 2, "$.list[0]"),
        (b"%TAG !e! tag:example.com,2000:\n---\nnumber: !e!thing x\n", 3, "$.number"),
        (b"!!binary aGVsbG8=: x\n", 1, "$"),
    ],
)
def test_yaml_tags_are_refused_where_they_stand(raw, line, path):
    # A tag was read as plain text and dropped by the writer: `mou fmt` changed the file's meaning.
    with pytest.raises(InvalidAgreement) as caught:
        read_bytes(raw, "tagged.yaml")
    [problem] = caught.value.problems
    assert str(problem) == f"tagged.yaml:{line}: {path}: YAML tags (!…) are not allowed"


def test_core_tags_are_still_read_as_their_type():
    parsed = read_text('a: !!str 123\nb: !!int "12"\nc: !!map {d: !!seq [!!null ""]}\n', "t")
    assert parsed.data == {"a": "123", "b": 12, "c": {"d": [None]}}


def test_a_list_or_mapping_as_key_names_its_line_in_plain_words():
    with pytest.raises(InvalidAgreement) as caught:
        read_text("id: x\n? [a, b]\n: c\n", "complex.yaml")
    [problem] = caught.value.problems
    assert str(problem) == "complex.yaml:2: $: a key must be plain text, not a list or mapping"

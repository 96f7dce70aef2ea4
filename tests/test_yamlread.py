"""Safe YAML reading: every bad kind of file is one located error, never a crash."""

from __future__ import annotations

import pytest

from bruising_check.problems import Code
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.yamlread import MAX_BYTES, YamlError, decode, read_yaml


def problem_code(raw: bytes) -> Code:
    loaded = load_protocol(raw, "bad.yaml")
    assert loaded.protocol is None
    assert len(loaded.problems) == 1, [p.format() for p in loaded.problems]
    return loaded.problems[0].code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"a: 1\na: 2\n", Code.YAML_DUPLICATE_KEY),
        (b"a: !!python/object:os.system {}\n", Code.YAML_TAG),
        (b"a: !custom 1\n", Code.YAML_TAG),
        (b"a: [1, 2\n", Code.YAML_SYNTAX),
        (b"\xff\xfe\x00a", Code.NOT_UTF8),
        (b"a: 1\x00\n", Code.NOT_UTF8),
        (b"[" * 200 + b"]" * 200, Code.YAML_TOO_DEEP),
        (b"- 1\n- 2\n", Code.NOT_A_MAPPING),
        (b"a: .nan\n", Code.SCHEMA),
        (b"a: -.inf\n", Code.SCHEMA),
        (b"a: " + b"9" * 40 + b"\n", Code.SCHEMA),
        (b"x" * (MAX_BYTES + 1), Code.TOO_LARGE),
    ],
)
def test_bad_files_get_one_located_error(raw: bytes, code: Code) -> None:
    assert problem_code(raw) is code


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    assert problem_code("\n".join(lines).encode()) is Code.YAML_TOO_BIG


def test_bom_is_accepted() -> None:
    assert read_yaml(decode(b"\xef\xbb\xbfa: 1\n", "f"), "f").data == {"a": 1}


def test_positions_are_one_based_and_point_at_values_and_keys() -> None:
    located = read_yaml("top:\n  inner: [1, 2]\n", "f.yaml")
    assert located.where(("top", "inner", 1)) == (2, 14)
    assert located.where(("top", "inner"), key=True) == (2, 3)


def test_duplicate_key_names_the_first_line() -> None:
    with pytest.raises(YamlError) as info:
        read_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert (info.value.problem.line, info.value.problem.column) == (3, 1)
    assert "line 1" in info.value.problem.message


def test_dates_and_words_stay_text_where_the_schema_wants_text() -> None:
    assert read_yaml("d: 2026-01-01\nn: null\n", "f").data == {"d": "2026-01-01", "n": None}


def test_an_alias_chain_is_as_deep_as_it_reads_once_expanded() -> None:
    # Each anchor wraps the previous alias: 520 levels once expanded, though no line nests.
    lines = ["a0: &a0 [x]", *(f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 521))]
    assert problem_code("\n".join(lines).encode()) is Code.YAML_TOO_DEEP


def test_an_alias_inside_what_it_names_is_refused() -> None:
    assert problem_code(b"a: &a [*a]\n") is Code.YAML_TOO_DEEP


def test_one_long_string_named_in_many_places_counts_every_time() -> None:
    raw = b"s: &s " + b"A" * 100_000 + b"\nl: [" + b", ".join([b"*s"] * 30) + b"]\n"
    with pytest.raises(YamlError) as info:
        read_yaml(decode(raw, "f"), "f")
    assert info.value.problem.code is Code.YAML_TOO_BIG
    assert "characters of text" in info.value.problem.message


def test_aliases_within_the_limits_still_read() -> None:
    assert read_yaml("a: &a [1, 2]\nb: *a\n", "f").data == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("010", 10),  # YAML 1.1 read 8
        ("1:30", "1:30"),  # YAML 1.1 read 90
        ("0x1F", "0x1F"),
        ("0o17", "0o17"),
        ("1_000", "1_000"),
        ("1e1", 10.0),  # YAML 1.1 read text; JSON writes numbers so
        ("-2.5E-1", -0.25),
        ("+3", 3),
        (".5", 0.5),
        ('"010"', "010"),
        ("! 010", "010"),
    ],
)
def test_numbers_follow_yaml_1_2(text: str, value: object) -> None:
    data = read_yaml(f"a: {text}\n", "f").data
    assert data == {"a": value} and type(data["a"]) is type(value)

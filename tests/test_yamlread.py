"""Safe YAML reading: every bad kind of file is one located error, never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.problems import Code
from bruising_check.protocol import yamlread
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.yamlread import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_ITEMS,
    Located,
    YamlError,
    decode,
    read_yaml,
    read_yaml_data,
    read_yaml_slowly,
)
from tests.conftest import ROOT, same_data


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


# --- the fast path for case files (`read_yaml_data`): the same data or the same refusal -------


def assert_same_reading(text: str, *, yaml12: bool = False) -> str:
    """`read_yaml` and `read_yaml_data` give the reference reader's (`read_yaml_slowly`) data,
    positions and yes/no words, or raise its very refusal; which it was."""
    try:
        expected = read_yaml_slowly(text, "f.yaml", yaml12=yaml12)
    except YamlError as exc:
        for reader in (read_yaml, read_yaml_data):
            with pytest.raises(YamlError) as info:
                reader(text, "f.yaml", yaml12=yaml12)
            assert info.value.problem == exc.problem
        return "refused"
    got = read_yaml_data(text, "f.yaml", yaml12=yaml12)
    assert same_data(got, expected.data), (got, expected.data)
    located = read_yaml(text, "f.yaml", yaml12=yaml12)
    assert same_data(located.data, expected.data), (located.data, expected.data)
    assert located.value_at == expected.value_at
    assert located.key_at == expected.key_at
    assert located.truthy_words == expected.truthy_words
    assert (located.file, located.yaml12) == (expected.file, expected.yaml12)
    return "read"


def fast_only(text: str) -> Any:
    """The fast path itself (raises `_Slow` where it hands the file to `read_yaml_slowly`)."""
    return yamlread._fast(text, False, None)


def fast_located(text: str) -> Located:
    """The fast path with positions (raises where it hands the file to `read_yaml_slowly`)."""
    located = Located(None, "f.yaml")
    located.data = yamlread._fast(text, False, located)
    return located


def every_yaml_file() -> list[Path]:
    found = [
        p
        for folder in ("tests", "examples", "protocols")
        for p in sorted((ROOT / folder).rglob("*"))
        if p.suffix in {".yaml", ".yml", ".json"} and p.is_file()
    ]
    assert len(found) > 50
    return found


@pytest.mark.parametrize("path", every_yaml_file(), ids=lambda p: str(p.relative_to(ROOT)))
@pytest.mark.parametrize("yaml12", [False, True])
def test_fast_reader_agrees_on_every_file_in_the_repository(path: Path, yaml12: bool) -> None:
    # The hostile inputs (aliases, tags, numbers, keys, two documents ...), the protocols,
    # the scenarios and the answers files.
    try:
        text = decode(path.read_bytes(), path.name)
    except YamlError:
        return  # not text: neither reader is given it (`decode` refuses first)
    assert_same_reading(text, yaml12=yaml12)


EDGE_CASES = [
    "",
    "---\n",
    "a: 1\na: 2\n",
    "a: !!python/object:os.system {}\n",
    "a: !custom 1\n",
    "a: ! 010\nb: ! null\nc: ! yes\n",
    "a: [1, 2\n",
    "[" * 200 + "]" * 200,
    "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1),
    "[" * MAX_DEPTH + "]" * MAX_DEPTH,
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "- 1\n- 2\n",
    "a: .nan\nb: 1\n",
    "a: -.inf\n",
    "a: " + "9" * 40 + "\n",
    "a: " + "9" * 30 + "\n",
    "a: 1e999\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\ng: y\nh: n\n",
    "a: ~\nb: null\nc: NULL\nd:\ne: ''\nf: 'null'\n",
    "a: 010\nb: 1:30\nc: 0x1F\nd: 0o17\ne: 1_000\nf: 1e1\ng: -2.5E-1\nh: +3\ni: .5\n",
    "d: 2026-01-01\nt: 2026-01-01T10:00:00Z\n",
    "a: &a [1, 2]\nb: *a\n",
    "a: &a x\n*a : 2\n",
    "a: &a [*a]\n",
    "? [1, 2]\n: x\n",
    "? {a: 1}\n: x\n",
    "1: one\nnull: nothing\ntrue: yes\n'q': quoted\n",
    "<<: {a: 1}\n=: 2\n",
    "a: 1\n---\nb: 2\n",
    "a: |\n  two\n  lines\n",
    "a: >\n  folded\n  text\n",
    'a: "\\u00e9 \\t tab"\n',
    "a: \x01\n",
    "a:\tb\n",
    "\ta: 1\n",
    "cases:\n  - id: 1\n    answers: {age_weeks: 10, marks: [{type: bruise}]}\n",
    "- " + "\n- ".join(["x"] * (MAX_ITEMS + 1)) + "\n",
    "- " + "\n- ".join(["x"] * (MAX_ITEMS - 1)) + "\n",
    "{" + ", ".join(f"k{i}: 1" for i in range(MAX_ITEMS + 1)) + "}\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_fast_reader_agrees_at_the_edges(text: str) -> None:
    assert_same_reading(text)
    assert_same_reading(text, yaml12=True)


def test_fast_reader_hands_anything_but_plain_data_to_the_located_reader() -> None:
    # It really is the fast path that reads plain data (not the fallback every time) ...
    assert fast_only("a: [1, x, 'no', yes, ~]\n") == {"a": [1, "x", "no", True, None]}
    plain = fast_located("a:\n  - 1\n  - yes\nb: {c: 'x'}\n")
    assert plain.data == {"a": [1, True], "b": {"c": "x"}}
    assert plain.value_at == {
        (): (1, 1),
        ("a",): (2, 3),
        ("a", 0): (2, 5),
        ("a", 1): (3, 5),
        ("b",): (4, 4),
        ("b", "c"): (4, 8),
    }
    assert plain.key_at == {("a",): (1, 1), ("b",): (4, 1), ("b", "c"): (4, 5)}
    assert plain.truthy_words == {("a", 1): "yes"}
    # ... and never reads what it does not take on.
    for text in ("a: &a 1\nb: *a\n", "a: ! 1\n", "a: 1\na: 2\n", "a: .nan\n", "[[]]\n" * 2):
        with pytest.raises((yamlread._Slow, yaml.YAMLError)):
            fast_only(text)
        with pytest.raises((yamlread._Slow, yaml.YAMLError)):
            fast_located(text)


def test_a_generated_scenario_file_reads_the_same_by_the_fast_path() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench/synthetic_cases.py")
    assert spec is not None and spec.loader is not None
    synthetic: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    text = synthetic.v2_yaml(synthetic.v2_cases(300))
    assert same_data(fast_only(text), read_yaml_slowly(text, "f").data)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "on", "Off", "~", "null", "010", "1:30", "1_0", ".inf", ""]),
)
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_data, st.sampled_from([None, False, True]), st.booleans())
def test_fast_reader_agrees_on_generated_yaml(data: Any, flow: bool | None, yaml12: bool) -> None:
    # Written by PyYAML in block or flow style; plain words (`no`, `010`) unquoted where YAML
    # allows, so both readers see the same plain scalars.
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert_same_reading(text, yaml12=yaml12)


@pytest.mark.parametrize("path", sorted((ROOT / "protocols").rglob("*.yaml")), ids=str)
def test_every_bundled_protocol_is_read_by_the_one_walk(path: Path) -> None:
    # Plain data, so every command that loads one takes the fast path (not the slow reader by
    # a fallback nobody sees), and gives what the reference reader gives, positions included.
    text = decode(path.read_bytes(), path.name)
    located = fast_located(text)
    expected = read_yaml_slowly(text, "f.yaml")
    assert same_data(located.data, expected.data)
    assert (located.value_at, located.key_at) == (expected.value_at, expected.key_at)


# Raw YAML text, not only what PyYAML writes: pieces of syntax (indicators, tags, anchors,
# directives, block and flow styles, BOM, tabs) and YAML 1.1 / 1.2 words put together at random,
# so that most inputs are refused and the rest read in shapes a dumper never writes.
_PIECES = [
    *("a", "b", "no", "on", "Off", "yes", "y", "~", "null", "010", "0o17", "1_000", "0x1F"),
    *("1:30", ".inf", "-.INF", ".NaN", "2026-01-01", "1e3", "1.", ".5", "+3", "-0", "9" * 31),
    *("9" * 29, "!!str", "!!int", "!", "!x", "&a", "*a", "<<", ":", ": ", "- ", "-", "?", "? "),
    *("[", "]", "{", "}", ",", " ", "  ", "\n", "\n  ", "\n- ", "'", '"', "'q'", '"d\\n"', "#c"),
    *("|", ">", "|-", ">+", "---", "...", "\t", "\ufeff", "%YAML 1.2\n", "=", "true", "False"),
    *("é", "\\", "@", "`", "%"),
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join), st.booleans())
def test_fast_reader_agrees_on_raw_yaml_text(text: str, yaml12: bool) -> None:
    assert_same_reading(text, yaml12=yaml12)

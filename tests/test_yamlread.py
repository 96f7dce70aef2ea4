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


# --- plain block lines (`_lines`): what it reads is the reference reader's reading -------------
# `read_yaml_data` tries `_lines` first. Whatever it does not take on it hands on (the tests
# above then hold), so what must hold here is: whenever it gives data, that is the reference
# reader's data, with the same types and key order, and the reference reader does not refuse
# the file.


def lines_reading(text: str, yaml12: bool = False) -> str:
    """ "slow" if `_lines` hands the file on, else "read" after checking its data is the
    reference reader's."""
    try:
        got = yamlread._lines(text, yaml12)
    except Exception:  # handed on, whatever it was: `read_yaml_data` then asks `_fast`
        return "slow"
    try:
        expected = read_yaml_slowly(text, "f.yaml", yaml12=yaml12)
    except YamlError as exc:
        raise AssertionError(f"read what the reference refuses ({exc.problem.format()})") from None
    assert same_data(got, expected.data), (got, expected.data)
    return "read"


# What the reader takes on, and what it must hand on (or read as the reference does), drawn
# about one time in sixteen.
_KEYS = ["a", "id", "b c", "no", "1", "a:b", "a#b", "é", "x-y", "type", "site"]
_ODD_KEYS = ["'q'", '"q"', "a #c", "a ", "-a", "?a", "&a a", "a" * 1001, "[a]"]
_VALUES = [
    *("1", "-2", "2.5", "1e3", "010", "0x1F", "1:30", "1_000", ".5", "2026-01-01", "+3"),
    *("yes", "No", "on", "OFF", "y", "true", "~", "null", "x", "a b", "a  b", "a, b", "a,b"),
    *("http://x", "a#c", "x-y", "a - b", "a ? b", "a'b", 'a"b', "é", "中文", "[]", "{}"),
    *("'no'", "'it''s'", "''", "'a: b'", "'#'", "' x '", "'a' #c", '"d"', '"é"', '""'),
    *("x # c", "'010'", '"a: b"', "'- x'", "a]", "a}", "a[b]", "9" * 31, "NULL", "Null"),
]
_ODD_VALUES = [
    *("x:", "a: b", "a #c", "#c", "- x", "-x", "?x", "? x", ":x", "&a x", "*a", "!x y"),
    *("!!str 1", "|", ">", "[ ]", "[1]", "{a: 1}", "%x", "@x", "`x", "'a", "'a' b", "'a'#c"),
    *('"a\\nb"', '"a', ".inf", ".nan", "x\t", "\ufeffx", "x\u2028y", "x\ry", "x\x85y", "\x01"),
    *("'a\n  b'", "a\n  b", "|\n  a", "---", "...", "-", "- - x"),
]


def _some(draw: st.DrawFn, usual: list[str], odd: list[str]) -> str:
    return draw(st.sampled_from(odd if draw(st.integers(0, 15)) == 0 else usual))


@st.composite
def _block_text(draw: st.DrawFn) -> str:
    """A block-style file as people and dumpers write it, spelled in one of the ways YAML
    allows (indentation, spaces after a dash, quotes, comments, blank lines), often broken."""
    lines: list[str] = []

    def node(indent: int, depth: int, entry_prefix: str | None) -> None:
        # entry_prefix: the "- " text a list entry's first line starts with, or None
        kinds = ["map", "list", "scalar"] if entry_prefix is not None else ["map", "list"]
        kind = draw(st.sampled_from(kinds if depth < 3 else ["scalar"]))
        prefix = entry_prefix if entry_prefix is not None else " " * indent
        if kind == "scalar":
            lines.append(prefix + _some(draw, _VALUES, _ODD_VALUES))
            return
        keys = draw(st.permutations(_KEYS))  # a key twice now and then, by an odd key
        for i in range(draw(st.integers(1, 3))):
            first = prefix if i == 0 else " " * indent
            if kind == "list":
                dash = draw(st.sampled_from(["- ", "- ", "- ", "-  "]))
                node(indent + len(dash), depth + 1, first + dash)
            else:
                key = _some(draw, [keys[i]], [*_ODD_KEYS, keys[0]])
                sep = draw(st.sampled_from([": ", ": ", ": ", ":  ", ":", " : "]))
                if draw(st.booleans()):
                    lines.append(first + key + sep + _some(draw, _VALUES, _ODD_VALUES))
                else:
                    comment = draw(st.sampled_from(["", "", " # c"]))
                    lines.append(first + key + sep.rstrip(" ") + comment)
                    nested = indent + draw(st.sampled_from([2, 2, 4, 0, 1]))
                    node(nested, depth + 1, None)
            if draw(st.integers(0, 9)) == 0:
                lines.append(draw(st.sampled_from(["", "   ", "# c", "  # c", "---", "..."])))

    node(0, 0, None)
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))
    # Now and then an edit anywhere: a character in or out, as a careless hand makes them.
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from([" ", "-", ":", "#", "'", '"', "\n", "a", "", "[", "\t"]))
        text = text[:at] + piece + text[at + draw(st.integers(0, 1)) :]
    return text


@settings(max_examples=1500, deadline=None)
@given(_block_text(), st.booleans())
def test_lines_reader_reads_only_what_the_reference_reads_and_as_it_does(
    text: str, yaml12: bool
) -> None:
    lines_reading(text, yaml12)


def _nested(depth: int) -> str:
    """Block mappings `depth` deep (`depth` open containers at the innermost value)."""
    return (
        "".join(" " * (2 * i) + f"k{i}:\n" for i in range(depth - 1))
        + " " * (2 * (depth - 1))
        + "k: v\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        _nested(MAX_DEPTH - 1),
        _nested(MAX_DEPTH),
        _nested(MAX_DEPTH + 1),
        "- " + "\n- ".join(["x"] * (MAX_ITEMS - 1)) + "\n",
        "- " + "\n- ".join(["x"] * MAX_ITEMS) + "\n",
        "".join(f"k{i}: 1\n" for i in range(MAX_ITEMS // 2 - 1)),
        "".join(f"k{i}: 1\n" for i in range(MAX_ITEMS // 2)),
        # 25 lists of 8,001 entries: 200,076 nodes, each list inside the entries limit
        "".join(f"k{i}:\n" + "- x\n" * 8_001 for i in range(25)),
        "".join(f"k{i}:\n" + "- x\n" * 7_990 for i in range(25)),
        # exactly 200,000 and 199,999 nodes, the last of them the empty value of `z:`
        "".join(f"k{i}:\n" + "- x\n" * 8_000 for i in range(24)) + "k:\n" + "- x\n" * 7_947 + "z:",
        "".join(f"k{i}:\n" + "- x\n" * 8_000 for i in range(24)) + "k:\n" + "- x\n" * 7_946 + "z:",
    ],
    ids=[
        *("depth-1", "depth", "depth+1", "items-1", "items", "keys-1", "keys", "nodes", "nodes-"),
        *("nodes-null", "nodes-null-"),
    ],
)
def test_lines_reader_at_the_limits_reads_as_the_reference_or_hands_on(text: str) -> None:
    # The same limits as the event walk: it reads the file exactly when the walk would.
    assert_same_reading(text)
    try:
        fast_only(text)
        walk = "read"
    except (yamlread._Slow, yaml.YAMLError):
        walk = "slow"
    assert lines_reading(text) == walk


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("a: 1\n", {"a": 1}),
        ("- x\n-  y # c\n", ["x", "y"]),
        ("a:\n- 1\n- yes\nb: {}\n", {"a": [1, True], "b": {}}),
        ("a:\n  - b: 'it''s'\n    c: []\n  -   d: \"x\"\ne:\n", None),
        ("# c\n\ncases:\n  - id: x # c\n    answers:\n      marks:\n      - type: bruise\n", None),
        ("a: ~\nb: No\nc: 010\nd: 1e3\ne: 2026-01-01\nf: a, b #c\ng: http://x\n", None),
        ("a: # c\n  b: 1\nc: # c\nd:\n", {"a": {"b": 1}, "c": None, "d": None}),
    ],
)
def test_lines_reader_takes_on_plain_block_files(text: str, data: Any) -> None:
    got = yamlread._lines(text, False)  # raises if it handed the file on
    assert same_data(got, read_yaml_slowly(text, "f").data)
    if data is not None:
        assert same_data(got, data)


@pytest.mark.parametrize(
    "text",
    [
        "a: b\n  c\n",  # a value continued on the next line
        "a: 'x\n  y'\n",
        "a: |\n  x\n",
        "a: >\n  x\n",
        "a: 1\na: 2\n",
        "a:\tb\n",
        "a: b\r\n",
        "a: b\x85c\n",
        "\ufeffa: 1\n",
        "- - x\n",
        "? a\n: b\n",
        "a: !!str 1\n",
        "a: &x 1\nb: *x\n",
        "---\na: 1\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: [1, 2]\n",
        'a: "\\u00e9"\n',
        "'a': 1\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1\n- b\n",
        "x\n",
        "",
    ],
)
def test_lines_reader_hands_on_what_it_does_not_take_on(text: str) -> None:
    with pytest.raises(yamlread._Slow):
        yamlread._lines(text, False)
    assert_same_reading(text)


def test_a_generated_scenario_file_is_read_line_by_line() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench/synthetic_cases.py")
    assert spec is not None and spec.loader is not None
    synthetic: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    for yaml12 in (False, True):
        text = synthetic.v2_yaml(synthetic.v2_cases(300))
        got = yamlread._lines(text, yaml12)  # not handed on
        assert same_data(got, read_yaml_slowly(text, "f", yaml12=yaml12).data)
        assert len(got["cases"]) == 300


@settings(max_examples=300, deadline=None)
@given(_data, st.booleans())
def test_lines_reader_agrees_on_dumped_block_yaml(data: Any, yaml12: bool) -> None:
    lines_reading(yaml.safe_dump(data, default_flow_style=False, allow_unicode=True), yaml12)

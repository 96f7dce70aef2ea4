"""The limits that keep hostile input cheap and readable, each at its edge."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from bruising_check.engine.answers import check_answers
from bruising_check.problems import Code
from bruising_check.protocol.loader import MAX_LIST_ITEMS, MAX_PROBLEMS, load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import MAX_ITEMS, MAX_MESSAGE, YamlError, read_yaml
from bruising_check.records.record import _plain
from bruising_check.render.safe import json_safe, visible
from tests.conftest import BASE_ANSWERS, BASELINE, TODAY


def problems(raw: bytes) -> list[str]:
    return [p.format() for p in load_protocol(raw, "f.yaml", today=TODAY).problems]


def test_a_control_character_is_located_by_character_not_byte() -> None:
    # libyaml reports a byte offset; the problem must point at the character.
    assert problems("title: é é é\nnote: bell\x07\n".encode()) == [
        "f.yaml:2:11: error NOT_UTF8 control character U+0007 is not allowed in YAML text"
    ]


def test_utf16_is_named() -> None:
    assert "UTF-16" in problems("a: 1\n".encode("utf-16"))[0]


def test_lists_are_capped_while_reading_and_before_the_schema() -> None:
    at_limit = b"a: [" + b", ".join([b"1"] * MAX_ITEMS) + b"]\n"
    over = b"a: [" + b", ".join([b"1"] * (MAX_ITEMS + 1)) + b"]\n"
    assert "YAML_TOO_BIG" not in problems(at_limit)[0]
    assert problems(over) == [
        f"f.yaml:1:{5 + 3 * MAX_ITEMS}: error YAML_TOO_BIG a list or mapping of more than"
        f" {MAX_ITEMS:,} entries"
    ]
    assert f"has {MAX_ITEMS:,} items; the limit is {MAX_LIST_ITEMS:,}" in problems(at_limit)[0]


def test_a_flood_of_schema_problems_is_summarised() -> None:
    got = problems(b"sources:\n" + b"  - 1\n" * 500)
    assert len(got) == MAX_PROBLEMS + 1
    assert "... and " in got[-1] and "more schema problems" in got[-1]


def test_messages_quoting_huge_keys_stay_one_readable_line() -> None:
    got = problems(b"k" * 100_000 + b": 1\n")
    assert all(len(line) < MAX_MESSAGE + 100 for line in got)


def baseline_with(old: str, new: str) -> bytes:
    text = BASELINE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


def test_timescales_past_a_year_are_refused() -> None:
    raw = baseline_with(
        "timescale: {label: Same day, same_day: true}", "timescale: {label: x, hours: 8761}"
    )
    assert any("timescale of 8761 hours is more than a year" in p for p in problems(raw))
    ok = baseline_with(
        "timescale: {label: Same day, same_day: true}", "timescale: {label: x, hours: 8760}"
    )
    assert not any("timescale of" in p for p in problems(ok))


def test_derived_numbers_that_could_overflow_are_refused() -> None:
    raw = baseline_with(
        "- mul: [{question: age_weeks}, 7]", "- mul: [{question: age_weeks}, 1.0e+308]"
    )
    assert any("fact 'age_months' can reach inf" in p for p in problems(raw))
    assert not any("can reach" in p for p in problems(BASELINE.read_bytes()))


def test_more_choices_than_options_are_refused(baseline: Protocol) -> None:
    q = baseline.question("mobility_milestones")
    assert q is not None and q.type == "multiple_choice"
    n = len(q.options)
    answers = {**BASE_ANSWERS, "mobility_milestones": ["rolling"] * (n + 1)}
    checked = check_answers(baseline, read_yaml(json.dumps(answers), "a.json"))
    assert [p.message for p in checked.problems] == [
        f"mobility_milestones: {n + 1} choices given; there are only {n} options"
    ]


def test_a_long_or_strange_unknown_id_is_shortened_and_escaped(baseline: Protocol) -> None:
    answers = {**BASE_ANSWERS, "x" * 1000: 1, "\x1b[31m": 2}
    checked = check_answers(baseline, read_yaml(json.dumps(answers), "a.json"))
    messages = [p.message for p in checked.problems]
    assert all(len(m) < 100 for m in messages)
    assert "'\\x1b[31m': no such question" in messages


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1bb", "a\\x1bb"),
        ("bell\x07", "bell\\x07"),
        ("csi\x9b", "csi\\x9b"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("café ünïcode 😀", "café ünïcode 😀"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_json_safe_round_trips_exactly() -> None:
    value = {"t": "a\x1b\x9b\u202e\u2028 é"}
    out = json_safe(json.dumps(value, ensure_ascii=False))
    assert not any(ch in out for ch in "\x1b\x9b\u202e\u2028")
    assert json.loads(out) == value
    assert json_safe("\x85") == "\\u0085"


def test_non_finite_numbers_never_reach_a_record() -> None:
    assert _plain(math.inf) is None
    assert _plain(math.nan) is None
    assert _plain(2.0) == 2


def test_nan_in_answers_is_refused(baseline: Protocol) -> None:
    with pytest.raises(YamlError, match="NaN") as info:
        read_yaml(yaml.safe_dump({"age_weeks": float("nan")}), "a.yaml")
    assert info.value.problem.code is Code.SCHEMA


def test_an_ask_if_cut_from_the_protocols_json_is_its_own_json() -> None:
    """The record bound reads each `ask_if`'s JSON from the protocol's serializer (built by
    loading) instead of building each condition class's own: the same text, to the character."""
    from bruising_check.protocol.limits import _ask_if_json
    from tests.conftest import ROOT

    compared = 0
    files = sorted((ROOT / "protocols").rglob("*.yaml")) + sorted(
        (ROOT / "tests" / "protocols").glob("*.yaml")
    )
    for file in files:
        protocol = load_protocol(file.read_bytes(), str(file), today=TODAY).protocol
        if protocol is None:
            continue
        for field in ("questions", "context_prompts"):
            for i, q in enumerate(getattr(protocol, field)):
                if q.ask_if is not None:
                    assert _ask_if_json(protocol, field, i) == q.ask_if.model_dump_json()
                    compared += 1
    assert compared >= 10  # 11 in the bundled and test protocols


def test_an_ask_if_is_its_own_json_whatever_the_protocols_json_looks_like(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should pydantic lay out the protocol's JSON otherwise (indented, say), the bound reads the
    condition's own JSON instead of cutting the wrong text."""
    from bruising_check.protocol.limits import _ask_if_json, record_size_bound

    protocol = load_protocol(BASELINE.read_bytes(), str(BASELINE), today=TODAY).protocol
    assert protocol is not None
    i, q = next((i, q) for i, q in enumerate(protocol.questions) if q.ask_if is not None)
    assert q.ask_if is not None
    bound = record_size_bound(protocol)
    dump = Protocol.model_dump_json
    monkeypatch.setattr(Protocol, "model_dump_json", lambda self, **kw: dump(self, indent=1, **kw))
    assert _ask_if_json(protocol, "questions", i) == q.ask_if.model_dump_json()
    assert record_size_bound(protocol) == bound


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("value", ("metadata", "title")),
        ("key", ("metadata",)),
        ("list", ("sources",)),
        ("deep", ("questions", 0, "options", 0, "label")),
    ],
)
def test_the_first_walk_without_paths_misses_nothing(
    place: str, expected: tuple[object, ...]
) -> None:
    """`_first_too_big` first walks without the paths (issue 15.4); whatever is over a limit,
    wherever it is, is still found and placed."""
    from bruising_check.protocol.limits import MAX_TEXT_CHARS
    from bruising_check.protocol.loader import _first_too_big, _may_be_too_big
    from bruising_check.protocol.yamlread import decode

    data = read_yaml(decode(BASELINE.read_bytes(), "b"), "b").data
    assert not _may_be_too_big(data) and _first_too_big(data) is None
    long = "x" * (MAX_TEXT_CHARS + 1)
    if place == "value":
        data["metadata"]["title"] = long
    elif place == "key":
        data["metadata"][long] = 1
    elif place == "list":
        data["sources"] = [1] * (MAX_LIST_ITEMS + 1)
    else:
        data["questions"][0]["options"][0]["label"] = long
    assert _may_be_too_big(data)
    found = _first_too_big(data)
    assert found is not None and found[0] == expected

"""Hypothesis strategies for issue 13's input attacks, over every reader the tool has.

Shared by tests/test_fuzz_input.py (a few examples in CI) and `bench/fuzz.py` (the long run):
alias structures (chains, fans, self-reference, one long string named many times), typed replies
(digits from other scripts, superscripts, huge numbers, units), cases files in every format with
hostile numbers and nesting, and scenario files. Each `check_*` runs one example through the real
reader and asserts the only outcomes are a value or the reader's own clear error.
"""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import strategies as st

from bruising_check.engine.replies import TypedError, choice_number, parse
from bruising_check.protocol.model import GroupQuestion, Protocol, TextQuestion
from bruising_check.protocol.yamlread import MAX_NODES, YamlError, read_yaml
from bruising_check.training.scenarios import load_scenarios, run_file
from bruising_check.versions.impact import CaseFileError, read_cases, run_case
from tests.conftest import BASE_ANSWERS, ROOT

SCENARIOS = (ROOT / "protocols" / "scenarios" / "baseline-rules.yaml").read_bytes()

# --- YAML with aliases ------------------------------------------------------------------------


@st.composite
def alias_yaml(draw: st.DrawFn) -> str:
    """Anchors and aliases shaped like the attacks: a chain (each anchor wraps the previous
    alias), a fan (each level names the previous one many times), a long text named in many
    places, or an alias inside what it names; sometimes inside a real answers file."""
    kind = draw(st.sampled_from(["chain", "fan", "text", "self", "mixed"]))
    lines: list[str] = []
    if kind in ("chain", "mixed"):
        depth = draw(st.integers(1, 700))
        lines += ["c0: &c0 [x]", *(f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, depth))]
    if kind in ("fan", "mixed"):
        fan, levels = draw(st.integers(1, 12)), draw(st.integers(1, 9))
        lines.append("f0: &f0 [" + ", ".join(["x"] * fan) + "]")
        lines += [
            f"f{i}: &f{i} [" + ", ".join([f"*f{i - 1}"] * fan) + "]" for i in range(1, levels)
        ]
    if kind == "text":
        size, uses = draw(st.integers(1, 200_000)), draw(st.integers(1, 300))
        lines += ["t: &t " + "A" * size, "u: [" + ", ".join(["*t"] * uses) + "]"]
    if kind == "self":
        lines.append(draw(st.sampled_from(["a: &a [*a]", "a: &a {b: *a}", "a: &a [[[*a]]]"])))
    if draw(st.booleans()):
        lines += [f"{k}: {json.dumps(v)}" for k, v in BASE_ANSWERS.items()]
    return "\n".join(lines) + "\n"


def check_yaml(text: str) -> None:
    try:
        located = read_yaml(text, "fuzz.yaml")
    except YamlError as exc:
        assert exc.problem.severity == "error" and exc.problem.message
        return
    assert len(located.value_at) <= MAX_NODES


# --- typed replies ----------------------------------------------------------------------------

_REPLY_PARTS = [
    "0",
    "1",
    "9",
    "10",
    "²",
    "٣",
    "০",
    "１",
    ".",
    ",",
    " ",
    "-",
    "+",
    "e",
    "_",
    "w",
    "d",
    "m",
    "y",
    "weeks",
    "none",
    "nan",
    "inf",
    "0x",
    ":",
    "\x00",
    "\x1b[",
    "\u202e",
    "9" * 400,
    "9" * 5000,
]
typed_reply = st.one_of(
    st.lists(st.sampled_from(_REPLY_PARTS), max_size=8).map("".join),
    st.text(max_size=40),
)


def check_reply(protocol: Protocol, reply: str) -> None:
    # A group is never typed as one reply: each of its item questions is (records/session.py).
    typed = [
        sub
        for top in (*protocol.questions, *protocol.context_prompts)
        for sub in (top.questions if isinstance(top, GroupQuestion) else (top,))
    ]
    assert typed
    for q in typed:
        try:
            parse(q, reply)
        except TypedError as exc:
            assert str(exc)
            if not isinstance(q, TextQuestion):
                assert len(str(exc)) < 500
    number = choice_number(reply, 20)
    assert number is None or 1 <= number <= 20


# --- cases files ------------------------------------------------------------------------------

_HOSTILE_NUMBERS = [
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1e400",
    "1" + "0" * 5000,
    "0x0A",
    "1:30",
    "010",
    "1_0",
    "1e1",
    "-0",
    "",
    '"',
    "\x00",
]


@st.composite
def hostile_cases(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text) of a cases file in one of the four formats, answers broken with
    hostile numbers, odd shapes or deep nesting."""
    fmt = draw(st.sampled_from(["csv", "json", "jsonl", "yaml"]))
    number = draw(st.sampled_from(_HOSTILE_NUMBERS))
    key = draw(st.sampled_from(sorted(BASE_ANSWERS)))
    answers = {**BASE_ANSWERS}
    if fmt == "csv":
        # A CSV row has no place for a group's items (`marks`): those columns are left out.
        cells = {
            k: (";".join(v) if isinstance(v, list) else str(v))
            for k, v in answers.items()
            if not (isinstance(v, list) and any(isinstance(i, dict) for i in v))
        }
        cells[key] = number
        header = "case_id," + ",".join(cells)
        row = "a," + ",".join(cells.values())
        extra = draw(st.sampled_from(["", ",x,y", "\n" + '"' * 3, "\n" + "9" * 200_000]))
        return "c.csv", header + "\n" + row + extra + "\n"
    if fmt == "yaml":
        body = "\n".join(f"      {k}: {json.dumps(v)}" for k, v in answers.items() if k != key)
        text = f"cases:\n  - id: a\n    answers:\n{body}\n      {key}: {number}\n"
        if draw(st.booleans()):
            text = draw(alias_yaml()) + text
        return "c.yaml", text
    text = json.dumps({"answers": answers}).replace(f'"{key}": ', f'"{key}": {number} , "_x": ')
    shape = draw(st.sampled_from(["plain", "deep", "context", "list"]))
    if shape == "deep":
        depth = draw(st.integers(1, 100_000))
        text = "[" * depth + "]" * depth
    elif shape == "context":
        text = json.dumps({"answers": answers, "context": draw(st.sampled_from([5, "x", [1], {}]))})
    elif shape == "list":
        text = "[" + text + "]"
    return ("c.json", text) if fmt == "json" else ("c.jsonl", text + "\n" + text + "\n")


def check_cases(protocol: Protocol, name: str, text: str) -> None:
    questions = {q.id: q for q in protocol.questions}
    try:
        cases = list(read_cases(name, io.StringIO(text), questions))
    except CaseFileError as exc:
        assert str(exc).startswith(name)
        return
    for case in cases:
        pathway, why = run_case(protocol, case)
        assert (pathway is None) != (why is None)


# --- scenario files ---------------------------------------------------------------------------


@st.composite
def hostile_scenarios(draw: st.DrawFn) -> bytes:
    """The bundled scenario file with a splice of hostile text, or alias structures."""
    kind = draw(st.sampled_from(["splice", "aliases", "number"]))
    if kind == "aliases":
        return (draw(alias_yaml()) + SCENARIOS.decode()).encode()
    if kind == "number":
        at = SCENARIOS.find(b"age_weeks: ")
        return (
            SCENARIOS[: at + 11]
            + draw(st.sampled_from(_HOSTILE_NUMBERS)).encode()
            + b"\n"
            + (SCENARIOS[SCENARIOS.find(b"\n", at) + 1 :])
        )
    at = draw(st.integers(0, len(SCENARIOS)))
    return SCENARIOS[:at] + draw(st.binary(min_size=1, max_size=40)) + SCENARIOS[at:]


def check_scenarios(protocol: Protocol, raw: bytes) -> Any:
    loaded = load_scenarios(raw, "fuzz-scenarios.yaml")
    if loaded.scenarios is None:
        assert loaded.problems
        return None
    return run_file(protocol, loaded)

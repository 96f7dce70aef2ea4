"""The analysis can never disagree with the engine (issue 13): arithmetic on anything but numbers
and questions nobody can answer are refused before any analysis, and an analysis that could not
finish in its budget is an error, never a pass."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bruising_check.analysis import TooLarge, analyse
from bruising_check.cli import _register, app
from bruising_check.problems import Code
from tests.conftest import load_text
from tests.test_validation_codes import MINIMAL

_register()
runner = CliRunner()

BOOLEAN_ARITHMETIC = MINIMAL.replace(
    "derived:\n",
    "derived:\n"
    "  - id: n\n"
    "    label: N\n"
    "    type: number\n"
    "    value: {add: [{question: mobile}, 1]}\n"
    "    cite: [s1]\n",
    1,
).replace("{question: mobile, equals: true}", "{fact: n, gt: 1.5}")


def _problem(text: str, code: Code) -> tuple[int, int]:
    loaded = load_text(text)
    found = [p for p in loaded.problems if p.code is code]
    assert found, [p.format() for p in loaded.problems]
    assert not loaded.ok
    return found[0].line, found[0].column


def test_arithmetic_on_a_yes_no_answer_is_a_located_error() -> None:
    line, column = _problem(BOOLEAN_ARITHMETIC, Code.ARITHMETIC_NOT_NUMBER)
    text_line = BOOLEAN_ARITHMETIC.splitlines()[line - 1]
    assert "{question: mobile}" in text_line
    assert text_line[column - 1 :].startswith("mobile}")


def test_arithmetic_on_a_choice_answer_or_boolean_fact_is_refused() -> None:
    on_choice = BOOLEAN_ARITHMETIC.replace("{question: mobile}", "{question: marks}")
    _problem(on_choice, Code.ARITHMETIC_NOT_NUMBER)
    on_fact = BOOLEAN_ARITHMETIC.replace("{question: mobile}", "{fact: young}")
    _problem(on_fact, Code.ARITHMETIC_NOT_NUMBER)
    on_number = BOOLEAN_ARITHMETIC.replace("{question: mobile}", "{question: age}")
    assert Code.ARITHMETIC_NOT_NUMBER not in [p.code for p in load_text(on_number).problems]


def test_validate_refuses_the_boolean_arithmetic_protocol(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BOOLEAN_ARITHMETIC, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "error ARITHMETIC_NOT_NUMBER" in result.stderr
    assert "can never match" not in result.output


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        (
            "      - {id: scratch, label: Scratch}\n",
            "      - {id: scratch, label: Scratch}\n    min_selected: 3\n",
            "min_selected: 3",
        ),
        ("    min: 0\n    max: 100\n", "    min: 0.5\n    max: 0.5\n", "min: 0.5"),
    ],
)
def test_a_question_nobody_can_answer_is_an_error_with_its_reason(
    old: str, new: str, where: str
) -> None:
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    line, _ = _problem(text, Code.UNANSWERABLE)
    assert where in text.splitlines()[line - 1]
    message = next(p.message for p in load_text(text).problems if p.code is Code.UNANSWERABLE)
    assert "can never be answered" in message


def test_an_integer_range_holding_an_integer_is_answerable() -> None:
    text = MINIMAL.replace("    min: 0\n    max: 100\n", "    min: 0.5\n    max: 1.5\n", 1)
    assert Code.UNANSWERABLE not in [p.code for p in load_text(text).problems]


def test_the_time_budget_stops_the_search() -> None:
    protocol = load_text(MINIMAL).protocol
    assert protocol is not None
    with pytest.raises(TooLarge, match=r"stopped after 0 s"):
        analyse(protocol, budget_seconds=0.0)
    assert analyse(protocol, budget_seconds=30).total > 0


def test_validate_and_diff_exit_1_when_the_analysis_cannot_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    ok = runner.invoke(app, ["validate", str(path), "--budget", "2"])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["diff", str(path), str(path)]).exit_code == 0

    class Clock:
        """Every reading an hour later: any budget runs out at the first time check."""

        now = 0.0

        def monotonic(self) -> float:
            self.now += 3600
            return self.now

    import bruising_check.analysis.build as build
    import bruising_check.analysis.groups as groups
    import bruising_check.analysis.search as search

    # One clock for every module that reads it: the deadline is set in `build` and checked in
    # `search` and `groups` (with the real clock for the deadline, the test would depend on how
    # long the machine has been up).
    clock = Clock()
    for module in (build, search, groups):
        monkeypatch.setattr(module, "time", clock)
    slow = runner.invoke(app, ["validate", str(path), "--budget", "2"])
    assert slow.exit_code == 1
    assert "error ANALYSIS_TOO_LARGE" in slow.stderr and "stopped after 2 s" in slow.stderr
    diffed = runner.invoke(app, ["diff", str(path), str(path), "--budget", "2"])
    assert diffed.exit_code == 1
    assert "behaviour was not compared" in diffed.stderr
    assert runner.invoke(app, ["validate", str(path), "--budget", "0"]).exit_code == 2


def test_the_engine_refuses_arithmetic_on_a_yes_no_answer_too() -> None:
    from bruising_check.engine.evaluate import compute
    from bruising_check.protocol.model import Add, Ref

    expr = Add(add=(Ref(question="mobile"), 1))
    assert compute(expr, {"mobile": 3}) == 4
    with pytest.raises(TypeError, match="not a number"):
        compute(expr, {"mobile": True})
    with pytest.raises(TypeError, match="not a number"):
        compute(expr, {"mobile": ("bruise",)})


OPERANDS: dict[str, list[object]] = {
    "equals": [True, 3, "bruise", ["bruise"]],
    "in": [[True], [3, 4], ["bruise", "scratch"]],
    "includes_any": [["bruise"]],
    "includes_all": [["bruise", "scratch"]],
    "is_empty": [True, False],
    "answered": [True, False],
    "known": [True, False],
    "lt": [3],
    "le": [50],
    "gt": [0.5],
    "ge": [99],
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["mobile", "age", "marks", "young", "n"]),
    st.sampled_from(sorted(OPERANDS)),
    st.data(),
)
def test_every_operator_on_every_type_is_refused_or_agrees_with_the_engine(
    subject: str, op: str, data: st.DataObject
) -> None:
    """Whatever operator meets whatever question or fact: either validation refuses it, or the
    engine's pathway for a random complete answer set is one the analysis says is possible."""
    from bruising_check.engine.decide import decide

    operand = data.draw(st.sampled_from(OPERANDS[op]))
    kind = "fact" if subject in ("young", "n") else "question"
    cond = {kind: subject, op: operand}
    arithmetic = data.draw(st.sampled_from(["age", "mobile", "marks"]))
    text = MINIMAL.replace(
        "derived:\n",
        "derived:\n  - id: n\n    label: N\n    type: number\n"
        f"    value: {{add: [{{question: {arithmetic}}}, 1]}}\n    cite: [s1]\n",
        1,
    ).replace(
        "{question: mobile, equals: true}", yaml.safe_dump(cond, default_flow_style=True).strip()
    )
    loaded = load_text(text)
    if not loaded.ok or loaded.protocol is None:
        assert any(p.severity == "error" for p in loaded.problems)
        return
    protocol = loaded.protocol
    result = analyse(protocol, budget_seconds=30)
    possible = set(result.pathway_sizes)
    answers = {
        "mobile": data.draw(st.booleans()),
        "age": data.draw(st.integers(0, 100)),
        "marks": tuple(data.draw(st.sets(st.sampled_from(["bruise", "scratch"])))),
    }
    decision = decide(protocol, answers)
    rule = decision.deciding_rule
    got = "(none)" if rule is None else str(rule.pathway)
    assert got in possible, (cond, answers, possible)

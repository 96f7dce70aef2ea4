"""Issue 13: the second round of hostile input. Every attack gives a clear error (exit 1 or 2, no
traceback) or the correct result; the guided check survives every typed attack with its answers.
The files are in tests/hostile/ (see its README); bench/hostile.py times each in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.cli.common import READ_LIMIT
from bruising_check.engine.decide import decide
from bruising_check.protocol.limits import RECORD_LIMIT, record_size_bound
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import (
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.protocol.yamlread import MAX_BYTES
from bruising_check.records.record import build_record, to_json
from bruising_check.records.session import QuestionScreen, ReviewScreen, Session
from bruising_check.records.verify import MAX_RECORD_BYTES
from tests.conftest import BASELINE, ROOT
from tests.fuzzing import NOW
from tests.hostile import (
    ANSWERS_CORRECT,
    CASES,
    GOOD_ANSWERS,
    analysis_attacks,
    record_amplifier,
    write_big_cases,
)
from tests.test_guided_session import V01, Script
from tests.test_hostile import DRIVER, PWNED

_register()
runner = CliRunner()
V2 = ROOT / "protocols" / "examples" / "exampleshire-v2.yaml"
# exampleshire is written for answers v1, so cases files are diffed from the v1 baseline.
BASELINE_V1_PATH = ROOT / "protocols" / "examples" / "national-baseline-v1.yaml"
BASELINE_V1 = str(BASELINE_V1_PATH)


def assert_no_crash(result: Any) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in result.output


def test_the_limits_agree_across_layers() -> None:
    assert READ_LIMIT == MAX_BYTES
    assert RECORD_LIMIT == MAX_RECORD_BYTES


# --- answers that YAML 1.1 would have read as another number ----------------------------------


@pytest.mark.parametrize("path", ANSWERS_CORRECT, ids=lambda p: p.name)
def test_yaml_1_2_numbers_give_the_right_answer(path: Path) -> None:
    result = runner.invoke(app, ["check", "--answers", str(path), "--format", "json"])
    assert_no_crash(result)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["answers"]["age_weeks"] == 10  # not 8 (octal), whatever way it was written


# --- cases files for diff --cases -------------------------------------------------------------

# A correct result: (cases run under both versions, cases one version could not run).
CORRECT_CASES = {
    "nan-and-inf-cells.csv": (2, 6),  # two good rows; nan, inf, ... each a per-case error
    "record-odd-context.json": (1, 0),
    "yaml-leading-zero.yaml": (1, 0),
}


def _diff_cases(path: Path) -> Any:
    return runner.invoke(
        app, ["diff", BASELINE_V1, str(V2), "--cases", str(path), "--format", "json"]
    )


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_hostile_cases_files(path: Path) -> None:
    PWNED.unlink(missing_ok=True)
    result = _diff_cases(path)
    assert_no_crash(result)
    if path.name in CORRECT_CASES:
        ran, unrunnable = CORRECT_CASES[path.name]
        # A case one version could not run is reported and is not a pass.
        assert result.exit_code == (1 if unrunnable else 0), result.stderr
        impact = json.loads(result.stdout)["impact"]
        assert (impact["ran"], impact["not_run"]) == (ran, unrunnable)
        assert impact["total"] - impact["unrunnable_total"] // 2 >= ran
        assert sum(t["count"] for t in impact["transitions"]) == ran
        cases = {u["case"] for u in impact["unrunnable"]}
        assert len(cases) == unrunnable, impact["unrunnable"]
        if path.suffix == ".csv":
            assert all("age_weeks" in u["reason"] for u in impact["unrunnable"])
    else:
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        first = result.stderr.splitlines()[0]
        assert first.startswith(str(path)), first
        assert len(first) < 500 and "\x1b" not in result.stderr
    assert not PWNED.exists()


# --- big files and special files, in a process with bounded memory ----------------------------

MEMORY_LIMIT_MIB = 1024
PEAK_TARGET_MIB = 300


def _run_bounded(runs: list[list[str]], timeout: float = 300) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(MEMORY_LIMIT_MIB)],
        input="".join(json.dumps(r) + "\n" for r in runs),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(runs) + 1
    return results


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_big_cases_files_and_protocols_within_limits(tmp_path: Path) -> None:
    amplifier = tmp_path / "record-amplifier.yaml"
    amplifier.write_bytes(record_amplifier())
    answers = tmp_path / "good.yaml"
    answers.write_text(GOOD_ANSWERS, encoding="utf-8")
    big_cases = write_big_cases(tmp_path)
    runs = [
        *(["diff", BASELINE_V1, str(V2), "--cases", str(p)] for p in big_cases),
        ["validate", str(amplifier)],
        ["check", str(amplifier), "--answers", str(answers)],
    ]
    # Each attack in its own bounded process: the target is per attack (a process that ran them
    # all one after another would also count what earlier runs left in memory).
    results: list[dict[str, Any]] = []
    peaks: list[Any] = []
    for run in runs:
        *result, peak = _run_bounded([run])
        results.extend(result)
        peaks.append((run[0], peak["peak_mib"]))
    for r in results:
        assert r["exception"] is None, r["exception"]
        assert r["code"] in (1, 2), (r["args"], r["stderr"][:300])
        assert "Traceback" not in r["stderr"]
        assert all(len(line) < 500 for line in r["stderr"].splitlines())
    validate = results[len(big_cases)]
    assert "could make a record of up to" in validate["stderr"]
    assert all(mib < PEAK_TARGET_MIB for _, mib in peaks), peaks


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_the_costliest_protocols_are_an_error_within_the_budget(tmp_path: Path) -> None:
    """Clean protocols that cost the analysis the most (a gap behind 1,999 threshold rules, 12
    multiple-choice questions of 40 options, 2,000 questions and 2,000 rules): `validate` (and
    `validate --against` for the gap) exits 1 with a located error (the gap, or "could not
    finish"), never 0, each in a bounded process under the peak-memory target."""
    runs = []
    for name, data in analysis_attacks().items():
        path = tmp_path / name
        path.write_bytes(data)
        runs.append(["validate", str(path), "--budget", "1"])
        if name.startswith("threshold"):
            runs.append(["validate", str(path), "--budget", "1", "--against", BASELINE_V1])
    for run in runs:
        result, peak = _run_bounded([run])
        assert result["exception"] is None, result["exception"]
        assert result["code"] == 1, (run, result["stderr"][:300])
        first = result["stderr"].splitlines()[0]
        assert first.startswith(f"{run[1]}:") and ": error " in first, first
        assert "Traceback" not in result["stderr"]
        assert peak["peak_mib"] < PEAK_TARGET_MIB, (run, peak)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_devices_and_folders_are_refused_at_once(tmp_path: Path) -> None:
    """Every command that reads a file, given a FIFO with no writer (which would block for
    ever), /dev/zero (which never ends) or a folder: exit 2 at once, nothing read."""
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    good = tmp_path / "good.yaml"
    good.write_text(GOOD_ANSWERS, encoding="utf-8")
    scenarios = str(ROOT / "protocols" / "scenarios" / "baseline-rules.yaml")
    runs = []
    for bad in (str(fifo), "/dev/zero", str(tmp_path)):
        runs += [
            ["validate", bad],
            ["check", bad, "--answers", str(good)],
            ["check", "--answers", bad],
            ["show", bad],
            ["show", "national-baseline", "--format", "tree", "--highlight", bad],
            ["diff", bad, "national-baseline"],
            ["diff", "national-baseline", str(V2), "--cases", bad],
            ["test", "national-baseline", bad],
            ["test", bad, scenarios],
            ["verify-record", bad],
            ["quiz", "--scenarios", bad],
            ["quiz", "--review", bad],
        ]
    runs = [
        r for r in runs if not (r[-1] == str(tmp_path) and r[:2] == ["diff", "national-baseline"])
    ]
    start = time.perf_counter()
    *results, _ = _run_bounded(runs, timeout=120)
    assert time.perf_counter() - start < 5 * len(runs)
    for r in results:
        assert r["exception"] is None, (r["args"], r["exception"])
        assert r["code"] == 2, (r["args"], r["code"], r["stderr"][:300])
        assert "Traceback" not in r["stderr"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_diff_refuses_a_bad_cases_file_or_taken_output_before_comparing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO, a device, a missing cases file (also inside a folder of cases) or an --output that
    exists ends `diff` with exit 2 before the behavioural comparison, which can take the whole
    budget: refused at once, not after the work."""
    import bruising_check.analysis as analysis

    def no_comparison(*args: object, **kwargs: object) -> object:
        raise AssertionError("the comparison ran before the input was refused")

    monkeypatch.setattr(analysis, "compare", no_comparison)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    folder = tmp_path / "cases"
    folder.mkdir()
    os.mkfifo(folder / "in-a-folder.csv")
    taken = tmp_path / "taken.txt"
    taken.write_text("keep", encoding="utf-8")
    diff = ["diff", BASELINE_V1, str(V2)]
    for args in (
        ["--cases", str(fifo)],
        ["--cases", "/dev/zero"],
        ["--cases", str(tmp_path / "missing.csv")],
        ["--cases", str(folder)],
        ["--output", str(taken)],
    ):
        result = runner.invoke(app, [*diff, *args])
        assert_no_crash(result)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.splitlines()[0].startswith(args[1]), result.stderr
    assert taken.read_text(encoding="utf-8") == "keep"


# --- typed attacks in the guided check --------------------------------------------------------

TYPED_ATTACKS = [
    "²",  # a superscript two: str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic three
    "9" * 400 + "w",  # overflows a float
    "9" * 5000,  # over Python's 4,300-digit limit for int()
    "1," + "²",
    "1e5",
    "1_0",
    "\x00",
    "\x1b[2J\x1b]52;c;ZXZpbA==\x07",
    "x" * 100_000,
    "0x0A",
    "NaN",
    "-inf",
]


class Attacker(Script):
    """Before the first real reply to every screen (not free text, where anything is text),
    types `attack`; the session must re-ask and then take the real reply."""

    def __init__(self, replies: list[str], attack: str) -> None:
        super().__init__(replies)
        self.attack = attack
        self.attacked: set[tuple[str, str]] = set()

    def __call__(self, screen: Any) -> str:
        key: tuple[str, str] | None = None
        if isinstance(screen, QuestionScreen) and not isinstance(screen.question, TextQuestion):
            key = (screen.stage, screen.question.id)
        elif isinstance(screen, ReviewScreen):
            key = ("review", "")
        if key is not None and key not in self.attacked:
            self.attacked.add(key)
            self.screens.append(screen)
            return self.attack
        return super().__call__(screen)


@pytest.fixture(scope="module")
def baseline() -> Protocol:
    protocol = load_protocol(BASELINE.read_bytes(), str(BASELINE)).protocol
    assert protocol is not None
    return protocol


@pytest.fixture(scope="module")
def baseline_v1() -> Protocol:
    """The v1 baseline: the scripted replies V01 answer its questions."""
    protocol = load_protocol(BASELINE_V1_PATH.read_bytes(), BASELINE_V1).protocol
    assert protocol is not None
    return protocol


@pytest.mark.parametrize("attack", TYPED_ATTACKS, ids=lambda a: repr(a[:12]))
def test_the_guided_check_survives_every_typed_attack(baseline_v1: Protocol, attack: str) -> None:
    replies = [*V01, "", "", "", "", "", ""]
    plain = Session(baseline_v1, "0" * 64, Script(list(replies)), lambda: NOW).run()
    script = Attacker(list(replies), attack)
    attacked = Session(baseline_v1, "0" * 64, script, lambda: NOW).run()
    assert attacked.answers == plain.answers
    assert attacked.context == plain.context
    assert len(script.attacked) >= 14  # every question, the review and the context prompts
    errors = [
        s
        for s in script.screens
        if (message := getattr(s, "message", None)) is not None and message.kind == "error"
    ]
    assert errors, "the attack was never answered with a message"


# --- a record never outgrows what verify-record reads -----------------------------------------


@st.composite
def answer_sets(draw: st.DrawFn, protocol: Protocol) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in protocol.questions:
        if isinstance(q, BooleanQuestion):
            answers[q.id] = draw(st.booleans())
        elif isinstance(q, SingleChoiceQuestion):
            answers[q.id] = draw(st.sampled_from([o.id for o in q.options]))
        elif isinstance(q, MultipleChoiceQuestion):
            answers[q.id] = draw(st.lists(st.sampled_from([o.id for o in q.options]), unique=True))
        elif isinstance(q, NumberQuestion):
            answers[q.id] = draw(st.integers(int(q.min), int(q.max)))
        elif isinstance(q, TextQuestion):
            answers[q.id] = draw(
                st.text(alphabet=st.sampled_from("a\x01\u0085\u202e"), max_size=q.max_length)
            )
    return answers


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_record_is_never_larger_than_the_protocol_bound(
    baseline: Protocol, data: st.DataObject
) -> None:
    answers = data.draw(answer_sets(baseline))
    record = build_record(baseline, "0" * 64, decide(baseline, answers), created_at=NOW)
    assert len(to_json(record).encode("utf-8")) <= record_size_bound(baseline)


# --- progress on long runs --------------------------------------------------------------------


def _many_cases(tmp_path: Path, count: int) -> Path:
    from tests.conftest import BASE_ANSWERS_V1

    path = tmp_path / "many.jsonl"
    line = json.dumps({"answers": BASE_ANSWERS_V1}) + "\n"
    path.write_text(line * count, encoding="utf-8")
    return path


def test_no_progress_when_not_a_terminal(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["diff", BASELINE_V1, str(V2), "--cases", str(_many_cases(tmp_path, 2500))]
    )
    assert result.exit_code == 0, result.stderr
    assert "so far" not in result.stderr and "\r" not in result.stderr


def test_progress_on_a_terminal_for_thousands_of_cases(tmp_path: Path) -> None:
    import pexpect

    cases = _many_cases(tmp_path, 2500)
    out = tmp_path / "report.txt"
    args = ["diff", BASELINE_V1, str(V2), "--cases", str(cases), "--output", str(out)]
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bruising_check", *args],
        encoding="utf-8",
        timeout=120,
    )
    child.expect("Re-running cases under both versions: 2,000 so far")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "2,500" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"ACCESSIBLE": "1"}, {"TERM": "dumb"}])
def test_progress_without_cursor_tricks_where_plain_is_wanted(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """As `check --plain`: each count a line of its own, ended by a newline; no carriage
    return rewriting it and no escape clearing it."""
    import pexpect

    cases = _many_cases(tmp_path, 2500)
    out = tmp_path / "report.txt"
    args = ["diff", BASELINE_V1, str(V2), "--cases", str(cases), "--output", str(out)]
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bruising_check", *args],
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "TERM": "xterm", **env},
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = child.before
    assert "Re-running cases under both versions: 2,000 so far\r\n" in shown  # a pty's newline
    assert "\x1b" not in shown and "\rRe-running" not in shown
    assert "2,500" in out.read_text(encoding="utf-8")

"""demo and quiz once each through a real pseudo-terminal, as a trainer at a keyboard meets them."""

from __future__ import annotations

import os
import sys

import pexpect

from tests.conftest import ROOT

SCENARIOS = ROOT / "protocols" / "scenarios"


def spawn(*args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bruising_check", *args],
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 90),
        # PYTHONPATH kept: the package under test, not one installed elsewhere.
        env={
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TERM": "xterm",
            **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
            **(env or {}),
        },
    )
    return child


def test_demo_in_a_terminal_waits_for_enter() -> None:
    child = spawn("demo", "--scenario", f"{SCENARIOS / 'baseline-rules.yaml'}#BL-R14")
    child.expect("DEMO  BL-R14: Torn frenulum")
    child.expect(r"\[1/10\] Is the child in immediate danger")
    child.expect("Enter to continue")
    child.sendline("")
    child.expect(r"\[2/10\] Is the child seriously unwell")
    pauses = 1
    while child.expect(["Enter to continue", "Decided by rule B6:"]) == 0:
        pauses += 1
        child.sendline("")
    # 10 questions, less the one not asked for this child (mobility seen by a professional) and
    # the optional notes left blank, which do not stop.
    assert pauses == 8
    child.expect("does not replace, professional judgement")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_quiz_asks_the_protocols_questions_and_pauses_after_feedback() -> None:
    child = spawn("quiz", "--scenarios", str(SCENARIOS / "public-examples-v2.yaml"))
    child.expect("Case 1 of 10")
    child.expect("a 1 cm blue bruise on the left cheek")  # the narrative
    # The protocol's own questions, read from the narrative, not handed over as answers.
    child.expect("Which of these can the child do by themselves now")
    child.expect(r"Your answer \(numbers such as 1,3, or none; \? why we ask; q to stop\): ")
    child.sendline("none")
    child.expect("diagnosed condition that causes bruising")
    child.sendline("2")
    child.expect("Mark 1 of 1: What kind of mark is it")
    child.sendline("1")
    child.expect("Mark 1 of 1: Where is it")
    child.sendline("99")
    child.expect("not one of the numbers shown")
    child.sendline("cheek")
    child.expect("Mark 1 of 1: Is it patterned")
    child.sendline("3")  # not sure
    child.expect("Mark 1 of 1: What is the explanation")
    child.sendline("1")
    child.expect(r"Your answer \(1-6, q to stop\): ")
    child.sendline("3")  # refer today
    child.expect("DIFFERS  Mark 1 of 1: Is it patterned")
    child.expect("Right: ")
    child.expect("Rule B6:")
    child.expect("Enter for the next case, q to stop")
    # It waits: the next case does not scroll the feedback away until Enter.
    assert child.expect(["Case 2 of 10", pexpect.TIMEOUT], timeout=0.5) == 1
    child.sendline("")
    child.expect("Case 2 of 10")
    child.expect("Your answer")
    child.sendline("q")
    child.expect(
        r"Score: 1 of 1 \(1 of 1 pathways right; 5 of 6 answers read as the scenario does\)"
    )
    child.expect(r"Is it patterned\? \(marks.patterned\): 1 of 1 differed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_show_pdf_refuses_to_pour_binary_into_a_terminal() -> None:
    child = spawn("show", "--format", "pdf")
    child.expect("This format is binary: give --output FILE to save it.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


ESCAPE = "\x1b["
PLAIN_WAYS: list[tuple[dict[str, str], tuple[str, ...]]] = [
    ({"NO_COLOR": "1"}, ()),
    ({"TERM": "dumb"}, ()),
    ({"ACCESSIBLE": "1"}, ()),
    ({}, ("--plain",)),
]


def _all_output(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return str(child.before)


def test_demo_and_quiz_are_plain_as_check_is() -> None:
    """As check: NO_COLOR, TERM=dumb, ACCESSIBLE=1 or --plain give text with no colour or bold
    (screen readers); in an ordinary terminal without them the headings are bold."""
    demo = ("demo", "--scenario", f"{SCENARIOS / 'baseline-rules.yaml'}#BL-R02", "--no-pause")
    styled = _all_output(spawn(*demo))
    assert ESCAPE in styled and "DEMO  BL-R02" in styled
    for env, flags in PLAIN_WAYS:
        out = _all_output(spawn(*demo, *flags, env=env))
        assert "DEMO  BL-R02" in out and "does not replace, professional judgement" in out
        assert ESCAPE not in out, (env, flags)
    quiz = ("quiz", "--scenarios", str(SCENARIOS / "public-examples-v2.yaml"))
    for env, flags in [({}, ()), *PLAIN_WAYS]:
        child = spawn(*quiz, *flags, env=env)
        child.expect("Case 1 of 10")
        seen = str(child.before)
        child.expect("Your answer")
        seen += str(child.before)
        child.sendline("q")
        seen += _all_output(child)
        assert (ESCAPE in seen) is (not env and not flags), (env, flags)

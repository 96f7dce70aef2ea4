"""End to end in a real pseudo-terminal (pexpect), as a person would type: answer, go back once,
review, save, then read the saved record. Also Ctrl-C: a clean stop, no traceback, nothing saved.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect

from tests.conftest import BASELINE_V1
from tests.sigint import default_sigint
from tests.test_guided_session import V01

PROMPT = "\r\n> "


def spawn(tmp_path: Path, *args: str, **env: str) -> pexpect.spawn:
    clean = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "ACCESSIBLE"}}
    clean.update({"TERM": "xterm-256color", "BRUISING_CHECK_NOW": "2026-11-27T10:30:00+00:00"})
    clean.update(env)
    return pexpect.spawn(
        sys.executable,
        ["-m", "bruising_check", "check", str(BASELINE_V1), *args],
        cwd=str(tmp_path),
        env=clean,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
        preexec_fn=default_sigint,
    )


def test_a_person_answers_goes_back_once_and_saves(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--record-dir", str(tmp_path))
    child.expect("Is the child seriously unwell")
    child.expect(PROMPT)
    child.sendline("n")
    child.expect("How old is the child")
    child.expect(PROMPT)
    child.sendline("11")
    child.expect("Gestation at birth")
    child.expect(PROMPT)
    child.sendline("b")  # oops: the baby is 10 weeks
    child.expect("How old is the child")
    child.expect(PROMPT)
    child.sendline("10w")
    for reply in V01[2:]:
        child.expect(PROMPT)
        child.sendline(reply)
    child.expect("Review your answers")
    child.expect(PROMPT)
    child.sendline("")
    child.expect("PATHWAY:")
    child.expect("REFER TODAY")
    for reply in ["1", "", "3", "", "Father works away"]:
        child.expect(PROMPT)
        child.sendline(reply)
    child.expect("Your name")
    child.sendline("")
    child.expect("Your role")
    child.sendline("Health visitor")
    child.expect("Child reference")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = sorted(tmp_path.glob("*.json"))
    assert [p.name for p in saved] == ["bruising-check-20261127-103000.json"]
    assert (tmp_path / "bruising-check-20261127-103000.pdf").exists()
    record = json.loads(saved[0].read_text(encoding="utf-8"))
    assert record["answers"]["age_weeks"] == 10
    assert record["outcome"]["id"] == "refer_same_day_csc_and_paediatric"
    assert record["header"] == {
        "practitioner": None,
        "role": "Health visitor",
        "child_reference": None,
    }
    context = {c["id"]: c["answer"] for c in record["context"]}
    assert context["carers_seen"] == "all_identified_and_seen"
    assert context["other_children"] == "not_known"
    assert context["context_notes"] == "Father works away"


def test_ctrl_c_stops_cleanly_and_saves_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--record-dir", str(tmp_path))
    child.expect(PROMPT)
    child.sendline("n")
    child.expect(PROMPT)
    child.sendintr()
    child.expect("Nothing was saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert list(tmp_path.iterdir()) == []


def test_plain_mode_from_the_environment_has_no_colour_or_boxes(tmp_path: Path) -> None:
    child = spawn(tmp_path, NO_COLOR="1")
    child.expect(PROMPT)
    shown = child.before or ""
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert "\x1b[" not in shown and "─" not in shown
    assert "-- Safety first - Question 1, 14 more --" in shown


def test_each_mark_on_its_own_in_a_real_terminal(tmp_path: Path) -> None:
    from tests.guided_marks import MARKS_PROTOCOL

    protocol = tmp_path / "marks.yaml"
    protocol.write_text(MARKS_PROTOCOL, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "ACCESSIBLE"}}
    clean.update({"TERM": "xterm-256color", "BRUISING_CHECK_NOW": "2026-11-27T10:30:00+00:00"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bruising_check", "check", str(protocol), "--record-dir", str(out)],
        env=clean,
        encoding="utf-8",
        timeout=20,
        dimensions=(50, 100),
        preexec_fn=default_sigint,
    )

    def answer(expected: str, reply: str) -> None:
        child.expect(expected)
        child.expect(PROMPT)
        child.sendline(reply)

    answer("How old is the child", "10")
    answer("Gestation at birth", "32+4")
    answer("A diagnosed condition", "2")
    answer("Mark 1 - question 1", "1")
    child.expect("Head: 1 scalp; 2 forehead")  # sites grouped by body area, one line each
    child.expect(PROMPT)
    child.sendline("cheek")
    for reply in ["1", "1", "", "?"]:
        child.expect(PROMPT)
        child.sendline(reply)
    child.expect("can only make the result more urgent")
    for reply in ["3", "n", "1", "He woke up with it"]:
        child.expect(PROMPT)
        child.sendline(reply)
    child.expect("Mark 1: Bruise, Face: cheek \\(the fleshy part\\), Left")
    child.expect("Another mark\\? Type y or n")
    child.sendline("n")
    child.expect("Review your answers")
    child.expect("Mark 1")
    child.expect("a to add a mark")
    child.expect(PROMPT)
    child.sendline("")
    child.expect("REFER TODAY")
    child.expect("Record a carer\\? Type y or n")
    child.sendline("y")
    answer("Who is this carer", "2")
    answer("Have you seen this carer", "2")
    child.expect("Carer 1: Father, seen: No")
    child.expect("Another carer\\? Type y or n")
    child.sendline("n")
    answer("Has ICON been discussed", "")
    for _ in range(3):  # name, role, child reference
        child.expect("optional, Enter to skip")
        child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = sorted(out.glob("*.json"))
    record = json.loads(saved[0].read_text(encoding="utf-8"))
    assert record["answers"]["gestation_weeks_at_birth"] == 32
    assert record["answers"]["marks"] == [
        {"type": "bruise", "site": "cheek", "side": "left", "size_cm": 1, "count": 1,
         "patterned": None, "witnessed": False, "explanation": "none_given",
         "explained_by": None, "account": "He woke up with it"},
    ]  # fmt: skip
    carers = next(c for c in record["context"] if c["id"] == "carers")
    assert carers["answer"] == [{"relationship": "father", "seen": "no"}]


def test_the_bundled_baseline_records_a_cheek_bruise_and_a_heel_prick_bruise(
    tmp_path: Path,
) -> None:
    """Issue 12's case on the bundled version 2.0, typed in a real terminal: refer today, both
    marks in the record, each with its own side and explanation."""
    clean = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "ACCESSIBLE"}}
    clean.update({"TERM": "xterm-256color", "BRUISING_CHECK_NOW": "2026-11-27T10:30:00+00:00"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bruising_check", "check", "--record-dir", str(tmp_path)],
        env=clean,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 100),
        preexec_fn=default_sigint,
    )
    child.expect("Is the child in immediate danger")
    cheek = ["1", "cheek", "1", "1", "", "", "2", "1", "1", "No idea"]
    heel = ["1", "sole", "1", "0.5", "", "", "2", "7", "2", "Heel prick"]
    for replies, then in [(["2", "none", "13", "40", "none", "1", "2", *cheek], "y"), (heel, "n")]:
        for reply in replies:
            child.expect(PROMPT)
            child.sendline(reply)
        child.expect("Another mark\\? Type y or n")
        child.sendline(then)
    child.expect(PROMPT)  # notes
    child.sendline("")
    child.expect("Review your answers")
    child.expect("Mark 2")
    child.expect(PROMPT)
    child.sendline("")
    child.expect("REFER TODAY")
    child.expect("Record a carer\\? Type y or n")
    child.sendline("n")
    for _ in range(4):  # other children, their ages, ICON, notes
        child.expect(PROMPT)
        child.sendline("")
    for _ in range(3):
        child.expect("optional, Enter to skip")
        child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    record = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert record["outcome"]["id"] == "refer_same_day_csc_and_paediatric"
    marks = record["answers"]["marks"]
    assert [(m["site"], m["side"], m["explanation"]) for m in marks] == [
        ("cheek", "left", "none_given"),
        ("sole", "left", "documented_procedure_or_birth_injury"),
    ]

"""End to end in a real pseudo-terminal (pexpect), as a person would type: answer, go back once,
review, save, then read the saved record. Also Ctrl-C: a clean stop, no traceback, nothing saved.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect

from tests.test_guided_session import V01

PROMPT = "\r\n> "


def spawn(tmp_path: Path, *args: str, **env: str) -> pexpect.spawn:
    clean = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "ACCESSIBLE"}}
    clean.update({"TERM": "xterm-256color", "BRUISING_CHECK_NOW": "2026-11-27T10:30:00+00:00"})
    clean.update(env)
    return pexpect.spawn(
        sys.executable,
        ["-m", "bruising_check", "check", *args],
        cwd=str(tmp_path),
        env=clean,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
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

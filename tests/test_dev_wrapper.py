"""The README's own command, `python3 dev.py check`, in a real pseudo-terminal: Ctrl-C reaches the
tool (exit 130, "Nothing was saved", no traceback from the wrapper or the tool).

dev.py is copied into a temporary folder with a ready-made `.venv` whose `bruising-check` runs
this test's Python, so the test exercises the real wrapper without installing anything.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sys
from pathlib import Path

import pexpect

from tests.conftest import BASELINE_V1, ROOT

PROMPT = "\r\n> "


def wrapper_root(tmp_path: Path) -> Path:
    root = tmp_path / "clone"
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy(ROOT / "dev.py", root / "dev.py")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    digest = hashlib.sha256((root / "pyproject.toml").read_bytes()).hexdigest()[:16]
    (root / ".venv" / f".installed-base-{digest}").touch()
    tool = bin_dir / "bruising-check"
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bruising_check "$@"\n')
    tool.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    return root


def spawn_dev(tmp_path: Path, *args: str, ignore_sigint: bool = False) -> pexpect.spawn:
    root = wrapper_root(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "ACCESSIBLE"}}
    env.update({"TERM": "xterm-256color", "BRUISING_CHECK_NOW": "2026-11-27T10:30:00+00:00"})
    env["PYTHONPATH"] = str(ROOT / "src")

    def start() -> None:
        # Either the default disposition, or "ignored", as `python3 dev.py check &` leaves it.
        signal.signal(signal.SIGINT, signal.SIG_IGN if ignore_sigint else signal.SIG_DFL)

    return pexpect.spawn(
        sys.executable,
        [str(root / "dev.py"), "check", str(BASELINE_V1), *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        # Patience, not a speed limit: each expect waits at most this long. Two starts (dev.py,
        # then the tool) on a loaded 2-core CI machine once took over 20 s.
        timeout=60,
        dimensions=(40, 100),
        preexec_fn=start,
    )


def interrupt_at_the_second_question(child: pexpect.spawn, tmp_path: Path) -> str:
    child.expect(PROMPT)
    child.sendline("n")
    child.expect("How old is the child")
    child.expect(PROMPT)
    seen = child.before or ""
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    return seen + (child.before or "")


def test_ctrl_c_under_dev_py_stops_the_check_with_130_and_saves_nothing(tmp_path: Path) -> None:
    child = spawn_dev(tmp_path, "--record-dir", str(tmp_path))
    shown = interrupt_at_the_second_question(child, tmp_path)
    assert child.exitstatus == 130, shown
    assert "Nothing was saved" in shown
    assert "Traceback" not in shown and "KeyboardInterrupt" not in shown
    assert [p.name for p in tmp_path.iterdir()] == ["clone"]


def test_ctrl_c_works_even_when_dev_py_was_started_with_sigint_ignored(tmp_path: Path) -> None:
    child = spawn_dev(tmp_path, ignore_sigint=True)
    shown = interrupt_at_the_second_question(child, tmp_path)
    assert child.exitstatus == 130, shown
    assert "Nothing was saved" in shown

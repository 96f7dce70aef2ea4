#!/usr/bin/env python3
"""Bootstrap and run bruising-check from a clean clone with nothing but Python 3.10+.

    python3 dev.py check [ARGS...]   run the tool (creates .venv on first use)
    python3 dev.py test              lint, format check, type check and tests (what CI runs)
    python3 dev.py bench             print start-up and analysis figures

The virtual environment lives in .venv and is rebuilt when pyproject.toml changes.
Only the standard library is used here, so this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _ensure_env(extras: str) -> None:
    """Create .venv and install the package (editable) with `extras`, once per pyproject change."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extras or 'base'}-{digest}"
    if stamp.exists():
        return
    if not PY.exists():
        print("Setting up .venv (first run only)...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    subprocess.run(
        [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
        cwd=ROOT,
        check=True,
    )
    # Compile the package's bytecode once: with an editable install and PYTHONDONTWRITEBYTECODE
    # set, every run would otherwise compile it again (30-45 ms of each start, issue 15).
    subprocess.run(
        [str(PY), "-m", "compileall", "-q", str(ROOT / "src" / "bruising_check")],
        cwd=ROOT,
        check=False,
    )
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def _run(*cmd: str) -> int:
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, cwd=ROOT, check=False).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "test":
        _ensure_env("dev")
        steps = [
            (str(BIN / "ruff"), "check", "src", "tests", "bench", "dev.py"),
            (str(BIN / "ruff"), "format", "--check", "src", "tests", "bench", "dev.py"),
            (str(BIN / "mypy"), "--strict", "src/bruising_check", "tests"),
            (str(BIN / "lint-imports"),),
            (str(PY), "-m", "pytest", *rest),
        ]
        for step in steps:
            code = _run(*step)
            if code != 0:
                return code
        return 0
    if command == "bench":
        _ensure_env("dev")
        return _run(str(PY), "bench/run.py", *rest)
    installed = any(VENV.glob(".installed-dev-*"))
    _ensure_env("dev" if installed else "")
    return _run_tool([str(BIN / "bruising-check"), *argv])


def _run_tool(cmd: list[str]) -> int:
    """Run the tool so that Ctrl-C is the tool's: it says "nothing was saved" and exits 130.

    The terminal sends Ctrl-C to both processes. This wrapper must neither die with a traceback
    of its own nor pass "ignore SIGINT" on to the tool (an ignored signal stays ignored across
    exec, and Python then never raises KeyboardInterrupt, so Ctrl-C would do nothing). A handler
    that does nothing is reset to the default in the child at exec, so the tool gets its own.
    """
    previous = signal.signal(signal.SIGINT, _wait_for_the_tool)
    try:
        code = subprocess.run(cmd, check=False).returncode
    finally:
        signal.signal(signal.SIGINT, previous)
    # Killed by a signal (negative code): exit as a shell would report it, 128 + the signal.
    return 128 - code if code < 0 else code


def _wait_for_the_tool(signum: int, frame: object) -> None:
    """SIGINT in this wrapper: nothing to do; the tool handles it and its exit code is ours."""


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # during the set-up, before the tool runs
        print("\nStopped (Ctrl-C).", file=sys.stderr)
        sys.exit(130)

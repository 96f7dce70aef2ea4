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
            (str(BIN / "mypy"), "--strict", "src/bruising_check"),
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
    # Ctrl-C belongs to the tool (it says "nothing was saved" and exits 130); this wrapper
    # must not add a traceback of its own on top.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.run([str(BIN / "bruising-check"), *argv], check=False).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""How long the guided check takes to answer with the keyboard, for scenario V01
(protocols/scenarios/public-examples-v2.yaml): prompts, keystrokes, and the wall time of a scripted
run in a real pseudo-terminal (the tool's own time; a person adds reading and typing time).

    .venv/bin/python bench/guided_keys.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import pexpect

# V01 typed by a person: one reply per prompt (Enter alone for optional questions left blank),
# then Enter on the review, five context prompts left blank, and "n" to the save offer.
V01 = ["n", "10", "40", "none", "n", "1", "8", "n", "n", "1", "", "n", "n", "1", ""]
REPLIES = [*V01, "", "", "", "", "", "", "n"]


def main() -> int:
    keys = sum(len(r) + 1 for r in REPLIES)  # +1 for Enter
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        child = pexpect.spawn(
            sys.executable,
            ["-m", "bruising_check", "check"],
            cwd=tmp,
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(50, 100),
        )
        for reply in REPLIES:
            child.expect([r"\r\n> ", r"\[y/N\] "])
            child.sendline(reply)
        child.expect(pexpect.EOF)
        child.close()
        seconds = time.perf_counter() - start
    print(f"V01 guided check: {len(REPLIES)} prompts, {keys} keystrokes (including Enter)")
    print("  of which 15 questions, 1 review, 5 context prompts, 1 save offer")
    print(f"scripted run in a pseudo-terminal: {seconds:.2f} s wall time, exit {child.exitstatus}")
    return 0 if child.exitstatus == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

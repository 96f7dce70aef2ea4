"""Time and peak memory of every hostile file in tests/hostile/, each in its own process.

    .venv/bin/python bench/hostile.py

Runs `bruising-check validate` and `check PROTOCOL --answers good.yaml` on each hostile protocol
and `check --answers FILE` on each hostile answers file (including the generated big ones), and
prints the slowest runs and the largest peak resident memory. Target (issue 7): every run ends
within a couple of seconds with exit 1 or 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import ANSWERS, GOOD_ANSWERS, PROTOCOLS, write_big  # noqa: E402

TARGET_SECONDS = 2.0


def measure(args: list[str]) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak RSS (MiB) of one run of the tool."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bruising_check", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    return took, os.waitstatus_to_exitcode(status), usage.ru_maxrss // 1024


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        good = folder / "good.yaml"
        good.write_text(GOOD_ANSWERS, encoding="utf-8")
        big_protocols, big_answers = write_big(folder)
        runs: list[list[str]] = []
        for p in [*PROTOCOLS, *big_protocols]:
            runs += [["validate", str(p)], ["check", str(p), "--answers", str(good)]]
        runs += [["check", "--answers", str(a)] for a in [*ANSWERS, *big_answers]]
        results = [(measure(args), args) for args in runs]
        baseline = measure(["check", "--answers", str(good)])
    results.sort(key=lambda r: -r[0][0])
    print(
        f"{len(results)} runs; a good check for comparison: {baseline[0] * 1000:.0f} ms,"
        f" {baseline[2]} MiB"
    )
    print(f"{'ms':>6} {'MiB':>5} {'exit':>4}  command")
    for (took, code, mib), args in results[:8]:
        shown = " ".join(Path(a).name if "/" in a else a for a in args)
        print(f"{took * 1000:>6.0f} {mib:>5} {code:>4}  {shown}")
    bad_exit = [args for (_, code, _), args in results if code not in (1, 2)]
    slow = [args for (took, _, _), args in results if took > TARGET_SECONDS]
    print(f"largest peak memory: {max(r[0][2] for r in results)} MiB")
    print(f"over {TARGET_SECONDS:g} s: {len(slow)}; exit other than 1 or 2: {len(bad_exit)}")
    return 1 if slow or bad_exit else 0


if __name__ == "__main__":
    sys.exit(main())

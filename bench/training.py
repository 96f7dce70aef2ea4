"""Figures for the trainers' commands: running every shipped scenario, drawing the flowcharts and
building the handbook, in-process (median of N runs), plus one whole `test` command end to end.

    .venv/bin/python bench/training.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bruising_check.protocol.loader import load_protocol
from bruising_check.render import flowchart, handbook
from bruising_check.render import handbook_text as handbook_render
from bruising_check.render.handbook_pdf import handbook_pdf
from bruising_check.training import scenarios as sc

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7


def median_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    path = ROOT / "protocols" / "national-baseline.yaml"
    loaded = load_protocol(path.read_bytes(), str(path))
    protocol = loaded.protocol
    assert protocol is not None
    files = sorted((ROOT / "protocols" / "scenarios").glob("*.yaml"))
    parsed = [sc.load_scenarios(f.read_bytes(), str(f)) for f in files]
    cases = sum(len(p.scenarios.cases) for p in parsed if p.scenarios)

    def run_all() -> None:
        results = [r for p in parsed for r in sc.run_file(protocol, p)]
        sc.coverage(protocol, results)

    def book() -> handbook.Handbook:
        return handbook.build(protocol, file=str(path), sha256=loaded.sha256, today=dt.date.today())

    figures = {
        f"run {cases} scenarios + coverage": median_ms(run_all),
        "flowchart tree + mermaid + dot": median_ms(
            lambda: [f(protocol) for f in (flowchart.tree, flowchart.mermaid, flowchart.dot)]
        ),
        "handbook md + html": median_ms(
            lambda: (handbook_render.markdown(book()), handbook_render.html(book()))
        ),
        "handbook pdf": median_ms(lambda: handbook_pdf(book())),
    }
    for name, ms in figures.items():
        print(f"{name:<40} {ms:8.1f} ms (median of {RUNS})")
    exe = Path(sys.executable).parent / "bruising-check"
    cmd = [str(exe), "test", "national-baseline", str(ROOT / "protocols" / "scenarios")]
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    print(f"{'whole `test` command, all files':<40} {(time.perf_counter() - start) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()

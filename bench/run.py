"""Start-up figures: bruising-check against a bare typer app, measured side by side.

    python3 dev.py bench          (or: .venv/bin/python bench/run.py)

Prints the median wall time of N runs of each command and the ratio. The targets (issue 2):
`--help` within 1.3x a bare typer app's `--help`; a whole `check --answers` within 2x.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 15
BARE_APP = '''
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "x") -> None:
    """Say hello."""
    print(name)
@app.command()
def bye() -> None:
    """Say bye."""
if __name__ == "__main__":
    app()
'''


def median_seconds(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        answers = ROOT / "examples" / "answers" / "cheek-bruise-10-weeks.yaml"
        cli = [py, "-m", "bruising_check"]
        rows = [
            ("--help", [py, str(bare), "--help"], [*cli, "--help"], 1.3),
            (
                "check --answers",
                [py, str(bare), "hello"],
                [*cli, "check", "--answers", str(answers)],
                2.0,
            ),
        ]
        print(f"{'what':<18}{'bare typer':>12}{'bruising-check':>16}{'ratio':>8}{'target':>8}")
        for name, base_cmd, our_cmd, target in rows:
            base = median_seconds(base_cmd)
            ours = median_seconds(our_cmd)
            ratio = ours / base
            flag = "ok" if ratio <= target else "OVER"
            times = f"{base * 1000:>10.0f}ms{ours * 1000:>14.0f}ms"
            print(f"{name:<18}{times}{ratio:>8.2f}{target:>7.1f}x {flag}")


if __name__ == "__main__":
    main()

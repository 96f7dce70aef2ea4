"""Start-up, paired: a bare typer app's `--help` against `check --answers` (text) and the PDF
rationale, alternating, in CPU seconds (user + sys of each child: the machine is shared, wall
time would measure the neighbours; wall medians are printed beside them). Issue 15's goals:
check ≤ 1.8x the bare app, PDF ≤ 1.6x the text check, both in CPU.

    .venv/bin/python bench/startup.py [RUNS]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "examples" / "answers" / "cheek-bruise-10-weeks.yaml"
BARE = """
import typer
app = typer.Typer()
@app.command()
def check(answers: str = "") -> None:
    print(answers)
app()
"""


def cpu(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU (user + sys) and wall seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=False, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


# Printed by a child with the package's path: whether the stored font metrics (and with them the
# faster PDF paths) are for the fpdf2 installed, and which fpdf2 that is.
FAST_PATHS = """
from fpdf import FPDF_VERSION
from bruising_check.render import fontcache
print(fontcache.verified(), FPDF_VERSION)
"""


def fast_paths_warning(py: str, env: dict[str, str]) -> str | None:
    """A warning line if PDFs here would not take the faster paths (the stored metrics are for
    another fpdf2): the PDF figure would then be fpdf2's own speed, not the package's."""
    out = subprocess.run(
        [py, "-c", FAST_PATHS], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    if out[0] == "True":
        return None
    return (
        f"WARNING: src/bruising_check/render/fonts/metrics.json.z is not for the installed fpdf2"
        f" {out[1]}: PDFs take fpdf2's own (slower) paths, so the PDF figure below is not the"
        " package's. Run `python bench/subset_fonts.py --metrics` (and the PDF tests) first."
    )


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 11
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    py = sys.executable
    warning = fast_paths_warning(py, env)
    if warning:
        print(warning)
    # As `dev.py` does after installing: with PYTHONDONTWRITEBYTECODE set, a checkout without
    # bytecode would otherwise compile the package again in every measured run.
    subprocess.run(
        [py, "-m", "compileall", "-q", str(ROOT / "src" / "bruising_check")], check=False
    )
    with tempfile.TemporaryDirectory() as tmp:
        pdf = str(Path(tmp) / "r.pdf")
        commands = {
            "bare typer --help": [py, "-c", BARE, "--help"],
            "check --answers (text)": [
                py,
                "-m",
                "bruising_check",
                "check",
                "--answers",
                str(ANSWERS),
            ],
            "check --answers --format pdf": [
                py,
                "-m",
                "bruising_check",
                "check",
                "--answers",
                str(ANSWERS),
                "--format",
                "pdf",
                "--output",
                pdf,
            ],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        walls: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(runs):
            for name, cmd in commands.items():
                # The PDF is saved with its JSON record beside it; neither is ever overwritten.
                for made in Path(tmp).iterdir():
                    made.unlink()
                used, wall = cpu(cmd, env)
                times[name].append(used)
                walls[name].append(wall)
                if name.endswith("pdf") and not Path(pdf).exists():
                    raise SystemExit("the PDF rationale was not made")
    med = {k: statistics.median(v) for k, v in times.items()}
    bare, text, pdf_t = med.values()
    for name, m in med.items():
        wall = statistics.median(walls[name])
        print(f"{name:<30} {m * 1000:7.0f} ms CPU {wall * 1000:7.0f} ms wall (medians of {runs})")
    print(f"check / bare typer: {text / bare:.2f}x (goal <= 1.8x)")
    print(f"PDF / text check:   {pdf_t / text:.2f}x (goal <= 1.6x)")
    if warning:
        print(warning)  # again, beside the figure it is about
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Check `demo --slides` in headless Chromium (issue 16 point 5): one step a page, the arrow keys
move between pages, and it works offline.

Not part of the test suite (CI has no Chromium):

    apt-get install chromium-headless-shell     # or chromium, or any Chrome
    PYTHONPATH=src .venv/bin/python bench/slides_check.py [--case baseline-rules#BL-R09]
        [--screenshot DIR]

It writes the slides with the CLI, then loads copies of them with `--dump-dom` after real
keyboard events (ArrowRight, ArrowLeft, End, Home, dispatched to the page's own handler), and
from an address with `#5`, with the network off, and checks each time that exactly the expected
page is shown and the counter says so. `--screenshot DIR` also saves 1920x1080 PNGs of the
first step page and the pathway page to look at. Exit 0 when every check holds.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
# Offline: every request but the file itself goes nowhere.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9"]


def keys(*names: str) -> str:
    events = "".join(
        f'document.dispatchEvent(new KeyboardEvent("keydown", {{key: "{k}", bubbles: true}}));'
        for k in names
    )
    return f"<script>{events}</script>"


def shown(dom: str) -> tuple[list[int], str]:
    """The numbers (1-based) of the slides not hidden, and the counter's text."""
    sections = re.findall(r'<section class="slide"( hidden(?:="")?)?>', dom)
    visible = [i for i, hidden in enumerate(sections, 1) if not hidden]
    counter = re.search(r'<span id="count">([^<]*)</span>', dom)
    return visible, counter.group(1) if counter else ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", default="baseline-reports-and-sites#BL-S12")
    ap.add_argument("--screenshot", type=Path)
    args = ap.parse_args()
    browser = next((b for b in map(shutil.which, BROWSERS) if b), None)
    if browser is None:
        print("No Chromium found: apt-get install chromium-headless-shell", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="slides-check-"))
    slides = work / "slides.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bruising_check",
            "demo",
            "--scenario",
            args.case,
            "--slides",
            str(slides),
        ],
        check=True,
    )
    page = slides.read_text(encoding="utf-8")
    total = page.count('<section class="slide"')
    failures: list[str] = []
    if re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=\"(?!data:)", page):
        failures.append("the page loads something from outside itself")

    def load(name: str, extra: str = "", fragment: str = "") -> tuple[list[int], str]:
        copy = work / name
        copy.write_text(page.replace("</body>", extra + "</body>"), encoding="utf-8")
        done = subprocess.run(
            [browser, *FLAGS, *OFFLINE, "--dump-dom", copy.as_uri() + fragment],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return shown(done.stdout)

    cases = [
        ("start.html", "", "", 1),
        ("arrows.html", keys("ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"), "", 3),
        ("end.html", keys("End"), "", total),
        ("home.html", keys("End", "Home"), "", 1),
        ("past-end.html", keys("End", "ArrowRight"), "", total),
        ("hash.html", "", "#5", 5),
    ]
    for name, extra, fragment, want in cases:
        visible, counter = load(name, extra, fragment)
        ok = visible == [want] and counter == f"Step {want} of {total}"
        print(f"{'ok  ' if ok else 'FAIL'} {name:<14} shown {visible} counter {counter!r}")
        if not ok:
            failures.append(f"{name}: expected only slide {want}, got {visible} ({counter!r})")
    if args.screenshot is not None:
        args.screenshot.mkdir(parents=True, exist_ok=True)
        pathway = next(
            (
                n
                for n in range(1, total + 1)
                if "The pathway" in page.split('<section class="slide"')[n]
            ),
            2,
        )
        for n in (2, pathway):
            out = args.screenshot / f"slide-{n}.png"
            subprocess.run(
                [
                    browser,
                    *FLAGS,
                    *OFFLINE,
                    "--window-size=1920,1080",
                    f"--screenshot={out}",
                    slides.as_uri() + f"#{n}",
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
            print(f"saved {out}")
    print(f"{total} slides; {len(failures)} problem(s)")
    for f in failures:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

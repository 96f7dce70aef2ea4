"""Where the bundled protocols live: inside the installed package, or `protocols/` in a checkout."""

from __future__ import annotations

from pathlib import Path

DEFAULT_PROTOCOL = "national-baseline"


def protocols_dir() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "protocols"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "protocols"


def bundled_files() -> list[Path]:
    root = protocols_dir()
    return sorted(p for p in root.rglob("*.yaml") if p.parent.name != "scenarios")


def find_bundled(name: str) -> Path | None:
    """A bundled protocol by id (file stem), e.g. `national-baseline`."""
    for path in bundled_files():
        if path.stem == name:
            return path
    return None

"""A corpus of hostile protocol and answers files, and the ones too big to commit."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTOCOLS = sorted((HERE / "protocols").iterdir())
ANSWERS = sorted((HERE / "answers").iterdir())

GOOD_ANSWERS = """child_seriously_unwell: false
age_weeks: 10
gestation_weeks_at_birth: 40
mobility_milestones: []
disability_affecting_mobility: false
mark_types: [bruise]
locations: [cheek]
patterned: false
multiple_or_clustered: false
explanation: none
diagnosed_condition_can_cause_mark: false
accident_independently_witnessed: false
report_channel: seen_in_person
"""


def _big_protocols() -> dict[str, bytes]:
    return {
        "too-large.yaml": b"metadata:\n  title: " + b"A" * 2_100_000 + b"\n",
        "long-line.yaml": b"metadata:\n  title: " + b"A" * 1_500_000 + b"\n",
        "long-key.yaml": b"k" * 500_000 + b": 1\n",
        "long-list.yaml": b"questions: [" + b", ".join([b"1"] * 150_000) + b"]\n",
        "many-problems.yaml": b"sources:\n" + b"  - 1\n" * 1900 + b"rules: []\n",
        "many-aliases.yaml": b"a: &a x\nb: [" + b", ".join([b"*a"] * 190_000) + b"]\n",
    }


def _big_answers() -> dict[str, bytes]:
    base = GOOD_ANSWERS.encode()
    return {
        "too-large.yaml": base + b"notes: " + b"n" * 2_100_000 + b"\n",
        "long-notes.yaml": base + b"notes: " + b"n" * 1_000_000 + b"\n",
        "long-option-id.yaml": base.replace(
            b"explanation: none", b"explanation: " + b"n" * 500_000
        ),
        "long-unknown-id.yaml": base + b"x" * 500_000 + b": 1\n",
        "long-list.yaml": base.replace(
            b"locations: [cheek]", b"locations: [" + b", ".join([b"cheek"] * 150_000) + b"]"
        ),
        "long-list-of-unknown-options.yaml": base.replace(
            b"locations: [cheek]", b"locations: [" + b", ".join([b"elbow"] * 150_000) + b"]"
        ),
    }


def write_big(folder: Path) -> tuple[list[Path], list[Path]]:
    """Write the generated hostile files under `folder`; return (protocols, answers)."""
    out: tuple[list[Path], list[Path]] = ([], [])
    for kind, files, paths in (
        ("protocols", _big_protocols(), out[0]),
        ("answers", _big_answers(), out[1]),
    ):
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            path = folder / kind / name
            path.write_bytes(data)
            paths.append(path)
    return out

"""A corpus of hostile protocol and answers files, and the ones too big to commit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

BASELINE = Path(__file__).resolve().parents[2] / "protocols" / "national-baseline.yaml"
BASELINE_V1 = BASELINE.parent / "examples" / "national-baseline-v1.yaml"

HERE = Path(__file__).resolve().parent
PROTOCOLS = sorted((HERE / "protocols").iterdir())
ANSWERS = sorted((HERE / "answers").iterdir())
ANSWERS_CORRECT = sorted((HERE / "answers-correct").iterdir())
CASES = sorted((HERE / "cases").iterdir())


def protocol_for(answers: Path) -> Path:
    """The protocol an answers file of the corpus is written for: the version-1 baseline for a
    version-1 file (top-level `mark_types:`), else the bundled one. Against the bundled
    protocol a version-1 file stops at ANSWERS_VERSION_1 and its attack is never read."""
    head = answers.read_bytes()
    return BASELINE_V1 if b"\nmark_types:" in b"\n" + head else BASELINE


GOOD_ANSWERS = """immediate_danger: "no"
injury_red_flags: []
age_weeks: 10
gestation_weeks_at_birth: 40
mobility_milestones: []
report_channel: seen_in_person
diagnosed_bleeding_condition: "no"
marks:
  - {type: bruise, site: cheek, side: left, size_cm: 1, patterned: "no", explanation: none_given}
"""


def _baseline_with(change: Callable[[dict[str, Any]], None]) -> bytes:
    from bruising_check.protocol.yamlread import decode, read_yaml

    raw = BASELINE.read_bytes()
    data = read_yaml(decode(raw, "baseline"), "baseline").data
    change(data)
    return yaml.safe_dump(data, sort_keys=False, width=1_000_000, allow_unicode=True).encode()


def _amplify(data: dict[str, Any]) -> None:
    """A clean ~130 KB protocol whose record would be tens of MB: one contact with long (but
    each allowed) details, named by 200 actions of every pathway."""
    for contact in data["contacts"]:
        if contact["id"] == "csc_front_door":
            contact.update(phone="0" * 9900, hours="H" * 9900, out_of_hours="O" * 9900)
    for pathway in data["pathways"]:
        extra = [
            {
                "id": f"tell_front_door_{i}",
                "text": "Tell the front door.",
                "contact": "csc_front_door",
            }
            for i in range(200)
        ]
        pathway["actions"] = [*pathway.get("actions", []), *extra]


def _long_phone(data: dict[str, Any]) -> None:
    data["contacts"][0]["phone"] = "0" * 20_000


TEXT_BOMB = b"s: &s " + b"A" * 1_500_000 + b"\nl: [" + b", ".join([b"*s"] * 200) + b"]\n"


def _big_protocols() -> dict[str, bytes]:
    return {
        "alias-text-bomb.yaml": TEXT_BOMB,
        "text-too-long.yaml": _baseline_with(_long_phone),
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
        "alias-text-bomb.yaml": TEXT_BOMB,
        "too-large.yaml": base + b"notes: " + b"n" * 2_100_000 + b"\n",
        "long-notes.yaml": base + b"notes: " + b"n" * 1_000_000 + b"\n",
        "long-option-id.yaml": base.replace(
            b"explanation: none_given", b"explanation: " + b"n" * 500_000
        ),
        "long-unknown-id.yaml": base + b"x" * 500_000 + b": 1\n",
        "long-list.yaml": base.replace(
            b"injury_red_flags: []",
            b"injury_red_flags: [" + b", ".join([b"limb_not_moved"] * 150_000) + b"]",
        ),
        "long-list-of-unknown-options.yaml": base.replace(
            b"injury_red_flags: []",
            b"injury_red_flags: [" + b", ".join([b"elbow"] * 150_000) + b"]",
        ),
    }


def record_amplifier() -> bytes:
    """Valid in every other way, so `validate` lists its warnings too: tested on its own."""
    return _baseline_with(_amplify)


def _big_cases() -> dict[str, bytes]:
    header = b"case_id,age_weeks\n"
    return {
        "json-deep.json": b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "csv-huge-cell.csv": header + b"a," + b"9" * 200_000 + b"\n",
        "jsonl-long-line.jsonl": b'{"answers": {"notes": "' + b"n" * 5_100_000 + b'"}}\n',
        "too-large.yaml": b"cases: []\n# " + b"x" * 2_100_000 + b"\n",
        "alias-text-bomb.yaml": TEXT_BOMB + b"cases: []\n",
    }


def write_big_cases(folder: Path) -> list[Path]:
    """Write the generated hostile cases files under `folder`."""
    (folder / "cases").mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in _big_cases().items():
        path = folder / "cases" / name
        path.write_bytes(data)
        paths.append(path)
    return paths


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


def _minimal_parts() -> tuple[str, str]:
    """The minimal valid protocol of the validation tests, as (metadata and sources, pathways
    and contacts), for protocols with other questions and rules."""
    from tests.test_validation_codes import MINIMAL

    head, rest = MINIMAL.split("questions:\n")
    tail = rest.split("derived:\n")[1]
    return head, tail[tail.index("pathways:") : tail.index("rules:")]


def _rule(n: object, when: str, pathway: str = "refer") -> str:
    return (
        f"  - id: R{n}\n    when: {when}\n    pathway: {pathway}\n    because: X.\n    cite: [s1]\n"
    )


def analysis_attacks() -> dict[str, bytes]:
    """Protocols that load cleanly but cost the exhaustive analysis the most (issue 13: 3 GB in
    32 s; past 600 s and 9 GB; a real gap hidden behind 1,999 threshold rules that passed)."""
    head, pathways = _minimal_parts()
    age = (
        "  - id: age\n    type: number\n    prompt: Age?\n    unit: weeks\n"
        "    min: 0\n    max: 2000\n"
    )
    # Age [1000, 1001) reaches no rule: a gap among 1,999 one-week rules.
    gap = "".join(
        _rule(i, f"{{all: [{{question: age, ge: {i}}}, {{question: age, lt: {i + 1}}}]}}")
        for i in range(2000)
        if i != 1000
    )
    options = "".join(f"      - {{id: o{j}, label: Option {j}}}\n" for j in range(40))
    choices = "".join(
        f"  - id: m{i}\n    type: multiple_choice\n    prompt: M{i}?\n    options:\n{options}"
        for i in range(12)
    )
    pairs = "".join(
        _rule(
            f"{i}_{j}",
            f"{{all: [{{question: m{i}, includes_any: [o{j}]}},"
            f" {{question: m{(i + 1) % 12},"
            f" includes_all: [o{(j * 7) % 40}, o{(j * 3 + 1) % 40}]}}]}}",
        )
        for i in range(12)
        for j in range(40)
    ) + _rule("last", "{question: m0, is_empty: false}", "record")
    numbers = "".join(
        f"  - id: q{i}\n    type: number\n    prompt: Q{i}?\n    unit: weeks\n"
        "    min: 0\n    max: 10\n"
        for i in range(2000)
    )
    thresholds = "".join(_rule(i, f"{{question: q{i}, gt: 5}}") for i in range(2000))
    protocols = {
        "threshold-rules-with-a-gap.yaml": ("questions:\n" + age, gap),
        "many-multiple-choice.yaml": ("questions:\n" + choices, pairs),
        "2000-questions-2000-rules.yaml": ("questions:\n" + numbers, thresholds),
    }
    return {
        name: (head + questions + "derived: []\n" + pathways + "rules:\n" + rules).encode()
        for name, (questions, rules) in protocols.items()
    }

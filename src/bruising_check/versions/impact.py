"""Impact on real cases: re-run cases under two protocol versions and count who changes pathway.

Cases come from scenario files (YAML `cases:` with `answers`), saved JSON records (one record per
file, or JSON Lines with one per line), or CSV with one column per question id. Readers take an
open text stream and yield cases one at a time, so a year of records never sits in memory.
Answers are checked against each protocol separately: a case one version cannot run (for
example a question it does not ask) is counted and reported, never silently dropped.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

import yaml

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import decide
from bruising_check.protocol.model import (
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
)
from bruising_check.protocol.yamlread import Located

EXAMPLES_PER_CHANGE = 10
MAX_UNRUNNABLE_KEPT = 200
CASE_SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", ".yaml", ".yml")


@dataclass(frozen=True)
class Case:
    name: str
    answers: Mapping[str, Any]


@dataclass
class Impact:
    total: int = 0
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    changed_cases: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    unrunnable: list[tuple[str, str, str]] = field(default_factory=list)  # case, which, why
    unrunnable_total: int = 0

    @property
    def changed(self) -> int:
        return sum(n for (a, b), n in self.transitions.items() if a != b)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "changed": self.changed,
            "transitions": [
                {
                    "old": a,
                    "new": b,
                    "count": n,
                    "cases": self.changed_cases.get((a, b), []),
                }
                for (a, b), n in sorted(self.transitions.items())
            ],
            "unrunnable_total": self.unrunnable_total,
            "unrunnable": [
                {"case": c, "protocol": which, "reason": why} for c, which, why in self.unrunnable
            ],
        }


class CaseFileError(ValueError):
    """A cases file that cannot be read as any supported format."""


def read_cases(name: str, stream: TextIO, questions: Mapping[str, Question]) -> Iterator[Case]:
    """Cases from one file; the format is chosen by the file name's extension."""
    lower = name.lower()
    if lower.endswith(".csv"):
        yield from _csv_cases(name, stream, questions)
    elif lower.endswith((".jsonl", ".ndjson")):
        for number, line in enumerate(stream, 1):
            if line.strip():
                yield _record_case(f"{name}:{number}", _json(line, f"{name}:{number}"))
    elif lower.endswith(".json"):
        yield _record_case(name, _json(stream.read(), name))
    elif lower.endswith((".yaml", ".yml")):
        try:
            data = yaml.safe_load(stream)
        except yaml.YAMLError as exc:
            raise CaseFileError(f"{name}: not valid YAML ({exc})") from None
        cases = data.get("cases") if isinstance(data, dict) else None
        if not isinstance(cases, list):
            raise CaseFileError(f"{name}: a scenario file has a `cases:` list")
        for i, case in enumerate(cases):
            if not isinstance(case, dict) or not isinstance(case.get("answers"), dict):
                raise CaseFileError(f"{name}: case {i + 1} has no `answers:` mapping")
            yield Case(f"{name}#{case.get('id', i + 1)}", case["answers"])
    else:
        raise CaseFileError(f"{name}: use .csv, .json, .jsonl or .yaml cases files")


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno})") from None


def _record_case(name: str, record: Any) -> Case:
    if not isinstance(record, dict) or not isinstance(record.get("answers"), dict):
        raise CaseFileError(f"{name}: a saved record has an `answers` mapping")
    context = {c["id"]: c["answer"] for c in record.get("context", []) if isinstance(c, dict)}
    label = record.get("created_at") or ""
    return Case(f"{name} {label}".strip(), {**record["answers"], **context})


def _csv_cases(name: str, stream: TextIO, questions: Mapping[str, Question]) -> Iterator[Case]:
    reader = csv.DictReader(stream)
    for row in reader:
        number = reader.line_num
        case_id = row.pop("case_id", None) or row.pop("id", None) or f"row {number}"
        answers: dict[str, Any] = {}
        for column, cell in row.items():
            if column is None or cell is None or cell.strip() == "":
                continue
            answers[column] = _cell(cell.strip(), questions.get(column))
        yield Case(f"{name}:{case_id}", answers)


def _cell(cell: str, q: Question | None) -> Any:
    """A CSV cell in the question's type; a value that does not fit stays text, and the answer
    check then reports it against the question id."""
    lower = cell.lower()
    if lower in {"null", "unknown", "not known"}:
        return None
    if isinstance(q, BooleanQuestion):
        truth = {"true": True, "yes": True, "y": True, "1": True}
        falsity = {"false": False, "no": False, "n": False, "0": False}
        return truth.get(lower, falsity.get(lower, cell))
    if isinstance(q, NumberQuestion):
        try:
            number = float(cell)
        except ValueError:
            return cell
        return int(number) if number == int(number) else number
    if isinstance(q, MultipleChoiceQuestion):
        if lower in {"none", "[]"}:
            return []
        return [part.strip() for part in cell.replace("|", ";").split(";") if part.strip()]
    return cell


def run_case(protocol: Protocol, case: Case) -> tuple[str | None, str | None]:
    """(pathway id, None) or (None, why it could not run). Answers to questions this protocol
    does not have are left out, as `example_for` does for analysis examples."""
    ids = {q.id for q in protocol.questions} | {q.id for q in protocol.context_prompts}
    answers = {k: v for k, v in case.answers.items() if k in ids}
    checked = check_answers(protocol, Located(answers, case.name))
    errors = [p.message for p in checked.problems if p.severity == "error"]
    if errors:
        return None, "; ".join(errors)
    decision = decide(protocol, checked.answers)
    if decision.pathway is None:
        return None, "no rule matched"
    return decision.pathway.id, None


def impact(old: Protocol, new: Protocol, cases: Iterable[Case]) -> Impact:
    result = Impact()
    for case in cases:
        result.total += 1
        before, why_old = run_case(old, case)
        after, why_new = run_case(new, case)
        for which, why in (("old", why_old), ("new", why_new)):
            if why is None:
                continue
            result.unrunnable_total += 1
            # Keep a bounded sample: a year of records that all fail must not fill memory.
            if len(result.unrunnable) < MAX_UNRUNNABLE_KEPT:
                result.unrunnable.append((case.name, which, why))
        if before is None or after is None:
            continue
        result.transitions[(before, after)] += 1
        if before != after:
            listed = result.changed_cases.setdefault((before, after), [])
            if len(listed) < EXAMPLES_PER_CHANGE:
                listed.append(case.name)
    return result

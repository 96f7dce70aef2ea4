"""Scenario files for trainers: cases with answers and the expected pathway, run against a protocol.

A scenario file holds `cases:`, each with an `id`, a `title`, a `narrative`, `answers` (as in an
answers file, format version 2: repeated groups such as `marks:` are lists of mappings) and
`expect`: the `outcome` (pathway id), `then` (the follow-on pathway id when the outcome is a first
step such as emergency care; absent or null otherwise), any derived facts by id, and optionally
`rules` and `actions` that must fire. A case may say how it `changed_from_v1` (for trainers).
Reading is located like a protocol (file:line:col); each case runs through the same answer checks
and engine as `check`. Coverage says which rules, pathways and
options no case exercises; JUnit XML lets CI show the results.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.ids import Id
from bruising_check.protocol.loader import schema_problems
from bruising_check.protocol.model import (
    BooleanQuestion,
    ItemQuestion,
    MultipleChoiceQuestion,
    Protocol,
    Question,
    SingleChoiceQuestion,
)
from bruising_check.protocol.yamlread import Located, Path, YamlError, decode, read_yaml


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Expect(BaseModel):
    """`outcome`, `then`, optional `rules`/`actions`, and any derived fact by id (checked against
    the protocol when the case runs, since fact ids belong to the protocol)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    outcome: Id
    then: Annotated[
        Id | None,
        Field(description="The follow-on pathway of a first-step outcome; null for none."),
    ] = None
    rules: tuple[Id, ...] = ()
    actions: tuple[Id, ...] = ()

    @property
    def facts(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Case(_Model):
    id: Annotated[str, Field(min_length=1, max_length=80)]
    title: Annotated[str, Field(min_length=1, max_length=400)]
    narrative: Annotated[str, Field(min_length=1, max_length=4000)]
    answers: dict[str, Any]
    expect: Expect
    why: str | None = None
    changed_from_v1: Annotated[
        str | None,
        Field(max_length=4000, description="What version 1 of the protocol gave, and why not now."),
    ] = None


class ScenarioFile(_Model):
    description: str | None = None
    cases: tuple[Case, ...]  # at least one: checked after, as pydantic repeats it per bad case


@dataclass(frozen=True)
class Loaded:
    file: str
    scenarios: ScenarioFile | None
    located: Located | None
    problems: tuple[Problem, ...] = ()


def load_scenarios(raw: bytes, file: str) -> Loaded:
    """Parse a scenario file. Problems are located; nothing raises for a user's mistake."""
    try:
        located = read_yaml(decode(raw, file), file)
    except YamlError as exc:
        return Loaded(file, None, None, (exc.problem,))
    if not isinstance(located.data, dict):
        problem = located.problem(Code.NOT_A_MAPPING, "a scenario file maps `cases:` to a list", ())
        return Loaded(file, None, located, (problem,))
    try:
        scenarios = ScenarioFile.model_validate(located.data)
    except ValidationError as exc:
        return Loaded(file, None, located, tuple(schema_problems(exc, located)))
    if not scenarios.cases:
        problem = located.problem(Code.SCHEMA, "`cases:` is empty; add at least one case", ())
        return Loaded(file, None, located, (problem,))
    seen: dict[str, int] = {}
    for i, case in enumerate(scenarios.cases):
        if case.id in seen:
            problem = located.problem(
                Code.DUPLICATE_ID,
                f"case id {case.id!r} is used twice (first as case {seen[case.id] + 1})",
                ("cases", i, "id"),
            )
            return Loaded(file, None, located, (problem,))
        seen[case.id] = i
    return Loaded(file, scenarios, located)


# --- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    what: str  # "outcome", "then", a fact id, "rules", "actions" or "answers"
    expected: str
    got: str


@dataclass(frozen=True)
class CaseResult:
    file: str
    case: Case
    line: int
    differences: tuple[Difference, ...]
    decision: Decision | None
    answer_problems: tuple[Problem, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.differences


def sub_located(located: Located, prefix: Path) -> Located:
    """The part of a located document under `prefix`, with its positions kept."""
    n = len(prefix)
    sub = Located(None, located.file)
    sub.value_at = {p[n:]: v for p, v in located.value_at.items() if p[:n] == prefix}
    sub.key_at = {p[n:]: v for p, v in located.key_at.items() if p[:n] == prefix}
    sub.truthy_words = {p[n:]: w for p, w in located.truthy_words.items() if p[:n] == prefix}
    data: Any = located.data
    for part in prefix:
        data = data[part]
    sub.data = data
    return sub


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def run_case(protocol: Protocol, loaded: Loaded, index: int) -> CaseResult:
    assert loaded.scenarios is not None and loaded.located is not None
    case = loaded.scenarios.cases[index]
    path: Path = ("cases", index)
    line = loaded.located.where(path)[0]
    answers_at = sub_located(loaded.located, (*path, "answers"))
    checked = check_answers(protocol, answers_at)
    errors = tuple(p for p in checked.problems if p.severity == "error")
    if errors:
        diff = Difference("answers", "answers that fit the protocol", f"{len(errors)} error(s)")
        return CaseResult(loaded.file, case, line, (diff,), None, errors)
    decision = decide(protocol, checked.answers, context=checked.context)
    diffs: list[Difference] = []
    got = decision.pathway.id if decision.pathway else "(no pathway)"
    if got != case.expect.outcome:
        diffs.append(Difference("outcome", case.expect.outcome, got))
    then = decision.then.id if decision.then is not None else None
    if then != case.expect.then:
        diffs.append(Difference("then", _show(case.expect.then), _show(then)))
    for fact, want in case.expect.facts.items():
        if fact not in decision.derived:
            diffs.append(Difference(fact, _show(want), "(no such derived fact in the protocol)"))
            continue
        # A fact that differs between completions of the unknowns is `null`, as in the record.
        value = None if decision.derived[fact] is UNKNOWN else decision.derived[fact]
        if not _same_fact(value, want):
            diffs.append(Difference(fact, _show(want), _show(value)))
    fired = [r.id for r in decision.rules_fired]
    missing = [r for r in case.expect.rules if r not in fired]
    if missing:
        diffs.append(Difference("rules", ", ".join(missing), ", ".join(fired) or "(none)"))
    acts = [a.action.id for a in decision.actions]
    missing = [a for a in case.expect.actions if a not in acts]
    if missing:
        diffs.append(Difference("actions", ", ".join(missing), ", ".join(acts) or "(none)"))
    return CaseResult(loaded.file, case, line, tuple(diffs), decision)


def _same_fact(got: Any, want: Any) -> bool:
    if isinstance(got, bool) or isinstance(want, bool) or got is None or want is None:
        return got is want
    if isinstance(got, int | float) and isinstance(want, int | float):
        return abs(got - want) < 1e-9
    return bool(got == want)


def run_file(protocol: Protocol, loaded: Loaded) -> list[CaseResult]:
    if loaded.scenarios is None:
        return []
    return [run_case(protocol, loaded, i) for i in range(len(loaded.scenarios.cases))]


# --- coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """What no case exercised: rules that never decided (advice that never fired), pathways
    never reached, and answer values (options, yes/no) never given."""

    rules_never_deciding: tuple[str, ...]
    advice_never_firing: tuple[str, ...]
    pathways_never_reached: tuple[str, ...]
    options_never_chosen: tuple[tuple[str, str], ...]  # (question id, option id or true/false)
    rules_total: int
    pathways_total: int
    options_total: int

    @property
    def complete(self) -> bool:
        return not (
            self.rules_never_deciding
            or self.advice_never_firing
            or self.pathways_never_reached
            or self.options_never_chosen
        )


def coverage(protocol: Protocol, results: Sequence[CaseResult]) -> Coverage:
    """Inside a repeated group an option is named `group[].question` (e.g. `marks[].site`); an
    unknown answer counts as choosing the question's `unknown: true` option."""
    deciding: set[str] = set()
    advice: set[str] = set()
    reached: set[str] = set()
    chosen: set[tuple[str, str]] = set()
    questions: dict[str, Question | ItemQuestion] = {q.id: q for q in protocol.questions}
    for g in protocol.groups:
        questions.update({f"{g.id}[].{q.id}": q for q in g.questions})
    for r in results:
        if r.decision is None:
            continue
        for f in r.decision.rules_fired:
            (deciding if f.kind == "decides" else advice).add(f.id)
        if r.decision.pathway is not None:
            reached.add(r.decision.pathway.id)
        for qid, value in r.decision.answers.items():
            group = protocol.group(qid)
            if group is None:
                chosen.update(_chosen(qid, questions.get(qid), value))
            elif isinstance(value, tuple):
                for item in value:
                    for iid, v in item.items():
                        path = f"{qid}[].{iid}"
                        chosen.update(_chosen(path, questions.get(path), v))
    every: list[tuple[str, str]] = []
    for path, q in questions.items():
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            every.extend((path, o.id) for o in q.options)
        elif isinstance(q, BooleanQuestion):
            every.extend([(path, "true"), (path, "false")])
    return Coverage(
        rules_never_deciding=tuple(r.id for r in protocol.rules if r.id not in deciding),
        advice_never_firing=tuple(a.id for a in protocol.advice if a.id not in advice),
        pathways_never_reached=tuple(p.id for p in protocol.pathways if p.id not in reached),
        options_never_chosen=tuple(o for o in every if o not in chosen),
        rules_total=len(protocol.rules),
        pathways_total=len(protocol.pathways),
        options_total=len(every),
    )


def _chosen(path: str, q: Question | ItemQuestion | None, value: Any) -> set[tuple[str, str]]:
    if value is UNKNOWN:
        unknown = (
            q.unknown_option
            if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion)
            else None
        )
        return {(path, unknown)} if unknown is not None else set()
    values = value if isinstance(value, tuple | list) else (value,)
    return {(path, _show(v)) for v in values}


# --- JUnit XML ----------------------------------------------------------------------------------


@dataclass
class FileRun:
    """One scenario file's outcome: its problems (unreadable) or its case results."""

    file: str
    problems: tuple[Problem, ...] = ()
    results: list[CaseResult] = field(default_factory=list)


def difference_lines(result: CaseResult) -> list[str]:
    lines = [f"{d.what}: expected {d.expected}, got {d.got}" for d in result.differences]
    lines.extend(p.format() for p in result.answer_problems)
    return lines


def junit_xml(runs: Sequence[FileRun], protocol_id: str) -> str:
    """JUnit XML (the subset CI systems read): a suite per file, a test case per scenario."""
    root = ET.Element("testsuites", name=f"bruising-check scenarios against {protocol_id}")
    for run in runs:
        failures = sum(not r.passed for r in run.results)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=run.file,
            tests=str(len(run.results) + (1 if run.problems else 0)),
            failures=str(failures),
            errors=str(1 if run.problems else 0),
        )
        if run.problems:
            case = ET.SubElement(suite, "testcase", classname=run.file, name="(reading the file)")
            error = ET.SubElement(case, "error", message=run.problems[0].message)
            error.text = "\n".join(p.format() for p in run.problems)
        for r in run.results:
            case = ET.SubElement(
                suite, "testcase", classname=run.file, name=f"{r.case.id}: {r.case.title}"
            )
            if not r.passed:
                lines = difference_lines(r)
                failure = ET.SubElement(case, "failure", message=lines[0])
                failure.text = f"{r.file}:{r.line}\n" + "\n".join(lines)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

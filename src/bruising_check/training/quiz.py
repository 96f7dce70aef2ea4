"""A quiz that tests judgement: the trainee reads a case's narrative and answers the protocol's
own questions about it (is the baby mobile; for each mark its type, site, pattern and
explanation), then picks the pathway. Feedback compares each answer with the scenario's, runs the
engine on the trainee's reading to show where a different reading changes the pathway, and gives
the deciding rule and its sources; the result sheet says, question by question, where trainees
went wrong.

Pure: the protocol's decision on the scenario's answers is always the answer key (so a case can
never teach a less urgent pathway than the protocol gives); the CLI asks and shows. A finished
quiz is a `QuizResult`, plain values only, saved as JSON and replayed from it without the
protocol or the scenario file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bruising_check import STATEMENT
from bruising_check.engine.decide import Decision, applicable, decide, item_applicable, offered
from bruising_check.engine.replies import shown
from bruising_check.engine.urgency import compare_outcomes
from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import UNKNOWN, Condition, Truth, comparisons
from bruising_check.protocol.loader import schema_problems
from bruising_check.protocol.model import (
    Action,
    BooleanFact,
    BooleanQuestion,
    GroupQuestion,
    MultipleChoiceQuestion,
    NumberFact,
    Pathway,
    Protocol,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.protocol.walk import expr_refs
from bruising_check.protocol.yamlread import YamlError, decode, read_yaml

WATERMARK = "TRAINING — not a clinical record"
KIND: Literal["bruising-check quiz result"] = "bruising-check quiz result"

Asked = BooleanQuestion | SingleChoiceQuestion | MultipleChoiceQuestion
"""The questions a trainee answers: yes/no and choices (numbers and text are given)."""


# --- which questions test judgement -------------------------------------------------------------


def _reads(cond: Condition | None) -> Iterator[tuple[str | None, str | None]]:
    """(question id, item id) of every comparison in `cond`."""
    if cond is None:
        return
    for cmp in comparisons(cond):
        yield cmp.question, cmp.item


def judgement_questions(protocol: Protocol) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The questions the protocol works its facts out from (mobile or not; accounted for; an
    unusual site): the child-level and each group's item questions that a derived fact reads,
    when they are yes/no or choices. These are what a practitioner must read from a case;
    numbers (age, gestation, a count) and free text are given with the narrative."""
    top: set[str] = set()
    items: dict[str, set[str]] = {g.id: set() for g in protocol.groups}

    def note(cond: Condition | None, group: str | None) -> None:
        for question, item in _reads(cond):
            if question is not None:
                top.add(question)
            if item is not None and group is not None:
                items[group].add(item)

    for f in protocol.derived:
        note(f.condition if isinstance(f, BooleanFact) else f.applies_if, None)
        if isinstance(f, NumberFact):
            top.update(r.question for r in expr_refs(f.value) if r.question is not None)
    for g in protocol.groups:
        for f in g.derived:
            note(f.condition if isinstance(f, BooleanFact) else f.applies_if, g.id)
    chosen_top = frozenset(q.id for q in protocol.questions if q.id in top and isinstance(q, Asked))
    chosen_items = {
        g.id: frozenset(q.id for q in g.questions if q.id in items[g.id] and isinstance(q, Asked))
        for g in protocol.groups
    }
    return chosen_top, chosen_items


@dataclass(frozen=True)
class Ask:
    """One question put to the trainee: a child-level one, or one mark's (`item` 1-based)."""

    question: Asked
    group: GroupQuestion | None = None
    item: int | None = None
    of: int = 0  # how many items the case has

    @property
    def path(self) -> str:
        if self.group is None:
            return self.question.id
        return f"{self.group.id}[{self.item}].{self.question.id}"

    @property
    def key(self) -> str:
        """The question whatever the item: `marks.patterned` (for the result sheet)."""
        return self.question.id if self.group is None else f"{self.group.id}.{self.question.id}"

    @property
    def label(self) -> str:
        prompt = self.question.prompt
        if self.group is None:
            return prompt
        return f"{self.group.item_label.capitalize()} {self.item} of {self.of}: {prompt}"


def _items(answers: Mapping[str, Any], group: str) -> list[dict[str, Any]]:
    value = answers.get(group)
    items = value if isinstance(value, list | tuple) else ()
    return [dict(item) for item in items if isinstance(item, Mapping)]


def with_reading(answers: Mapping[str, Any], reading: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's answers with the trainee's in their place (`reading`: path -> value)."""
    out: dict[str, Any] = dict(answers)
    for path, value in reading.items():
        if "[" not in path:
            out[path] = value
            continue
        group, rest = path.split("[", 1)
        number, qid = rest.split("].", 1)
        items = out[group] = _items(out, group)
        items[int(number) - 1][qid] = value
    return out


def asks(protocol: Protocol, answers: Mapping[str, Any], reading: dict[str, Any]) -> Iterator[Ask]:
    """The questions to put to the trainee, in the protocol's order, each asked only if it
    applies given the trainee's own earlier answers (as the check itself would). The caller puts
    each answer in `reading` (path -> value) before taking the next question."""
    top, items = judgement_questions(protocol)
    for q in protocol.questions:
        now = with_reading(answers, reading)
        if isinstance(q, GroupQuestion):
            if q.id not in answers or applicable(protocol, now)[q.id] is Truth.FALSE:
                continue
            count = len(_items(answers, q.id))
            for n in range(1, count + 1):
                for iq in q.questions:
                    if iq.id not in items.get(q.id, ()) or not isinstance(iq, Asked):
                        continue
                    now = with_reading(answers, reading)
                    item = _items(now, q.id)[n - 1]
                    if item_applicable(protocol, q.id, item, now)[iq.id] is Truth.FALSE:
                        continue
                    # The options the check would offer this mark, never one it hides.
                    mine = {k: v for k, v in item.items() if k != iq.id}
                    shown_q = offered(protocol, q, iq, mine, now)
                    yield Ask(shown_q if isinstance(shown_q, Asked) else iq, q, n, count)
        elif (
            q.id in top
            and isinstance(q, Asked)
            and applicable(protocol, now)[q.id] is not Truth.FALSE
        ):
            yield Ask(q)


def given(protocol: Protocol, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the trainee is told besides the narrative: every answer the quiz does not ask
    (age, gestation, how it came to attention; each mark's side, count, the carer's words), as
    (what, answer) in the protocol's order."""
    top, items = judgement_questions(protocol)
    out: list[tuple[str, str]] = []
    applies = applicable(protocol, answers)
    for q in protocol.questions:
        if applies[q.id] is Truth.FALSE or q.id not in answers:
            continue
        if isinstance(q, GroupQuestion):
            marks = _items(answers, q.id)
            order = (
                " (answer for each in the order the narrative gives them)" if len(marks) > 1 else ""
            )
            out.append((f"{q.item_label.capitalize()}s", f"{len(marks)}{order}"))
            for n, item in enumerate(marks, 1):
                parts = [
                    f"{iq.id.replace('_', ' ')}: {shown(iq, item[iq.id])}"
                    for iq in q.questions
                    if iq.id not in items.get(q.id, ())
                    and item.get(iq.id) is not None
                    and (item[iq.id] is not UNKNOWN or iq.required)
                ]
                if parts:
                    out.append((f"{q.item_label.capitalize()} {n}", ", ".join(parts)))
        elif q.id not in top and answers[q.id] is not None:
            if answers[q.id] is UNKNOWN and not q.required:
                continue
            out.append((q.prompt, shown(q, answers[q.id])))
    return out


def family(protocol: Protocol, context: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The family context the trainee is told (the carers, other children, ICON), as (what,
    answer) in the protocol's order; a prompt the scenario leaves unanswered is said to be not
    known (it may add an action), and a free-text note left blank is left out."""
    from bruising_check.training.demo import answer_text

    if context is None:
        return []
    out: list[tuple[str, str]] = []
    for q in protocol.context_prompts:
        value = context.get(q.id, UNKNOWN)
        if value is UNKNOWN or value is None:
            if not isinstance(q, TextQuestion):  # optional notes left blank say nothing
                out.append((q.prompt, "not known"))
            continue
        out.append((q.prompt, answer_text(q, value)))
    return out


# --- grading ------------------------------------------------------------------------------------


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Outcome(_Value):
    """A pathway as the result shows it: id, title, urgency, and the follow-on of a first step."""

    id: str
    title: str
    urgency: int
    then: str | None = None  # the follow-on pathway's title

    @property
    def text(self) -> str:
        return self.title + (f", then: {self.then}" if self.then else "")


class Reading(_Value):
    """One answer of the trainee beside the scenario's."""

    path: str  # marks[2].patterned
    key: str  # marks.patterned
    label: str  # Mark 2 of 2: Does it have a pattern ...?
    yours: str
    scenario: str
    same: bool
    alone: Outcome | None = None  # the outcome if only this answer were yours, when it differs
    alone_less_urgent: bool = False


class Source(_Value):
    id: str
    title: str
    url: str | None = None


class Feedback(_Value):
    """One case, graded."""

    case_id: str
    title: str
    narrative: str
    why: str | None = None
    readings: tuple[Reading, ...] = ()
    chosen: Outcome
    expected: Outcome
    on_your_reading: Outcome | None = None  # the protocol on the trainee's answers
    less_urgent_reading: bool = False  # the trainee's reading gives a less urgent outcome
    rule: str | None = None
    because: str | None = None
    contested: str | None = None  # the deciding rule's note when the protocol marks it contested
    sources: tuple[Source, ...] = ()
    actions_asked: bool = False
    actions_missed: tuple[str, ...] = ()  # action texts
    actions_extra: tuple[str, ...] = ()

    @property
    def pathway_correct(self) -> bool:
        return self.chosen.id == self.expected.id

    @property
    def actions_correct(self) -> bool:
        return self.actions_asked and not (self.actions_missed or self.actions_extra)

    @property
    def points(self) -> int:
        return int(self.pathway_correct) + int(self.actions_correct)

    @property
    def readings_right(self) -> int:
        return sum(r.same for r in self.readings)


class Taken(_Value):
    id: str
    title: str
    version: str
    sha256: str


class QuizResult(_Value):
    """A finished quiz, as saved with `--save` and replayed with `--review`."""

    kind: Literal["bruising-check quiz result"] = KIND
    format: Literal[1] = 1
    watermark: str = WATERMARK
    protocol: Taken
    scenarios: str
    taken_at: dt.datetime
    cases: tuple[Feedback, ...] = Field(max_length=1000)
    statement: str = STATEMENT


def outcome_of(decision: Decision) -> Outcome | None:
    pw = decision.pathway
    if pw is None:
        return None
    then = decision.then.title if decision.then is not None else None
    return Outcome(id=pw.id, title=pw.title, urgency=pw.urgency, then=then)


def _pathway(pw: Pathway) -> Outcome:
    return Outcome(id=pw.id, title=pw.title, urgency=pw.urgency)


def pathway_choices(protocol: Protocol) -> list[Pathway]:
    """Most urgent first: the order a trainee should think in."""
    return sorted(protocol.pathways, key=lambda p: p.urgency)


def action_choices(protocol: Protocol) -> list[Action]:
    """Every action the protocol can ask for (pathways and advice), each once."""
    seen: dict[str, Action] = {}
    for pw in pathway_choices(protocol):
        for a in pw.actions:
            seen.setdefault(a.id, a)
    for adv in protocol.advice:
        for a in adv.actions:
            seen.setdefault(a.id, a)
    return list(seen.values())


@dataclass(frozen=True)
class Case:
    """One quiz case: the scenario's checked answers and the protocol's decision on them."""

    case_id: str
    title: str
    narrative: str
    why: str | None
    answers: Mapping[str, Any]
    decision: Decision  # decided with `context`, so it has the actions the family context adds
    context: Mapping[str, Any] | None = None  # the family context (carers, other children, ICON)


def _less_urgent(a: Decision, b: Decision) -> bool:
    return compare_outcomes((a.pathway, a.then), (b.pathway, b.then)) < 0


def _same_outcome(a: Decision, b: Decision) -> bool:
    return compare_outcomes((a.pathway, a.then), (b.pathway, b.then)) == 0 and (
        (a.pathway.id if a.pathway else None) == (b.pathway.id if b.pathway else None)
    )


def _value_at(answers: Mapping[str, Any], ask: Ask) -> Any:
    if ask.group is None:
        return answers.get(ask.question.id)
    items = _items(answers, ask.group.id)
    assert ask.item is not None
    return items[ask.item - 1].get(ask.question.id) if ask.item <= len(items) else None


def _label(ask: Ask, value: Any) -> str:
    return "(not asked)" if value is None else shown(ask.question, value)


def grade(
    protocol: Protocol,
    case: Case,
    chosen: str,
    reading: Sequence[tuple[Ask, Any]] = (),
    actions: Sequence[str] | None = None,
) -> Feedback:
    """Compare the trainee's answers (`reading`: each question asked and the answer given, in the
    engine's normal form) and chosen pathway id (and action ids, when asked) with the scenario's;
    run the engine on the trainee's reading, and on each differing answer alone."""
    expected = case.decision
    out = outcome_of(expected)
    assert out is not None, "quiz cases always have a pathway"
    readings: list[Reading] = []
    for ask, value in reading:
        theirs = _value_at(case.answers, ask)
        same = value == theirs
        alone: Outcome | None = None
        less = False
        if not same:
            one = decide(
                protocol, with_reading(case.answers, {ask.path: value}), context=case.context
            )
            if not _same_outcome(one, expected):
                alone, less = outcome_of(one), _less_urgent(one, expected)
        readings.append(
            Reading(
                path=ask.path,
                key=ask.key,
                label=ask.label,
                yours=_label(ask, value),
                scenario=_label(ask, theirs),
                same=same,
                alone=alone,
                alone_less_urgent=less,
            )
        )
    mine = decide(
        protocol,
        with_reading(case.answers, {a.path: v for a, v in reading}),
        context=case.context,
    )
    rule = expected.deciding_rule
    protocol_rule = next((r for r in protocol.rules if rule and r.id == rule.id), None)
    picked = protocol.pathway(chosen)
    missed: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    if actions is not None:
        text = {a.id: a.text for a in action_choices(protocol)}
        due = [a.action.id for a in expected.actions]
        missed = tuple(dict.fromkeys(text.get(a, a) for a in due if a not in actions))
        extra = tuple(text.get(a, a) for a in actions if a not in due)
    return Feedback(
        case_id=case.case_id,
        title=case.title,
        narrative=case.narrative,
        why=case.why,
        readings=tuple(readings),
        chosen=_pathway(picked) if picked else Outcome(id=chosen, title=chosen, urgency=0),
        expected=out,
        on_your_reading=outcome_of(mine),
        less_urgent_reading=_less_urgent(mine, expected),
        rule=rule.id if rule else None,
        because=rule.because if rule else None,
        contested=(protocol_rule.note or f"Rule {protocol_rule.id} is contested.")
        if protocol_rule is not None and protocol_rule.contested
        else None,
        sources=tuple(
            Source(id=s.id, title=s.title, url=s.url)
            for sid in (rule.cite if rule else ())
            if (s := protocol.source(sid)) is not None
        ),
        actions_asked=actions is not None,
        actions_missed=missed,
        actions_extra=extra,
    )


# --- scores and the result sheet ----------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    points: int
    out_of: int
    pathways_right: int
    cases: int
    readings_right: int
    readings: int


def score(feedback: Sequence[Feedback]) -> Score:
    return Score(
        points=sum(f.points for f in feedback),
        out_of=sum(1 + int(f.actions_asked) for f in feedback),
        pathways_right=sum(f.pathway_correct for f in feedback),
        cases=len(feedback),
        readings_right=sum(f.readings_right for f in feedback),
        readings=sum(len(f.readings) for f in feedback),
    )


def score_line(s: Score) -> str:
    line = f"Score: {s.points} of {s.out_of} ({s.pathways_right} of {s.cases} pathways right"
    if s.readings:
        line += f"; {s.readings_right} of {s.readings} answers read as the scenario does"
    return line + ")"


def result(
    protocol: Protocol, sha256: str, scenarios: str, feedback: Sequence[Feedback], when: dt.datetime
) -> QuizResult:
    meta = protocol.metadata
    return QuizResult(
        protocol=Taken(id=meta.id, title=meta.title, version=meta.version, sha256=sha256),
        scenarios=scenarios,
        taken_at=when,
        cases=tuple(feedback),
    )


def summary_lines(results: Sequence[QuizResult], names: Sequence[str] = ()) -> list[str]:
    """The result sheet as plain lines (shown at the end and printed to PDF): each quiz's score
    and cases, then, question by question, where answers differed from the scenario's and
    whether that changed the pathway. `names` label the quizzes (e.g. their file names)."""
    lines = [WATERMARK]
    for n, r in enumerate(results):
        name = names[n] if n < len(names) else None
        p = r.protocol
        lines.append(f"Quiz on: {p.title} (version {p.version})" + (f" - {name}" if name else ""))
        lines.append(score_line(score(r.cases)))
        changing = sum(x.alone is not None for f in r.cases for x in f.readings)
        if changing:
            lines.append(f"Answers read differently that alone change the pathway: {changing}")
        lines.append("")
        for f in r.cases:
            mark = "right" if f.pathway_correct else "WRONG"
            lines.append(f"{f.case_id}: {f.title}")
            lines.append(
                f"  pathway {mark}: chose \u201c{f.chosen.title}\u201d;"
                f" the protocol gives \u201c{f.expected.text}\u201d"
            )
            mine = f.on_your_reading
            if mine is not None and mine.id != f.expected.id:
                # The answers together can change the pathway when none does alone.
                way = " - LESS urgent" if f.less_urgent_reading else ""
                lines.append(
                    f"  on the answers given the protocol gives \u201c{mine.text}\u201d{way}"
                )
            if f.rule:
                lines.append(f"  decided by rule {f.rule}: {f.because}")
            if f.actions_asked:
                if f.actions_correct:
                    lines.append("  actions right")
                if f.actions_missed:
                    lines.append("  actions missed: " + "; ".join(f.actions_missed))
                if f.actions_extra:
                    lines.append("  actions not called for: " + "; ".join(f.actions_extra))
        lines.append("")
    lines.extend(by_question(results, names))
    lines += ["", STATEMENT]
    return lines


def by_question(results: Sequence[QuizResult], names: Sequence[str] = ()) -> list[str]:
    """Per question (whatever the mark), how often answers differed from the scenario's, and
    each time where, what was answered, and whether that alone changed the pathway."""
    asked: dict[str, int] = {}
    wrong: dict[str, list[tuple[str, bool]]] = {}  # the line, and whether it changed the pathway
    prompts: dict[str, str] = {}
    several = len(results) > 1
    for n, r in enumerate(results):
        who = (names[n] if n < len(names) else f"quiz {n + 1}") if several else ""
        for f in r.cases:
            for x in f.readings:
                asked[x.key] = asked.get(x.key, 0) + 1
                prompts.setdefault(x.key, x.label.split(": ", 1)[-1] if "[" in x.path else x.label)
                if x.same:
                    continue
                where = f"{f.case_id} {x.path}" + (f" ({who})" if who else "")
                change = ""
                if x.alone is not None:
                    way = "LESS urgent" if x.alone_less_urgent else "more urgent"
                    change = f" - alone this changes the pathway ({way}: {x.alone.title})"
                wrong.setdefault(x.key, []).append(
                    (
                        f"    {where}: answered {x.yours}; the scenario says {x.scenario}{change}",
                        x.alone is not None,
                    )
                )
    if not asked:
        return []
    lines = ["Where answers differed from the scenario, by question:"]
    for key, count in asked.items():
        misses = wrong.get(key, [])
        changing = sum(changes for _, changes in misses)
        also = f", {changing} alone changing the pathway" if changing else ""
        lines.append(f"  {prompts[key]} ({key}): {len(misses)} of {count} differed{also}")
        lines.extend(line for line, _ in misses)
    return lines


# --- saving and reading a finished quiz ---------------------------------------------------------


def to_json(r: QuizResult) -> str:
    return r.model_dump_json(indent=2) + "\n"


def load_result(raw: bytes, file: str) -> tuple[QuizResult | None, tuple[Problem, ...]]:
    """A saved quiz (`--save`), or located problems; nothing raises for a user's mistake."""
    try:
        text = decode(raw, file)
    except YamlError as exc:
        return None, (exc.problem,)
    try:
        # Read as the JSON it is first: an emoji tag or other character beyond U+FFFF is saved
        # as a JSON surrogate pair (`\\udb40\\udc41`), which the YAML reader refuses.
        return QuizResult.model_validate(json.loads(text)), ()
    except (ValueError, ValidationError):
        pass  # not JSON, or not a saved quiz: the YAML reader says where
    try:
        located = read_yaml(text, file, yaml12=True)
    except YamlError as exc:
        return None, (exc.problem,)
    if not isinstance(located.data, dict):
        return None, (located.problem(Code.NOT_A_MAPPING, "a saved quiz is a JSON object", ()),)
    try:
        return QuizResult.model_validate(located.data), ()
    except ValidationError as exc:
        return None, tuple(schema_problems(exc, located))

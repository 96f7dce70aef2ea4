"""A quiz over scenario cases: the trainee reads a narrative, chooses the pathway (and optionally
the actions), and gets the deciding rule and its sources as feedback; a score at the end and a
printable summary watermarked as training material.

Pure: the protocol's decision is the answer key; the CLI asks and shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bruising_check import STATEMENT
from bruising_check.engine.decide import Decision
from bruising_check.protocol.model import Action, Pathway, Protocol

WATERMARK = "TRAINING — not a clinical record"


@dataclass(frozen=True)
class Item:
    case_id: str
    title: str
    narrative: str
    why: str | None
    decision: Decision


@dataclass(frozen=True)
class Feedback:
    item: Item
    chosen: str
    expected: Pathway
    pathway_correct: bool
    rule: str | None
    because: str | None
    sources: tuple[tuple[str, str, str | None], ...]  # (id, title, url)
    actions_asked: bool
    actions_missed: tuple[str, ...] = ()
    actions_extra: tuple[str, ...] = ()

    @property
    def actions_correct(self) -> bool:
        return self.actions_asked and not (self.actions_missed or self.actions_extra)

    @property
    def points(self) -> int:
        return int(self.pathway_correct) + int(self.actions_correct)


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


def grade(
    protocol: Protocol, item: Item, chosen: str, actions: Sequence[str] | None = None
) -> Feedback:
    """Compare the trainee's pathway id (and action ids, when asked) with the protocol's."""
    expected = item.decision.pathway
    assert expected is not None, "quiz items always have a pathway"
    rule = item.decision.deciding_rule
    sources = tuple(
        (s.id, s.title, s.url)
        for sid in (rule.cite if rule else ())
        if (s := protocol.source(sid)) is not None
    )
    missed: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    if actions is not None:
        due = [a.action.id for a in item.decision.actions]
        missed = tuple(a for a in due if a not in actions)
        extra = tuple(a for a in actions if a not in due)
    return Feedback(
        item=item,
        chosen=chosen,
        expected=expected,
        pathway_correct=chosen == expected.id,
        rule=rule.id if rule else None,
        because=rule.because if rule else None,
        sources=sources,
        actions_asked=actions is not None,
        actions_missed=missed,
        actions_extra=extra,
    )


@dataclass(frozen=True)
class Score:
    points: int
    out_of: int
    pathways_right: int
    cases: int


def score(feedback: Sequence[Feedback]) -> Score:
    out_of = sum(1 + int(f.actions_asked) for f in feedback)
    return Score(
        points=sum(f.points for f in feedback),
        out_of=out_of,
        pathways_right=sum(f.pathway_correct for f in feedback),
        cases=len(feedback),
    )


def summary_lines(protocol: Protocol, feedback: Sequence[Feedback]) -> list[str]:
    """The result sheet as plain lines (shown at the end and printed to PDF)."""
    s = score(feedback)
    lines = [
        WATERMARK,
        f"Quiz on: {protocol.metadata.title} (version {protocol.metadata.version})",
        f"Score: {s.points} of {s.out_of} ({s.pathways_right} of {s.cases} pathways right)",
        "",
    ]
    for f in feedback:
        mark = "right" if f.pathway_correct else "WRONG"
        lines.append(f"{f.item.case_id}: {f.item.title}")
        chosen = protocol.pathway(f.chosen)
        lines.append(
            f"  pathway {mark}: chose \u201c{chosen.title if chosen else f.chosen}\u201d;"
            f" the protocol gives \u201c{f.expected.title}\u201d"
        )
        if f.rule:
            lines.append(f"  decided by rule {f.rule}: {f.because}")
        if f.actions_asked:
            if f.actions_correct:
                lines.append("  actions right")
            if f.actions_missed:
                lines.append("  actions missed: " + ", ".join(f.actions_missed))
            if f.actions_extra:
                lines.append("  actions not called for: " + ", ".join(f.actions_extra))
    lines += ["", STATEMENT]
    return lines

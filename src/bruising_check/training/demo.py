"""A case stepped through answer by answer, for teaching: why each question is asked, what each
answer changes (facts worked out, rules ruled in or out), and which rule finally decides.

Pure: `walk` returns the steps as values; the CLI shows them one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bruising_check.engine.decide import Decision, applicable, decide, derive, rule_truths
from bruising_check.engine.replies import shown as answer_label
from bruising_check.protocol.conditions import UNKNOWN, UNKNOWN_KEYS, Truth
from bruising_check.protocol.model import GroupQuestion, NumberFact, Protocol, Question, Rule


@dataclass(frozen=True)
class Step:
    number: int
    question: str
    prompt: str
    why: str | None
    answer: str  # the answer as a person reads it, or why it was not asked
    asked: bool
    facts: tuple[str, ...]  # facts that became known with this answer, e.g. "non-roller: yes"
    ruled_out: tuple[str, ...]  # rule ids that can no longer apply
    now_true: tuple[str, ...]  # rule ids whose condition now holds
    decided: str | None  # the rule that decides from here on, if it is settled already
    behind: tuple[tuple[str, str], ...] = ()
    """(rule, earlier rule) for a rule of `now_true` that an earlier rule, which also holds,
    comes before, so that it can neither decide this case nor give its follow-on (`_ahead`)."""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str | None


@dataclass(frozen=True)
class Conclusion:
    decision: Decision
    rule: str | None
    because: str | None
    sources: tuple[Source, ...]
    advice: tuple[tuple[str, str], ...]  # (id, because)
    # The actions the family context adds (the check's final result marks them New), as
    # (from, action id); none without context.
    from_family: frozenset[tuple[str, str]] = frozenset()


def _fact_text(protocol: Protocol, fid: str, value: Any) -> str:
    fact = next(f for f in protocol.derived if f.id == fid)
    if value is None:
        shown = "not applicable"
    elif isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(fact, NumberFact):
        number = round(float(value), 2)
        shown = f"{number:g}" + (f" {fact.unit}" if fact.unit else "")
    else:  # pragma: no cover - facts are booleans or numbers
        shown = str(value)
    return f"{fact.label}: {shown}"


def answer_text(q: Question, value: Any) -> str:
    """An answer as a person reads it; a group's items one by one ("mark 1: Bruise, ..."), each
    item answer by its label and an item answer that is not known said so, never as a fact."""
    if not isinstance(q, GroupQuestion):
        return answer_label(q, value)
    items = tuple(value) if isinstance(value, list | tuple) else ()
    if not items:
        return f"no {q.item_label}s"
    parts = []
    for n, item in enumerate(items, 1):
        answered = item if isinstance(item, Mapping) else {}
        given = [
            f"{iq.id.replace('_', ' ')}: {answer_label(iq, answered[iq.id])}"
            for iq in q.questions
            # Not asked (None) is left out; so is an optional answer left empty.
            if answered.get(iq.id) is not None and (answered[iq.id] is not UNKNOWN or iq.required)
        ]
        parts.append(f"{q.item_label} {n}: {', '.join(given)}")
    return "; ".join(parts)


def _partial(protocol: Protocol, answers: Mapping[str, Any], known: set[str]) -> dict[str, Any]:
    """The answers to the questions in `known`; every other question left out (not known)."""
    partial = {q.id: answers[q.id] for q in protocol.questions if q.id in known and q.id in answers}
    if UNKNOWN_KEYS in answers:
        partial[UNKNOWN_KEYS] = answers[UNKNOWN_KEYS]
    return partial


def _state(protocol: Protocol, answers: Mapping[str, Any], known: set[str]) -> dict[str, Any]:
    """The child-level facts worked out from the answers to the questions in `known`."""
    return derive(protocol, _partial(protocol, answers, known))


def _truths(
    protocol: Protocol,
    answers: Mapping[str, Any],
    known: set[str],
    before: Mapping[str, Truth] | None = None,
) -> dict[str, Truth]:
    """Each rule's condition on the answers so far, as the engine judges it (per-item facts
    included; TRUE or FALSE only when every answer still to come agrees). A rule settled
    `before` stays so (more answers only narrow the completions), so only the open ones are
    searched again."""
    before = before or {}
    open_ = [r.id for r in protocol.rules if before.get(r.id, Truth.UNKNOWN) is Truth.UNKNOWN]
    return {**before, **rule_truths(protocol, _partial(protocol, answers, known), rules=open_)}


def _settled(protocol: Protocol, truths: Mapping[str, Truth]) -> str | None:
    """The deciding rule if every earlier rule is ruled out and it holds; None while open."""
    for r in protocol.rules:
        if truths[r.id] is Truth.TRUE:
            return r.id
        if truths[r.id] is Truth.UNKNOWN:
            return None
    return None


def walk(
    protocol: Protocol,
    answers: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
) -> tuple[list[Step], Conclusion]:
    """Step through checked `answers` in the protocol's question order. `context` (the family
    context: carers, other children, ICON) never changes a step or the pathway; the conclusion
    is decided with it, so the actions it adds (C1-C4 of the bundled protocol) are there, as in
    the check's final result."""
    applies = applicable(protocol, answers)
    known: set[str] = set()
    env = _state(protocol, answers, known)
    truths = _truths(protocol, answers, known)
    steps: list[Step] = []
    public = [f.id for f in protocol.derived if not f.internal]
    for n, q in enumerate(protocol.questions, 1):
        known.add(q.id)
        asked = applies[q.id] is not Truth.FALSE
        after = _state(protocol, answers, known)
        new_truths = _truths(protocol, answers, known, truths)
        if not asked:
            shown = "(not asked for this child)"
        elif q.id in answers and answers[q.id] is not UNKNOWN:
            shown = answer_text(q, answers[q.id])
        else:
            shown = "(not known)"
        facts = tuple(
            _fact_text(protocol, f, after[f])
            for f in public
            if env.get(f) is UNKNOWN and after.get(f) is not UNKNOWN
        )
        changed = [r.id for r in protocol.rules if truths[r.id] is not new_truths[r.id]]
        now_true = tuple(r for r in changed if new_truths[r] is Truth.TRUE)
        behind = tuple(
            (r, ahead) for r in now_true if (ahead := _ahead(protocol, new_truths, r)) is not None
        )
        steps.append(
            Step(
                number=n,
                question=q.id,
                prompt=q.prompt,
                why=q.help,
                answer=shown,
                asked=asked,
                facts=facts,
                ruled_out=tuple(r for r in changed if new_truths[r] is Truth.FALSE),
                now_true=now_true,
                decided=_settled(protocol, new_truths),
                behind=behind,
            )
        )
        env, truths = after, new_truths
    decision = decide(protocol, answers, context=context)
    rule = decision.deciding_rule
    cites = rule.cite if rule else ()
    sources = tuple(
        Source(s.id, s.title, s.url) for sid in cites if (s := protocol.source(sid)) is not None
    )
    advice = tuple((r.id, r.because) for r in decision.rules_fired if r.kind == "advice")
    family: frozenset[tuple[str, str]] = frozenset()
    if context is not None:  # as the check: the first result has no context, the final has
        before = {(a.source, a.action.id) for a in decide(protocol, answers).actions}
        family = frozenset(
            (a.source, a.action.id)
            for a in decision.actions
            if (a.source, a.action.id) not in before
        )
    return steps, Conclusion(
        decision, rule.id if rule else None, rule.because if rule else None, sources, advice, family
    )


def _ahead(protocol: Protocol, truths: Mapping[str, Truth], rid: str) -> str | None:
    """The earlier matching rule that keeps rule `rid` (which matches) from choosing anything,
    as the engine picks (`engine.evaluate._scan`): the first matching rule decides; if it is a
    first step with `then: rules_below`, the first matching rule after it whose pathway is not a
    first step gives the follow-on. None if `rid` decides or gives the follow-on."""

    def first_step(rule: Rule) -> bool:
        pathway = protocol.pathway(rule.pathway)
        return pathway is not None and pathway.first_step

    holding = [r for r in protocol.rules if truths[r.id] is Truth.TRUE]
    if not holding or holding[0].id == rid:
        return None
    first = holding[0]
    if first.then == "rules_below" and first_step(first):
        follow = next((r for r in holding[1:] if not first_step(r)), None)
        this = next(r for r in holding if r.id == rid)
        if follow is not None and not first_step(this):
            return None if follow.id == rid else follow.id
    return first.id


@dataclass(frozen=True)
class MarkPart:
    """One item of a repeated group (a mark) and its part in the decision: the outcome the
    protocol gives for this mark on its own (the rest of the case unchanged), and whether the
    case without it would be less urgent (so this mark raises the pathway)."""

    group: str
    number: int  # 1-based, as printed
    summary: str  # "type: Bruise, site: Sole of the foot, ..."
    alone: Decision
    raises: bool  # without this mark the outcome is less urgent


def mark_parts(protocol: Protocol, answers: Mapping[str, Any]) -> tuple[MarkPart, ...]:
    """Each mark's part: decided on its own, and the case decided without it. Only for a case
    with two or more items (with one, the mark's part is the whole decision)."""
    from bruising_check.engine.urgency import compare_outcomes

    whole = decide(protocol, answers)
    parts: list[MarkPart] = []
    for g in protocol.groups:
        value = answers.get(g.id)
        items = (
            [i for i in value if isinstance(i, Mapping)] if isinstance(value, list | tuple) else []
        )
        if len(items) < 2:
            continue
        for n, item in enumerate(items, 1):
            alone = decide(protocol, {**answers, g.id: (item,)})
            rest = items[: n - 1] + items[n:]
            without = decide(protocol, {**answers, g.id: tuple(rest)})
            raises = (
                compare_outcomes((without.pathway, without.then), (whole.pathway, whole.then)) < 0
            )
            summary = answer_text(g, [item]).split(": ", 1)[-1]
            parts.append(MarkPart(g.id, n, summary, alone, raises))
    return tuple(parts)

"""What the exhaustive analysis of one protocol finds, located at YAML paths.

Over every complete answer set (every asked question answered; optional questions answered too):
gaps (no rule matches), dead rules and the rules that shadow them, overlaps that matter (an earlier,
*less urgent* rule pre-empts a later one on the same situation), conditions that are always true or
always false, questions never asked, questions/options/internal facts nothing uses, pathways no rule
reaches, and the protocol's invariants, proved or refuted with a smallest counterexample.

Unknown answers (`null` for an optional question) are not enumerated. The engine gives, for
answers with unknowns, the most urgent pathway of every rule that *might* apply; since three-valued
evaluation is monotone, that is at least as urgent as the pathway of every completion — provided no
optional answer decides whether another question is asked (checked here: UNKNOWN_CHANGES_ASKING)
and the rules keep every invariant (proved here). Both together prove unknowns never lower the
pathway; the tests also check it by brute force on small protocols.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bruising_check.analysis.build import BUDGET_SECONDS, MAX_NODES, Built, build
from bruising_check.analysis.classes import describe, merge
from bruising_check.analysis.formulas import conj, evaluate, neg
from bruising_check.analysis.search import Leaf, Split, TooLarge
from bruising_check.engine.urgency import satisfies
from bruising_check.problems import Code
from bruising_check.protocol.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Count,
    Every,
    Not,
    Some,
    comparisons,
    walk,
)
from bruising_check.protocol.model import (
    MultipleChoiceQuestion,
    NumberFact,
    Protocol,
    SingleChoiceQuestion,
    TextQuestion,
)
from bruising_check.protocol.walk import (
    all_conditions,
    conditions_with_paths,
    expr_refs,
    reads_context,
)
from bruising_check.protocol.wording import EXACT_DIGITS, count_text
from bruising_check.protocol.yamlread import Path


@dataclass(frozen=True)
class Finding:
    code: Code
    path: Path
    message: str
    example: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code.name, "message": self.message}
        if self.example is not None:
            out["example"] = self.example
        out.update(self.data)
        return out


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...]
    total: int
    classes: int
    seconds: float
    pathway_sizes: dict[str, int]
    outcome_sizes: dict[tuple[str | None, str | None], int] = field(default_factory=dict)
    """Answer sets per outcome (pathway, follow-on pathway or None)."""


def analyse(
    protocol: Protocol,
    max_nodes: int = MAX_NODES,
    budget_seconds: float | None = BUDGET_SECONDS,
) -> Analysis:
    """Exhaustive analysis of `protocol` (schema- and reference-valid). Raises `TooLarge` if the
    rules tell apart more situations than `max_nodes` search steps or `budget_seconds` of wall
    clock can visit."""
    start = time.perf_counter()
    built = build([protocol], max_nodes, budget_seconds)
    view, ex = built.views[0], built.explorer

    def decide(a: dict[str, Any], hint: tuple[int, int] | None) -> Split | Leaf:
        need: list[str] = []
        done, key, resume = view.decide_pair(a, need, hint)
        return Leaf(key) if done else Split(built.space.pick(need), resume)

    # The invariants' conditions are worked out along the main search (watched), so the check
    # below reads their values at each leaf instead of evaluating every invariant on every leaf
    # again (that was quadratic in the protocol's size).
    whens = [view.compiler.condition(inv.when) for inv in protocol.invariants]
    # Leaves are kept packed while the search runs (a search that gives up reports only their
    # count and sizes, and must stop within its memory bound); a finished one unpacks them.
    watched: list[tuple[Any, Any, int, frozenset[int], frozenset[int]]] = []
    try:
        watched.extend(ex.explore_watching(decide, whens, packed=True))
    except TooLarge as exc:
        exc.add_progress(_progress(watched))
        raise
    pairs = [(ex.unpack(trail), key, size) for trail, key, size, _, _ in watched]
    values = [_Values(true, undecided) for _, _, _, true, undecided in watched]
    # Most findings look at the deciding rule; the follow-on rules count as reached too.
    leaves = [(a, key[0], size) for a, key, size in pairs]
    findings: list[Finding] = []
    findings += _gaps(built, leaves)
    follow_ons = {key[1] for _, key, _ in pairs} - {None}
    findings += _rules(protocol, built, leaves, follow_ons)
    findings += _conditions(protocol, built, leaves)
    findings += _unused(protocol)
    findings += _invariants(protocol, built, pairs, values)
    findings += _context(protocol)
    findings += _unknowns(protocol)
    from bruising_check.analysis.policy import Budget, policy_findings  # it uses Finding

    findings += policy_findings(protocol, built, pairs, Budget(max_nodes, ex.deadline))
    sizes: dict[str, int] = {}
    outcomes: dict[tuple[str | None, str | None], int] = {}
    for _, key, size in pairs:
        first, then = view.pair_pathways(key)
        shown = "(none)" if first is None else first
        sizes[shown] = sizes.get(shown, 0) + size
        outcomes[(first, then)] = outcomes.get((first, then), 0) + size
    total = sum(size for _, _, size in leaves)
    seconds = time.perf_counter() - start
    findings.append(
        Finding(
            Code.ANALYSIS_SUMMARY,
            ("rules",),
            f"analysed {'every one of' if total >= 10**EXACT_DIGITS else 'all'}"
            f" {count_text(total)} complete answer sets as {len(leaves):,} situation classes"
            f" in {seconds * 1000:.0f} ms{_reals(built)}",
            data={"total": total, "classes": len(leaves), "pathways": sizes},
        )
    )
    return Analysis(tuple(findings), total, len(leaves), seconds, sizes, outcomes)


def _progress(watched: list[tuple[Any, Any, int, frozenset[int], frozenset[int]]]) -> str:
    """What the search covered before it stopped: counted, never a proof about the rest."""
    covered = sum(size for _, _, size, _, _ in watched)
    gaps = sum(size for _, key, size, _, _ in watched if key[0] is None)
    if not watched:
        return "; no situation class was finished"
    found = (
        f"; {count_text(gaps)} of them already reach no pathway"
        if gaps
        else "; each reaches a pathway"
    )
    return (
        f". Before stopping it finished {len(watched):,} situation classes ({count_text(covered)}"
        f" answer sets){found}; the rest was not analysed and no invariant is proved"
    )


@dataclass(frozen=True)
class _Values:
    """The watched formulas at one leaf: those true on all of it, those undecided on it."""

    true: frozenset[int]
    undecided: frozenset[int]

    def __call__(self, i: int) -> bool | None:
        if i in self.true:
            return True
        return None if i in self.undecided else False


def _reals(built: Built) -> str:
    reals = [d.qid for d in built.space.domains.values() if d.kind == "number" and not d.integer]
    if not reals:
        return ""
    return f"; each range of {', '.join(reals)} that the rules tell apart counts as one answer"


def _gaps(built: Built, leaves: list[tuple[dict[str, Any], Any, int]]) -> Iterator[Finding]:
    ex = built.explorer
    gaps = merge(
        [(a, size, ex.example(a)) for a, index, size in leaves if index is None], ex.on_time
    )
    if not gaps:
        return
    total = sum(m.size for m in gaps)
    classes: list[dict[str, Any]] = [
        {"condition": describe(built.space, m), "size": m.size, "example": m.example} for m in gaps
    ]
    yield Finding(
        Code.ANALYSIS_GAP,
        ("rules",),
        f"{count_text(total)} answer set(s) in {len(gaps)} class(es) reach no pathway, e.g. when"
        f" {classes[0]['condition']}",
        example=classes[0]["example"],
        data={"size": total, "classes": classes},
    )


def _rules(
    protocol: Protocol,
    built: Built,
    leaves: list[tuple[dict[str, Any], Any, int]],
    follow_ons: set[int],
) -> Iterator[Finding]:
    view, ex = built.views[0], built.explorer
    urgency = view.urgency
    firsts = {index for _, index, _ in leaves if index is not None}
    deciders = firsts | follow_ons
    for i, rule in enumerate(protocol.rules):
        if i in deciders:
            continue
        mine = view.rules[i]
        if ex.satisfiable(mine) is None:
            message = f"rule {rule.id} can never match (its condition is always false)"
            shadows: list[str] = []
        else:
            shadows = [
                protocol.rules[s].id
                for s in range(i)
                if ex.satisfiable(conj(mine, view.rules[s])) is not None
            ]
            message = (
                f"rule {rule.id} is never the first to match: earlier rule(s)"
                f" {', '.join(shadows)} match every situation it matches"
            )
        yield Finding(Code.ANALYSIS_DEAD_RULE, ("rules", i), message, data={"shadowed_by": shadows})
    # Overlaps that matter: the earlier (deciding) rule is less urgent than a later one that also
    # matches, so the order alone lowers the pathway there.
    found: dict[int, dict[int, dict[str, Any]]] = {}
    for a, s, _ in leaves:
        if s is None:
            continue
        for r in range(s + 1, len(protocol.rules)):
            upper, lower = protocol.rules[s].pathway, protocol.rules[r].pathway
            if urgency.get(upper, 0) <= urgency.get(lower, 0) or s in found.get(r, {}):
                continue
            quick = evaluate(view.rules[r], a, [])
            if quick is False:
                continue
            hit = a if quick else ex.satisfiable(view.rules[r], a)
            if hit is not None:
                found.setdefault(r, {})[s] = ex.example(hit)
    for r, by in sorted(found.items()):
        later = protocol.rules[r]
        # `overlaps:` acknowledges some as intended (design §6): information, so new ones stand out.
        known = {
            s: next(
                (
                    o.because
                    for o in protocol.overlaps
                    if {later.id, protocol.rules[s].id} <= set(o.rules)
                ),
                None,
            )
            for s in by
        }
        for acknowledged in (False, True):
            these = sorted(s for s in by if (known[s] is not None) == acknowledged)
            if not these:
                continue
            names = [protocol.rules[s].id for s in these]
            message = (
                f"rule {later.id} ({later.pathway}) also matches situations that earlier, less"
                f" urgent rule(s) {', '.join(names)} decide; the order alone lowers the pathway"
                " there"
            )
            if acknowledged:
                reasons = sorted({str(known[s]) for s in these})
                message += f"; acknowledged as intended: {' / '.join(reasons)}"
            yield Finding(
                Code.OVERLAP_ACKNOWLEDGED if acknowledged else Code.ANALYSIS_OVERLAP,
                ("rules", r),
                message,
                example=by[these[0]],
                data={"pre_empted_by": {protocol.rules[s].id: by[s] for s in these}},
            )
    reached = {protocol.rules[i].pathway for i in deciders}
    for i, pw in enumerate(protocol.pathways):
        if pw.id not in reached:
            yield Finding(
                Code.ANALYSIS_UNREACHED_PATHWAY,
                ("pathways", i),
                f"pathway {pw.id} is never the outcome: no rule leads to it in any situation",
            )


SAMPLE_LEAVES = 256
"""Leaves of the main search a condition is first tried on (spread over all of them)."""


def _conditions(
    protocol: Protocol, built: Built, leaves: list[tuple[dict[str, Any], Any, int]]
) -> Iterator[Finding]:
    """Conditions (and parts) that never change. Each is first evaluated on a spread of the
    main search's leaves: a leaf has answer sets and a decided formula holds on all of them, so
    a leaf where it is true (false) shows it can be true (false). Only what no such leaf shows is
    searched for over the whole space."""
    compiler, ex = built.views[0].compiler, built.explorer
    step = max(1, len(leaves) // SAMPLE_LEAVES)
    samples = [a for a, _, _ in leaves[::step]]
    memo: dict[Any, tuple[bool, bool]] = {}
    for root, cond, owner in all_conditions(protocol):
        if owner == "context":
            continue
        reported: list[Path] = []
        for path, node in conditions_with_paths(cond, root):
            if any(path[: len(r)] == r for r in reported) or _item_level(path, node):
                continue
            key = node.model_dump_json()
            if key not in memo:
                f = compiler.condition(node)
                seen = {evaluate(f, a, []) for a in samples}
                memo[key] = (
                    True in seen or ex.satisfiable(f) is not None,
                    False in seen or ex.satisfiable(neg(f)) is not None,
                )
            can_true, can_false = memo[key]
            if can_true and can_false:
                continue
            reported.append(path)
            if owner == "ask_if" and path == root:
                qid = protocol.questions[root[1]].id  # type: ignore[index]
                if not can_true:
                    yield Finding(
                        Code.ANALYSIS_NEVER_ASKED,
                        path,
                        f"question {qid} is never asked: its ask_if is always false",
                    )
                    continue
            code = Code.ANALYSIS_ALWAYS_TRUE if can_true else Code.ANALYSIS_ALWAYS_FALSE
            what = "true" if can_true else "false"
            yield Finding(code, path, f"this condition is always {what}, for every answer set")


def _item_level(path: Path, node: Any) -> bool:
    """A condition on one item (inside a quantifier's `where`, or a group's own ask_if and item
    facts) says something about *an* item, not about the case: judged as a case-level condition
    it would be reported always true or false. The quantifier around it is judged instead."""
    return "where" in path or any(c.item is not None for c in _outside_quantifiers(node))


def _outside_quantifiers(node: Any) -> Iterator[Compare]:
    """The comparisons of `node` that no quantifier encloses."""
    if isinstance(node, Compare):
        yield node
    elif isinstance(node, (AllOf, AnyOf)):
        for child in node.all if isinstance(node, AllOf) else node.any:
            yield from _outside_quantifiers(child)
    elif isinstance(node, Not):
        yield from _outside_quantifiers(node.not_)


def _unused(protocol: Protocol) -> Iterator[Finding]:
    used_questions: set[str] = set()
    used_facts: set[str] = set()
    operands: dict[str, set[str]] = {}
    for _, cond, owner in all_conditions(protocol):
        if owner == "context":
            continue
        for node in walk(cond):
            if isinstance(node, (Some, Every, Count)):
                spec = (
                    node.some
                    if isinstance(node, Some)
                    else getattr(node, type(node).__name__.lower())
                )
                used_questions.add(spec.group)
        for cmp in comparisons(cond):
            if cmp.item is not None:
                continue  # an item's own answer: part of its group, which is used
            if cmp.question is not None:
                used_questions.add(cmp.question)
                operands.setdefault(cmp.question, set()).update(_strings(cmp))
            else:
                used_facts.add(str(cmp.fact))
    for f in protocol.derived:
        if isinstance(f, NumberFact):
            for ref in expr_refs(f.value):
                (used_questions if ref.question else used_facts).add(ref.subject)
    for i, q in enumerate(protocol.questions):
        if isinstance(q, TextQuestion):
            continue  # free text is recorded, by design never used
        if q.id not in used_questions:
            yield Finding(
                Code.ANALYSIS_UNUSED_QUESTION,
                ("questions", i),
                f"question {q.id} is asked but no rule, fact, advice, invariant, ask_if or action"
                " uses it",
            )
        elif isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            unused = [o.id for o in q.options if o.id not in operands.get(q.id, set())]
            named = operands.get(q.id, set())
            if unused and named:
                yield Finding(
                    Code.ANALYSIS_UNUSED_OPTION,
                    ("questions", i, "options"),
                    f"options of {q.id} no condition names: {', '.join(unused)}",
                    data={"options": unused},
                )
    for i, fact in enumerate(protocol.derived):
        if fact.internal and fact.id not in used_facts:
            yield Finding(
                Code.ANALYSIS_UNUSED_FACT,
                ("derived", i),
                f"internal fact {fact.id} is used by nothing; internal facts exist to build others",
            )


def _strings(cmp: Compare) -> set[str]:
    operand = cmp.operand
    values = operand if isinstance(operand, tuple) else (operand,)
    return {v for v in values if isinstance(v, str)}


def _context(protocol: Protocol) -> Iterator[Finding]:
    """The context answers never change the pathway: no rule, derived fact, invariant or
    question's `ask_if` reads them (checked here, over every condition), and advice, the only
    thing that may, adds actions and never changes the outcome (the engine decides the pathway
    before it looks at advice)."""
    if not protocol.context_prompts:
        return
    readers = [
        path
        for path, cond, owner in all_conditions(protocol)
        if path[0] not in {"advice", "context_prompts"} and reads_context(protocol, cond)
    ]
    if readers:
        return  # reported as CONTEXT_DECIDES by the checks
    advice = [
        a.id
        for a, (_, _, owner) in zip(protocol.advice, _advice_owners(protocol), strict=True)
        if owner == "context"
    ]
    ids = ", ".join(q.id for q in protocol.context_prompts)
    verb = "reads" if len(advice) == 1 else "read"
    adds = f"; advice {', '.join(advice)} {verb} them and only adds actions" if advice else ""
    yield Finding(
        Code.CONTEXT_NEVER_DECIDES,
        ("context_prompts",),
        f"the context answers ({ids}) never change the pathway: no rule, derived fact,"
        f" invariant or ask_if reads them{adds}",
        data={"advice": advice},
    )


def _advice_owners(protocol: Protocol) -> list[tuple[Path, Any, str]]:
    return [x for x in all_conditions(protocol) if x[0][0] == "advice"]


def _invariants(
    protocol: Protocol,
    built: Built,
    pairs: list[tuple[dict[str, Any], tuple[int | None, int | None], int]],
    values: list[_Values],
) -> Iterator[Finding]:
    """An invariant is broken where its condition holds and the outcome is below its floor.
    The main search's leaves split the space by outcome, so only the leaves whose outcome is
    below the floor are searched again, for the condition alone (the same answer sets as
    searching `when and fails` over the whole space, without re-deciding every rule)."""
    view, ex = built.views[0], built.explorer
    pathways = {p.id: p for p in protocol.pathways}
    # Leaves by their invariant values: those where an invariant's condition can hold.
    candidates: dict[int, list[int]] = {}
    for k, value in enumerate(values):
        for i in (*value.true, *value.undecided):
            candidates.setdefault(i, []).append(k)
    for i, inv in enumerate(protocol.invariants):
        when = view.compiler.condition(inv.when)
        target = pathways.get(inv.at_least)
        violations: list[tuple[dict[str, Any], Any, int]] = []
        below: dict[Any, bool] = {}
        for k in sorted(candidates.get(i, [])):
            if target is None:  # an unknown floor: `fails` is false, nothing breaks it
                break
            a, key, size = pairs[k]
            if key not in below:
                first, then = view.pair_pathways(key)
                outcome = (
                    None if first is None else pathways.get(first),
                    None if then is None else pathways.get(then),
                )
                below[key] = first is None or not satisfies(outcome, target)
            if not below[key]:
                continue
            got = values[k](i)
            if got is True:
                violations.append((a, key, size))
            elif got is None:
                violations += [(b, key, ex.size(b)) for b, _, _ in ex.solve(when, a, exact=False)]
        if not violations:
            yield Finding(
                Code.INVARIANT_HOLDS,
                ("invariants", i),
                f"invariant {inv.id} holds for every answer set: the rules never give less than"
                f" {inv.at_least} when it applies",
            )
            continue
        examples = [(ex.example(a), a, size) for a, _, size in violations]
        smallest, a, _ = min(examples, key=lambda e: _weight(e[0]))
        total = sum(size for _, _, size in violations)
        yield Finding(
            Code.INVARIANT_BROKEN,
            ("invariants", i),
            f"invariant {inv.id} is broken by the rules in {count_text(total)} answer set(s),"
            " e.g. when"
            f" {ex.describe(a)}; the engine raises the pathway at run time,"
            " but the rules are wrong",
            example=smallest,
            data={"size": total, "classes": len(violations)},
        )


def _weight(example: dict[str, Any]) -> tuple[int, float]:
    """Smaller is simpler: fewer yes answers and chosen options, then lower numbers."""
    chosen = 0
    numbers = 0.0
    for value in example.values():
        if isinstance(value, bool):
            chosen += int(value)
        elif isinstance(value, list):
            chosen += len(value)
        elif isinstance(value, (int, float)):
            numbers += value
    return chosen, numbers


def _unknowns(protocol: Protocol) -> Iterator[Finding]:
    """An optional answer that feeds an ask_if can make a later question count as asked when a
    completion would leave it unasked: then an unknown could lower the pathway."""
    optional = {q.id for q in protocol.questions if not q.required and q.type != "text"}
    fact_inputs: dict[str, set[str]] = {}
    for f in protocol.derived:
        deps: set[str] = set()
        conds = [f.condition] if f.type == "boolean" else [f.applies_if] if f.applies_if else []
        for c in conds:
            for cmp in comparisons(c):
                deps |= {cmp.question} if cmp.question else fact_inputs.get(str(cmp.fact), set())
        if isinstance(f, NumberFact):
            for ref in expr_refs(f.value):
                deps |= {ref.question} if ref.question else fact_inputs.get(str(ref.fact), set())
        fact_inputs[f.id] = {d for d in deps if d}
    for i, q in enumerate(protocol.questions):
        if q.ask_if is None:
            continue
        inputs: set[str] = set()
        for cmp in comparisons(q.ask_if):
            inputs |= {cmp.question} if cmp.question else fact_inputs.get(str(cmp.fact), set())
        risky = sorted(inputs & optional)
        if risky:
            yield Finding(
                Code.UNKNOWN_CHANGES_ASKING,
                ("questions", i, "ask_if"),
                f"whether {q.id} is asked depends on optional answer(s) {', '.join(risky)}; if"
                " they are not known the engine asks it anyway, so an unknown could lower the"
                " pathway",
            )

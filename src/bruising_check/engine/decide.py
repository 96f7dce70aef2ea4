"""The engine: a pure function from (protocol, answers) to a decision.

The first rule whose condition is true decides the pathway; a rule with `then: rules_below`
names a first-step pathway and the first later rule that matches gives the follow-on. Safety
rules on top of that:
- an answer that is not known ranges over every answer it could have been: the outcome is the
  most urgent one over every completion of the unknowns, found exactly (`engine.complete`), and
  the decision lists the unknowns that decided it;
- the protocol's invariants are honoured on every decision (on the pair pathway / follow-on, as
  `engine.urgency` defines) and, if one would be broken, the outcome is raised to what it demands
  and the decision says so.
Advice accumulates from every matching advice entry and never changes the pathway.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from bruising_check.engine.complete import DEFAULT_BUDGET, Completer, Exhausted, Inexact, Var
from bruising_check.engine.evaluate import (
    FiredRule,
    Pass,
    Skipped,
    asked_only_if,
    compute,
    follow_on_trace,
    run_pass,
)
from bruising_check.engine.urgency import Outcome, more_urgent, raise_to
from bruising_check.protocol.conditions import (
    MAYBE_ASKED_KEYS,
    PENDING_KEYS,
    UNKNOWN,
    UNKNOWN_KEYS,
    Condition,
    Truth,
    evaluate,
)
from bruising_check.protocol.model import (
    Action,
    BooleanFact,
    Contact,
    GroupQuestion,
    Pathway,
    Protocol,
    Question,
    TextQuestion,
)
from bruising_check.protocol.walk import reads_context

__all__ = [
    "Decision",
    "FiredRule",
    "ResolvedAction",
    "Skipped",
    "applicable",
    "compute",
    "context_env",
    "decide",
    "derive",
    "rule_truths",
]


@dataclass(frozen=True)
class ResolvedAction:
    """An action the outcome includes, with its contact and where it came from."""

    action: Action
    contact: Contact | None
    source: str  # pathway id or advice id
    uncertain: bool = False
    """Its `when` (or its advice's) is not known: included, since it may apply."""


@dataclass(frozen=True)
class Alternative:
    """An outcome exactly as urgent as the one decided, with other pathways (equal ranks: for
    example "same-day GP" and "same-day paediatrician"), that some answers to the unknowns give.
    `depends_on`: the unknowns (paths, 1-based) whose answers differ from those that give the
    decided outcome."""

    pathway: Pathway | None
    then: Pathway | None
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """What `decide` gives for one case: the pathway, the rules fired, the actions, the facts."""

    pathway: Pathway | None
    rules_fired: tuple[FiredRule, ...]
    actions: tuple[ResolvedAction, ...]
    derived: Mapping[str, Any]
    answers: Mapping[str, Any]
    not_asked: tuple[Skipped, ...]
    unanswered: tuple[str, ...]
    context: Mapping[str, Any] = field(default_factory=dict)
    then: Pathway | None = None
    """The follow-on pathway when `pathway` is a `first_step` one (decided by the rules below
    the first-step rule); None otherwise."""
    unknowns_that_decided: tuple[str, ...] = ()
    """Unknown answers (paths such as `gestation_weeks_at_birth`, `marks[2].patterned`; 1-based)
    for which some answer to that one alone would give a less urgent outcome."""
    item_derived: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    """Per-item facts: group id -> one mapping of fact id -> value per item (UNKNOWN where the
    fact differs between completions of the unknowns)."""
    equally_urgent: tuple[Alternative, ...] = ()
    """Other outcomes as urgent as this one that the unknowns could give (equal alternatives):
    which applies depends on answers not known, so the printout and the record name them. The
    outcome decided is the one whose pathway comes first in the protocol's list of pathways."""
    exact: bool = True
    """False when there were too many completions of the unknowns to search: the outcome is then
    the sound three-valued (Kleene) upper bound, never less urgent than the exact one, and
    `unknowns_that_decided` lists every unknown it could not rule out."""

    @property
    def deciding_rule(self) -> FiredRule | None:
        return next((r for r in self.rules_fired if r.kind == "decides"), None)

    @property
    def raised(self) -> bool:
        """True when unknown answers or an invariant made the pathway more urgent."""
        return any(r.kind in {"might_apply", "invariant"} for r in self.rules_fired)


def applicable(protocol: Protocol, answers: Mapping[str, Any]) -> dict[str, Truth]:
    """Whether each top-level question applies given the answers to earlier ones (ask_if, in
    order). A group's entry says whether the group is asked at all; `run_pass(...).asked` also
    holds each item question's, by path (`marks[1].site`)."""
    asked = run_pass(protocol, answers, rules=False).asked
    return {q.id: asked.get(q.id, Truth.TRUE) for q in protocol.questions}


def item_applicable(
    protocol: Protocol, group: str, item: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Truth]:
    """Whether each question of one item of `group` applies, given that item's earlier answers
    and the child-level answers."""
    g = protocol.group(group)
    assert g is not None
    env = run_pass(protocol, {k: v for k, v in answers.items() if k != group}, rules=False).env
    scope: dict[str, Any] = {}
    result: dict[str, Truth] = {}
    for q in g.questions:
        truth = Truth.TRUE if q.ask_if is None else evaluate(q.ask_if, env, scope)
        result[q.id] = truth
        scope[q.id] = None if truth is Truth.FALSE else item.get(q.id, UNKNOWN)
    return result


def child_env(protocol: Protocol, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Child-level answers (UNKNOWN where not yet given) and the facts derived from them: the
    scope of an item's `ask_if` and `offered_if` while the item is being asked."""
    given: dict[str, Any] = {x.id: answers.get(x.id, UNKNOWN) for x in protocol.questions}
    return {**given, **derive(protocol, given)}


def item_values(
    g: GroupQuestion, item: Mapping[str, Any], env: Mapping[str, Any]
) -> dict[str, Any]:
    """An item's answers (UNKNOWN where not yet given) and its yes/no item facts."""
    values: dict[str, Any] = {x.id: item.get(x.id, UNKNOWN) for x in g.questions}
    for f in g.derived:
        if isinstance(f, BooleanFact):
            truth = evaluate(f.condition, env, values)
            values[f.id] = UNKNOWN if truth is Truth.UNKNOWN else truth is Truth.TRUE
        else:
            values[f.id] = UNKNOWN  # a number item fact: conservatively not known here
    return values


def offered(
    protocol: Protocol,
    g: GroupQuestion,
    q: Question,
    item: Mapping[str, Any],
    answers: Mapping[str, Any],
) -> Question:
    """`q` with only the options offered for this item (`offered_if`: no "midline" for a
    cheek, no "explained by the diagnosed condition" without one), given the item's other
    answers and the child-level `answers`; an option whose condition is not known yet stays.
    The guided check and the quiz both ask through this, so they offer the same options."""
    options = getattr(q, "options", ())
    if not any(o.offered_if is not None for o in options):
        return q
    env = child_env(protocol, answers)
    values = item_values(g, item, env)
    kept = tuple(
        o
        for o in options
        if o.offered_if is None or evaluate(o.offered_if, env, values) is not Truth.FALSE
    )
    return q if len(kept) == len(options) else q.model_copy(update={"options": kept})


def derive(protocol: Protocol, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Child-level derived facts, three-valued. Missing inputs are unknown; `None` means not
    applicable."""
    return run_pass(protocol, answers, rules=False).facts


def decide(
    protocol: Protocol,
    answers: Mapping[str, Any],
    *,
    context: Mapping[str, Any] | None = None,
    budget: int = DEFAULT_BUDGET,
) -> Decision:
    """Decide the outcome for validated `answers` (question id → value; UNKNOWN = not known;
    a group id → a sequence of item mappings). `context` holds the answers to the context
    prompts (the carers, ICON): only advice reads them, so they add actions and never change
    the pathway; a context prompt not answered is not known, and advice that depends on it
    "may apply". Without `context` (None), advice that reads the context is left out."""
    root = run_pass(protocol, answers)
    search = Completer(protocol, answers, root, budget)
    exact = True
    witness = root
    final = root.upper
    assignment: dict[Var, Any] = {}
    if not root.definite:
        try:
            final, witness, assignment = search.maximise({}, root.upper, start=root)
            exact = not search.inexact
        except (Exhausted, Inexact):
            exact, final, witness, assignment = False, root.upper, root, {}
    decided, settled = _decided(search, final, assignment if witness.definite else None, exact)
    exact = exact and settled
    alternatives: tuple[Alternative, ...] = ()
    if exact and not root.definite and witness.definite and _shared_ranks(protocol):
        # Equal alternatives: the one first in the protocol's own order of pathways is shown
        # (not whichever the search reached first), and the others are named.
        found = [(final, witness, assignment), *search.ties(final)]
        order = {p.id: i for i, p in enumerate(protocol.pathways)}

        def place(o: Outcome) -> tuple[int, int]:
            first, then = o
            return (
                order.get(first.id, -1) if first is not None else -1,
                order.get(then.id, -1) if then is not None else -1,
            )

        final, witness, assignment = min(found, key=lambda f: place(f[0]))
        alternatives = tuple(
            Alternative(o[0], o[1], _differ(assignment, other))
            for o, _, other in found
            if o is not final
        )
    facts, item_facts = _settled_facts(protocol, search, root)
    _screening_not_applicable(protocol, facts, item_facts)

    fired = _fired(protocol, root, witness, final, exact, search)
    pathway, then = final
    actions: list[ResolvedAction] = []
    no_context: dict[str, Any] = {}
    for pw in (pathway, then):
        if pw is not None:
            actions.extend(_applying(protocol, pw.actions, pw.id, search, no_context))
    extra = None if context is None else context_env(protocol, context)
    for adv in protocol.advice:
        if extra is None and reads_context(protocol, adv.when):
            continue  # no context yet (the guided check's first result): not judged at all
        truth = _truth(search, adv.when, extra or no_context)
        if truth is Truth.FALSE:
            continue
        fired.append(
            FiredRule(adv.id, adv.because, adv.cite, "advice", certain=truth is Truth.TRUE)
        )
        actions.extend(_applying(protocol, adv.actions, adv.id, search, extra or no_context))

    given = _given(root)
    skipped = list(root.not_asked)
    for q in protocol.questions:
        # Not answered, and whether it is asked hangs on an unknown: when it is asked in no
        # completion, it is not asked (not "not known": nothing is left to find out).
        maybe = q.id in root.values.get(MAYBE_ASKED_KEYS, ()) and q.ask_if is not None
        if maybe and q.ask_if is not None and _truth(search, q.ask_if, {}) is Truth.FALSE:
            given[q.id] = None
            skipped.append(Skipped(q.id, asked_only_if(protocol, q.ask_if)))
    return Decision(
        pathway=pathway,
        rules_fired=tuple(fired),
        actions=tuple(actions),
        derived=facts,
        answers=given,
        not_asked=tuple(skipped),
        unanswered=tuple(_unanswered(protocol, given)),
        then=then,
        unknowns_that_decided=decided,
        item_derived=item_facts,
        equally_urgent=alternatives,
        exact=exact,
    )


def _shared_ranks(protocol: Protocol) -> bool:
    """Two pathways share an urgency rank (equal alternatives): only then can outcomes tie."""
    ranks = [p.urgency for p in protocol.pathways]
    return len(set(ranks)) < len(ranks)


def _differ(chosen: Mapping[Var, Any], other: Mapping[Var, Any]) -> tuple[str, ...]:
    """The unknowns answered differently in two completions (one left open counts as different
    when the other fixes it)."""
    paths = [
        v.path
        for v in (*chosen, *(v for v in other if v not in chosen))
        if v not in chosen or v not in other or chosen[v] != other[v]
    ]
    return tuple(dict.fromkeys(paths))


RESERVED = (UNKNOWN_KEYS, PENDING_KEYS, MAYBE_ASKED_KEYS)


def context_env(protocol: Protocol, context: Mapping[str, Any]) -> dict[str, Any]:
    """The context answers as advice reads them: a prompt not answered is UNKNOWN, and so is an
    item's question that applies to it but was left unanswered; one whose `ask_if` is false for
    that item is not asked (None)."""
    env: dict[str, Any] = {}
    for q in protocol.context_prompts:
        value = context.get(q.id, UNKNOWN)
        if isinstance(q, GroupQuestion) and value is not UNKNOWN and value is not None:
            items = []
            for given in value:
                item: dict[str, Any] = {}
                for iq in q.questions:
                    truth = Truth.TRUE if iq.ask_if is None else evaluate(iq.ask_if, env, item)
                    item[iq.id] = None if truth is Truth.FALSE else given.get(iq.id, UNKNOWN)
                items.append(item)
            value = tuple(items)
        env[q.id] = value
    return env


def _given(root: Pass) -> dict[str, Any]:
    """The answers as given: an answer to a question whose ask_if is unknown is shown as given
    (the engine treats it as void in the completions where the question is not asked)."""
    values = {k: v for k, v in root.values.items() if k not in RESERVED}
    for group in [
        k for k, v in values.items() if isinstance(v, tuple) and v and isinstance(v[0], dict)
    ]:
        values[group] = tuple(
            {k: v for k, v in item.items() if k not in RESERVED} for item in values[group]
        )
    for path, value in root.pending.items():
        if "[" not in path:
            values[path] = value
            continue
        group, rest = path.split("[", 1)
        number, qid = rest.split("].", 1)
        items = [dict(x) for x in values[group]]
        items[int(number) - 1][qid] = value
        values[group] = tuple(items)
    return values


def _unanswered(protocol: Protocol, values: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for q in protocol.questions:
        value = values.get(q.id)
        if isinstance(q, GroupQuestion):
            if value is UNKNOWN:
                found.append(q.id)
            elif value is not None:
                for n, item in enumerate(value, start=1):
                    found.extend(
                        f"{q.id}[{n}].{iq.id}"
                        for iq in q.questions
                        if item.get(iq.id) is UNKNOWN and not isinstance(iq, TextQuestion)
                    )
        elif value is UNKNOWN and not isinstance(q, TextQuestion):
            # Free text never decides anything; an unknown anywhere else is shown as unknown.
            found.append(q.id)
    return found


def _decided(
    search: Completer, final: Outcome, witness: dict[Var, Any] | None, exact: bool
) -> tuple[tuple[str, ...], bool]:
    """Each unknown for which some answer to it alone would give a less urgent outcome, and
    whether that was settled. When the search cannot tell (budget), the unknown is listed:
    finding it out may matter."""
    if search.root.definite:
        return (), True
    decided: list[str] = []
    settled = True
    twins = search.twins()
    known: dict[Var, bool | None] = {}
    for var in search.vars:
        if var.group is not None and var.index is not None and (var.group, var.index) in twins:
            # An identical earlier mark: the same answer, by symmetry.
            mate = Var(var.qid, var.group, twins[(var.group, var.index)])
            if mate in known:
                known[var] = known[mate]
                if known[var] is not False:
                    decided.append(var.path)
                continue
        if witness is not None and var not in witness:
            # The witness's partial completion already fixes the outcome whatever this unknown
            # is: no answer to it alone can lower it.
            continue
        if not exact:
            decided.append(var.path)
            continue
        lowers = known[var] = _lowers(search, var, final, witness or {})
        if lowers is None:
            settled = False
        if lowers is not False:
            decided.append(var.path)
    return tuple(decided), settled


def _lowers(search: Completer, var: Var, final: Outcome, witness: dict[Var, Any]) -> bool | None:
    """True / False, or None when the budget ran out before it could tell."""
    try:
        for value in search.reps(var, search.root):
            fixed = {var: value}
            p = search.run(fixed)
            if more_urgent(final, p.upper):
                return True
            # The witness completion with this one answer changed usually still reaches the
            # outcome: one pass, no search.
            if var in witness:
                guess = search.run({**witness, var: value})
                if guess.definite and not more_urgent(final, guess.upper):
                    continue
            best, _, _ = search.maximise(fixed, final, start=p)
            if more_urgent(final, best):
                return True
    except (Exhausted, Inexact):
        return None
    return False


def _settled_facts(
    protocol: Protocol, search: Completer, root: Pass
) -> tuple[dict[str, Any], dict[str, tuple[dict[str, Any], ...]]]:
    """Facts that are the same in every completion are stated; the rest stay UNKNOWN."""
    facts = dict(root.facts)
    item_facts = {g: tuple(dict(x) for x in items) for g, items in root.item_facts.items()}
    if not search.vars:
        return facts, item_facts
    for fid, value in root.facts.items():
        if value is UNKNOWN:
            facts[fid] = _settle(search, lambda p, fid=fid: p.facts.get(fid, UNKNOWN), None)
    for g, items in root.item_facts.items():
        for n, own in enumerate(items):
            first = [v for v in search.vars if v.group == g and v.index == n]
            order = first + [v for v in search.vars if v not in first]
            for fid, value in own.items():
                if value is UNKNOWN:
                    item_facts[g][n][fid] = _settle(
                        search,
                        lambda p, g=g, n=n, fid=fid: _item_fact(p, g, n, fid),
                        order,
                    )
    return facts, item_facts


def _screening_not_applicable(
    protocol: Protocol, facts: dict[str, Any], item_facts: dict[str, tuple[dict[str, Any], ...]]
) -> None:
    """Where the screen does not apply (its `screening_applies` fact is false: TEN-4-FACESp from
    4 years), the screen and its components are not applicable (None), never "no" as a fact.
    Only what is reported changes: rules and invariants read the facts as computed."""
    applies = [f.id for f in protocol.derived if f.show_as == "screening_applies"]
    if not applies or any(facts.get(a) is not False for a in applies):
        return
    for f in protocol.derived:
        if f.show_as == "screening":
            facts[f.id] = None
    for g in protocol.groups:
        parts = [f.id for f in g.derived if f.show_as == "screening_component"]
        for own in item_facts.get(g.id, ()):
            for fid in parts:
                own[fid] = None


def _item_fact(p: Pass, group: str, n: int, fid: str) -> Any:
    items = p.item_facts.get(group, ())
    return items[n].get(fid, UNKNOWN) if n < len(items) else UNKNOWN


def _settle(search: Completer, read: Any, order: list[Var] | None) -> Any:
    try:
        same, value = search.constant(read, order)
    except (Exhausted, Inexact):
        return UNKNOWN
    return value if same else UNKNOWN


def _truth(search: Completer, cond: Condition, extra: Mapping[str, Any]) -> Truth:
    """`cond` over every completion of the unknowns: TRUE or FALSE when it is the same in all of
    them (a 6-year-old with no gestation is not "born before 37 weeks" in any), UNKNOWN when it
    differs, depends on an unknown context answer (`extra`), or the search budget runs out."""
    truth = evaluate(cond, {**search.root.env, **extra})
    if truth is not Truth.UNKNOWN or not search.vars:
        return truth

    def read(p: Pass) -> Any:
        value = evaluate(cond, {**p.env, **extra})
        return UNKNOWN if value is Truth.UNKNOWN else value is Truth.TRUE

    value = _settle(search, read, None)
    if value is UNKNOWN:
        return Truth.UNKNOWN
    return Truth.TRUE if value else Truth.FALSE


def _first_decider(p: Pass) -> Any:
    """The id of the rule that decides in `p` (None: no rule matches), or UNKNOWN when an
    earlier rule might still apply."""
    if not p.trace:
        return None
    return p.trace[0].id if p.trace[0].kind == "decides" else UNKNOWN


def _fired(
    protocol: Protocol,
    root: Pass,
    witness: Pass,
    final: Outcome,
    exact: bool,
    search: Completer,
) -> list[FiredRule]:
    """The rule that decides for the answers as given, the rule that gives the outcome in the
    most urgent completion (when unknowns raised it), the follow-on rule, and any invariant
    that raised the outcome. A rule that decides in every completion of the unknowns decides:
    it is not one that "might apply"."""
    fired: list[FiredRule] = []
    root_decider = next((r for r in root.trace if r.kind == "decides"), None)
    if root_decider is None and exact and search.vars:
        settled = _settle(search, _first_decider, None)
        rule = next((r for r in protocol.rules if r.id == settled), None)
        if rule is not None and settled is not UNKNOWN:
            root_decider = FiredRule(rule.id, rule.because, rule.cite, "decides", rule.pathway)
    source = witness if exact else root
    chosen: FiredRule | None = None
    for r in source.trace:
        pw = protocol.pathway(r.pathway or "")
        if pw is not None and final[0] is not None and pw.id == final[0].id:
            chosen = r
            if r.kind == "decides":
                break
    rules = []
    if root_decider is not None:
        rules.append(root_decider)
    if chosen is not None and (root_decider is None or chosen.id != root_decider.id):
        rules.append(
            FiredRule(chosen.id, chosen.because, chosen.cite, "might_apply", chosen.pathway)
        )
    order = {r.id: i for i, r in enumerate(protocol.rules)}
    fired.extend(sorted(rules, key=lambda r: order.get(r.id, 0)))
    # The follow-on, when the outcome's first step came from a rule.
    if final[1] is not None and chosen is not None:
        for r in follow_on_trace(protocol, chosen.id, source.env):
            if r.kind == "then":
                fired.append(r)
                break
            if r.pathway == final[1].id:
                fired.append(r)  # might apply, and gives the follow-on in some completion
    # Invariants that changed the outcome the rules gave.
    rule_outcome = source.rules_lower
    if chosen is None or rule_outcome[0] is None or rule_outcome[0].id != chosen.pathway:
        rule_outcome = _rule_outcome(protocol, chosen, (None, None))
    for inv in protocol.invariants:
        floor = protocol.pathway(inv.at_least)
        if floor is None or evaluate(inv.when, source.env) is Truth.FALSE:
            continue
        raised = raise_to(rule_outcome, floor)
        if raised != rule_outcome:
            fired.append(FiredRule(inv.id, inv.because, inv.cite, "invariant", floor.id))
            rule_outcome = raised
    return fired


def _rule_outcome(protocol: Protocol, chosen: FiredRule | None, final: Outcome) -> Outcome:
    if chosen is None:
        return (None, None)
    pw = protocol.pathway(chosen.pathway or "")
    return (pw, final[1] if pw is not None and pw.first_step else None)


def _applying(
    protocol: Protocol,
    actions: tuple[Action, ...],
    source: str,
    search: Completer,
    extra: Mapping[str, Any],
) -> list[ResolvedAction]:
    """The actions whose `when` holds or might (not known: included, marked uncertain; an
    advice entry that only might apply says so in its reason); one whose `when` is false in
    every completion of the unknowns is left out."""
    out: list[ResolvedAction] = []
    for a in actions:
        truth = Truth.TRUE if a.when is None else _truth(search, a.when, extra)
        if truth is Truth.FALSE:
            continue
        out.append(_resolve(protocol, a, source, uncertain=truth is Truth.UNKNOWN))
    return out


def _resolve(
    protocol: Protocol, action: Action, source: str, *, uncertain: bool = False
) -> ResolvedAction:
    contact = protocol.contact(action.contact) if action.contact else None
    return ResolvedAction(action, contact, source, uncertain)


def rule_truths(
    protocol: Protocol,
    answers: Mapping[str, Any],
    *,
    rules: Collection[str] | None = None,
    budget: int = DEFAULT_BUDGET,
) -> dict[str, Truth]:
    """Each rule's own condition (those in `rules`, default all) for `answers` as the engine
    judges it: TRUE or FALSE only when it is so in every completion of the unknowns (per-item
    facts such as `accounted_for` included), UNKNOWN when it differs between them or the search
    budget runs out. For the demo's step-through, which must never say a rule holds on answers
    that do not make it."""
    root = run_pass(protocol, answers)
    search = Completer(protocol, answers, root, budget)
    return {
        r.id: _truth(search, r.when, {}) for r in protocol.rules if rules is None or r.id in rules
    }

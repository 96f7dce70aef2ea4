"""Policy positions that are true (issue 14.4): each stated `policy` position, checked exactly.

The `policy` block is what the handbook and the diff show a partnership board, so a position the
rules do not keep is a located warning (`W_POLICY_NOT_TRUE`) with a counterexample: answers files
that `check --answers` accepts and that the engine, run here, shows breaking the position. A
position the search cannot settle within the analysis budget is `W_POLICY_NOT_PROVED`, never
true; a position proved over every answer set is `POLICY_HOLDS` (information).

What the positions mean here (the conventions, also in the README, "Policy positions"):

- `nim_explanation: regardless` — for a child who is not independently mobile (the
  `independently_mobile` fact is false) no outcome depends on the explanation: no two answer
  sets that differ only in the answers to questions with id `explanation` (top-level, or an item
  question of a group, such as each mark's explanation) get different outcomes;
- `remote_reports: must_refer` — the report channel never lowers the outcome: changing the
  answer to `report_channel` from `seen_in_person` to any other option never gives a less urgent
  outcome;
- `strategy_discussion: every_case` — every situation whose outcome (or follow-on) is a referral
  pathway (level `protect_now` or `social_care_*`) gets an action with id `strategy_discussion`,
  from the pathway, its follow-on or a matching advice; an action is recognised by its id, never
  by its wording.

Method: *twin protocols*. Whether the outcome depends on the answer to Q is a comparison of the
protocol with a copy of itself in which Q is renamed (`Q__twin`): over their joint space (see
`build`) every other answer is shared while Q and its twin vary independently, so a class where
the two outcomes differ is exactly a pair of answer sets that differ only in Q. The search is the
comparison's, restricted to the situations the position speaks about. The other positions are
not yet checked (`mobility_milestones` and `rolling_counts_as_mobility` are, in
`protocol/checks.py`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bruising_check.analysis.build import Built, build
from bruising_check.analysis.classes import merge
from bruising_check.analysis.comparison import example_for
from bruising_check.analysis.findings import Finding
from bruising_check.analysis.formulas import TRUE, Formula, conj, evaluate, neg
from bruising_check.analysis.search import PRUNE, Leaf, Split, TooLarge
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.engine.urgency import Outcome, compare_outcomes
from bruising_check.problems import Code
from bruising_check.protocol.conditions import Compare
from bruising_check.protocol.model import Pathway, Protocol
from bruising_check.protocol.yamlread import read_yaml

MOBILE_FACT = "independently_mobile"
EXPLANATION = "explanation"
REPORT_CHANNEL = "report_channel"
IN_PERSON = "seen_in_person"
STRATEGY_ACTION = "strategy_discussion"
REFERRAL_LEVELS = frozenset(
    {"protect_now", "social_care_immediate", "social_care_same_day", "social_care_24h"}
)
TWIN = "__twin"

Pair = tuple[str | None, str | None]


@dataclass(frozen=True)
class Budget:
    """What the policy checks may still spend: the analysis budget, shared by all of them."""

    max_nodes: int
    deadline: float | None

    def seconds(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TooLarge(0, 0.0)
        return left


def policy_findings(
    protocol: Protocol,
    built: Built,
    pairs: list[tuple[dict[str, Any], tuple[int | None, int | None], int]],
    budget: Budget,
) -> Iterator[Finding]:
    """Every stated position this module can check, proved, refuted or not proved."""
    policy = protocol.policy
    if policy is None:
        return
    checks: list[tuple[str, Callable[[], Finding | None]]] = []
    if policy.nim_explanation == "regardless":
        checks.append(("nim_explanation", lambda: _explanation(protocol, built, pairs, budget)))
    if policy.nim_explanation == "explanation_dependent":
        checks.append(("nim_explanation", lambda: _dependent(protocol, built, pairs, budget)))
    if policy.remote_reports in ("must_refer", "treated_as_seen"):
        checks.append(("remote_reports", lambda: _remote(protocol, budget)))
    if policy.strategy_discussion == "every_case":
        checks.append(("strategy_discussion", lambda: _strategy(protocol, built, pairs)))
    for name, check in checks:
        try:
            found = check()
        except TooLarge as exc:
            found = Finding(
                Code.W_POLICY_NOT_PROVED,
                ("policy", name),
                f"policy.{name} could not be checked within the analysis budget ({exc}):"
                " it is not proved",
            )
        if found is not None:
            yield found


# --- twins ---------------------------------------------------------------------------------


OUTCOME_SECTIONS = ("questions", "derived", "rules")
"""Where a reference can change the outcome (advice, invariants and context never do)."""


def twin(protocol: Protocol, qid: str) -> tuple[Protocol, str, bool] | None:
    """A copy of `protocol` in which question `qid` (top-level, or an item question of any
    group) is renamed, with every reference to it, and whether any reference can change the
    outcome (one in a rule, a derived fact or an ask_if); None when no question has that id."""
    data = protocol.model_dump(mode="json", by_alias=True, exclude_none=True)
    taken = json.dumps(data)
    new = qid + TWIN
    while f'"{new}"' in taken:
        new += "_"
    found = False
    decisive = False

    def visit(node: Any, section: str) -> Any:
        nonlocal found, decisive
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for k, v in node.items():
                if k == "questions" and isinstance(v, list):
                    out[k] = [visit(renamed(q), section) for q in v]
                elif k in ("question", "item") and v == qid:
                    decisive = decisive or section in OUTCOME_SECTIONS
                    out[k] = new
                else:
                    out[k] = visit(v, section)
            return out
        if isinstance(node, list):
            return [visit(x, section) for x in node]
        return node

    def renamed(q: Any) -> Any:
        nonlocal found
        if isinstance(q, dict) and q.get("id") == qid:
            found = True
            return {**q, "id": new}
        return q

    result = {
        k: [visit(renamed(q), k) for q in v] if k == "questions" else visit(v, k)
        for k, v in data.items()
    }
    if not found:
        return None
    return Protocol.model_validate(result), new, decisive


def _search(
    protocol: Protocol, qid: str, budget: Budget, scope: Callable[[Built], Formula]
) -> tuple[Built | None, str, list[tuple[dict[str, Any], tuple[Pair, Pair], int]]] | None:
    """The classes, within `scope`, where the protocol and its twin on `qid` give different
    outcomes: (built, twin id, [(assignment, (outcome, twin outcome), size)]); no classes (and
    nothing built) when nothing that decides reads `qid`; None when there is no such question."""
    made = twin(protocol, qid)
    if made is None:
        return None
    other, name, decisive = made
    if not decisive:
        return None, name, []  # nothing the outcome depends on reads it: nothing to search
    built = build([protocol, other], budget.max_nodes, budget.seconds())
    before, after = built.views
    limit = scope(built)
    Hint = tuple[tuple[int, int], tuple[int, int], tuple[int | None, int | None] | None]

    def decide_(a: dict[str, Any], hint: Hint | None) -> Split | Leaf | None:
        need: list[str] = []
        if limit is not TRUE:
            inside = evaluate(limit, a, need)
            if inside is False:
                return PRUNE
            if inside is None:
                return Split(built.space.pick(need), hint)
            need = []
        resume_old, resume_new, known_old = hint or ((0, 0), (0, 0), None)
        if known_old is None:
            done, key_old, resume_old = before.decide_pair(a, need, resume_old)
            if not done:
                return Split(built.space.pick(need), (resume_old, resume_new, None))
        else:
            key_old = known_old
        done, key_new, resume_new = after.decide_pair(a, need, resume_new)
        if not done:
            return Split(built.space.pick(need), (resume_old, resume_new, key_old))
        return Leaf((before.pair_pathways(key_old), after.pair_pathways(key_new)))

    found = [(a, key, size) for a, key, size in built.explorer.explore(decide_) if key[0] != key[1]]
    return built, name, found


def _not_mobile(built: Built) -> Formula:
    parts = []
    for view in built.views:
        if any(f.id == MOBILE_FACT for f in view.protocol.derived):
            parts.append(neg(view.compiler.condition(Compare(fact=MOBILE_FACT))))
    return conj(*parts) if parts else TRUE


def _answers_pair(
    protocol: Protocol, built: Built, a: dict[str, Any], qid: str, name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two answers files of a twin class: the protocol's, and the twin's read back under
    the real question id."""
    raw = built.explorer.example(a)
    return _own(protocol, raw, qid, name, twin_side=False), _own(
        protocol, raw, qid, name, twin_side=True
    )


def _own(
    protocol: Protocol, raw: dict[str, Any], qid: str, name: str, twin_side: bool
) -> dict[str, Any]:
    def pick(values: dict[str, Any]) -> dict[str, Any]:
        """This side's answer under the real id, in the question's place."""
        key = name if twin_side else qid
        out: dict[str, Any] = {}
        for k, v in values.items():
            if k in (qid, name):
                if key in values:
                    out[qid] = values[key]
            else:
                out[k] = v
        return out

    answers = pick(raw)
    groups = {g.id for g in protocol.groups}
    for k, v in list(answers.items()):
        if k in groups and isinstance(v, list):
            answers[k] = [pick(item) if isinstance(item, dict) else item for item in v]
    return answers_file(protocol, answers)


def answers_file(protocol: Protocol, answers: dict[str, Any]) -> dict[str, Any]:
    """An example as an answers file for `protocol`: the answers it asks (`example_for`, which
    leaves repeated groups to the answer checks, so they are kept as they are)."""
    groups = {g.id for g in protocol.groups}
    kept = example_for(protocol, answers)
    kept.update({k: v for k, v in answers.items() if k in groups})
    return {k: kept[k] for k in answers if k in kept}


def run(protocol: Protocol, answers: dict[str, Any]) -> Outcome | None:
    """The engine's outcome for an answers file, through the same checks as `check --answers`;
    None if the file is not accepted."""
    decision = _decision(protocol, answers)
    return None if decision is None else (decision.pathway, decision.then)


def _decision(protocol: Protocol, answers: dict[str, Any]) -> Decision | None:
    located = read_yaml(json.dumps(answers), "answers.json")
    checked = check_answers(protocol, located)
    if not checked.ok:
        return None
    return decide(protocol, checked.answers)


def _confirmed(
    protocol: Protocol,
    built: Built,
    found: list[tuple[dict[str, Any], tuple[Pair, Pair], int]],
    qid: str,
    name: str,
    wanted: Callable[[Outcome, Outcome], bool],
) -> tuple[dict[str, Any], dict[str, Any], Outcome, Outcome, dict[str, Any]] | None:
    """The first class whose answers files the engine confirms: it gives `first` and `second`
    outcomes with `wanted(first, second)`."""
    for a, _, _ in sorted(found, key=lambda leaf: -leaf[2]):
        first, second = _answers_pair(protocol, built, a, qid, name)
        got_first, got_second = run(protocol, first), run(protocol, second)
        if got_first is None or got_second is None:
            continue
        if wanted(got_first, got_second):
            return first, second, got_first, got_second, a
    return None


def _show(outcome: Outcome) -> str:
    pathway, then = outcome
    if pathway is None:
        return "no pathway"
    return pathway.id + (f" then {then.id}" if then is not None else "")


def _value(answers: dict[str, Any], path: str) -> str:
    """The answer at a path such as `marks[1].explanation`, as JSON (absent: not asked)."""
    head, _, rest = path.partition("[")
    value: Any = answers.get(head)
    if rest:
        index, _, field = rest.partition("].")
        items = value if isinstance(value, list) else []
        n = int(index) - 1
        value = items[n].get(field) if 0 <= n < len(items) else None
    return "(not asked)" if value is None else json.dumps(value, ensure_ascii=False)


def _differs_at(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """The answer paths where two answers files differ (`marks[1].explanation`)."""
    out: list[str] = []
    for k in sorted(set(first) | set(second)):
        a, b = first.get(k), second.get(k)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for n, (x, y) in enumerate(zip(a, b, strict=True), 1):
                if isinstance(x, dict) and isinstance(y, dict):
                    out += [
                        f"{k}[{n}].{f}" for f in sorted(set(x) | set(y)) if x.get(f) != y.get(f)
                    ]
            continue
        out.append(k)
    return out


# --- the positions -------------------------------------------------------------------------


def _explanation(
    protocol: Protocol,
    built: Built,
    pairs: list[tuple[dict[str, Any], tuple[int | None, int | None], int]],
    budget: Budget,
) -> Finding | None:
    field = "nim_explanation"
    what = "for a non-mobile child the explanation alone changes the outcome"
    if protocol.groups:
        # The exact twin search over repeated groups is costly: first try to refute the position
        # cheaply, from the analysis's own example of each situation class.
        hit = _mutated(protocol, built, pairs, budget)
        if hit is not None:
            return _refuted(protocol, None, field, [], hit, what)
    result = _search(protocol, EXPLANATION, budget, _not_mobile)
    if result is None:
        return Finding(
            Code.POLICY_HOLDS,
            ("policy", field),
            f"policy.{field} is regardless: no question has id {EXPLANATION}, so no outcome can"
            " depend on the explanation",
        )
    twin_built, name, found = result
    if twin_built is None or not found:
        return Finding(
            Code.POLICY_HOLDS,
            ("policy", field),
            f"policy.{field} holds: for a child who is not independently mobile, no outcome"
            " depends on the explanation, over every answer set",
        )
    hit = _confirmed(protocol, twin_built, found, EXPLANATION, name, lambda x, y: x != y)
    changes = _changes(twin_built, EXPLANATION, name, found)
    return _refuted(protocol, twin_built, field, found, hit, what, changes)


def _dependent(
    protocol: Protocol,
    built: Built,
    pairs: list[tuple[dict[str, Any], tuple[int | None, int | None], int]],
    budget: Budget,
) -> Finding:
    """`explanation_dependent` claims some non-mobile child's outcome depends on the
    explanation: true with one pair the engine confirms, false when the exact search finds none."""
    field = "nim_explanation"
    hit = _mutated(protocol, built, pairs, budget) if protocol.groups else None
    if hit is None:
        result = _search(protocol, EXPLANATION, budget, _not_mobile)
        twin_built = None if result is None else result[0]
        if result is None or twin_built is None or not result[2]:
            return Finding(
                Code.W_POLICY_NOT_TRUE,
                ("policy", field),
                f"policy.{field} says explanation_dependent, but for a child who is not"
                " independently mobile no outcome depends on the explanation, over every answer"
                " set (`regardless` would be true)",
            )
        _, name, found = result
        hit = _confirmed(protocol, twin_built, found, EXPLANATION, name, lambda x, y: x != y)
        if hit is None:
            return _refuted(protocol, twin_built, field, found, None, "")
    first, second, got_first, got_second, _ = hit
    changed = "; ".join(
        f"{path} {_value(first, path)} → {_value(second, path)}"
        for path in _differs_at(first, second)
    )
    return Finding(
        Code.POLICY_HOLDS,
        ("policy", field),
        f"policy.{field} holds: for a non-mobile child, changing only {changed} turns"
        f" {_show(got_first)} into {_show(got_second)}",
        data={
            "witness": {
                "answers": first,
                "outcome": _show(got_first),
                "changed_answers": second,
                "changed_outcome": _show(got_second),
            }
        },
    )


MUTATION_SECONDS = 1.0
"""At most this long (within the budget) looking for a counterexample among the class examples."""


def _mutated(
    protocol: Protocol,
    built: Built,
    pairs: list[tuple[dict[str, Any], tuple[int | None, int | None], int]],
    budget: Budget,
) -> tuple[dict[str, Any], dict[str, Any], Outcome, Outcome, dict[str, Any]] | None:
    """A counterexample to `regardless` found by the engine alone: the example answers of a
    situation class of a non-mobile child, with one explanation changed to another option.
    Finding one refutes the position; finding none proves nothing."""
    stop = time.monotonic() + MUTATION_SECONDS
    if budget.deadline is not None:
        stop = min(stop, budget.deadline)
    view = built.views[0]
    urgency = {p.id: p.urgency for p in protocol.pathways}

    def lenient(leaf: tuple[dict[str, Any], tuple[int | None, int | None], int]) -> int:
        first, _ = view.pair_pathways(leaf[1])
        return -urgency.get(first or "", 10**6)

    # A lenient outcome for a non-mobile child is where an explanation most often decides.
    for a, _, _ in sorted(pairs, key=lenient):
        if time.monotonic() > stop:
            return None
        answers = answers_file(protocol, built.explorer.example(a))
        base = _decision(protocol, answers)
        if base is None or base.derived.get(MOBILE_FACT) is True:
            continue
        for changed in _other_explanations(protocol, answers):
            other = _decision(protocol, changed)
            if other is None or other.derived.get(MOBILE_FACT) is True:
                continue
            first, second = (base.pathway, base.then), (other.pathway, other.then)
            if first != second:
                return answers, changed, first, second, a
    return None


def _other_explanations(protocol: Protocol, answers: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The answers with one explanation (top-level, or one item's) set to another known option."""
    q = protocol.question(EXPLANATION)
    if q is not None and EXPLANATION in answers:
        for option in _known_options(q):
            if option != answers[EXPLANATION]:
                yield {**answers, EXPLANATION: option}
    for g in protocol.groups:
        item_q = next((iq for iq in g.questions if iq.id == EXPLANATION), None)
        items = answers.get(g.id)
        if item_q is None or not isinstance(items, list):
            continue
        for n, item in enumerate(items):
            if not isinstance(item, dict) or EXPLANATION not in item:
                continue
            for option in _known_options(item_q):
                if option != item[EXPLANATION]:
                    changed = [dict(x) if isinstance(x, dict) else x for x in items]
                    changed[n] = {**item, EXPLANATION: option}
                    yield {**answers, g.id: changed}


def _known_options(q: Any) -> list[str]:
    """A choice question's options other than "not known" (an unknown is never a fact)."""
    return [o.id for o in getattr(q, "options", ()) if not o.unknown]


def _remote(protocol: Protocol, budget: Budget) -> Finding | None:
    """`must_refer`: another channel never gives a less urgent outcome than in person;
    `treated_as_seen`: it never gives a different one."""
    field = "remote_reports"
    alike = protocol.policy is not None and protocol.policy.remote_reports == "treated_as_seen"
    q = protocol.question(REPORT_CHANNEL)
    if q is None:
        return Finding(
            Code.POLICY_HOLDS,
            ("policy", field),
            f"policy.{field} holds: the protocol does not ask {REPORT_CHANNEL}, so every report"
            " is decided alike",
        )
    if IN_PERSON not in _known_options(q):
        return Finding(
            Code.W_POLICY_NOT_PROVED,
            ("policy", field),
            f"policy.{field} is not checked: {REPORT_CHANNEL} has no option {IN_PERSON} to"
            " compare the other channels with",
        )
    result = _search(protocol, REPORT_CHANNEL, budget, lambda built: TRUE)
    assert result is not None  # the question exists
    built, name, found = result
    lowered = [] if built is None else _lowered(protocol, built, name, found, alike)
    if built is None or not lowered:
        how = "exactly as" if alike else "at least as urgently as"
        return Finding(
            Code.POLICY_HOLDS,
            ("policy", field),
            f"policy.{field} holds: a report by phone, photo or a third party is decided {how}"
            " the same marks seen in person, over every answer set",
        )
    twin_domain = built.space.domains[name]

    def breaks(seen: Outcome, remote: Outcome) -> bool:
        return remote != seen if alike else compare_outcomes(remote, seen) < 0

    for a, _, _ in sorted(lowered, key=lambda leaf: -leaf[2]):
        first, second = _answers_pair(protocol, built, a, REPORT_CHANNEL, name)
        first[REPORT_CHANNEL] = IN_PERSON
        second[REPORT_CHANNEL] = next(o for o in _options(twin_domain, a) if o != IN_PERSON)
        got_first, got_second = run(protocol, first), run(protocol, second)
        if got_first is None or got_second is None or not breaks(got_first, got_second):
            continue
        hit = (first, second, got_first, got_second, a)
        what = (
            "a remote or third-party report is decided differently"
            if alike
            else "a remote or third-party report is less urgent"
        )
        changes = _changes(built, REPORT_CHANNEL, name, lowered)
        return _refuted(protocol, built, field, lowered, hit, what, changes)
    return _refuted(protocol, built, field, lowered, None, "")


def _lowered(
    protocol: Protocol,
    built: Built,
    name: str,
    found: list[tuple[dict[str, Any], tuple[Pair, Pair], int]],
    alike: bool = False,
) -> list[tuple[dict[str, Any], tuple[Pair, Pair], int]]:
    """The classes where the report is seen in person on the first side and made another way
    on the twin's, and the twin's outcome is less urgent (`alike`: different at all)."""
    domain, twin_domain = built.space.domains[REPORT_CHANNEL], built.space.domains[name]
    out = []
    for a, key, size in found:
        lower = compare_outcomes(_outcome(protocol, key[1]), _outcome(protocol, key[0])) < 0
        if not (alike or lower):
            continue  # the outcomes differ in every class found; `must_refer` minds only lower
        mine = _options(domain, a)
        theirs = _options(twin_domain, a)
        if IN_PERSON in mine and any(o != IN_PERSON for o in theirs):
            out.append((a, key, size))
    return out


def _outcome(protocol: Protocol, pair: Pair) -> Outcome:
    first, then = pair
    return (
        None if first is None else protocol.pathway(first),
        None if then is None else protocol.pathway(then),
    )


def _options(domain: Any, a: dict[str, Any]) -> tuple[str, ...]:
    """The options of a single-choice question in the cell `a` gives it."""
    if not domain.classes:
        return ()
    if domain.var_names[0] not in a:  # not split: the answer does not matter here, any will do
        return tuple(o for members in domain.classes for o in members)
    return tuple(domain.classes[a[domain.var_names[0]]])


def _changes(
    built: Built, qid: str, name: str, found: list[tuple[dict[str, Any], tuple[Pair, Pair], int]]
) -> list[str]:
    """For a top-level single-choice question: which answers, changed into which, change the
    outcome somewhere (options no condition tells apart are shown together: `a / b`)."""
    mine, theirs = built.space.domains.get(qid), built.space.domains.get(name)
    if mine is None or theirs is None or mine.kind != "single_choice":
        return []
    out: list[str] = []
    for a, _, _ in found:
        x, y = _cell_text(mine, a), _cell_text(theirs, a)
        text = f"{min(x, y)} ↔ {max(x, y)}"
        if text not in out:
            out.append(text)
    return out


def _cell_text(domain: Any, a: dict[str, Any]) -> str:
    if domain.var_names[0] not in a:
        return "any answer"
    return " / ".join(_options(domain, a))


def _refuted(
    protocol: Protocol,
    built: Built | None,
    field: str,
    found: list[tuple[dict[str, Any], tuple[Pair, Pair], int]],
    hit: tuple[dict[str, Any], dict[str, Any], Outcome, Outcome, dict[str, Any]] | None,
    what: str,
    changes: list[str] | None = None,
) -> Finding:
    value = getattr(protocol.policy, field)
    if hit is None:
        return Finding(
            Code.W_POLICY_NOT_PROVED,
            ("policy", field),
            f"policy.{field} is {value}, but the analysis found situations breaking it that the"
            " engine did not confirm: it is not proved",
        )
    first, second, got_first, got_second, _ = hit
    classes = merge((b, size, {}) for b, _, size in found)
    where = f" ({len(classes)} class(es))" if classes else ""
    changed = "; ".join(
        f"{path} {_value(first, path)} → {_value(second, path)}"
        for path in _differs_at(first, second)
    )
    # The verdict and one confirmed pair first: a located message is cut at 300 characters.
    return Finding(
        Code.W_POLICY_NOT_TRUE,
        ("policy", field),
        f"policy.{field} says {value}, but {what}: changing only {changed or 'that answer'}"
        f" turns {_show(got_first)} into {_show(got_second)}{where}",
        example=first,
        data={
            "counterexample": {
                "answers": first,
                "outcome": _show(got_first),
                "changed_answers": second,
                "changed_outcome": _show(got_second),
                "differs_at": _differs_at(first, second),
            },
            "classes": len(classes),
            "changes": changes or [],
        },
    )


def _strategy(
    protocol: Protocol,
    built: Built,
    pairs: list[tuple[dict[str, Any], tuple[int | None, int | None], int]],
) -> Finding | None:
    field = "strategy_discussion"
    view, ex = built.views[0], built.explorer
    pathways = {p.id: p for p in protocol.pathways}
    unlevelled = [p.id for p in protocol.pathways if p.level is None]
    if unlevelled:
        return Finding(
            Code.W_POLICY_NOT_PROVED,
            ("policy", field),
            f"policy.{field} is every_case, but pathway(s) {', '.join(unlevelled)} declare no"
            " level, so which pathways are referrals is not known: it is not proved",
        )

    def short(outcome: Outcome) -> Pathway | None:
        """The referral pathway of an outcome in which no pathway has the action, if any."""
        present = [p for p in outcome if p is not None]
        if any(_has_strategy(p.actions) for p in present):
            return None
        return next((p for p in present if p.level in REFERRAL_LEVELS), None)

    helping = [
        view.compiler.condition(adv.when) for adv in protocol.advice if _has_strategy(adv.actions)
    ]
    none_helps = conj(*(neg(f) for f in helping))
    candidates = 0
    for a, key, _ in pairs:
        first, then = view.pair_pathways(key)
        outcome = (pathways.get(first or ""), pathways.get(then or ""))
        if short(outcome) is None:
            continue
        hit = ex.satisfiable(none_helps, a) if helping else a
        if hit is None:
            continue
        candidates += 1
        answers = answers_file(protocol, ex.example(hit))
        got = run(protocol, answers)
        bare = None if got is None else short(got)
        if got is None or bare is None:
            continue
        return Finding(
            Code.W_POLICY_NOT_TRUE,
            ("policy", field),
            f"policy.{field} says every_case, but referral pathway {bare.id} has no action with"
            f" id {STRATEGY_ACTION} (nor does any advice that applies), e.g. when"
            f" {ex.describe(hit)}",
            example=answers,
            data={"counterexample": {"answers": answers, "outcome": _show(got)}},
        )
    if candidates:
        return Finding(
            Code.W_POLICY_NOT_PROVED,
            ("policy", field),
            f"policy.{field} is every_case, but the analysis found referred situations without"
            f" {STRATEGY_ACTION} that the engine did not confirm: it is not proved",
        )
    return Finding(
        Code.POLICY_HOLDS,
        ("policy", field),
        f"policy.{field} holds: every situation referred gets an action {STRATEGY_ACTION},"
        " over every answer set",
    )


def _has_strategy(actions: tuple[Any, ...]) -> bool:
    """An action with the conventional id that always applies (a conditional action, with a
    `when`, is not "every case")."""
    return any(a.id == STRATEGY_ACTION and getattr(a, "when", None) is None for a in actions)

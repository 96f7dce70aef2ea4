"""Does the outcome depend on one answer? Twin protocols, exactly (issue 14.4).

Whether the outcome depends on the answer to question Q is a comparison of the protocol with a
copy of itself in which Q is renamed (`Q__twin`, with every reference): over their joint space
(see `build`) every other answer is shared while Q and its twin vary independently, so a class
where the two outcomes differ is exactly a pair of answer sets that differ only in Q (a property
test checks this against brute force). Q may be a top-level question or an item question of a
group (each mark's explanation). The search is the comparison's, restricted to a scope (e.g. the
children who are not independently mobile). Rules decide here, as in the analysis: invariants
are proved separately, and when they hold the engine's run-time raise never changes an outcome.

Each pair found is turned back into two answers files (`answers_pair`) and run through the
engine (`run`), so what is reported is what `check --answers` does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bruising_check.analysis.build import Built, build
from bruising_check.analysis.comparison import example_for
from bruising_check.analysis.formulas import TRUE, Formula, evaluate
from bruising_check.analysis.search import PRUNE, Leaf, Split, TooLarge
from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.engine.urgency import Outcome
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml

TWIN = "__twin"
ID_ROOM = 58
"""Ids are at most 64 characters: room for the suffix, and for a few `_` against collisions."""
Pair = tuple[str | None, str | None]
"""An outcome as pathway ids (pathway, follow-on)."""
Found = list[tuple[dict[str, Any], tuple[Pair, Pair], int]]
"""Classes where the two outcomes differ: (assignment, (outcome, twin's outcome), size)."""


OUTCOME_SECTIONS = ("questions", "derived", "rules")
"""Where a reference can change the outcome (advice, invariants and context never do)."""


class NotTwinnable(TooLarge):
    """The renamed copy is not a valid protocol: nothing is proved (as when out of budget)."""

    def __init__(self, qid: str) -> None:
        Exception.__init__(self, f"could not build a twin protocol for {qid}")
        self.nodes = 0
        self.seconds = None


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


def twin(protocol: Protocol, qid: str) -> tuple[Protocol, str, bool] | None:
    """A copy of `protocol` in which question `qid` (top-level, or an item question of any
    group) is renamed, with every reference to it, and whether any reference can change the
    outcome (one in a rule, a derived fact or an ask_if); None when no question has that id."""
    data = protocol.model_dump(mode="json", by_alias=True, exclude_none=True)
    taken = json.dumps(data)
    new = qid + TWIN if len(qid) + len(TWIN) <= ID_ROOM else "twin"
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
                elif k in ("question", "item", "sum") and v == qid:
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
    try:
        return Protocol.model_validate(result), new, decisive
    except ValidationError as exc:  # never expected: the copy differs from a valid one by a name
        raise NotTwinnable(qid) from exc


def differences(
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


def answers_pair(
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
    decision = engine_decision(protocol, answers)
    return None if decision is None else (decision.pathway, decision.then)


def engine_decision(protocol: Protocol, answers: dict[str, Any]) -> Decision | None:
    located = read_yaml(json.dumps(answers), "answers.json")
    checked = check_answers(protocol, located)
    if not checked.ok:
        return None
    return decide(protocol, checked.answers)


def confirmed(
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
        first, second = answers_pair(protocol, built, a, qid, name)
        got_first, got_second = run(protocol, first), run(protocol, second)
        if got_first is None or got_second is None:
            continue
        if wanted(got_first, got_second):
            return first, second, got_first, got_second, a
    return None


def outcome_of(protocol: Protocol, pair: Pair) -> Outcome:
    first, then = pair
    return (
        None if first is None else protocol.pathway(first),
        None if then is None else protocol.pathway(then),
    )


def options_in(domain: Any, a: dict[str, Any]) -> tuple[str, ...]:
    """The options of a single-choice question in the cell `a` gives it."""
    if not domain.classes:
        return ()
    if domain.var_names[0] not in a:  # not split: the answer does not matter here, any will do
        return tuple(o for members in domain.classes for o in members)
    return tuple(domain.classes[a[domain.var_names[0]]])


def answer_changes(
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
    return " / ".join(options_in(domain, a))


def show(outcome: Outcome) -> str:
    pathway, then = outcome
    if pathway is None:
        return "no pathway"
    return pathway.id + (f" then {then.id}" if then is not None else "")


def value_at(answers: dict[str, Any], path: str) -> str:
    """The answer at a path such as `marks[1].explanation`, as JSON (absent: not asked)."""
    head, _, rest = path.partition("[")
    value: Any = answers.get(head)
    if rest:
        index, _, field = rest.partition("].")
        items = value if isinstance(value, list) else []
        n = int(index) - 1
        value = items[n].get(field) if 0 <= n < len(items) else None
    return "(not asked)" if value is None else json.dumps(value, ensure_ascii=False)


def differs_at(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
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

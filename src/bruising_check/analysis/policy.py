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

- `nim_explanation: explanation_dependent` — some such pair does get different outcomes;
- `remote_reports: treated_as_seen` — that change of channel never gives a different outcome;
- `corrected_age: recorded_only` — no outcome depends on `gestation_weeks_at_birth`; `used` —
  some does (not checked for a protocol with a repeated group: too costly there yet).

Method: dependence on one answer is found with twin protocols (`twins`), exactly; over a
repeated group that search is costly, so a refutation is first sought by the engine alone, from
the analysis's example of each situation class with one explanation changed. Every pair reported
has been run through the engine. `mobility_milestones` and `rolling_counts_as_mobility` are
checked in `protocol/checks.py`; the other fields are not checked, for the reasons in
`checked_against_rules`, which the handbook and the board paper use to say which positions are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from bruising_check.analysis.build import Built
from bruising_check.analysis.classes import merge
from bruising_check.analysis.findings import Finding
from bruising_check.analysis.formulas import TRUE, Formula, conj, neg
from bruising_check.analysis.search import TooLarge
from bruising_check.analysis.twins import (
    Budget,
    Found,
    answer_changes,
    answers_file,
    answers_pair,
    confirmed,
    differences,
    differs_at,
    engine_decision,
    options_in,
    outcome_of,
    run,
    show,
    value_at,
)
from bruising_check.engine.urgency import Outcome, compare_outcomes
from bruising_check.problems import Code
from bruising_check.protocol.conditions import Compare
from bruising_check.protocol.model import Pathway, Protocol

__all__ = ["Budget", "checked_against_rules", "policy_findings", "run"]

MOBILE_FACT = "independently_mobile"
EXPLANATION = "explanation"
REPORT_CHANNEL = "report_channel"
IN_PERSON = "seen_in_person"
GESTATION = "gestation_weeks_at_birth"
STRATEGY_ACTION = "strategy_discussion"
REFERRAL_LEVELS = frozenset(
    {"protect_now", "social_care_immediate", "social_care_same_day", "social_care_24h"}
)


MOBILITY_POSITIONS = ("rolling_counts_as_mobility", "mobility_milestones")
"""Checked in `protocol/checks.py` (`POLICY_MISMATCH`) against the `independently_mobile` fact."""


def checked_against_rules(protocol: Protocol, field: str) -> bool:
    """Whether `validate` checks the protocol's stated position on `field` against its rules
    (here, or the mobility positions in `protocol/checks.py`). The handbook and the board paper
    say which positions are checked, so that an unchecked one is never read as checked.

    Not checked, and why: `who_may_decide_no_referral` and `first_step` say who acts and in what
    order, which the pathways' action texts say and the rules' outcomes do not tell apart (a
    documented birthmark closes the pathway whoever checks, on a health professional's earlier
    word, so "only a health professional decides" has no test over the answers); the
    dispositions (`suspected_birthmark`, ...), `scope_mark_types`, `disability`,
    `petechiae_count_as_bruise`, `nim_explanation: abrasions_only_dependent` and
    `strategy_discussion: after_appraisal` have no agreed reading as a property of the rules
    yet; `corrected_age` over a repeated group does not fit the analysis budget (the twin search
    on two numbers); the positions in words (`age_anchor`, `referral_timescale`, ...) are text."""
    policy = protocol.policy
    if policy is None or not policy.stated(field):
        return False
    value = getattr(policy, field)
    if field in MOBILITY_POSITIONS:
        return True
    if field == "nim_explanation":
        return value in ("regardless", "explanation_dependent")
    if field == "remote_reports":
        return value in ("must_refer", "treated_as_seen")
    if field == "corrected_age":
        return value in ("used", "recorded_only") and not protocol.groups
    if field == "strategy_discussion":
        return bool(value == "every_case")
    return False


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
    if checked_against_rules(protocol, "nim_explanation"):
        regardless = policy.nim_explanation == "regardless"
        checks.append(
            (
                "nim_explanation",
                lambda: (
                    _explanation(protocol, built, pairs, budget)
                    if regardless
                    else _dependent(protocol, built, pairs, budget)
                ),
            )
        )
    if checked_against_rules(protocol, "remote_reports"):
        checks.append(("remote_reports", lambda: _remote(protocol, budget)))
    if checked_against_rules(protocol, "corrected_age"):
        # Over a repeated group the twin search on two numbers (age and gestation) does not fit
        # the budget, and no cheap witness was found: not checked there yet.
        checks.append(("corrected_age", lambda: _corrected_age(protocol, budget)))
    if checked_against_rules(protocol, "strategy_discussion"):
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


def _not_mobile(built: Built) -> Formula:
    parts = []
    for view in built.views:
        if any(f.id == MOBILE_FACT for f in view.protocol.derived):
            parts.append(neg(view.compiler.condition(Compare(fact=MOBILE_FACT))))
    return conj(*parts) if parts else TRUE


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
    result = differences(protocol, EXPLANATION, budget, _not_mobile)
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
    hit = confirmed(protocol, twin_built, found, EXPLANATION, name, lambda x, y: x != y)
    changes = answer_changes(twin_built, EXPLANATION, name, found)
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
        result = differences(protocol, EXPLANATION, budget, _not_mobile)
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
        hit = confirmed(protocol, twin_built, found, EXPLANATION, name, lambda x, y: x != y)
        if hit is None:
            return _refuted(protocol, twin_built, field, found, None, "")
    first, second, got_first, got_second, _ = hit
    changed = "; ".join(
        f"{path} {value_at(first, path)} → {value_at(second, path)}"
        for path in differs_at(first, second)
    )
    return Finding(
        Code.POLICY_HOLDS,
        ("policy", field),
        f"policy.{field} holds: for a non-mobile child, changing only {changed} turns"
        f" {show(got_first)} into {show(got_second)}",
        data={
            "witness": {
                "answers": first,
                "outcome": show(got_first),
                "changed_answers": second,
                "changed_outcome": show(got_second),
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
    variants: Callable[[Protocol, dict[str, Any]], Iterator[dict[str, Any]]] | None = None,
    nim_only: bool = True,
) -> tuple[dict[str, Any], dict[str, Any], Outcome, Outcome, dict[str, Any]] | None:
    """A pair found by the engine alone: the example answers of a situation class (of a
    non-mobile child, with `nim_only`) and the same with one answer changed (`variants`; by
    default one explanation set to another option), with different outcomes. Finding one
    refutes an "it never depends" position (or proves an "it depends" one); finding none
    proves nothing."""
    variants = variants or _other_explanations
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
        base = engine_decision(protocol, answers)
        if base is None or (nim_only and base.derived.get(MOBILE_FACT) is True):
            continue
        for changed in variants(protocol, answers):
            other = engine_decision(protocol, changed)
            if other is None or (nim_only and other.derived.get(MOBILE_FACT) is True):
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


def _corrected_age(protocol: Protocol, budget: Budget) -> Finding:
    """`recorded_only`: no outcome depends on the gestation at birth; `used`: some does (with
    `gestation_weeks_at_birth` the question; corrected age is what the gestation feeds)."""
    field = "corrected_age"
    used = protocol.policy is not None and protocol.policy.corrected_age == "used"
    result = differences(protocol, GESTATION, budget, lambda built: TRUE)
    twin_built = None if result is None else result[0]
    if result is None or twin_built is None or not result[2]:
        if used:
            return Finding(
                Code.W_POLICY_NOT_TRUE,
                ("policy", field),
                f"policy.{field} says used, but no outcome depends on {GESTATION}, over every"
                " answer set (`recorded_only` would be true)",
            )
        return Finding(
            Code.POLICY_HOLDS,
            ("policy", field),
            f"policy.{field} holds: no outcome depends on {GESTATION}, over every answer set",
        )
    _, name, found = result
    hit = confirmed(protocol, twin_built, found, GESTATION, name, lambda x, y: x != y)
    if hit is None or not used:
        what = "the gestation at birth alone changes the outcome"
        return _refuted(protocol, twin_built, field, found, hit, what)
    first, second, got_first, got_second, _ = hit
    return Finding(
        Code.POLICY_HOLDS,
        ("policy", field),
        f"policy.{field} holds: changing only {GESTATION} {value_at(first, GESTATION)} →"
        f" {value_at(second, GESTATION)} turns {show(got_first)} into {show(got_second)}",
        data={
            "witness": {
                "answers": first,
                "outcome": show(got_first),
                "changed_answers": second,
                "changed_outcome": show(got_second),
            }
        },
    )


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
    result = differences(protocol, REPORT_CHANNEL, budget, lambda built: TRUE)
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
        first, second = answers_pair(protocol, built, a, REPORT_CHANNEL, name)
        first[REPORT_CHANNEL] = IN_PERSON
        second[REPORT_CHANNEL] = next(o for o in options_in(twin_domain, a) if o != IN_PERSON)
        got_first, got_second = run(protocol, first), run(protocol, second)
        if got_first is None or got_second is None or not breaks(got_first, got_second):
            continue
        hit = (first, second, got_first, got_second, a)
        what = (
            "a remote or third-party report is decided differently"
            if alike
            else "a remote or third-party report is less urgent"
        )
        changes = answer_changes(built, REPORT_CHANNEL, name, lowered)
        return _refuted(protocol, built, field, lowered, hit, what, changes)
    return _refuted(protocol, built, field, lowered, None, "")


def _lowered(
    protocol: Protocol,
    built: Built,
    name: str,
    found: Found,
    alike: bool = False,
) -> Found:
    """The classes where the report is seen in person on the first side and made another way
    on the twin's, and the twin's outcome is less urgent (`alike`: different at all)."""
    domain, twin_domain = built.space.domains[REPORT_CHANNEL], built.space.domains[name]
    out = []
    for a, key, size in found:
        lower = compare_outcomes(outcome_of(protocol, key[1]), outcome_of(protocol, key[0])) < 0
        if not (alike or lower):
            continue  # the outcomes differ in every class found; `must_refer` minds only lower
        mine = options_in(domain, a)
        theirs = options_in(twin_domain, a)
        if IN_PERSON in mine and any(o != IN_PERSON for o in theirs):
            out.append((a, key, size))
    return out


def _refuted(
    protocol: Protocol,
    built: Built | None,
    field: str,
    found: Found,
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
        f"{path} {value_at(first, path)} → {value_at(second, path)}"
        for path in differs_at(first, second)
    )
    # The verdict and one confirmed pair first: a located message is cut at 300 characters.
    return Finding(
        Code.W_POLICY_NOT_TRUE,
        ("policy", field),
        f"policy.{field} says {value}, but {what}: changing only {changed or 'that answer'}"
        f" turns {show(got_first)} into {show(got_second)}{where}",
        example=first,
        data={
            "counterexample": {
                "answers": first,
                "outcome": show(got_first),
                "changed_answers": second,
                "changed_outcome": show(got_second),
                "differs_at": differs_at(first, second),
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
            data={"counterexample": {"answers": answers, "outcome": show(got)}},
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

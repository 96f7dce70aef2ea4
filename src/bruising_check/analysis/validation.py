"""The `validate` report of one protocol: its load problems, the exhaustive analysis's findings
and, against a reference protocol, every difference of pathway as a located problem (approved
deviations as information, comparisons not made as errors), each with the details a reader needs
(examples, classes). The CLI only prints it (text) or writes `report_json` (JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bruising_check.analysis import Comparison, PathwayDifference
    from bruising_check.problems import Problem
    from bruising_check.protocol.loader import Loaded
    from bruising_check.protocol.model import Protocol

UNDATED = "approval date not recorded"


@dataclass
class Report:
    """One protocol's problems, each with optional details (examples, classes) for the reader."""

    loaded: Loaded
    items: list[tuple[Problem, dict[str, Any]]] = field(default_factory=list)
    analysis: dict[str, Any] | None = None
    against: dict[str, Any] | None = None


def validation_report(
    loaded: Loaded, reference: tuple[str, Protocol] | None, budget: float
) -> Report:
    """`loaded` checked within `budget` seconds, and against `reference` (its name and
    protocol) when one is given."""
    from bruising_check.analysis import TooLarge, analyse, compare
    from bruising_check.problems import Code

    report = Report(loaded, [(p, {}) for p in loaded.problems])
    if not loaded.ok or loaded.protocol is None or loaded.located is None:
        return report  # the analysis needs a protocol whose references all resolve
    located = loaded.located
    try:
        result = analyse(loaded.protocol, budget_seconds=budget)
    except TooLarge as exc:
        report.items.append(
            (located.problem(Code.ANALYSIS_TOO_LARGE, f"exhaustive analysis {exc}", ("rules",)), {})
        )
        return report
    for f in result.findings:
        report.items.append((located.problem(f.code, f.message, f.path), f.to_json()))
    report.analysis = {
        "total": result.total,
        "classes": result.classes,
        "milliseconds": round(result.seconds * 1000, 1),
        "pathways": result.pathway_sizes,
    }
    if reference is not None:
        name, ref = reference
        try:
            comparison = compare(ref, loaded.protocol, budget_seconds=budget)
        except TooLarge as exc:
            report.items.append(
                (located.problem(Code.ANALYSIS_TOO_LARGE, f"comparison {exc}", ("rules",)), {})
            )
        else:
            report.items += _against_problems(name, ref, loaded, comparison)
            report.against = _comparison_json(name, comparison)
    report.items.sort(key=lambda item: (item[0].line, item[0].column))
    return report


def _against_problems(
    name: str, ref: Protocol, loaded: Loaded, comparison: Comparison
) -> list[tuple[Problem, dict[str, Any]]]:
    from bruising_check.analysis.direction import RANK_NOTE, lost_advice
    from bruising_check.problems import Code
    from bruising_check.protocol.wording import count_text

    assert loaded.protocol is not None and loaded.located is not None
    protocol, located = loaded.protocol, loaded.located
    codes = {
        "less_urgent": Code.AGAINST_LESS_URGENT,
        "more_urgent": Code.AGAINST_MORE_URGENT,
        "different_actions": Code.AGAINST_SAME_URGENCY,
    }
    out: list[tuple[Problem, dict[str, Any]]] = []
    ref_id = ref.metadata.id
    if comparison.only_in_old or comparison.only_in_new or comparison.notes:
        parts = []
        if comparison.only_in_old:
            parts.append(f"only {ref_id} asks {', '.join(comparison.only_in_old)}")
        if comparison.only_in_new:
            parts.append(f"only this protocol asks {', '.join(comparison.only_in_new)}")
        parts += comparison.notes
        out.append(
            (
                located.problem(Code.AGAINST_QUESTIONS, "; ".join(parts), ("questions",)),
                {"only_in_reference": comparison.only_in_old, "only_here": comparison.only_in_new},
            )
        )
    for diff in comparison.differences:
        biggest = max(diff.classes, key=lambda c: c.size)
        words = {
            "less_urgent": "LESS urgent than",
            "more_urgent": "more urgent than",
            "different_actions": "different actions at the same urgency as",
        }[diff.direction]
        here = _outcome(diff.new_pathway, diff.new_then)
        there = _outcome(diff.old_pathway, diff.old_then)
        message = (
            f"{words} {ref_id}: {here} where {ref_id} gives {there},"
            f" in {count_text(diff.size)} answer set(s)"
            f" ({len(diff.classes)} class(es)), e.g. when {biggest.condition}"
            + (f" ({RANK_NOTE})" if diff.by_rank else "")
        )
        path = _deciding_rule(protocol, biggest.example)
        if diff.approved:
            approvals = [_approval(protocol, d) for d in diff.approved]
            index = [d.id for d in protocol.approved_deviations].index(diff.approved[0])
            said = "; ".join(
                f"{a['id']} ({a['approved_by']}, {a['approved_on'] or UNDATED})" for a in approvals
            )
            out.append(
                (
                    located.problem(
                        Code.DEVIATION_APPROVED,
                        f"approved deviation {said}: {message}",
                        ("approved_deviations", index),
                    ),
                    {**_difference_json(diff), "approved": approvals},
                )
            )
            continue
        if not diff.compared:
            message = (
                f"cannot compare with {ref_id}: {here} where {ref_id} gives {there}, in"
                f" {count_text(diff.size)} answer set(s), e.g. when {biggest.condition}:"
                " give pathway"
                f" {_unlevelled(protocol, ref, diff)} a level"
            )
            out.append(
                (located.problem(Code.AGAINST_NOT_COMPARED, message, path), _difference_json(diff))
            )
            continue
        out.append((located.problem(codes[diff.direction], message, path), _difference_json(diff)))
    for lost in lost_advice(ref, protocol):
        where: tuple[str | int, ...] = ("advice",)
        ids = [a.id for a in protocol.advice]
        if lost.advice in ids:
            where = ("advice", ids.index(lost.advice))
        said = "; ".join(f"“{text}”" for text in lost.actions)
        what = "is not in this protocol" if lost.removed else "here lacks some of its actions"
        gives = (
            f"this protocol gives {said} only on pathway(s) {', '.join(lost.on_pathways)}, not"
            " whenever the advice applied"
            if lost.on_pathways
            else f"this protocol never gives {said}"
        )
        out.append(
            (
                located.problem(
                    Code.W_AGAINST_ADVICE_LOST,
                    f"{ref_id}'s advice {lost.advice} {what}: {gives}",
                    where,
                ),
                {"advice": lost.advice, "actions": list(lost.actions), "removed": lost.removed},
            )
        )
    for i, d in enumerate(protocol.approved_deviations):
        if d.id in comparison.unused_deviations:
            out.append(
                (
                    located.problem(
                        Code.W_DEVIATION_UNUSED,
                        f"approved deviation {d.id!r} matches no difference from {ref_id}: no"
                        " situation it covers gets another pathway, and no policy field it"
                        " names differs",
                        ("approved_deviations", i),
                    ),
                    {},
                )
            )
    return out


def _unlevelled(protocol: Protocol, ref: Protocol, diff: PathwayDifference) -> str:
    """The pathway(s) of this difference that have no level (the reason it is not compared)."""
    names = [
        pid
        for side, ids in (
            (ref, (diff.old_pathway, diff.old_then)),
            (protocol, (diff.new_pathway, diff.new_then)),
        )
        for pid in ids
        if pid is not None and (found := side.pathway(pid)) is not None and found.level is None
    ]
    return ", ".join(dict.fromkeys(names)) or "each pathway"


def _outcome(pathway: str | None, then: str | None) -> str:
    return (pathway or "no pathway") + (f" then {then}" if then else "")


def _approval(protocol: Protocol, deviation_id: str) -> dict[str, Any]:
    d = next(x for x in protocol.approved_deviations if x.id == deviation_id)
    return {
        "id": d.id,
        "approved_by": d.approved_by,
        "approved_on": None if d.approved_on is None else d.approved_on.isoformat(),
        "why": d.why,
        "cite": list(d.cite),
    }


def _deciding_rule(protocol: Protocol, example: dict[str, Any]) -> tuple[str | int, ...]:
    """Where to point: the rule of this protocol that decides the example."""
    from bruising_check.analysis import example_for
    from bruising_check.engine.decide import decide

    answers = {
        k: tuple(v) if isinstance(v, list) else v for k, v in example_for(protocol, example).items()
    }
    rule = decide(protocol, answers).deciding_rule
    for i, r in enumerate(protocol.rules):
        if rule is not None and r.id == rule.id:
            return ("rules", i)
    return ("rules",)


def _difference_json(diff: PathwayDifference) -> dict[str, Any]:
    return {
        "reference_pathway": diff.old_pathway,
        "pathway": diff.new_pathway,
        "direction": diff.direction,
        "compared_by": "none" if not diff.compared else "rank" if diff.by_rank else "level",
        "covered_by_deviations": list(diff.approved),
        "size": diff.size,
        "classes": [
            {"condition": c.condition, "size": c.size, "example": c.example} for c in diff.classes
        ],
    }


def _comparison_json(name: str, comparison: Comparison) -> dict[str, Any]:
    return {
        "reference": name,
        "total": comparison.total,
        "only_in_reference": list(comparison.only_in_old),
        "only_here": list(comparison.only_in_new),
        "notes": list(comparison.notes),
        "unused_deviations": list(comparison.unused_deviations),
        "differences": [_difference_json(d) for d in comparison.differences],
    }


def report_json(r: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file": r.loaded.file,
        "sha256": r.loaded.sha256,
        "problems": [{**p.to_json(), **({"details": d} if d else {})} for p, d in r.items],
    }
    if r.analysis is not None:
        out["analysis"] = r.analysis
    if r.against is not None:
        out["against"] = r.against
    return out

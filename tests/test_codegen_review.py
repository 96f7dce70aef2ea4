"""Review of the generated replay pass (`engine.codegen`): protocols the model allows (after
validation, or built in code) whose generated code must still give `engine.decide`'s outcome,
and protocol text that must stay data."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import TypeAdapter

from bruising_check.engine.compiled import compiled, probe
from bruising_check.protocol.conditions import Condition
from bruising_check.protocol.model import Protocol
from bruising_check.versions.impact import Case, _checked_case, run_outcome

ANSWERS: dict[str, Any] = {
    "immediate_danger": "no",
    "injury_red_flags": [],
    "age_weeks": 10,
    "gestation_weeks_at_birth": 40,
    "mobility_milestones": [],
    "report_channel": "seen_in_person",
    "diagnosed_bleeding_condition": "no",
    "marks": [{"type": "bruise", "site": "shin", "patterned": "no", "explanation": "none_given"}],
}


def _with_first_rule(baseline: Protocol, when: dict[str, Any]) -> Protocol:
    protocol = copy.deepcopy(baseline)
    object.__setattr__(protocol.rules[0], "when", TypeAdapter(Condition).validate_python(when))
    return protocol


def test_equals_text_on_a_list_answer_is_the_engines(baseline: Protocol) -> None:
    """`equals: "<text>"` on a multiple-choice answer (the model allows it; the checks refuse
    it) reads as the engine reads it: a list equals the empty set of options, so an empty
    list matches. The two-valued code compared the list with the text (False) and gave a less
    urgent pathway than `decide`."""
    protocol = _with_first_rule(
        baseline, {"question": "injury_red_flags", "equals": "seriously_unwell"}
    )
    lazy = probe(compiled(protocol))
    assert lazy is not None and hasattr(lazy.fast, "source")  # the generated code runs
    for flags in ([], ["seriously_unwell"], ["limb_not_moved"]):
        case = Case("c", {**ANSWERS, "injury_red_flags": flags})
        expected = _checked_case(protocol, case)
        assert expected[1] is None
        assert run_outcome(protocol, case) == expected, flags


HOSTILE = "'\"\\\n\u2028\x00\"\"\"''');__import__('pathlib').Path(r'{0}').touch()#{{"


def _renamed(node: Any, names: dict[str, str], seen: set[int]) -> Any:
    """Every string of `node` that is one of `names` replaced, in place on models (after
    validation: the model would refuse these ids)."""
    from pydantic import BaseModel

    if isinstance(node, str):
        return names.get(node, node)
    if isinstance(node, tuple):
        return tuple(_renamed(x, names, seen) for x in node)
    if isinstance(node, list):
        return [_renamed(x, names, seen) for x in node]
    if isinstance(node, frozenset):
        return frozenset(_renamed(x, names, seen) for x in node)
    if isinstance(node, dict):
        return {_renamed(k, names, seen): _renamed(v, names, seen) for k, v in node.items()}
    if isinstance(node, BaseModel) and id(node) not in seen:
        seen.add(id(node))
        for field in type(node).model_fields:
            object.__setattr__(node, field, _renamed(getattr(node, field), names, seen))
    return node


def _ids_of(protocol: Protocol) -> set[str]:
    from bruising_check.protocol.model import GroupQuestion

    ids = {p.id for p in protocol.pathways} | {f.id for f in protocol.derived}
    for q in protocol.questions:
        ids.add(q.id)
        ids |= {o.id for o in getattr(q, "options", ())}
        if isinstance(q, GroupQuestion):
            ids |= {f.id for f in q.derived}
            for iq in q.questions:
                ids.add(iq.id)
                ids |= {o.id for o in getattr(iq, "options", ())}
    return ids


def _outcome(lazy: Any, fn: Any, answers: dict[str, Any]) -> Any:
    done, missing = fn(answers)
    return (
        done.values,
        done.pending,
        missing,
        [(o[0].id if o[0] else None, o[1].id if o[1] else None) for o in (done.upper, done.lower)],
    )


def test_every_id_and_option_is_data_to_the_generated_code(
    baseline: Protocol, tmp_path: Any
) -> None:
    """Every question, option, group, item, fact and pathway id of the baseline made Python
    with quotes, backslashes, a newline, U+2028 and NUL: none reaches the generated source, the
    marker file is never made, and the generated pass gives what the closures give."""
    import random

    from bruising_check.engine import codegen

    marker = tmp_path / "pwned"
    protocol = copy.deepcopy(baseline)
    names = {i: i + HOSTILE.format(marker) for i in _ids_of(protocol)}
    _renamed(protocol, names, set())
    lazy = probe(compiled(protocol))
    assert lazy is not None
    made = codegen.generated_pass(lazy)
    assert made is not None
    source: str = made.source  # type: ignore[attr-defined]
    for bad in ("pathlib", "pwned", "\u2028", "\x00", "'", '"', "\\", "immediate_danger"):
        assert bad not in source
    rnd = random.Random(5)
    decided = set()
    for _ in range(300):
        answers = {
            "immediate_danger": rnd.choice(["no", "yes", "not_sure"]),
            "injury_red_flags": rnd.choice([[], ["seriously_unwell"], ["limb_not_moved"]]),
            "age_weeks": rnd.choice([0, 10, 26, 27, 52, 200, 1000]),
            "gestation_weeks_at_birth": rnd.choice([24, 36, 40, None]),
            "mobility_milestones": rnd.choice([[], ["not_sure"], ["rolling"], ["walking"]]),
            "report_channel": rnd.choice(["seen_in_person", "reported_remotely_by_carer"]),
            "diagnosed_bleeding_condition": rnd.choice(["no", "yes", "not_known"]),
            "marks": [
                {
                    "type": rnd.choice(["bruise", "petechiae", "burn"]),
                    "site": rnd.choice(["cheek", "shin", "ear", "back"]),
                    "patterned": rnd.choice(["no", "yes", "not_sure"]),
                    "explanation": rnd.choice(["none_given", "plausible_consistent"]),
                }
                for _ in range(rnd.randint(0, 2))
            ],
        }
        hostile = _renamed(answers, names, set())
        checked = compiled(protocol).answers_ok(hostile)
        assert (checked is None) == (compiled(baseline).answers_ok(answers) is None)
        if checked is None:
            continue  # (an error check_answers reports, as for the baseline)
        expected = _outcome(lazy, lazy.run_pass, checked[0])
        assert _outcome(lazy, made, checked[0]) == expected
        decided.add(tuple(expected[3][0]))
    assert len(decided) >= 3  # the answers reach different pathways: they are compared
    assert not marker.exists()


def test_odd_numbers_are_constants_of_the_generated_code(baseline: Protocol) -> None:
    """Number operands a protocol built in code may hold (inf, -0.0, a huge int, a long
    float): none is written into the source, and the generated pass compares as the
    closures do."""
    from bruising_check.engine import codegen

    for odd in (1e309, -1e309, -0.0, 10**400, 123456789.125, 2**53 + 1):
        protocol = _with_first_rule(baseline, {"question": "age_weeks", "lt": 26})
        object.__setattr__(protocol.rules[0].when, "lt", odd)
        lazy = probe(compiled(protocol))
        assert lazy is not None
        made = codegen.generated_pass(lazy)
        assert made is not None, odd
        source: str = made.source  # type: ignore[attr-defined]
        assert "inf" not in source and "1234" not in source and "e+" not in source
        for age in (0, 10, 2**53, 2**53 + 2, 10**401):
            answers = {**ANSWERS, "age_weeks": age, "marks": tuple(ANSWERS["marks"])}
            assert _outcome(lazy, made, answers) == _outcome(lazy, lazy.run_pass, answers)

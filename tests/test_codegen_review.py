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
from tests.conftest import BASE_ANSWERS_V2

ANSWERS: dict[str, Any] = {
    **BASE_ANSWERS_V2,
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


def _random_answers(rnd: Any) -> dict[str, Any]:
    """Baseline answers (format v2), some with unknowns, some the checks refuse."""
    return {
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
        answers = _random_answers(rnd)
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


def _odd_leaf(item: bool) -> Any:
    """Any comparison the model allows on any subject (the checks would refuse many: `lt` on
    a choice, `equals` text on a list, `in` numbers on text), with booleans, ints, floats."""
    from hypothesis import strategies as st

    scalar = st.one_of(
        st.sampled_from(["x", "y", "p", "q", "a", ""]),
        st.sampled_from([0, 1, 2, 3, 1.0, 2.5, -0.0, True, False]),
    )
    texts = st.lists(st.sampled_from(["x", "p", "q", "a"]), min_size=1, max_size=3)
    operand = st.one_of(
        st.tuples(st.just("equals"), st.one_of(scalar, texts.map(tuple))),
        st.tuples(st.just("in"), st.lists(scalar, min_size=1, max_size=3)),
        st.tuples(st.sampled_from(["lt", "le", "gt", "ge"]), st.sampled_from([0, 1, 2.5, 3])),
        st.tuples(st.sampled_from(["includes_any", "includes_all"]), texts),
        st.tuples(st.sampled_from(["is_empty", "answered", "known"]), st.booleans()),
    )
    subjects = (
        st.sampled_from([("item", "t"), ("item", "k"), ("item", "f")])
        if item
        else st.sampled_from(
            [("question", "b"), ("question", "n"), ("question", "c"), ("fact", "F")]
            + [("question", "m")] * 2
        )
    )
    return st.builds(lambda s, o: {s[0]: s[1], o[0]: o[1]}, subjects, operand)


def _odd_protocols() -> Any:
    from hypothesis import strategies as st

    from tests.test_compiled_replay import richer_protocols
    from tests.test_groups_properties import _tree

    @st.composite
    def made(draw: st.DrawFn) -> Protocol:
        base = draw(richer_protocols()).model_dump(mode="json", by_alias=True, exclude_none=True)
        top = _tree(_odd_leaf(False))
        some = st.builds(
            lambda q, w: {q: {"group": "g", "where": w}},
            st.sampled_from(["some", "every"]),
            _tree(_odd_leaf(True)),
        )
        for _ in range(draw(st.integers(1, 2))):
            base["rules"].insert(
                draw(st.integers(0, len(base["rules"]))),
                {
                    "id": f"RX{len(base['rules'])}",
                    "when": draw(
                        st.one_of(top, some, st.builds(lambda a, b: {"any": [a, b]}, top, some))
                    ),
                    "pathway": draw(st.sampled_from(["p2", "p3", "p4"])),
                    "because": "x",
                    "cite": ["s"],
                },
            )
        if draw(st.booleans()):
            base["questions"][2]["ask_if"] = draw(top)  # (`c`, asked after `b` and `n`)
        if draw(st.booleans()):
            base["invariants"].append(
                {"id": "IX", "when": draw(top), "at_least": "p3", "because": "x", "cite": ["s"]}
            )
        return Protocol.model_validate(base)

    return made()


def _engine(protocol: Protocol, answers: dict[str, Any]) -> Any:
    from bruising_check.engine.evaluate import run_pass

    try:
        done = run_pass(protocol, answers)
    except TypeError:
        return TypeError
    return [
        (o[0].id if o[0] else None, o[1].id if o[1] else None) for o in (done.upper, done.lower)
    ]


def _generated(protocol: Protocol, answers: dict[str, Any]) -> Any:
    lazy = probe(compiled(protocol))
    assert lazy is not None and hasattr(lazy.fast, "source")
    try:
        done, _ = lazy.fast(answers)
    except TypeError:
        return TypeError
    return [
        (o[0].id if o[0] else None, o[1].id if o[1] else None) for o in (done.upper, done.lower)
    ]


def test_comparisons_of_any_kind_on_any_answer_are_the_engines() -> None:
    """Random protocols with comparisons the model allows whatever the subject's type, on
    random answers with unknowns: the generated pass's bounds are `run_pass`'s (or both
    raise TypeError, arithmetic or an order on a non-number)."""
    from hypothesis import HealthCheck, given, settings

    from tests.test_groups_properties import answer_sets

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_odd_protocols(), answer_sets())
    def check(protocol: Protocol, answers: dict[str, Any]) -> None:
        assert _generated(protocol, answers) == _engine(protocol, answers)

    check()


def test_protocols_left_to_the_closures_replay_as_the_engine(
    baseline: Protocol, monkeypatch: Any
) -> None:
    """Code too long for the generator, and a rule nested too deeply for Python to compile:
    the probe keeps its closures (no generated source) and replay gives `decide`'s outcome."""
    import random

    from bruising_check.engine import codegen

    deep: Any = {"question": "immediate_danger", "equals": "yes"}
    for _ in range(40):  # (forty `not`s: the first rule as it was)
        deep = {"not": {"all": [deep, {"question": "age_weeks", "lt": 2000}]}}
    nested = _with_first_rule(baseline, deep)
    with monkeypatch.context() as patched:
        patched.setattr(codegen, "MAX_LINES", 10)
        long = copy.deepcopy(baseline)
        assert probe(compiled(long)) is not None
    for protocol in (long, nested):
        lazy = probe(compiled(protocol))
        assert lazy is not None and not hasattr(lazy.fast, "source")
        rnd = random.Random(3)
        outcomes = set()
        for i in range(150):
            case = Case(str(i), _random_answers(rnd))
            expected = _checked_case(protocol, case)
            assert run_outcome(protocol, case) == expected
            outcomes.add(expected[0])
        assert len(outcomes) >= 3

"""Property: replay's compiled pass (`engine.compiled`) gives exactly the engine's decision.

On random small protocols with a repeated group, follow-ons, invariants, quantifiers, counts,
`known`, an ask_if over facts and arithmetic facts, and on random answer sets with unknowns:
the compiled three-valued pass equals `run_pass` (values, facts, item facts, bounds), and the
outcome replay takes (lazy probe, else the full pass and the engine's search) equals
`engine.decide`'s pathway and follow-on. On the bundled baseline and the real protocols, random
raw answers (wrong types, options not offered, missing required answers, "not sure", null)
replayed through `versions.impact.run_outcome` give the pathway and follow-on that
`check_answers` + `decide` give.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bruising_check.engine import codegen
from bruising_check.engine import compiled as compiled_module
from bruising_check.engine.compiled import compiled, decide_outcome, probe
from bruising_check.engine.decide import decide
from bruising_check.engine.evaluate import run_pass
from bruising_check.engine.urgency import Outcome
from bruising_check.protocol.conditions import UNKNOWN
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import MultipleChoiceQuestion, Protocol
from bruising_check.versions.impact import Case, _checked_case, run_case, run_outcome
from tests.conftest import ROOT, TODAY
from tests.test_groups_properties import (
    ITEM_DOMAINS,
    TOP_DOMAINS,
    _completions,
    _slots,
    _tree,
    protocols,
)
from tests.test_groups_properties import answer_sets as engine_answer_sets

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ids(o: Outcome) -> tuple[str | None, str | None]:
    return (o[0].id if o[0] else None, o[1].id if o[1] else None)


@st.composite
def richer_protocols(draw: st.DrawFn) -> Protocol:
    """`test_groups_properties.protocols` plus what the bundled protocols use and it does not:
    a number fact (arithmetic, `applies_if`) that rules read, and an ask_if over facts."""
    base = draw(protocols()).model_dump(mode="json", by_alias=True, exclude_none=True)
    leaf = st.one_of(
        st.builds(
            lambda op, v: {"fact": "N", op: v}, st.sampled_from(["lt", "ge"]), st.integers(0, 7)
        ),
        st.just({"fact": "F"}),
        st.builds(lambda v: {"question": "b", "equals": v}, st.booleans()),
    )
    base["derived"].insert(
        0,
        {
            "id": "N",
            "type": "number",
            "label": "N",
            "unit": "u",
            "value": {"add": [{"question": "n"}, draw(st.integers(0, 2))]},
            **({"applies_if": {"question": "b", "equals": True}} if draw(st.booleans()) else {}),
            "cite": ["s"],
        },
    )
    if draw(st.booleans()):
        # The single choice `c` is asked only if a fact says so (run_pass computes the facts
        # from the answers so far for it).
        base["questions"][2]["ask_if"] = draw(_tree(leaf))
    if draw(st.booleans()):
        base["rules"].insert(
            draw(st.integers(0, len(base["rules"]))),
            {"id": "RN", "when": draw(_tree(leaf)), "pathway": "p3", "because": "x", "cite": ["s"]},
        )
    return Protocol.model_validate(base)


def _same_pass(protocol: Protocol, answers: dict[str, Any]) -> None:
    expected = run_pass(protocol, answers)
    got, _ = compiled(protocol).run(answers)
    assert got.values == expected.values
    assert got.facts == expected.facts
    assert got.item_facts == expected.item_facts
    assert got.env == expected.env
    assert got.pending == expected.pending
    top = {q.id for q in protocol.questions}
    assert got.asked == {k: v for k, v in expected.asked.items() if k in top}
    for mine, theirs in [
        (got.upper, expected.upper),
        (got.lower, expected.lower),
        (got.rules_upper, expected.rules_upper),
        (got.rules_lower, expected.rules_lower),
    ]:
        assert _ids(mine) == _ids(theirs)
    # The lazy pass the search runs on: the same answers after ask_if and the same bounds,
    # and the same environment when the search reads it.
    lazy = probe(compiled(protocol))
    assert lazy is not None
    done, _ = lazy.run_pass(answers)
    _same_lazy(done, expected)
    _same_generated(lazy, answers, expected)


def _same_lazy(done: Any, expected: Any) -> None:
    """A lazy pass gives what the engine's `run_pass` gives: the answers after ask_if, the
    answers held back, the bounds, and the environment when it is read."""
    assert done.values == expected.values
    assert done.pending == expected.pending
    assert (_ids(done.upper), _ids(done.lower)) == (_ids(expected.upper), _ids(expected.lower))
    assert done.definite == expected.definite
    assert done.env == expected.env
    assert done.item_facts == expected.item_facts


def _same_generated(
    lazy: Any, answers: dict[str, Any], expected: Any, *, events: bool = True
) -> None:
    """The generated pass (`engine.codegen`) gives what `run_pass` gives; so do its two halves
    alone: the three-valued code always, the two-valued code whenever it does not give way."""
    fast = lazy.fast
    assert hasattr(fast, "source"), "the generator left this protocol to the closures"
    done, missing = fast(answers)
    assert missing == lazy.run_pass(answers)[1]
    _same_lazy(done, expected)
    three = fast.__globals__["OUT3"](expected.values)
    assert (_ids(three[0]), _ids(three[1])) == (_ids(expected.upper), _ids(expected.lower))
    try:
        two = fast.__globals__["OUT2"](expected.values)
    except codegen._Three:
        if events:
            event("two-valued code gave way")
        return
    if events:
        event("two-valued code decided")
    assert expected.definite
    assert _ids(two[0]) == _ids(two[1]) == _ids(expected.upper)


def _same_outcome(protocol: Protocol, answers: dict[str, Any]) -> None:
    decision = decide(protocol, answers)
    expected = (decision.pathway, decision.then)
    program = compiled(protocol)
    assert _ids(decide_outcome(program, answers)) == _ids(expected)
    lazy = probe(program)
    assert lazy is not None
    try:
        got, _ = lazy.run(answers)
    except compiled_module._Unsure:
        event("probe gave way to the full pass")
        return
    event("probe decided")
    assert _ids(got) == _ids(expected)


@SETTINGS
@given(richer_protocols(), engine_answer_sets())
def test_compiled_pass_and_outcome_are_the_engines(
    protocol: Protocol, answers: dict[str, Any]
) -> None:
    _same_pass(protocol, answers)
    _same_outcome(protocol, answers)
    # The search's own passes: partial completions, with the answers marked "given as unknown".
    slots = _slots(answers)
    for done in _completions(answers, slots[:2])[:4]:
        _same_pass(protocol, done)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(protocols(), engine_answer_sets())
def test_on_the_plain_random_protocols(protocol: Protocol, answers: dict[str, Any]) -> None:
    _same_pass(protocol, answers)
    _same_outcome(protocol, answers)


# --- raw answers through the replay, against check_answers + decide ---------------------------


def _raw(domain: list[Any], draw: st.DrawFn) -> Any:
    """An answer as a cases file might hold it: usually well formed, sometimes null, "not
    sure", the wrong type or out of range."""
    roll = draw(st.sampled_from(["plain"] * 26 + ["null"] * 3 + ["odd"]))
    if roll == "null":
        return None
    if roll == "odd":
        return draw(st.sampled_from(["u", "not_sure", 99, -1, "yes", True, [], 2.5]))
    value = draw(st.sampled_from(domain))
    return list(value) if isinstance(value, tuple) else value


def _often(draw: st.DrawFn, times: int = 15) -> bool:
    """True `times` times in `times + 1` (hypothesis favours small integers, so not 0 < n)."""
    return bool(draw(st.sampled_from([True] * times + [False])))


@st.composite
def raw_answer_sets(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q, domain in TOP_DOMAINS.items():
        if _often(draw):
            answers[q] = _raw(domain, draw)
    if _often(draw):
        items = []
        for _ in range(draw(st.integers(0, 2))):
            item = {q: _raw(d, draw) for q, d in ITEM_DOMAINS.items() if _often(draw)}
            if not _often(draw):
                item["nope"] = 1
            items.append(item)
        answers["g"] = items if _often(draw) else "marks"
    if not _often(draw):
        answers["not_a_question"] = 1
    return answers


@SETTINGS
@given(richer_protocols(), raw_answer_sets())
def test_replayed_raw_answers_on_random_protocols(
    protocol: Protocol, answers: dict[str, Any]
) -> None:
    case = Case("c", answers)
    expected = _checked_case(protocol, case)
    event("runs" if expected[1] is None else "cannot run")
    assert run_outcome(protocol, case) == expected


REAL = {
    "national-baseline": ROOT / "protocols" / "national-baseline.yaml",
    "llr-2024": ROOT / "protocols" / "examples" / "llr-2024.yaml",
    "devon": ROOT / "protocols" / "examples" / "devon.yaml",
    "hipsp-2023": ROOT / "protocols" / "examples" / "hipsp-2023.yaml",
}


@pytest.fixture(scope="module")
def real() -> dict[str, Protocol]:
    out = {}
    for name, path in REAL.items():
        loaded = load_protocol(Path(path).read_bytes(), str(path), today=TODAY)
        assert loaded.protocol is not None, name
        out[name] = loaded.protocol
    return out


FLAGS = ["seriously_unwell", "limb_not_moved", "head_swelling_under_1"]
MILESTONES = ["rolling", "sitting", "crawling", "walking", "independent_wheelchair_use"]
TYPES = ["bruise", "petechiae", "abrasion", "burn", "bite", "swelling", "birthmark_like", "other"]
SITES = ["cheek", "forehead", "ear", "back", "buttocks", "genitals", "shin", "frenulum", "palm"]
EXPLANATIONS = [
    "none_given",
    "not_asked",
    "plausible_consistent",
    "implausible_or_inconsistent",
    "person_caused",
    "independent_witness_accident",
    "documented_procedure_or_birth_injury",
    "documented_birthmark",
    "diagnosed_condition",
]


@st.composite
def baseline_answers(draw: st.DrawFn) -> dict[str, Any]:
    """Answers format v2 for the bundled baseline and the real protocols built on it."""

    def pick(*values: Any) -> Any:
        return draw(st.sampled_from(values))

    def some(options: list[str], unknown: str | None = None) -> Any:
        if unknown is not None and not _often(draw, 12):
            return [unknown]
        return draw(st.lists(st.sampled_from(options), max_size=3, unique=True))

    answers: dict[str, Any] = {
        "immediate_danger": pick("no", "no", "no", "yes", "not_sure"),
        "injury_red_flags": [] if _often(draw, 5) else some(FLAGS),
        "age_weeks": draw(st.integers(0, 110)) if _often(draw, 40) else 1000,
        "gestation_weeks_at_birth": pick(40, 38, 36, 30, 24, None),
        "mobility_milestones": some(MILESTONES, "not_sure"),
        "report_channel": pick("seen_in_person", "reported_remotely_by_carer"),
        "diagnosed_bleeding_condition": pick("no", "no", "yes", "not_known"),
    }
    if _often(draw, 4):
        answers["mobility_seen_by_professional"] = pick(True, False)
    if _often(draw, 4):
        answers["child_gives_consistent_account"] = pick(True, False)
    # Devon's own questions (other protocols leave them out).
    if _often(draw, 4):
        answers["role"] = pick("gp", "paediatrician", "social_worker", "nobody")
    if _often(draw, 4):
        answers["health_professional_judgement"] = pick(
            "satisfied_no_risk", "unsure_benign_indicators", "concerned"
        )
    if _often(draw, 4):
        answers["same_day_gp_available"] = pick(True, False, False, "yes")
    marks = []
    for _ in range(draw(st.sampled_from([1, 1, 2, 3, 0]))):
        mark: dict[str, Any] = {
            "type": pick(*TYPES),
            "site": pick(*SITES),
            "patterned": pick("no", "no", "yes", "not_sure"),
            "explanation": pick(*EXPLANATIONS),
        }
        if draw(st.booleans()):
            mark["count"] = pick(1, 2, 3, None)
        if draw(st.booleans()):
            mark["side"] = pick("left", "midline")
        if not _often(draw):
            del mark[pick("type", "site", "patterned", "explanation")]
        marks.append(mark)
    answers["marks"] = marks
    return answers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_answers())
def test_replay_on_the_bundled_and_real_protocols(
    real: dict[str, Protocol], answers: dict[str, Any]
) -> None:
    case = Case("c", answers)
    for name, protocol in real.items():
        expected = _checked_case(protocol, case)
        event(f"{name}: {'runs' if expected[1] is None else 'cannot run'}")
        assert run_outcome(protocol, case) == expected, name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_answers())
def test_items_without_ask_if_read_as_by_the_general_loop(
    real: dict[str, Protocol], answers: dict[str, Any]
) -> None:
    """`_plain_items` (a group none of whose questions has an ask_if) gives the lazy pass the
    items and the missing flag the general loop gives (defaults, unknowns, absent answers)."""
    for name, protocol in real.items():
        program = compiled(protocol)
        lazy = probe(program)
        assert lazy is not None and lazy.plain_items, name
        fast = program.answers_ok(answers)
        if fast is None:
            continue
        plain = lazy.run_pass(fast[0])
        kept = lazy.plain_items
        try:
            lazy.plain_items = {}
            general = lazy.run_pass(fast[0])
        finally:
            lazy.plain_items = kept
        assert plain[1] == general[1], name
        assert plain[0].values == general[0].values, name
        assert [list(i) for i in plain[0].values.get("marks", ())] == [
            list(i) for i in general[0].values.get("marks", ())
        ], name  # the same keys in the same order
        assert _ids(plain[0].upper) == _ids(general[0].upper), name
        assert _ids(plain[0].lower) == _ids(general[0].lower), name


def test_the_bundled_protocols_are_probed(real: dict[str, Protocol]) -> None:
    """The lazy probe mirrors every construct the bundled and real protocols use (otherwise
    each case would take the full pass)."""
    for name, protocol in real.items():
        assert probe(compiled(protocol)) is not None, name


def test_unknown_answers_are_completed_by_the_search(baseline: Protocol) -> None:
    """A patterned "not sure" on a mobile child's knee bruise: the probe cannot decide, the
    search finds the most urgent completion (patterned: referral), as `decide` does."""
    answers = {
        "immediate_danger": "no",
        "injury_red_flags": (),
        "age_weeks": 60,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": ("walking",),
        "report_channel": "seen_in_person",
        "diagnosed_bleeding_condition": "no",
        "marks": (
            {"type": "bruise", "site": "knee", "patterned": UNKNOWN, "explanation": "none_given"},
        ),
    }
    program = compiled(baseline)
    lazy = probe(program)
    assert lazy is not None
    with pytest.raises(compiled_module._Unsure):
        lazy.run(answers)
    outcome = decide_outcome(program, answers)
    decision = decide(baseline, answers)
    assert _ids(outcome) == (decision.pathway.id if decision.pathway else None, None)
    assert _ids(outcome)[0] == "refer_same_day_csc_and_paediatric"


def test_memory_stays_flat_over_many_cases(baseline: Protocol) -> None:
    """Cases that need the full pass and the search (a "not sure" that matters) keep nothing:
    replaying ten times as many leaves no more memory behind."""
    import gc
    import tracemalloc

    answers = {
        "immediate_danger": "no",
        "injury_red_flags": [],
        "age_weeks": 60,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": ["walking"],
        "report_channel": "seen_in_person",
        "diagnosed_bleeding_condition": "no",
        "marks": [
            {"type": "bruise", "site": "knee", "patterned": "not_sure", "explanation": "none_given"}
        ],
    }

    def kept(n: int) -> int:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            assert run_case(baseline, Case(str(i), answers))[1] is None
        gc.collect()  # what is left once cycles are collected is what the replay keeps
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return after - before

    kept(20)  # compile once
    assert kept(400) < 20_000 + kept(40)


def test_the_bundled_protocols_are_generated(real: dict[str, Protocol]) -> None:
    """The generator writes out every construct the bundled and real protocols use."""
    for name, protocol in real.items():
        lazy = probe(compiled(protocol))
        assert lazy is not None and hasattr(lazy.fast, "source"), name


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_answers())
def test_generated_pass_on_the_bundled_and_real_protocols(
    real: dict[str, Protocol], answers: dict[str, Any]
) -> None:
    """On the bundled and real protocols (ask_if over facts, item facts, follow-ons, counts),
    checked answers with unknowns give the generated pass exactly `run_pass`'s result."""
    for protocol in real.values():
        fast = compiled(protocol).answers_ok(answers)
        if fast is None:
            continue
        expected = run_pass(protocol, fast[0])
        lazy = probe(compiled(protocol))
        _same_generated(lazy, fast[0], expected)
        assert lazy is not None
        generated, closures = lazy.fast(fast[0])[0], lazy.run_pass(fast[0])[0]
        assert [list(i) for i in generated.values.get("marks", ())] == [
            list(i) for i in closures.values.get("marks", ())
        ]  # each item's answers in the same order too


HOSTILE = "x'); __import__('pathlib').Path(r'{0}').touch() #\"\"\" \\"


def test_protocol_text_is_data_to_the_generated_code(baseline: Protocol, tmp_path: Path) -> None:
    """A question id and an option that are Python (which the model would refuse: they are
    put in after validation) appear nowhere in the generated source and run nothing: the
    question is still answered, compared and decided on as data."""
    import copy

    from bruising_check.protocol.conditions import Compare, walk

    marker = tmp_path / "pwned"
    bad_id, bad_option = HOSTILE.format(marker), HOSTILE.format(marker) + "opt"
    protocol = copy.deepcopy(baseline)
    (question,) = [q for q in protocol.questions if q.id == "immediate_danger"]
    object.__setattr__(question, "id", bad_id)
    conditions = [r.when for r in protocol.rules] + [i.when for i in protocol.invariants]
    conditions += [q.ask_if for q in protocol.questions if q.ask_if is not None]
    hits = 0
    for cond in conditions:
        for node in walk(cond):
            if isinstance(node, Compare) and node.question == "immediate_danger":
                object.__setattr__(node, "question", bad_id)
                if node.operand == "yes":
                    object.__setattr__(node, "operand", bad_option)
                hits += 1
    assert hits
    lazy = probe(compiled(protocol))
    assert lazy is not None and hasattr(lazy.fast, "source")
    source = lazy.fast.source
    assert "pathlib" not in source and "pwned" not in source and "opt" not in source
    base = {
        "injury_red_flags": (),
        "age_weeks": 10,
        "gestation_weeks_at_birth": 40,
        "mobility_milestones": (),
        "report_channel": "seen_in_person",
        "diagnosed_bleeding_condition": "no",
        "marks": (
            {"type": "bruise", "site": "shin", "patterned": "no", "explanation": "none_given"},
        ),
    }
    for danger in (bad_option, "no", UNKNOWN):
        answers = {bad_id: danger, **base}
        expected = run_pass(protocol, answers)
        _same_generated(lazy, answers, expected, events=False)
    urgent = lazy.fast({bad_id: bad_option, **base})[0].upper
    calm = lazy.fast({bad_id: "no", **base})[0].upper
    assert _ids(urgent) != _ids(calm)  # the hostile option is compared, as text
    assert not marker.exists()


def test_what_the_generator_does_not_write_out_keeps_the_closures(
    baseline: Protocol, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code too big (or that Python will not compile) leaves the whole protocol to the
    closures, and replay gives the same outcomes."""
    import copy

    lazy = probe(compiled(baseline))
    assert lazy is not None
    monkeypatch.setattr(codegen, "MAX_LINES", 10)
    assert codegen.generated_pass(lazy) is None
    other = copy.deepcopy(baseline)
    plain = probe(compiled(other))
    assert plain is not None and plain.fast == plain.run_pass
    monkeypatch.setattr(codegen, "MAX_LINES", 20_000)
    deep: Any = {"question": "immediate_danger", "equals": "yes"}
    for _ in range(30):
        deep = {"not": {"all": [deep, {"question": "age_weeks", "lt": 200}]}}
    from pydantic import TypeAdapter

    from bruising_check.protocol.conditions import Condition

    nested = copy.deepcopy(baseline)
    object.__setattr__(nested.rules[0], "when", TypeAdapter(Condition).validate_python(deep))
    program = compiled(nested)
    lazy_nested = probe(program)
    assert lazy_nested is not None
    assert not hasattr(lazy_nested.fast, "source")  # too deeply nested for Python to compile
    answers = {"immediate_danger": "no", "age_weeks": 10, "marks": ()}
    expected = run_pass(nested, answers)
    got = lazy_nested.fast(answers)[0]
    assert (_ids(got.upper), _ids(got.lower)) == (_ids(expected.upper), _ids(expected.lower))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_answer_sets(), baseline_answers())
def test_generated_group_answers_read_as_the_closures(
    real: dict[str, Protocol], odd: dict[str, Any], plain: dict[str, Any]
) -> None:
    """A group's answers read by generated code (`codegen.generated_group_answers`) give the
    same items as `Compiled._group_answers`, or are refused by it the same way."""
    for name, protocol in real.items():
        program = compiled(protocol)
        for raw in (plain["marks"], odd.get("g", ()), [{**m, "x": 1} for m in plain["marks"]]):
            group = protocol.question("marks")
            made = codegen.generated_group_answers(program, group)
            assert made is not None, name
            try:
                expected: Any = program._group_answers(group, raw)  # type: ignore[arg-type]
            except Exception as refused:
                expected = type(refused)
            try:
                got: Any = made(raw)
            except Exception as refused:
                got = type(refused)
            assert got == expected, name


def _search_outcome(search: Any, root: Any, one: bool) -> Any:
    """The search's outcome (ids) or the exception it raises, by `_one_unknown` or by
    `maximise` (a fresh search each, so that each counts its own passes)."""
    from bruising_check.engine.complete import Exhausted, Inexact

    try:
        if one:
            return _ids(compiled_module._one_unknown(search, root))
        return _ids(search.maximise({}, root.upper, start=root)[0])
    except (Exhausted, Inexact) as exc:
        return type(exc).__name__


def _same_one_unknown(protocol: Protocol, answers: dict[str, Any]) -> None:
    program = compiled(protocol)
    root, _ = program.run(answers)
    if root.definite:
        return
    for budget in (1, 2, 10_000):
        searches = [compiled_module._Search(program, answers, root, budget) for _ in range(2)]
        if len(searches[0].vars) != 1:
            event("a search with more than one unknown")
            return
        event(f"one unknown, budget {budget}")
        got = _search_outcome(searches[0], root, one=True)
        assert got == _search_outcome(searches[1], root, one=False)
        assert searches[0].nodes == searches[1].nodes  # (the same passes run, in the same order)


@SETTINGS
@given(richer_protocols(), engine_answer_sets())
def test_a_search_with_one_unknown_gives_what_maximise_gives(
    protocol: Protocol, answers: dict[str, Any]
) -> None:
    _same_one_unknown(protocol, answers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_answers())
def test_a_search_with_one_unknown_gives_what_maximise_gives_on_the_real_protocols(
    real: dict[str, Protocol], answers: dict[str, Any]
) -> None:
    # Each answer that can be "not sure" made so in turn (most of them then the only unknown).
    edits: list[dict[str, Any]] = [
        {},
        {"immediate_danger": "not_sure"},
        {"gestation_weeks_at_birth": None},
        {"mobility_milestones": ["not_sure"]},
        {"diagnosed_bleeding_condition": "not_known"},
    ]
    if answers["marks"]:
        edits.append({"marks": [{**answers["marks"][0], "patterned": "not_sure"}]})
    for protocol in real.values():
        program = compiled(protocol)
        for edit in edits:
            raw = {k: v for k, v in {**answers, **edit}.items() if k in program.takers}
            checked = program.answers_ok(raw)
            if checked is not None:
                _same_one_unknown(protocol, checked[0])


def _read(reader: Any, value: Any) -> Any:
    from bruising_check.engine.answers import AnswerError

    try:
        return ("read", reader(value))
    except AnswerError as exc:
        return ("refused", str(exc))


@pytest.mark.parametrize("least", [0, 1, 2])
def test_a_multiple_choice_reader_reads_as_coerce_whatever_the_least_choices(
    real: dict[str, Protocol], least: int
) -> None:
    """The shortcut reader of a multiple-choice answer (`compiled._plain_answer`) gives what
    `coerce` gives, the empty selection included, with and without a least number of choices
    (and with an unknown option)."""
    from bruising_check.engine.answers import coerce

    baseline = real["national-baseline"]
    for qid in ("injury_red_flags", "mobility_milestones"):
        q: Any = next(q for q in baseline.questions if q.id == qid)
        q = q.model_copy(update={"min_selected": least})
        assert isinstance(q, MultipleChoiceQuestion) and q.min_selected == least
        ids = [o.id for o in q.options]
        for value in ([], (), [ids[0]], [ids[1], ids[0]], ids[:3], [ids[0], ids[0]], ["x"], "a"):
            got = _read(compiled_module._plain_answer(q), value)
            assert got == _read(lambda v, q=q: coerce(q, v), value), (qid, least, value)

"""An earlier version read over this version's answers (`maps_from:`), for `diff` across a
rewrite of the questions (issue 12.1: national baseline 1.0 against 2.0).

The new protocol says, in its own condition language, how each question of the earlier version
is answered from a new answers file (`same`, `when` for a yes/no question, `options` for a
choice question). `read_over` rewrites the earlier version's rules and derived facts over the new
questions: every comparison on an old question becomes the condition its reading gives. The
result is a protocol with the old rules and pathways and the new questions, so the exact
behaviour comparison (`analysis.compare`) runs over one answer space: the new one. Where a
reading is a judgement rather than the same question, its `note` is carried to the report.
Nothing is guessed: a question the old rules read with no reading, an option no reading names
or a reading that does not fit the question's type is a located error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bruising_check.problems import Code, Problem
from bruising_check.protocol.conditions import Condition, comparisons
from bruising_check.protocol.model import (
    BooleanFact,
    BooleanQuestion,
    MultipleChoiceQuestion,
    NumberFact,
    Protocol,
    Question,
    QuestionReading,
    SingleChoiceQuestion,
    VersionReading,
)
from bruising_check.protocol.walk import expr_refs
from bruising_check.protocol.yamlread import Located, Path

NEW_SUFFIX = "__new"
"""Appended to a fact of the new version the readings need whose id the old version also uses."""


@dataclass
class Read:
    """The old version over the new answers, and what the report must say about the reading."""

    protocol: Protocol
    exact: list[str] = field(default_factory=list)
    """Old questions the new version asks with the same id and meaning."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(old question or `question.option`, why its reading is not exact)."""
    not_read: list[tuple[str, str]] = field(default_factory=list)
    """(old question, why no reading is needed)."""
    by_condition: list[str] = field(default_factory=list)
    """Old questions read through a condition over the new answers (`when`, `options`) with
    no `note`: not asked the same, so the report lists them too."""


def reading_for(old: Protocol, new: Protocol) -> tuple[int, VersionReading] | None:
    """The new version's reading of this old version (matched by id and version), if any."""
    for i, r in enumerate(new.maps_from):
        if r.protocol == old.metadata.id and r.version == old.metadata.version:
            return i, r
    return None


def read_questions(old: Protocol) -> set[str]:
    """The old version's questions its rules and derived facts read (advice aside: it never
    decides a pathway)."""
    out: set[str] = set()
    for cond in _deciding_conditions(old):
        out |= {c.question for c in comparisons(cond) if c.question is not None}
    for f in old.derived:
        if isinstance(f, NumberFact):
            out |= {r.question for r in expr_refs(f.value) if r.question is not None}
    return out


def _deciding_conditions(p: Protocol) -> Iterator[Condition]:
    for r in p.rules:
        yield r.when
    for f in p.derived:
        if isinstance(f, BooleanFact):
            yield f.condition
        elif f.applies_if is not None:
            yield f.applies_if


def problems(
    old: Protocol, new: Protocol, index: int, reading: VersionReading, located: Located | None
) -> list[Problem]:
    """Everything wrong with `reading` of `old` (located in the new file)."""
    base: Path = ("maps_from", index)
    out: list[Problem] = []

    def say(code: Code, message: str, path: Path) -> None:
        if located is not None:
            out.append(located.problem(code, message, path))
        else:
            out.append(Problem(code, message, new.metadata.id, path=path))  # pragma: no cover

    given: dict[str, int] = {}
    for j, qr in enumerate(reading.questions):
        where: Path = (*base, "questions", j)
        if qr.id in given:
            say(Code.DUPLICATE_ID, f"{qr.id!r} is read twice", (*where, "id"))
            continue
        given[qr.id] = j
        q = old.question(qr.id)
        if q is None:
            say(
                Code.UNKNOWN_QUESTION,
                f"{old.metadata.id} {old.metadata.version} has no question {qr.id!r}",
                (*where, "id"),
            )
            continue
        for message, path in _fit(q, qr, new):
            say(Code.SCHEMA, message, (*where, *path))
    version = f"{old.metadata.id} {old.metadata.version}"
    for qid in sorted(read_questions(old)):
        at = given.get(qid)
        if at is None:
            say(
                Code.MISSING_KEY,
                f"the rules of {version} read {qid!r}, and `maps_from` gives no reading of it",
                (*base, "questions"),
            )
        elif reading.questions[at].not_read is not None:
            say(
                Code.SCHEMA,
                f"the rules of {version} read {qid!r}: it needs a reading, not `not_read`",
                (*base, "questions", at, "not_read"),
            )
    out += _condition_problems(new, base, reading, located)
    return out


def _fit(q: Question, qr: QuestionReading, new: Protocol) -> Iterator[tuple[str, Path]]:
    """Whether a reading fits the old question's type and options."""
    if qr.not_read is not None:
        return
    theirs = new.question(q.id)
    if qr.same and theirs is not None and _ask_if(theirs) != _ask_if(q):
        # The old rules would read the new question where it is asked: an answer the old
        # version asked for and the new one does not would read as not asked, hiding changes.
        yield (
            f"`same`: {q.id!r} is asked under other conditions (`ask_if`) in this version",
            ("same",),
        )
    elif not qr.same and q.ask_if is not None:
        yield (
            f"{q.id!r} is asked only if its `ask_if` holds; a reading over this version's"
            " answers cannot keep that condition",
            (),
        )
    if qr.same:
        if theirs is None or type(theirs) is not type(q):
            yield f"`same`: this version has no {q.type} question {q.id!r}", ("same",)
        elif isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            assert isinstance(theirs, (SingleChoiceQuestion, MultipleChoiceQuestion))
            ids = {o.id for o in theirs.options}
            lost = [o.id for o in q.options if o.id not in ids]
            if lost:
                yield f"`same`: this version's {q.id!r} has no option {', '.join(lost)}", ("same",)
        return
    if qr.when is not None:
        if not isinstance(q, BooleanQuestion):
            yield f"`when` reads a yes/no question; {q.id!r} is {q.type}", ("when",)
        return
    if not isinstance(q, (SingleChoiceQuestion, MultipleChoiceQuestion)):
        yield f"`options` reads a choice question; {q.id!r} is {q.type}", ("options",)
        return
    options = qr.options or ()
    seen: set[str] = set()
    ids = {o.id for o in q.options}
    for k, o in enumerate(options):
        if o.id not in ids:
            yield f"{q.id!r} has no option {o.id!r}", ("options", k, "id")
        elif o.id in seen:
            yield f"option {o.id!r} is read twice", ("options", k, "id")
        seen.add(o.id)
        last = k == len(options) - 1
        if o.when is None and not (isinstance(q, SingleChoiceQuestion) and last):
            yield (
                f"option {o.id!r} needs `when` (only a single choice's last option may leave it"
                " out: every answer set no earlier option takes)",
                ("options", k),
            )
    missing = [o.id for o in q.options if o.id not in seen and not o.unknown]
    if missing:
        yield (
            f"every option of {q.id!r} needs a reading; none for {', '.join(missing)}",
            ("options",),
        )


def _ask_if(q: Question) -> Any:
    return None if q.ask_if is None else q.ask_if.model_dump(mode="json", exclude_none=True)


def _condition_problems(
    new: Protocol, base: Path, reading: VersionReading, located: Located | None
) -> list[Problem]:
    """The readings' conditions checked as the new version's own conditions are: each is put
    in a copy of the new protocol as a derived fact, and the problems are located back."""
    from bruising_check.protocol.checks_conditions import check_conditions
    from bruising_check.protocol.checks_groups import check_quantifiers

    conds: list[tuple[Path, Condition]] = []
    for j, qr in enumerate(reading.questions):
        if qr.when is not None:
            conds.append(((*base, "questions", j, "when"), qr.when))
        for k, o in enumerate(qr.options or ()):
            if o.when is not None:
                conds.append(((*base, "questions", j, "options", k, "when"), o.when))
    if not conds:
        return []
    start = len(new.derived)
    facts = tuple(
        BooleanFact(
            id=f"reading{n}", label="reading", type="boolean", condition=c, cite=("reading",)
        )
        for n, (_, c) in enumerate(conds)
    )
    probe = new.model_copy(update={"derived": (*new.derived, *facts)})
    real = {("derived", start + n, "condition"): path for n, (path, _) in enumerate(conds)}

    def back(path: Path) -> Path | None:
        for fake, true in real.items():
            if path[:3] == fake:
                return (*true, *path[3:])
        return None

    view = Located({}, located.file if located is not None else new.metadata.id)
    if located is not None:
        for fake, true in real.items():
            for table, mine in ((located.value_at, view.value_at), (located.key_at, view.key_at)):
                for path, pos in table.items():
                    if path[: len(true)] == true:
                        mine[fake + path[len(true) :]] = pos

    found = [*check_conditions(probe, view, dt.date.today())]
    found += check_quantifiers(probe, view, dt.date.today())
    out = []
    for p in found:
        real_path = back(p.path)
        if real_path is not None:
            out.append(Problem(p.code, p.message, p.file, p.line, p.column, real_path, p.hint))
    return out


def read_over(old: Protocol, new: Protocol, reading: VersionReading) -> Read:
    """The old version's rules, facts and pathways over the new version's questions. The
    reading must be free of `problems`."""
    by_id = {qr.id: qr for qr in reading.questions}
    result = Read(protocol=old)
    for qr in reading.questions:
        if qr.same:
            result.exact.append(qr.id)
        if qr.not_read is not None:
            result.not_read.append((qr.id, qr.not_read))
        if qr.note is not None:
            result.notes.append((qr.id, qr.note))
        elif not qr.same and qr.not_read is None:
            result.by_condition.append(qr.id)
        for o in qr.options or ():
            if o.note is not None:
                result.notes.append((f"{qr.id}.{o.id}", o.note))
    old_facts = {f.id for f in old.derived}
    new_data = new.model_dump(mode="json", by_alias=True, exclude_none=True)
    needed = _needed_facts(new, reading)
    new_facts = [f for f in new_data.get("derived", []) if f["id"] in needed]
    old_by_id = {f["id"]: f for f in old.model_dump(mode="json", by_alias=True)["derived"]}
    dumped = {f.id: f.model_dump(mode="json", by_alias=True) for f in new.derived}
    # A fact both versions define alike is one fact (one test for the analysis, not two).
    shared = {fid for fid in needed if fid in old_facts and old_by_id[fid] == dumped[fid]}
    rename = {f: f + NEW_SUFFIX for f in needed if f in old_facts and f not in shared}
    kept_new = [_renamed(f, rename) | {"id": rename.get(f["id"], f["id"])} for f in new_facts]
    readings = {
        qid: _renamed(qr.model_dump(mode="json", by_alias=True, exclude_none=True), rename)
        for qid, qr in by_id.items()
    }
    old_data = old.model_dump(mode="json", by_alias=True, exclude_none=True)
    questions = {q.id: q for q in old.questions}

    def cond(node: Any) -> Any:
        return _rewrite(node, readings, questions)

    derived = []
    for f in old_data.get("derived", []):
        if f["id"] in shared:
            continue
        f = dict(f)
        if "condition" in f:
            f["condition"] = cond(f["condition"])
        if "applies_if" in f:
            f["applies_if"] = cond(f["applies_if"])
        derived.append(f)
    data = {
        **old_data,
        "questions": [
            _only_item_facts(_renamed(q, rename), readings) for q in new_data["questions"]
        ],
        "derived": [*kept_new, *derived],
        "rules": [{**r, "when": cond(r["when"])} for r in old_data["rules"]],
        # Only the rules decide a pathway; advice, invariants and context add nothing here.
        "advice": [],
        "invariants": [],
        "context_prompts": [],
        "approved_deviations": [],
        "overlaps": [],
        "roles": [],
        "maps_from": [],
    }
    result.protocol = Protocol.model_validate(hoisted(data))
    return result


def deciding_only(protocol: Protocol) -> Protocol:
    """The parts of a protocol that decide a pathway: its questions (with only the item facts
    its rules and facts read), facts, rules and pathways. Advice and invariants never change
    the pathway; left in, their conditions only split the space the comparison searches."""
    data = protocol.model_dump(mode="json", by_alias=True, exclude_none=True)
    deciding = [data.get("derived", []), data["rules"]]
    questions = [_only_item_facts(q, deciding) for q in data["questions"]]
    data = {**data, "questions": questions, "advice": [], "invariants": [], "context_prompts": []}
    return Protocol.model_validate(hoisted(data))


TRUE_: Any = "?true"
FALSE_: Any = "?false"


def hoisted(data: dict[str, Any]) -> dict[str, Any]:
    """The same protocol (as data) with no child-level test inside a quantifier's `where`:
    item facts are written out in full, and a quantifier whose `where` reads child-level tests
    c is split over their values, some(W) = (c and some(W[c true])) or (not c and some(W[c
    false])). Equivalent on every answer set; the analysis then tells item kinds apart once,
    not once per combination of child-level values (which multiplies the search)."""
    groups = {q["id"]: q for q in data["questions"] if q.get("type") == "group"}
    item_facts = {
        gid: {f["id"]: f["condition"] for f in g.get("derived", []) if "condition" in f}
        for gid, g in groups.items()
    }
    if not any(item_facts.values()):
        return data
    if any(
        "condition" not in f for g in groups.values() for f in g.get("derived", [])
    ):  # pragma: no cover - a number item fact: left as it is
        return data

    def top(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        for key in ("all", "any"):
            if key in node:
                return {key: [top(x) for x in node[key]]}
        if "not" in node:
            return {"not": top(node["not"])}
        for key in ("some", "every", "count"):
            if key in node:
                return _split(key, node[key], item_facts.get(node[key]["group"], {}))
        return node

    out = dict(data)
    out["questions"] = [
        {**q, "derived": []} if q.get("type") == "group" else q for q in data["questions"]
    ]
    out["rules"] = [{**r, "when": top(r["when"])} for r in data["rules"]]
    derived = []
    for f in data.get("derived", []):
        f = dict(f)
        for key in ("condition", "applies_if"):
            if key in f:
                f[key] = top(f[key])
        derived.append(f)
    out["derived"] = derived
    return out


def _inline(node: Any, facts: dict[str, Any]) -> Any:
    """`item: f` for an item fact f, written as f's condition."""
    if not isinstance(node, dict):
        return node
    for key in ("all", "any"):
        if key in node:
            return {key: [_inline(x, facts) for x in node[key]]}
    if "not" in node:
        return {"not": _inline(node["not"], facts)}
    name = node.get("item")
    if name in facts:
        body = _inline(facts[name], facts)
        ops = {k: v for k, v in node.items() if k != "item"}
        if not ops or ops == {"equals": True}:
            return body
        if ops == {"equals": False}:
            return {"not": body}
        raise ValueError(f"item fact {name}: {ops} is not a yes/no test")  # pragma: no cover
    return node


def _child_tests(node: Any) -> list[Any]:
    if not isinstance(node, dict):
        return []
    for key in ("all", "any"):
        if key in node:
            return [x for part in node[key] for x in _child_tests(part)]
    if "not" in node:
        return _child_tests(node["not"])
    if "question" in node or "fact" in node or {"some", "every", "count"} & set(node):
        return [node]
    return []


def _split(key: str, spec: dict[str, Any], facts: dict[str, Any]) -> Any:
    where = _inline(spec["where"], facts)
    tests: list[Any] = []
    for t in _child_tests(where):
        if t not in tests:
            tests.append(t)
    if not tests:
        return {key: {**spec, "where": where}}
    cases = []
    for values in range(1 << len(tests)):
        picked = {json_key(t): bool(values >> i & 1) for i, t in enumerate(tests)}
        body = _simplified(where, picked)
        if body is TRUE_ or body is FALSE_:
            # A `where` that child-level values alone decide: left as it is (still exact).
            return {key: {**spec, "where": where}}
        guard = [t if picked[json_key(t)] else {"not": t} for t in tests]
        cases.append({"all": [*guard, {key: {**spec, "where": body}}]})
    return {"any": cases}


def json_key(node: Any) -> str:
    import json

    return json.dumps(node, sort_keys=True)


def _simplified(node: Any, picked: dict[str, bool]) -> Any:
    k = json_key(node)
    if k in picked:
        return TRUE_ if picked[k] else FALSE_
    if not isinstance(node, dict):
        return node
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        stop, skip = (FALSE_, TRUE_) if key == "all" else (TRUE_, FALSE_)
        parts = []
        for x in node[key]:
            y = _simplified(x, picked)
            if y is stop:
                return stop
            if y is not skip:
                parts.append(y)
        if not parts:
            return skip
        return parts[0] if len(parts) == 1 else {key: parts}
    if "not" in node:
        inner = _simplified(node["not"], picked)
        if inner is TRUE_:
            return FALSE_
        if inner is FALSE_:
            return TRUE_
        return {"not": inner}
    return node


def _needed_facts(new: Protocol, reading: VersionReading) -> set[str]:
    """The new version's facts that its questions (ask_if, offered_if, item facts) and the
    readings use, with the facts those use."""
    data = [
        new.model_dump(mode="json", by_alias=True, exclude_none=True)["questions"],
        reading.model_dump(mode="json", by_alias=True, exclude_none=True),
    ]
    facts = {f.id: f.model_dump(mode="json", by_alias=True, exclude_none=True) for f in new.derived}
    todo = [fid for d in data for fid in _refs(d, "fact")]
    seen: set[str] = set()
    while todo:
        fid = todo.pop()
        if fid in seen or fid not in facts:
            continue
        seen.add(fid)
        todo += _refs(facts[fid], "fact")
    return seen


def _only_item_facts(question: dict[str, Any], readings: Any) -> dict[str, Any]:
    """A group with only the item facts `readings` use (and those they use): an item fact
    nothing that decides reads would only add tests for the analysis to tell apart."""
    facts = {f["id"]: f for f in question.get("derived", [])}
    if question.get("type") != "group" or not facts:
        return question
    todo = [*_refs(readings, "item"), *_refs(question.get("questions", []), "item")]
    used: set[str] = set()
    while todo:
        fid = todo.pop()
        if fid in used or fid not in facts:
            continue
        used.add(fid)
        todo += _refs(facts[fid], "item")
    return {**question, "derived": [f for f in question["derived"] if f["id"] in used]}


def _refs(node: Any, key: str) -> list[str]:
    """Every id named under `key` (`fact`, `item`) anywhere in `node`."""
    if isinstance(node, dict):
        return [
            x
            for k, v in node.items()
            for x in ([v] if k == key and isinstance(v, str) else _refs(v, key))
        ]
    if isinstance(node, list):
        return [x for v in node for x in _refs(v, key)]
    return []


def _renamed(node: Any, rename: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: rename.get(v, v) if k == "fact" and isinstance(v, str) else _renamed(v, rename)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_renamed(v, rename) for v in node]
    return node


def _rewrite(node: Any, readings: dict[str, Any], questions: dict[str, Question]) -> Any:
    """A condition of the old version (as data) with every old question read from the new
    answers."""
    if not isinstance(node, dict):
        return node
    for key in ("all", "any"):
        if key in node:
            return {key: [_rewrite(x, readings, questions) for x in node[key]]}
    if "not" in node:
        return {"not": _rewrite(node["not"], readings, questions)}
    qid = node.get("question")
    if qid is None:
        return node  # a fact: rewritten where it is defined
    r = readings[qid]
    if r.get("same"):
        return node
    q = questions[qid]
    op, operand = next((k, v) for k, v in node.items() if k != "question")
    if isinstance(q, BooleanQuestion):
        if op not in ("equals", "in"):
            raise ValueError(f"{qid}: `{op}` cannot be read over the new answers")
        yes = r["when"]
        values = operand if op == "in" else [operand]
        return _either([yes if v is True else {"not": yes} for v in values])
    options = [(o["id"], o.get("when")) for o in r["options"]]
    if isinstance(q, SingleChoiceQuestion):
        if op not in ("equals", "in"):
            raise ValueError(f"{qid}: `{op}` cannot be read over the new answers")
        # The first option whose condition holds is the answer.
        exact: dict[str, Any] = {}
        before: list[Any] = []
        for oid, when in options:
            nots = [{"not": b} for b in before]
            exact[oid] = _both([*nots, when] if when is not None else nots)
            if when is not None:
                before.append(when)
        values = operand if op == "in" else [operand]
        return _either([exact[v] for v in values])
    chosen = dict(options)
    if op == "includes_any":
        return _either([chosen[v] for v in operand])
    if op == "includes_all":
        return _both([chosen[v] for v in operand])
    if op == "equals":
        return _both([chosen[v] if v in operand else {"not": chosen[v]} for v in chosen])
    if op == "is_empty":
        some = _either(list(chosen.values()))
        return {"not": some} if operand else some
    raise ValueError(f"{qid}: `{op}` cannot be read over the new answers")


def _either(parts: list[Any]) -> Any:
    """Any of `parts`, with `some` over one group merged: some(A) or some(B) is some(A or B),
    one item predicate for the analysis instead of one per option."""
    flat = [x for p in parts for x in (p["any"] if _is(p, "any") else [p])]
    return _merged(flat, "any", lambda p: p.get("some"), lambda q: {"some": q})


def _both(parts: list[Any]) -> Any:
    """All of `parts`, with negated `some` over one group merged: not some(A) and not some(B)
    is not some(A or B)."""
    if not parts:
        raise ValueError("a single choice's first option needs `when`")
    flat = [x for p in parts for x in (p["all"] if _is(p, "all") else [p])]
    return _merged(
        flat,
        "all",
        lambda p: p["not"].get("some") if _is(p, "not") and isinstance(p["not"], dict) else None,
        lambda q: {"not": {"some": q}},
    )


def _is(node: Any, key: str) -> bool:
    return isinstance(node, dict) and len(node) == 1 and key in node


def _merged(parts: list[Any], key: str, quantified: Any, make: Any) -> Any:
    out: list[Any] = []
    groups: dict[str, int] = {}
    for p in parts:
        q = quantified(p) if isinstance(p, dict) else None
        if q is None or set(q) != {"group", "where"}:
            out.append(p)
            continue
        at = groups.get(q["group"])
        if at is None:
            groups[q["group"]] = len(out)
            out.append(make(dict(q)))
            continue
        merged = quantified(out[at])
        wheres = [
            x for w in (merged["where"], q["where"]) for x in (w["any"] if _is(w, "any") else [w])
        ]
        merged["where"] = {"any": wheres}
    return out[0] if len(out) == 1 else {key: out}

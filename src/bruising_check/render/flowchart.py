"""The protocol as a flowchart: the questions asked, the rules in order (the first match decides),
and the pathways, as a terminal tree, Mermaid or Graphviz DOT.

A `Trace` (from one case's decision) marks the path that case takes: the rules it passed over, the
one that decided, and the pathway. Everything is text over values; the CLI runs Graphviz.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bruising_check import STATEMENT
from bruising_check.engine.decide import Decision
from bruising_check.engine.evaluate import run_pass
from bruising_check.protocol.conditions import UNKNOWN, Truth, evaluate
from bruising_check.protocol.model import Protocol
from bruising_check.render.safe import json_safe, visible
from bruising_check.render.words import (
    NO_PATHWAY_INSTRUCTION,
    OUT_OF_SCOPE_TITLE,
    answer_label,
    condition_text,
)

Step = Literal["ruled_out", "unknown", "decides", "not_reached"]

WIDTH = 100


@dataclass(frozen=True)
class Trace:
    """One case's path: each rule's state, the pathway reached, and the answers as labels."""

    steps: Mapping[str, Step]
    pathway: str | None
    answers: Mapping[str, str]
    advice: tuple[str, ...]
    derived: Mapping[str, Any] = field(default_factory=dict)
    # Of `advice`, those that only may apply (an answer they depend on is not known): never
    # shown as added for certain.
    advice_maybe: tuple[str, ...] = ()
    then: str | None = None
    """The follow-on pathway after a first step (emergency care first, then ...)."""


def trace(protocol: Protocol, decision: Decision) -> Trace:
    # The engine's own environment (answers, facts and each item's facts), three-valued; the
    # rules that decide are the engine's (exact over the unknowns), a first step's follow-on too.
    env: dict[str, Any] = run_pass(protocol, decision.answers, rules=False).env
    deciders = [r.id for r in decision.rules_fired if r.kind in {"decides", "then"}]
    steps: dict[str, Step] = {}
    decided = False
    for rule in protocol.rules:
        if decided:
            steps[rule.id] = "not_reached"
            continue
        truth = evaluate(rule.when, env)
        if rule.id in deciders or (not deciders and truth is Truth.TRUE):
            steps[rule.id] = "decides"
            # A first step (emergency care first) is followed by what the rules below decide.
            decided = rule.then is None
        else:
            steps[rule.id] = "unknown" if truth is not Truth.FALSE else "ruled_out"
    answers: dict[str, str] = {}
    for q in protocol.questions:
        if any(s.question == q.id for s in decision.not_asked):
            answers[q.id] = "(not asked)"
        elif q.id in decision.unanswered:
            answers[q.id] = "(not known)"
        else:
            value = decision.answers.get(q.id)
            if value is not None and value is not UNKNOWN:
                answers[q.id] = answer_label(q, value)
    return Trace(
        steps=steps,
        pathway=decision.pathway.id if decision.pathway else None,
        then=decision.then.id if decision.then else None,
        answers=answers,
        advice=tuple(r.id for r in decision.rules_fired if r.kind == "advice"),
        derived=dict(decision.derived),
        advice_maybe=tuple(
            r.id for r in decision.rules_fired if r.kind == "advice" and not r.certain
        ),
    )


def advice_mark(path: Trace | None, advice_id: str) -> str | None:
    """How a highlighted case's advice is marked: "added", "may apply", or None (not added)."""
    if path is None or advice_id not in path.advice:
        return None
    return "may apply" if advice_id in path.advice_maybe else "added"


def _asked(protocol: Protocol, path: Trace | None) -> list[str]:
    """`n. question_id`, with the case's answer when a path is highlighted."""
    out = []
    for n, q in enumerate(protocol.questions, 1):
        shown = path.answers.get(q.id) if path is not None else None
        out.append(f"{n}. {q.id}" + (f": {shown}" if shown else ""))
    return out


def _title(protocol: Protocol) -> str:
    m = protocol.metadata
    return f"{m.title} (version {m.version}, {m.status})"


# --- terminal tree ---------------------------------------------------------------------------

_MARK: dict[Step, str] = {
    "ruled_out": "✗ no",
    "unknown": "? not known",
    "decides": "✔ DECIDES",
    "not_reached": "· not reached",
}


def _wrapped(text: str, first: str, rest: str) -> Iterator[str]:
    yield from textwrap.wrap(
        " ".join(text.split()),
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
    ) or [first]


def tree(protocol: Protocol, path: Trace | None = None) -> str:
    """A flowchart for the terminal: plain text, so it pastes anywhere and shows text literally."""
    return visible("\n".join(_tree_lines(protocol, path)) + "\n")


def _tree_lines(protocol: Protocol, path: Trace | None) -> Iterator[str]:
    yield from _wrapped(_title(protocol), "", "  ")
    if path is not None:
        where = (path.pathway or "no pathway") + (f", then {path.then}" if path.then else "")
        yield f"Highlighted: the path of one case (✔ decides, ✗ ruled out) → {where}"
    yield ""
    yield "1. QUESTIONS (asked in this order)"
    for n, q in enumerate(protocol.questions, 1):
        lead = f"   {n:>2}. {q.id}"
        yield from _wrapped(q.prompt, f"{lead}: ", " " * 8)
        if q.ask_if is not None:
            yield from _wrapped(
                "asked only if " + condition_text(protocol, q.ask_if), " " * 8, " " * 10
            )
        if path is not None and q.id in path.answers:
            yield from _wrapped(path.answers[q.id], " " * 8 + "» ", " " * 10)
    yield ""
    yield "2. RULES (checked in order; the first that matches decides the pathway)"
    pathways = {p.id: p for p in protocol.pathways}
    for rule in protocol.rules:
        state = path.steps.get(rule.id) if path is not None else None
        mark = f"  [{_MARK[state]}]" if state else ""
        contested = "  (contested)" if rule.contested else ""
        yield f"   ┌ {rule.id}{contested}{mark}"
        yield from _wrapped("if " + condition_text(protocol, rule.when), "   │ ", "   │    ")
        pw = pathways.get(rule.pathway)
        target = f"[{pw.urgency}] {pw.title}" if pw else rule.pathway
        arrow = "══▶" if state == "decides" else "──▶"
        yield from _wrapped(target, f"   ├─ yes {arrow} ", " " * 13)
        if rule.then is not None:
            yield from _wrapped(
                "what follows: the first rule below that matches (never another first step)",
                "   │      then ↓ ",
                "   │" + " " * 12,
            )
        yield "   │ no"
    yield f"   └─▶ no rule matched: {NO_PATHWAY_INSTRUCTION}"
    yield ""
    yield "3. PATHWAYS (most urgent first)"
    for pw in sorted(protocol.pathways, key=lambda p: p.urgency):
        here = "  ◀ this case" if path is not None and pw.id in (path.pathway, path.then) else ""
        yield from _wrapped(f"[{pw.urgency}] {pw.title}{here}", "   ", "       ")
        yield f"       id: {pw.id}; timescale: {pw.timescale.label}"
        if pw.level == "out_of_scope":
            yield f"       {OUT_OF_SCOPE_TITLE}: its actions say what to do instead"
    if protocol.advice:
        yield ""
        yield "4. ADVICE (added whenever it matches; never changes the pathway)"
        for adv in protocol.advice:
            how = advice_mark(path, adv.id)
            fired = {
                None: "",
                "added": "  [✔ added]",
                "may apply": "  [may apply: an answer it depends on is not known]",
            }[how]
            yield from _wrapped(
                "if " + condition_text(protocol, adv.when), f"   {adv.id}{fired} ", "       "
            )
    yield ""
    yield from _wrapped(STATEMENT, "", "")


# --- Mermaid ---------------------------------------------------------------------------------


def _mm(text: str) -> str:
    """Text inside a quoted Mermaid label, shown literally (entity codes for its syntax)."""
    out = []
    for ch in visible(" ".join(text.split())):
        if ch in '"#<>&`[]{}|;':
            out.append(f"#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


def _mm_lines(text: str, width: int = 44) -> str:
    return "<br/>".join(_mm(line) for line in textwrap.wrap(text, width) or [""])


def mermaid(protocol: Protocol, path: Trace | None = None) -> str:
    # The front matter is YAML: a JSON string is valid YAML and keeps colons in titles literal.
    lines = ["---", f"title: {json_safe(json.dumps(_title(protocol), ensure_ascii=False))}", "---"]
    lines.append("flowchart TD")
    body = "<br/>".join(_mm_lines(a, 60) for a in _asked(protocol, path))
    lines.append(f'    questions["Questions asked<br/>{body}"]')
    previous = "questions"
    label = ""
    first_step: str | None = None  # a first step's pathway, waiting for the next check
    for rule in protocol.rules:
        node = f"rule_{rule.id}"
        text = f"{rule.id}: " + condition_text(protocol, rule.when)
        lines.append(f'    {node}{{"{_mm_lines(text)}"}}')
        lines.append(f"    {previous} -->{label} {node}")
        if first_step is not None:
            lines.append(f"    {first_step} -.->|then| {node}")
        lines.append(f"    {node} -->|yes| pathway_{rule.pathway}")
        first_step = f"pathway_{rule.pathway}" if rule.then is not None else None
        previous, label = node, "|no|"
    lines.append('    unmatched["No rule matched: follow the local procedure"]')
    lines.append(f"    {previous} -->{label} unmatched")
    if first_step is not None:
        lines.append(f"    {first_step} -.->|then| unmatched")
    for pw in sorted(protocol.pathways, key=lambda p: p.urgency):
        text = f"{pw.urgency}. {pw.title} ({pw.timescale.label})"
        lines.append(f'    pathway_{pw.id}["{_mm_lines(text)}"]')
    lines.append(f'    statement["{_mm_lines(STATEMENT)}"]')
    lines.append("    classDef pathway fill:#eef4ff,stroke:#3355aa")
    lines.append("    classDef note fill:#ffffff,stroke:#ffffff,font-size:11px")
    lines.append("    class statement note")
    lines.append("    class " + ",".join(f"pathway_{p.id}" for p in protocol.pathways) + " pathway")
    if path is not None:
        lines.append("    classDef onpath fill:#ffe9a8,stroke:#b00000,stroke-width:3px")
        lines.append("    classDef faded opacity:0.45")
        on = ["questions"] + [f"rule_{r}" for r, s in path.steps.items() if s != "not_reached"]
        on += [f"pathway_{p}" for p in (path.pathway, path.then) if p]
        off = [f"rule_{r}" for r, s in path.steps.items() if s == "not_reached"]
        lines.append("    class " + ",".join(on) + " onpath")
        if off:
            lines.append("    class " + ",".join(off) + " faded")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT ----------------------------------------------------------------------------


def _dq(text: str) -> str:
    """Text inside a DOT double-quoted string, shown literally."""
    return visible(" ".join(text.split())).replace("\\", "\\\\").replace('"', '\\"')


def _dot_lines(text: str, width: int = 44, end: str = "") -> str:
    """Wrapped lines: centred (`\\n` between) or, with `end="\\l"`, left-aligned."""
    lines = [_dq(line) for line in textwrap.wrap(text, width) or [""]]
    return (end + "    ").join(lines) + end if end else "\\n".join(lines)


def dot(protocol: Protocol, path: Trace | None = None) -> str:
    red = 'color="#b00000", penwidth=3'
    out = [
        "digraph protocol {",
        f'  graph [label="{_dq(_title(protocol))}", labelloc=t, fontname="DejaVu Sans",'
        " rankdir=TB, nodesep=0.4];",
        '  node [fontname="DejaVu Sans", fontsize=10, shape=box, style=rounded];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
    ]
    label = "Questions asked\\l" + "".join(_dot_lines(a, 60, "\\l") for a in _asked(protocol, path))
    on_path = path is not None
    out.append(f'  questions [shape=note, label="{label}"{", " + red if on_path else ""}];')
    previous, first = "questions", True
    first_step: str | None = None  # a first step's pathway, waiting for the next check
    for rule in protocol.rules:
        state = path.steps.get(rule.id) if path is not None else None
        node = f'"rule_{rule.id}"'
        text = f"{rule.id}: " + condition_text(protocol, rule.when)
        style = {
            "decides": f', style="rounded,filled", fillcolor="#ffe9a8", {red}',
            "ruled_out": f", {red}",
            "unknown": f', style="rounded,dashed", {red}',
            "not_reached": ', color="#aaaaaa", fontcolor="#888888"',
        }.get(state or "", "")
        out.append(f'  {node} [label="{_dot_lines(text)}"{style}];')
        out.append(_edge(previous, node, None if first else "no", path, state != "not_reached"))
        if first_step is not None:
            out.append(_then(first_step, node))
        out.append(_edge(node, f'"pathway_{rule.pathway}"', "yes", path, state == "decides"))
        first_step = f'"pathway_{rule.pathway}"' if rule.then is not None else None
        previous, first = node, False
    walked = path is not None and "decides" not in path.steps.values()
    grey = ', color="#aaaaaa", fontcolor="#888888"' if path is not None and not walked else ""
    out.append(f'  unmatched [label="No rule matched:\\nfollow the local procedure"{grey}];')
    out.append(_edge(previous, "unmatched", "no", path, walked))
    if first_step is not None:
        out.append(_then(first_step, "unmatched"))
    for pw in sorted(protocol.pathways, key=lambda p: p.urgency):
        text = f"{pw.urgency}. {pw.title} ({pw.timescale.label})"
        reached = path is not None and pw.id in (path.pathway, path.then)
        fill = "#ffe9a8" if reached else "#eef4ff"
        extra = f", {red}" if reached else ""
        out.append(
            f'  "pathway_{pw.id}" [label="{_dot_lines(text)}", style="rounded,filled",'
            f' fillcolor="{fill}"{extra}];'
        )
    out.append("  { rank=sink; " + " ".join(f'"pathway_{p.id}";' for p in protocol.pathways) + " }")
    out.append(f'  statement [shape=plaintext, fontsize=9, label="{_dot_lines(STATEMENT, 80)}"];')
    out.append("}")
    return "\n".join(out) + "\n"


def _then(a: str, b: str) -> str:
    """After a first step (emergency care first), the rules below still decide what follows."""
    return f'  {a} -> {b} [label="then", style=dashed, constraint=false];'


def _edge(a: str, b: str, label: str | None, path: Trace | None, walked: bool) -> str:
    attrs = [f'label="{label}"'] if label else []
    if label == "no":
        attrs.append("weight=8")  # keeps the chain of rules in one straight column
    if path is not None:
        attrs.append('color="#b00000", penwidth=3' if walked else 'color="#aaaaaa"')
    return f"  {a} -> {b}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";"

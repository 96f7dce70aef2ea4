"""`demo` and `quiz` for trainers (issue 6): the terminal side of `bruising_check.training.demo` and
`bruising_check.training.quiz`. Registered by `cli.training`, whose printing helpers they share."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bruising_check import STATEMENT
from bruising_check.cli import app, fail
from bruising_check.cli.common import load_or_exit, print_problems, read_bytes
from bruising_check.cli.training import _say, _write

if TYPE_CHECKING:
    from bruising_check.protocol.model import Protocol
    from bruising_check.training.scenarios import Loaded as LoadedScenarios


def _resolve_scenarios(file: Path) -> Path:
    """A path, or the name of a bundled scenario file (`baseline-rules`), so that an installed
    tool can run the shipped exercises without a checkout."""
    from bruising_check.protocol.bundled import protocols_dir

    if file.exists():
        return file
    bundled = protocols_dir() / "scenarios" / file.with_suffix(".yaml").name
    return bundled if bundled.is_file() and file.parent == Path() else file


def _load_cases(protocol: Protocol, file: Path) -> tuple[LoadedScenarios, list[dict[str, Any]]]:
    """The scenario file and each case's checked answers; exit 2 if unreadable, 1 if a case's
    answers do not fit the protocol."""
    from bruising_check.engine.answers import check_answers
    from bruising_check.training import scenarios as sc

    file = _resolve_scenarios(file)
    data = sc.load_scenarios(read_bytes(file), str(file))
    if data.scenarios is None or data.located is None:
        print_problems(list(data.problems))
        fail(f"{file}: cannot use this scenario file", 2)
    answers = []
    for i in range(len(data.scenarios.cases)):
        checked = check_answers(protocol, sc.sub_located(data.located, ("cases", i, "answers")))
        if not checked.ok:
            print_problems([x for x in checked.problems if x.severity == "error"])
            fail(f"{file}: case {data.scenarios.cases[i].id} does not fit this protocol", 1)
        answers.append(checked.answers)
    return data, answers


def _rule_title(protocol: Protocol, rid: str) -> str:
    rule = next(r for r in protocol.rules if r.id == rid)
    pw = protocol.pathway(rule.pathway)
    return f"{rid} ({pw.title if pw else rule.pathway})"


@app.command()
def demo(
    protocol: Annotated[
        str | None,
        typer.Argument(help="Protocol file or bundled id (default: the national baseline)."),
    ] = None,
    scenario: Annotated[
        str, typer.Option(help="FILE#ID: the scenario file and the id of the case to step through.")
    ] = "",
    pause: Annotated[
        bool, typer.Option("--pause/--no-pause", help="Wait for Enter after each answer.")
    ] = True,
) -> None:
    """Step through a case answer by answer: why each question is asked, what each answer
    changes, and which rule decides."""
    from bruising_check.protocol.model import TextQuestion
    from bruising_check.render.words import condition_text
    from bruising_check.training.demo import walk

    file, _, case_id = scenario.rpartition("#")
    if not file or not case_id:
        fail(
            "Give the case as --scenario FILE#ID,"
            " e.g. protocols/scenarios/baseline-rules.yaml#BL-R01",
            2,
        )
    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    p = loaded.protocol
    data, answers = _load_cases(p, Path(file))
    assert data.scenarios is not None
    ids = [c.id for c in data.scenarios.cases]
    if case_id not in ids:
        fail(f"{file}: no case {case_id!r} (cases: {', '.join(ids)})", 2)
    index = ids.index(case_id)
    case = data.scenarios.cases[index]
    steps, end = walk(p, answers[index])

    _say(f"DEMO  {case.id}: {case.title}", bold=True)
    _say(f"Protocol: {p.metadata.title} (version {p.metadata.version})")
    _say()
    _say(case.narrative)
    _say()
    _say("The rules are checked in order; the first that matches decides the pathway.")
    waiting, announced = pause, False
    for step in steps:
        question = p.question(step.question)
        blank_text = (
            isinstance(question, TextQuestion) and step.answer == "(not known)" and not step.facts
        )
        if not step.asked or blank_text:  # nothing to teach: one line, no pause
            why = "not asked for this child" if not step.asked else "left blank (optional text)"
            _say(f"[{step.number}/{len(steps)}] {step.question}: {why}", dim=True)
            continue
        _say()
        _say(f"[{step.number}/{len(steps)}] {step.prompt}", bold=True)
        if step.why:
            _say(f"  Why we ask: {step.why}")
        _say(f"  Answer: {step.answer}", fg="cyan")
        changes = [f"  Worked out: {fact}" for fact in step.facts]
        changes += [f"  Ruled out: {_rule_title(p, r)}" for r in step.ruled_out]
        changes += [f"  Now holds: {_rule_title(p, r)}" for r in step.now_true]
        if step.decided and not announced:
            announced = True
            changes.append(
                f"  Decided: every earlier rule is ruled out, so {step.decided} decides."
            )
        for line in changes or ["  (this answer changes nothing yet)"]:
            _say(line)
        if waiting:
            typer.echo("  -- Enter to continue, q to stop --", nl=False)
            reply = sys.stdin.readline()
            if not sys.stdin.isatty():  # a terminal echoes the Enter itself
                typer.echo()
            if reply == "":
                waiting = False  # end of input: run to the end rather than hang
            elif reply.strip().lower() == "q":
                _say("Stopped.")
                return
    _say()
    pw = end.decision.pathway
    _say("RESULT", bold=True)
    if pw is None:
        _say("No rule matched: follow the local procedure and discuss with your safeguarding lead.")
    else:
        _say(f"Pathway: {pw.title} ({pw.timescale.label})", bold=True)
    if end.rule:
        rule = next(r for r in p.rules if r.id == end.rule)
        _say(f"Decided by rule {end.rule}: {end.because}")
        _say(f"  When: {condition_text(p, rule.when)}")
    for s in end.sources:
        _say(f"  [{s.id}] {s.title}" + (f" {s.url}" if s.url else ""))
    if end.advice:
        _say("Advice added (never changes the pathway):")
        for aid, because in end.advice:
            _say(f"  {aid}: {because}")
    expected = case.expect.outcome
    if pw is not None and pw.id != expected:
        _say(f"Note: the scenario file expects {expected}; the protocol gives {pw.id}.", fg="red")
    _say()
    _say(STATEMENT)


@app.command()
def quiz(
    protocol: Annotated[
        str | None,
        typer.Argument(help="Protocol file or bundled id (default: the national baseline)."),
    ] = None,
    scenarios: Annotated[Path | None, typer.Option(help="The scenario file to quiz on.")] = None,
    actions: Annotated[bool, typer.Option(help="Also choose the actions for each case.")] = False,
    summary: Annotated[
        Path | None,
        typer.Option(help="Save a printable PDF result sheet here (watermarked as training)."),
    ] = None,
) -> None:
    """Quiz: read each case, choose the pathway (and optionally the actions), get the rule and
    its sources as feedback, and a score at the end."""
    from bruising_check.render import quiz_pdf
    from bruising_check.training import quiz as qz

    if scenarios is None:
        fail(
            "Give the cases with --scenarios FILE"
            " (for example protocols/scenarios/baseline-rules.yaml)",
            2,
        )
    if summary is not None and summary.exists():
        fail(f"{summary}: already exists; nothing was overwritten. Choose another name.", 2)
    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    p = loaded.protocol
    data, answers = _load_cases(p, scenarios)
    assert data.scenarios is not None
    from bruising_check.engine.decide import decide
    from bruising_check.render.words import subject_name
    from bruising_check.training.demo import answer_text

    pathways = qz.pathway_choices(p)
    every_action = qz.action_choices(p)
    results: list[qz.Feedback] = []
    _say(f"QUIZ  {len(data.scenarios.cases)} cases from {scenarios}", bold=True)
    _say(f"Protocol: {p.metadata.title} (version {p.metadata.version})")
    for n, (case, given) in enumerate(zip(data.scenarios.cases, answers, strict=True), 1):
        decision = decide(p, given)
        if decision.pathway is None:
            continue
        item = qz.Item(case.id, case.title, case.narrative, case.why, decision)
        _say()
        _say(f"Case {n} of {len(data.scenarios.cases)}", bold=True)
        _say(case.narrative)
        _say("What you know:")
        for q in p.questions:
            if q.id in given:
                _say(f"  - {subject_name(p, q.id)}: {answer_text(q, given[q.id])}")
        _say("Which pathway does the protocol give?")
        for i, pw in enumerate(pathways, 1):
            _say(f"  {i}. {pw.title}")
        choice = _ask_number("Your answer", len(pathways))
        if choice is None:
            break
        chosen_actions = None
        if actions:
            _say("Which actions are due? (numbers separated by commas; Enter for none)")
            for i, a in enumerate(every_action, 1):
                _say(f"  {i}. {a.text}")
            picked = _ask_numbers("Your actions", len(every_action))
            if picked is None:
                break
            chosen_actions = [every_action[i - 1].id for i in picked]
        fb = qz.grade(p, item, pathways[choice - 1].id, chosen_actions)
        results.append(fb)
        _feedback(p, fb, every_action)
    if not results:
        _say("No answers given; no score.")
        raise typer.Exit(0)
    _say()
    for line in qz.summary_lines(p, results):
        _say(line)
    if summary is not None:
        _write(
            summary, quiz_pdf.summary_pdf(p, results, dt.datetime.now().astimezone()), binary=True
        )


def _feedback(p: Protocol, fb: Any, every_action: list[Any]) -> None:
    if fb.pathway_correct:
        _say("Right.", fg="green", bold=True)
    else:
        _say(
            f"Not this time: the protocol gives \u201c{fb.expected.title}\u201d.",
            fg="red",
            bold=True,
        )
    if fb.rule:
        _say(f"Rule {fb.rule}: {fb.because}")
    for sid, title, url in fb.sources:
        _say(f"  [{sid}] {title}" + (f" {url}" if url else ""))
    if fb.item.why:
        _say(f"Trainer's note: {fb.item.why}")
    if fb.actions_asked:
        text = {a.id: a.text for a in every_action}
        if fb.actions_correct:
            _say("Actions: all right.", fg="green")
        for aid in fb.actions_missed:
            _say(f"  Missed: {text.get(aid, aid)}")
        for aid in fb.actions_extra:
            _say(f"  Not called for here: {text.get(aid, aid)}")


def _read_line(label: str) -> str | None:
    typer.echo(f"{label}: ", nl=False)
    line = sys.stdin.readline()
    if line == "":
        typer.echo()
        return None
    return line.strip()


def _ask_number(label: str, top: int) -> int | None:
    from bruising_check.engine.replies import choice_number

    while True:
        reply = _read_line(f"{label} (1-{top}, q to stop)")
        if reply is None or reply.lower() == "q":
            return None
        number = choice_number(reply, top)
        if number is not None:
            return number
        typer.echo(f"Type a number from 1 to {top}.")


def _ask_numbers(label: str, top: int) -> list[int] | None:
    from bruising_check.engine.replies import choice_number

    while True:
        reply = _read_line(f"{label} (e.g. 1,3,5; q to stop)")
        if reply is None or reply.lower() == "q":
            return None
        parts = [x.strip() for x in reply.replace(" ", ",").split(",") if x.strip()]
        numbers = [choice_number(x, top) for x in parts]
        if all(n is not None for n in numbers):
            return sorted({n for n in numbers if n is not None})
        typer.echo(f"Type numbers from 1 to {top}, separated by commas.")

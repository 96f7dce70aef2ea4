"""`demo` and `quiz` for trainers (issue 6): the terminal side of `bruising_check.training.demo` and
`bruising_check.training.quiz`. Registered by `cli.training`, whose printing helpers they share."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import Plain, load_or_exit, print_problems, read_bytes, save_new
from bruising_check.cli.training import _say, _write, use_plain

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


def _load_checked(protocol: Protocol, file: Path) -> tuple[LoadedScenarios, list[Any]]:
    """The scenario file and each case's checked answers and context answers; exit 2 if
    unreadable, 1 if a case's answers do not fit the protocol."""
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
        answers.append(checked)
    return data, answers


@app.command()
def demo(
    ctx: typer.Context,
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
    slides: Annotated[
        Path | None,
        typer.Option(
            help="Write the walk-through as HTML slides here instead (one step a page, arrow"
            " keys, works offline; a new file)."
        ),
    ] = None,
    plain: Plain = False,
) -> None:
    """Step through a case answer by answer: why each question is asked, what each answer
    changes, and which rule decides; then the check's own result for the case."""
    use_plain(plain, ctx)
    from bruising_check.cli.guided import clock
    from bruising_check.records.record import build_record
    from bruising_check.render import demo_slides as ds
    from bruising_check.training.demo import mark_parts, walk

    file, _, case_id = scenario.rpartition("#")
    if not file or not case_id:
        fail(
            "Give the case as --scenario FILE#ID,"
            " e.g. protocols/scenarios/baseline-rules.yaml#BL-R01",
            2,
        )
    if slides is not None and (slides.exists() or slides.is_symlink()):
        fail(f"{slides}: already exists; nothing was overwritten. Choose another name.", 2)
    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    p = loaded.protocol
    data, checked = _load_checked(p, Path(file))
    assert data.scenarios is not None
    ids = [c.id for c in data.scenarios.cases]
    if case_id not in ids:
        fail(f"{file}: no case {case_id!r} (cases: {', '.join(ids)})", 2)
    index = ids.index(case_id)
    case = data.scenarios.cases[index]
    steps, end = walk(p, checked[index].answers, checked[index].context)
    record = build_record(
        p, loaded.sha256, end.decision, created_at=clock()(), context=checked[index].context
    )
    parts = mark_parts(p, end.decision.answers)
    if slides is not None:
        html = ds.slides_html(p, case.id, case.title, case.narrative, steps, end, record, parts)
        save_new(slides, html.encode("utf-8"))
        return

    _say(f"DEMO  {case.id}: {case.title}", bold=True)
    _say(f"Protocol: {p.metadata.title} (version {p.metadata.version})")
    _say()
    _say(case.narrative)
    _say()
    _say("The rules are checked in order; the first that matches decides the pathway.")
    waiting, announced = pause, False
    for step in steps:
        quiet = ds.quiet(p, step)
        if quiet is not None:  # nothing to teach: one line, no pause
            _say(f"[{step.number}/{len(steps)}] {ds.quiet_line(step, quiet)}", dim=True)
            continue
        _say()
        _say(f"[{step.number}/{len(steps)}] {step.prompt}", bold=True)
        if step.why:
            _say(f"  Why we ask: {step.why}")
        _say(f"  Answer: {step.answer}", fg="cyan")
        for line in ds.changes(p, step, announce=bool(step.decided and not announced)):
            _say(f"  {line}")
        announced = announced or bool(step.decided)
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
    _result(p, end, record, parts)
    expected = case.expect.outcome
    pw = end.decision.pathway
    if pw is not None and pw.id != expected:
        _say(f"Note: the scenario file expects {expected}; the protocol gives {pw.id}.", fg="red")


def _result(p: Protocol, end: Any, record: Any, parts: Any) -> None:
    """The demo's result: which rule decided and when it applies (in words), a contested rule's
    note, then the check's own rationale document for this case (pathway, action checklist,
    reasons with sources, what was not known, the marks, the family context), then each mark's
    part in the decision."""
    from bruising_check.render import demo_slides as ds
    from bruising_check.render import rationale
    from bruising_check.render.blocks import Document
    from bruising_check.render.plain import text_lines

    _say()
    _say("RESULT", bold=True)
    for text, kind in ds.decided_lines(p, end):
        _say(text, fg="yellow" if kind == "warning" else None)
    _say(ds.family_line(end))
    doc = rationale.document(record)
    shown = Document(doc.title, doc.running_head, ds.result_sections(record, end.from_family))
    banner = False
    for line in text_lines(shown, screen=True, width=96):
        if line.startswith("*" * 10):
            banner = not banner
            continue
        if line.startswith("---") and set(line) == {"-"}:
            continue
        heading = line.isupper() and line.strip() and not line.startswith("[")
        _say(line, wrap=False, bold=bool(banner or heading), reverse=banner or None)
    if parts:
        _say()
        _say("EACH MARK'S PART IN THE DECISION", bold=True)
        for part in parts:
            first, *rest = ds.part_lines(part)
            _say(f"  {first}")
            for line in rest:
                _say(f"    {line}")


@app.command()
def quiz(
    ctx: typer.Context,
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
    save: Annotated[
        Path | None,
        typer.Option(help="Save the results as JSON here (new file, readable only by you)."),
    ] = None,
    review: Annotated[
        list[Path] | None,
        typer.Option(help="Replay a finished quiz saved with --save (repeat for several)."),
    ] = None,
    pause: Annotated[
        bool, typer.Option("--pause/--no-pause", help="Wait for Enter after each case.")
    ] = True,
    plain: Plain = False,
) -> None:
    """Quiz that tests judgement: read each case, answer the protocol's own questions about it,
    choose the pathway (and optionally the actions); feedback compares your reading with the
    scenario's and shows where it changes the pathway; a result sheet at the end."""
    use_plain(plain, ctx)
    for target in (summary, save):
        if target is not None and (target.exists() or target.is_symlink()):
            fail(f"{target}: already exists; nothing was overwritten. Choose another name.", 2)
    if review:
        _review(review, summary, pause)
        return
    if scenarios is None:
        fail(
            "Give the cases with --scenarios FILE"
            " (for example protocols/scenarios/baseline-rules.yaml), or --review RESULTS.json",
            2,
        )
    from bruising_check.training import quiz as qz

    loaded = load_or_exit(protocol)
    assert loaded.protocol is not None
    p = loaded.protocol
    data, checked = _load_checked(p, scenarios)
    assert data.scenarios is not None
    from bruising_check.engine.decide import decide

    pathways = qz.pathway_choices(p)
    every_action = qz.action_choices(p)
    results: list[qz.Feedback] = []
    total = len(data.scenarios.cases)
    _say(f"QUIZ  {total} cases from {scenarios}", bold=True)
    _say(f"Protocol: {p.metadata.title} (version {p.metadata.version})")
    _say(
        "Read each case, then answer the protocol's questions as you read it (Enter on its own"
        " for not sure where that is offered, ? for why a question is asked, q to stop)."
    )
    waiting = pause
    for n, (sc_case, given) in enumerate(zip(data.scenarios.cases, checked, strict=True), 1):
        # The family context adds actions (never a pathway), so the answer key has them.
        decision = decide(p, given.answers, context=given.context)
        if decision.pathway is None:
            continue
        case = qz.Case(
            sc_case.id,
            sc_case.title,
            sc_case.narrative,
            sc_case.why,
            given.answers,
            decision,
            given.context,
        )
        fb = _one_case(p, case, n, total, pathways, every_action, ask_actions=actions)
        if fb is None:
            break
        results.append(fb)
        _feedback(fb)
        if sc_case.expect.outcome != fb.expected.id:
            # The protocol is the answer key; a scenario file out of date must not teach.
            _say(
                f"Note for the trainer: the scenario file expects {sc_case.expect.outcome};"
                f" the protocol gives {fb.expected.id}, and that is the answer used.",
                fg="red",
            )
        if n < total and waiting:
            reply = _wait("  -- Enter for the next case, q to stop --")
            if reply is None:
                waiting = False
            elif reply.lower() == "q":
                break
    if not results:
        _say("No answers given; no score.")
        raise typer.Exit(0)
    from bruising_check.cli.guided import clock

    when = clock()()
    done = qz.result(p, loaded.sha256, str(scenarios), results, when)
    _say()
    for line in qz.summary_lines([done]):
        _say(line)
    _keep(done, save, summary, [])


def _keep(done: Any, save: Path | None, summary: Path | None, names: list[str]) -> None:
    from bruising_check.render import quiz_pdf
    from bruising_check.render.safe import json_safe
    from bruising_check.training import quiz as qz

    if save is not None:
        # Terminal controls JSON leaves raw (C1, bidi) as \u escapes: the same text once parsed,
        # and a file `--review` reads back (YAML refuses them raw).
        save_new(save, json_safe(qz.to_json(done)).encode("utf-8"))
    if summary is not None:
        results = done if isinstance(done, list) else [done]
        _write(summary, quiz_pdf.summary_pdf(results, names), binary=True)


def _review(files: list[Path], summary: Path | None, pause: bool) -> None:
    """Replay saved quizzes case by case, then one result sheet over all of them."""
    from bruising_check.render.words import moment_text
    from bruising_check.training import quiz as qz

    results = []
    for file in files:
        done, problems = qz.load_result(read_bytes(file), str(file))
        if done is None:
            print_problems(list(problems))
            fail(f"{file}: not a quiz saved with --save", 2)
        results.append(done)
    waiting = pause
    for file, done in zip(files, results, strict=True):
        _say(f"REVIEW  {file}", bold=True)
        _say(done.watermark)
        _say(
            f"Quiz on: {done.protocol.title} (version {done.protocol.version}),"
            f" {len(done.cases)} cases from {done.scenarios}, taken {moment_text(done.taken_at)}"
        )
        for n, fb in enumerate(done.cases, 1):
            _say()
            _say(f"Case {n} of {len(done.cases)}: {fb.case_id}", bold=True)
            _say(fb.narrative)
            _feedback(fb)
            if waiting and (n < len(done.cases) or file != files[-1]):
                reply = _wait("  -- Enter for the next case, q to go to the result sheet --")
                if reply is None:
                    waiting = False
                elif reply.lower() == "q":
                    waiting = False
                    break
        _say()
    names = [str(f) for f in files]
    for line in qz.summary_lines(results, names):
        _say(line)
    if summary is not None:
        _keep(results, None, summary, names)


def _one_case(
    p: Protocol,
    case: Any,
    n: int,
    total: int,
    pathways: list[Any],
    every_action: list[Any],
    *,
    ask_actions: bool,
) -> Any:
    """Ask one case: its questions, the pathway, the actions; its feedback, or None to stop."""
    from bruising_check.training import quiz as qz

    _say()
    _say(f"Case {n} of {total}", bold=True)
    _say(case.narrative)
    facts = qz.given(p, case.answers)
    if facts:
        _say("You also know:")
        for what, answer in facts:
            _say(f"  - {what}: {answer}")
    context = qz.family(p, case.context)
    if context:
        _say("About the family (never changes the pathway; may add actions):")
        for what, answer in context:
            _say(f"  - {what}: {answer}")
    reading: dict[str, Any] = {}
    asked: list[tuple[Any, Any]] = []
    for ask in qz.asks(p, case.answers, reading):
        value = _ask_question(ask)
        if value is _STOP:
            return None
        reading[ask.path] = value
        asked.append((ask, value))
    _say()
    _say("Which pathway does the protocol give?", bold=True)
    for i, pw in enumerate(pathways, 1):
        _say(f"  {i}. {pw.title}")
    choice = _ask_number("Your answer", len(pathways))
    if choice is None:
        return None
    chosen_actions = None
    if ask_actions:
        _say("Which actions are due? (numbers separated by commas; Enter for none)")
        for i, a in enumerate(every_action, 1):
            _say(f"  {i}. {a.text}")
        picked = _ask_numbers("Your actions", len(every_action))
        if picked is None:
            return None
        chosen_actions = [every_action[i - 1].id for i in picked]
    return qz.grade(p, case, pathways[choice - 1].id, asked, chosen_actions)


_STOP = object()


def _ask_question(ask: Any) -> Any:
    """One of the protocol's questions, asked as the check asks it (numbers or ids, several as
    1,3, `none`, y/n); the answer in the engine's form, or _STOP."""
    from bruising_check.cli.guided import _areas, _wrap_entries
    from bruising_check.engine.replies import TypedError, parse
    from bruising_check.protocol.model import BooleanQuestion, MultipleChoiceQuestion

    q = ask.question
    _say()
    _say(ask.label, bold=True)
    options = getattr(q, "options", ())
    areas = _areas(options)
    if areas:
        rows: list[tuple[str | None, list[str]]] = []
        for i, (area, rest) in enumerate(areas, 1):
            if area is not None and rows and rows[-1][0] == area:
                rows[-1][1].append(f"{i} {rest}")
            else:
                rows.append((area, [f"{i} {rest}"]))
        for area, entries in rows:
            head = f"  {area}: " if area else "  "
            for row in _wrap_entries(entries, 96 - len(head)):
                _say(head + row, wrap=False)
                head = " " * len(head)
    else:
        for i, o in enumerate(options, 1):
            _say(f"  {i:>2}  {o.label}")
    if isinstance(q, BooleanQuestion):
        hint = "y or n"
    elif isinstance(q, MultipleChoiceQuestion):
        hint = "numbers such as 1,3, or none"
    else:
        hint = "a number"
    while True:
        reply = _read_line(f"Your answer ({hint}; ? why we ask; q to stop)")
        if reply is None or reply.lower() == "q":
            return _STOP
        if reply == "?":
            _say(f"  Why we ask: {q.help}" if q.help else "  (the protocol says no more)")
            continue
        try:
            return parse(q, reply).value
        except TypedError as exc:
            _say(f"  {exc}")


def _wait(prompt: str) -> str | None:
    """Wait for Enter; the reply, or None at the end of input (then never wait again)."""
    typer.echo(prompt, nl=False)
    reply = sys.stdin.readline()
    if not sys.stdin.isatty():  # a terminal echoes the Enter itself
        typer.echo()
    return None if reply == "" else reply.strip()


def _feedback(fb: Any) -> None:
    """The case graded: each answer beside the scenario's and where it changes the pathway,
    the protocol's pathway on the trainee's reading, then the pathway chosen, the rule and its
    sources, a contested rule's note, the trainer's note and the actions."""
    _say()
    if fb.readings:
        _say("Your reading beside the scenario's:", bold=True)
        for r in fb.readings:
            if r.same:
                _say(f"  same     {r.label} -> {r.yours}")
                continue
            _say(f"  DIFFERS  {r.label} -> you: {r.yours}; the scenario: {r.scenario}", fg="yellow")
            if r.alone is not None:
                way = "LESS urgent than" if r.alone_less_urgent else "more urgent than"
                _say(
                    f"           This alone changes the pathway to \u201c{r.alone.text}\u201d,"
                    f" {way} the protocol gives.",
                    fg="red" if r.alone_less_urgent else None,
                )
            else:
                _say("           This alone does not change the pathway.")
        if fb.on_your_reading is not None and fb.on_your_reading.id != fb.expected.id:
            way = " - LESS urgent" if fb.less_urgent_reading else ""
            _say(
                f"On your reading the protocol gives \u201c{fb.on_your_reading.text}\u201d{way}.",
                bold=True,
            )
    if fb.pathway_correct:
        _say(f"Right: \u201c{fb.expected.text}\u201d.", fg="green", bold=True)
    else:
        _say(
            f"Not this time: you chose \u201c{fb.chosen.title}\u201d;"
            f" the protocol gives \u201c{fb.expected.text}\u201d.",
            fg="red",
            bold=True,
        )
        if fb.on_your_reading is not None and fb.chosen.id == fb.on_your_reading.id:
            _say(
                "You applied the protocol to your reading correctly: the difference is in how"
                " the case was read."
            )
    if fb.rule:
        _say(f"Rule {fb.rule}: {fb.because}")
    for s in fb.sources:
        _say(f"  [{s.id}] {s.title}" + (f" {s.url}" if s.url else ""))
    if fb.contested:
        _say(f"Contested rule: {fb.contested}", fg="yellow")
    if fb.why:
        _say(f"Trainer's note: {fb.why}")
    if fb.actions_asked:
        if fb.actions_correct:
            _say("Actions: all right.", fg="green")
        for text in fb.actions_missed:
            _say(f"  Missed: {text}")
        for text in fb.actions_extra:
            _say(f"  Not called for here: {text}")


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

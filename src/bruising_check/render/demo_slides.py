"""The demo's words, shared by the terminal and the slides, and the demo as HTML slides for a
projector: one step a page, arrow keys (or a click) to move, a self-contained file that works
offline (no fetch of any kind; the Content-Security-Policy forbids it). Without script every
slide shows one after another, which is also how it prints.

The result slides are the check's own rationale document for the case (`render.rationale`),
one section a slide, emitted by the HTML printout's own block emitter; every text from the
protocol or a scenario is made visible and escaped (`render.safe`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bruising_check import STATEMENT
from bruising_check.engine.evaluate import asked_only_if
from bruising_check.protocol.model import Protocol, TextQuestion
from bruising_check.records.record import Record
from bruising_check.render import rationale, safe
from bruising_check.render.blocks import Section
from bruising_check.render.html import _block
from bruising_check.render.words import condition_text
from bruising_check.training.demo import Conclusion, MarkPart, Step


def rule_title(protocol: Protocol, rid: str) -> str:
    rule = next(r for r in protocol.rules if r.id == rid)
    pw = protocol.pathway(rule.pathway)
    return f"{rid} ({pw.title if pw else rule.pathway})"


def quiet(protocol: Protocol, step: Step) -> str | None:
    """Why a step has nothing to teach, in the check's words (not asked: "asked only if ...";
    optional text left blank), else None."""
    question = protocol.question(step.question)
    if not step.asked:
        ask_if = question.ask_if if question is not None else None
        return "not asked" if ask_if is None else f"not asked: {asked_only_if(protocol, ask_if)}"
    if isinstance(question, TextQuestion) and step.answer == "(not known)" and not step.facts:
        return "left blank, optional text"
    return None


def quiet_line(step: Step, why: str) -> str:
    """A step with nothing to teach as one line: the question as the check asks it, and why
    (never the question's id)."""
    return f"{step.prompt} ({why})"


def changes(protocol: Protocol, step: Step, *, announce: bool) -> list[str]:
    """What one answer changes, as lines: facts worked out, rules ruled out or now holding,
    and (the first time) which rule decides."""
    lines = [f"Worked out: {fact}" for fact in step.facts]
    lines += [f"Ruled out: {rule_title(protocol, r)}" for r in step.ruled_out]
    behind = dict(step.behind)
    for r in step.now_true:
        if r in behind:  # the first rule that matches decides: this one never can here
            lines.append(
                f"Also matches: {rule_title(protocol, r)}, but {behind[r]} comes first,"
                f" so {r} does not decide"
            )
        else:
            lines.append(f"Now holds: {rule_title(protocol, r)}")
    if step.decided and announce:
        lines.append(f"Decided: every earlier rule is ruled out, so {step.decided} decides.")
    return lines or ["(this answer changes nothing yet)"]


def decided_lines(protocol: Protocol, end: Conclusion) -> list[tuple[str, str]]:
    """(text, kind) for the rule that decides: when it applies, in words, and a contested
    rule's note (kind "warning")."""
    rule = next((r for r in protocol.rules if r.id == end.rule), None)
    if rule is None:
        return []
    out = [
        (
            f"Decided by rule {rule.id}: the first rule that matches."
            f" When: {condition_text(protocol, rule.when)}",
            "",
        )
    ]
    if rule.contested:
        out.append((f"Contested rule: {rule.note or f'Rule {rule.id} is contested.'}", "warning"))
    return out


def part_lines(part: MarkPart) -> list[str]:
    alone = part.alone.pathway.title if part.alone.pathway else "no pathway"
    lines = [f"Mark {part.number}: {part.summary}", f"On its own: {alone}."]
    if part.raises:
        lines.append("Without it the pathway would be less urgent: this mark raises it.")
    return lines


def family_line(end: Conclusion) -> str:
    """What the family context did, as the check's final result says it."""
    n = len(end.from_family)
    if not n:
        return "The answers about the family add no action; the pathway is unchanged."
    return (
        f"The answers about the family add {n} action{'' if n == 1 else 's'}"
        " (marked New); the pathway is unchanged."
    )


def result_sections(
    record: Record, added: frozenset[tuple[str, str]] = frozenset()
) -> tuple[Section, ...]:
    """The sections of the rationale the check's result screen shows, and the family context
    it asks after the result; each action in `added` ((from, action id): those the family
    context added) marked New, as on the check's final result."""
    from dataclasses import replace

    from bruising_check.render.blocks import Checklist
    from bruising_check.render.plain import NEW_ACTION

    def marked(section: Section) -> Section:
        blocks = tuple(
            Checklist(
                tuple(
                    replace(c, text=NEW_ACTION + c.text) if (a.from_, a.id) in added else c
                    for c, a in zip(b.items, record.actions, strict=True)
                )
            )
            if isinstance(b, Checklist)
            else b
            for b in section.blocks
        )
        return replace(section, blocks=blocks, on_screen=True)

    doc = rationale.document(record)
    return tuple(
        marked(s) for s in doc.sections if s.on_screen or s.heading == rationale.CONTEXT_HEADING
    )


# --- slides -------------------------------------------------------------------------------------

CSS = """
html, body { margin: 0; height: 100%; background: #fff; color: #000; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 26px;
  line-height: 1.4; }
section.slide { box-sizing: border-box; min-height: 100vh; padding: 1.2em 2em 3em;
  break-after: page; border-bottom: 2px solid #767676; }
h1 { font-size: 44px; margin: 0 0 .5em; line-height: 1.2; }
h2 { font-size: 36px; margin: 0 0 .5em; line-height: 1.2; }
p { margin: .35em 0; }
.why { color: #222; }
.answer { font-weight: bold; color: #003a70; font-size: 30px; }
.change { margin: .2em 0 .2em 1em; }
.warning { border-left: 8px solid #b71c1c; padding-left: .6em; font-weight: bold; }
.narrative { font-size: 30px; border-left: 6px solid #767676; padding-left: .6em; }
.quiet { color: #333; font-size: 22px; }
footer { position: fixed; bottom: 0; left: 0; right: 0; padding: .3em 1em; font-size: 18px;
  background: #f2f2f2; border-top: 1px solid #767676; display: flex;
  justify-content: space-between; }
.pathway { border: 4px solid #000; padding: .5em .8em; margin: .6em 0; }
.pathway .title { font-size: 36px; font-weight: bold; line-height: 1.2; margin: 0; }
.pathway .timescale { font-size: 28px; font-weight: bold; margin: .3em 0 0; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li { margin: .5em 0; padding-left: 1.6em; position: relative; }
ul.checklist li .box { position: absolute; left: 0; top: .2em; width: .9em; height: .9em;
  border: 2px solid #000; }
.detail { color: #222; font-size: 22px; margin: 0; }
.placeholder { font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 22px; }
th, td { border: 1px solid #767676; padding: .2em .4em; text-align: left; vertical-align: top; }
.quote { white-space: pre-wrap; border-left: 4px solid #767676; padding-left: .6em; }
.small { font-size: 20px; color: #333; overflow-wrap: anywhere; }
dl.fields { display: grid; grid-template-columns: 16em 1fr; gap: .2em .8em; margin: 0; }
dl.fields dt { font-weight: bold; } dl.fields dd { margin: 0; }
figure { margin: 0; } svg.bodymap { width: 100%; height: auto; max-height: 70vh; }
svg.bodymap text { font-family: inherit; font-size: 10px; }
@media print { footer { position: static; } section.slide { min-height: 0; } }
"""

# Arrow keys, Page Up/Down, Space, Home/End and a click on the right or left half move between
# slides; the slide number is kept in the address (#3), so a reload stays on the same slide.
SCRIPT = """
(function () {
  var slides = document.querySelectorAll("section.slide");
  var count = document.getElementById("count");
  var now = 0;
  function show(i) {
    now = Math.max(0, Math.min(slides.length - 1, i));
    for (var k = 0; k < slides.length; k++) { slides[k].hidden = k !== now; }
    count.textContent = "Step " + (now + 1) + " of " + slides.length;
    try { history.replaceState(null, "", "#" + (now + 1)); } catch (e) { /* file: URLs */ }
  }
  document.addEventListener("keydown", function (ev) {
    var next = ["ArrowRight", "ArrowDown", "PageDown", " "];
    var back = ["ArrowLeft", "ArrowUp", "PageUp"];
    if (next.indexOf(ev.key) >= 0) { show(now + 1); ev.preventDefault(); }
    else if (back.indexOf(ev.key) >= 0) { show(now - 1); ev.preventDefault(); }
    else if (ev.key === "Home") { show(0); ev.preventDefault(); }
    else if (ev.key === "End") { show(slides.length - 1); ev.preventDefault(); }
  });
  document.addEventListener("click", function (ev) {
    show(ev.clientX > window.innerWidth / 2 ? now + 1 : now - 1);
  });
  var start = parseInt(location.hash.slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
})();
"""

POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _e(text: object) -> str:
    return safe.html(text)


def slides_html(
    protocol: Protocol,
    case_id: str,
    title: str,
    narrative: str,
    steps: Sequence[Step],
    end: Conclusion,
    record: Record,
    parts: Sequence[MarkPart],
) -> str:
    """The demo of one case as one self-contained HTML file of slides."""
    return "\n".join(_slides(protocol, case_id, title, narrative, steps, end, record, parts)) + "\n"


def _slides(
    protocol: Protocol,
    case_id: str,
    title: str,
    narrative: str,
    steps: Sequence[Step],
    end: Conclusion,
    record: Record,
    parts: Sequence[MarkPart],
) -> Iterator[str]:
    meta = protocol.metadata
    yield "<!DOCTYPE html>"
    yield '<html lang="en-GB">'
    yield "<head>"
    yield '<meta charset="utf-8">'
    yield f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">'
    yield f"<title>{_e(f'Demo {case_id}: {title}')}</title>"
    yield f"<style>{CSS}</style>"
    yield "</head>"
    yield "<body>"
    yield '<section class="slide">'
    yield f"<h1>{_e(f'Demo {case_id}: {title}')}</h1>"
    yield f"<p>{_e(f'Protocol: {meta.title} (version {meta.version})')}</p>"
    yield f'<p class="narrative">{_e(narrative)}</p>'
    yield "<p>The rules are checked in order; the first that matches decides the pathway.</p>"
    yield '<p class="quiet">Arrow keys or a click move between steps.</p>'
    yield "</section>"
    announced = False
    passed: list[str] = []
    for step in steps:
        why_quiet = quiet(protocol, step)
        if why_quiet is not None:
            passed.append(quiet_line(step, why_quiet))
            continue
        yield '<section class="slide">'
        yield f"<h2>{_e(f'[{step.number}/{len(steps)}] {step.prompt}')}</h2>"
        if step.why:
            yield f'<p class="why">{_e(f"Why we ask: {step.why}")}</p>'
        yield f'<p class="answer">{_e(f"Answer: {step.answer}")}</p>'
        for line in changes(protocol, step, announce=bool(step.decided and not announced)):
            yield f'<p class="change">{_e(line)}</p>'
        announced = announced or bool(step.decided)
        for line in passed:
            yield f'<p class="quiet">{_e(f"Before this: {line}")}</p>'
        passed = []
        yield "</section>"
    yield '<section class="slide">'
    yield "<h2>Result</h2>"
    for text, kind in decided_lines(protocol, end):
        yield f'<p class="{kind or "change"}">{_e(text)}</p>'
    yield f'<p class="change">{_e(family_line(end))}</p>'
    for line in passed:
        yield f'<p class="quiet">{_e(line)}</p>'
    yield "</section>"
    for section in result_sections(record, end.from_family):
        yield '<section class="slide">'
        yield f"<h2>{_e(section.heading or 'The pathway')}</h2>"
        for block in section.blocks:
            yield from _block(block)
        yield "</section>"
    if parts:
        yield '<section class="slide">'
        yield "<h2>Each mark's part in the decision</h2>"
        for part in parts:
            first, *rest = part_lines(part)
            yield f"<p><strong>{_e(first)}</strong></p>"
            for line in rest:
                yield f'<p class="change">{_e(line)}</p>'
        yield "</section>"
    yield (
        f'<footer><span>{_e(STATEMENT)}</span><span id="count">'
        f"{_e(f'{case_id} - training, not a clinical record')}</span></footer>"
    )
    yield f"<script>{SCRIPT}</script>"
    yield "</body>"
    yield "</html>"

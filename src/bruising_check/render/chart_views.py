"""The protocol as a picture for a room (`overview`) and for policy leads (`detailed`).

The overview follows the stages a practitioner goes through: danger and emergency; is every
mark accounted for; mobile or not; what the marks show; the pathway. It is read off the rules
themselves: the leading rules to a more urgent pathway than anything after them are stage 1,
the boolean fact the later rules split on (`independently_mobile` in the bundled protocols) is
stage 3, and each later rule is drawn in the branch its split condition allows, in the order of
the file. A rule that does not mention the split fact is drawn in both branches: the first match
still decides, because within each branch the rules keep their order. Each check's "yes" goes
sideways to its own pathway box, so no two arrows ever cross (`chart.crossings` checks it).

The detailed view is every rule in order, its whole condition in plain English, with its own
pathway beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bruising_check import STATEMENT
from bruising_check.protocol.conditions import UNKNOWN, AllOf, Compare, Condition, Not, walk
from bruising_check.protocol.model import BooleanFact, Pathway, Protocol, Rule
from bruising_check.render.chart import (
    GREY,
    INK,
    PAD,
    PATH_RED,
    Arrow,
    Box,
    Point,
    Run,
    Scene,
    State,
    Swatch,
    Text,
    band_order,
    box_height,
    colours,
    level_tag,
    level_words,
    runs,
    text_width,
    urgency_band,
    wrap,
)
from bruising_check.render.flowchart import Trace, advice_mark
from bruising_check.render.safe import visible
from bruising_check.render.words import NO_PATHWAY_INSTRUCTION, condition_text

SIZE = 18.0  # every text but the title: 18 px at 1920x1080 is the floor for the back of a room
TITLE = 26.0
W = 1920.0
H = 1080.0  # the screen the overview is drawn for
M = 24.0
GAP_Y = 40.0  # between a check and the next: room for the "no" label
HIGHLIGHT = "Thick red: the path of this case. Grey: not reached."

STAGES = (
    "1  Danger and emergency",
    "2  Is every mark accounted for?",
    "3  Mobile or not?",
    "4  What the marks show",
    "5  Pathway",
)


# --- reading the stages off the rules ----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One check: a rule, or several consecutive rules to the same pathway (the first match
    among them gives the same outcome, so they are asked as one "any of these")."""

    rules: tuple[Rule, ...]
    labels: tuple[str, ...]
    otherwise: bool = False  # nothing left to check here: straight to the pathway

    @property
    def rule(self) -> Rule:
        return self.rules[0]

    @property
    def label(self) -> str:
        return self.labels[0] if len(self.labels) == 1 else "Is any of these so?"


def _merged(steps: Sequence[Step]) -> list[Step]:
    out: list[Step] = []
    for s in steps:
        prev = out[-1] if out else None
        if (
            prev is not None
            and not prev.otherwise
            and not s.otherwise
            and prev.rule.pathway == s.rule.pathway
            and prev.rule.then is None
            and s.rule.then is None
        ):
            out[-1] = Step(prev.rules + s.rules, prev.labels + s.labels)
        else:
            out.append(s)
    return out


@dataclass
class Plan:
    top: list[tuple[int, Step]] = field(default_factory=list)  # (stage 1 or 2, step)
    split: BooleanFact | None = None
    branches: list[tuple[bool | None, list[Step]]] = field(default_factory=list)


def _conjuncts(cond: Condition) -> tuple[Condition, ...]:
    return cond.all if isinstance(cond, AllOf) else (cond,)


def _polarity(cond: Condition, fact: str) -> bool | None:
    """True for `{fact: F}` (or `equals: true`), False for its negation, else None."""
    if isinstance(cond, Compare) and cond.fact == fact:
        if cond.operator == "is_true":
            return True
        if cond.operator == "equals" and isinstance(cond.equals, bool):
            return cond.equals
        return None
    if isinstance(cond, Not):
        inner = _polarity(cond.not_, fact)
        return None if inner is None else not inner
    return None


def _mentions(cond: Condition, fact: str) -> bool:
    return any(isinstance(n, Compare) and n.fact == fact for n in walk(cond))


def _split_fact(p: Protocol) -> BooleanFact | None:
    """The boolean fact most rules split on (both ways), if any."""
    best: tuple[int, BooleanFact] | None = None
    for f in p.derived:
        if not isinstance(f, BooleanFact):
            continue
        seen = [
            pol
            for r in p.rules
            for c in _conjuncts(r.when)
            if (pol := _polarity(c, f.id)) is not None
        ]
        if True in seen and False in seen and (best is None or len(seen) > best[0]):
            best = (len(seen), f)
    return best[1] if best else None


def _residual(rule: Rule, fact: str) -> tuple[bool | None, tuple[Condition, ...]]:
    """The rule's side of the split, and the rest of its condition."""
    parts = _conjuncts(rule.when)
    for i, c in enumerate(parts):
        pol = _polarity(c, fact)
        if pol is not None:
            return pol, parts[:i] + parts[i + 1 :]
    return None, parts


def _more_urgent(p: Protocol, a: Pathway, b: Pathway) -> bool:
    if a.level is not None and b.level is not None:
        return band_order(a.level) < band_order(b.level)
    return a.urgency < b.urgency


def _label(p: Protocol, rule: Rule, parts: Sequence[Condition]) -> str:
    """The question the chart asks for this rule: the author's `label`, else a question's
    prompt or a fact's label where the condition is just that, else the condition in words."""
    if rule.label:
        return rule.label
    if len(parts) == 1 and isinstance(parts[0], Compare):
        c = parts[0]
        q = p.question(c.question) if c.question else None
        if q is not None and (
            (c.operator == "equals" and (c.equals == "yes" or c.equals is True))
            or (c.operator == "is_empty" and c.is_empty is False)
        ):
            return q.prompt
        fact = next((f for f in p.derived if f.id == c.fact), None)
        if fact is not None and c.operator == "is_true":
            return f"{fact.label}?"
    cond = parts[0] if len(parts) == 1 else AllOf.model_validate({"all": parts})
    return condition_text(p, cond) + "?"


def plan(p: Protocol) -> Plan:
    out = Plan(split=_split_fact(p))
    fact = out.split.id if out.split else None
    rules = list(p.rules)
    first_branch = next(
        (i for i, r in enumerate(rules) if fact and _residual(r, fact)[0] is not None),
        len(rules),
    )
    pre, post = rules[:first_branch], rules[first_branch:]
    after = [x for r in post if (x := p.pathway(r.pathway)) is not None]
    n_top1 = 0
    for i, r in enumerate(pre):
        pw = p.pathway(r.pathway)
        later = after + [x for q in pre[i + 1 :] if (x := p.pathway(q.pathway)) is not None]
        if pw is not None and (pw.first_step or all(_more_urgent(p, pw, o) for o in later)):
            n_top1 = i + 1
        else:
            break
    # The trailing rules before the split that look at the marks themselves (a quantifier) and
    # do not mention the split fact are drawn at the head of each branch: still in order.
    k = len(pre)
    while (
        k > n_top1
        and fact is not None
        and not _mentions(pre[k - 1].when, fact)
        and any(type(n).__name__ in {"Some", "Every", "Count"} for n in walk(pre[k - 1].when))
    ):
        k -= 1
    for i, r in enumerate(pre[:k]):
        out.top.append((1 if i < n_top1 else 2, Step((r,), (_label(p, r, _conjuncts(r.when)),))))
    pushed = pre[k:]
    if fact is None:
        steps = [_step(p, r, None) for r in pushed + post]
        out.branches.append((None, _merged(steps)))
        return out
    for side in (False, True):
        steps = [_step(p, r, fact) for r in pushed]
        for r in post:
            pol, _ = _residual(r, fact)
            if pol is None or pol == side:
                steps.append(_step(p, r, fact))
        out.branches.append((side, _merged(_unshadowed(steps, fact))))
    return out


def _unshadowed(steps: Sequence[Step], fact: str | None) -> list[Step]:
    """The steps without those that can never decide on this side: a rule whose condition
    here is the same as an earlier rule's (with no "then") always has that rule match first,
    e.g. HIPS's "someone says a person caused a mark" (refer immediately, non-mobile babies)
    before the baseline's same check (refer today)."""
    out: list[Step] = []
    seen: list[tuple[Condition, ...]] = []
    for s in steps:
        rule = s.rule
        parts = _conjuncts(rule.when) if fact is None else _residual(rule, fact)[1]
        if parts and parts in seen:
            continue
        out.append(s)
        if parts and rule.then is None:
            seen.append(parts)
    return out


def _step(p: Protocol, rule: Rule, fact: str | None) -> Step:
    parts = _conjuncts(rule.when) if fact is None else _residual(rule, fact)[1]
    if not parts:
        return Step((rule,), ("Otherwise",), otherwise=True)
    return Step((rule,), (_label(p, rule, parts),))


# --- the path of one case --------------------------------------------------------------------


class _Walk:
    """Which checks a highlighted case reaches, and where it leaves each."""

    def __init__(self, path: Trace | None) -> None:
        self.path = path

    def state(self, reached: bool) -> State:
        if self.path is None:
            return None
        return "on" if reached else "off"

    def decides(self, step: Step) -> bool:
        path = self.path
        return path is not None and any(path.steps.get(r.id) == "decides" for r in step.rules)

    def unknown(self, step: Step) -> bool:
        path = self.path
        return path is not None and any(path.steps.get(r.id) == "unknown" for r in step.rules)

    def goes_on(self, step: Step) -> bool:
        path = self.path
        if path is None:
            return False
        if self.decides(step):
            return step.rule.then is not None
        return all(path.steps.get(r.id) in {"ruled_out", "unknown"} for r in step.rules)

    def enters(self, fact: BooleanFact | None, side: bool | None) -> bool:
        if self.path is None or side is None or fact is None:
            return True
        value: Any = self.path.derived.get(fact.id, UNKNOWN)
        return value is UNKNOWN or value is None or bool(value) == side


# --- boxes --------------------------------------------------------------------------------------


def _decision(
    x: float,
    y: float,
    w: float,
    text: str,
    state: State,
    dashed: bool = False,
    items: Sequence[str] = (),
) -> Box:
    lines = runs(text, w - 2 * PAD, SIZE, bold=True)
    for item in items:
        lines += runs(f"• {item}", w - 2 * PAD, SIZE)
    stroke = PATH_RED if state == "on" else (GREY if state == "off" else INK)
    fill = "#ffffff" if state != "off" else "#f4f4f4"
    return Box(x, y, w, box_height(lines), lines, "decision", fill, stroke, state, dashed)


def _chip_runs(p: Protocol, pw: Pathway | None, w: float, here: bool, then: bool) -> list[Run]:
    out: list[Run] = []
    if here:
        out.append(Run("✔ This case", SIZE, bold=True))
    if pw is None:
        out += runs(NO_PATHWAY_INSTRUCTION, w - 2 * PAD, SIZE)
        return out
    tag = level_tag(p, pw)
    if pw.timescale.label.lower() not in tag.lower():
        tag += f" · {pw.timescale.label}"
    out += runs(tag, w - 2 * PAD, SIZE, bold=True)
    out += runs(pw.title, w - 2 * PAD, SIZE)
    if then:
        out += runs("Then carry on with the checks.", w - 2 * PAD, SIZE)
    return out


def _chip(
    p: Protocol,
    x: float,
    cy: float | None,
    y: float | None,
    w: float,
    rule: Rule | None,
    *,
    here: bool,
    state: State,
) -> Box:
    pw = p.pathway(rule.pathway) if rule is not None else None
    lines = tuple(_chip_runs(p, pw, w, here, bool(rule is not None and rule.then)))
    h = box_height(lines)
    top = y if y is not None else (cy or 0) - h / 2
    if pw is None:
        fill, stroke = "#ffffff", INK
    else:
        fill, stroke = colours(urgency_band(p, pw))
    if here:
        stroke = PATH_RED
    elif state == "off":
        fill = _faded(fill)
    return Box(x, top, w, h, lines, "pathway" if pw else "end", fill, stroke, state)


def _faded(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*((c + 2 * 255) // 3 for c in (r, g, b)))


# --- the overview -----------------------------------------------------------------------------


@dataclass
class _Canvas:
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    swatches: list[Swatch] = field(default_factory=list)

    def arrow(
        self,
        points: Sequence[tuple[float, float]],
        label: str | None,
        at: tuple[float, float] | None,
        state: State,
        dashed: bool = False,
    ) -> None:
        self.arrows.append(Arrow(tuple(points), label, at, SIZE, state, dashed))

    def scene(self, title: str, height: float, width: float = W) -> Scene:
        return Scene(
            width,
            height,
            title,
            tuple(self.boxes),
            tuple(self.arrows),
            tuple(self.texts),
            tuple(self.swatches),
        )


def _title_lines(
    p: Protocol, view: str, c: _Canvas, width: float, size: float = TITLE, fit: bool = False
) -> float:
    """The title, at `size`; with `fit`, a little smaller (never under SIZE) if that puts it
    on one line."""
    m = p.metadata
    text = f"{m.title} (version {m.version}, {m.status}): {view}"
    if fit:
        size = next(
            (s for s in (size, 20.0, SIZE) if len(wrap(text, width - 2 * M, s, bold=True)) == 1),
            size,
        )
    y = M
    for line in wrap(text, width - 2 * M, size, bold=True):
        y += size * 1.25
        c.texts.append(Text(M, y, line, size, bold=True))
    return y + 12


@dataclass(frozen=True)
class _Dims:
    """The overview's spacing: widths of the two columns of checks and their pathway boxes
    (left: not mobile; right: mobile), and the gaps. The text is the same size in all."""

    chip_l: float = 436.0  # the pathway boxes left of the left column
    col_l: float = 400.0  # the left column of checks
    col_r: float = 400.0
    chip_r: float = 436.0
    gap_x: float = 80.0  # between a column and its pathway boxes: room for "yes"
    gap_y: float = GAP_Y  # between one check and the next: room for "no"
    chip_gap: float = 44.0  # between a top-row pathway box and its check
    title: float = TITLE
    split: tuple[float, float, float] = (24.0, 46.0, 28.0)  # the mobility split's "no", "yes"
    flow_legend: bool = False  # the legend's levels side by side, not one a line

    @property
    def lc_x(self) -> float:
        return M + self.chip_l + self.gap_x

    @property
    def rc_x(self) -> float:
        return W - M - self.chip_r - self.gap_x - self.col_r


ROOMY = _Dims()
_TIGHT: dict[str, Any] = {
    "gap_x": 54.0,
    "gap_y": 20.0,
    "chip_gap": 30.0,
    "title": 22.0,
    "split": (14.0, 30.0, 24.0),
    "flow_legend": True,
}
# Tried in order after ROOMY; each leaves 32 px between the columns. A long branch gets the
# width (fewer lines in each box) from the shorter one.
TIGHT = (
    _Dims(chip_l=460.0, col_l=404.0, col_r=404.0, chip_r=460.0, **_TIGHT),
    _Dims(chip_l=540.0, col_l=500.0, col_r=320.0, chip_r=364.0, **_TIGHT),
    _Dims(chip_l=364.0, col_l=320.0, col_r=500.0, chip_r=540.0, **_TIGHT),
    _Dims(chip_l=600.0, col_l=560.0, col_r=280.0, chip_r=284.0, **_TIGHT),
    _Dims(chip_l=284.0, col_l=280.0, col_r=560.0, chip_r=600.0, **_TIGHT),
)


def overview(p: Protocol, path: Trace | None = None) -> Scene:
    """The overview for a room: see the module's docstring. Drawn roomy when that fits on a
    1920x1080 screen with the text at full size (18 px), else with less space: the first
    tighter spacing that fits, or the shortest."""
    scene = _overview(p, path, ROOMY)
    if scene.height <= H:
        return scene
    tried = []
    for dims in TIGHT:
        scene = _overview(p, path, dims)
        if scene.height <= H:
            return scene
        tried.append(scene)
    return min(tried, key=lambda x: x.height)


def _overview(p: Protocol, path: Trace | None, dims: _Dims) -> Scene:
    c = _Canvas()
    walk_ = _Walk(path)
    y = _title_lines(p, "overview", c, W, dims.title, fit=dims.flow_legend)
    pl = plan(p)

    # Stages 1 to 3: the checks in a row, each "yes" up to its pathway box above it, the
    # split on mobility last; its two sides go down to the two columns of stage 4.
    lc_x, rc_x = dims.lc_x, dims.rc_x
    lp_x, rp_x = M, W - M - dims.chip_r
    fact = pl.split
    row: list[tuple[int, Step | None]] = list(pl.top)
    if fact is not None:
        row.append((3, None))
    reached = True
    starts: list[tuple[list[Point], State]] = []  # each branch's first arrow, so far
    if row:
        split_slot = 330.0 if fact is not None else 0.0
        n = len(row) - (1 if fact is not None else 0)
        slot = (W - 2 * M - split_slot) / max(1, n)
        w = min(470.0, slot - 110)
        cw = min(470.0, slot - 40)
        header_y = y + SIZE
        chips: list[Box | None] = []
        decisions: list[Box] = []
        for i, (_, step) in enumerate(row):
            x = M + i * slot + (slot - w) / 2
            if step is None:
                assert fact is not None
                chips.append(None)
                x = M + i * slot + 60
                decisions.append(
                    _decision(x, 0, split_slot - 60, f"{fact.label}?", walk_.state(reached))
                )
                continue
            here = reached and walk_.decides(step)
            chips.append(
                _chip(
                    p,
                    M + i * slot + (slot - cw) / 2,
                    None,
                    0,
                    cw,
                    step.rule,
                    here=here,
                    state=walk_.state(here),
                )
            )
            decisions.append(
                _decision(x, 0, w, step.label, walk_.state(reached), walk_.unknown(step))
            )
            reached = reached and walk_.goes_on(step)
        chip_h = max((b.h for b in chips if b is not None), default=0.0)
        chip_y = header_y + 12
        dec_y = chip_y + chip_h + dims.chip_gap if chip_h else header_y + 20
        dec_h = max(b.h for b in decisions)
        reached = was_reached = True
        stage_shown: set[int] = set()
        last: Box | None = None
        for i, ((stage, step), chip, d) in enumerate(zip(row, chips, decisions, strict=True)):
            if stage not in stage_shown:
                stage_shown.add(stage)
                c.texts.append(
                    Text(
                        M + i * slot + (slot - cw) / 2 if step else d.x,
                        header_y,
                        STAGES[stage - 1],
                        SIZE,
                        bold=True,
                    )
                )
            d = replace(d, y=dec_y + (dec_h - d.h) / 2)
            c.boxes.append(d)
            if last is not None:
                before = row[i - 1][1]
                mid = M + i * slot
                if before is not None and before.rule.then:
                    # After a first step, its "then" joins the "no" between the two checks.
                    ruled_out = was_reached and not walk_.decides(before)
                    c.arrow(
                        [(last.right, last.cy), (mid, last.cy)],
                        "no",
                        (last.right + 10, last.cy - 8),
                        walk_.state(ruled_out),
                    )
                    c.arrow([(mid, last.cy), (d.x, last.cy)], None, None, walk_.state(reached))
                else:
                    c.arrow(
                        [(last.right, last.cy), (d.x, last.cy)],
                        "no",
                        (last.right + 10, last.cy - 8),
                        walk_.state(reached),
                    )
            last = d
            was_reached = reached
            if step is None or chip is None:
                continue
            chip = replace(chip, y=chip_y + chip_h - chip.h)
            c.boxes.append(chip)
            yes_on = reached and walk_.decides(step)
            c.arrow(
                [(d.cx, d.y), (d.cx, chip.bottom)], "yes", (d.cx + 8, d.y - 14), walk_.state(yes_on)
            )
            if step.rule.then and i + 1 < len(row):
                mid = M + (i + 1) * slot
                c.arrow(
                    [(chip.right, chip.cy), (mid, chip.cy), (mid, d.cy)],
                    "then",
                    (mid + 8, d.cy - 30),
                    walk_.state(yes_on),
                )
            reached = reached and walk_.goes_on(step)
        y = dec_y + dec_h
        assert last is not None
        if fact is not None:
            # The split: "no" leaves on the left and runs above "yes", so they never cross.
            row_bottom = dec_y + dec_h  # below every check of the row, not just the split
            y1, y2 = row_bottom + dims.split[0], row_bottom + dims.split[1]
            for side, x0, yy in ((False, last.x + 40, y1), (True, last.right - 40, y2)):
                on = reached and walk_.enters(fact, side)
                starts.append(([(x0, last.bottom), (x0, yy)], walk_.state(on)))
            y = y2 + dims.split[2]
            c.texts.append(Text(M, y - 8, STAGES[3], SIZE, bold=True))
        else:
            starts.append(([(last.cx, last.bottom)], walk_.state(reached)))
            y += dims.gap_y
    else:
        starts = [([(rc_x + dims.col_r / 2, y)], None) for _ in pl.branches]
        y += dims.gap_y

    bottoms = []
    for (branch, steps), (lead, st) in zip(pl.branches, starts, strict=True):
        left = branch is False
        bottoms.append(
            _column(
                c,
                p,
                walk_,
                steps,
                lc_x if left else rc_x,
                dims.col_l if left else dims.col_r,
                lp_x if left else rp_x,
                dims.chip_l if left else dims.chip_r,
                y,
                lead,
                st != "off",
                "no" if left else "yes",
                left,
                dims.gap_y,
            )
        )
    y = max(bottoms) if bottoms else y

    # The legend of urgency colours (stage 5) under the shorter column (the right one when
    # they are as long), or below everything.
    if len(bottoms) > 1 and bottoms[0] < bottoms[-1]:
        lx, ly, lw = M, bottoms[0] + 40, lc_x + dims.col_l - M
    else:
        right_bottom = bottoms[-1] if bottoms else y
        lx, ly, lw = rc_x, right_bottom + 40 if len(bottoms) > 1 else y + 40, W - M - rc_x
    end = _legend(c, p, lx, ly, lw, dims.flow_legend)
    statement = STATEMENT + (" " + HIGHLIGHT if path else "")
    if dims.flow_legend:  # tight: the statement goes under the legend, beside the long column
        end += 12
        for line in wrap(statement, lw, SIZE):
            end += SIZE * 1.3
            c.texts.append(Text(lx, end, line, SIZE))
        return c.scene(visible(p.metadata.title), max(y, end) + M)
    y = max(y, end)
    y += 12
    for line in wrap(statement, W - 2 * M, SIZE):
        y += SIZE * 1.3
        c.texts.append(Text(M, y, line, SIZE))
    return c.scene(visible(p.metadata.title), y + M)


def _column(
    c: _Canvas,
    p: Protocol,
    walk_: _Walk,
    steps: Sequence[Step],
    col_x: float,
    col_w: float,
    chip_x: float,
    chip_w: float,
    y: float,
    lead: list[Point],
    on: bool,
    first_label: str,
    left: bool,
    gap_y: float = GAP_Y,
) -> float:
    """One branch: its checks down the column, each "yes" sideways to its pathway box."""
    label = first_label
    first = True
    reached = on
    for step in steps:
        if step.otherwise:
            here = reached and walk_.decides(step)
            chip = _chip(p, col_x, None, y, col_w, step.rule, here=here, state=walk_.state(here))
            c.boxes.append(chip)
            c.arrow(
                _route(lead, chip.cx, chip.y),
                label,
                _label_at(lead, first, gap_y),
                walk_.state(reached),
            )
            return chip.bottom
        items = step.labels if len(step.labels) > 1 else ()
        d = _decision(col_x, y, col_w, step.label, walk_.state(reached), walk_.unknown(step), items)
        here = reached and walk_.decides(step)
        chip = _chip(p, chip_x, d.cy, None, chip_w, step.rule, here=here, state=walk_.state(here))
        if chip.y < y:  # a tall pathway box: move the row down so nothing overlaps above
            shift = y - chip.y
            d, chip = replace(d, y=d.y + shift), replace(chip, y=chip.y + shift)
        c.boxes += [d, chip]
        c.arrow(_route(lead, d.cx, d.y), label, _label_at(lead, first, gap_y), walk_.state(reached))
        if left:
            c.arrow(
                [(d.x, d.cy), (chip.right, d.cy)],
                "yes",
                (chip.right + 12, d.cy - 8),
                walk_.state(here),
            )
        else:
            c.arrow(
                [(d.right, d.cy), (chip.x, d.cy)],
                "yes",
                (d.right + 12, d.cy - 8),
                walk_.state(here),
            )
        reached = reached and walk_.goes_on(step)
        lead = [(d.cx, d.bottom)]
        label, first = "no", False
        y = max(d.bottom, chip.bottom) + gap_y
    # Nothing matched: the protocol's own words for that, never a pathway of our own.
    end = _chip(p, col_x, None, y, col_w, None, here=False, state=walk_.state(reached))
    c.boxes.append(end)
    c.arrow(_route(lead, end.cx, end.y), "no", _label_at(lead, first, gap_y), walk_.state(reached))
    return end.bottom


def _route(lead: list[Point], x: float, y: float) -> list[Point]:
    """From the end of `lead` across to `x`, then down to `y` (the top of the next box)."""
    lx, ly = lead[-1]
    if abs(lx - x) < 0.5:
        return [*lead[:-1], (x, ly), (x, y)] if len(lead) > 1 else [(x, ly), (x, y)]
    if len(lead) == 1:
        mid = (ly + y) / 2
        return [(lx, ly), (lx, mid), (x, mid), (x, y)]
    return [*lead, (x, ly), (x, y)]


def _label_at(lead: list[Point], first: bool, gap_y: float = GAP_Y) -> Point:
    """Where an arrow's "no" (or "yes") goes: beside its start, and between two checks above
    the next one ("no" has no descender: its baseline may sit 2 px above the next box)."""
    x, y = lead[0]
    return (x + 8, y + (20 if first else min(20.0, gap_y - 2)))


def _legend(c: _Canvas, p: Protocol, x: float, y: float, width: float, flow: bool = False) -> float:
    """The urgency colours, most urgent first: one a line with the level's words, or (`flow`)
    side by side with the level as each pathway box names it."""
    y += SIZE
    c.texts.append(
        Text(x, y, STAGES[4] + ": the colour of each pathway is its urgency", SIZE, bold=True)
    )
    seen: dict[str, Pathway] = {}
    for pw in sorted(p.pathways, key=lambda q: (band_order(urgency_band(p, q)), q.urgency)):
        seen.setdefault(urgency_band(p, pw), pw)
    if flow:
        y += SIZE * 1.55
        at = x
        for band, pw in seen.items():
            words = level_tag(p, pw) if pw.level is not None else level_words(p, pw)
            wide = SIZE + 10 + text_width(words, SIZE)
            if at > x and at + wide > x + width:
                at, y = x, y + SIZE * 1.55
            fill, stroke = colours(band)
            c.swatches.append(Swatch(at, y - SIZE + 1, SIZE, fill, stroke))
            c.texts.append(Text(at + SIZE + 10, y, words, SIZE))
            at += wide + 30
        return y + 8
    for band, pw in seen.items():
        y += SIZE * 1.55
        fill, stroke = colours(band)
        c.swatches.append(Swatch(x, y - SIZE + 1, SIZE, fill, stroke))
        words = level_words(p, pw)
        if pw.level is not None:
            words = f"{level_tag(p, pw)}: {words}"
        for i, line in enumerate(wrap(words, width - SIZE - 12, SIZE)):
            if i:
                y += SIZE * 1.3
            c.texts.append(Text(x + SIZE + 12, y, line, SIZE))
    return y + 8


# --- the detailed view ------------------------------------------------------------------------


def detailed(p: Protocol, path: Trace | None = None) -> Scene:
    """Every rule in order with its whole condition, its own pathway beside it."""
    c = _Canvas()
    walk_ = _Walk(path)
    y = _title_lines(p, "every rule, in order", c, W)
    c.texts.append(
        Text(
            M, y + SIZE, "The rules are checked from the top; the first that matches decides.", SIZE
        )
    )
    y += SIZE + 30
    rule_w, chip_x = 1180.0, 1320.0
    chip_w = W - M - chip_x
    reached = prev_reached = True
    prev: Box | None = None
    prev_chip: Box | None = None
    prev_step: Step | None = None
    for rule in p.rules:
        one = Step((rule,), (rule.label or "",))
        contested = rule.contested and "contested" not in (rule.label or "")
        head = f"{rule.id}" + ("  (contested)" if contested else "")
        if rule.label:
            head += f"  {rule.label}"
        lines = runs(head, rule_w - 2 * PAD, SIZE, bold=True) + runs(
            "if " + condition_text(p, rule.when), rule_w - 2 * PAD, SIZE
        )
        state = walk_.state(reached)
        stroke = PATH_RED if state == "on" else (GREY if state == "off" else INK)
        d = Box(
            M,
            y,
            rule_w,
            box_height(lines),
            lines,
            "decision",
            "#ffffff" if state != "off" else "#f4f4f4",
            stroke,
            state,
            walk_.unknown(one),
            align="left",
        )
        here = reached and walk_.decides(one)
        chip = _chip(p, chip_x, d.cy, None, chip_w, rule, here=here, state=walk_.state(here))
        if chip.y < y:
            shift = y - chip.y
            d, chip = replace(d, y=d.y + shift), replace(chip, y=chip.y + shift)
        c.boxes += [d, chip]
        if prev is not None:
            _into(c, walk_, prev, prev_chip, prev_step, d.y, prev_reached, reached)
        c.arrow(
            [(d.right, d.cy), (chip.x, d.cy)], "yes", (d.right + 12, d.cy - 8), walk_.state(here)
        )
        prev_reached = reached
        reached = reached and walk_.goes_on(one)
        prev, prev_chip, prev_step = d, chip, one
        y = max(d.bottom, chip.bottom) + GAP_Y
    end = _chip(p, M, None, y, rule_w, None, here=False, state=walk_.state(reached))
    c.boxes.append(end)
    if prev is not None and prev_chip is not None and prev_step is not None:
        _into(c, walk_, prev, prev_chip, prev_step, end.y, prev_reached, reached)
    y = end.bottom + 20
    if p.advice:
        y += SIZE
        c.texts.append(
            Text(
                M,
                y,
                "Advice, added whenever it matches (never changes the pathway)",
                SIZE,
                bold=True,
            )
        )
        for adv in p.advice:
            added = {
                None: "",
                "added": "✔ added for this case: ",
                "may apply": "may apply for this case (an answer it depends on is not known): ",
            }[advice_mark(path, adv.id)]
            text = f"{added}{adv.id}: if {condition_text(p, adv.when)}"
            for line in wrap(text, W - 2 * M, SIZE):
                y += SIZE * 1.3
                c.texts.append(Text(M, y, line, SIZE))
    y = _legend(c, p, M, y + 20, W - 2 * M) + 20
    for line in wrap(STATEMENT + (" " + HIGHLIGHT if path else ""), W - 2 * M, SIZE):
        y += SIZE * 1.3
        c.texts.append(Text(M, y, line, SIZE))
    return c.scene(visible(p.metadata.title), y + M)


def _into(
    c: _Canvas,
    walk_: _Walk,
    prev: Box,
    chip: Box | None,
    step: Step | None,
    top: float,
    was_reached: bool,
    reached: bool,
) -> None:
    """The arrow from one rule down to the next: its "no", and after a first step (emergency
    care first) also a "then" from its pathway, joining the "no" between the two rules."""
    x = prev.x + 60
    if step is None or chip is None or step.rule.then is None:
        c.arrow(
            [(x, prev.bottom), (x, top)], "no", (x + 10, prev.bottom + 22), walk_.state(reached)
        )
        return
    join = prev.bottom + (top - prev.bottom) * 0.6
    ruled_out = was_reached and not walk_.decides(step)
    then_on = was_reached and walk_.decides(step)
    c.arrow([(x, prev.bottom), (x, join)], "no", (x + 10, prev.bottom + 22), walk_.state(ruled_out))
    c.arrow(
        [(chip.cx, chip.bottom), (chip.cx, join), (x, join)],
        "then",
        (chip.cx + 10, chip.bottom + 20),
        walk_.state(then_on),
    )
    c.arrow([(x, join), (x, top)], None, None, walk_.state(reached))


def all_text(scene: Scene) -> Iterator[str]:
    for b in scene.boxes:
        for r in b.runs:
            yield r.text
    for a in scene.arrows:
        if a.label:
            yield a.label
    for t in scene.texts:
        yield t.text

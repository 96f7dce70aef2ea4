"""The drawn flowchart (issue 16.1): an overview readable at 1920x1080 from the back of a room,
question labels and pathway titles rather than ids, urgency colours said in words, no crossing
arrows, a detailed view, SVG/PNG/PDF, and one case's path highlighted on both views."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.engine.decide import decide
from bruising_check.protocol.bundled import bundled_files
from bruising_check.protocol.model import Protocol
from bruising_check.render import chart, chart_draw, chart_views, flowchart, safe
from tests.conftest import BASELINE, ROOT, load_text, run

_register()
runner = CliRunner()
EXAMPLES = sorted((ROOT / "protocols" / "examples").glob("*.yaml"))
ALL = [BASELINE, *EXAMPLES]
SVG = "{http://www.w3.org/2000/svg}"
EAR = ROOT / "examples" / "answers" / "ear-bruise-walking-18-months.yaml"


def _load(path: Path) -> Protocol:
    loaded = load_text(path.read_text(encoding="utf-8"), path.name)
    assert loaded.protocol is not None
    return loaded.protocol


def _svg_smallest_text_at(svg: str, width: float, height: float) -> float:
    """The smallest text on a width x height screen, read from the SVG itself: its font
    sizes and the scale that fits its viewBox to the screen."""
    root = ET.fromstring(svg)
    _, _, vw, vh = (float(v) for v in root.attrib["viewBox"].split())
    scale = min(width / vw, height / vh)
    sizes = [float(t.attrib["font-size"]) for t in root.iter(f"{SVG}text")]
    assert sizes
    return min(sizes) * scale


def test_overview_text_is_at_least_18_px_at_1920x1080(baseline: Protocol) -> None:
    svg = chart_draw.svg(chart_views.overview(baseline))
    assert _svg_smallest_text_at(svg, 1920, 1080) >= 18
    # The same measure on a smaller screen shows the test can fail.
    assert _svg_smallest_text_at(svg, 1280, 720) < 18
    hl = flowchart.trace(baseline, run(baseline))
    assert (
        _svg_smallest_text_at(chart_draw.svg(chart_views.overview(baseline, hl)), 1920, 1080) >= 18
    )


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_every_bundled_overview_is_at_least_18_px_at_1920x1080(path: Path) -> None:
    # protocols/*.yaml and protocols/examples/*.yaml: the local ones are longer than the
    # baseline (more checks, longer pathway titles), so most are drawn tight, never smaller.
    p = _load(path)
    unknown = decide(p, {})  # every answer not known: the most urgent path, highlighted
    for scene in (chart_views.overview(p), chart_views.overview(p, flowchart.trace(p, unknown))):
        assert _svg_smallest_text_at(chart_draw.svg(scene), 1920, 1080) >= 18, path.name
        assert scene.height <= 1080 and scene.width == 1920
        assert chart.crossings(scene) == []
        assert chart.overlapping_boxes(scene) == []
        assert chart.arrows_through_boxes(scene) == []
        assert _text_over_boxes_or_arrows(scene) == []


def _text_over_boxes_or_arrows(scene: chart.Scene) -> list[str]:
    """Free text (headings, legend, statement) and arrow labels that run into a box, an
    arrow or off the picture: each text's extent from its font metrics."""
    found = []
    texts = [(t.x, t.y, t.text, t.size, t.bold) for t in scene.texts]
    texts += [
        (a.label_at[0], a.label_at[1], a.label, a.label_size, True)
        for a in scene.arrows
        if a.label and a.label_at
    ]
    for x, y, text, size, bold in texts:
        x1 = x + chart.text_width(text, size, bold)
        top, bottom = y - size * 0.75, y + (size * 0.2 if any(c in text for c in "gjpqy,") else 0)
        if x < 0 or x1 > scene.width or top < 0 or bottom > scene.height:
            found.append(f"outside: {text}")
        for b in scene.boxes:
            if x < b.right and b.x < x1 and top < b.bottom and b.y < bottom:
                found.append(f"{text} over box {b.runs[0].text}")
        for a in scene.arrows:
            for (px, py), (qx, qy) in chart.segments(a):
                if (
                    min(px, qx) < x1
                    and max(px, qx) > x
                    and min(py, qy) < bottom
                    and max(py, qy) > top
                ):
                    found.append(f"{text} over an arrow")
    return found


def test_the_text_check_finds_text_over_a_box() -> None:
    box = chart.Box(0, 0, 100, 40, (chart.Run("a", 18),), "decision", "#fff", "#000")
    inside = chart.Scene(200, 100, "x", (box,), (), (chart.Text(10, 30, "over", 18),), ())
    below = chart.Scene(200, 100, "x", (box,), (), (chart.Text(10, 70, "under", 18),), ())
    assert _text_over_boxes_or_arrows(inside) == ["over over box a"]
    assert _text_over_boxes_or_arrows(below) == []


def test_a_rule_that_can_never_decide_on_its_side_is_not_drawn_there(baseline: Protocol) -> None:
    # HIPS: "someone says a person caused a mark" refers immediately for a non-mobile baby
    # (H3) before the baseline's same check (B3, refer today): B3 can decide only if mobile.
    p = _load(ROOT / "protocols" / "examples" / "hipsp-2023.yaml")
    sides = {side: [r.id for s in steps for r in s.rules] for side, steps in plan_of(p)}
    assert sides[False][:2] == ["H3", "B4"] and "B3" not in sides[False]
    assert sides[True][0] == "B3"
    # The baseline keeps every rule: none repeats an earlier one's condition.
    drawn = {r.id for _, steps in plan_of(baseline) for s in steps for r in s.rules}
    assert drawn == {r.id for r in baseline.rules} - {"B0", "B1", "B2"}


def plan_of(p: Protocol) -> list[tuple[bool | None, list[chart_views.Step]]]:
    return chart_views.plan(p).branches


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
@pytest.mark.parametrize("view", ["overview", "detailed"])
def test_no_arrows_cross_and_no_boxes_overlap(path: Path, view: str) -> None:
    p = _load(path)
    scene = getattr(chart_views, view)(p)
    assert chart.crossings(scene) == []
    assert chart.overlapping_boxes(scene) == []


def test_no_arrow_runs_through_a_box_in_the_baseline(baseline: Protocol) -> None:
    for view in (chart_views.overview, chart_views.detailed):
        assert chart.arrows_through_boxes(view(baseline)) == []


def test_the_crossing_check_finds_a_crossing() -> None:
    cross = chart.Scene(
        100,
        100,
        "x",
        (),
        (chart.Arrow(((0, 50), (100, 50))), chart.Arrow(((50, 0), (50, 100)))),
        (),
    )
    assert chart.crossings(cross) == [(0, 1)]
    join = chart.Scene(  # one arrow merging into another is not a crossing
        100, 100, "x", (), (chart.Arrow(((0, 50), (100, 50))), chart.Arrow(((50, 0), (50, 50)))), ()
    )
    assert chart.crossings(join) == []


def test_overview_stages_follow_the_protocol(baseline: Protocol) -> None:
    plan = chart_views.plan(baseline)
    assert [(stage, s.rule.id) for stage, s in plan.top] == [(1, "B0"), (1, "B1"), (2, "B2")]
    assert plan.split is not None and plan.split.id == "independently_mobile"
    sides = {side: [[r.id for r in s.rules] for s in steps] for side, steps in plan.branches}
    # B3 names no mobility: it is asked first on both sides. Consecutive rules to the same
    # pathway are one "any of these" check; B9 (just "mobile") is the mobile side's otherwise.
    assert sides[False] == [["B3"], ["B4", "B5", "B6a"], ["B6"]]
    assert sides[True] == [["B3", "B7"], ["B8"], ["B9"]]
    assert [s.otherwise for s in dict(plan.branches)[True]] == [False, False, True]


def test_overview_shows_labels_and_titles_not_ids(baseline: Protocol) -> None:
    text = "\n".join(chart_views.all_text(chart_views.overview(baseline)))
    assert not re.search(r"\bB\d+a?\b", text)
    assert "_" not in text  # no option, fact or pathway ids
    flat = " ".join(text.split())
    assert "Is the child in immediate danger?" in flat
    assert "Does anyone say a person caused a mark?" in flat
    for pw in baseline.pathways:
        assert " ".join(pw.title.split()[:4]) in flat


def test_each_pathway_box_says_its_level_in_words(baseline: Protocol) -> None:
    scene = chart_views.overview(baseline)
    titles = {pw.id: pw for pw in baseline.pathways}
    boxes = [b for b in scene.boxes if b.kind == "pathway"]
    assert len(boxes) >= len(titles)
    for b in boxes:
        first = b.runs[0].text
        assert first.split(" · ")[0] in chart.LEVEL_TAGS.values()
        assert b.runs[0].bold
    legend = [t.text for t in scene.texts]
    for level in {pw.level for pw in baseline.pathways}:
        assert level is not None
        assert any(chart.LEVEL_TAGS[level] in t for t in legend)


def test_colour_falls_back_to_rank_without_levels(baseline: Protocol) -> None:
    text = BASELINE.read_text(encoding="utf-8")
    stripped = re.sub(r"\n    level: [a-z_]+", "", text)
    loaded = load_text(stripped)
    assert loaded.protocol is not None
    p = loaded.protocol
    bands = [chart.urgency_band(p, pw) for pw in sorted(p.pathways, key=lambda x: x.urgency)]
    assert bands[0] == "protect_now" and bands[-1] == "record_and_advise"
    box = next(b for b in chart_views.overview(p).boxes if b.kind == "pathway")
    assert box.runs[0].text.startswith("URGENCY ")


def _this_case(scene: chart.Scene) -> list[str]:
    return [
        " ".join(" ".join(r.text for r in b.runs[1:]).split())
        for b in scene.boxes
        if b.runs and b.runs[0].text == "✔ This case"
    ]


def _case_files() -> list[tuple[str, dict[str, Any]]]:
    data = yaml.safe_load(
        (ROOT / "protocols" / "scenarios" / "baseline-rules.yaml").read_text(encoding="utf-8")
    )
    return [(c["id"], c["answers"]) for c in data["cases"]]


@pytest.mark.parametrize("view", ["overview", "detailed"])
def test_highlight_ends_at_the_engines_pathway(baseline: Protocol, view: str) -> None:
    from bruising_check.engine.answers import check_answers
    from bruising_check.protocol.yamlread import read_yaml

    for case_id, answers in _case_files():
        checked = check_answers(baseline, read_yaml(yaml.safe_dump(answers), "a.yaml"))
        decision = decide(baseline, checked.answers)
        scene = getattr(chart_views, view)(baseline, flowchart.trace(baseline, decision))
        expected = [x for x in (decision.pathway, decision.then) if x is not None]
        found = _this_case(scene)
        assert len(found) == len(expected), case_id
        for pw, text in zip(expected, found, strict=True):
            assert " ".join(pw.title.split()) in text, case_id
        on = [a for a in scene.arrows if a.state == "on"]
        assert on and all(a.state in {"on", "off"} for a in scene.arrows)


def test_first_step_then_the_rules_below_are_both_highlighted(baseline: Protocol) -> None:
    decision = run(baseline, injury_red_flags=["limb_not_moved"])
    assert decision.then is not None
    path = flowchart.trace(baseline, decision)
    assert path.steps["B1"] == "decides" and path.steps["B6"] == "decides"
    found = _this_case(chart_views.overview(baseline, path))
    assert len(found) == 2 and "Emergency care now" in found[0]


def test_svg_shows_protocol_text_literally() -> None:
    text = BASELINE.read_text(encoding="utf-8").replace(
        'label: "Does anyone say a person caused a mark?"',
        'label: "<script>alert(1)</script> & \\u001b[31m"',
    )
    loaded = load_text(text)
    assert loaded.protocol is not None
    svg = chart_draw.svg(chart_views.overview(loaded.protocol))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "\x1b" not in svg
    ET.fromstring(svg)  # still well-formed XML


def test_png_is_1920x1080_and_pdf_is_one_page(baseline: Protocol) -> None:
    scene = chart_views.overview(baseline)
    img = Image.open(io.BytesIO(chart_draw.png(scene)))
    assert img.size == (1920, 1080)
    data = chart_draw.pdf(scene)
    assert data.startswith(b"%PDF-") and len(re.findall(rb"/Type /Page\b", data)) == 1


def test_show_writes_svg_png_and_pdf_views(tmp_path: Path) -> None:
    png = tmp_path / "chart.png"
    r = runner.invoke(
        app, ["show", "--format", "png", "--highlight", str(EAR), "--output", str(png)]
    )
    assert r.exit_code == 0, r.output
    assert Image.open(png).size == (1920, 1080)
    detailed = tmp_path / "detailed.png"
    r = runner.invoke(
        app, ["show", "--format", "png", "--view", "detailed", "--output", str(detailed)]
    )
    assert r.exit_code == 0 and Image.open(detailed).size[0] == 1920
    r = runner.invoke(app, ["show", "--format", "svg", "--view", "detailed"])
    assert r.exit_code == 0 and r.stdout.startswith("<?xml") and "if not independently" in r.stdout
    pdf = tmp_path / "chart.pdf"
    r = runner.invoke(app, ["show", "--format", "pdf", "--view", "overview", "--output", str(pdf)])
    assert r.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF-")
    again = runner.invoke(app, ["show", "--format", "png", "--output", str(png)])
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_view_with_a_text_format_is_a_usage_error() -> None:
    for fmt in ("md", "tree", "dot"):
        r = runner.invoke(app, ["show", "--format", fmt, "--view", "overview"])
        assert r.exit_code == 2 and "--view" in r.stderr


def test_every_bundled_protocol_draws(tmp_path: Path) -> None:
    for path in bundled_files():
        p = _load(path)
        for view in (chart_views.overview, chart_views.detailed):
            assert chart_draw.svg(view(p)).endswith("</svg>\n")


def test_committed_overview_image_is_1920x1080() -> None:
    image = ROOT / "docs" / "flowchart" / "overview-1920x1080.png"
    assert Image.open(image).size == (1920, 1080)


# --- invariants of the layout, whatever the protocol says -----------------------------------------

_WORDS = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12)
_TEXTS = st.lists(_WORDS, min_size=1, max_size=30).map(" ".join)


@settings(max_examples=25, deadline=None)
@given(labels=st.lists(_TEXTS, min_size=3, max_size=3), title=_TEXTS)
def test_any_labels_and_titles_lay_out_without_crossing_or_overlap(
    baseline: Protocol, labels: list[str], title: str
) -> None:
    rules = tuple(
        r.model_copy(update={"label": labels[i % 3][:120] or None})
        for i, r in enumerate(baseline.rules)
    )
    pathways = tuple(
        pw.model_copy(update={"title": title}) if pw.urgency == 3 else pw
        for pw in baseline.pathways
    )
    p = baseline.model_copy(update={"rules": rules, "pathways": pathways})
    for view in (chart_views.overview, chart_views.detailed):
        scene = view(p)
        assert chart.crossings(scene) == []
        assert chart.overlapping_boxes(scene) == []
        for text in chart_views.all_text(scene):
            assert safe.is_safe(text), text  # controls and overrides shown, never raw
        svg = chart_draw.svg(scene)
        ET.fromstring(svg)


def test_advice_that_only_may_apply_is_never_shown_as_added(baseline: Protocol) -> None:
    answers = dict(run(baseline).answers)
    unknown = flowchart.trace(baseline, decide(baseline, answers, context={}))
    known = flowchart.trace(
        baseline,
        decide(baseline, answers, context={"carers": [{"relationship": "father", "seen": "no"}]}),
    )
    assert flowchart.advice_mark(unknown, "C1") == "may apply"
    assert flowchart.advice_mark(known, "C1") == "added"
    assert flowchart.advice_mark(known, "A9") is None
    text = "\n".join(chart_views.all_text(chart_views.detailed(baseline, unknown)))
    flat = " ".join(text.split())
    assert "may apply for this case (an answer it depends on is not known): C1:" in flat
    assert "✔ added for this case: C1" not in flat
    tree = flowchart.tree(baseline, unknown)
    assert "C1  [may apply: an answer it depends on is not known]" in tree


def test_show_says_when_an_overview_cannot_fit_a_1080_screen(tmp_path: Path) -> None:
    text = BASELINE.read_text(encoding="utf-8")
    head, rest = text.split("\nrules:\n", 1)
    rules, tail = re.split(r"\n(?=[a-z_]+:)", rest, maxsplit=1)
    long = "Is this a very long question that a local author wrote out in full " + "x" * 48 + "?"
    rules = re.sub(r'(?m)^    label: ".*"$', f'    label: "{long}"', rules)
    rules = re.sub(r"(?m)^  - id: (B0|B9)$", rf'  - id: \1\n    label: "{long}"', rules)
    # And pathway titles as long as a local text may have them.
    title = "A pathway title that repeats the local procedure's own long sentence " * 4
    head = re.sub(r"(?m)^    title: .*$", f"    title: {title.strip()}", head)
    wordy = tmp_path / "wordy.yaml"
    wordy.write_text(f"{head}\nrules:\n{rules}\n{tail}", encoding="utf-8")
    p = _load(wordy)
    assert chart_views.overview(p).height > 1080  # the test's premise: it cannot fit
    out = tmp_path / "wordy.png"
    r = runner.invoke(app, ["show", str(wordy), "--format", "png", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert "does not fit one 1920x1080 screen at full size" in " ".join(r.stderr.split())
    fits = runner.invoke(app, ["show", "--format", "svg"])
    assert fits.exit_code == 0 and "does not fit" not in fits.stderr

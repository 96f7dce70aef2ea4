"""Every command, in every output format, over a protocol and answers full of hostile text
(`tests/hostile/output/attacks.yaml`): terminal escapes, OSC 52, BEL, a right-to-left override,
zero-width and tag characters, `{nb}`, `<script>`, `](javascript:`, Arabic, Urdu, Chinese,
Devanagari, Bengali, Polish, Welsh and emoji.

Each output must hold no raw control, escape, bidi or zero-width character, run no HTML once
rendered, never crash (also on a latin-1 stream), and show the attack visibly instead of
dropping it; the PDF must carry the non-Latin text (read back with pypdf) and `{nb}` literally.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from pypdf import PdfReader
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import TextQuestion
from tests.conftest import BASE_ANSWERS, BASELINE

_register()
runner = CliRunner()
CORPUS = yaml.safe_load(
    (Path(__file__).parent / "hostile" / "output" / "attacks.yaml").read_text("utf-8")
)
ATTACKS: list[dict[str, str]] = CORPUS["attacks"]
HOSTILE = " | ".join(a["text"] for a in ATTACKS)
NOW = "2026-11-27T10:30:00+00:00"
# Written independently of render.safe: what no output may hold raw. C0 controls but tab and
# newline, DEL, C1, line/paragraph separators, bidi marks, embeddings, overrides and isolates,
# zero-width and invisible format characters, BOM, tag characters.
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\U000e0000-\U000e007f]"
)


def flat(text: str) -> str:
    return " ".join(text.split())


def yaml_json(data: Any) -> str:
    """`data` as JSON that is valid YAML: the characters YAML will not take raw as its escapes
    (`\\uXXXX`, `\\UXXXXXXXX`), so every attack arrives in the parsed text as written."""

    def escape(m: re.Match[str]) -> str:
        code = ord(m.group())
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return RAW.sub(escape, json.dumps(data, ensure_ascii=False))


def raw_characters(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})


# --- the hostile protocol, answers and scenario --------------------------------------------------


def _hostile_protocol() -> dict[str, Any]:
    loaded = load_protocol(BASELINE.read_bytes(), str(BASELINE))
    assert loaded.protocol is not None
    data: dict[str, Any] = loaded.protocol.model_dump(mode="json", by_alias=True, exclude_none=True)
    # Once in each kind of text (every contact, as validate names the placeholder ones): every
    # emitter prints each kind, and a PDF paragraph with Arabic costs fpdf2 time per character.
    data["metadata"]["title"] += " " + HOSTILE
    for contact in data["contacts"]:
        contact["name"] += " " + HOSTILE
    for pathway in data["pathways"][:1]:
        pathway["title"] += " " + HOSTILE
        pathway["actions"][0]["text"] += " " + HOSTILE
    for question in data["questions"][:2]:
        question["prompt"] += " " + HOSTILE
    choice = next(q for q in data["questions"] if q.get("options"))
    choice["options"][0]["label"] += " " + HOSTILE
    data["rules"][0]["because"] += " " + HOSTILE
    # Every free-text answer carries the whole attack: room for it where a question is short.
    for question in data["questions"] + data.get("context_prompts", []):
        if question.get("type") == "text":
            question["max_length"] = max(question.get("max_length", 0), 10_000)
    # Sources are quoted at every citation: the text attacks go into one more, uncited source
    # (listed by the handbook); the address attacks into the most cited ones (every printout).
    data["sources"].append({"id": "hostile_source", "title": HOSTILE, "note": HOSTILE})
    for source, attack in zip(data["sources"], CORPUS["urls"], strict=False):
        source["url"] = attack["url"]
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-output")
    protocol = folder / "hostile.json"  # JSON is YAML: every character survives the round trip
    protocol.write_text(yaml_json(_hostile_protocol()), "utf-8")
    loaded = load_protocol(protocol.read_bytes(), str(protocol))
    assert loaded.protocol is not None, [p.format() for p in loaded.problems][:3]
    texts = [q.id for q in loaded.protocol.questions if isinstance(q, TextQuestion)]
    texts += [q.id for q in loaded.protocol.context_prompts if isinstance(q, TextQuestion)]
    assert texts, "the baseline has free-text questions to attack"
    answers = folder / "answers.json"
    answers.write_text(yaml_json({**BASE_ANSWERS, **dict.fromkeys(texts, HOSTILE)}), "utf-8")
    record = folder / "record.json"
    result = invoke("check", str(protocol), "--answers", str(answers), "--format", "json")
    record.write_text(result.stdout, "utf-8")
    outcome = json.loads(result.stdout)["outcome"]["id"]
    scenarios = folder / "scenarios.json"
    scenarios.write_text(
        yaml_json(
            {
                "description": HOSTILE,
                "cases": [
                    {
                        "id": "hostile",
                        "title": HOSTILE,
                        "narrative": HOSTILE,
                        "answers": {**BASE_ANSWERS, **dict.fromkeys(texts, HOSTILE)},
                        "expect": {"outcome": outcome},
                    }
                ],
            }
        ),
        "utf-8",
    )
    return {
        "folder": folder,
        "protocol": protocol,
        "answers": answers,
        "record": record,
        "scenarios": scenarios,
    }


def invoke(*args: str, input: str | None = None) -> Any:
    result = runner.invoke(app, list(args), input=input, env={"BRUISING_CHECK_NOW": NOW})
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "Traceback" not in result.stdout + result.stderr
    assert_safe(result.stdout, args)
    assert_safe(result.stderr, args)
    return result


# --- what every output must be ----------------------------------------------------------------


def assert_safe(text: str, where: Any) -> None:
    assert not raw_characters(text), (where, raw_characters(text))


class _Tags(HTMLParser):
    """Every tag and attribute an HTML document would act on."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]


def assert_inert_html(html: str, where: Any) -> None:
    parser = _Tags()
    parser.feed(html)
    assert not {"script", "img", "iframe", "object", "embed"} & set(parser.tags), where
    for name, value in parser.attrs:
        assert not name.startswith("on"), (where, name)
        if name in {"href", "src", "xlink:href"}:
            assert re.match(r"(https?://|#)", value), (where, name, value)
            assert "<" not in value and ">" not in value and '"' not in value, (where, value)


def assert_inert_markdown(md: str, where: Any) -> None:
    assert_inert_html(MarkdownIt("commonmark").render(md), where)
    # With tables on (GitHub) too: a cell must not end early and leave markup behind.
    assert_inert_html(MarkdownIt("commonmark").enable("table").render(md), where)


def strings(data: Any) -> list[str]:
    """Every string in parsed JSON."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in strings(k) + strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return []


def keeps_hostile(data: Any) -> bool:
    return any(HOSTILE in s for s in strings(data))


def assert_shows_attacks(text: str, where: Any, *, pdf: bool = False) -> None:
    shown = flat(text)
    for attack in ATTACKS:
        expected = attack.get("pdf_shown", attack["shown"]) if pdf else attack["shown"]
        if pdf and attack.get("rtl"):
            # pypdf reads a right-to-left line in visual order: the words, each as written.
            assert all(word in shown for word in expected.split()), (where, attack["id"])
        else:
            assert flat(expected) in shown, (where, attack["id"])


# --- check --answers in every format ------------------------------------------------------------


def test_check_text_shows_every_attack(files: dict[str, Path]) -> None:
    result = invoke("check", str(files["protocol"]), "--answers", str(files["answers"]))
    assert_shows_attacks(result.stdout, "check text")


def test_check_markdown_runs_no_html(files: dict[str, Path]) -> None:
    args = ("check", str(files["protocol"]), "--answers", str(files["answers"]), "--format", "md")
    md = invoke(*args).stdout
    assert_inert_markdown(md, "check md")
    assert "\\x1b\\]52;" in md and "中文名字" in md and "اسم الطفل" in md


def test_check_html_runs_no_html(files: dict[str, Path]) -> None:
    args = ("check", str(files["protocol"]), "--answers", str(files["answers"]), "--format", "html")
    html = invoke(*args).stdout
    assert_inert_html(html, "check html")
    assert "&lt;script&gt;" in html and "\\u202e" in html and "中文名字" in html
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    ET.fromstring(svg)  # the body map is well-formed XML: no raw control characters in it


def test_check_json_keeps_the_text_as_written(files: dict[str, Path]) -> None:
    args = ("check", str(files["protocol"]), "--answers", str(files["answers"]), "--format", "json")
    out = invoke(*args).stdout
    record = json.loads(out)  # escapes in JSON: the parsed text is exactly what was answered
    assert keeps_hostile(record)
    assert "\\u001b]52;" in out and "\\u202e" in out


def test_check_pdf_prints_every_script(files: dict[str, Path]) -> None:
    out = files["folder"] / "check.pdf"
    args = ("check", str(files["protocol"]), "--answers", str(files["answers"]), "--output")
    with pytest.warns(UserWarning, match=r"U\+1F600"):  # the emoji: no bundled font has it
        invoke(*args, str(out))
    text = pdf_text(out)
    assert_safe(text, "check pdf")
    assert_shows_attacks(text, "check pdf", pdf=True)
    assert_no_unsafe_links(out)


def test_check_record_dir_saves_both(files: dict[str, Path]) -> None:
    folder = files["folder"] / "records"
    folder.mkdir()
    args = ("check", str(files["protocol"]), "--answers", str(files["answers"]), "--record-dir")
    with pytest.warns(UserWarning, match=r"U\+1F600"):
        invoke(*args, str(folder), "--format", "pdf")
    saved = sorted(p.suffix for p in folder.iterdir())
    assert saved == [".json", ".pdf"]


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    # fpdf2 maps only the first glyph of a shaped Indic cluster back to text; pypdf shows the
    # others as their glyph number. That is extraction, not what is printed: drop them here.
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return re.sub("[\x01-\x08]", "", text)


def assert_no_unsafe_links(path: Path) -> None:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            assert not uri or re.match(r"https?://[^<>\"]+$", uri), uri


# --- validate, diff, show ----------------------------------------------------------------------


def test_validate_shows_the_contact_name_escaped(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["protocol"]))
    assert "\\x1b]0;pwned\\x07" in result.stderr and "\\u202eevil" in result.stderr
    assert "PLACEHOLDER" in result.stderr or "placeholder" in result.stderr


def test_validate_json(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["protocol"]), "--format", "json")
    # Messages quote names (shortened): the JSON keeps the escape as written, once parsed.
    assert any("\x1b]0;pwned\x07" in s for s in strings(json.loads(result.stdout)))


@pytest.mark.parametrize("fmt", ["text", "md", "json", "html"])
def test_diff(files: dict[str, Path], fmt: str) -> None:
    out = invoke("diff", str(BASELINE), str(files["protocol"]), "--format", fmt).stdout
    assert "UNCHANGED" not in out and out.strip()
    if fmt == "md":
        assert_inert_markdown(out, "diff md")
    elif fmt == "html":
        assert_inert_html(out, "diff html")
    elif fmt == "json":
        assert keeps_hostile(json.loads(out))
    else:
        assert "\\x1b]52;" in out


@pytest.mark.parametrize("fmt", ["tree", "mermaid", "dot", "md", "html"])
def test_show(files: dict[str, Path], fmt: str) -> None:
    out = invoke("show", str(files["protocol"]), "--format", fmt).stdout
    assert "x1b" in out or "u001b" in out  # shown (as each format escapes it), not dropped
    if fmt == "md":
        assert_inert_markdown(out, "show md")
    elif fmt == "html":
        assert_inert_html(out, "show html")


def test_show_pdf_handbook(files: dict[str, Path]) -> None:
    out = files["folder"] / "handbook.pdf"
    with pytest.warns(UserWarning, match=r"U\+1F600"):
        invoke("show", str(files["protocol"]), "--format", "pdf", "--output", str(out))
    text = pdf_text(out)
    assert_safe(text, "show pdf")
    assert_shows_attacks(text, "show pdf", pdf=True)
    assert_no_unsafe_links(out)


def test_show_svg(files: dict[str, Path]) -> None:
    """The SVG is written by us (both views): hostile protocol text stays text."""
    out = files["folder"] / "flow.svg"
    result = invoke("show", str(files["protocol"]), "--format", "svg", "--output", str(out))
    assert result.exit_code == 0, result.stderr[-500:]
    svg = out.read_text("utf-8")
    assert_safe(svg, "show svg")
    assert_inert_html(svg, "show svg")
    ET.fromstring(svg)


# --- test, demo, verify-record, protocols -------------------------------------------------------


def test_test_and_junit(files: dict[str, Path]) -> None:
    junit = files["folder"] / "junit.xml"
    result = invoke("test", str(files["protocol"]), str(files["scenarios"]), "--junit", str(junit))
    assert result.exit_code == 0, result.stderr[-500:]
    xml = junit.read_text("utf-8")
    assert_safe(xml, "junit")
    ET.fromstring(xml)


def test_demo(files: dict[str, Path]) -> None:
    scenario = f"{files['scenarios']}#hostile"
    result = invoke("demo", str(files["protocol"]), "--scenario", scenario, "--no-pause")
    assert result.exit_code == 0, result.stderr[-500:]
    assert "\\x1b]52;" in result.stdout and "中文名字" in result.stdout


def test_verify_record(files: dict[str, Path]) -> None:
    result = invoke("verify-record", str(files["record"]), "--protocol", str(files["protocol"]))
    assert result.exit_code == 0, result.stdout[-500:] + result.stderr[-500:]


def test_protocols_and_schema() -> None:
    invoke("protocols")
    json.loads(invoke("schema").stdout)


# --- a narrow output encoding never crashes ------------------------------------------------------


def cli(*args: str, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "BRUISING_CHECK_NOW": NOW}
    return subprocess.run(
        [sys.executable, "-m", "bruising_check", *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_narrow_encoding_check_diff_show(files: dict[str, Path], encoding: str) -> None:
    protocol, answers = str(files["protocol"]), str(files["answers"])
    runs = [
        ("check", protocol, "--answers", answers),
        ("check", protocol, "--answers", answers, "--format", "json"),
        ("diff", str(BASELINE), protocol),
        ("show", protocol),
        ("validate", protocol),
    ]
    for args in runs:
        done = cli(*args, encoding=encoding)
        stdout, stderr = done.stdout.decode(encoding), done.stderr.decode(encoding)
        assert "Traceback" not in stderr and "UnicodeEncodeError" not in stderr, args
        assert done.returncode in (0, 1), (args, stderr[-300:])
        assert_safe(stdout, args)
        if args[0] != "validate":  # validate's messages may not quote the Chinese name
            assert "\\u4e2d\\u6587" in stdout + stderr, args  # 中文, as codes to look up
            assert stderr.count("cannot show") == 1, args  # and one warning that says so
        if "json" in args:
            assert keeps_hostile(json.loads(stdout))


# --- the guided screen ---------------------------------------------------------------------------


def test_guided_screen_shows_protocol_and_typed_text_literally(files: dict[str, Path]) -> None:
    from tests.test_guided_cli import CONTEXT, typed
    from tests.test_guided_session import V01

    said = HOSTILE.replace("\r", "")  # a typed line ends at a carriage return
    replies = [*V01[:10], said, *V01[11:], "", *CONTEXT, "n"]
    result = invoke("check", str(files["protocol"]), "--plain", input=typed(*replies))
    assert "\\u202eevil" in result.stdout and "\\x1b]52;" in result.stdout
    assert "中文名字" in result.stdout


# --- the commands and formats not covered above -------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_diff_board_paper(files: dict[str, Path], fmt: str) -> None:
    out = invoke("diff", str(BASELINE), str(files["protocol"]), "--board", "--format", fmt).stdout
    assert out.strip()
    if fmt == "md":
        assert_inert_markdown(out, "board md")
    elif fmt == "html":
        assert_inert_html(out, "board html")
    else:
        assert "\\x1b]52;" in out  # the title's attack, shown


def test_diff_board_paper_pdf(files: dict[str, Path]) -> None:
    out = files["folder"] / "board.pdf"
    args = ("diff", str(BASELINE), str(files["protocol"]), "--board", "--format", "pdf")
    with pytest.warns(UserWarning, match=r"U\+1F600"):
        invoke(*args, "--output", str(out))
    text = pdf_text(out)
    assert_safe(text, "board pdf")
    assert "x1b]52;" in text
    assert_no_unsafe_links(out)


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_diff_case_impact(files: dict[str, Path], fmt: str) -> None:
    """Cases re-run under both versions: a saved record and a scenario file, each holding the
    attacks in its answers and titles."""
    scenarios = files["folder"] / "scenarios.yaml"  # YAML escapes (`\\U...`) that JSON lacks
    scenarios.write_text(files["scenarios"].read_text("utf-8"), "utf-8")
    cases = ("--cases", str(files["record"]), "--cases", str(scenarios))
    out = invoke("diff", str(BASELINE), str(files["protocol"]), *cases, "--format", fmt).stdout
    if fmt == "md":
        assert_inert_markdown(out, "impact md")
    elif fmt == "html":
        assert_inert_html(out, "impact html")
    elif fmt == "json":
        assert json.loads(out)["impact"]["total"] == 2
    else:
        assert "Cases given: 2; run under both versions: " in out


def test_validate_against(files: dict[str, Path]) -> None:
    args = ("validate", str(files["protocol"]), "--against", str(BASELINE), "--budget", "120")
    result = invoke(*args)
    assert "\\x1b]0;pwned\\x07" in result.stderr  # the contact names, as plain validate shows
    report = json.loads(invoke(*args, "--format", "json").stdout)
    assert report[0]["against"] is not None


def test_migrate_answers(files: dict[str, Path]) -> None:
    from tests.conftest import BASE_ANSWERS_V1

    v1 = files["folder"] / "v1.json"
    kept = {"explanation_verbatim": HOSTILE}  # becomes the mark's account
    left_out = {"notes": HOSTILE, HOSTILE: HOSTILE}  # named in comments and on stderr
    v1.write_text(yaml_json({**BASE_ANSWERS_V1, **kept, **left_out}), "utf-8")
    result = invoke("migrate-answers", str(v1))
    assert "\\x1b]52;" in result.stdout and "\\x1b]52;" in result.stderr
    saved = files["folder"] / "v2.yaml"
    invoke("migrate-answers", str(v1), "--output", str(saved))
    written = saved.read_text("utf-8")
    assert_safe(written, "migrated")
    assert keeps_hostile(yaml.safe_load(written))  # YAML escapes: the account as written


def test_quiz_screen_result_sheet_save_and_review(files: dict[str, Path]) -> None:
    sheet, saved = files["folder"] / "sheet.pdf", files["folder"] / "quiz.json"
    args = ("quiz", str(files["protocol"]), "--scenarios", str(files["scenarios"]), "--no-pause")
    with pytest.warns(UserWarning, match=r"U\+1F600"):
        result = invoke(*args, "--save", str(saved), "--summary", str(sheet), input="1\n" * 40)
    assert result.exit_code == 0, result.stderr[-500:]
    assert "\\x1b]52;" in result.stdout and "中文名字" in result.stdout
    text = pdf_text(sheet)
    assert_safe(text, "quiz sheet")
    assert "x1b]52;" in text
    written = saved.read_text("utf-8")
    assert_safe(written, "quiz save")  # C1 and bidi as \\u escapes: --review reads it back
    assert keeps_hostile(json.loads(written))
    review = invoke("quiz", "--review", str(saved), "--no-pause")
    assert review.exit_code == 0 and "\\x1b]52;" in review.stdout


def test_demo_slides(files: dict[str, Path]) -> None:
    slides = files["folder"] / "slides.html"
    scenario = f"{files['scenarios']}#hostile"
    invoke("demo", str(files["protocol"]), "--scenario", scenario, "--slides", str(slides))
    page = slides.read_text("utf-8")
    assert_safe(page, "slides")
    assert "&lt;script&gt;" in page and "中文名字" in page


@pytest.mark.parametrize("fmt", ["tree", "svg"])
def test_show_detailed_with_a_highlighted_case(files: dict[str, Path], fmt: str) -> None:
    if fmt == "tree":  # the text flowchart has one view
        tree = ("show", str(files["protocol"]), "--highlight", str(files["answers"]))
        assert "x1b" in invoke(*tree, "--format", "tree").stdout
        return
    args = ("show", str(files["protocol"]), "--view", "detailed", "--highlight")
    svg = files["folder"] / "detailed.svg"
    invoke(*args, str(files["answers"]), "--format", "svg", "--output", str(svg))
    drawn = svg.read_text("utf-8")
    assert_safe(drawn, "detailed svg")
    assert_inert_html(drawn, "detailed svg")
    ET.fromstring(drawn)


def test_show_png_is_drawn(files: dict[str, Path]) -> None:
    """The PNG is pixels: the hostile text is drawn, not sent anywhere; it must not crash."""
    png = files["folder"] / "flow.png"
    invoke("show", str(files["protocol"]), "--format", "png", "--output", str(png))
    assert png.read_bytes().startswith(b"\x89PNG")


def test_test_coverage(files: dict[str, Path]) -> None:
    result = invoke("test", str(files["protocol"]), str(files["scenarios"]), "--coverage")
    assert result.exit_code == 0, result.stderr[-500:]

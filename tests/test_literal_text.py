"""Text from a protocol or a user appears literally in every output of `check --answers`: rich
markup, HTML, terminal escape and control sequences and direction overrides are shown, not obeyed.
(HTML and PDF renderers are built elsewhere; they are not in this branch yet.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from tests.conftest import BASE_ANSWERS, BASELINE, mark

_register()
runner = CliRunner()

MARKUP = "[bold red]ALARM[/bold red]"
HTML = "<script>alert('x')</script><b>bold</b>&amp;"
ESCAPES = "\x1b[2J\x1b]0;title\x07\x08\x9b31m\u202eevil"
HOSTILE = f"{MARKUP} {HTML} {ESCAPES}"
# What a terminal would obey: ESC, BEL, backspace, the 8-bit CSI, a right-to-left override.
OBEYED = re.compile("[\x1b\x07\x08\x9b\u202e]")


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("literal")
    text = BASELINE.read_text(encoding="utf-8")
    for old, new in (
        (
            '- {id: cheek, label: "Face: cheek (the fleshy part)"}',
            f"- {{id: cheek, label: {yaml_quoted('Cheek ' + HOSTILE)}}}",
        ),
        (
            'prompt: "Anything else to record (optional; no names or identifying details):"',
            f"prompt: {yaml_quoted('Anything else? ' + HOSTILE)}",
        ),
    ):
        assert old in text
        text = text.replace(old, new)
    url = "https://www.nice.org.uk/guidance/cg89/chapter/recommendations"
    assert url in text
    text = text.replace(url, "https://x.test/a><img src=x onerror=alert(1)>", 1)
    text = text.replace(
        "url: https://childsafeguarding", "url: javascript:alert(1)//childsafeguarding", 1
    )
    protocol = folder / "hostile-text.yaml"
    protocol.write_text(text, encoding="utf-8")
    answers = folder / "answers.json"
    answers.write_text(
        json.dumps(
            {
                **BASE_ANSWERS,
                "notes": "notes " + HOSTILE,
                "marks": [mark(explained_by="mother", account="said " + HOSTILE)],
                "context_notes": "context " + HOSTILE,
            }
        ),
        encoding="utf-8",
    )
    return protocol, answers


def run(files: tuple[Path, Path], fmt: str) -> str:
    protocol, answers = files
    result = runner.invoke(
        app, ["check", str(protocol), "--answers", str(answers), "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def test_text_shows_markup_html_and_escapes_literally(files: tuple[Path, Path]) -> None:
    out = run(files, "text")
    assert not OBEYED.search(out)
    shown = "\\x1b[2J\\x1b]0;title\\x07\\x08\\x9b31m\\u202eevil"
    for prefix in ("Cheek ", "Anything else? ", "notes ", "said ", "context "):
        assert flat(f"{prefix}{MARKUP} {HTML} {shown}") in flat(out), prefix


def test_markdown_escapes_markup_html_and_shows_escapes(files: tuple[Path, Path]) -> None:
    out = run(files, "md")
    assert not OBEYED.search(out)
    assert "<script>" not in out and "<b>" not in out  # no HTML takes effect when rendered
    assert "<img" not in out and "<javascript" not in out  # nor a link a source smuggles in
    assert "&#60;img src=x onerror=alert(1)&#62;" in out
    assert "javascript:alert(1)//childsafeguarding" in out  # shown as text, not a link
    assert "<javascript:" not in out and "](javascript" not in out
    assert "&#60;script&#62;" in out
    assert "\\[bold red\\]ALARM\\[/bold red\\]" in out
    assert "\\x1b\\[2J" in out
    for prefix in ("Cheek", "Anything else?", "notes", "said", "context"):
        assert prefix in out


def test_json_holds_the_exact_text_and_no_raw_controls(files: tuple[Path, Path]) -> None:
    out = run(files, "json")
    assert not OBEYED.search(out)  # escaped as \\u001b, \\u009b, \\u202e ...
    record = json.loads(out)
    assert record["answers"]["notes"] == "notes " + HOSTILE
    assert record["answers"]["marks"][0]["account"] == "said " + HOSTILE
    labels = {q["id"]: q for q in record["questions"]}
    fields = {f["id"]: f for f in record["marks"][0]["fields"]}
    assert record["marks"][0]["site_label"] == "Cheek " + HOSTILE
    assert fields["site"]["answer_label"] == "Cheek " + HOSTILE
    assert fields["account"]["answer"] == "said " + HOSTILE
    assert labels["notes"]["prompt"] == "Anything else? " + HOSTILE
    context = {c["id"]: c for c in record["context"]}
    assert context["context_notes"]["answer"] == "context " + HOSTILE


def test_problem_messages_show_escapes_from_the_file(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(
        json.dumps({**BASE_ANSWERS, "marks": [mark(explanation=HOSTILE)]}), encoding="utf-8"
    )
    result = runner.invoke(app, ["check", "--answers", str(answers)])
    assert result.exit_code == 1
    assert not OBEYED.search(result.stderr)
    assert "[bold red]ALARM[/bold red]" in result.stderr

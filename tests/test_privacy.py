"""Privacy: no network anywhere in the package, no local variables in tracebacks, saved files
readable only by their owner, and nothing identifying required by the bundled protocol."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from bruising_check.protocol.bundled import bundled_files
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import TextQuestion
from tests.conftest import BASE_ANSWERS, BASELINE, ROOT

NO_NETWORK = textwrap.dedent(
    """
    import importlib, json, pkgutil, socket, sys
    attempts = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(name)
            raise OSError("network disabled by the test: " + name)
        return blocked

    for name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair"):
        setattr(socket, name, refuse(name))

    class BlockedSocket(socket.socket):  # a class, so that ssl can still subclass it
        def __init__(self, *args, **kwargs):
            refuse("socket")()

    socket.socket = BlockedSocket

    import bruising_check
    modules = [m.name for m in pkgutil.walk_packages(bruising_check.__path__, "bruising_check.")]
    for name in modules:
        if not name.endswith("__main__"):  # importing it would run the command line
            importlib.import_module(name)

    from typer.testing import CliRunner
    from bruising_check.cli import _register, app
    _register()
    runner = CliRunner()
    answers, out = sys.argv[1], sys.argv[2]
    codes = {}
    for args in (
        ["validate", "protocols/national-baseline.yaml"],
        ["check", "--answers", answers, "--format", "text"],
        ["check", "--answers", answers, "--format", "md"],
        ["check", "--answers", answers, "--format", "json", "--output", out],
        ["verify-record", out],
        ["schema"],
        ["protocols"],
        ["--help"],
    ):
        result = runner.invoke(app, args)
        codes[" ".join(args)] = result.exit_code
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args, result.exception)
    during = list(attempts)
    # The control: a real connection attempt is caught, so an attempt by the package would be.
    for probe in (lambda: socket.create_connection(("127.0.0.1", 9)), lambda: socket.socket()):
        try:
            probe()
        except OSError:
            pass
    print(json.dumps({"modules": modules, "codes": codes, "attempts": during,
                      "control": attempts[len(during):]}))
    """
)


def test_no_network_access_anywhere(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(BASE_ANSWERS), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, str(answers), str(tmp_path / "record.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["attempts"] == []
    assert report["control"] == ["create_connection", "socket"]
    assert "bruising_check.cli.records" in report["modules"]
    assert len(report["modules"]) >= 20
    # validate exits 0 (placeholder contacts are warnings); everything else succeeded too.
    assert set(report["codes"].values()) == {0}, report["codes"]


SENTINEL = "SENTINEL-Jane-Doe-19-Acacia-Avenue"
CRASH = textwrap.dedent(
    """
    import sys
    import bruising_check.engine.decide as engine

    def broken(*args, **kwargs):
        raise RuntimeError("forced internal error")

    engine.decide = broken
    from bruising_check.cli import _register, app, main
    if sys.argv[-1] == "--show-locals":
        sys.argv.pop()
        app.pretty_exceptions_show_locals = True
    sys.argv[0] = "bruising-check"
    main()
    """
)


def crash(answers: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    env.pop("_TYPER_STANDARD_TRACEBACK", None)
    return subprocess.run(
        [sys.executable, "-c", CRASH, "check", "--answers", str(answers), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_a_traceback_never_shows_local_variables(tmp_path: Path) -> None:
    # In the notes answer and in the file's name: both are local variables of the command.
    answers = tmp_path / f"{SENTINEL}.yaml"
    answers.write_text(yaml.safe_dump({**BASE_ANSWERS, "notes": SENTINEL}), encoding="utf-8")
    done = crash(answers)
    assert done.returncode == 1
    assert "forced internal error" in done.stderr  # the traceback itself is shown ...
    assert SENTINEL not in done.stderr + done.stdout  # ... but not the answers it held
    # The control: with locals switched on, the same crash does print the sentinel, so the test
    # above would have seen it.
    shown = crash(answers, "--show-locals")
    assert SENTINEL in shown.stderr


def test_saved_records_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bruising_check.cli import _register, app

    _register()
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(BASE_ANSWERS), encoding="utf-8")
    old = os.umask(0)
    try:
        for fmt in ("json", "md", "text"):
            # A printable record is saved with its JSON record beside it: one stem per format.
            out = tmp_path / f"record-{fmt}.{fmt}"
            result = CliRunner().invoke(
                app, ["check", "--answers", str(answers), "--format", fmt, "--output", str(out)]
            )
            assert result.exit_code == 0, result.output
            for saved in (out, out.with_suffix(".json")):
                assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    finally:
        os.umask(old)


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_nothing_identifying_is_required(path: Path) -> None:
    loaded = load_protocol(path.read_bytes(), str(path))
    assert loaded.protocol is not None
    p = loaded.protocol
    identifying = ("name", "nhs", "date_of_birth", "dob", "address", "postcode", "phone", "email")
    for q in (*p.questions, *p.context_prompts):
        assert not any(word in q.id for word in identifying), q.id
        if isinstance(q, TextQuestion):
            # Free text could hold anything: never required, and the prompt says so.
            assert not q.required, q.id
            assert "optional" in q.prompt.lower(), q.id
    for q in p.context_prompts:
        assert not q.required, q.id


def test_a_check_needs_no_identifying_detail() -> None:
    """The baseline answers alone (no names, dates of birth or references) give a full record."""
    from bruising_check.engine.answers import check_answers
    from bruising_check.protocol.yamlread import read_yaml

    loaded = load_protocol(BASELINE.read_bytes(), str(BASELINE))
    assert loaded.protocol is not None
    checked = check_answers(loaded.protocol, read_yaml(json.dumps(BASE_ANSWERS), "a.json"))
    assert checked.ok

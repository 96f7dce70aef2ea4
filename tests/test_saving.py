"""Issue 13, point 3: a finished check is never lost, and every file the tool writes is new, never
through a symlink, and owner-only."""

from __future__ import annotations

import codecs
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import bruising_check.records.session as session_module
from bruising_check.cli import _register, app
from bruising_check.records import store
from tests.conftest import BASELINE_V1
from tests.test_guided_cli import CONTEXT, ENV, typed
from tests.test_guided_session import V01  # replies to the v1 baseline

_register()
runner = CliRunner()
STAMP = "bruising-check-20261127-103000"
FINISHED = [*V01, "", *CONTEXT]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the pair ---------------------------------------------------------------------------------


def test_a_pair_is_linked_record_first_and_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0)
    try:
        saved = store.write_together([(tmp_path / "r.json", b"{}"), (tmp_path / "r.pdf", b"%PDF")])
    finally:
        os.umask(old_umask)
    assert saved == [tmp_path / "r.json", tmp_path / "r.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.pdf"]
    assert {_mode(p) for p in saved} == {0o600}


def test_a_failed_second_link_takes_back_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.link

    def link(src: object, dst: object) -> None:
        if str(dst).endswith(".pdf"):
            raise OSError(28, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link)
    with pytest.raises(OSError, match="No space"):
        store.write_together([(tmp_path / "r.json", b"{}"), (tmp_path / "r.pdf", b"%PDF")])
    assert list(tmp_path.iterdir()) == []


def test_a_later_save_finishes_a_pair_a_kill_left_half_linked(tmp_path: Path) -> None:
    token = "p" + "0" * 16
    record, printable = tmp_path / "c.json", tmp_path / "c.pdf"
    (tmp_path / f".c.json.{token}.partial").write_bytes(b"{}")
    (tmp_path / f".c.pdf.{token}.partial").write_bytes(b"%PDF")
    os.link(tmp_path / f".c.json.{token}.partial", record)  # killed before the second link
    store.write_new(tmp_path / "other.json", b"[]")
    assert printable.read_bytes() == b"%PDF" and record.read_bytes() == b"{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "c.pdf", "other.json"]


def test_partials_of_a_pair_nothing_of_which_is_visible_are_kept(tmp_path: Path) -> None:
    token = "p" + "1" * 16
    partial = tmp_path / f".c.json.{token}.partial"
    partial.write_bytes(b"{}")
    hours_ago = time.time() - 7200
    os.utime(partial, (hours_ago, hours_ago))
    store.write_new(tmp_path / "other.json", b"[]")
    assert partial.read_bytes() == b"{}"  # the only copy: never deleted
    assert not (tmp_path / "c.json").exists()  # and never guessed complete


PAIR_CHILD = """
import sys, time
from pathlib import Path
from bruising_check.records.store import write_together
out = Path(sys.argv[1])
print("ready", flush=True)
start = time.perf_counter()
write_together([(out / "c.json", b"{" + b" " * 2**23 + b"}"), (out / "c.pdf", b"%" * 2**23)])
print("done", time.perf_counter() - start, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_pair_killed_at_any_moment_is_never_a_printable_without_its_record(
    tmp_path: Path,
) -> None:
    def start(out: Path) -> subprocess.Popen[str]:
        out.mkdir()
        child = subprocess.Popen(
            [sys.executable, "-c", PAIR_CHILD, str(out)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        return child

    # How long one save takes on this machine now, so the kills can be spread across it.
    stdout, _ = start(tmp_path / "timing").communicate(timeout=60)
    duration = float(stdout.split()[-1])
    outcomes = set()
    runs = 16
    for i in range(runs):
        out = tmp_path / str(i)
        child = start(out)
        late = i >= runs - 2  # the last two well after the save, whatever the load
        time.sleep(duration * 4 + 0.1 if late else duration * 2 * i / (runs - 3))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
        assert visible in (set(), {"c.json"}, {"c.json", "c.pdf"}), visible
        store.recover_partials(out)
        visible = {p.name for p in out.iterdir() if not p.name.startswith(".")}
        assert visible in (set(), {"c.json", "c.pdf"}), visible
        if visible:
            assert (out / "c.pdf").read_bytes() == b"%" * 2**23
        outcomes.add(bool(visible))
    assert outcomes == {False, True}  # kills landed both before and after


# --- saving a finished check ------------------------------------------------------------------


def _render(kind: str) -> bytes:
    return f"<{kind}>".encode()


def test_a_taken_name_asks_again_and_saves_where_told(tmp_path: Path) -> None:
    taken = tmp_path / "mine.pdf"
    taken.write_bytes(b"someone else's")
    said: list[str] = []
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return str(tmp_path / "second.pdf")

    saved = store.save_check(
        _render, "pdf", "2026-11-27T10:30:00+00:00", taken, None, ask=ask, say=said.append
    )
    assert saved == [tmp_path / "second.pdf", tmp_path / "second.json"]
    assert taken.read_bytes() == b"someone else's"
    assert "already exists" in said[0] and len(asked) == 1


def test_with_no_one_to_ask_a_vanished_folder_gives_an_emergency_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    said: list[str] = []
    saved = store.save_check(
        _render,
        "md",
        "2026-11-27T10:30:00+00:00",
        None,
        tmp_path / "gone",
        ask=None,
        say=said.append,
    )
    rescue = tmp_path / "state" / "bruising-check" / "unsaved"
    assert saved == [rescue / f"{STAMP}.md", rescue / f"{STAMP}.json"]
    assert _mode(rescue) == 0o700 and {_mode(p) for p in saved} == {0o600}
    assert "no such folder" in said[0] and str(rescue) in said[-1]


def test_ctrl_c_at_the_question_still_keeps_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def ask(prompt: str) -> str:
        raise KeyboardInterrupt

    saved = store.save_check(
        _render, "json", "2026-11-27T10:30:00+00:00", None, tmp_path / "gone", ask=ask, say=print
    )
    assert saved[0].read_bytes() == b"<json>"


def test_the_guided_check_keeps_its_answers_when_the_folder_vanishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--record-dir` removed while the questions were being answered: no terminal here, so the
    check is saved in the emergency folder and the message says where."""
    folder = tmp_path / "records"
    folder.mkdir()
    real_run = session_module.Session.run

    def run_then_remove(self: session_module.Session) -> object:
        outcome = real_run(self)
        folder.rmdir()
        return outcome

    monkeypatch.setattr(session_module.Session, "run", run_then_remove)
    env = {**ENV, "XDG_STATE_HOME": str(tmp_path / "state")}
    result = runner.invoke(
        app,
        ["check", str(BASELINE_V1), "--record-dir", str(folder), "--format", "md"],
        input=typed(*FINISHED, "", "", ""),
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "nothing was saved there" in result.stderr
    rescue = tmp_path / "state" / "bruising-check" / "unsaved"
    record = json.loads((rescue / f"{STAMP}.json").read_text(encoding="utf-8"))
    assert record["answers"]["age_weeks"] == 10
    assert f"Saved {rescue / STAMP}.md" in result.stdout


def test_the_guided_check_keeps_its_answers_when_the_output_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "check.md"
    real_run = session_module.Session.run

    def run_then_create(self: session_module.Session) -> object:
        outcome = real_run(self)
        out.write_bytes(b"someone else's")
        return outcome

    monkeypatch.setattr(session_module.Session, "run", run_then_create)
    env = {**ENV, "XDG_STATE_HOME": str(tmp_path / "state")}
    result = runner.invoke(
        app,
        ["check", str(BASELINE_V1), "--output", str(out)],
        input=typed(*FINISHED, "", "", ""),
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"someone else's"
    assert (tmp_path / "state" / "bruising-check" / "unsaved" / f"{STAMP}.json").exists()


def test_a_failed_guided_save_shows_escapes_in_the_name_never_obeys_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "\x1b]52;c;ZXZpbA==\x07\x1b[2J.md"
    real_run = session_module.Session.run

    def run_then_create(self: session_module.Session) -> object:
        outcome = real_run(self)
        out.write_bytes(b"someone else's")
        return outcome

    monkeypatch.setattr(session_module.Session, "run", run_then_create)
    env = {**ENV, "XDG_STATE_HOME": str(tmp_path / "state")}
    result = runner.invoke(
        app,
        ["check", str(BASELINE_V1), "--output", str(out)],
        input=typed(*FINISHED, "", "", ""),
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "nothing was saved there" in result.stderr
    assert "\x1b" not in result.stderr and "\\x1b]52;" in result.stderr


def test_a_non_utf8_practitioner_is_kept_as_an_escape(tmp_path: Path) -> None:
    name = b"Zo\xeb".decode("utf-8", "surrogateescape")  # as Python reads a latin-1 argv
    result = runner.invoke(
        app,
        [
            "check",
            str(BASELINE_V1),
            "--record-dir",
            str(tmp_path),
            "--format",
            "json",
            "--practitioner",
            name,
        ],
        input=typed(*FINISHED, "", ""),
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / f"{STAMP}.json").read_text(encoding="utf-8"))
    assert record["header"]["practitioner"] == "Zo\\xeb"


@given(st.text())
def test_keep_escaped_always_encodes_and_keeps_valid_text(text: str) -> None:
    kept = store.keep_escaped(text)
    kept.encode("utf-8")
    if not any("\ud800" <= c <= "\udfff" for c in text):
        assert kept == text


# --- every file the tool writes ---------------------------------------------------------------


def test_junit_never_overwrites_or_follows_a_symlink(tmp_path: Path) -> None:
    from tests.conftest import ROOT

    scenarios = ROOT / "protocols" / "scenarios" / "baseline-rules.yaml"
    record = tmp_path / "saved-record.json"
    record.write_text("the only copy", encoding="utf-8")
    link = tmp_path / "junit.xml"
    link.symlink_to(record)
    result = runner.invoke(app, ["test", "national-baseline", str(scenarios), "--junit", str(link)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert record.read_text(encoding="utf-8") == "the only copy"
    dangling = tmp_path / "dangling.xml"
    dangling.symlink_to(tmp_path / "elsewhere.xml")
    result = runner.invoke(
        app, ["test", "national-baseline", str(scenarios), "--junit", str(dangling)]
    )
    assert result.exit_code == 2 and not (tmp_path / "elsewhere.xml").exists()
    fresh = tmp_path / "new.xml"
    assert runner.invoke(
        app, ["test", "national-baseline", str(scenarios), "--junit", str(fresh)]
    ).exit_code in (0, 1)
    assert _mode(fresh) == 0o600 and fresh.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "national-baseline", "exampleshire-v2", "--output"],
        ["show", "national-baseline", "--format", "md", "--output"],
    ],
)
def test_output_of_diff_and_show_never_follows_a_symlink(tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    result = runner.invoke(app, [*args, str(link)])
    assert result.exit_code == 2 and target.read_text(encoding="utf-8") == "keep"


def test_git_never_sees_an_option_from_a_diff_version(tmp_path: Path) -> None:
    written = tmp_path / "written"
    result = runner.invoke(
        app, ["diff", "--", "national-baseline", f"--output={written}:protocols/x.yaml"]
    )
    assert result.exit_code == 2
    assert "not a protocol version" in result.stderr
    assert not written.exists()


def test_in_a_terminal_a_failed_save_asks_for_another_folder(tmp_path: Path) -> None:
    """A real terminal: the record folder vanishes during the questions and the name is typed
    in latin-1; the check asks where else to save, and the name is kept as an escape."""
    import pexpect

    from tests.test_guided_pty import PROMPT, spawn

    folder = tmp_path / "records"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    child = spawn(tmp_path, "--record-dir", str(folder), "--format", "md")
    # The terminal echoes the latin-1 byte back: read it as a replacement character.
    child._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for reply in V01:
        child.expect(PROMPT)
        child.sendline(reply)
    child.expect("Review your answers")
    child.expect(PROMPT)
    child.sendline("")
    for reply in CONTEXT:
        child.expect(PROMPT)
        child.sendline(reply)
    child.expect("Your name")
    folder.rmdir()
    os.write(child.child_fd, b"Zo\xeb\r")  # bytes, not text: not UTF-8
    for label in ("Your role", "Child reference"):
        child.expect(label)
        child.sendline("")
    child.expect("nothing was saved there")
    child.expect("Type another file name or folder")
    child.sendline(str(elsewhere))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    record = json.loads((elsewhere / f"{STAMP}.json").read_text(encoding="utf-8"))
    assert record["answers"]["age_weeks"] == 10
    assert record["header"]["practitioner"] == "Zo\\xeb"
    assert (elsewhere / f"{STAMP}.md").exists()


def test_a_pasted_page_as_a_name_is_cut_and_the_record_still_verifies(tmp_path: Path) -> None:
    from bruising_check.records.record import checksum

    result = runner.invoke(
        app,
        ["check", str(BASELINE_V1), "--record-dir", str(tmp_path), "--format", "json"],
        input=typed(*FINISHED, "N" * 1_000_000, "", ""),
        env=ENV,
    )
    assert result.exit_code == 0, result.output[-500:]
    record = json.loads((tmp_path / f"{STAMP}.json").read_text(encoding="utf-8"))
    assert record["header"]["practitioner"] == "N" * 200 + " [cut at 200 characters]"
    assert record["checksum"] == checksum(record)
    assert runner.invoke(app, ["verify-record", str(tmp_path / f"{STAMP}.json")]).exit_code == 0


# --- with --answers there is no one to ask: an emergency copy --------------------------------


def _answers_file(tmp_path: Path) -> Path:
    import yaml

    from tests.conftest import BASE_ANSWERS_V1

    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(BASE_ANSWERS_V1), encoding="utf-8")
    return answers


def _taken(tmp_path: Path) -> list[str]:
    (tmp_path / "taken.md").write_bytes(b"someone else's")
    return ["--output", str(tmp_path / "taken.md")]


def _taken_json(tmp_path: Path) -> list[str]:
    (tmp_path / "taken.json").write_bytes(b"someone else's")
    return ["--output", str(tmp_path / "taken.json")]


def _taken_beside(tmp_path: Path) -> list[str]:
    (tmp_path / "beside.json").write_bytes(b"someone else's")
    return ["--output", str(tmp_path / "beside.md")]


def _taken_both(tmp_path: Path) -> list[str]:
    (tmp_path / "both.md").write_bytes(b"someone else's")
    (tmp_path / "both.json").write_bytes(b"someone else's too")
    return ["--output", str(tmp_path / "both.md")]


def _gone(tmp_path: Path) -> list[str]:
    return ["--record-dir", str(tmp_path / "gone"), "--format", "md"]


def _under_a_file(tmp_path: Path) -> list[str]:
    (tmp_path / "a-file").write_bytes(b"not a folder")  # fails for root too, unlike mode 0500
    return ["--output", str(tmp_path / "a-file" / "check.md")]


@pytest.mark.parametrize(
    ("where", "why", "kinds"),
    [
        (_taken, "already exists", [".md", ".json"]),
        (_taken_json, "already exists", [".json"]),
        # beside.md is free: the record that goes beside it is what is in the way, and is named.
        (_taken_beside, "beside.md: {tmp}/beside.json already exists", [".md", ".json"]),
        # Both of the pair are taken: both are named, not only the first found.
        (_taken_both, "both.md: {tmp}/both.md and {tmp}/both.json already exist", [".md", ".json"]),
        (_gone, "no such folder", [".md", ".json"]),
        (_under_a_file, "cannot write", [".md", ".json"]),
    ],
)
def test_a_failed_save_from_an_answers_file_writes_an_emergency_copy(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: object,
    why: str,
    kinds: list[str],
) -> None:
    """`check --answers FILE` has no prompts: when the place asked for fails, the finished check
    is saved owner-only in the emergency folder, the command says where, and exits 2 so that a
    script sees the file is not where it asked. Nothing that was there is touched."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    args = where(tmp_path)  # type: ignore[operator]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = runner.invoke(
        app,
        ["check", str(BASELINE_V1), "--answers", str(_answers_file(tmp_path)), *args],
        env=ENV,
    )
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    why = why.format(tmp=tmp_path)
    assert why in result.stderr and "nothing was saved there" in result.stderr
    rescue = state / "bruising-check" / "unsaved"
    assert f"Saved an emergency copy in {rescue}" in result.stderr
    saved = sorted(rescue.iterdir())
    assert [p.name for p in saved] == sorted(STAMP + kind for kind in kinds)
    assert all(f"Saved {p}" in result.stderr for p in saved)
    assert _mode(rescue) == 0o700 and {_mode(p) for p in saved} == {0o600}
    record = json.loads((rescue / f"{STAMP}.json").read_text(encoding="utf-8"))
    assert record["answers"]["age_weeks"] == 10
    assert runner.invoke(app, ["verify-record", str(rescue / f"{STAMP}.json")]).exit_code == 0
    for path, data in before.items():
        assert path.read_bytes() == data


def test_a_full_disk_from_an_answers_file_writes_an_emergency_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk holding --output is full (the second file fails): what was linked is taken back
    there, and the check is in the emergency folder."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    real = store._write_partial

    def full_there(path: Path, data: bytes) -> None:
        if Path(path).parent == out_dir and ".md." in Path(path).name:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(store, "_write_partial", full_there)
    result = runner.invoke(
        app,
        [
            "check",
            str(BASELINE_V1),
            "--answers",
            str(_answers_file(tmp_path)),
            "--output",
            str(out_dir / "check.md"),
        ],
        env=ENV,
    )
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.stderr
    assert list(out_dir.iterdir()) == []
    rescue = state / "bruising-check" / "unsaved"
    assert sorted(p.name for p in rescue.iterdir()) == [f"{STAMP}.json", f"{STAMP}.md"]


def test_when_even_the_emergency_copy_fails_the_answers_check_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emergency folder cannot be made (its parent is a file): one clear line, exit 2, no
    traceback; an emergency folder that is a symlink is refused, never followed."""
    (tmp_path / "not-a-folder").write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "not-a-folder"))
    args = ["check", str(BASELINE_V1), "--answers", str(_answers_file(tmp_path)), *_gone(tmp_path)]
    result = runner.invoke(app, args, env=ENV)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "the emergency copy could not be saved either" in result.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "state" / "bruising-check").mkdir(parents=True)
    (tmp_path / "state" / "bruising-check" / "unsaved").symlink_to(elsewhere)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    result = runner.invoke(app, args, env=ENV)
    assert result.exit_code == 2 and "could not be saved either" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_the_guided_check_refuses_a_taken_pair_naming_both_files(tmp_path: Path) -> None:
    """Before the questions: when the printout and its JSON record both exist, both are named
    (naming one, the user moves it and is refused again)."""
    out = tmp_path / "visit.pdf"
    out.write_bytes(b"an earlier printout")
    (tmp_path / "visit.json").write_bytes(b"an earlier record")
    result = runner.invoke(app, ["check", str(BASELINE_V1), "--output", str(out)], env=ENV)
    assert result.exit_code == 2
    assert f"{out} and {tmp_path / 'visit.json'}: already exist; nothing was overwritten" in (
        result.stderr
    )
    (tmp_path / "visit.json").unlink()
    one = runner.invoke(app, ["check", str(BASELINE_V1), "--output", str(out)], env=ENV)
    assert one.exit_code == 2 and f"{out}: already exists; nothing was overwritten" in one.stderr

"""Every hostile file in tests/hostile/ gets one clear located error and exit 1 or 2: no
traceback, no code run, bounded memory. (Time per file is measured by bench/hostile.py.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bruising_check.cli import _register, app
from tests.hostile import ANSWERS, GOOD_ANSWERS, PROTOCOLS, protocol_for, write_big

_register()
runner = CliRunner()
PWNED = Path("/tmp/bruising-check-pwned")  # what the python/object tags in the corpus would touch
ERROR_LINE = re.compile(r"^(?P<file>.+):\d+:\d+: error [A-Z0-9_]+ \S")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Path]]:
    return write_big(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def good_answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("good") / "answers.yaml"
    path.write_text(GOOD_ANSWERS, encoding="utf-8")
    return path


def assert_one_clear_error(result: Result, file: Path) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert_clear(result.exit_code, result.stdout, result.stderr, file)


def assert_clear(code: int, stdout: str, stderr: str, file: Path) -> None:
    assert code in (1, 2), (code, (stdout + stderr)[:500])
    assert "Traceback" not in stdout + stderr
    assert stdout == ""  # nothing decided, nothing rendered
    lines = stderr.splitlines()
    first = ERROR_LINE.match(lines[0])
    assert first and first["file"] == str(file), lines[0][:300]
    # Readable: no line is a wall of text, and a bad file is not a flood.
    assert all(len(line) <= 500 for line in lines), max(len(line) for line in lines)
    assert len(lines) <= 2 * 101 + 2
    assert "\x1b" not in stderr


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda p: p.name)
def test_hostile_protocol_validate(path: Path) -> None:
    PWNED.unlink(missing_ok=True)
    assert_one_clear_error(runner.invoke(app, ["validate", str(path)]), path)
    assert not PWNED.exists()


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda p: p.name)
def test_hostile_protocol_check(path: Path, good_answers: Path) -> None:
    result = runner.invoke(app, ["check", str(path), "--answers", str(good_answers)])
    assert_one_clear_error(result, path)
    assert not PWNED.exists()


@pytest.mark.parametrize("path", ANSWERS, ids=lambda p: p.name)
def test_hostile_answers(path: Path) -> None:
    """Each file against the protocol it is written for, so that the error is about its attack,
    not about the answers format (a version-1 file against the version-2 protocol would stop at
    ANSWERS_VERSION_1 whatever its age or options held)."""
    PWNED.unlink(missing_ok=True)
    protocol = str(protocol_for(path))
    for fmt in ("text", "json"):
        result = runner.invoke(app, ["check", protocol, "--answers", str(path), "--format", fmt])
        assert_one_clear_error(result, path)
        assert " error ANSWERS_VERSION_1 " not in result.stderr.splitlines()[0]
    assert not PWNED.exists()


DRIVER = textwrap.dedent(
    """
    import json, resource, sys
    from typer.testing import CliRunner
    from bruising_check.cli import _register, app
    limit = int(sys.argv[1]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _register()
    runner = CliRunner()
    for line in sys.stdin:
        args = json.loads(line)
        r = runner.invoke(app, args)
        exc = r.exception
        exc = None if exc is None or isinstance(exc, SystemExit) else repr(exc)
        print(json.dumps({"args": args, "code": r.exit_code, "exception": exc,
                          "stdout": r.stdout, "stderr": r.stderr}), flush=True)
    # ru_maxrss survives exec, so a driver started from a big pytest process would report the
    # parent's size; VmHWM belongs to this process's own address space.
    try:
        hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
        peak = int(hwm.split()[1]) // 1024
    except (OSError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"peak_mib": peak}))
    """
)
MEMORY_LIMIT_MIB = 1024


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_big_hostile_files_within_a_memory_limit(
    big: tuple[list[Path], list[Path]], good_answers: Path
) -> None:
    """The files too big to commit (over 2 MB, 1 MB lines and keys, 150,000-item lists, 190,000
    aliases) in one process whose address space is capped at 1 GiB: anything that got past the
    limits would die with MemoryError here instead of eating a shared laptop's memory."""
    protocols, answers = big
    runs = [
        *(["validate", str(p)] for p in protocols),
        *(["check", str(p), "--answers", str(good_answers)] for p in protocols),
        *(["check", "--answers", str(a)] for a in answers),
    ]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(MEMORY_LIMIT_MIB)],
        input="".join(json.dumps(r) + "\n" for r in runs),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *results, peak = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(runs)
    for r in results:
        file = Path(r["args"][-1] if r["args"][1] == "--answers" else r["args"][1])
        assert r["exception"] is None, r["exception"]
        assert_clear(r["code"], r["stdout"], r["stderr"], file)
    assert peak["peak_mib"] < MEMORY_LIMIT_MIB

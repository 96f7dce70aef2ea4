"""Crash safety for real: a process saving a large record is SIGKILLed at moments spread over the
save, many times. Afterwards there is either no record or the complete one, never a partial or an
overwritten file; leftovers of killed saves are owner-only and cleaned up by the stale policy."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bruising_check.records.record import checksum
from bruising_check.records.store import AlreadyExists, remove_stale_partials, write_new
from tests.fuzzing import BASE_ANSWERS, BASELINE_LOADED, NOW
from tests.sigint import default_sigint

CHILD = """
import sys, time
from pathlib import Path
from bruising_check.records.store import write_new
data = Path(sys.argv[2]).read_bytes()
print("ready", flush=True)
start = time.perf_counter()
write_new(Path(sys.argv[1]), data)
print("done", time.perf_counter() - start, flush=True)
"""
RUNS = 40
PAD = 16 * 2**20  # large enough that writing and syncing takes a while


def big_record() -> bytes:
    """A real record of the baseline, padded so that kills can land inside the write."""
    from bruising_check.engine.decide import decide
    from bruising_check.records.record import build_record

    assert BASELINE_LOADED.protocol is not None
    decision = decide(BASELINE_LOADED.protocol, BASE_ANSWERS)
    record = build_record(
        BASELINE_LOADED.protocol, BASELINE_LOADED.sha256, decision, created_at=NOW
    )
    body = record.json_body()
    body["padding"] = "x" * PAD
    body["checksum"] = checksum(body)
    return json.dumps(body, indent=2).encode("utf-8")


def start_child(target: Path, data_file: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), str(data_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def assert_complete(target: Path, data: bytes) -> None:
    assert target.read_bytes() == data
    record = json.loads(target.read_bytes())
    assert record["checksum"] == checksum(record)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_save_killed_at_any_moment_leaves_no_record_or_a_complete_one(tmp_path: Path) -> None:
    data = big_record()
    data_file = tmp_path / "data.bin"
    data_file.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()

    # How long one save takes here (the slowest of three), so the kills can be spread across it.
    timings = []
    for k in range(3):
        child = start_child(out / f"timing-{k}.json", data_file)
        stdout, _ = child.communicate(timeout=60)
        timings.append(float(stdout.split()[-1]))
        assert_complete(out / f"timing-{k}.json", data)
    duration = max(timings)

    outcomes: Counter[str] = Counter()
    for i in range(RUNS):
        target = out / f"record-{i}.json"
        child = start_child(target, data_file)
        # Spread over twice the save's length; the last few well after it, whatever the load.
        late = i >= RUNS - 4
        time.sleep(duration * 4 + 0.1 if late else duration * 2 * i / (RUNS - 5))
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        if target.exists():
            assert_complete(target, data)
            outcomes["complete"] += 1
        else:
            outcomes["none"] += 1
    # Both ends were hit, so the kills really did land before and after the record appeared.
    assert outcomes["none"] and outcomes["complete"], outcomes

    # Whatever a killed save left behind is hidden, owner-only and never named like a record.
    leftovers = [p for p in out.iterdir() if p.name.endswith(".partial")]
    for p in leftovers:
        assert p.name.startswith(".record-")
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    names = {p.name for p in out.iterdir()} - {p.name for p in leftovers}
    expected = {*(f"timing-{k}.json" for k in range(3)), *(f"record-{i}.json" for i in range(RUNS))}
    assert names <= expected


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_save_never_overwrites_an_existing_record(tmp_path: Path) -> None:
    data_file = tmp_path / "data.bin"
    data_file.write_bytes(b"new" * 2**20)
    target = tmp_path / "record.json"
    target.write_bytes(b"the original record")
    for i in range(10):
        child = start_child(target, data_file)
        time.sleep(0.002 * i)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        assert target.read_bytes() == b"the original record"


def test_a_stale_partial_is_removed_only_when_its_bytes_are_visible(tmp_path: Path) -> None:
    """Issue 13: a leftover may be the only copy of a record (a kill between the two files of a
    pair); it is removed only once the same bytes are saved under its name, and only when old."""
    target = tmp_path / "record[1].json"
    only_copy = tmp_path / ".record[1].json.abc123.partial"
    visible = tmp_path / ".record[1].json.ghi789.partial"
    fresh = tmp_path / ".record[1].json.def456.partial"
    other = tmp_path / ".other.json.abc123.partial"
    only_copy.write_bytes(b"half")
    for p in (visible, fresh, other):
        p.write_bytes(b"{}")
    hour_and_a_bit = time.time() - 3700
    for p in (only_copy, visible, other):
        os.utime(p, (hour_and_a_bit, hour_and_a_bit))
    write_new(target, b"{}")
    assert only_copy.exists()  # what it holds is nowhere else
    assert not visible.exists()  # its bytes are saved under the name
    assert fresh.exists()  # might belong to a save still running
    assert other.exists()  # belongs to another record's save
    assert remove_stale_partials(target, now=time.time() + 7200) == [fresh]


def test_two_saves_racing_for_one_name_leave_one_complete_file(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    write_new(target, b"first")
    with pytest.raises(AlreadyExists):
        write_new(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_ctrl_c_during_a_save_leaves_no_partial_file(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) lets the save clean up: no record or the complete one, and no leftovers."""
    data = b'{"checksum": "x"}' + b" " * (8 * 2**20)
    data_file = tmp_path / "data.bin"
    data_file.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    outcomes: Counter[str] = Counter()
    for i in range(15):
        target = out / f"record-{i}.json"
        child = start_child(target, data_file)
        time.sleep(0.004 * i)
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=60)
        if target.exists():
            assert target.read_bytes() == data
            outcomes["complete"] += 1
        else:
            outcomes["none"] += 1
    assert outcomes["none"], outcomes
    assert [p.name for p in out.iterdir() if p.name.endswith(".partial")] == []

"""A long fuzz run: hostile protocols, answers and edited records through the whole tool.

    .venv/bin/python bench/fuzz.py [EXAMPLES]      (default 20000 of each)

The same strategies as tests/test_fuzz.py (which runs a few in CI). Prints how many examples ran,
how many were rejected with problems, how many loaded, and the slowest case. A failure prints the
smallest hostile input hypothesis found and exits 1.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from tests.fuzzing import (  # noqa: E402
    BASE_ANSWERS,
    BASELINE_LOADED,
    hostile_answers_bytes,
    hostile_protocol_bytes,
    hostile_record_edit,
    load,
    run_answers,
    serialise,
    verify_edit,
)

BASE_ANSWERS_BYTES = serialise(BASE_ANSWERS, "yaml")


def progress(count: int, what: str) -> None:
    if count % 1000 == 0:
        print(f"  ... {count} {what}", file=sys.stderr, flush=True)


def main(examples: int) -> int:
    tally = {
        "protocols": 0,
        "rejected": 0,
        "loaded": 0,
        "answers": 0,
        "answers_rejected": 0,
        "records": 0,
    }
    slowest = [0.0, 0.0]
    opts = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    @opts
    @given(hostile_protocol_bytes())
    def protocols(raw: bytes) -> None:
        start = time.perf_counter()
        loaded = load(raw)
        tally["protocols"] += 1
        progress(tally["protocols"], "protocols")
        if loaded.ok:
            tally["loaded"] += 1
            run_answers(loaded, BASE_ANSWERS_BYTES)
        else:
            assert loaded.problems, "not loaded, yet no problem reported"
            tally["rejected"] += 1
        slowest[0] = max(slowest[0], time.perf_counter() - start)

    @opts
    @given(hostile_answers_bytes())
    def answers(raw: bytes) -> None:
        start = time.perf_counter()
        tally["answers"] += 1
        progress(tally["answers"], "answers")
        if run_answers(BASELINE_LOADED, raw) is not None:
            tally["answers_rejected"] += 1
        slowest[1] = max(slowest[1], time.perf_counter() - start)

    @opts
    @given(hostile_record_edit())
    def records(edit: tuple[object, bool]) -> None:
        tally["records"] += 1
        progress(tally["records"], "records")
        verify_edit(*edit)

    start = time.perf_counter()
    failed = False
    for test in (protocols, answers, records):
        try:
            test()
        except Exception as exc:  # report and carry on with the other half
            failed = True
            print(f"FAILED {test.__name__}: {type(exc).__name__}: {exc}", file=sys.stderr)
    took = time.perf_counter() - start
    print(
        f"protocols: {tally['protocols']} examples, {tally['rejected']} rejected with problems,"
        f" {tally['loaded']} loaded and checked; slowest {slowest[0] * 1000:.0f} ms"
    )
    print(
        f"answers:   {tally['answers']} examples, {tally['answers_rejected']} rejected with"
        f" problems, {tally['answers'] - tally['answers_rejected']} decided and rendered;"
        f" slowest {slowest[1] * 1000:.0f} ms"
    )
    print(f"records:   {tally['records']} edited records verified or refused, never a crash")
    print(f"{'FAILED' if failed else 'no crash'} in {took:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000))

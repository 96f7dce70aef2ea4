"""A long fuzz run: hostile input through every reader of the tool.

    .venv/bin/python bench/fuzz.py [EXAMPLES]      (default 20000 of each)

Protocols, answers and edited records (the strategies of tests/test_fuzz.py), and issue 13's
attacks (tests/fuzzing_input.py, a few in CI by tests/test_fuzz_input.py): alias structures,
typed replies at every question, cases files in every format, and scenario files. Prints how many
examples ran, how many were rejected with problems, how many loaded, and the slowest case. A
failure prints the smallest hostile input hypothesis found and exits 1.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
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
from tests.fuzzing_input import (  # noqa: E402
    alias_yaml,
    check_cases,
    check_reply,
    check_scenarios,
    check_yaml,
    hostile_cases,
    hostile_scenarios,
    typed_reply,
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
        "aliases": 0,
        "replies": 0,
        "cases": 0,
        "scenarios": 0,
    }
    slowest = [0.0, 0.0]
    slow_input: dict[str, float] = {}
    protocol = BASELINE_LOADED.protocol
    assert protocol is not None

    def timed(kind: str, run: Callable[[], object]) -> None:
        start = time.perf_counter()
        run()
        tally[kind] += 1
        progress(tally[kind], kind)
        slow_input[kind] = max(slow_input.get(kind, 0.0), time.perf_counter() - start)

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

    @opts
    @given(alias_yaml())
    def aliases(text: str) -> None:
        timed("aliases", lambda: check_yaml(text))

    @opts
    @given(typed_reply)
    def replies(reply: str) -> None:
        timed("replies", lambda: check_reply(protocol, reply))

    @opts
    @given(hostile_cases())
    def cases(named: tuple[str, str]) -> None:
        timed("cases", lambda: check_cases(protocol, *named))

    @opts
    @given(hostile_scenarios())
    def scenarios(raw: bytes) -> None:
        timed("scenarios", lambda: check_scenarios(protocol, raw))

    start = time.perf_counter()
    failed = False
    for test in (protocols, answers, records, aliases, replies, cases, scenarios):
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
    for kind in ("aliases", "replies", "cases", "scenarios"):
        slowest_ms = slow_input.get(kind, 0.0) * 1000
        print(
            f"{kind + ':':<10} {tally[kind]} examples, never a crash; slowest {slowest_ms:.0f} ms"
        )
    print(f"{'FAILED' if failed else 'no crash'} in {took:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000))

"""Policy-position figures (issue 14.4): what checking the stated `policy` positions adds to
`analyse`, on each bundled protocol as written and with every checked position stated
(`nim_explanation: regardless`, `remote_reports: must_refer`, `strategy_discussion: every_case`).

    .venv/bin/python bench/policy.py            (add --repeat N for the median of N runs)

For each: the analysis time without the policy checks, with them, and what each position came to
(POLICY_HOLDS, W_POLICY_NOT_TRUE, W_POLICY_NOT_PROVED). Figures are printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bruising_check.analysis import analyse  # noqa: E402
from bruising_check.analysis import policy as policy_module  # noqa: E402
from bruising_check.protocol.loader import load_protocol  # noqa: E402
from bruising_check.protocol.model import Policy, Protocol  # noqa: E402

FILES = [
    "protocols/national-baseline.yaml",
    "protocols/examples/national-baseline-v1.yaml",
    "protocols/examples/exampleshire-v1.yaml",
    "protocols/examples/exampleshire-v2.yaml",
]
EVERY_POSITION: dict[str, Any] = {
    "nim_explanation": "regardless",
    "remote_reports": "must_refer",
    "strategy_discussion": "every_case",
}
CODES = ("POLICY_HOLDS", "W_POLICY_NOT_TRUE", "W_POLICY_NOT_PROVED")


def load(path: str) -> Protocol:
    loaded = load_protocol((ROOT / path).read_bytes(), path, today=dt.date.today())
    assert loaded.protocol is not None, path
    return loaded.protocol


def stating_all(p: Protocol) -> Protocol:
    policy = (p.policy or Policy()).model_copy(update=EVERY_POSITION)
    return p.model_copy(update={"policy": policy})


def timed(p: Protocol, repeat: int, checks: bool) -> tuple[float, list[str]]:
    original = policy_module.policy_findings
    if not checks:

        def nothing(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return iter(())

        policy_module.policy_findings = nothing  # type: ignore[assignment]
    try:
        times, verdicts = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            result = analyse(p)
            times.append(time.perf_counter() - start)
            verdicts = [
                f"{f.path[1]}: {f.code.name}" for f in result.findings if f.code.name in CODES
            ]
        return statistics.median(times), verdicts
    finally:
        policy_module.policy_findings = original


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    print(f"median of {repeat} run(s) of analyse(); the policy checks share its 5 s budget\n")
    for path in FILES:
        base = load(path)
        for label, p in (("as written", base), ("every position stated", stating_all(base))):
            without, _ = timed(p, repeat, checks=False)
            with_checks, verdicts = timed(p, repeat, checks=True)
            print(f"{path} ({label})")
            print(
                f"  analyse {without * 1000:,.0f} ms without the policy checks,"
                f" {with_checks * 1000:,.0f} ms with them"
                f" (+{(with_checks - without) * 1000:,.0f} ms)"
            )
            for v in verdicts or ["no checked position stated"]:
                print(f"    {v}")


if __name__ == "__main__":
    main()

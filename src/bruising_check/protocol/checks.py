"""Semantic checks of a schema-valid protocol: references, types, order, and housekeeping.

One check per module (`checks_*.py`), each yielding located problems (the yamllint way); `CHECKS`
is the registry `check_protocol` runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from bruising_check.problems import Problem
from bruising_check.protocol.checks_actions import check_after
from bruising_check.protocol.checks_conditions import check_conditions
from bruising_check.protocol.checks_groups import GROUP_CHECKS
from bruising_check.protocol.checks_housekeeping import check_housekeeping
from bruising_check.protocol.checks_ids import check_duplicate_ids
from bruising_check.protocol.checks_local import LOCAL_CHECKS
from bruising_check.protocol.checks_numbers import check_number_sizes
from bruising_check.protocol.checks_order import check_order
from bruising_check.protocol.checks_policy import check_policy
from bruising_check.protocol.checks_references import check_references
from bruising_check.protocol.checks_show_as import SHOW_AS_CHECKS
from bruising_check.protocol.checks_types import check_types
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import Located

Check = Callable[[Protocol, Located, dt.date], Iterator[Problem]]


def check_protocol(protocol: Protocol, located: Located, *, today: dt.date) -> list[Problem]:
    problems = [p for check in CHECKS for p in check(protocol, located, today)]
    return sorted(problems, key=lambda p: (p.line, p.column, p.code.name))


CHECKS: tuple[Check, ...] = (
    check_duplicate_ids,
    check_conditions,
    check_order,
    check_references,
    check_housekeeping,
    check_policy,
    check_number_sizes,
    *GROUP_CHECKS,
    check_types,
    check_after,
    *LOCAL_CHECKS,
    *SHOW_AS_CHECKS,
)

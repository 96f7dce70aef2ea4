"""Checks for what local protocols declare (issue 14): levels against ranks, approved deviations
and acknowledged overlaps naming real things, sourced contacts, a review date. Codes and
positions, not prose."""

from __future__ import annotations

from bruising_check.problems import Code, Problem
from bruising_check.render import handbook, handbook_text
from tests.conftest import TODAY, load_text
from tests.test_validation_codes import MINIMAL


def replace(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def problems(text: str) -> list[Problem]:
    return load_text(text).problems


def only(text: str, code: Code) -> list[Problem]:
    return [p for p in problems(text) if p.code is code]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_equal_ranks_are_allowed_for_equal_levels_only() -> None:
    same_level = replace(
        "urgency: 2\n    level: record_and_advise", "urgency: 1\n    level: social_care_same_day"
    )
    assert problems(same_level) == []
    other_level = replace(
        "urgency: 2\n    level: record_and_advise", "urgency: 1\n    level: discussion"
    )
    (dup,) = only(other_level, Code.DUPLICATE_URGENCY)
    assert "discussion" in dup.message
    no_level = replace("urgency: 2\n    level: record_and_advise\n", "urgency: 1\n")
    assert len(only(no_level, Code.DUPLICATE_URGENCY)) == 1


def test_ranks_that_contradict_levels_are_an_error() -> None:
    text = replace("level: record_and_advise", "level: protect_now")
    (order,) = only(text, Code.LEVEL_ORDER)
    assert order.severity == "error"
    assert order.line == line_of(text, "urgency: 1")  # 'refer' is ranked above a more urgent level
    assert "'record'" in order.message


def test_a_pathway_without_a_level_is_warned() -> None:
    text = replace("    level: record_and_advise\n", "")
    (warn,) = only(text, Code.W_NO_LEVEL)
    assert warn.severity == "warning" and "'record'" in warn.message
    assert only(text, Code.LEVEL_ORDER) == []


def test_a_level_more_urgent_than_its_timescale_is_warned() -> None:
    """A "referral - immediate" level on a 24-hour timescale would compare with other protocols
    as more urgent than a same-day referral, hiding that it is slower."""
    text = replace("level: social_care_same_day", "level: social_care_immediate")
    (warn,) = only(text, Code.W_LEVEL_TIMESCALE)
    assert warn.severity == "warning"
    assert warn.line == line_of(text, "timescale: {label: Same day, same_day: true}")
    assert "'refer'" in warn.message and "immediately" in warn.message
    assert "24 hours" in warn.message
    slower = replace("{label: Same day, same_day: true}", "{label: Within 3 days, hours: 72}")
    (warn,) = only(slower, Code.W_LEVEL_TIMESCALE)
    assert "within 24 hours" in warn.message and "72 hours" in warn.message
    # As fast as the level, or faster, or no clock to judge (a label only): nothing to say.
    faster = replace("{label: Same day, same_day: true}", "{label: Within 4 hours, hours: 4}")
    assert only(faster, Code.W_LEVEL_TIMESCALE) == []
    assert only(MINIMAL, Code.W_LEVEL_TIMESCALE) == []
    no_clock = replace("{label: Same day, same_day: true}", "{label: As soon as you can}", text)
    assert problems(no_clock) == []


DEVIATION = """\
approved_deviations:
  - id: mobile-babies-recorded
    against: national-baseline
    rules: [R2]
    when: {question: age, ge: 26}
    policy: [rolling_counts_as_mobility]
    why: Approved by the board.
    approved_by: Tiny partnership executive
    approved_on: 2024-05-01
    cite: [s1]
"""


def test_a_well_formed_deviation_is_clean_except_for_the_missing_policy_block() -> None:
    text = MINIMAL + DEVIATION
    (p,) = problems(text)
    assert p.code is Code.UNKNOWN_POLICY_FIELD and "no `policy:` block" in p.message


def test_deviation_references_are_located() -> None:
    text = MINIMAL + DEVIATION.replace("[R2]", "[R2, R9]").replace(
        "[rolling_counts_as_mobility]", "[rolling_counts]"
    ).replace("cite: [s1]", "cite: [s9]").replace("question: age", "question: agee")
    got = {p.code: p for p in problems(text)}
    assert got[Code.UNKNOWN_RULE].line == line_of(text, "rules: [R2, R9]")
    assert "'R9'" in got[Code.UNKNOWN_RULE].message
    assert got[Code.UNKNOWN_POLICY_FIELD].line == line_of(text, "[rolling_counts]")
    assert got[Code.UNKNOWN_SOURCE].line == line_of(text, "cite: [s9]")
    assert got[Code.UNKNOWN_QUESTION].line == line_of(text, "question: agee")


def test_a_deviation_must_cover_something() -> None:
    text = MINIMAL + DEVIATION.replace("    rules: [R2]\n", "").replace(
        "    when: {question: age, ge: 26}\n", ""
    ).replace("    policy: [rolling_counts_as_mobility]\n", "")
    assert [p.code for p in problems(text)] == [Code.MISSING_KEY]


def test_a_deviation_without_an_approval_date_is_warned_never_dated_for_it() -> None:
    """An approval record that could not be read leaves the date out (no placeholder date
    printed as the board's): validate warns, and the handbook says it is not recorded."""
    text = MINIMAL + DEVIATION.replace("    approved_on: 2024-05-01\n", "")
    got = [p for p in problems(text) if p.code is Code.W_DEVIATION_UNDATED]
    (warn,) = got
    assert warn.severity == "warning" and "'mobile-babies-recorded'" in warn.message
    assert warn.line == line_of(text, "- id: mobile-babies-recorded")
    assert [p for p in problems(MINIMAL + DEVIATION) if p.code is Code.W_DEVIATION_UNDATED] == []
    loaded = load_text(text)
    assert loaded.protocol is not None
    book = handbook.build(loaded.protocol, file="t.yaml", sha256="0" * 64, today=TODAY)
    flat = " ".join(handbook_text.markdown(book).split())
    assert "**Approved by:** Tiny partnership executive, approval date not recorded" in flat


def test_overlaps_name_real_rules() -> None:
    text = MINIMAL + "overlaps:\n  - {rules: [R1, R3], because: Intended.}\n"
    (p,) = problems(text)
    assert p.code is Code.UNKNOWN_RULE and "'R3'" in p.message


def test_a_real_contact_says_where_its_number_came_from() -> None:
    text = replace(", source: Test directory, verified_on: 2026-01-01}", "}")
    (p,) = problems(text)
    assert p.code is Code.W_CONTACT_UNSOURCED and "source or verified_on" in p.message
    half = replace(", verified_on: 2026-01-01}", "}")
    (q,) = problems(half)
    assert q.code is Code.W_CONTACT_UNSOURCED and "without verified_on" in q.message
    placeholder = replace(
        '{id: lead, name: Lead, phone: "01234 567890", source: Test directory,'
        " verified_on: 2026-01-01}",
        "{id: lead, placeholder: true, name: L}",
    )
    assert only(placeholder, Code.W_CONTACT_UNSOURCED) == []


def test_a_missing_review_date_is_warned() -> None:
    (p,) = problems(replace("  review_due: 2030-01-01\n", ""))
    assert p.code is Code.W_NO_REVIEW_DUE and p.severity == "warning"


def test_the_bundled_baseline_has_levels_and_a_sourced_999() -> None:
    from tests.conftest import BASELINE

    text = BASELINE.read_text(encoding="utf-8")
    codes = {p.code for p in load_text(text).problems}
    assert not codes & {Code.W_NO_LEVEL, Code.LEVEL_ORDER, Code.W_CONTACT_UNSOURCED}


OVERLAPPING = replace(
    "rules:\n",
    "rules:\n  - id: R0\n    when: {question: age, ge: 50}\n    pathway: record\n"
    "    because: Older.\n    cite: [s1]\n",
)


def overlap_findings(text: str) -> list[tuple[Code, str]]:
    from bruising_check.analysis import analyse

    loaded = load_text(text)
    assert loaded.protocol is not None and loaded.ok
    codes = {Code.ANALYSIS_OVERLAP, Code.OVERLAP_ACKNOWLEDGED}
    return [(f.code, f.message) for f in analyse(loaded.protocol).findings if f.code in codes]


def test_an_acknowledged_overlap_is_information_and_a_new_one_still_warns() -> None:
    ((code, _),) = overlap_findings(OVERLAPPING)
    assert code is Code.ANALYSIS_OVERLAP and code.severity == "warning"
    acknowledged = OVERLAPPING + "overlaps:\n  - {rules: [R0, R1], because: Older babies first.}\n"
    ((code, message),) = overlap_findings(acknowledged)
    assert code is Code.OVERLAP_ACKNOWLEDGED and code.severity == "info"
    assert "Older babies first." in message
    # An acknowledgement of other rules leaves this overlap a warning.
    other = OVERLAPPING + "overlaps:\n  - {rules: [R0, R2], because: Not this one.}\n"
    assert [c for c, _ in overlap_findings(other)] == [Code.ANALYSIS_OVERLAP]

"""Problems are values: a code, a severity, where it is, what is wrong and how to fix it.

Message templates live once, here, in `Code`; tests assert on codes, not on prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

Severity = Literal["error", "warning", "info"]


class Code(Enum):
    """Every problem the loader and validator can report: (severity, hint)."""

    # Reading the file
    UNREADABLE = ("error", "Check the path and that the file is readable.")
    TOO_LARGE = ("error", "Protocol and answers files are small; check this is the right file.")
    NOT_UTF8 = ("error", "Save the file as UTF-8 text.")
    YAML_SYNTAX = ("error", "Check indentation, colons and quotes near this position.")
    YAML_TAG = ("error", "Remove the tag; plain YAML values are all this format needs.")
    YAML_DUPLICATE_KEY = ("error", "Each key may appear once; remove or rename the second one.")
    YAML_TOO_DEEP = ("error", "Nesting this deep is never needed; simplify the structure.")
    YAML_TOO_BIG = ("error", "Aliases or lists expand to too many values; write them out plainly.")
    NOT_A_MAPPING = ("error", "The file must be a mapping (key: value) at the top level.")
    # Schema
    SCHEMA = ("error", "`bruising-check schema` prints every allowed key and type.")
    UNKNOWN_KEY = ("error", "Check the spelling; `bruising-check schema` lists the allowed keys.")
    MISSING_KEY = ("error", "Add the key; `bruising-check schema` describes it.")
    # References
    DUPLICATE_ID = ("error", "Ids must be unique within their list; rename one of them.")
    W_MARKS_WITHOUT_SITE = (
        "warning",
        "Add `show_as: site` to the item question that asks where the mark is.",
    )
    W_SCREENING_WITHOUT_PARTS = (
        "warning",
        "Give the group one item fact per part of the screen with `show_as: screening_component`"
        " (as the national baseline's ten4_* facts), so the record names the mark and the part.",
    )
    DUPLICATE_SHOW_AS = (
        "error",
        "A printout reads one question per `show_as` in a group; remove it from all but one.",
    )
    ID_CLASH = ("error", "Questions and derived facts share one namespace; rename one.")
    UNKNOWN_QUESTION = ("error", "Use the id of a question defined under `questions:`.")
    UNKNOWN_FACT = ("error", "Use the id of a fact defined under `derived:`.")
    UNKNOWN_OPTION = ("error", "Use an option id listed for that question.")
    UNKNOWN_PATHWAY = ("error", "Use the id of a pathway defined under `pathways:`.")
    UNKNOWN_SOURCE = ("error", "Add the source under `sources:` or fix the id.")
    UNKNOWN_CONTACT = ("error", "Add the contact under `contacts:` or fix the id.")
    TYPE_MISMATCH = ("error", "Compare numbers with lt/le/gt/ge, choices with equals/in/includes.")
    ASK_IF_ORDER = ("error", "`ask_if` may only use questions asked earlier; move the question.")
    FACT_ORDER = ("error", "A derived fact may only use questions and facts defined before it.")
    CONTEXT_DECIDES = ("error", "Context prompts are recorded only; they must never decide.")
    DUPLICATE_URGENCY = (
        "error",
        "Give each pathway its own urgency rank (1 = most urgent); equal alternatives share a"
        " rank only with the same `level:`.",
    )
    POLICY_MISMATCH = ("error", "Make the `policy:` block say what the rules and facts do.")
    ARITHMETIC_NOT_NUMBER = (
        "error",
        "Arithmetic takes number questions and number facts only; compare other answers instead.",
    )
    UNANSWERABLE = ("error", "No answer satisfies this question; fix its options or range.")
    # Repeated groups, unknowns, follow-on pathways
    ITEM_OUTSIDE_GROUP = (
        "error",
        "Use `item:` only inside some/every/count `where:`, or a group's ask_if and derived.",
    )
    UNKNOWN_GROUP = ("error", "Name a question of `type: group` (`marks`, `carers`).")
    UNKNOWN_ITEM = ("error", "Use the id of a question or item fact inside that group.")
    SUM_NOT_NUMBER = ("error", "`sum:` adds up a number item question or number item fact.")
    NESTED_QUANTIFIER = (
        "error",
        "Inside a quantifier's `where`, `item:` already means this item; do not quantify again.",
    )
    UNKNOWN_OPTION_IN_CONDITION = (
        "error",
        "Not knowing is not a fact about the child: use `known: false` to act on it.",
    )
    THEN_WITHOUT_FIRST_STEP = ("error", "Point the rule at a pathway with `first_step: true`.")
    FIRST_STEP_WITHOUT_THEN = (
        "error",
        "Give each rule that uses it `then: rules_below`, or drop `first_step`.",
    )
    GROUP_NOT_ALLOWED = ("error", "Compare a group only through some / every / count.")
    # issue 14.3: constructs (roles, relative timescales, conditional actions)
    UNKNOWN_ROLE = ("error", "Use a role id declared under `roles:` (or declare the role).")
    NO_ROLES_DECLARED = ("error", "Declare the roles under `roles:` before testing the role.")
    UNKNOWN_AFTER = (
        "error",
        "`after:` names another action of the same pathway (or of the follow-on pathway).",
    )
    AFTER_CYCLE = ("error", "Actions timed `after` each other in a loop never start; break it.")
    # Warnings
    PLACEHOLDER_CONTACT = ("warning", "Replace the example contact with your local details.")
    REVIEW_OVERDUE = ("warning", "Review the protocol and set a new `review_due` date.")
    SOURCE_UNCITED = ("warning", "Cite it from a rule or definition, or remove it.")
    SOURCE_UNVERIFIED = ("info", "Verify the source wording and set `status: verified`.")
    # Answers files
    ANSWER_UNKNOWN_ID = ("error", "Use a question id of this protocol (`show` lists them).")
    ANSWER_TYPE = ("error", "Give the answer in the question's type (see the message).")
    ANSWER_OPTION = ("error", "Use one of the option ids listed in the message.")
    ANSWER_RANGE = ("error", "Give a number inside the range in the message.")
    ANSWER_MISSING = ("error", "Answer every required question that applies.")
    ANSWER_NOT_ASKED = ("warning", "This question does not apply here; its answer is ignored.")
    ANSWERS_VERSION_1 = (
        "error",
        "Run `bruising-check migrate-answers FILE` to convert it, or write each mark as an item.",
    )
    # Exhaustive analysis (bruising_check.analysis): every complete answer set, exactly
    ANALYSIS_GAP = ("error", "Add a rule (or widen one) so these answer sets reach a pathway.")
    ANALYSIS_DEAD_RULE = ("warning", "Remove the rule, or move it before the rules that shadow it.")
    ANALYSIS_OVERLAP = (
        "warning",
        "Check the order is intended: the earlier, less urgent rule wins these situations.",
    )
    ANALYSIS_ALWAYS_TRUE = (
        "warning",
        "A condition that is always true tests nothing; simplify it.",
    )
    ANALYSIS_ALWAYS_FALSE = ("warning", "A condition that is never true hides a mistake; fix it.")
    ANALYSIS_NEVER_ASKED = ("warning", "Fix the ask_if, or remove the question.")
    ANALYSIS_UNUSED_QUESTION = ("info", "Fine for a question kept for the record; else remove it.")
    ANALYSIS_UNUSED_OPTION = ("info", "These options are recorded but never change anything.")
    ANALYSIS_UNUSED_FACT = ("info", "Use the internal fact, or remove it.")
    ANALYSIS_UNREACHED_PATHWAY = ("warning", "Point a rule at the pathway, or remove it.")
    ANALYSIS_SUMMARY = ("info", "What the exhaustive analysis covered.")
    ANALYSIS_TOO_LARGE = (
        "error",
        "Nothing is proved: simplify or split the rules, or give more time with --budget.",
    )
    INVARIANT_HOLDS = ("info", "Proved over every complete answer set.")
    # Task ctx (issue 12.4): context that acts and never decides; options offered per mark
    CONTEXT_NEVER_DECIDES = ("info", "Proved from the protocol: context answers only add actions.")
    ANSWER_NOT_OFFERED = (
        "warning",
        "The guided check would not offer this option here; check the answer (it is kept).",
    )
    INVARIANT_BROKEN = (
        "error",
        "Change the rules to keep the invariant; the counterexample runs with check --answers.",
    )
    UNKNOWN_CHANGES_ASKING = (
        "warning",
        "Make the answers an ask_if reads required, so an unknown cannot change what is asked.",
    )
    # issue 14.4: policy positions
    POLICY_HOLDS = ("info", "The stated policy position was proved over every answer set.")
    W_POLICY_NOT_TRUE = (
        "warning",
        "Change the rules, or make the `policy:` field say what they do (or `not_stated`);"
        " the counterexample runs with check --answers.",
    )
    W_POLICY_NOT_PROVED = (
        "warning",
        "Nothing is proved about this position: give more time with --budget, or simplify.",
    )
    AGAINST_LESS_URGENT = (
        "error",
        "The protocol is less urgent than the reference here; change the rules or justify it.",
    )
    AGAINST_MORE_URGENT = ("info", "More urgent than the reference: allowed, listed for review.")
    AGAINST_SAME_URGENCY = (
        "info",
        "Different actions at the same level of urgency as the reference: listed for review.",
    )
    W_AGAINST_ADVICE_LOST = (
        "warning",
        "Advice never changes the pathway, but the practitioner is no longer told to do this:"
        " restore the advice, or record why it is dropped (the board paper lists it).",
    )
    AGAINST_QUESTIONS = ("info", "Questions matched by id; these exist in one protocol only.")
    # task safety (L2): a comparison that cannot be made is never "same"
    AGAINST_NOT_COMPARED = (
        "error",
        "Cannot compare: give the pathway a `level:` on the national scale (protocol/levels.py).",
    )
    # issue 14: levels and deviations (docs/design/local-protocols.md §1, §4, §6)
    LEVEL_ORDER = (
        "error",
        "Rank pathways in the order of their levels (protocol/levels.py), or fix the level.",
    )
    W_NO_LEVEL = (
        "warning",
        "Give the pathway a `level:` on the national scale, so other protocols compare with it.",
    )
    W_LEVEL_TIMESCALE = (
        "warning",
        "Other protocols compare with this pathway by its level: give it the level its timescale"
        " has (protocol/levels.py), or shorten the timescale.",
    )
    UNKNOWN_RULE = ("error", "Use the id of a rule defined under `rules:`.")
    UNKNOWN_POLICY_FIELD = ("error", "Use a field name of the `policy:` block.")
    DEVIATION_APPROVED = (
        "info",
        "A difference the partnership approved: listed with its approval.",
    )
    W_DEVIATION_UNUSED = (
        "warning",
        "The approval matches no difference from the reference any more: remove or update it.",
    )
    W_DEVIATION_UNDATED = (
        "warning",
        "Give `approved_on:`, the date in the board's approval record.",
    )
    OVERLAP_ACKNOWLEDGED = ("info", "An overlap the protocol says is intended (`overlaps:`).")
    W_CONTACT_UNSOURCED = (
        "warning",
        "Say where the number came from (`source:`) and when it was checked (`verified_on:`).",
    )
    W_NO_REVIEW_DUE = ("warning", "Set `metadata.review_due`, the date the protocol is reviewed.")

    @property
    def severity(self) -> Severity:
        sev: Severity = self.value[0]
        return sev

    @property
    def hint(self) -> str:
        return str(self.value[1])


@dataclass(frozen=True)
class Problem:
    """One problem: its code, where it is (file, line, column, path), what is wrong, a hint."""

    code: Code
    message: str
    file: str = "<protocol>"
    line: int = 0
    column: int = 0
    path: tuple[str | int, ...] = ()
    hint: str | None = None
    severity_override: Severity | None = field(default=None, compare=False)

    @property
    def severity(self) -> Severity:
        return self.severity_override or self.code.severity

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity} {self.code.name} {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code.name,
            "message": self.message,
            "hint": self.hint or self.code.hint,
            "path": list(self.path),
        }


def worst_exit_code(problems: list[Problem]) -> int:
    """0 when clean or warnings only, 1 when any error."""
    return 1 if any(p.severity == "error" for p in problems) else 0

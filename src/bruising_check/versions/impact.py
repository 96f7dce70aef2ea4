"""Impact on real cases: re-run cases under two protocol versions and count who changes pathway.

Cases come from scenario files (YAML `cases:` with `answers`), saved JSON records (one record per
file, or JSON Lines with one per line), or CSV with one column per question id (and one per
question of each item of a repeated group: `marks[1].type`, `marks[1].site`, `marks[2].type`).
Readers take an open text stream and yield cases one at a time, so a year of records never sits
in memory.
Answers are checked against each protocol separately: a case one version cannot run (for
example a question it does not ask) is counted and reported, never silently dropped.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from bruising_check.analysis.direction import Direction, outcome_direction, pathway_direction
from bruising_check.engine.answers import V1_KEYS, check_answers
from bruising_check.engine.compiled import Replay, joint, replayer
from bruising_check.engine.decide import decide
from bruising_check.protocol.model import (
    BooleanQuestion,
    GroupQuestion,
    ItemQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Protocol,
    Question,
)
from bruising_check.protocol.yamlread import (
    MAX_BYTES,
    Located,
    YamlError,
    number_from_text,
    read_yaml_data,
)

EXAMPLES_PER_CHANGE = 10
MAX_UNRUNNABLE_KEPT = 200
MAX_IGNORED_IDS = 50
CASE_SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", ".yaml", ".yml")
# A scenario or single-record file is read whole, so it is bounded like every other YAML the tool
# reads; JSON Lines and CSV stream, so only one line (one saved record) or one cell is bounded.
MAX_FILE_CHARS = MAX_BYTES
MAX_LINE_CHARS = 5_000_000  # a saved record (verify-record's limit)
MAX_CELL_CHARS = 100_000
MAX_JSON_NUMBER_CHARS = 30
PROGRESS_EVERY = 1000

FollowOn = tuple[str, str | None, str | None]  # first step, old follow-on, new follow-on


@dataclass(frozen=True)
class Case:
    name: str
    answers: Mapping[str, Any]


@dataclass
class Impact:
    total: int = 0
    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    changed_cases: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    unrunnable: list[tuple[str, str, str]] = field(default_factory=list)  # case, which, why
    unrunnable_total: int = 0
    directions: dict[tuple[str, str], Direction] = field(default_factory=dict)
    """Each transition's direction by `analysis.direction` (levels; a renamed pathway is `same`)."""
    kept_cases: dict[str, list[str]] = field(default_factory=dict)
    """Up to EXAMPLES_PER_CHANGE case names per pathway a case keeps (the same id in both
    versions): the board paper names them when that pathway's actions change."""
    not_compared: set[tuple[str, str]] = field(default_factory=set)
    """Transitions whose pathways could not be compared (a pathway without a level, and no id in
    common): never `same`, and counted as possibly less urgent wherever de-escalations are."""
    follow_ons: Counter[FollowOn] = field(default_factory=Counter)
    """Cases whose first step stays (the same pathway id, e.g. emergency care first) but whose
    follow-on changes: (first step, old follow-on, new follow-on). The outcome is the pair, so
    these are changed cases too (`changed`, `case_deescalations`)."""
    follow_on_directions: dict[FollowOn, Direction] = field(default_factory=dict)
    follow_on_cases: dict[FollowOn, list[str]] = field(default_factory=dict)
    ignored: Counter[str] = field(default_factory=Counter)
    """Answer ids that are no question of either version, by the number of cases giving one
    (up to MAX_IGNORED_IDS ids): left out of the run, and said."""
    with_ignored: int = 0
    """Cases with at least one such answer."""

    def direction(self, pair: tuple[str, str]) -> Direction:
        return self.directions.get(pair, "same" if pair[0] == pair[1] else "different_actions")

    def compared(self, pair: tuple[str, str]) -> bool:
        return pair not in self.not_compared

    def may_be_less_urgent(self, pair: tuple[str, str]) -> bool:
        return self.direction(pair) == "less_urgent" or not self.compared(pair)

    @property
    def changed(self) -> int:
        moved = sum(n for pair, n in self.transitions.items() if self.direction(pair) != "same")
        return moved + sum(self.follow_ons.values())

    @property
    def ran(self) -> int:
        """Cases run under both versions: each is in exactly one transition."""
        return sum(self.transitions.values())

    @property
    def not_run(self) -> int:
        """Cases given that one version or both could not run: never counted as unchanged."""
        return self.total - self.ran

    @property
    def unchanged(self) -> int:
        """Cases run under both versions whose outcome (pathway and follow-on) stays."""
        return self.ran - self.changed

    @property
    def follow_on_deescalations(self) -> int:
        return sum(
            n for k, n in self.follow_ons.items() if self.follow_on_directions[k] == "less_urgent"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "ran": self.ran,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "not_run": self.not_run,
            "ignored_answers": {
                "cases": self.with_ignored,
                "ids": [{"id": k, "cases": n} for k, n in self.ignored.most_common()],
            },
            "transitions": [
                {
                    "old": a,
                    "new": b,
                    "count": n,
                    "direction": self.direction((a, b)),
                    "compared": self.compared((a, b)),
                    "cases": self.changed_cases.get((a, b), []),
                }
                for (a, b), n in sorted(self.transitions.items())
            ],
            "follow_on_changes": [
                {
                    "pathway": first,
                    "old_then": a,
                    "new_then": b,
                    "count": n,
                    "direction": self.follow_on_directions[(first, a, b)],
                    "cases": self.follow_on_cases.get((first, a, b), []),
                }
                for (first, a, b), n in sorted(
                    self.follow_ons.items(), key=lambda kn: tuple(str(x) for x in kn[0])
                )
            ],
            "unrunnable_total": self.unrunnable_total,
            "unrunnable_listed": len(self.unrunnable),
            "unrunnable": [
                {"case": c, "protocol": which, "reason": why} for c, which, why in self.unrunnable
            ],
        }


class CaseFileError(ValueError):
    """A cases file that cannot be read as any supported format."""


def read_cases(
    name: str,
    stream: TextIO,
    questions: Mapping[str, Question],
    also_known: Collection[str] = (),
) -> Iterator[Case]:
    """Cases from one file; the format is chosen by the file name's extension. A CSV column
    must be a question of `questions` (both versions'), one of `also_known` (their context
    prompts: ids, or a mapping to the prompts, whose groups' item columns are known too),
    `case_id`/`id`, or an item column of a group among them."""
    lower = name.lower()
    if lower.endswith(".csv"):
        yield from _csv_cases(name, stream, questions, also_known)
    elif lower.endswith((".jsonl", ".ndjson")):
        number = 0
        while True:
            line = stream.readline(MAX_LINE_CHARS + 1)
            if not line:
                break
            number += 1
            if number == 1:
                # Windows tools save UTF-8 with a byte-order mark; it is not part of the JSON.
                line = line.removeprefix("\ufeff")
            where = f"{name}:{number}"
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                raise CaseFileError(f"{where}: a line is over {MAX_LINE_CHARS:,} characters")
            if line.strip():
                yield _record_case(where, _json(line, where))
    elif lower.endswith(".json"):
        yield _record_case(name, _json(_whole(name, stream).removeprefix("\ufeff"), name))
    elif lower.endswith((".yaml", ".yml")):
        # The same bounded reader as protocols and answers (aliases, depth, size, YAML 1.2
        # numbers), through its fast path for data without locations (`read_yaml_data`).
        try:
            data = read_yaml_data(_whole(name, stream), name)
        except YamlError as exc:
            raise CaseFileError(exc.problem.format()) from None
        cases = data.get("cases") if isinstance(data, dict) else None
        if not isinstance(cases, list):
            raise CaseFileError(f"{name}: a scenario file has a `cases:` list")
        for i, case in enumerate(cases):
            if not isinstance(case, dict) or not isinstance(case.get("answers"), dict):
                raise CaseFileError(f"{name}: case {i + 1} has no `answers:` mapping")
            yield Case(f"{name}#{case.get('id', i + 1)}", case["answers"])
    else:
        raise CaseFileError(f"{name}: use .csv, .json, .jsonl or .yaml cases files")


def _whole(name: str, stream: TextIO) -> str:
    text = stream.read(MAX_FILE_CHARS + 1)
    if len(text) > MAX_FILE_CHARS:
        raise CaseFileError(f"{name}: over {MAX_FILE_CHARS:,} characters; the limit for one file")
    return text


def _json_number(text: str) -> float:
    if len(text) > MAX_JSON_NUMBER_CHARS:
        raise ValueError("a number is too long")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("a number is too large")
    return number


def _json_int(text: str) -> int:
    if len(text) > MAX_JSON_NUMBER_CHARS:
        raise ValueError("a number is too long")
    return int(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a number JSON allows")


# `json.loads(text, parse_float=..., ...)` makes a decoder (and its scanner) per call; one made
# once reads each JSON line the same. A text starting with a byte-order mark goes through
# `json.loads`, which refuses it with its own message.
_DECODER = json.JSONDecoder(
    parse_float=_json_number, parse_int=_json_int, parse_constant=_no_constant
)


def _json(text: str, where: str) -> Any:
    try:
        if not text.startswith("\ufeff"):
            return _DECODER.decode(text)
        return json.loads(
            text, parse_float=_json_number, parse_int=_json_int, parse_constant=_no_constant
        )
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except ValueError as exc:
        raise CaseFileError(f"{where}: not valid JSON ({exc})") from None
    except RecursionError:
        raise CaseFileError(f"{where}: not valid JSON (nested too deeply)") from None


def _record_case(name: str, record: Any) -> Case:
    if not isinstance(record, dict) or not isinstance(record.get("answers"), dict):
        raise CaseFileError(f"{name}: a saved record has an `answers` mapping")
    listed = record.get("context")
    context = {
        c["id"]: c.get("answer")
        for c in (listed if isinstance(listed, list) else [])
        if isinstance(c, dict) and isinstance(c.get("id"), str)
    }
    label = record.get("created_at")
    label = label if isinstance(label, str) else ""
    answers = record["answers"]
    # (A record read from a line is this case's own: its answers need no copy without context.)
    return Case(f"{name} {label[:40]}".strip(), {**answers, **context} if context else answers)


# A column of one item of a repeated group, 1-based as problems name it: `marks[2].site`.
_ITEM_COLUMN = re.compile(r"([A-Za-z0-9_]+)\[([1-9][0-9]{0,5})\]\.([A-Za-z0-9_]+)")


def _csv_cases(
    name: str, stream: TextIO, questions: Mapping[str, Question], also_known: Collection[str] = ()
) -> Iterator[Case]:
    """Rows as `csv.DictReader` gives them (a blank line is no row; a short row's missing
    cells and cells beyond the header are no answers; of a column named twice the last cell
    counts), each header worked out once: which cell is an answer to which question (or item
    question) and how it is read, so that a row costs a look at each of its cells. A byte-order
    mark at the start (spreadsheets save "CSV UTF-8" with one) is not part of the first column's
    name, which it would hide (the case id, or a question whose answers would not be read)."""
    first = stream.readline()
    lines = itertools.chain([first.removeprefix("\ufeff")], stream) if first else stream
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None:
            return
        plan = _csv_plan(header, questions, name, also_known)
        case_at, id_at = plan.case_id, plan.id
        for row in reader:
            if not row:
                continue
            number = reader.line_num
            width = len(row)
            case_id: str | None = row[case_at] if case_at is not None and case_at < width else None
            if not case_id:
                # `row.pop("case_id") or row.pop("id")`: the id column is only a label then.
                skip_id = id_at
                case_id = row[id_at] if id_at is not None and id_at < width else None
            else:
                skip_id = None
            # A short row's missing cells and the id column when it is the label are no answers:
            # they read as empty cells below (the row is this loop's own list).
            if width < plan.span:
                row.extend([""] * (plan.span - width))
            if skip_id is not None and skip_id < width:
                row[skip_id] = ""
            answers: dict[str, Any] = {}
            items: dict[str, dict[int, dict[str, Any]]] = {}
            for lo, hi, entries in plan.chunks:
                if lo < hi and not any(row[lo:hi]):
                    continue  # an item whose cells are all empty (each would be passed over)
                item: dict[str, Any] | None = None  # (a run's item columns are one item's)
                for at, column, read, seen, group, n in entries:
                    cell = row[at]  # (case_id is no column of the plan)
                    if not cell:
                        continue  # (most cells of a wide file: no strip needed to see it is empty)
                    # (A cell read before: its value from the column's `seen`, without a call;
                    # its keys are stripped cells that passed the size check, so a cell equal to
                    # one needs neither.)
                    value = _UNREAD if seen is None else seen.get(cell, _UNREAD)
                    if value is _UNREAD:
                        stripped = cell.strip()
                        if not stripped:
                            continue
                        if len(cell) > MAX_CELL_CHARS:
                            raise CaseFileError(
                                f"{name}:{number}: a cell holds more than"
                                f" {MAX_CELL_CHARS:,} characters"
                            )
                        value = _UNREAD if seen is None else seen.get(stripped, _UNREAD)
                        if value is _UNREAD:
                            value = read(stripped)
                    if group is None:
                        answers[column] = value
                    else:
                        # (`items.setdefault(group, {}).setdefault(n, {})`, looked up once a
                        # run, without two new dicts made and dropped for each cell)
                        if item is None:
                            numbered = items.get(group)
                            if numbered is None:
                                numbered = items[group] = {}
                            item = numbered.get(n)
                            if item is None:
                                item = numbered[n] = {}
                        item[column] = value
            for group, numbered in items.items():
                # Items in their numbers' order; an item whose cells are all empty is no item.
                answers[group] = [numbered[n] for n in sorted(numbered)]
            yield Case(f"{name}:{str(case_id or f'row {number}')[:80]}", answers)
    except csv.Error as exc:
        raise CaseFileError(f"{name}:{reader.line_num}: not valid CSV ({exc})") from None


@dataclass(frozen=True)
class _CsvPlan:
    case_id: int | None
    id: int | None
    columns: tuple[
        tuple[int, str, Callable[[str], Any], dict[str, Any] | None, str | None, int], ...
    ]
    """Per distinct column name, in the header's order: its (last) index, the question or
    item question id, how a cell is read (and the cells it has read, unless a list answer,
    which is a new list each time), and for an item's column its group and number."""
    span: int
    """One past the last index of `columns`: the cells a row is read over."""
    chunks: tuple[tuple[int, int, tuple[Any, ...]], ...]
    """`columns` cut into runs in the same order: each item's columns that sit side by side
    in the file, with the cells they span (`row[lo:hi]`, all empty: no answer from any of
    them), and between them the other columns (lo == hi: no such check)."""


def _csv_plan(
    header: list[str],
    questions: Mapping[str, Question],
    name: str = "<cases>",
    also_known: Collection[str] = (),
) -> _CsvPlan:
    last: dict[str, int] = {}
    for at, column in enumerate(header):
        last[column] = at  # dict(zip(header, row)): the last cell of a name counts
    unknown = [c for c in last if not _known_column(c, questions, also_known)]
    if unknown:
        # A mistyped column would be read as "not answered" in every row, and a not-known
        # answer is treated as unknown: the file is refused instead (as answers files are).
        raise CaseFileError(_unknown_columns(name, unknown, questions, also_known))
    columns: list[
        tuple[int, str, Callable[[str], Any], dict[str, Any] | None, str | None, int]
    ] = []
    for column, at in last.items():
        if column == "case_id":
            continue
        one = _ITEM_COLUMN.fullmatch(column)
        if one is None:
            columns.append((at, column, *_cell_reader(questions.get(column)), None, 0))
            continue
        group, n, qid = one.group(1), int(one.group(2)), one.group(3)
        owner = questions.get(group)
        q = owner.question(qid) if isinstance(owner, GroupQuestion) else None
        columns.append((at, qid, *_cell_reader(q), group, n))
    span = max((c[0] + 1 for c in columns), default=0)
    return _CsvPlan(last.get("case_id"), last.get("id"), tuple(columns), span, _chunks(columns))


def _chunks(columns: list[Any]) -> tuple[tuple[int, int, tuple[Any, ...]], ...]:
    """`_CsvPlan.chunks`: runs of `columns`, each the columns of one item at consecutive
    indexes (lo, hi: the cells they span), or columns that are no item's (lo = hi = 0)."""
    runs: list[tuple[Any, list[Any]]] = []  # (key: (group, n, next index) or None, entries)
    for entry in columns:
        at, group, n = entry[0], entry[4], entry[5]
        key = runs[-1][0] if runs else False
        if group is None and key is None:
            runs[-1][1].append(entry)
        elif group is not None and key and key == (group, n, at):
            runs[-1] = ((group, n, at + 1), [*runs[-1][1], entry])
        else:
            runs.append((None if group is None else (group, n, at + 1), [entry]))
    chunks: list[tuple[int, int, tuple[Any, ...]]] = []
    for key, entries in runs:
        if key is None or len(entries) == 1:
            chunks.append((0, 0, tuple(entries)))
        else:
            chunks.append((entries[0][0], entries[-1][0] + 1, tuple(entries)))
    return tuple(chunks)


def _known_column(column: str, questions: Mapping[str, Question], also: Collection[str]) -> bool:
    if column in ("case_id", "id") or column in questions or column in also:
        return True
    one = _ITEM_COLUMN.fullmatch(column)
    if one is None:
        return False
    owner = questions.get(one.group(1))
    if owner is None and isinstance(also, Mapping):
        owner = also.get(one.group(1))  # a context prompt's group (the carers)
    return isinstance(owner, GroupQuestion) and owner.question(one.group(3)) is not None


def _unknown_columns(
    name: str, unknown: list[str], questions: Mapping[str, Question], also: Collection[str]
) -> str:
    """`file: column 'foo' is no question of either version`, with a hint: the version-1
    columns said as such when the versions ask each mark on its own, else the nearest ids."""
    shown = [repr(c) for c in unknown[:6]]
    if len(unknown) == 1:
        message = f"{name}: column {shown[0]} is no question of either version"
    else:
        rest = len(unknown) - len(shown)
        listed = (
            f"{', '.join(shown)} and {rest} more"
            if rest
            else f"{', '.join(shown[:-1])} and {shown[-1]}"
        )
        message = f"{name}: columns {listed} are no question of either version"
    groups = [q for q in questions.values() if isinstance(q, GroupQuestion)]
    item = (
        f"; an item of a group is a column such as `{groups[0].id}[1].{groups[0].questions[0].id}`"
        if groups
        else ""
    )
    old = [c for c in unknown if c in V1_KEYS]
    if old and groups:
        group = groups[0]
        items = ", ".join(f"{group.id}[1].{q.id}" for q in group.questions[:4])
        return (
            f"{message}\n  hint: {' and '.join(repr(c) for c in old)}"
            f" {'is a version-1 answer' if len(old) == 1 else 'are version-1 answers'} (one"
            f" answer for all the marks); both versions here ask each mark on its own, in columns"
            f" {items}, ... (`{group.id}[2].…` for a second mark). `bruising-check"
            " migrate-answers` converts a version-1 answers file, not a CSV; write the CSV in"
            " version-2 columns, or diff it against version-1 protocols."
        )
    item_columns = [c for c in unknown if _ITEM_COLUMN.fullmatch(c)]
    if not groups and item_columns:
        return (
            f"{message}\n  hint: columns such as {item_columns[0]!r} are answers format"
            " version 2 (one entry per mark); both versions here ask version-1 questions (one"
            " answer for all"
            " the marks, such as `mark_types` and `locations`); write the CSV in their columns,"
            " or diff it against version-2 protocols."
        )
    prompts = also.values() if isinstance(also, Mapping) else ()
    every_group = [*groups, *(g for g in prompts if isinstance(g, GroupQuestion))]
    ids = [*questions, *also]
    near: list[str] = []
    for c in unknown[:6]:
        # A mistyped item column: compared with each group's columns for the same item number.
        one = _ITEM_COLUMN.fullmatch(c)
        pool = (
            [f"{g.id}[{one.group(2)}].{q.id}" for g in every_group for q in g.questions]
            if one is not None
            else ids
        )
        near += [m for m in difflib.get_close_matches(c, pool, n=1, cutoff=0.75) if m not in near]
    guess = f" Did you mean {' or '.join(repr(m) for m in near)}?" if near else ""
    if "" in unknown:
        guess += " A header cell that is empty (a comma at the end of the line?) names no column."
    return (
        f"{message}\n  hint: each column is a question id of the old or the new version"
        f" (`case_id` names the row{item});"
        f" a column no version asks would be read as not answered in every row.{guess}"
    )


_READ_CELLS_KEPT = 512


def _cell_reader(
    q: Question | ItemQuestion | None,
) -> tuple[Callable[[str], Any], dict[str, Any] | None]:
    """`_cell` for one column's question, each distinct cell read once (the few hundred words
    and numbers a column holds); a list answer is a new list each time. With the cells read
    so far and their values, which the reader may use without a call (None for a list
    answer, whose reader copies it)."""
    seen: dict[str, Any] = {}
    listed = isinstance(q, MultipleChoiceQuestion)

    def read(cell: str) -> Any:
        value = seen.get(cell, _UNREAD)
        if value is _UNREAD:
            value = _cell(cell, q)
            if listed and isinstance(value, list):
                value = tuple(value)
            if len(seen) < _READ_CELLS_KEPT:
                seen[cell] = value
        return list(value) if listed and isinstance(value, tuple) else value

    return read, None if listed else seen


_UNREAD: Any = object()


def _cell(cell: str, q: Question | ItemQuestion | None) -> Any:
    """A CSV cell in the question's type; a value that does not fit stays text, and the answer
    check then reports it against the question id (for that case, never stopping the replay)."""
    lower = cell.lower()
    if lower in {"null", "unknown", "not known"}:
        return None
    if isinstance(q, BooleanQuestion):
        truth = {"true": True, "yes": True, "y": True, "1": True}
        falsity = {"false": False, "no": False, "n": False, "0": False}
        return truth.get(lower, falsity.get(lower, cell))
    if isinstance(q, NumberQuestion):
        # YAML 1.2 / JSON numbers only, as in answers files: `nan`, `inf`, `1_0`, `0x1F` and
        # `1:30` stay text and are reported for that case.
        number = number_from_text(cell)
        if number is None:
            return cell
        return int(number) if number == int(number) else number
    if isinstance(q, MultipleChoiceQuestion):
        if lower in {"none", "[]"}:
            return []
        return [part.strip() for part in cell.replace("|", ";").split(";") if part.strip()]
    return cell


def run_case(protocol: Protocol, case: Case) -> tuple[str | None, str | None]:
    """(pathway id, None) or (None, why it could not run); `run_outcome` adds the follow-on.
    Answers to questions this protocol does not have are left out, as `example_for` does for
    analysis examples.

    Answers `check_answers` would accept go through the compiled pass (`engine.compiled`),
    which gives exactly `engine.decide`'s pathway without its record, rationale or wording;
    anything else (an error to report, arithmetic on a non-number) goes through
    `check_answers` and `decide` themselves, so the reason is theirs."""
    outcome, why = run_outcome(protocol, case)
    return (None, why) if outcome is None else (outcome[0], None)


def run_outcome(
    protocol: Protocol,
    case: Case,
    checked: tuple[dict[str, Any], dict[str, Any]] | None = None,
    replay: Replay | None = None,
) -> tuple[tuple[str, str | None] | None, str | None]:
    """((pathway id, follow-on id or None), None), or (None, why it could not run). `checked`:
    the case's answers as `answers_ok` accepted them, when already read (`compiled.Joint`);
    `replay`: `compiled.replayer(protocol)`, when already looked up."""
    try:
        outcome = (replayer(protocol) if replay is None else replay)(case.answers, checked)
    except TypeError:
        outcome = None  # the engine says it (decide raises the same)
    if outcome is not None:
        pathway, then = outcome
        if pathway is None:
            return None, "no rule matched"
        return (pathway.id, None if then is None else then.id), None
    return _checked_case(protocol, case)


def _checked_case(
    protocol: Protocol, case: Case
) -> tuple[tuple[str, str | None] | None, str | None]:
    """`run_case` through `check_answers` and `engine.decide` (the reference path)."""
    ids = {q.id for q in protocol.questions} | {q.id for q in protocol.context_prompts}
    answers = {k: v for k, v in case.answers.items() if k in ids}
    checked = check_answers(protocol, Located(answers, case.name))
    errors = [p.message for p in checked.problems if p.severity == "error"]
    if errors:
        return None, "; ".join(errors)
    decision = decide(protocol, checked.answers, context=checked.context)
    if decision.pathway is None:
        return None, "no rule matched"
    return (decision.pathway.id, None if decision.then is None else decision.then.id), None


def impact(
    old: Protocol,
    new: Protocol,
    cases: Iterable[Case],
    progress: Callable[[int], None] | None = None,
) -> Impact:
    """`progress` is told the count every PROGRESS_EVERY cases (the CLI shows it on a terminal)."""
    result = Impact()
    both = joint(old, new)
    read_both = both.answers_ok
    replay_old, replay_new = replayer(old), replayer(new)
    transitions, directions = result.transitions, result.directions
    # Answers to questions neither version asks are left out, as each version leaves out the
    # other's; they are counted (by id, bounded), so a typo in a saved record or a YAML case
    # (a required answer then missing, or an optional one not known) is said, never silent.
    known = frozenset(q.id for p in (old, new) for q in (*p.questions, *p.context_prompts))
    for case in cases:
        result.total += 1
        if progress is not None and result.total % PROGRESS_EVERY == 0:
            progress(result.total)
        if not known.issuperset(case.answers):
            result.with_ignored += 1
            for stray_id in case.answers.keys() - known:
                shown = str(stray_id)[:80]
                if shown in result.ignored or len(result.ignored) < MAX_IGNORED_IDS:
                    result.ignored[shown] += 1
        # Both versions' answer checks in one reading; a case either refuses is read by each
        # on its own (`run_outcome` without `checked`), which says why.
        checked = read_both(case.answers)
        if checked is None:
            old_outcome, why_old = run_outcome(old, case, None, replay_old)
            new_outcome, why_new = run_outcome(new, case, None, replay_new)
        else:
            old_outcome, why_old = run_outcome(old, case, checked[0], replay_old)
            new_outcome, why_new = run_outcome(new, case, checked[1], replay_new)
        if why_old is not None or why_new is not None:
            for which, why in (("old", why_old), ("new", why_new)):
                if why is None:
                    continue
                result.unrunnable_total += 1
                # Keep a bounded sample: a year of records that all fail must not fill memory.
                if len(result.unrunnable) < MAX_UNRUNNABLE_KEPT:
                    result.unrunnable.append((case.name, which, why))
        if old_outcome is None or new_outcome is None:
            continue
        (before, old_then), (after, new_then) = old_outcome, new_outcome
        pair = (before, after)
        transitions[pair] += 1
        direction = directions.get(pair)
        if direction is None:
            # The case impact counts cases that get another pathway; a pathway kept under its
            # id whose actions or timescale changed is reported by the behaviour comparison
            # (`validate --against`, `diff`), which judges its content, not here.
            verdict = pathway_direction(old, before, new, after)
            direction = directions[pair] = "same" if before == after else verdict.direction
            if before != after and not verdict.compared:
                result.not_compared.add(pair)
        if before == after and old_then != new_then:
            # The first step stays (emergency care first) and what follows it changes: the
            # outcome is the pair, so this case gets another pathway.
            key = (before, old_then, new_then)
            result.follow_ons[key] += 1
            if key not in result.follow_on_directions:
                result.follow_on_directions[key] = outcome_direction(
                    old, old_outcome, new, new_outcome
                ).direction
            listed = result.follow_on_cases.setdefault(key, [])
            if len(listed) < EXAMPLES_PER_CHANGE:
                listed.append(case.name)
        elif before == after:
            kept = result.kept_cases.get(before)
            if kept is None:
                kept = result.kept_cases[before] = []
            if len(kept) < EXAMPLES_PER_CHANGE:
                kept.append(case.name)
        if direction != "same":
            listed = result.changed_cases.setdefault((before, after), [])
            if len(listed) < EXAMPLES_PER_CHANGE:
                listed.append(case.name)
    return result

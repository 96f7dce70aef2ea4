"""The case readers made faster read every file as the readers they replaced did: CSV (each
header worked out once) as `csv.DictReader` and a pattern per cell (`reference_csv_cases`, kept
here as it was); JSON (one decoder made once) as `json.loads` with the number limits."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.model import GroupQuestion, Question
from bruising_check.versions.impact import (
    MAX_CELL_CHARS,
    Case,
    CaseFileError,
    _cell,
    _json,
    _json_int,
    _json_number,
    _no_constant,
    read_cases,
)
from tests.conftest import ROOT, same_data

_ITEM_COLUMN = re.compile(r"([A-Za-z0-9_]+)\[([1-9][0-9]{0,5})\]\.([A-Za-z0-9_]+)")


def reference_csv_cases(
    name: str, stream: io.StringIO, questions: Mapping[str, Question]
) -> Iterator[Case]:
    """`versions.impact._csv_cases` before it planned the header once (verbatim)."""
    reader = csv.DictReader(stream)
    try:
        for row in reader:
            number = reader.line_num
            case_id = row.pop("case_id", None) or row.pop("id", None) or f"row {number}"
            answers: dict[str, Any] = {}
            items: dict[str, dict[int, dict[str, Any]]] = {}
            for column, cell in row.items():
                if column is None or not isinstance(cell, str) or cell.strip() == "":
                    continue
                if len(cell) > MAX_CELL_CHARS:
                    raise CaseFileError(
                        f"{name}:{number}: a cell holds more than {MAX_CELL_CHARS:,} characters"
                    )
                one = _ITEM_COLUMN.fullmatch(column)
                if one is None:
                    answers[column] = _cell(cell.strip(), questions.get(column))
                    continue
                group, n, qid = one.group(1), int(one.group(2)), one.group(3)
                owner = questions.get(group)
                q = owner.question(qid) if isinstance(owner, GroupQuestion) else None
                items.setdefault(group, {}).setdefault(n, {})[qid] = _cell(cell.strip(), q)
            for group, numbered in items.items():
                answers[group] = [numbered[n] for n in sorted(numbered)]
            yield Case(f"{name}:{str(case_id)[:80]}", answers)
    except csv.Error as exc:
        raise CaseFileError(f"{name}:{reader.line_num}: not valid CSV ({exc})") from None


@pytest.fixture(scope="module")
def questions() -> dict[str, Question]:
    found: dict[str, Question] = {}
    for path in (ROOT / "protocols" / "national-baseline.yaml", ROOT / "protocols" / "examples"):
        for p in [path] if path.is_file() else sorted(path.glob("*.yaml")):
            protocol = load_protocol(p.read_bytes(), p.name).protocol
            assert protocol is not None
            found.update({q.id: q for q in protocol.questions})
    return found


def outcome(reader: Any, text: str, questions: Mapping[str, Question]) -> list[Any]:
    """Every case read (name, answers), then the refusal if there is one."""
    got: list[Any] = []
    try:
        for case in reader("c.csv", io.StringIO(text, newline=""), questions):
            got.append((case.name, case.answers))
    except CaseFileError as exc:
        got.append(("refused", str(exc)))
    return got


def assert_same(text: str, questions: Mapping[str, Question]) -> None:
    # The reader refuses a column no version asks (`test_impact.py`); here every column of the
    # header is declared known, so that the rows of each edge are read and compared.
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")), [])
    new = outcome(lambda n, s, q: read_cases(n, s, q, set(header)), text, questions)
    old = outcome(reference_csv_cases, text, questions)
    assert same_data(new, old), (new, old)


HEADER = "case_id,age_weeks,mobility_milestones,marks[1].type,marks[2].site,marks[1].patterned"
EDGES = [
    "",
    "\n",
    "\n10,x\n",
    HEADER + "\n",
    HEADER + "\nA,10,crawling;walking,bruise,shin,no\n",
    HEADER + "\n\n\nA,10,none,bruise,,yes\n\n",
    HEADER + "\nA,10\n",  # short: missing cells are no answers
    HEADER + "\nA,10,none,bruise,shin,no,extra,cells\n",
    HEADER + "\n,10,none,bruise,shin,no\n",  # no case id: the row number
    "case_id,id,age_weeks\nA,B,10\n,B,10\n,,10\n",  # `id` is an answer when case_id is given
    "id,age_weeks\nB,10\n,11\n",
    "age_weeks,age_weeks,marks[1].type,marks[1].type\n10,,bruise,burn\n,12,x\n",
    "case_id,case_id,age_weeks\nA,B,10\nA,,10\n",
    "a,,b\n1,2,3\n",
    "age_weeks,mobility_milestones\n  10  , none \nnull,[]\nunknown,Not Known\n1_0,x|y;z\n",
    "age_weeks,mobility_seen_by_professional\n1e1,Y\n0x1F,0\n.5,maybe\nnan,TRUE\n",
    "marks[0].type,marks[01].site,marks[1].x,Marks[1].type,marks[1000000].type\na,b,c,d,e\n",
    'case_id,notes\n"A","two\nlines"\n"B","a ""quote"""\n',
    'case_id,notes\n"A,unclosed\n',
    "case_id,notes\nA,\x00\n",
    "case_id,notes\nA," + "x" * (MAX_CELL_CHARS + 1) + "\n",
    "case_id,notes\nA,   " + "x" * MAX_CELL_CHARS + "\n",
    "case_id,notes\n" + "Z" * 200 + ",x\n",
    # An item's columns side by side, read as one run of cells: an answer in any one of them
    # (the last, the first, the only one of a short row), blank cells, an all-empty run.
    "case_id,marks[1].type,marks[1].site,marks[1].size_cm,age_weeks,marks[2].type,marks[2].site\n"
    "A,,,1.5,10,,\nB,bruise,,,10,,shin\nC, ,,,,\nD,,shin\nE,,,,,,\nF,,, ,,, \nG,,,,10\n",
]


@pytest.mark.parametrize("text", EDGES)
def test_the_csv_reader_reads_as_before_at_the_edges(
    text: str, questions: dict[str, Question]
) -> None:
    assert_same(text, questions)


def test_the_csv_reader_reads_a_generated_file_as_before(questions: dict[str, Question]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench/synthetic_cases.py")
    assert spec is not None and spec.loader is not None
    synthetic: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    text = synthetic.v2_csv(synthetic.v2_cases(500))
    assert_same(text, questions)
    # A list answer is a list of its own in each case (a word read once, never shared).
    cases = list(read_cases("c.csv", io.StringIO(text), questions))
    lists = [c.answers["mobility_milestones"] for c in cases if "mobility_milestones" in c.answers]
    assert len({id(x) for x in lists}) == len(lists)


COLUMNS = st.sampled_from(
    [
        "case_id",
        "id",
        "age_weeks",
        "gestation_weeks_at_birth",
        "mobility_milestones",
        "mobility_seen_by_professional",
        "immediate_danger",
        "marks[1].type",
        "marks[2].type",
        "marks[1].size_cm",
        "marks[1].site",  # (an item's columns side by side: read as one run of cells)
        "marks[2].size_cm",
        "marks[3].patterned",
        "notes",
        "other[1].x",
        "",
    ]
)
CELLS = st.one_of(
    st.sampled_from(
        ["", " ", "10", "1.5", "yes", "No", "none", "[]", "null", "crawling;walking", "a|b", "1e3"]
    ),
    st.text(alphabet='ab1,\n" ;|.', max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(COLUMNS, min_size=0, max_size=7),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=5),
)
def test_the_csv_reader_reads_generated_files_as_before(
    header: list[str], rows: list[list[str]], questions: dict[str, Question]
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    assert_same(out.getvalue(), questions)


def reference_json(text: str, where: str) -> Any:
    """`versions.impact._json` before its decoder was made once (verbatim)."""
    try:
        return json.loads(
            text, parse_float=_json_number, parse_int=_json_int, parse_constant=_no_constant
        )
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except ValueError as exc:
        raise CaseFileError(f"{where}: not valid JSON ({exc})") from None
    except RecursionError:
        raise CaseFileError(f"{where}: not valid JSON (nested too deeply)") from None


def json_outcome(reader: Any, text: str) -> Any:
    try:
        return reader(text, "c.jsonl:1")
    except CaseFileError as exc:
        return ("refused", str(exc))


@pytest.mark.parametrize(
    "text",
    [
        '{"answers": {"age_weeks": 10, "size": 1.5}}',
        "\ufeff{}",
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": 1e999}',
        '{"a": ' + "9" * 31 + "}",
        '{"a": ' + "9" * 30 + "}",
        '{"a": 1.' + "0" * 29 + "}",
        '{"a": [1, 2, }',
        "[" * 100_000 + "]" * 100_000,
        '{"a": 1} {"b": 2}',
        '  {"a": "\\u00e9"}  \n',
        "",
    ],
)
def test_the_json_reader_reads_as_before(text: str) -> None:
    got, expected = json_outcome(_json, text), json_outcome(reference_json, text)
    assert same_data(got, expected), (got, expected)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_json_file_saved_with_a_byte_order_mark_reads_as_without_it(
    suffix: str, questions: dict[str, Question]
) -> None:
    text = '{"answers": {"age_weeks": 10}, "created_at": "2026-12-03"}\n'
    if suffix == ".jsonl":
        text += '{"answers": {"age_weeks": 12}}\n'
    plain = list(read_cases("c" + suffix, io.StringIO(text), questions))
    marked = list(read_cases("c" + suffix, io.StringIO("\ufeff" + text), questions))
    assert marked == plain
    assert len(plain) == (2 if suffix == ".jsonl" else 1)
    # Only at the start of the file: a mark inside is a broken line, refused as before.
    if suffix == ".jsonl":
        with pytest.raises(CaseFileError, match=r"c\.jsonl:3: not valid JSON"):
            list(read_cases("c.jsonl", io.StringIO(text + "\ufeff{}\n"), questions))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_csv_file_saved_with_a_byte_order_mark_reads_as_without_it(
    newline: str, questions: dict[str, Question]
) -> None:
    # Spreadsheets save "CSV UTF-8" with a byte-order mark: read as text, it was part of the
    # first column's name, so that column (the case id, or a question) was silently not read.
    for first in ("case_id", "gestation_weeks_at_birth", '"case_id"'):
        rows = [f"{first},age_weeks,gestation_weeks_at_birth", "A,10,30", ",12,"]
        text = newline.join(rows) + newline
        plain = list(read_cases("c.csv", io.StringIO(text, newline=""), questions))
        marked = list(read_cases("c.csv", io.StringIO("\ufeff" + text, newline=""), questions))
        assert marked == plain
    # Only at the very start: elsewhere it is text, as before.
    late = list(read_cases("c.csv", io.StringIO("notes\n\ufeffx\n", newline=""), questions))
    assert late[0].answers == {"notes": "\ufeffx"}


def test_a_csv_refusal_names_the_line_of_the_bad_row_after_blank_lines() -> None:
    # csv.DictReader named the blank line before the row (its line count is taken before it
    # skips blank lines); the reader now names the row's own line, as everywhere else.
    text = 'age_weeks,notes\n1,2\n\n10,"' + "x" * 140_000 + '"\n'
    got = outcome(lambda n, s, q: read_cases(n, s, q, {"age_weeks", "notes"}), text, {})
    assert got[-1][0] == "refused" and got[-1][1].startswith("c.csv:4: not valid CSV (field larger")

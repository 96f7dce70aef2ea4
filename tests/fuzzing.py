"""Hypothesis strategies for hostile input: mutations of the bundled protocol and of an answer set.

Shared by the property tests (a few examples in CI) and `bench/fuzz.py` (a long run). Each
mutation takes a valid document and breaks it the way a bad e-mail attachment or a careless edit
would: wrong types anywhere, deleted keys, huge or non-finite numbers, long strings and lists,
control characters, or plain random bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import strategies as st

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import decide
from bruising_check.protocol.loader import Loaded, load_protocol
from bruising_check.protocol.yamlread import decode, read_yaml
from bruising_check.records.record import build_record, to_json
from bruising_check.render import plain as render
from tests.conftest import BASE_ANSWERS as BASE_ANSWERS
from tests.conftest import BASELINE, TODAY

BASELINE_BYTES = BASELINE.read_bytes()
BASELINE_DATA: Any = read_yaml(decode(BASELINE_BYTES, "b"), "b").data
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc)

# Values that have broken parsers before: wrong types, extremes, odd text.
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    10**29,
    -(10**29),
    1e308,
    -1e308,
    5e-324,
    float("nan"),  # YAML writes .nan (refused); JSON writes NaN (YAML reads it as text)
    float("inf"),
    -float("inf"),
    0.5,
    "",
    " ",
    "x" * 5000,
    "yes",
    "null",
    "\x1b[2J\x1b[31mred",
    "[bold red]markup[/]",
    "<script>alert(1)</script>",
    "\u202eevil\u202c",
    "caf\u00e9 \U0001f600",
    "2026-02-30",
    [],
    {},
    [None],
    ["bruise"] * 500,
    {"all": []},
    {"question": "age_weeks"},
    {"not": {"not": {"not": {}}}},
]

hostile_scalar = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    st.booleans(),
)
hostile_value = st.recursive(
    hostile_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path in a nested document (keys and list indices), the root included."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from paths(v, (*prefix, i))


BASELINE_PATHS = [p for p in paths(BASELINE_DATA) if p]


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated_document(draw: st.DrawFn, base: Any, base_paths: list[tuple[Any, ...]]) -> Any:
    """`base` with one to four mutations at random places."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        live = [p for p in base_paths if _exists(doc, p)]
        if not live:
            break
        path = draw(st.sampled_from(live))
        parent = _parent(doc, path)
        key = path[-1]
        op = draw(st.sampled_from(["replace", "delete", "duplicate", "grow", "rename"]))
        if op == "replace":
            parent[key] = draw(hostile_value)
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "grow":
            # Copies of one subtree (shared, so cheap to build); long enough to matter without
            # turning every example into megabytes of YAML to write (tests/hostile/ has those).
            parent[key] = [parent[key]] * draw(st.integers(2, 40))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = parent.pop(key)
    return doc


def _exists(doc: Any, path: tuple[Any, ...]) -> bool:
    node = doc
    for part in path:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return False
    return True


def serialise(doc: Any, how: str) -> bytes:
    if how == "json":
        return json.dumps(doc, default=str).encode("utf-8")
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def hostile_protocol_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["mutate", "mutate", "mutate", "bytes", "splice"]))
    if kind == "bytes":
        return draw(st.binary(max_size=2000))
    if kind == "splice":
        # Random bytes dropped into the real file: broken syntax, encodings, NULs.
        at = draw(st.integers(0, len(BASELINE_BYTES)))
        return BASELINE_BYTES[:at] + draw(st.binary(min_size=1, max_size=40)) + BASELINE_BYTES[at:]
    doc = draw(mutated_document(BASELINE_DATA, BASELINE_PATHS))
    return serialise(doc, draw(st.sampled_from(["yaml", "json"])))


ANSWER_PATHS = [p for p in paths(BASE_ANSWERS) if p]


@st.composite
def hostile_answers_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["mutate", "mutate", "mutate", "bytes", "extra"]))
    if kind == "bytes":
        return draw(st.binary(max_size=500))
    doc = draw(mutated_document(BASE_ANSWERS, ANSWER_PATHS))
    if kind == "extra" and isinstance(doc, dict):
        for name in ("explanation_verbatim", "notes", "context_notes", "carers_seen"):
            if draw(st.booleans()):
                doc[name] = draw(hostile_value)
    return serialise(doc, draw(st.sampled_from(["yaml", "json"])))


def load(raw: bytes) -> Loaded:
    return load_protocol(raw, "fuzz.yaml", today=TODAY)


def run_answers(loaded: Loaded, raw: bytes) -> str | None:
    """Everything `check --answers` does after reading files; returns the problem or None."""
    from bruising_check.protocol.yamlread import YamlError

    assert loaded.protocol is not None
    try:
        located = read_yaml(decode(raw, "answers.yaml"), "answers.yaml")
    except YamlError as exc:
        return exc.problem.format()
    checked = check_answers(loaded.protocol, located)
    if not checked.ok:
        return next(p.format() for p in checked.problems if p.severity == "error")
    decision = decide(loaded.protocol, checked.answers)
    record = build_record(
        loaded.protocol, loaded.sha256, decision, created_at=NOW, context=checked.context
    )
    for out in (render.text(record), render.markdown(record), to_json(record)):
        assert isinstance(out, str)
    return None


BASELINE_LOADED = load(BASELINE_BYTES)
assert BASELINE_LOADED.protocol is not None
RECORD: dict[str, Any] = json.loads(
    to_json(
        build_record(
            BASELINE_LOADED.protocol,
            BASELINE_LOADED.sha256,
            decide(BASELINE_LOADED.protocol, BASE_ANSWERS),
            created_at=NOW,
        )
    )
)
RECORD_PATHS = [p for p in paths(RECORD) if p and p[0] != "checksum"]


@st.composite
def hostile_record_edit(draw: st.DrawFn) -> tuple[Any, bool]:
    """A saved record edited at one to four places, and whether the editor resealed it."""
    return draw(mutated_document(RECORD, RECORD_PATHS)), draw(st.booleans())


def verify_edit(edited: Any, reseal: bool) -> None:
    """An edited record is refused as unreadable or verified with the edit reported."""
    from bruising_check.records.record import checksum
    from bruising_check.records.verify import RecordError, read_record, verify_record

    record = copy.deepcopy(edited)
    if reseal and isinstance(record, dict):
        record["checksum"] = checksum(record)
    try:
        parsed = read_record(json.dumps(record).encode())
    except RecordError:
        return
    assert BASELINE_LOADED.protocol is not None
    result = verify_record(parsed, BASELINE_LOADED.protocol, BASELINE_LOADED.sha256)
    if parsed != RECORD and not reseal:
        assert not result.checksum_ok
    if result.ok:
        # Only a resealed edit that changes nothing a person acts on can still verify.
        assert parsed == RECORD or reseal

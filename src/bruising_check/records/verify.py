"""Re-check a saved record years later: unchanged? which protocol made it? does it still hold?

Pure functions over values: `read_record` parses the JSON safely, `find_protocol` picks the
protocol whose SHA-256 the record names, and `verify_record` re-runs the record's answers through
the same answer checks and engine and says exactly what, if anything, differs. The checksum
catches accidents and casual edits; it is not a signature (see SECURITY.md).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import JsonValue, ValidationError

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import decide
from bruising_check.protocol.loader import Loaded
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import Located, shorten
from bruising_check.records.record import Entered, Header, Record, build_record, checksum

SavedRecord = dict[str, JsonValue]
"""A record as read from its file: JSON, of any shape an editor may have given it."""
MAX_RECORD_BYTES = 5_000_000
Kind = Literal["checksum", "protocol", "answers", "result"]


class RecordError(ValueError):
    """The file is not a record this tool can read: exit 2 when it is not JSON at all, 1 when it
    is JSON but not a record as saved (missing keys, duplicate keys, NaN)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Difference:
    kind: Kind
    message: str


@dataclass(frozen=True)
class Verification:
    checksum_ok: bool
    protocol_found: bool
    differences: tuple[Difference, ...] = ()

    @property
    def ok(self) -> bool:
        return self.checksum_ok and self.protocol_found and not self.differences


# --- reading ----------------------------------------------------------------------------------


def read_record(raw: bytes) -> SavedRecord:
    """Parse a saved record. Refuses what JSON allows but a record never holds: duplicate keys
    (a human and the tool could read different values), NaN and infinity, and huge files."""
    if len(raw) > MAX_RECORD_BYTES:
        raise RecordError(f"file is {len(raw):,} bytes; a record is under {MAX_RECORD_BYTES:,}", 2)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"byte {exc.start} is not UTF-8 text; a record is UTF-8 JSON", 2
        ) from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", 2
        ) from None
    except RecursionError:
        raise RecordError("not a record: nested far too deeply") from None
    _check_shape(data)
    return dict(data)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> SavedRecord:
    result: SavedRecord = {}
    for key, value in pairs:
        if key in result:
            raise RecordError(shorten(f"duplicate key {key!r}: the record has been edited"))
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise RecordError(f"{name} is not a number a record holds")


_SHAPE: dict[str, type | tuple[type, ...]] = {
    "checksum": str,
    "protocol": dict,
    "answers": dict,
    "outcome": (dict, type(None)),
    "actions": list,
    "created_at": str,
    "header": dict,
}


def _check_shape(data: Any) -> None:
    if not isinstance(data, dict):
        raise RecordError("not a bruising-check record: the JSON is not an object")
    for key, kind in _SHAPE.items():
        if key not in data:
            raise RecordError(f"not a bruising-check record: no {key!r}")
        if not isinstance(data[key], kind):
            raise RecordError(f"not a bruising-check record: {key!r} has the wrong type")
    for key in ("id", "version", "sha256"):
        if not isinstance(data["protocol"].get(key), str):
            raise RecordError(f"not a bruising-check record: no protocol {key!r}")
    try:
        dt.datetime.fromisoformat(data["created_at"])
    except ValueError:
        raise RecordError("not a bruising-check record: 'created_at' is not a date") from None


def protocol_field(record: SavedRecord, key: str) -> str:
    """`protocol.id`, `.version` or `.sha256` of a record that passed `read_record`."""
    identity = record["protocol"]
    value = identity.get(key) if isinstance(identity, dict) else None
    return value if isinstance(value, str) else "?"


def created(record: SavedRecord) -> dt.datetime:
    """When a record that passed `read_record` was made."""
    value = record["created_at"]
    return dt.datetime.fromisoformat(value if isinstance(value, str) else "")


# --- finding the protocol ---------------------------------------------------------------------


def find_protocol(record: SavedRecord, candidates: Sequence[Loaded]) -> Loaded | None:
    """The candidate whose file has exactly the SHA-256 the record names, if it loads."""
    wanted = protocol_field(record, "sha256")
    return next((c for c in candidates if c.sha256 == wanted and c.protocol is not None), None)


def describe_missing(
    record: SavedRecord,
    candidates: Sequence[Loaded],
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """Which protocol the record names and which versions are at hand instead, as lines.
    `labels` names candidate files for people (e.g. "bundled")."""
    pid, version = protocol_field(record, "id"), protocol_field(record, "version")
    sha = protocol_field(record, "sha256")
    lines = [
        f"the record used {pid} version {version} (sha256 {sha[:16]}...),",
        "and no protocol with that SHA-256 is at hand.",
    ]
    for c in candidates:
        if c.protocol is not None:
            m = c.protocol.metadata
            where = (labels or {}).get(c.file, c.file)
            lines.append(f"Available: {m.id} {m.version} (sha256 {c.sha256[:16]}..., {where})")
    if len(lines) == 2:
        lines.append("Available: none")
    same_id = any(c.protocol and c.protocol.metadata.id == pid for c in candidates)
    lines.append(
        "Give the exact protocol file it used with --protocol."
        if same_id
        else "No protocol with that id is at hand; give its file with --protocol."
    )
    return lines


# --- verifying --------------------------------------------------------------------------------

CHANGED = "the record was changed after it was saved: its checksum does not match its content"


def checksum_matches(record: SavedRecord) -> bool:
    return record.get("checksum") == checksum(record)


def verify_record(record: SavedRecord, protocol: Protocol, sha256: str) -> Verification:
    """Check the checksum and re-run the answers through `protocol` (which must be the file
    whose SHA-256 is `sha256`). Differences say what the record says and what the re-run gives."""
    checksum_ok = checksum_matches(record)
    differences: list[Difference] = []
    if not checksum_ok:
        differences.append(Difference("checksum", CHANGED))
    if sha256 != protocol_field(record, "sha256"):
        differences.append(
            Difference("protocol", "the protocol given is not the one the record names")
        )
        return Verification(checksum_ok, False, tuple(differences))
    rerun, problems = rerun_record(record, protocol, sha256)
    if rerun is None:
        differences.extend(Difference("answers", p) for p in problems)
    else:
        differences.extend(compare_results(record, rerun))
    return Verification(checksum_ok, True, tuple(differences))


def rerun_record(
    record: SavedRecord, protocol: Protocol, sha256: str
) -> tuple[Record | None, list[str]]:
    """Build the record again from its answers, context and header; or the answer problems."""
    given = record["answers"]
    answers: dict[str, object] = dict(given) if isinstance(given, dict) else {}
    for entry in _list(record, "context"):
        named = isinstance(entry, dict) and isinstance(entry.get("id"), str)
        if named and entry.get("answer") is not None:
            answers.setdefault(entry["id"], entry["answer"])
    checked = check_answers(protocol, Located(answers, "record answers"))
    errors = [p.message for p in checked.problems if p.severity == "error"]
    if errors:
        return None, [
            f"the recorded answers no longer pass the protocol's checks: {e}" for e in errors
        ]
    decision = decide(protocol, checked.answers, context=checked.context)
    try:
        header = Header.model_validate(record.get("header") or {})
    except ValidationError:
        header = Header()
    try:
        entered = (
            None if record.get("entered") is None else Entered.model_validate(record["entered"])
        )
    except ValidationError:
        entered = None
    created_at = created(record)
    if created_at.tzinfo is None:
        return None, ["created_at has no time zone: not a record this tool saved"]
    rebuilt = build_record(
        protocol,
        sha256,
        decision,
        created_at=created_at,
        context=checked.context,
        about=header,
        entered=entered,
    )
    return rebuilt, []


def compare_results(
    record: SavedRecord, rerun: Record, *, identity: bool = True
) -> list[Difference]:
    """Everything a person reads, field by field: the pathway (title, timescale, deadline,
    follow-on), each action (text, deadline, who, contact), the reasons, the facts, the answers
    and their labels, the marks, the context, the header and the protocol's identity. Each
    difference is named by where it is and what each side says."""
    got = rerun.json_body()
    out: list[Difference] = []
    said, now = _outcome_id(record), _outcome_id(got)
    if said != now:
        out.append(Difference("result", f"pathway: the record says {said}, the re-run gives {now}"))
    said_actions = [_action_key(a) for a in _list(record, "actions")]
    got_actions = [_action_key(a) for a in _list(got, "actions")]
    missing = [a for a in got_actions if a not in said_actions]
    extra = [a for a in said_actions if a not in got_actions]
    if missing:
        out.append(Difference("result", f"actions missing from the record: {_ids(missing)}"))
    if extra:
        out.append(
            Difference("result", f"actions in the record the re-run does not give: {_ids(extra)}")
        )
    if not missing and not extra and said_actions != got_actions:
        out.append(Difference("result", "the actions are in a different order"))
    said_rules = [_rule_key(r) for r in _list(record, "rules_fired")]
    got_rules = [_rule_key(r) for r in _list(got, "rules_fired")]
    if said_rules != got_rules:
        out.append(
            Difference(
                "result",
                f"reasons: the record gives rules {_ids(said_rules)}, the re-run {_ids(got_rules)}",
            )
        )
    recorded = record.get("derived")
    said_facts: SavedRecord = recorded if isinstance(recorded, dict) else {}
    derived = got["derived"]
    assert isinstance(derived, dict)
    for key, value in derived.items():
        if not _same(said_facts.get(key), value):
            out.append(
                Difference(
                    "result",
                    f"derived fact {key}: the record says {said_facts.get(key)!r},"
                    f" the re-run gives {value!r}",
                )
            )
    if bool(record.get("raised_for_safety")) != bool(got["raised_for_safety"]):
        out.append(Difference("result", "raised for safety: the record and the re-run disagree"))
    # Then every other field, so that no word a person reads can change unnoticed.
    skip = {"checksum", "derived", "raised_for_safety"}
    if not identity:  # under another version on purpose: its identity is not a difference
        skip.update({"protocol", "disclaimer"})
    if said != now:
        skip.add("outcome")
    if said_actions != got_actions:
        skip.add("actions")
    if said_rules != got_rules:
        skip.update({"rules_fired", "sources", "decided_by"})
    for key in sorted(set(got) | set(record)):
        if key in skip:
            continue
        if key not in record:
            out.append(Difference("result", f"{_name(key)}: missing from the record"))
            continue
        if key not in got:
            out.append(Difference("result", f"{_name(key)}: in the record, not a field it has"))
            continue
        for where, a, b in _walk(_name(key), record[key], got[key]):
            out.append(
                Difference(
                    "result",
                    shorten(f"{where}: the record says {_shown(a)}, the re-run gives {_shown(b)}"),
                )
            )
    return out


_NAMES = {
    "outcome": "pathway",
    "header": "header",
    "protocol": "protocol identity",
    "created_at": "date and time",
    "unknowns_that_decided": "unknowns that decided",
    "rules_fired": "reasons",
}


def _name(key: str) -> str:
    return _NAMES.get(key, key.replace("_", " "))


def _walk(where: str, a: Any, b: Any) -> list[tuple[str, Any, Any]]:
    """Differing leaves of two JSON values, with readable paths (`action see_gp: contact`)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found: list[tuple[str, Any, Any]] = []
        for k in sorted(set(a) | set(b), key=str):
            found.extend(_walk(f"{where}.{k}", a.get(k), b.get(k)))
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        found = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            label = y.get("id") if isinstance(y, dict) else None
            if label is None and isinstance(y, dict):
                label = y.get("number")
            part = f"{where}[{label if label is not None else i + 1}]"
            found.extend(_walk(part, x, y))
        return found
    if _same(a, b):
        return []
    return [(where, a, b)]


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _list(record: SavedRecord, key: str) -> list[Any]:
    """A list the record should hold; an edited record may hold anything there."""
    value = record.get(key)
    return value if isinstance(value, list) else []


def _outcome_id(record: SavedRecord) -> str:
    outcome = record.get("outcome")
    if isinstance(outcome, dict) and isinstance(outcome.get("id"), str):
        return str(outcome["id"])
    return "no pathway"


def _action_key(action: Any) -> str:
    if not isinstance(action, dict):
        return "?"
    return f"{action.get('id')} (from {action.get('from')})"


def _rule_key(rule: Any) -> str:
    if not isinstance(rule, dict):
        return "?"
    return f"{rule.get('id')} ({rule.get('kind')})"


def _ids(items: Sequence[str]) -> str:
    return shorten(", ".join(items) or "none")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        # Records round numbers to 4 decimals; a re-run from rounded answers may differ below.
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-3)
    return bool(a == b)

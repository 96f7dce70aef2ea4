"""Read a protocol: bytes → located YAML → typed `Protocol` → semantic checks.

The pipeline is visible: `yamlread` (safe, located parsing), pydantic (the schema), `checks`
(references and consistency). Every failure becomes a located `Problem`; nothing here raises
for a user's mistake and nothing here touches the file system.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bruising_check.problems import Code, Problem
from bruising_check.protocol.limits import (
    MAX_RECORD_FROM_PROTOCOL,
    MAX_TEXT_CHARS,
    record_size_bound,
)
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.roles import check_roles, resolve_roles
from bruising_check.protocol.yamlread import Located, Path, YamlError, decode, read_yaml


@dataclass
class Loaded:
    """A protocol file, read: its digest, the protocol (None if unusable), the problems."""

    file: str
    sha256: str
    protocol: Protocol | None
    problems: list[Problem] = field(default_factory=list)
    located: Located | None = None

    @property
    def ok(self) -> bool:
        return self.protocol is not None and not any(p.severity == "error" for p in self.problems)


def load_protocol(raw: bytes, file: str, *, today: dt.date | None = None) -> Loaded:
    """Parse and check a protocol. `today` decides whether the review date has passed."""
    from bruising_check.protocol.checks import check_protocol

    digest = hashlib.sha256(raw).hexdigest()
    try:
        located = read_yaml(decode(raw, file), file)
    except YamlError as exc:
        return Loaded(file, digest, None, [exc.problem])
    if not isinstance(located.data, dict):
        return Loaded(
            file, digest, None, [located.problem(Code.NOT_A_MAPPING, "not a mapping", ())]
        )
    too_big = _first_too_big(located.data)
    if too_big is not None:
        # Checked before the schema so that a hostile list or text costs neither time nor a
        # flood of one problem per item.
        path, message = too_big
        return Loaded(file, digest, None, [located.problem(Code.SCHEMA, message, path)], located)
    try:
        protocol = Protocol.model_validate(located.data)
    except ValidationError as exc:
        return Loaded(file, digest, None, _capped(schema_problems(exc, located)), located)
    problems = check_roles(protocol, located)
    if not any(p.severity == "error" for p in problems):
        # The role becomes a reserved question asked first (protocol/roles.py); the checks
        # and everything after them see the resolved protocol, located to match.
        try:
            protocol, located = _resolved(protocol, located)
        except ValidationError as exc:  # pragma: no cover - check_roles rules these out
            message = f"the roles cannot be made into a question: {exc.errors()[0]['msg']}"
            return Loaded(
                file, digest, None, [located.problem(Code.SCHEMA, message, ("roles",))], located
            )
    problems += check_protocol(protocol, located, today=today or dt.date.today())
    bound = record_size_bound(protocol)
    if bound > MAX_RECORD_FROM_PROTOCOL:
        message = (
            f"a check under this protocol could make a record of up to {bound:,} bytes; the"
            f" limit is {MAX_RECORD_FROM_PROTOCOL:,} (contacts are repeated for every action"
            " that names them, option labels in every answer)"
        )
        hint = "Shorten long texts, especially contact details named by many actions."
        problems.append(located.problem(Code.SCHEMA, message, (), hint=hint))
    return Loaded(file, digest, protocol, problems, located)


def _resolved(protocol: Protocol, located: Located) -> tuple[Protocol, Located]:
    resolved, shifted = resolve_roles(protocol, located)
    assert shifted is not None
    return resolved, shifted


# Far more than any real protocol holds (the baseline's longest list has ~40 entries).
MAX_LIST_ITEMS = 2000
# After this many schema problems the rest are summarised in one line.
MAX_PROBLEMS = 100


def _first_too_big(data: Any) -> tuple[Path, str] | None:
    """The first list longer than MAX_LIST_ITEMS or text (key or value) longer than
    MAX_TEXT_CHARS, walked iteratively (no recursion limit). A first walk without the paths
    (about 1 ms less for the baseline, issue 15.4) finds whether there is anything to say."""
    if not _may_be_too_big(data):
        return None
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            if len(node) > MAX_LIST_ITEMS:
                return (
                    path,
                    f"{_where(path, data)} has {len(node):,} items;"
                    f" the limit is {MAX_LIST_ITEMS:,}",
                )
            stack.extend(((*path, i), v) for i, v in enumerate(node))
        elif isinstance(node, dict):
            for k, v in node.items():
                if len(k) > MAX_TEXT_CHARS:
                    return (
                        path,
                        f"a key in {_where(path, data)} is over {MAX_TEXT_CHARS:,} characters",
                    )
                stack.append(((*path, k), v))
        elif isinstance(node, str) and len(node) > MAX_TEXT_CHARS:
            text = f"{_where(path, data)} is {len(node):,} characters; the limit for any text is"
            return path, f"{text} {MAX_TEXT_CHARS:,}"
    return None


def _may_be_too_big(data: Any) -> bool:
    """False when no list, key or text is over its limit (every key text): then `_first_too_big`
    has nothing to find. True sends it on its own walk, which finds the first and its path."""
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            if len(node) > MAX_LIST_ITEMS:
                return True
            stack.extend(node)
        elif isinstance(node, dict):
            for k in node:
                if not isinstance(k, str) or len(k) > MAX_TEXT_CHARS:
                    return True
            stack.extend(node.values())
        elif isinstance(node, str) and len(node) > MAX_TEXT_CHARS:
            return True
    return False


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    last = problems[MAX_PROBLEMS - 1]
    more = Problem(
        Code.SCHEMA,
        f"... and {rest:,} more schema problems; fix the ones above and run again",
        last.file,
        last.line,
        last.column,
    )
    return [*problems[:MAX_PROBLEMS], more]


def schema_problems(exc: ValidationError, located: Located) -> list[Problem]:
    """Turn pydantic's errors into located problems, one per distinct place."""
    problems: list[Problem] = []
    seen: set[tuple[Path, str]] = set()
    for err in exc.errors(include_url=False):
        path = data_path(located.data, err["loc"])
        kind = err["type"]
        if (path, kind) in seen:
            continue
        seen.add((path, kind))
        if kind == "extra_forbidden":
            problems.append(
                located.problem(Code.UNKNOWN_KEY, f"unknown key {path[-1]!r}", path, key=True)
            )
        elif kind == "missing":
            parent = path[:-1] if path and path[-1] == err["loc"][-1] else path
            problems.append(
                located.problem(
                    Code.MISSING_KEY,
                    f"missing key {err['loc'][-1]!r} in {_where(parent, located.data)}",
                    parent,
                    key=bool(parent),
                )
            )
        elif path in located.truthy_words:
            word = located.truthy_words[path]
            problems.append(
                located.problem(
                    Code.SCHEMA,
                    f"{_where(path, located.data)}: YAML read `{word}` as a yes/no value,"
                    " not as text",
                    path,
                    hint=f'Put it in quotes: "{word}".',
                )
            )
        else:
            message = str(err["msg"]).replace("Value error, ", "")
            problems.append(
                located.problem(Code.SCHEMA, f"{_where(path, located.data)}: {message}", path)
            )
    return _drop_union_noise(problems)


def data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Follow pydantic's `loc` through the data, skipping union tags that are not data keys."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        following = loc[i + 1] if i + 1 < len(loc) else None
        if in_dict and _is_tag(str(part)) and isinstance(node, dict) and following in node:
            # `all` is both a union tag and a key: when the next step is a key of this same
            # mapping, this `all` was the tag (e.g. an unknown key beside `all:`).
            continue
        if in_dict or in_list:
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            # A missing or unknown key: point at the parent, name the key.
            path.append(part)
            break
        else:
            continue
        path.append(part)
    return tuple(path)


def _is_tag(part: str) -> bool:
    return (
        part
        in {
            "all",
            "any",
            "not",
            "some",
            "every",
            "count",
            "compare",
            "const",
            "ref",
            "add",
            "sub",
            "mul",
            "div",
        }
        or "[" in part
        or part
        in {
            "boolean",
            "single_choice",
            "multiple_choice",
            "number",
            "text",
            "group",
            "function-after",
        }
    )


_PLAIN_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,59}")


def _where(path: Path, data: Any = None) -> str:
    """A place as a protocol's author reads it: `rules[B2].cite`, `sources[#3]` — a listed item
    by its id where it has one, else by its number counted from 1 (never pydantic's `rules.1`,
    which counts from 0 and names no rule)."""
    out: list[str] = []
    node = data
    for step in path:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            # Only an id that is plainly one (the schema's own shape, short): any other text
            # (a newline, a quote) could make the message read as two problems.
            shown = (
                ident if isinstance(ident, str) and _PLAIN_ID.fullmatch(ident) else f"#{step + 1}"
            )
            out.append(f"[{shown}]")
            node = item
        else:
            out.append(f".{step}" if out else str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(out) or "the file"


def _drop_union_noise(problems: list[Problem]) -> list[Problem]:
    """A bad value inside a union yields one error per alternative at the same place; when a
    place has both a specific error and generic ones, keep the specific."""
    by_place: dict[tuple[int, int], list[Problem]] = {}
    for p in problems:
        by_place.setdefault((p.line, p.column), []).append(p)
    kept: list[Problem] = []
    for group in by_place.values():
        specific = [p for p in group if p.code is not Code.SCHEMA]
        kept.extend(specific or group[:2])
    return sorted(kept, key=lambda p: (p.line, p.column))

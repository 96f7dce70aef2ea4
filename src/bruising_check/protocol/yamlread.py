"""Safe, bounded YAML reading that remembers where every value came from.

Only plain YAML is accepted: no tags, no duplicate keys, bounded size, depth and alias expansion.
Values come back as plain Python data beside a map from each path (keys and list indices) to its
1-based line and column, so that later layers can locate their problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bruising_check.problems import Code, Problem

# libyaml's parser is ~30x faster than the pure-Python one; both report the same marks.
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 2_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_ITEMS = 10_000
_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)

Path = tuple[str | int, ...]


@dataclass
class Located:
    """Parsed data plus where each path starts (value and, for mapping entries, key)."""

    data: Any
    file: str
    value_at: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_at: dict[Path, tuple[int, int]] = field(default_factory=dict)
    truthy_words: dict[Path, str] = field(default_factory=dict)
    """Values YAML 1.1 read as booleans from words such as `yes`, `no`, `on`, `off`."""
    yaml12: bool = False
    """Plain scalars were read with YAML 1.2 core rules (answers files): `no` is text and
    `010` is ten."""

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Position of the deepest known prefix of `path` (1-based line, column)."""
        if key and path in self.key_at:
            return self.key_at[path]
        # A list item has no key: its own start (not its list's) is where to point.
        for end in range(len(path), -1, -1):
            if path[:end] in self.value_at:
                return self.value_at[path[:end]]
        return (1, 1)

    def problem(
        self, code: Code, message: str, path: Path, *, key: bool = False, hint: str | None = None
    ) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(code, shorten(message), self.file, line, col, path, hint)


MAX_MESSAGE = 300


def shorten(message: str) -> str:
    """One readable line: a message quoting a hostile 1 MB key must not print 1 MB."""
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


class YamlError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def decode(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise YamlError(
            Problem(Code.TOO_LARGE, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}", file)
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlError(
            Problem(
                Code.NOT_UTF8, "the file is UTF-16 text (it starts with a UTF-16 mark)", file, 1, 1
            )
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            Problem(Code.NOT_UTF8, f"byte {exc.start} is not UTF-8 text", file, line, col)
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlError(Problem(Code.NOT_UTF8, "the file contains NUL bytes", file, line, 1))
    return text


def read_yaml(text: str, file: str, *, yaml12: bool = False) -> Located:
    """Parse `text` safely. Raises `YamlError` with a located problem. With `yaml12`, plain
    scalars follow YAML 1.2 core rules, restricted to decimal numbers: only true/false are
    booleans, `010` is ten, and `0o17`, `0x1F`, `1:30` and `1_000` stay text."""
    _precheck(text, file)
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_marked(exc, file)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        raise YamlError(Problem(Code.YAML_SYNTAX, str(exc), file)) from None
    located = Located(None, file, yaml12=yaml12)
    if node is None:
        return located
    counter = [0]
    located.data = _convert(node, (), located, counter)
    return located


def _precheck(text: str, file: str) -> None:
    """Walk the event stream (iterative, so no recursion limit) for tags, depth and size."""
    depth = 0
    # Values written in each open list or mapping: a 100,000-item list is refused here, before
    # it costs seconds to build and check.
    sizes: list[int] = []
    try:
        for event in yaml.parse(text, Loader=Loader):
            if sizes and isinstance(event, _NODE_EVENTS):
                sizes[-1] += 1
                if sizes[-1] > 2 * MAX_ITEMS:
                    line, col = _pos(event.start_mark)
                    message = f"a list or mapping of more than {MAX_ITEMS:,} entries"
                    raise YamlError(Problem(Code.YAML_TOO_BIG, message, file, line, col))
            tag = getattr(event, "tag", None)
            if tag is not None and not (isinstance(event, yaml.ScalarEvent) and tag == "!"):
                line, col = _pos(event.start_mark)
                raise YamlError(
                    Problem(Code.YAML_TAG, f"YAML tag {tag!r} is not allowed", file, line, col)
                )
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                # A list item is one event, a mapping entry two (key and value).
                sizes.append(MAX_ITEMS if isinstance(event, yaml.SequenceStartEvent) else 0)
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = _pos(event.start_mark)
                    raise YamlError(
                        Problem(
                            Code.YAML_TOO_DEEP,
                            f"nesting deeper than {MAX_DEPTH} levels",
                            file,
                            line,
                            col,
                        )
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                sizes.pop()
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_marked(exc, file)) from None
    except yaml.reader.ReaderError as exc:
        raise YamlError(_unacceptable(exc, text, file)) from None


def _unacceptable(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    """YAML refuses control characters other than tab and newlines (and U+FFFE/FFFF); so do we.
    libyaml counts bytes, the pure-Python reader characters: find the character itself."""
    code = exc.character if isinstance(exc.character, int) else 0
    at = max(text.find(_char(code)), 0)
    line = text[:at].count("\n") + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    message = f"control character U+{code:04X} is not allowed in YAML text"
    hint = "Remove the character; only tabs and line breaks may appear among the text."
    return Problem(Code.NOT_UTF8, message, file, line, col, hint=hint)


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _marked(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
    return Problem(Code.YAML_SYNTAX, what or "YAML syntax error", file, line, col)


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"


def _convert(node: yaml.Node, path: Path, located: Located, counter: list[int]) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise YamlError(located.problem(Code.YAML_TOO_BIG, f"more than {MAX_NODES:,} values", path))
    located.value_at.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(
                    Problem(
                        Code.SCHEMA,
                        "mapping keys must be plain text",
                        located.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                )
            key = str(key_node.value)
            child = (*path, key)
            kpos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                raise YamlError(
                    Problem(
                        Code.YAML_DUPLICATE_KEY,
                        shorten(
                            f"duplicate key {key!r} (first at line {located.key_at[child][0]})"
                        ),
                        located.file,
                        *kpos,
                        child,
                    )
                )
            located.key_at[child] = kpos
            result[key] = _convert(value_node, child, located, counter)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), located, counter) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node, path, located)


_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def _scalar(node: yaml.ScalarNode, path: Path, located: Located) -> Any:
    value = str(node.value)
    if node.tag == _NULL:
        return None
    if located.yaml12 and not node.style:  # plain (libyaml says "", PyYAML None)
        return _core(value, path, located)
    if node.tag == _BOOL:
        if value.lower() not in {"true", "false"}:
            located.truthy_words[path] = value
        return value.lower() in {"true", "yes", "on"}
    if node.tag == _INT:
        if len(value) > 30:
            raise YamlError(located.problem(Code.SCHEMA, "number is too long", path))
        return yaml.SafeLoader.construct_yaml_int(yaml.SafeLoader(""), node)
    if node.tag == _FLOAT:
        number = float(yaml.SafeLoader.construct_yaml_float(yaml.SafeLoader(""), node))
        if number != number or number in (float("inf"), float("-inf")):
            raise YamlError(
                located.problem(Code.SCHEMA, "NaN and infinity are not allowed numbers", path)
            )
        return number
    return value


def _core(value: str, path: Path, located: Located) -> Any:
    """A plain scalar by YAML 1.2 core rules (decimal numbers only)."""
    if value in {"true", "True", "TRUE"}:
        return True
    if value in {"false", "False", "FALSE"}:
        return False
    if len(value) > 30 and (_CORE_INT.fullmatch(value) or _CORE_FLOAT.fullmatch(value)):
        raise YamlError(located.problem(Code.SCHEMA, "number is too long", path))
    if _CORE_INT.fullmatch(value):
        return int(value)
    if _CORE_FLOAT.fullmatch(value):
        return float(value)
    if value.lower() in {".inf", "+.inf", "-.inf", ".nan"}:
        raise YamlError(
            located.problem(Code.SCHEMA, "NaN and infinity are not allowed numbers", path)
        )
    return value


def _char(character: int) -> str:
    try:
        return chr(character)
    except (ValueError, OverflowError):
        return "\0"

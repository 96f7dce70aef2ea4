"""Safe, bounded YAML reading that remembers where every value came from.

Only plain YAML is accepted: no tags, no duplicate keys, bounded size, depth and alias expansion.
Values come back as plain Python data beside a map from each path (keys and list indices) to its
1-based line and column, so that later layers can locate their problems.
"""

from __future__ import annotations

import contextlib
import math
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
# All the text a file holds once aliases are expanded: as much as the largest file could hold
# written out, so only aliases can reach it (one long string named in 200 fields, say).
MAX_TEXT = MAX_BYTES
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
    """Plain scalars were read with YAML 1.2 core rules (answers files): `no` is text."""

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
    """Parse `text` safely. Raises `YamlError` with a located problem. Numbers always follow
    YAML 1.2 (decimal only); with `yaml12` booleans do too: only true/false are booleans, so an
    unquoted `no` is the text "no" (answers files, CONTRACT.md).

    Plain data (the usual protocol or answers file) is read in one walk of libyaml's events
    (`_fast`, below); anything else is read by `read_yaml_slowly`, whose answer it always is."""
    located = Located(None, file, yaml12=yaml12)
    try:
        located.data = _fast(text, yaml12, located)
    except Exception:  # whatever it is, the reference reader reads the file or says why not
        return read_yaml_slowly(text, file, yaml12=yaml12)
    return located


def read_yaml_slowly(text: str, file: str, *, yaml12: bool = False) -> Located:
    """The reference reader (`read_yaml`'s meaning): the event stream checked for tags, depth and
    size (`_precheck`), then composed by libyaml and converted node by node (`_convert`)."""
    tagged_text = _precheck(text, file)
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
    located.data = _convert(node, (), located, counter, tagged_text)
    return located


@dataclass
class _Frame:
    """An open list or mapping while the event stream is walked: what it holds once expanded."""

    anchor: str | None
    nodes: int = 1
    depth: int = 0  # levels below this one
    text: int = 0
    entries: int = 0  # values written directly in it (aliases count once)


def _precheck(text: str, file: str) -> frozenset[int]:
    """Walk the event stream (iterative, so no recursion limit) for tags, depth and size.

    Sizes are counted as the data would be once every alias is expanded: an alias adds the
    values, the depth and the text of what it names, so a chain of anchors each wrapping the
    previous alias is as deep as it reads once expanded, and one long string named in 200 places
    counts 200 times. Returns where scalars tagged `!` (plain text, never a number) start."""
    stack: list[_Frame] = []
    done: dict[str, tuple[int, int, int]] = {}  # anchor -> (nodes, depth, text) once expanded
    open_anchors: set[str] = set()
    total_nodes = 0
    total_text = 0
    quoted: set[int] = set()

    def fail(code: Code, message: str, event: Any) -> YamlError:
        line, col = _pos(event.start_mark)
        return YamlError(Problem(code, message, file, line, col))

    def count(event: Any, nodes: int, depth: int, chars: int) -> None:
        """Count values as they come (an alias: all that it names) against the limits."""
        nonlocal total_nodes, total_text
        total_nodes += nodes
        total_text += chars
        if len(stack) + depth > MAX_DEPTH:
            raise fail(Code.YAML_TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels", event)
        if total_nodes > MAX_NODES:
            message = f"more than {MAX_NODES:,} values once aliases are expanded"
            raise fail(Code.YAML_TOO_BIG, message, event)
        if total_text > MAX_TEXT:
            message = f"more than {MAX_TEXT:,} characters of text once aliases are expanded"
            raise fail(Code.YAML_TOO_BIG, message, event)
        held(nodes, depth, chars)

    def held(nodes: int, depth: int, chars: int) -> None:
        if stack:
            parent = stack[-1]
            parent.nodes += nodes
            parent.depth = max(parent.depth, depth)
            parent.text += chars

    try:
        for event in yaml.parse(text, Loader=Loader):
            if stack and isinstance(event, _NODE_EVENTS):
                frame = stack[-1]
                frame.entries += 1
                if frame.entries > 2 * MAX_ITEMS:
                    message = f"a list or mapping of more than {MAX_ITEMS:,} entries"
                    raise fail(Code.YAML_TOO_BIG, message, event)
            tag = getattr(event, "tag", None)
            if tag is not None and not (isinstance(event, yaml.ScalarEvent) and tag == "!"):
                raise fail(Code.YAML_TAG, f"YAML tag {tag!r} is not allowed", event)
            if isinstance(event, yaml.ScalarEvent):
                if tag == "!" and event.start_mark is not None:
                    quoted.add(event.start_mark.index)
                count(event, 1, 0, len(event.value))
                if event.anchor is not None:
                    done[event.anchor] = (1, 0, len(event.value))
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor in open_anchors:
                    message = f"alias *{event.anchor} refers to a list or mapping that holds it"
                    raise fail(Code.YAML_TOO_DEEP, message, event)
                # An undefined alias is left for the parser to report with its position.
                count(event, *done.get(event.anchor or "", (1, 0, 0)))
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                entries = MAX_ITEMS if isinstance(event, yaml.SequenceStartEvent) else 0
                total_nodes += 1  # its contents are counted as they come
                # A list item is one event, a mapping entry two (key and value).
                stack.append(_Frame(event.anchor, entries=entries))
                if event.anchor is not None:
                    open_anchors.add(event.anchor)
                if len(stack) > MAX_DEPTH:
                    raise fail(Code.YAML_TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels", event)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                # Already counted in the totals; now part of what its parent holds.
                held(frame.nodes, frame.depth + 1, frame.text)
                if frame.anchor is not None:
                    open_anchors.discard(frame.anchor)
                    done[frame.anchor] = (frame.nodes, frame.depth + 1, frame.text)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(_marked(exc, file)) from None
    except yaml.reader.ReaderError as exc:
        raise YamlError(_unacceptable(exc, text, file)) from None
    return frozenset(quoted)


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
_NULL = "tag:yaml.org,2002:null"


def _convert(
    node: yaml.Node, path: Path, located: Located, counter: list[int], tagged: frozenset[int]
) -> Any:
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
            result[key] = _convert(value_node, child, located, counter, tagged)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, i), located, counter, tagged)
            for i, item in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)
    if not node.style and node.start_mark.index not in tagged:
        return _plain_scalar(node, path, located)
    return _scalar(node, path, located)


# YAML 1.2 (core schema) numbers, as JSON and people write them: `010` is ten, `1e1` is a
# number, and `1:30` (base 60 in YAML 1.1), `0x1F`, `0o17` and `1_000` are text, which the
# schema then refuses where a number is wanted instead of silently reading another value.
_INT_12 = re.compile(r"[-+]?[0-9]+")
_FLOAT_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_12 = re.compile(r"[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
MAX_NUMBER_CHARS = 30


def number_from_text(text: str) -> int | float | None:
    """`text` as a YAML 1.2 / JSON number (finite, at most MAX_NUMBER_CHARS), else None."""
    if len(text) > MAX_NUMBER_CHARS:
        return None
    if _INT_12.fullmatch(text):
        return int(text, 10)
    if _FLOAT_12.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def _plain_scalar(node: yaml.ScalarNode, path: Path, located: Located) -> Any:
    """An unquoted, untagged value: null, yes/no words as YAML 1.1 reads them (the schema
    explains those), numbers as YAML 1.2 does, anything else text."""
    try:
        value, word = _plain_reading(str(node.value), node.tag, located.yaml12)
    except _Refused as exc:
        raise YamlError(located.problem(Code.SCHEMA, str(exc), path)) from None
    if word:
        located.truthy_words[path] = str(node.value)
    return value


def _plain_reading(value: str, tag: str, yaml12: bool) -> tuple[Any, bool]:
    """A plain scalar's value, given the tag the composer's resolver gives it, and whether it is
    a YAML 1.1 yes/no word read as a boolean (`Located.truthy_words`). Both readers use it."""
    if yaml12 and tag == _BOOL and value.lower() not in {"true", "false"}:
        return value, False  # YAML 1.2: `yes`, `no`, `on`, `off` are words
    if tag == _NULL:
        return None, False
    if tag == _BOOL:
        lower = value.lower()
        return lower in {"true", "yes", "on"}, lower not in {"true", "false"}
    if _INT_12.fullmatch(value) or _FLOAT_12.fullmatch(value) or _SPECIAL_12.fullmatch(value):
        if len(value) > MAX_NUMBER_CHARS:
            raise _Refused("number is too long")
        if _INT_12.fullmatch(value):
            return int(value, 10), False
        number = math.nan if _SPECIAL_12.fullmatch(value) else float(value)
        if not math.isfinite(number):
            raise _Refused("NaN and infinity are not allowed numbers")
        return number, False
    return value, False


def _scalar(node: yaml.ScalarNode, path: Path, located: Located) -> Any:
    value = str(node.value)
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        if value.lower() not in {"true", "false"}:
            located.truthy_words[path] = value
        return value.lower() in {"true", "yes", "on"}
    return value


def _char(character: int) -> str:
    try:
        return chr(character)
    except (ValueError, OverflowError):
        return "\0"


# --- one walk of the events, for plain data ---------------------------------------------------
# Most files the tool reads are plain data: one document, no anchor or alias, no tag, no key
# other than a scalar, no key twice, well inside every limit `_precheck` counts (without aliases
# its counts are the events themselves). `_fast` builds such data in one walk of libyaml's events
# (no nodes), with or without the located map; anything else, an error of any kind included,
# raises, and the caller hands the file to `read_yaml_slowly`, whose answer (data or located
# refusal) is the one returned. So the fast walk only ever gives what the slow reader gives
# (tests/test_yamlread.py compares the two on every YAML file in the repository and generated
# ones, positions included). Scenario files of `diff --cases` need no positions
# (`read_yaml_data`): about 50 us a case instead of 360.


class _Slow(Exception):
    """Not the plain shape: `read_yaml_slowly` reads the file."""


class _Refused(_Slow):
    """A plain scalar no reader accepts (the message says why): the slow reader says it, located."""


# The composer's resolver (CSafeLoader's own class): which plain words are null or booleans.
_RESOLVER: Any = yaml.resolver.Resolver()


def _resolve(value: str) -> str:
    """The tag the composer gives an untagged plain scalar `value`."""
    return str(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))


_PLAIN_SEEN_MAX = 4096


def read_yaml_data(text: str, file: str, *, yaml12: bool = False) -> Any:
    """`read_yaml(text, file, yaml12=yaml12).data`, without the locations (see above)."""
    with contextlib.suppress(Exception):  # whatever it is, the event walk reads the file
        return _lines(text, yaml12)
    try:
        return _fast(text, yaml12, None)
    except Exception:  # whatever it is, the reference reader says it (or reads the file)
        return read_yaml_slowly(text, file, yaml12=yaml12).data


def _fast(text: str, yaml12: bool, located: Located | None) -> Any:
    """The data of a plain file (see above); with `located`, its map of positions is filled in
    as `_convert` fills it (each value's start, each mapping key's start, yes/no words)."""
    seen: dict[str, tuple[Any, bool]] = {}  # plain scalar -> its reading (`no`, `bruise`, `40`)
    # Open containers: [container, is_mapping, key waiting for its value or _NO_KEY, entries,
    # path (with `located`)]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    nodes = 0
    chars = 0
    event: Any
    value_at = key_at = truthy = None
    if located is not None:
        value_at, key_at, truthy = located.value_at, located.key_at, located.truthy_words
    for event in yaml.parse(text, Loader=Loader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Slow
            raw = event.value
            nodes += 1
            chars += len(raw)
            if stack:
                top = stack[-1]
                top[3] += 1
                if top[1] and top[2] is _NO_KEY:
                    if raw in top[0]:
                        raise _Slow  # a duplicate key: refused, with both lines
                    top[2] = str(raw)
                    if key_at is not None:
                        mark = event.start_mark
                        key_at[top[4] + (top[2],)] = (mark.line + 1, mark.column + 1)
                    continue
            word = False
            if event.style:
                value: Any = str(raw)
            else:
                reading = seen.get(raw)
                if reading is None:
                    reading = _plain_reading(raw, _resolve(raw), yaml12)
                    if len(seen) < _PLAIN_SEEN_MAX:
                        seen[raw] = reading
                value, word = reading
            if value_at is not None:
                path = _path(stack)
                mark = event.start_mark
                value_at[path] = (mark.line + 1, mark.column + 1)
                if word:
                    assert truthy is not None
                    truthy[path] = str(raw)
            root = _put(stack, value, root)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Slow
            nodes += 1
            if stack:
                top = stack[-1]
                top[3] += 1
                if top[1] and top[2] is _NO_KEY:
                    raise _Slow  # a list or mapping as a key: refused
            path = ()
            if value_at is not None:
                path = _path(stack)
                mark = event.start_mark
                value_at[path] = (mark.line + 1, mark.column + 1)
            container: Any = {} if kind is yaml.MappingStartEvent else []
            root = _put(stack, container, root)
            stack.append([container, kind is yaml.MappingStartEvent, _NO_KEY, 0, path])
            if len(stack) >= MAX_DEPTH:
                raise _Slow
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            done = stack.pop()
            if done[3] >= MAX_ITEMS:
                raise _Slow  # near the entries limit: counted by `_precheck`
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Slow  # more than one document: refused by the composer
        elif kind is yaml.AliasEvent:
            raise _Slow
        if nodes >= MAX_NODES or chars >= MAX_TEXT:
            raise _Slow
    return root


def _path(stack: list[list[Any]]) -> Path:
    """Where the next value goes: its mapping's waiting key, or its list's next index."""
    if not stack:
        return ()
    top = stack[-1]
    return (*top[4], top[2] if top[1] else len(top[0]))


_NO_KEY: Any = object()


def _put(stack: list[list[Any]], value: Any, root: Any) -> Any:
    """`value` into the open container (a mapping's waiting key takes it), or as the root."""
    if not stack:
        return value
    top = stack[-1]
    if top[1]:
        top[0][top[2]] = value
        top[2] = _NO_KEY
    else:
        top[0].append(value)
    return root


# --- plain block lines, for case files ---------------------------------------------------------
# A `diff --cases` YAML file is usually what a dumper writes: block mappings and lists, a key and
# a one-line value on each line. Even the one walk of libyaml's events spends ~40 us a case making
# a Python event (and two marks) for every key and value, so `read_yaml_data` first reads such
# files line by line (`_lines`): each distinct line is read once, by the rules below, and the
# lines are then put together by their indentation. The grammar is deliberately narrow; any line
# outside it (a tab, a carriage return, a flow collection other than `[]`/`{}`, an anchor, tag,
# alias or block scalar, a value continued on the next line, a quoted key, a backslash in double
# quotes, a document marker, an indentation the rules do not expect, a key twice, a limit near)
# raises `_Slow`, and the event walk, then the reference reader, reads the file as before.
# Tests compare the two readers on generated, dumped and mutated files (tests/test_yamlread.py).

# A character anywhere in the file that sends it to the event walk: anything but a line feed and
# the printable characters YAML reads on one line (tabs, carriage returns, NEL, the line and
# paragraph separators, the byte-order mark and non-printable characters included).
_NOT_LINE_TEXT = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# First characters a one-line plain scalar or key may not start with here (YAML's indicators;
# `-`, `?` and `:` can start a plain scalar when a letter follows, but are left to libyaml).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SCALAR, _OPEN, _EMPTY_LIST, _EMPTY_MAP = range(4)
_LINES_SEEN_MAX = 1 << 16  # lines read once and kept (most lines recur: `patterned: 'no'`)


def _line(line: str, yaml12: bool) -> tuple[int, bool, int, str | None, int, Any, int]:
    """One line that is neither blank nor a comment: (indent, whether it is a list entry, the
    column its content starts at, its key or None, what its value is, the value, the nodes it
    adds). Raises `_Slow` for anything outside the narrow grammar above."""
    content = line.lstrip(" ")
    indent = len(line) - len(content)
    content = content.rstrip(" ")
    column = indent
    entry = content.startswith("- ")
    if entry:
        rest = content[2:]
        content = rest.lstrip(" ")
        column = indent + 2 + len(rest) - len(content)
    elif indent == 0 and content.startswith(("---", "...")):
        raise _Slow  # a document marker
    if not content or (content[0] in _INDICATORS and content[0] not in "'\""):
        raise _Slow  # "-" alone, "- - x", "- #", "? key", "&anchor", "[1, 2]" ...
    nodes = 0
    key: str | None = None
    if content[0] not in "'\"":
        at = content.find(": ")
        if at < 0 and content.endswith(":"):
            at = len(content) - 1
        if at >= 0:
            key = content[:at]
            if key.endswith(" ") or " #" in key or len(key) > 1000:
                raise _Slow
            nodes += 2 if entry else 1  # a mapping started by the entry, and the key
            content = content[at + 1 :].lstrip(" ")
            if not content or content[0] == "#":  # `key:` or `key: # a comment`
                return indent, entry, column, key, _OPEN, None, nodes
    if key is None and not entry:
        raise _Slow  # a value where a key should be, or a value continued from the line above
    kind, value = _line_value(content, yaml12)
    return indent, entry, column, key, kind, value, nodes + 1


def _line_value(text: str, yaml12: bool) -> tuple[int, Any]:
    """A value on one line (`text` starts and ends with no space): a quoted or plain scalar, or
    an empty flow list or mapping."""
    first = text[0]
    if first == "'" or first == '"':
        end = 1
        while True:
            end = text.find(first, end)
            if end < 0:
                raise _Slow  # goes on to the next line
            if first == "'" and text.startswith("''", end):
                end += 2
                continue
            break
        inner = text[1:end]
        if first == '"' and "\\" in inner:
            raise _Slow  # escapes are libyaml's to read
        tail = text[end + 1 :]
        if tail and not (tail[0] == " " and tail.lstrip(" ").startswith("#")):
            raise _Slow  # `'a' b`, `'a': b` (a quoted key) ...
        return _SCALAR, inner.replace("''", "'") if first == "'" else inner
    if text == "[]":
        return _EMPTY_LIST, None
    if text == "{}":
        return _EMPTY_MAP, None
    if first in _INDICATORS:
        raise _Slow
    comment = text.find(" #")
    if comment >= 0:
        text = text[:comment].rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise _Slow  # `a: b: c` is libyaml's to refuse
    return _SCALAR, _plain_reading(text, _resolve(text), yaml12)[0]


def _lines(text: str, yaml12: bool) -> Any:
    """The data of a file of plain block lines (see above), or `_Slow`."""
    if len(text) >= MAX_TEXT or _NOT_LINE_TEXT.search(text):
        raise _Slow
    read: dict[str, tuple[int, bool, int, str | None, int, Any, int]] = {}
    # Open containers, innermost last: [container, is_mapping, indent of its keys or dashes]
    stack: list[list[Any]] = []
    root: Any = None
    waiting: tuple[dict[str, Any], int] | None = None  # a mapping whose last key has no value yet
    nodes = 0
    # The innermost container, as the stack's last frame has it (None: nothing open)
    here: Any = None
    here_mapping = False
    here_indent = -1
    for line in text.split("\n"):
        parts = read.get(line)
        if parts is None:
            bare = line.lstrip(" ")
            if not bare or bare[0] == "#":
                continue  # blank or a comment
            parts = _line(line, yaml12)
            if len(read) < _LINES_SEEN_MAX:
                read[line] = parts
        indent, entry, column, key, kind, value, count = parts
        nodes += count
        if waiting is None and indent == here_indent and kind == _SCALAR:
            # The usual line: the next key and its value, or the next entry, where they belong
            if here_mapping and not entry:
                if key in here:
                    raise _Slow  # a key twice: refused, with both lines
                here[key] = value
                continue
            if entry and not here_mapping and key is None:
                here.append(value)
                continue
        if waiting is not None:
            mapping, above = waiting
            waiting = None
            if indent > above or (indent == above and entry):
                inner: Any = [] if entry else {}
                mapping[next(reversed(mapping))] = inner
                stack.append([inner, not entry, indent])
                nodes += 1
                if len(stack) >= MAX_DEPTH:
                    raise _Slow
            else:
                nodes += 1  # the key's value is empty: null
        while stack and (
            stack[-1][2] > indent or (stack[-1][2] == indent and not entry and not stack[-1][1])
        ):
            _close(stack.pop())
        if not stack:
            if root is not None or indent != 0:
                raise _Slow
            root = [] if entry else {}
            stack.append([root, not entry, 0])
            nodes += 1
        top = stack[-1]
        if top[2] != indent or top[1] == entry:
            raise _Slow
        container = top[0]
        if entry and key is None:
            container.append(_made(kind, value))
        else:
            if entry:
                mapping = {}
                container.append(mapping)
                stack.append([mapping, True, column])
                if len(stack) >= MAX_DEPTH:
                    raise _Slow
                container = mapping
                indent = column
            if key in container:
                raise _Slow  # a key twice: refused, with both lines
            if kind == _OPEN:
                container[key] = None
                waiting = (container, indent)
            else:
                container[key] = _made(kind, value)
        here, here_mapping, here_indent = stack[-1]
    if waiting is not None:
        nodes += 1  # the last key's value is empty: null
    if root is None or nodes >= MAX_NODES:
        raise _Slow
    while stack:
        _close(stack.pop())
    return root


def _made(kind: int, value: Any) -> Any:
    return value if kind == _SCALAR else [] if kind == _EMPTY_LIST else {}


def _close(frame: list[Any]) -> None:
    if len(frame[0]) * (2 if frame[1] else 1) >= MAX_ITEMS:
        raise _Slow  # near the entries limit: the event walk counts it

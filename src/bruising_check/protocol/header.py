"""A protocol's `metadata:` alone, for listings (`bruising-check protocols`): id, version, status,
review date and title, without building or checking the whole protocol (issue 15.4).

Only the metadata block is read: the events before it are scanned (no values built) and its lines
are then read with the same safe reader as a whole protocol (`yamlread.read_yaml`: no tags, no
duplicate keys, bounded). Where the block cannot be cut out on its own (a flow-style file, an
alias to an anchor outside it), the whole file is read instead. A file whose other parts are
broken still lists: `validate` is what checks a protocol.
"""

from __future__ import annotations

from typing import Any

import yaml

from bruising_check.protocol.model import Metadata
from bruising_check.protocol.yamlread import Loader, YamlError, read_yaml


class NoMetadata(ValueError):
    """The file has no readable `metadata:` mapping."""


def read_metadata(text: str, file: str) -> Metadata:
    """The validated `metadata:` of a protocol's text. Raises `YamlError`, `NoMetadata` or
    pydantic's `ValidationError`."""
    block = _metadata_lines(text)
    if block is not None:
        try:
            return _validated(read_yaml(block, file).data)
        except (YamlError, NoMetadata):
            pass  # e.g. an alias to an anchor outside the block: read the whole file
    return _validated(read_yaml(text, file).data)


def _validated(data: Any) -> Metadata:
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        raise NoMetadata("no `metadata:` mapping")
    return Metadata.model_validate(data["metadata"])


def _metadata_lines(text: str) -> str | None:
    """The lines of a top-level block key `metadata:` at column 1 and its value, or None."""
    depth = 0  # 1: inside the top-level mapping
    is_key = True  # the next node to finish at depth 1 is a key
    start: int | None = None  # the line of the `metadata` key, once seen
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if depth == 0 and not isinstance(event, yaml.MappingStartEvent):
                    return None
                depth += 1
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth < 1:
                    return None  # the top-level mapping ended without it
            elif not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                continue
            if depth != 1:
                continue
            # A node finished at depth 1: a key, or the value after one.
            if start is not None:
                end = event.end_mark
                if end is None:
                    return None
                last = end.line if end.column > 0 else end.line - 1
                return "".join(text.splitlines(keepends=True)[start : last + 1])
            if is_key and isinstance(event, yaml.ScalarEvent) and event.value == "metadata":
                mark = event.start_mark
                if mark is None or mark.column != 0:
                    return None
                start = mark.line
            is_key = not is_key
    except yaml.YAMLError:
        return None
    return None

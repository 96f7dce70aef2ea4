"""`verify-record`: re-check a saved record years later (issue 7)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bruising_check.cli import app, fail
from bruising_check.cli.common import load, read_bytes

if TYPE_CHECKING:
    from bruising_check.protocol.loader import Loaded
    from bruising_check.protocol.model import Protocol
    from bruising_check.records.verify import SavedRecord


def say(line: str) -> None:
    from bruising_check.render.safe import visible

    # A record is a file from elsewhere: its text is shown, never obeyed by the terminal.
    typer.echo(visible(line))


@app.command("verify-record")
def verify_record(
    record: Annotated[Path, typer.Argument(help="A JSON record saved by `check`.")],
    protocol: Annotated[
        Path | None,
        typer.Option(help="The protocol file the record used, if it is not a bundled one."),
    ] = None,
) -> None:
    """Check a saved record: its checksum, its protocol (by SHA-256), and that re-running its
    answers gives the same pathway and actions. Exit 0 verified, 1 something differs."""
    from bruising_check.protocol.bundled import bundled_files
    from bruising_check.records.verify import (
        CHANGED,
        MAX_RECORD_BYTES,
        RecordError,
        checksum_matches,
        describe_missing,
        find_protocol,
        read_record,
    )
    from bruising_check.records.verify import verify_record as verify

    raw = read_bytes(record, limit=MAX_RECORD_BYTES)
    try:
        data = read_record(raw)
    except RecordError as exc:
        fail(f"{record}: {exc}", exc.exit_code)
    bundled = bundled_files()
    candidates = [load(path) for path in bundled]
    if protocol is not None:
        given = load(protocol)
        if given.protocol is None:
            from bruising_check.render.safe import visible

            error = next(x for x in given.problems if x.severity == "error")
            fail(visible(f"{protocol}: not a readable protocol: {error.format()}"), 1)
        candidates.insert(0, given)
    found = find_protocol(data, candidates)
    say(f"Record:    {record}")
    say(f"Made:      {data['created_at']} with {_tool(data)}")
    say(f"Pathway:   {_pathway(data)}")
    say(f"Header:    {_header(data)}")
    if found is None:
        ok = checksum_matches(data)
        say(f"Checksum:  {'matches the content' if ok else 'DOES NOT MATCH: ' + CHANGED}")
        labels = {str(b): "bundled" for b in bundled}
        first, *rest = describe_missing(data, candidates, labels)
        say(f"Protocol:  NOT FOUND: {first}")
        for line in rest:
            say(f"           {line}")
        _under_other_versions(data, candidates)
        say(
            "           A behavioural diff needs both versions: pass the version the record"
            " used with --protocol."
        )
        say("NOT VERIFIED: the protocol this record used is not at hand")
        raise typer.Exit(1)
    assert found.protocol is not None
    result = verify(data, found.protocol, found.sha256)
    say(
        "Checksum:  "
        + ("matches the content" if result.checksum_ok else "DOES NOT MATCH: " + CHANGED)
    )
    m = found.protocol.metadata
    where = "bundled" if found.file in {str(b) for b in bundled} else found.file
    say(f"Protocol:  {m.id} version {m.version}, sha256 {found.sha256} ({where})")
    others = [d for d in result.differences if d.kind != "checksum"]
    if not others:
        actions = data["actions"]
        count = len(actions) if isinstance(actions, list) else 0
        say(f"Re-run:    same pathway and the same {count} action(s)")
    else:
        say("Re-run:    DIFFERS")
        for d in others:
            say(f"  - {d.message}")
    _other_versions_summary(found, candidates)
    if result.ok:
        say("VERIFIED")
        return
    say(f"NOT VERIFIED: {len(result.differences)} difference(s)")
    raise typer.Exit(1)


def _tool(data: SavedRecord) -> str:
    tool = data.get("tool")
    if isinstance(tool, dict):
        return f"{tool.get('name', '?')} {tool.get('version', '?')}"
    return "an unknown tool"


def _header(data: SavedRecord) -> str:
    """The header as saved: it is not worked out from the answers, so only the checksum guards
    it; a person compares it with the printout."""
    header = data.get("header")
    if not isinstance(header, dict):
        return "none"
    parts = [
        f"{label} {header.get(key) or '(blank)'}"
        for key, label in (
            ("practitioner", "practitioner"),
            ("role", "role"),
            ("child_reference", "child reference"),
        )
    ]
    return ", ".join(parts)


def _pathway(data: SavedRecord) -> str:
    outcome = data.get("outcome")
    if isinstance(outcome, dict):
        shown = f"{outcome.get('title', '?')} ({outcome.get('id', '?')})"
        then = outcome.get("then_pathway")
        if outcome.get("then") is not None:
            title = then.get("title", "?") if isinstance(then, dict) else "?"
            shown += f"; then {title} ({outcome.get('then')})"
        return shown
    return "none"


def _under_other_versions(data: SavedRecord, candidates: list[Loaded]) -> None:
    """What the record's answers give under the versions of the same protocol that are at hand:
    the behavioural difference that matters for this case."""
    from bruising_check.records.verify import compare_results, protocol_field, rerun_record

    for c in candidates:
        if c.protocol is None or c.protocol.metadata.id != protocol_field(data, "id"):
            continue
        version = c.protocol.metadata.version
        rebuilt, problems = rerun_record(data, c.protocol, c.sha256)
        if rebuilt is None:
            say(f"Under {version}: the answers do not fit ({problems[0]})")
            continue
        differences = compare_results(data, rebuilt, identity=False)
        if not differences:
            say(f"Under {version}: the same pathway, actions and reasons")
        for d in differences:
            say(f"Under {version}: {d.message}")


OTHER_VERSION_SECONDS = 2.0


_WORDING = frozenset({"prompt", "help", "label"})


def _same_but_wording(old: Protocol, new: Protocol) -> bool:
    """Whether two protocols are the same in everything but their metadata and the words a
    person reads of a question or option (its prompt, help and label): then no answer set can
    get a different pathway, and no comparison is needed to say so."""

    def bare(node: Any, in_questions: bool) -> Any:
        if isinstance(node, dict):
            return {
                k: bare(v, in_questions)
                for k, v in node.items()
                if not (in_questions and k in _WORDING)
            }
        if isinstance(node, list):
            return [bare(v, in_questions) for v in node]
        return node

    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    for data in (a, b):
        data.pop("metadata", None)
    return {k: bare(v, k == "questions") for k, v in a.items()} == {
        k: bare(v, k == "questions") for k, v in b.items()
    }


def _other_versions_summary(found: Loaded, candidates: list[Loaded]) -> None:
    """Other versions of the same protocol at hand: how they behave differently from the one the
    record used (exactly, over every situation), and what this record's answers give there."""
    assert found.protocol is not None
    seen = {found.sha256}
    # (protocol, what was said of it): a version that differs from one already compared only in
    # wording behaves as that one does, so it is said without a second comparison.
    said: list[tuple[Protocol, str]] = []
    for c in candidates:
        if c.protocol is None or c.sha256 in seen:
            continue
        if c.protocol.metadata.id != found.protocol.metadata.id:
            continue
        seen.add(c.sha256)
        version = c.protocol.metadata.version
        if _same_but_wording(found.protocol, c.protocol):
            say(
                f"Version {version} is also at hand: it differs only in wording (metadata,"
                " prompts, help and labels), so every situation gets the same pathway."
            )
            continue
        twin = next((text for p, text in said if _same_but_wording(p, c.protocol)), None)
        if twin is None:
            twin = _behaviour_against(found.protocol, c.protocol)
            said.append((c.protocol, twin))
        say(f"Version {version} is also at hand{twin}")


def _behaviour_against(used: Protocol, other: Protocol) -> str:
    """The rest of the line that says how `other` behaves beside the version a record used."""
    from bruising_check.analysis import TooLarge, compare

    if bool(used.groups) != bool(other.groups):
        # One asks about each mark in turn and the other once for all of them: an exact
        # comparison needs a reading of one's answers in the other's terms (`diff`), and
        # searching without one only gives up after the budget (2 s of every verification).
        each = "asks about each mark in turn" if other.groups else "asks once for all the marks"
        return (
            f"; it {each}, unlike the version used, so its behaviour is not compared here:"
            " `bruising-check diff` compares them."
        )
    try:
        # A short budget: this line is a pointer, not the proof; `diff` is the full
        # comparison (a rewrite of the questions needs its reading and minutes, not seconds).
        comparison = compare(used, other, budget_seconds=OTHER_VERSION_SECONDS)
    except TooLarge:
        return (
            f"; its behaviour could not be compared in {OTHER_VERSION_SECONDS:g} s:"
            " `bruising-check diff` compares them."
        )
    less = sum(1 for d in comparison.differences if d.direction == "less_urgent")
    more = sum(1 for d in comparison.differences if d.direction == "more_urgent")
    return (
        f": {len(comparison.differences)} kind(s) of situation change pathway from the version"
        f" used ({less} less urgent, {more} more urgent); `bruising-check diff` shows them."
    )

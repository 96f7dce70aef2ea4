"""`protocols` reads each protocol's metadata alone (issue 15.4): the same metadata as a full load,
the same safety as the whole-file reader, and a fallback where the block cannot be cut out."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.protocol import bundled
from bruising_check.protocol.header import NoMetadata, _metadata_lines, read_metadata
from bruising_check.protocol.loader import load_protocol
from bruising_check.protocol.yamlread import YamlError

META = """metadata:
  id: shire
  title: Shire protocol
  version: "3.1"
  status: approved
  issued_by: Shire partnership
  review_due: 2030-01-31
  disclaimer: Supports judgement.
"""


@pytest.mark.parametrize("path", bundled.bundled_files(), ids=lambda p: p.stem)
def test_the_metadata_alone_is_what_a_full_load_reads(path: Path) -> None:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert _metadata_lines(text) is not None  # the bundled files take the short way
    loaded = load_protocol(raw, str(path))
    assert loaded.protocol is not None
    assert read_metadata(text, str(path)) == loaded.protocol.metadata


def test_only_the_metadata_lines_are_cut_out() -> None:
    text = "# a comment\n" + META + "sources:\n  - id: s\n    title: A source\n"
    block = _metadata_lines(text)
    assert block == META
    meta = read_metadata(text, "p.yaml")
    assert (meta.id, meta.version, meta.status, str(meta.review_due)) == (
        "shire",
        "3.1",
        "approved",
        "2030-01-31",
    )


def test_a_protocol_broken_after_its_metadata_still_lists() -> None:
    text = META + "rules: [this is: {not: valid\n"
    assert read_metadata(text, "p.yaml").id == "shire"


def test_flow_style_and_outside_anchors_fall_back_to_the_whole_file() -> None:
    flow = "{metadata: {id: shire, title: T, version: '1', status: draft, issued_by: P,"
    flow += " disclaimer: D}, rules: []}\n"
    assert _metadata_lines(flow) is None
    assert read_metadata(flow, "p.yaml").id == "shire"
    anchored = "partnership: &who Shire partnership\n" + META.replace(
        "issued_by: Shire partnership", "issued_by: *who"
    )
    assert _metadata_lines(anchored) is not None  # cut out, the alias is then undefined ...
    assert read_metadata(anchored, "p.yaml").issued_by == "Shire partnership"  # ... so: whole


def test_what_the_whole_file_reader_refuses_is_refused() -> None:
    with pytest.raises(YamlError):
        read_metadata(META.replace("title: Shire protocol", "title: !!python/name:os.system"), "p")
    with pytest.raises(YamlError):
        read_metadata(META + "  id: again\n", "p.yaml")  # a duplicate key
    with pytest.raises(ValidationError):
        read_metadata(META.replace("status: approved", "status: maybe"), "p.yaml")
    with pytest.raises(NoMetadata):
        read_metadata("sources: []\n", "p.yaml")
    with pytest.raises(NoMetadata):
        read_metadata("- metadata\n", "p.yaml")


def test_protocols_lists_metadata_and_marks_unreadable_metadata_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(META + "rules: {broken\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(META.replace("status: approved", "status: maybe"), encoding="utf-8")
    monkeypatch.setattr(bundled, "bundled_files", lambda: [bad, good])
    _register()
    result = CliRunner().invoke(app, ["protocols"])
    assert result.exit_code == 0, result.stderr
    rows = [line.split()[:5] for line in result.stdout.splitlines()]
    assert ["good", "shire", "3.1", "approved", "2030-01-31"] in rows
    assert ["bad", "?", "?", "BROKEN", "run"] in rows

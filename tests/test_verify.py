"""`verify-record`: a saved record verifies years later, and every kind of difference is named."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from bruising_check.cli import _register, app
from bruising_check.records.record import checksum

# Records of the version-1 baseline (kept byte for byte under protocols/examples/) and its
# edited versions: verification across versions of a one-answer-per-question protocol.
from tests.conftest import BASE_ANSWERS_V1 as BASE_ANSWERS
from tests.conftest import BASELINE_V1 as BASELINE
from tests.fuzzing import hostile_record_edit, verify_edit

_register()
runner = CliRunner()


def save_record(tmp_path: Path, protocol: Path = BASELINE, name: str = "record.json") -> Path:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**BASE_ANSWERS, "notes": "seen at home"}), encoding="utf-8")
    out = tmp_path / name
    result = runner.invoke(
        app,
        [
            "check",
            str(protocol),
            "--answers",
            str(answers),
            "--format",
            "json",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def edit(path: Path, change: Any, *, reseal: bool = False) -> Path:
    record = json.loads(path.read_bytes())
    change(record)
    if reseal:  # a forger who recomputes the checksum
        record["checksum"] = checksum(record)
    edited = path.with_name("edited-" + path.name)
    edited.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return edited


def verify(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify-record", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout + result.stderr


def new_version(tmp_path: Path, version: str, *replacements: tuple[str, str]) -> Path:
    text = BASELINE.read_text(encoding="utf-8").replace(
        'version: "1.0.0"', f'version: "{version}"', 1
    )
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / f"baseline-{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_saved_record_verifies(tmp_path: Path) -> None:
    code, out = verify(str(save_record(tmp_path)))
    assert code == 0, out
    assert "Checksum:  matches the content" in out
    assert "national-baseline version 1.0.0" in out
    assert "same pathway and the same" in out
    assert out.rstrip().endswith("VERIFIED")


def test_an_edited_answer_is_caught_and_its_effects_named(tmp_path: Path) -> None:
    edited = edit(save_record(tmp_path), lambda r: r["answers"].update(age_weeks=30))
    code, out = verify(str(edited))
    assert code == 1
    assert "DOES NOT MATCH" in out
    assert (
        "derived fact age_minus_prematurity_weeks: the record says 10, the re-run gives 30" in out
    )
    assert "NOT VERIFIED" in out


def test_a_resealed_edit_of_the_pathway_is_caught_by_the_re_run(tmp_path: Path) -> None:
    def downgrade(r: dict[str, Any]) -> None:
        r["outcome"]["id"] = "no_protocol_action_record_and_advise"

    code, out = verify(str(edit(save_record(tmp_path), downgrade, reseal=True)))
    assert code == 1
    assert "Checksum:  matches the content" in out  # the forger recomputed it ...
    assert (
        "pathway: the record says no_protocol_action_record_and_advise,"
        " the re-run gives refer_same_day_csc_and_paediatric"
    ) in out  # ... but the answers still give the same-day referral


def test_removed_actions_are_named(tmp_path: Path) -> None:
    code, out = verify(str(edit(save_record(tmp_path), lambda r: r["actions"].pop(0))))
    assert code == 1
    assert "actions missing from the record: " in out


def test_a_record_of_another_version_names_it_and_what_is_available(tmp_path: Path) -> None:
    v11 = new_version(tmp_path, "1.1.0")
    record = save_record(tmp_path, v11)
    code, out = verify(str(record))
    assert code == 1
    assert "NOT FOUND: the record used national-baseline version 1.1.0" in out
    assert re.search(r"Available: national-baseline 1.0.0 \(sha256 [0-9a-f]{16}..., bundled\)", out)
    assert "Under 1.0.0: the same pathway, actions and reasons" in out
    code, out = verify(str(record), "--protocol", str(v11))
    assert code == 0, out
    assert "national-baseline version 1.1.0, sha256 " in out and f"({v11})" in out


def test_a_behaviour_change_between_versions_is_shown_for_this_case(tmp_path: Path) -> None:
    v2 = new_version(
        tmp_path,
        "2.0.0",
        (
            "when: {fact: independently_mobile, equals: false}\n"
            "    pathway: refer_same_day_csc_and_paediatric",
            "when: {fact: independently_mobile, equals: false}\n"
            "    pathway: discuss_with_safeguarding_lead_or_paediatrician",
        ),
    )
    record = save_record(tmp_path, v2)
    code, out = verify(str(record))
    assert code == 1
    # Version 2.0.0 weakened B5; its own invariant I2 raised the pathway back. Under 1.0.0, the
    # version at hand, B5 itself decides: the reasons differ, and the output says so.
    assert "Under 1.0.0: reasons: the record gives rules B5 (decides), I2 (invariant)" in out
    assert "Under 1.0.0: raised for safety: the record and the re-run disagree" in out


def test_a_given_protocol_with_another_hash_is_not_used(tmp_path: Path) -> None:
    other = new_version(tmp_path, "9.9.9")
    code, out = verify(str(save_record(tmp_path)), "--protocol", str(other))
    assert code == 0  # the bundled file with the right SHA-256 is still found
    v1_sha = hashlib.sha256(BASELINE.read_bytes()).hexdigest()
    assert "sha256 " + v1_sha + " (bundled)" in out


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"not json", 2, "not JSON (line 1, column 1"),
        (b"\xff\xfe{}", 2, "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, 1, "nested far too deeply"),
        (b'{"checksum": "x", "checksum": "y"}', 1, "duplicate key 'checksum'"),
        (b'{"a": NaN}', 1, "NaN is not a number"),
        (b"[]", 1, "not an object"),
        (b'{"checksum": "x"}', 1, "no 'protocol'"),
    ],
)
def test_files_that_are_not_records(
    tmp_path: Path, content: bytes, code: int, message: str
) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(content)
    got, out = verify(str(path))
    assert got == code
    assert message in out
    assert len(out.splitlines()) == 1


def test_text_in_a_record_is_shown_not_obeyed(tmp_path: Path) -> None:
    def poison(r: dict[str, Any]) -> None:
        r["outcome"]["title"] = "\x1b[2J\x1b]0;owned\x07[bold]x[/bold]"

    code, out = verify(str(edit(save_record(tmp_path), poison)))
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J\\x1b]0;owned\\x07[bold]x[/bold]" in out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_record_edit())
def test_any_edit_of_a_record_is_reported_never_crashes(edit: tuple[Any, bool]) -> None:
    verify_edit(*edit)


def test_a_given_protocol_that_does_not_load_is_named(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(b"a: !!python/object/apply:os.system ['true']\n")
    code, out = verify(str(save_record(tmp_path)), "--protocol", str(bomb))
    assert code == 1
    assert out.startswith(f"{bomb}: not a readable protocol: {bomb}:1:4: error YAML_TAG")


def test_other_versions_at_hand_are_summarised_by_behaviour(tmp_path: Path) -> None:
    answers = {k: v for k, v in BASE_ANSWERS.items() if k != "report_channel"}  # v1 lacks it
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    out = tmp_path / "v1.json"
    made = runner.invoke(
        app,
        [
            "check",
            "exampleshire-v1",
            "--answers",
            str(path),
            "--format",
            "json",
            "--output",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["verify-record", str(out)])
    assert result.exit_code == 0, result.output
    assert "VERIFIED" in result.stdout
    assert "Version 2.0 is also at hand: 5 kind(s) of situation change pathway" in result.stdout
    assert "(3 less urgent, 2 more urgent)" in result.stdout


# --- what a person reads cannot be forged by resealing (issue 13 point 4) ----------------------


def _first_action_with_contact(r: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in r["actions"] if a.get("contact_detail"))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda r: r["outcome"].update(title="No action needed"), "pathway.title"),
        (lambda r: r["outcome"].update(timescale="Within a week"), "pathway.timescale"),
        (
            lambda r: r["outcome"]["deadline"].update(kind="within_hours", hours=168),
            "pathway.deadline.kind",
        ),
        (
            lambda r: _first_action_with_contact(r)["contact_detail"].update(phone="0800 000"),
            "contact_detail.phone",
        ),
        (lambda r: r["actions"][0].update(text="Nothing to do."), "actions["),
        (
            lambda r: next(q for q in r["questions"] if q["id"] == "age_weeks").update(
                answer_label="3 years"
            ),
            "questions[age_weeks].answer_label",
        ),
        (lambda r: r["protocol"].update(version="9.9.9"), "protocol identity.version"),
        (lambda r: r["protocol"].update(title="Another protocol"), "protocol identity.title"),
        (lambda r: r.update(disclaimer="Anything goes."), "disclaimer"),
    ],
)
def test_a_resealed_change_to_what_a_person_reads_is_not_verified(
    tmp_path: Path, change: Any, named: str
) -> None:
    code, out = verify(str(edit(save_record(tmp_path), change, reseal=True)))
    assert code == 1, out
    assert "Checksum:  matches the content" in out  # the forger recomputed it ...
    assert named in out  # ... and the re-run names the field that differs
    assert "NOT VERIFIED" in out


def test_a_changed_practitioner_is_caught_unless_resealed(tmp_path: Path) -> None:
    """The header is not worked out from the answers, so only the checksum protects it: a
    changed practitioner is caught; a forger who reseals it is not (SECURITY.md: not a
    signature). What verify-record shows is the header it checked."""
    record = save_record(tmp_path)
    changed = edit(record, lambda r: r["header"].update(practitioner="Someone else"))
    code, out = verify(str(changed))
    assert code == 1 and "DOES NOT MATCH" in out
    resealed = edit(record, lambda r: r["header"].update(practitioner="Someone else"), reseal=True)
    code, out = verify(str(resealed))
    assert "Header:    practitioner Someone else" in out


def test_the_record_schema_file_is_current() -> None:
    from bruising_check.records.record import record_schema

    committed = json.loads(
        (Path(__file__).parent.parent / "schema" / "record.schema.json").read_text()
    )
    assert committed == record_schema(), "regenerate schema/record.schema.json from record_schema()"


def test_a_record_of_the_version_2_baseline_with_marks_and_a_first_step_verifies(
    tmp_path: Path,
) -> None:
    """The bundled baseline (a group of marks, emergency care first, then the referral): the
    record verifies, names both pathways, and a resealed edit of one mark is caught."""
    from tests.conftest import BASE_ANSWERS_V2, mark

    answers = tmp_path / "answers.json"
    given = {
        **BASE_ANSWERS_V2,
        "injury_red_flags": ["seriously_unwell"],
        "marks": [mark(), mark(site="ear", explanation="none_given")],
    }
    answers.write_text(json.dumps(given), encoding="utf-8")
    out = tmp_path / "record.json"
    result = runner.invoke(
        app, ["check", "--answers", str(answers), "--format", "json", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_bytes())
    assert record["outcome"]["id"] == "emergency_care_first"
    assert record["outcome"]["then"] == "refer_same_day_csc_and_paediatric"
    code, text = verify(str(out))
    assert code == 0, text
    assert "(emergency_care_first); then " in text
    assert "(refer_same_day_csc_and_paediatric)" in text
    assert "national-baseline version 2.0.1" in text
    # Baseline 1.0.0 (one answer set for all the marks) is named with why it is not compared,
    # not after a 2 s search that gives up; 2.0.0 is only a rewording of 2.0.1.
    assert "Version 1.0.0 is also at hand; it asks once for all the marks, unlike" in text
    assert "could not be compared" not in text
    assert "Version 2.0.0 is also at hand: it differs only in wording" in text

    def move_the_second_mark(r: dict[str, Any]) -> None:
        r["answers"]["marks"][1]["site"] = "forehead"

    code, text = verify(str(edit(out, move_the_second_mark, reseal=True)))
    assert code == 1, text
    assert "marks" in text and "NOT VERIFIED" in text


def test_the_kept_baseline_2_0_0_differs_from_the_bundled_one_only_by_the_side_wording() -> None:
    """Records saved with baseline 2.0.0 find it by its SHA-256 among the bundled files, so the
    kept copy must be that file unchanged; and 2.0.1 is a rewording (the side question says
    whose side), not a change of what any baby gets."""
    from bruising_check.protocol.loader import load_protocol
    from bruising_check.versions.structural import structural_diff

    root = Path(__file__).resolve().parents[1] / "protocols"

    def load(path: Path) -> Any:
        loaded = load_protocol(path.read_bytes(), str(path))
        assert loaded.protocol is not None, loaded
        return loaded.protocol

    kept, now = (
        load(root / "examples" / "national-baseline-2.0.0.yaml"),
        load(root / "national-baseline.yaml"),
    )
    assert (kept.metadata.version, now.metadata.version) == ("2.0.0", "2.0.1")
    changed = {(c.section, c.item, c.field) for c in structural_diff(kept, now)}
    assert changed == {
        ("metadata", None, "version"),
        ("metadata", None, "changelog"),
        ("questions", "marks", "questions.side.prompt"),
        ("questions", "marks", "questions.side.help"),
    }
    # verify-record says so without a comparison; any change beyond those words is compared.
    from bruising_check.cli.records import _same_but_wording

    assert _same_but_wording(kept, now)
    moved = now.model_copy(update={"rules": now.rules[1:] + now.rules[:1]})
    assert not _same_but_wording(kept, moved)
    marks = next(q for q in now.questions if q.id == "marks")
    side = next(q for q in marks.questions if q.id == "side")
    renamed = side.model_copy(
        update={"options": (side.options[0].model_copy(update={"id": "l"}), *side.options[1:])}
    )
    group = marks.model_copy(
        update={"questions": tuple(renamed if q.id == "side" else q for q in marks.questions)}
    )
    changed_option = now.model_copy(
        update={"questions": tuple(group if q.id == "marks" else q for q in now.questions)}
    )
    assert not _same_but_wording(kept, changed_option)

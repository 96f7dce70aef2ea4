"""A tiny protocol with a repeated group, unknown answers of every kind and a follow-on pathway,
for the tests of issue 11 (docs/design/groups-unknowns-followon.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from bruising_check.engine.answers import check_answers
from bruising_check.engine.decide import Decision, decide
from bruising_check.protocol.loader import Loaded, load_protocol
from bruising_check.protocol.model import Protocol
from bruising_check.protocol.yamlread import read_yaml

TODAY = dt.date(2026, 11, 27)

TINY = """
metadata:
  id: tiny-groups
  title: Tiny protocol with marks
  version: "1"
  status: draft
  issued_by: Test partnership
  disclaimer: For tests only.
sources:
  - {id: s, title: A source}
questions:
  - id: age_weeks
    type: number
    prompt: Age in weeks
    unit: weeks
    min: 0
    max: 200
  - id: gestation
    type: number
    prompt: Gestation at birth
    unit: weeks
    min: 22
    max: 44
    allow_unknown: true
  - id: unwell
    type: boolean
    prompt: Is the baby seriously unwell?
    allow_unknown: true
  - id: mobility
    type: multiple_choice
    prompt: Mobility milestones
    options:
      - {id: rolling, label: Rolling}
      - {id: crawling, label: Crawling}
      - {id: walking, label: Walking}
      - {id: not_sure, label: Not sure, unknown: true}
  - id: marks
    type: group
    prompt: The marks
    item_label: mark
    min_items: 1
    max_items: 6
    questions:
      - id: type
        show_as: type
        type: single_choice
        prompt: Kind of mark
        options:
          - {id: bruise, label: Bruise}
          - {id: abrasion, label: Abrasion}
      - id: site
        show_as: site
        type: single_choice
        prompt: Where
        options:
          - {id: cheek, label: Cheek}
          - {id: ear, label: Ear}
          - {id: sole, label: Sole}
          - {id: shin, label: Shin}
      - id: patterned
        show_as: pattern
        type: single_choice
        prompt: Patterned?
        options:
          - {id: "yes", label: "Yes"}
          - {id: "no", label: "No"}
          - {id: not_sure, label: Not sure, unknown: true}
      - id: count
        show_as: count
        type: number
        prompt: How many
        unit: marks
        min: 1
        max: 10
        required: false
        default: 1
        allow_unknown: true
    derived:
      - id: unusual_site
        type: boolean
        label: At an unusual site
        condition: {item: site, in: [ear, sole]}
        cite: [s]
derived:
  - id: mobile
    type: boolean
    label: Independently mobile
    condition: {question: mobility, includes_any: [crawling, walking]}
    cite: [s]
  - id: preterm
    type: boolean
    label: Born before 37 weeks
    condition:
      all:
        - {question: gestation, lt: 37}
        - {question: age_weeks, lt: 104}
    cite: [s]
pathways:
  - id: emergency
    title: Emergency care first
    urgency: 1
    first_step: true
    timescale: {label: Now, hours: 0}
  - id: refer
    title: Refer
    urgency: 2
    timescale: {label: Same day, same_day: true}
  - id: discuss
    title: Discuss
    urgency: 3
    timescale: {label: Within a day, hours: 24}
  - id: none
    title: No action
    urgency: 4
    timescale: {label: Record, hours: 72}
rules:
  - id: R0
    when: {question: unwell, equals: true}
    pathway: emergency
    then: rules_below
    because: Seriously unwell.
    cite: [s]
  - id: R1
    when: {some: {group: marks, where: {item: patterned, equals: "yes"}}}
    pathway: refer
    because: A patterned mark.
    cite: [s]
  - id: R2
    when: {count: {group: marks, where: {item: unusual_site}, sum: count, ge: 2}}
    pathway: refer
    because: Two or more marks at unusual sites.
    cite: [s]
  - id: R3
    when: {fact: mobile}
    pathway: none
    because: Mobile.
    cite: [s]
  - id: R4
    when: {every: {group: marks, where: {item: type, equals: abrasion}}}
    pathway: discuss
    because: Only abrasions.
    cite: [s]
  - id: R5
    when: {question: gestation, lt: 30}
    pathway: refer
    because: Very preterm.
    cite: [s]
  - id: R6
    when: {question: age_weeks, ge: 0}
    pathway: discuss
    because: Any other mark.
    cite: [s]
advice:
  - id: A1
    when: {question: gestation, known: false}
    because: Gestation not known.
    actions:
      - {id: record_gestation, text: Record the gestation when it is known.}
    cite: [s]
"""

MARK = {"type": "bruise", "site": "cheek", "patterned": "no"}
ANSWERS: dict[str, Any] = {
    "age_weeks": 10,
    "gestation": 40,
    "unwell": False,
    "mobility": [],
    "marks": [MARK],
}


def tiny(text: str = TINY) -> Protocol:
    loaded = load(text)
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert loaded.protocol is not None
    return loaded.protocol


def load(text: str) -> Loaded:
    return load_protocol(text.encode(), "tiny.yaml", today=TODAY)


def run(protocol: Protocol, answers: dict[str, Any]) -> Decision:
    """Answers as an answers file would give them, checked, then decided."""
    checked = check_answers(protocol, read_yaml(yaml.safe_dump(answers), "answers.yaml"))
    assert checked.ok, [p.format() for p in checked.problems]
    return decide(protocol, checked.answers)


def with_marks(*marks: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**ANSWERS, **changes, "marks": [{**MARK, **m} for m in marks]}

"""A small protocol with a repeated `marks` group (sites grouped by body area, "not sure" options,
an item question asked only when it matters) and a `carers` context group: the guided check's
per-mark loop is tested on it until the bundled v2 protocol exists, and beside it afterwards."""

from __future__ import annotations

MARKS_PROTOCOL = """\
metadata:
  id: marks-test
  title: Marks test protocol
  version: "1"
  status: draft
  issued_by: Test partnership
  review_due: 2030-01-01
  disclaimer: Supports, does not replace, judgement.
sources:
  - {id: s1, title: Source one, url: "https://example.org/s1"}
questions:
  - id: age_weeks
    section: The child
    type: number
    prompt: How old is the child, in completed weeks?
    unit: weeks
    min: 0
    max: 936
    cite: [s1]
  - id: gestation_weeks_at_birth
    section: The child
    type: number
    prompt: Gestation at birth, in completed weeks?
    unit: weeks
    min: 22
    max: 44
    allow_unknown: true
    cite: [s1]
  - id: diagnosed_bleeding_condition
    section: The child
    type: single_choice
    prompt: A diagnosed condition that causes bruising or bleeding?
    options:
      - {id: "yes", label: "Yes"}
      - {id: "no", label: "No"}
      - {id: not_known, label: Not known, unknown: true}
    cite: [s1]
  - id: marks
    section: The marks
    type: group
    prompt: The marks you have found
    item_label: mark
    min_items: 1
    max_items: 3
    questions:
      - id: type
        show_as: type
        type: single_choice
        prompt: What kind of mark is it?
        options:
          - {id: bruise, label: Bruise}
          - {id: abrasion, label: Abrasion}
          - {id: birthmark_like, label: A birthmark-like mark}
      - id: site
        show_as: site
        type: single_choice
        prompt: Where is it?
        options:
          - {id: scalp, label: "Head: scalp"}
          - {id: forehead, label: "Head: forehead"}
          - {id: cheek, label: "Face: cheek (the fleshy part)"}
          - {id: ear, label: "Face: ear"}
          - {id: neck, label: Neck}
          - {id: chest, label: "Trunk: chest"}
          - {id: back, label: "Trunk: back"}
          - {id: shin, label: "Leg: shin"}
          - {id: sole, label: "Leg: sole of the foot"}
          - {id: other_site, label: Somewhere else}
      - id: side
        show_as: side
        type: single_choice
        prompt: Which side?
        required: false
        options:
          - {id: left, label: Left}
          - {id: right, label: Right}
          - {id: midline, label: Midline}
      - id: size_cm
        show_as: size
        type: number
        prompt: Its size in cm (optional)
        unit: cm
        min: 0
        max: 100
        integer: false
        required: false
      - id: count
        show_as: count
        type: number
        prompt: How many marks like this are there here?
        unit: marks
        min: 1
        max: 50
        required: false
        default: 1
      - id: patterned
        show_as: pattern
        type: single_choice
        prompt: Is it patterned?
        help: Shaped like a hand, a grip, a loop or an implement.
        options:
          - {id: "yes", label: "Yes"}
          - {id: "no", label: "No"}
          - {id: not_sure, label: Not sure, unknown: true}
      - id: witnessed
        type: boolean
        prompt: Did someone independent of the carers see the accident happen?
        ask_if: {not: {item: type, equals: birthmark_like}}
      - id: explanation
        show_as: explanation
        type: single_choice
        prompt: What is the explanation for this mark?
        options:
          - {id: none_given, label: The carers have no explanation}
          - {id: plausible_consistent, label: Plausible and consistent}
          - {id: documented_birthmark, label: A documented birthmark}
      - id: explained_by
        show_as: explained_by
        type: single_choice
        prompt: Who gave the explanation?
        required: false
        ask_if: {not: {item: explanation, equals: none_given}}
        options:
          - {id: mother, label: Mother}
          - {id: father, label: Father}
          - {id: professional, label: A professional}
      - id: account
        show_as: account
        type: text
        prompt: "The explanation in the carer's own words (optional):"
        required: false
derived:
  - id: young
    label: Under 22 weeks
    type: boolean
    condition: {question: age_weeks, lt: 22}
    cite: [s1]
pathways:
  - id: refer
    title: Refer today
    urgency: 1
    timescale: {label: Same day, same_day: true}
    actions:
      - {id: call, text: Call the front door, contact: lead}
  - id: record
    title: Record and advise
    urgency: 2
    timescale: {label: At this contact}
contacts:
  - {id: lead, name: Lead, phone: "01234 567890"}
rules:
  - id: R1
    when: {some: {group: marks, where: {not: {item: type, equals: birthmark_like}}}}
    pathway: refer
    because: A mark that is not a birthmark.
    cite: [s1]
  - id: R2
    when: {every: {group: marks, where: {item: type, equals: birthmark_like}}}
    pathway: record
    because: Only birthmark-like marks.
    cite: [s1]
context_prompts:
  - id: carers
    type: group
    prompt: The carers
    item_label: carer
    min_items: 0
    max_items: 6
    questions:
      - id: relationship
        type: single_choice
        prompt: Who is this carer?
        options:
          - {id: mother, label: Mother}
          - {id: father, label: Father}
          - {id: partner, label: Partner}
      - id: seen
        type: single_choice
        prompt: Have you seen this carer?
        options:
          - {id: "yes", label: "Yes"}
          - {id: "no", label: "No"}
          - {id: not_known, label: Not known, unknown: true}
  - id: icon_discussed
    type: boolean
    prompt: Has ICON been discussed with every carer?
    required: false
"""

"""Scaled protocols built from the bundled national baseline, for measuring how the analysis grows.

    .venv/bin/python bench/scaled.py gated 16 > /tmp/gated16.yaml
    .venv/bin/python bench/scaled.py interacting 4 > /tmp/interacting4.yaml
    .venv/bin/python bench/scaled.py --v2 gated 16 > /tmp/gated16-v2.yaml

By default the copies are of the version-1 baseline (protocols/examples/national-baseline-v1.yaml:
one answer per mark type and site, 143 situation classes), the protocol issue 15's figures and
targets were measured on; `--v2` copies the bundled version-2 baseline (a group of up to 20
marks, 3,620 classes: each copy costs about 25 times as much).

- `gated N`: a first question "Which copy?" (N options) and N copies of the baseline's questions,
  derived facts, rules and invariants, each copy asked and applied only when its option is chosen
  (ask_if and an extra test on every rule and invariant; the advice only in copy 0, and later
  copies' labels and reasons cut short, or the record-size check refuses 32 copies). The
  situations add up: about N times the baseline's.
- `interacting N`: N copies, all asked, with the rules interleaved (B0 of every copy, then B1 of
  every copy, ...): the first rule to match can come from any copy, so the situations multiply.
  The later copies' invariants are broken by the earlier copies' less urgent rules (B2 before B3
  and so on), which the analysis must find and explain as well.

Ids are suffixed `__k`; references (`question:`, `fact:`, `group:`) to renamed ids follow; item
questions inside a group keep their ids (they are local to the group). Pathways, contacts, sources
and definitions are shared.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BASELINES = {
    "v1": ROOT / "protocols" / "examples" / "national-baseline-v1.yaml",
    "v2": ROOT / "protocols" / "national-baseline.yaml",
}
REF_KEYS = ("question", "fact", "group")


def _rename(node: Any, names: set[str], k: int) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in REF_KEYS and isinstance(value, str) and value in names:
                out[key] = f"{value}__{k}"
            else:
                out[key] = _rename(value, names, k)
        return out
    if isinstance(node, list):
        return [_rename(v, names, k) for v in node]
    return node


def _copy_items(items: list[dict[str, Any]], names: set[str], k: int) -> list[dict[str, Any]]:
    out = []
    for item in items:
        new = _rename(copy.deepcopy(item), names, k)
        new["id"] = f"{item['id']}__{k}"
        for action in new.get("actions", []):
            action["id"] = f"{action['id']}__{k}"
        out.append(new)
    return out


def _shorten(questions: list[dict[str, Any]]) -> None:
    """Later copies' texts cut to their ids (none of it is analysed): with full texts a record
    under 32 copies would pass the record-size limit. Their `show_as` annotations go too: what a
    printout shows as the mark's site or the explanation is one question per protocol
    (DUPLICATE_SHOW_AS), and copy 0 keeps them."""
    for q in questions:
        q.pop("help", None)
        q.pop("show_as", None)
        q["prompt"] = f"{q['id']}?"
        if "cite" in q:
            q["cite"] = q["cite"][:1]
        for option in q.get("options", []):
            option["label"] = option["id"]
            option.pop("help", None)
        _shorten(q.get("questions", []))


def _gate(k: int) -> dict[str, Any]:
    return {"question": "copy", "in": [f"c{k}"]}


def _and(extra: dict[str, Any], cond: dict[str, Any] | None) -> dict[str, Any]:
    return extra if cond is None else {"all": [extra, cond]}


def scaled(kind: str, n: int, base_version: str = "v1") -> dict[str, Any]:
    text = BASELINES[base_version].read_text(encoding="utf-8")
    base = yaml.load(text, Loader=yaml.CSafeLoader)
    names = {q["id"] for q in base["questions"]} | {f["id"] for f in base.get("derived", [])}
    data = {key: value for key, value in base.items() if key not in {"questions", "derived"}}
    data["metadata"] = dict(base["metadata"], id=f"baseline-{kind}-{n}", title=f"{kind} x{n}")
    questions: list[dict[str, Any]] = []
    derived: list[dict[str, Any]] = []
    rules: list[list[dict[str, Any]]] = []
    advice: list[dict[str, Any]] = []
    invariants: list[dict[str, Any]] = []
    for k in range(n):
        qs = _copy_items(base["questions"], names, k)
        rs = _copy_items(base["rules"], names, k)
        # Advice only in the first copy: its actions would repeat in every copy's record and
        # past 16 copies the record-size check refuses the protocol (none of it is analysed).
        ads = _copy_items(base.get("advice", []), names, k) if k == 0 else []
        invs = _copy_items(base.get("invariants", []), names, k)
        if k > 0:
            qs = [q for q in qs if q["type"] != "text"]  # free text is never analysed
            _shorten(qs)
            for r in rs + invs:
                r["because"] = f"As in copy 0 ({r['id']})."
                r["cite"] = r["cite"][:1]
        if kind == "gated" and n > 1:
            for q in qs:
                q["ask_if"] = _and(_gate(k), q.get("ask_if"))
            for r in rs + ads + invs:
                r["when"] = _and(_gate(k), r["when"])
        questions += qs
        derived += _copy_items(base.get("derived", []), names, k)
        rules.append(rs)
        advice += ads
        invariants += invs
    if kind == "gated" and n > 1:
        gate = {
            "id": "copy",
            "type": "single_choice",
            "prompt": "Which copy of the protocol applies?",
            "options": [{"id": f"c{k}", "label": f"Copy {k}"} for k in range(n)],
        }
        questions.insert(0, gate)
    if kind == "gated":
        data["rules"] = [r for rs in rules for r in rs]
    elif kind == "interacting":
        data["rules"] = [rs[i] for i in range(len(rules[0])) for rs in rules]
    else:
        raise SystemExit(f"unknown kind {kind!r}: gated or interacting")
    data["questions"] = questions
    data["derived"] = derived
    data["advice"] = advice
    data["invariants"] = invariants
    return data


def scaled_yaml(kind: str, n: int, base_version: str = "v1") -> str:
    data = scaled(kind, n, base_version)
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, width=100)


def main(argv: list[str]) -> int:
    version = "v1"
    if argv and argv[0] in ("--v1", "--v2"):
        version, argv = argv[0][2:], argv[1:]
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: scaled.py [--v1|--v2] gated|interacting N", file=sys.stderr)
        return 2
    sys.stdout.write(scaled_yaml(argv[0], int(argv[1]), version))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

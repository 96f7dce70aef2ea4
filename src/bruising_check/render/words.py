"""The one vocabulary of everything people read: dates with their time zone, timescales and
deadlines, contact lines, rule kinds, answer labels, the "no pathway" instruction, and the
plain-English wording of a protocol's conditions.

The conditions' wording lives in `protocol.wording` (the record, below this layer, says why a
question was not asked with it) and is passed on from here, so the flowchart, the handbook, the
demo and the record say a rule one way. Times carry their zone, deadlines and corrected ages
read as a practitioner says them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from bruising_check.engine.replies import shown
from bruising_check.protocol.model import Contact, GroupQuestion, Protocol, Question
from bruising_check.protocol.wording import Line as Line
from bruising_check.protocol.wording import compare_text as compare_text
from bruising_check.protocol.wording import condition_lines as condition_lines
from bruising_check.protocol.wording import condition_text as condition_text
from bruising_check.protocol.wording import option_label as option_label
from bruising_check.protocol.wording import subject_name as subject_name
from bruising_check.records.record import ContactDetail, Deadline, FactEntry, QuestionEntry, Record

# --- the vocabulary of records and printouts ----------------------------------------------------
# One wording for each of these, used by every emitter (terminal, text, Markdown, HTML, PDF) and
# by the handbook, so that a printout and the screen never say the same thing two ways.

OUT_OF_SCOPE_TITLE = "This procedure does not apply"
OUT_OF_SCOPE_INSTEAD = "What to do instead is listed below."
"""Said with an out-of-scope outcome (`level: out_of_scope`) by printouts and the handbook."""
OUT_OF_SCOPE_ACTIONS = "What to do instead"
OUT_OF_SCOPE_NO_ACTIONS = (
    "The protocol lists nothing else to do: follow your local procedure, and discuss with your"
    " safeguarding lead if you are worried."
)
DEPENDS_ON_UNKNOWN = "included because it may apply"
AFTER_NOT_LISTED = "the action it follows is not listed here: act as soon as possible"
NO_PATHWAY_TITLE = "No pathway: no rule of the protocol matched these answers."
NO_PATHWAY_INSTRUCTION = "Follow your local procedure and discuss with your safeguarding lead now."
PLACEHOLDER_NOTE = "PLACEHOLDER: not a real contact"
UNDATED = "approval date not recorded"  # an approved deviation whose date was not given
RAISED_FOR_SAFETY = (
    "Raised for safety: some answers were not known, or a protocol safeguard applied, so the more"
    " urgent pathway is shown. See the reasons below."
)
RULE_KINDS = {
    "decides": "decides the pathway",
    "decides_as_given": (
        "decides for the answers as given, unless an answer that is not known makes a more"
        " urgent rule apply"
    ),
    "then": "decides what follows",
    "might_apply": "might apply",
    "invariant": "protocol safeguard",
    "advice": "advice",
}
POLICY_NAMES: dict[str, str] = {
    "rolling_counts_as_mobility": "Rolling counts as independent mobility",
    "mobility_milestones": "Milestones that make a child independently mobile",
    "age_anchor": "Age anchor that overrides milestones",
    "corrected_age": "Corrected age for prematurity",
    "scope_mark_types": "Marks in scope",
    "petechiae_count_as_bruise": "Petechiae count as bruising",
    "disability": "Disabled or developmentally delayed older children",
    "nim_explanation": "Explanation considered for a non-mobile baby",
    "who_may_decide_no_referral": "Who may decide not to refer",
    "suspected_birthmark": "Suspected birthmark",
    "medical_procedure_marks": "Marks from a documented medical procedure",
    "known_bleeding_disorder": "Known bleeding disorder",
    "first_step": "First step",
    "strategy_discussion": "Strategy discussion",
    "referral_timescale": "Referral timescale",
    "remote_reports": "Reports by phone, photo or a third party",
    "escalation_if_declined": "If the referral is declined",
    "informing_parents": "Informing parents",
}
"""Each policy field by one name, in the handbook and the board paper alike."""
POLICY_VALUES: dict[str, str] = {
    "recorded_only": "recorded only, not used to decide",
    "used": "used to decide",
    "included": "included",
    "excluded_if_wheelchair_user_who_can_give_account": (
        "excluded if a wheelchair user who can give an account"
    ),
    "physical_only": "physical disability only",
    "regardless": "no: every mark is referred regardless of the explanation",
    "explanation_dependent": "yes: the explanation can change the pathway",
    "abrasions_only_dependent": (
        "only for an abrasion; every other mark is referred regardless of the explanation"
    ),
    "end": "no further action under the protocol (record and advise)",
    "discuss": "same-day discussion before deciding on referral",
    "refer": "same-day referral",
    "both_same_day": "social care and health assessment, both the same day",
    "social_care_first": "social care first",
    "health_triage_first": "same-day health triage first",
    "after_appraisal": "only after an initial appraisal",
    "every_case": "in every case",
    "must_refer": "acted on as if seen in person",
    "treated_as_seen": "treated as if seen",
    "not_stated": "not stated",
}
"""Each stated position in words, in the handbook and the board paper alike."""
SAME_DAY_AFTER_HOURS = "after office hours, use the out-of-hours contact"


def rule_kind(kind: str) -> str:
    return RULE_KINDS.get(kind, kind.replace("_", " "))


_HINT = re.compile(r"\s*\((?=[^()]*\boptional\b)[^()]*\)\s*([:?]?)\s*$", re.IGNORECASE)


def field_label(prompt: str) -> str:
    """A question's prompt as the label of its answer in a printout: without the trailing hint
    to the person answering (`(optional; write exactly what was said)`), which is no part of
    what was recorded."""
    return _HINT.sub(r"\1", prompt).rstrip(":?")


def might_apply_text(because: str, unknown: Sequence[str] = ()) -> str:
    """A reason that only might apply, as a condition: the protocol's sentence quoted as written
    after what it hangs on, so that it never reads as a fact about this child (`If "Is it
    patterned" (not known) makes it apply: "..."`). `unknown`: the answers it hangs on, in plain
    words; with none named, "an answer that is not known"."""
    if not unknown:
        return f"If an answer that is not known makes it apply: \u201c{because}\u201d"
    names = " and ".join(f"\u201c{n}\u201d" for n in unknown)
    verb = "makes" if len(unknown) == 1 else "make"
    return f"If {names} (not known) {verb} it apply: \u201c{because}\u201d"


def zone(moment: dt.datetime) -> str:
    """The time zone as people read it: its name (GMT, BST, UTC) or its offset."""
    name = moment.tzname()
    if name and not name.startswith(("UTC+", "UTC-")):
        return name
    offset = moment.utcoffset()
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def day_text(day: dt.date) -> str:
    """A date as printed everywhere: `Fri 27 Nov 2026`."""
    return day.strftime("%a %d %b %Y")


def long_date(day: dt.date | None, missing: str = "not set") -> str:
    """A date in running text: `27 November 2026`."""
    return day.strftime("%d %B %Y").lstrip("0") if day else missing


def moment_text(moment: dt.datetime) -> str:
    """A date and time with its time zone: `10:30 GMT on Fri 27 Nov 2026`."""
    tz = zone(moment)
    return f"{moment:%H:%M}{' ' + tz if tz else ''} on {day_text(moment.date())}"


def out_of_scope(r: Record) -> bool:
    """The outcome is "this procedure does not apply" (`level: out_of_scope`), never "no
    action"."""
    return r.outcome is not None and r.outcome.level == "out_of_scope"


def depends_on_text(r: Record, ids: tuple[str, ...]) -> str:
    """An action whose condition was not known: what was not known, and why it is listed."""
    names = [path_name(r, sid) for sid in ids]
    known = "; ".join(names) if names else "an answer"
    return f"{known} - not known, so {DEPENDS_ON_UNKNOWN}"


def deadline_text(d: Deadline | None) -> str | None:
    """When to act, in words read at a glance. "Same day" has no clock time: it is today, as
    soon as possible, with the out-of-hours contact after office hours."""
    if d is None or d.kind in {"none", "after"}:
        return None  # `after` another action: no clock time; its label says it as written
    if d.kind == "now":
        return "now"
    if d.kind == "within_hours" and d.by is not None:
        return "by " + moment_text(d.by)
    day = "" if d.on is None else f", {day_text(d.on)}"
    return f"today{day}, as soon as possible ({SAME_DAY_AFTER_HOURS})"


def timescale_text(label: str | None, d: Deadline | None) -> str | None:
    """A timescale with its deadline: `Same day - today, Fri 27 Nov 2026, as soon as ...`."""
    when = deadline_text(d)
    if label and when and label.lower() != when.lower():
        return f"{label} - {when}"
    return label or when


def contact_line(c: ContactDetail | Contact | None) -> str | None:
    """A contact on one line: name - phone - hours - out of hours: ..., and a placeholder flag."""
    if c is None:
        return None
    parts = [c.name]
    parts.extend(p for p in (c.phone, c.hours) if p)
    if c.out_of_hours:
        parts.append(f"out of hours: {c.out_of_hours}")
    line = " - ".join(parts)
    return line + (f" ({PLACEHOLDER_NOTE})" if c.placeholder else "")


def answer_label(q: Question, value: object) -> str:
    """An answer as a person reads it: the one wording, shared with the guided check."""
    return shown(q, value)


def answer_text(q: QuestionEntry) -> str:
    """A recorded question's answer, or why there is none."""
    if q.status == "answered":
        return str(q.answer_label)
    return f"({q.status.replace('_', ' ')}: {q.note})"


def fact_value(f: FactEntry) -> str:
    """A derived fact's value with its unit; an unknown fact is never shown as a fact."""
    if f.unknown:
        return "may apply: an answer it depends on is not known"
    if f.value is None:
        return "not applicable"
    if isinstance(f.value, bool):
        return "yes" if f.value else "no"
    if f.unit == "weeks":
        return weeks_text(f.value)  # a corrected age below zero: "2 weeks before term"
    shown_value = f"{f.value:g}" if isinstance(f.value, float) else str(f.value)
    return f"{shown_value} {f.unit}" if f.unit else shown_value


def unknown_names(r: Record) -> list[str]:
    """The unknowns that decided, in plain words: the question's prompt, or `mark 2: pattern`."""
    return [path_name(r, path) for path in r.unknowns_that_decided]


def path_name(r: Record, path: str) -> str:
    """An answer's path in plain words: the question's prompt, a fact's label, or
    `mark 2: pattern`."""
    head, _, rest = path.partition("[")
    q = r.question(head)
    if rest and "]" in rest:
        number, _, field = rest.partition("]")
        item = field.lstrip(".")
        mark = next((m for m in r.marks if str(m.number) == number), None)
        prompt = next((f.prompt for f in (mark.fields if mark else ()) if f.id == item), item)
        return f"mark {number}: {prompt.rstrip(':?')}"
    if q is not None:
        return q.prompt.rstrip(":?")
    fact = next((f for f in r.facts if f.id == path), None)
    if fact is not None:
        return fact.label
    return path.replace("_", " ")


_NEGATION = ("not ", "no ", "non-", "non ")


def weeks_text(value: float) -> str:
    """A number of weeks; a corrected age below zero is a time before the due date, so it reads
    "2 weeks before term" rather than "-2 weeks"."""
    shown = f"{abs(value):g} {'week' if abs(value) == 1 else 'weeks'}"
    return f"{shown} before term" if value < 0 else shown


def reads_as_double_negative(label: str, value: object) -> bool:
    """Whether "<label>: no" would be a double negative ("Not independently mobile and not
    rolling: no"). Such a line says nothing the positive facts beside it do not, so a screen
    leaves it out rather than ask the reader to untangle it."""
    return value is False and label.lower().startswith(_NEGATION)


def policy_value(protocols: Sequence[Protocol], field: str, value: object) -> str:
    """A policy position in words: a stated value by `POLICY_VALUES`, a list of option ids
    (milestones, mark types) by the labels the protocols give those options, yes / no."""
    if value is None or value == "not_stated":
        return "not stated"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_option_words(protocols, str(v)) for v in value) or "none"
    text = str(value)
    if text in POLICY_VALUES:
        return POLICY_VALUES[text]
    return text.replace("_", " ") if re.fullmatch(r"[a-z0-9_]+", text) else text


def _option_words(protocols: Sequence[Protocol], option: str) -> str:
    """The label of an option id, from the first protocol with a question (or a group's item
    question) that offers it; the id in words when none does."""
    for p in protocols:
        for q in (*p.questions, *p.context_prompts):
            inner = q.questions if isinstance(q, GroupQuestion) else (q,)
            for iq in inner:
                for o in getattr(iq, "options", ()):
                    if o.id == option:
                        return str(o.label)
    return option.replace("_", " ")

"""Eligibility of one person, explained: every clause, every input with its source and date.

``person_for(member)`` reads what the vocabulary needs in a handful of
queries; ``assess(person, version, on)`` evaluates a rule version and its
amount bands in Python and returns an ``Assessment`` ready to be stored as an
``EligibilityDecision`` and shown to the citizen. Population runs never come
here: they use the compiled rule (``vocabulary.to_q`` / ``to_duck``), and the
property tests check that both give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from himaccess.departments.models import Department
from himaccess.geography.models import District
from himaccess.lib import rules
from himaccess.registry.models import Gender, MaritalStatus, Member, RegisterChange, Source
from himaccess.schemes.models import (
    EligibilityDecision,
    Enrolment,
    MemberFact,
    ReviewCase,
    RuleVersion,
    Scheme,
)
from himaccess.schemes.vocabulary import ATTRIBUTES, Context, Person

SCHEME_RECORDS = "scheme_records"


def person_for(member: Member) -> Person:
    family_members = list(
        Member.objects.filter(family_id=member.family_id, life_status=Member.LifeStatus.LIVING).only(
            "id", "annual_income", "occupation", "family_id"
        )
    )
    if member.pk not in {m.pk for m in family_members}:
        family_members.append(member)
    facts = dict(MemberFact.objects.filter(member=member).values_list("attribute", "value"))
    pensions = dict(
        Enrolment.objects.receiving()
        .filter(member=member, scheme__is_social_security_pension=True)
        .values_list("scheme_id", "scheme__scheme_id")
    )
    return Person(member=member, family_members=family_members, facts=facts, pensions=pensions)


def band_for(version: RuleVersion, values: dict[str, Any]) -> dict[str, Any] | None:
    for band in version.bands:
        if rules.evaluate(band["when"], values).holds:
            return dict(band)
    return None


@dataclass
class Assessment:
    scheme: Scheme
    version: RuleVersion
    on: date
    eligible: bool
    clause: rules.Clause
    values: dict[str, Any]
    band: dict[str, Any] | None

    @property
    def monthly_amount(self) -> int | None:
        return int(self.band["amount"]) if self.eligible and self.band else None


def assess(person: Person, scheme: Scheme, version: RuleVersion, on: date) -> Assessment:
    ctx = Context(on=on, scheme_pk=scheme.pk, scheme_id=scheme.scheme_id)
    names = rules.attributes_of(version.rule) | {
        n for b in version.bands for n in rules.attributes_of(b["when"])
    }
    values = {name: ATTRIBUTES[name].python(person, ctx) for name in names}
    clause = rules.evaluate(version.rule, values)
    band = band_for(version, values) if clause.holds else None
    return Assessment(scheme, version, on, clause.holds, clause, values, band)


def provenance(person: Person, names: set[str]) -> dict[str, dict[str, Any]]:
    """For each input: where its value came from and when (register history, department, scheme records)."""
    member = person.member
    fields = {f for name in names for f in ATTRIBUTES[name].register_fields}
    latest: dict[tuple[int | None, str], tuple[str, str]] = {}
    if fields:
        changes = (
            RegisterChange.objects.filter(family_id=member.family_id, field__in=fields)
            .order_by("at", "id")
            .values_list("member_id", "field", "source", "at")
        )
        for member_pk, field_name, source, at in changes:
            latest[(member_pk, field_name)] = (source, at.isoformat())
    facts = {
        f.attribute: f
        for f in MemberFact.objects.filter(member=member, attribute__in=names).select_related("department")
    }
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        attribute = ATTRIBUTES[name]
        entry: dict[str, Any] = {"source": "", "at": "", "field": ",".join(attribute.register_fields)}
        if attribute.register_fields:
            owners = {m.pk for m in person.family_members} if attribute.family_level else {member.pk}
            candidates = [
                value
                for (member_pk, field_name), value in latest.items()
                if field_name in attribute.register_fields
                and (member_pk in owners or (member_pk is None and attribute.family_level))
            ]
            if candidates:
                found_source, found_at = max(candidates, key=lambda item: item[1])
                entry.update(source=found_source, at=found_at)
            else:
                entry.update(source=Source.IMPORT)
        elif name in facts:
            entry.update(
                source=f"department:{facts[name].department_id}", at=facts[name].recorded_at.isoformat()
            )
        elif name == "receives_social_pension":
            entry.update(source=SCHEME_RECORDS)
        else:
            entry.update(source=f"department:{attribute.department}")
        found[name] = entry
    return found


def inputs_of(assessment: Assessment, person: Person) -> dict[str, dict[str, Any]]:
    sources = provenance(person, set(assessment.values))
    return {
        name: {**sources[name], "value": _jsonable(value)}
        for name, value in sorted(assessment.values.items())
    }


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# ------------------------------------------------------------ wording

# How a date reads to people, on these pages and in reasons: day-month-year, as across the project
# (templates use the date filter's "d-m-Y"); ISO stays for machines.
DAY_MONTH_YEAR = "%d-%m-%Y"


def day(value: date) -> str:
    return value.strftime(DAY_MONTH_YEAR)


def recorded_on(entry: Mapping[str, Any]) -> date | None:
    """The day, in Indian time, an input's value was recorded or last changed; None if its source keeps none.

    Inputs store the moment in UTC: its UTC date would be a day early for anything recorded
    between midnight and half past five in the morning.
    """
    at = entry.get("at") or ""
    if not at:
        return None
    moment = datetime.fromisoformat(at)
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def op_sentence(op: str) -> str:
    # Spelled out so that makemessages finds each sentence.
    sentences = {
        "==": _("%(attribute)s is %(value)s"),
        "!=": _("%(attribute)s is not %(value)s"),
        "<": _("%(attribute)s is less than %(value)s"),
        "<=": _("%(attribute)s is at most %(value)s"),
        ">": _("%(attribute)s is more than %(value)s"),
        ">=": _("%(attribute)s is at least %(value)s"),
        "in": _("%(attribute)s is one of: %(value)s"),
        "between": _("%(attribute)s is between %(low)s and %(high)s"),
        "not in": _("%(attribute)s is none of: %(value)s"),
        "not between": _("%(attribute)s is below %(low)s or above %(high)s"),
    }
    return sentences[op]


# A condition under "not" said the positive way: "age is less than 60", not "NOT: age is at least 60".
OPPOSITE = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
    "in": "not in",
    "between": "not between",
    "not in": "in",
    "not between": "between",
}


def opposite(clause: rules.Clause) -> rules.Clause:
    """The comparison that holds exactly when ``clause`` does not, with the verdict turned too."""
    op, value = OPPOSITE[clause.op], clause.value
    if isinstance(value, bool) and op == "!=":
        op, value = "==", not value  # "BPL is no", not "BPL is not yes"
    return replace(clause, op=op, value=value, holds=not clause.holds)


def positive(clause: rules.Clause, negate: bool = False) -> rules.Clause:
    """The same evaluated rule with every ``not`` pushed down to its comparisons (De Morgan).

    Each node keeps whether it holds, so the explanation shows the same verdicts in
    sentences a person can read without resolving double negatives.
    """
    holds = clause.holds != negate
    if clause.kind == "not":
        return positive(clause.parts[0], not negate)
    if clause.kind == "compare":
        return opposite(clause) if negate else clause
    kind = clause.kind
    if negate:
        kind = "any" if kind == "all" else "all"
    return replace(clause, kind=kind, parts=[positive(part, negate) for part in clause.parts], holds=holds)


def unevaluated(rule: rules.Rule) -> rules.Clause:
    """A rule as a clause without a person (every part marked as holding), to be put in words."""
    if "all" in rule or "any" in rule:
        kind = "all" if "all" in rule else "any"
        return rules.Clause(kind, True, [unevaluated(part) for part in rule[kind]])
    if "not" in rule:
        return rules.Clause("not", True, [unevaluated(rule["not"])])
    return rules.Clause("compare", True, attr=rule["attr"], op=rule["op"], value=rule["value"])


def show_value(name: str, value: Any) -> str:
    """A value as a citizen reads it: labels for codes, yes/no, district names, dates as day-month-year."""
    if isinstance(value, list):
        return ", ".join(show_value(name, v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return day(value)
    if name == "gender":
        return str(Gender(value).label) if value in Gender.values else str(value)
    if name == "marital_status":
        return str(MaritalStatus(value).label) if value in MaritalStatus.values else str(value)
    if name == "district":
        district = District.objects.filter(pk=value).first()
        return district.name_in(_language()) if district else str(value)
    return str(value)


def _language() -> str:
    return get_language() or "en"


def label(name: str) -> str:
    attribute = ATTRIBUTES.get(name)
    return str(attribute.label) if attribute else name


def sentence(clause: rules.Clause) -> str:
    """A comparison as a sentence: a yes/no attribute said either way ("Is not a government employee")."""
    attribute = ATTRIBUTES.get(clause.attr)
    if attribute and attribute.when_true and clause.op in ("==", "!=") and isinstance(clause.value, bool):
        affirmed = (clause.op == "==") == clause.value
        return str(attribute.when_true if affirmed else attribute.when_false)
    if clause.op in ("between", "not between"):
        return op_sentence(clause.op) % {
            "attribute": label(clause.attr),
            "low": clause.value[0],
            "high": clause.value[1],
        }
    return op_sentence(clause.op) % {
        "attribute": label(clause.attr),
        "value": show_value(clause.attr, clause.value),
    }


def source_label(source: str) -> str:
    if source.startswith("department:"):
        department = Department.objects.filter(pk=source.split(":", 1)[1]).first()
        if department is None:
            return _("Department record")
        name = department.name_hi if _language().startswith("hi") else department.name_en
        return _("Department record: %(department)s") % {"department": name}
    if source == SCHEME_RECORDS:
        return _("Scheme records (sanctioned pensions)")
    if source in Source.values:
        return _("Family register (%(how)s)") % {"how": Source(source).label}
    return source or "—"


@dataclass(frozen=True)
class Condition:
    """One condition of an explanation as shown: a sentence, whether it is met, and the record it read.

    A group (``kind`` "all" or "any") has ``parts``; a comparison names its attribute, the
    person's value as shown, where that value came from and the day it was recorded (None when
    the source keeps no date). ``needed`` is False for a condition not met that does not matter:
    an alternative while another one is met, and what is inside it.
    """

    kind: str
    holds: bool
    text: str
    parts: tuple[Condition, ...] = ()
    attr: str = ""
    label: str = ""
    value: str = ""
    source: str = ""
    recorded: date | None = None
    needed: bool = True


def explain(clause: rules.Clause, inputs: Mapping[str, Mapping[str, Any]]) -> Condition:
    """The evaluated rule as nested sentences, negations phrased positively, each with its record.

    ``inputs`` are a decision's inputs (value, source and time of each attribute). A group of
    one part is shown as that part.
    """
    return _condition(positive(clause), inputs, needed=True)


def _condition(clause: rules.Clause, inputs: Mapping[str, Mapping[str, Any]], needed: bool) -> Condition:
    if clause.kind == "compare":
        entry = inputs.get(clause.attr, {})
        return Condition(
            "compare",
            clause.holds,
            sentence(clause),
            attr=clause.attr,
            label=label(clause.attr),
            value=show_value(clause.attr, clause.actual),
            source=source_label(entry.get("source", "")) if entry else "",
            recorded=recorded_on(entry),
            needed=needed,
        )
    if len(clause.parts) == 1:
        return _condition(clause.parts[0], inputs, needed)
    if clause.kind == "all":
        heading = _("All of these conditions:") if clause.parts else _("No conditions: everyone qualifies.")
    else:
        heading = _("At least one of these conditions:")
    # Once one alternative is met, the others that are not do not matter, nor anything inside them.
    settled = clause.kind == "any" and clause.holds
    parts = tuple(_condition(part, inputs, part.holds or (needed and not settled)) for part in clause.parts)
    return Condition(clause.kind, clause.holds, heading, parts, needed=needed)


@dataclass(frozen=True)
class Line:
    """One condition of an explanation as a line of text: indented, holding or failing."""

    depth: int
    holds: bool
    text: str
    attr: str = ""
    actual: str = ""


def lines(clause: rules.Clause) -> list[Line]:
    """The rule as indented sentences, negations phrased positively, each with the person's value."""
    return _lines(explain(clause, {}), 0)


def _lines(condition: Condition, depth: int) -> list[Line]:
    line = Line(depth, condition.holds, condition.text, condition.attr, condition.value)
    return [line, *(part for child in condition.parts for part in _lines(child, depth + 1))]


def reason(clause: rules.Clause) -> str:
    """A one-line reason: the first condition not met and what the record says, or that all are met."""
    if clause.holds:
        return _("All conditions are met.")
    failing = positive(clause).failing()
    if not failing:
        return _("The conditions are not met.")
    first, _negated = failing[0]
    values = {"condition": sentence(first), "value": show_value(first.attr, first.actual)}
    return _("Not met: %(condition)s; the record says %(value)s.") % values


def why_not(decision: EligibilityDecision) -> str:
    """What the record says that keeps a decision from "eligible", as plain sentences of fact.

    One sentence per condition not met, said as the fact that fails it ("Is not below the
    poverty line (BPL)"), with the value read, its source and the day it was recorded.
    """
    clause = positive(rules.Clause.from_dict(decision.explanation))
    if clause.holds:
        return _("All conditions are met.")
    facts = []
    for leaf, _negated in clause.failing():
        entry = decision.inputs.get(leaf.attr, {})
        values = {
            "fact": sentence(opposite(leaf)),
            "source": source_label(entry.get("source", "")),
            "value": show_value(leaf.attr, leaf.actual),
        }
        recorded = recorded_on(entry)
        if recorded is None:
            facts.append(_("%(fact)s — %(source)s: %(value)s.") % values)
        else:
            values["date"] = day(recorded)
            facts.append(_("%(fact)s — %(source)s: %(value)s, recorded %(date)s.") % values)
    # One comparison can sit in two places of a rule: say what fails it once.
    return " ".join(dict.fromkeys(facts)) or _("The conditions are not met.")


def review_reason(review: ReviewCase) -> str:
    """Why a benefit is under review, in the reader's language.

    Worded afresh from the decision that opened the review; a review opened without one (the
    beneficiary left the register) keeps its reason as an English message to translate.
    """
    if review.decision is not None:
        return why_not(review.decision)
    return _(review.reason)

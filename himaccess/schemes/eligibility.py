"""Eligibility of one person, explained: every clause, every input with its source and date.

``person_for(member)`` reads what the vocabulary needs in a handful of
queries; ``assess(person, version, on)`` evaluates a rule version and its
amount bands in Python and returns an ``Assessment`` ready to be stored as an
``EligibilityDecision`` and shown to the citizen. Population runs never come
here: they use the compiled rule (``vocabulary.to_q`` / ``to_duck``), and the
property tests check that both give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from himaccess.departments.models import Department
from himaccess.geography.models import District
from himaccess.lib import rules
from himaccess.registry.models import Gender, MaritalStatus, Member, RegisterChange, Source
from himaccess.schemes.models import Enrolment, MemberFact, RuleVersion, Scheme
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
}


def positive(clause: rules.Clause, negate: bool = False) -> rules.Clause:
    """The same evaluated rule with every ``not`` pushed down to its comparisons (De Morgan).

    Each node keeps whether it holds, so the explanation shows the same verdicts in
    sentences a person can read without resolving double negatives.
    """
    holds = clause.holds != negate
    if clause.kind == "not":
        return positive(clause.parts[0], not negate)
    if clause.kind == "compare":
        if not negate:
            return clause
        op, value = OPPOSITE[clause.op], clause.value
        if isinstance(value, bool) and op == "!=":
            op, value = "==", not value  # "BPL is no", not "BPL is not yes"
        return replace(clause, op=op, value=value, holds=holds)
    kind = clause.kind
    if negate:
        kind = "any" if kind == "all" else "all"
    return replace(clause, kind=kind, parts=[positive(part, negate) for part in clause.parts], holds=holds)


def show_value(name: str, value: Any) -> str:
    """A value as a citizen reads it: labels for codes, yes/no, district names."""
    if isinstance(value, list):
        return ", ".join(show_value(name, v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "gender":
        return str(Gender(value).label) if value in Gender.values else str(value)
    if name == "marital_status":
        return str(MaritalStatus(value).label) if value in MaritalStatus.values else str(value)
    if name == "district":
        district = District.objects.filter(pk=value).first()
        return district.name_in(_language()) if district else str(value)
    return str(value)


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"


def sentence(clause: rules.Clause) -> str:
    attribute = str(ATTRIBUTES[clause.attr].label) if clause.attr in ATTRIBUTES else clause.attr
    if clause.op in ("between", "not between"):
        return op_sentence(clause.op) % {
            "attribute": attribute,
            "low": clause.value[0],
            "high": clause.value[1],
        }
    return op_sentence(clause.op) % {"attribute": attribute, "value": show_value(clause.attr, clause.value)}


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
        return str(Source(source).label)
    return source or "—"


@dataclass(frozen=True)
class Line:
    """One condition of an explanation as shown: indented, holding or failing."""

    depth: int
    holds: bool
    text: str
    attr: str = ""
    actual: str = ""


def lines(clause: rules.Clause) -> list[Line]:
    """The rule as nested sentences, negations phrased positively, each with the person's value."""
    return _lines(positive(clause), 0)


def _lines(clause: rules.Clause, depth: int) -> list[Line]:
    if clause.kind == "compare":
        return [
            Line(depth, clause.holds, sentence(clause), clause.attr, show_value(clause.attr, clause.actual))
        ]
    if len(clause.parts) == 1:
        return _lines(clause.parts[0], depth)
    heading = _("All of these:") if clause.kind == "all" else _("At least one of these:")
    result = [Line(depth, clause.holds, heading)]
    for part in clause.parts:
        result.extend(_lines(part, depth + 1))
    return result


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

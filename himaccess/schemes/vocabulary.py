"""The fixed vocabulary that eligibility rules may use, each attribute defined once.

An attribute says, in one place:

- its type, allowed codes and label (English, Hindi through the .po file);
- how to read it for one person from the register (``python``);
- how to test it over a population in the database (``q``: a Django ``Q``,
  compiled by the ORM for PostgreSQL or SQLite) and in a DuckDB snapshot
  (``duck``: a column expression over the ``people`` relation of
  ``schemes.snapshot``);
- who owns the data, so an explanation can name its source and date and a
  dispute can reach the owner: a register field (corrected through a change
  request) or a department.

Family attributes are taken over the family's living members. A rule can
only name what is here; adding an attribute is a code change, reviewed like
any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaccess.lib import rules
from himaccess.lib.rules import BOOL, CHOICE, INT
from himaccess.registry.models import Gender, MaritalStatus, Member, Occupation
from himaccess.schemes.models import Enrolment, MemberFact

DISTRICT_CODES = tuple(range(15, 27))  # the twelve districts' LGD codes


@dataclass(frozen=True)
class Context:
    """What a compiled rule depends on besides the person: the date and the scheme."""

    on: date
    scheme_pk: int | None = None
    scheme_id: str = ""


@dataclass
class Person:
    """Everything the vocabulary reads about one member, fetched once for all schemes."""

    member: Member
    family_members: list[Member]  # living, including the member
    facts: dict[str, bool] = field(default_factory=dict)
    pensions: dict[int, str] = field(default_factory=dict)  # scheme pk → scheme id, sanctioned pensions


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    label: Promise
    python: Callable[[Person, Context], Any]
    q: Callable[[str, Any, Context], Q]
    duck: Callable[[Context], str]
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # Provenance: register field(s) the value comes from, or the owning department.
    register_fields: tuple[str, ...] = ()
    family_level: bool = False
    department: str = ""
    # A citizen's dispute of a member-level register attribute becomes a correction of this field.
    correction_field: str = ""
    # A yes/no attribute said as a sentence either way, so that an explanation never reads
    # "is a government employee is no" or puts a NOT before a condition.
    when_true: Promise | None = None
    when_false: Promise | None = None

    @property
    def spec(self) -> rules.AttributeSpec:
        return rules.AttributeSpec(self.name, self.type, self.choices, self.minimum, self.maximum)


# ------------------------------------------------------------ compilers


def _field_q(field_name: str) -> Callable[[str, Any, Context], Q]:
    def build(op: str, value: Any, ctx: Context) -> Q:
        lookups = {
            "==": "exact",
            "<": "lt",
            "<=": "lte",
            ">": "gt",
            ">=": "gte",
            "in": "in",
            "between": "range",
        }
        if op == "!=":
            return ~Q(**{field_name: value})
        return Q(**{f"{field_name}__{lookups[op]}": tuple(value) if op == "between" else value})

    return build


def _bool_q(true_when: Callable[[Context], Q]) -> Callable[[str, Any, Context], Q]:
    def build(op: str, value: Any, ctx: Context) -> Q:
        wanted = value if op == "==" else not value
        return true_when(ctx) if wanted else ~true_when(ctx)

    return build


def _age_q(op: str, value: Any, ctx: Context) -> Q:
    ranges, negated = rules.age_ranges(op, value, ctx.on)
    combined = Q(pk__in=[])
    for part in ranges:
        q = Q()
        if part.after is not None:
            q &= Q(date_of_birth__gt=part.after)
        if part.upto is not None:
            q &= Q(date_of_birth__lte=part.upto)
        combined |= q
    return ~combined if negated else combined


def _living() -> QuerySet[Member]:
    return Member.objects.filter(life_status=Member.LifeStatus.LIVING)


def _family_income_q(op: str, value: Any, ctx: Context) -> Q:
    totals = _living().values("family_id").annotate(total=Sum("annual_income"))
    inner = _field_q("total")("==" if op == "!=" else op, value, ctx)
    matching = Q(family_id__in=totals.filter(inner).values("family_id"))
    return ~matching if op == "!=" else matching


def _fact_q(attribute: str) -> Callable[[Context], Q]:
    def true_when(ctx: Context) -> Q:
        return Q(pk__in=MemberFact.objects.filter(attribute=attribute, value=True).values("member_id"))

    return true_when


def _pension_q(ctx: Context) -> Q:
    others = Enrolment.objects.receiving().filter(scheme__is_social_security_pension=True)
    if ctx.scheme_pk is not None:
        others = others.exclude(scheme_id=ctx.scheme_pk)
    return Q(pk__in=others.values("member_id"))


def _family_has(occupations: tuple[str, ...]) -> Callable[[Context], Q]:
    def true_when(ctx: Context) -> Q:
        return Q(family_id__in=_living().filter(occupation__in=occupations).values("family_id"))

    return true_when


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    text = str(value)
    if not text.replace("_", "").isalnum():  # codes only: validation already refused anything else
        raise ValueError(f"not a code: {text!r}")
    return f"'{text}'"


def duck_compare(expression: str, op: str, value: Any) -> str:
    if op == "in":
        return f"({expression} IN ({', '.join(_sql_literal(v) for v in value)}))"
    if op == "between":
        return f"({expression} BETWEEN {_sql_literal(value[0])} AND {_sql_literal(value[1])})"
    sql_op = "<>" if op == "!=" else ("=" if op == "==" else op)
    return f"({expression} {sql_op} {_sql_literal(value)})"


def duck_age(op: str, value: Any, ctx: Context) -> str:
    ranges, negated = rules.age_ranges(op, value, ctx.on)
    parts = []
    for part in ranges:
        bounds = []
        if part.after is not None:
            bounds.append(f"date_of_birth > {_sql_literal(part.after)}")
        if part.upto is not None:
            bounds.append(f"date_of_birth <= {_sql_literal(part.upto)}")
        parts.append("(" + (" AND ".join(bounds) or "TRUE") + ")")
    combined = "(" + (" OR ".join(parts) or "FALSE") + ")"
    return f"(NOT {combined})" if negated else combined


def _column(name: str) -> Callable[[Context], str]:
    return lambda ctx: name


def _duck_pension(ctx: Context) -> str:
    # Receives a social-security pension other than the scheme being evaluated.
    return f"(NOT list_has_all([{_sql_literal(ctx.scheme_id or 'none')}], pension_list))"


# ------------------------------------------------------------ python


def _age(person: Person, ctx: Context) -> int:
    return rules.age_on(person.member.date_of_birth, ctx.on)


def _receives_pension(person: Person, ctx: Context) -> bool:
    return any(pk != ctx.scheme_pk for pk in person.pensions)


# ---------------------------------------------------------- the words

ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute(
            "age",
            INT,
            _("Age (completed years)"),
            python=_age,
            q=_age_q,
            duck=_column("age"),
            minimum=0,
            maximum=130,
            register_fields=("date_of_birth",),
            correction_field="date_of_birth",
        ),
        Attribute(
            "gender",
            CHOICE,
            _("Gender"),
            python=lambda p, c: p.member.gender,
            q=_field_q("gender"),
            duck=_column("gender"),
            choices=tuple(Gender.values),
            register_fields=("gender",),
            correction_field="gender",
        ),
        Attribute(
            "marital_status",
            CHOICE,
            _("Marital status"),
            python=lambda p, c: p.member.marital_status,
            q=_field_q("marital_status"),
            duck=_column("marital_status"),
            choices=tuple(MaritalStatus.values),
            register_fields=("marital_status",),
            correction_field="marital_status",
        ),
        Attribute(
            "disability_percent",
            INT,
            _("Disability (%)"),
            python=lambda p, c: p.member.disability_percent,
            q=_field_q("disability_percent"),
            duck=_column("disability_percent"),
            minimum=0,
            maximum=100,
            register_fields=("disability_percent",),
            correction_field="disability_percent",
        ),
        Attribute(
            "bpl",
            BOOL,
            _("Below the poverty line (BPL)"),
            python=lambda p, c: p.member.is_bpl,
            q=_bool_q(lambda ctx: Q(is_bpl=True)),
            duck=_column("bpl"),
            register_fields=("is_bpl",),
            correction_field="is_bpl",
            when_true=_("Is below the poverty line (BPL)"),
            when_false=_("Is not below the poverty line (BPL)"),
        ),
        Attribute(
            "govt_employee",
            BOOL,
            _("Is a government employee"),
            python=lambda p, c: p.member.occupation == Occupation.GOVERNMENT_JOB,
            q=_bool_q(lambda ctx: Q(occupation=Occupation.GOVERNMENT_JOB)),
            duck=_column("govt_employee"),
            register_fields=("occupation",),
            correction_field="occupation",
            when_true=_("Is a government employee"),
            when_false=_("Is not a government employee"),
        ),
        Attribute(
            "govt_pensioner",
            BOOL,
            _("Is a government pensioner"),
            python=lambda p, c: p.member.occupation == Occupation.PENSIONER,
            q=_bool_q(lambda ctx: Q(occupation=Occupation.PENSIONER)),
            duck=_column("govt_pensioner"),
            register_fields=("occupation",),
            correction_field="occupation",
            when_true=_("Is a government pensioner"),
            when_false=_("Is not a government pensioner"),
        ),
        Attribute(
            "income_tax_payer",
            BOOL,
            _("Is a registered income-tax payer"),
            python=lambda p, c: p.facts.get("income_tax_payer", False),
            q=_bool_q(_fact_q("income_tax_payer")),
            duck=_column("income_tax_payer"),
            department="social_justice",
            when_true=_("Is a registered income-tax payer"),
            when_false=_("Is not a registered income-tax payer"),
        ),
        Attribute(
            "leprosy",
            BOOL,
            _("Is a certified leprosy patient"),
            python=lambda p, c: p.facts.get("leprosy", False),
            q=_bool_q(_fact_q("leprosy")),
            duck=_column("leprosy"),
            department="health",
            when_true=_("Is a certified leprosy patient"),
            when_false=_("Is not a certified leprosy patient"),
        ),
        Attribute(
            "child_of_the_state",
            BOOL,
            _("Is certified a Child of the State by the Child Welfare Committee"),
            python=lambda p, c: p.facts.get("child_of_the_state", False),
            q=_bool_q(_fact_q("child_of_the_state")),
            duck=_column("child_of_the_state"),
            department="women_child_development",
            when_true=_("Is certified a Child of the State by the Child Welfare Committee"),
            when_false=_("Is not certified a Child of the State by the Child Welfare Committee"),
        ),
        Attribute(
            "receives_social_pension",
            BOOL,
            _("Already receives another social-security pension"),
            python=_receives_pension,
            q=_bool_q(_pension_q),
            duck=_duck_pension,
            department="social_justice",
            when_true=_("Already receives another social-security pension"),
            when_false=_("Does not receive another social-security pension"),
        ),
        Attribute(
            "district",
            CHOICE,
            _("District (LGD code)"),
            python=lambda p, c: p.member.family.district_id,
            q=_field_q("family__district_id"),
            duck=_column("district"),
            choices=DISTRICT_CODES,
            register_fields=("district_id",),
            family_level=True,
            department="revenue",
        ),
        Attribute(
            "family_income",
            INT,
            _("Annual income of the family (₹)"),
            python=lambda p, c: sum(m.annual_income for m in p.family_members),
            q=_family_income_q,
            duck=_column("family_income"),
            minimum=0,
            register_fields=("annual_income",),
            family_level=True,
            department="revenue",
        ),
        Attribute(
            "family_has_govt_pensioner",
            BOOL,
            _("A family member is a government pensioner"),
            python=lambda p, c: any(m.occupation == Occupation.PENSIONER for m in p.family_members),
            q=_bool_q(_family_has((Occupation.PENSIONER,))),
            duck=_column("family_has_govt_pensioner"),
            register_fields=("occupation",),
            family_level=True,
            department="revenue",
            when_true=_("A family member is a government pensioner"),
            when_false=_("No family member is a government pensioner"),
        ),
        Attribute(
            "family_has_govt_employee_or_pensioner",
            BOOL,
            _("A family member is a government employee or pensioner"),
            python=lambda p, c: any(
                m.occupation in (Occupation.GOVERNMENT_JOB, Occupation.PENSIONER) for m in p.family_members
            ),
            q=_bool_q(_family_has((Occupation.GOVERNMENT_JOB, Occupation.PENSIONER))),
            duck=_column("family_has_govt_employee_or_pensioner"),
            register_fields=("occupation",),
            family_level=True,
            department="revenue",
            when_true=_("A family member is a government employee or pensioner"),
            when_false=_("No family member is a government employee or pensioner"),
        ),
    )
}

SPECS: Mapping[str, rules.AttributeSpec] = {name: a.spec for name, a in ATTRIBUTES.items()}


def validate(rule: Any) -> None:
    rules.validate(rule, SPECS)


def to_q(rule: rules.Rule, ctx: Context) -> Q:
    """The rule as a filter on ``Member`` (living members only is the caller's job)."""

    def leaf(attr: str, op: str, value: Any) -> Q:
        return ATTRIBUTES[attr].q(op, value, ctx)

    def all_(parts: Any) -> Q:
        if not parts:
            return ~Q(pk__in=[])  # an empty "all" holds (and its negation must not be an empty Q)
        q = parts[0]
        for part in parts[1:]:
            q &= part
        return q

    def any_(parts: Any) -> Q:
        q = Q(pk__in=[])
        for part in parts:
            q |= part
        return q

    return rules.fold(rule, leaf, all_, any_, lambda q: ~q)


def to_duck(rule: rules.Rule, ctx: Context) -> str:
    """The rule as a DuckDB boolean expression over the ``people`` relation."""

    def leaf(attr: str, op: str, value: Any) -> str:
        if attr == "age":
            return duck_age(op, value, ctx)
        return duck_compare(ATTRIBUTES[attr].duck(ctx), op, value)

    return rules.fold(
        rule,
        leaf,
        lambda parts: "(" + (" AND ".join(parts) or "TRUE") + ")",
        lambda parts: "(" + (" OR ".join(parts) or "FALSE") + ")",
        lambda part: f"(NOT {part})",
    )


def values_for(person: Person, ctx: Context, names: set[str] | None = None) -> dict[str, Any]:
    return {name: a.python(person, ctx) for name, a in ATTRIBUTES.items() if names is None or name in names}

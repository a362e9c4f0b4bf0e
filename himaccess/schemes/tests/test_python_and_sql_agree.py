"""The same rule gives the same answer in Python (one person), in SQL (the ORM) and in DuckDB.

Hypothesis draws random families and random rules over the whole vocabulary,
and random evaluation dates (29 February included). Runs on SQLite by default
and on PostgreSQL when DATABASE_URL points there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaccess.conftest import Personas, mandi_address
from himaccess.lib import rules
from himaccess.registry.actions import families as registry_families
from himaccess.registry.actions import members as registry_members
from himaccess.registry.models import Gender, MaritalStatus, Member, Occupation, Relation, Source
from himaccess.schemes import eligibility, snapshot
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import Enrolment, MemberFact, RuleVersion, Scheme
from himaccess.schemes.vocabulary import ATTRIBUTES, DISTRICT_CODES, Context, to_q, validate

pytestmark = pytest.mark.django_db

ON = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)) | st.sampled_from(
    [date(2024, 2, 29), date(2025, 3, 1), date(2025, 2, 28)]
)


def _value(name: str) -> st.SearchStrategy[Any]:
    attribute = ATTRIBUTES[name]
    if attribute.type == rules.BOOL:
        return st.booleans()
    if attribute.type == rules.CHOICE:
        return st.sampled_from(attribute.choices)
    if name == "age":
        return st.integers(0, 100)
    if name == "disability_percent":
        return st.integers(0, 100)
    return st.sampled_from([0, 1, 50_000, 120_000, 250_000, 400_000])


@st.composite
def comparison(draw: Any) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(ATTRIBUTES)))
    kind = ATTRIBUTES[name].type
    op = draw(st.sampled_from(sorted(rules.OPERATORS_FOR_TYPE[kind])))
    if op == "between":
        low, high = sorted([draw(_value(name)), draw(_value(name))])
        value: Any = [low, high]
    elif op == "in":
        value = draw(st.lists(_value(name), min_size=1, max_size=3))
    else:
        value = draw(_value(name))
    return {"attr": name, "op": op, "value": value}


rule_trees = st.recursive(
    comparison(),
    lambda children: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(children, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(children, max_size=3)),
        st.builds(lambda part: {"not": part}, children),
    ),
    max_leaves=6,
)

person = st.fixed_dictionaries(
    {
        "gender": st.sampled_from(Gender.values),
        "date_of_birth": st.dates(min_value=date(1925, 1, 1), max_value=date(2019, 12, 31))
        | st.sampled_from([date(1964, 2, 29), date(1960, 3, 1), date(1965, 2, 28)]),
        "marital_status": st.sampled_from(MaritalStatus.values),
        "disability_percent": st.sampled_from([0, 39, 40, 69, 70, 80, 100]),
        "occupation": st.sampled_from(
            [Occupation.GOVERNMENT_JOB, Occupation.PENSIONER, Occupation.AGRICULTURE]
        ),
        "annual_income": st.sampled_from([0, 1, 50_000, 120_000]),
        "is_bpl": st.booleans(),
        "facts": st.lists(st.sampled_from(MemberFact.Attribute.values), max_size=3, unique=True),
        "pension": st.booleans(),
    }
)
families = st.lists(st.lists(person, min_size=1, max_size=3), min_size=1, max_size=3)


def _make(
    population: list[list[dict[str, Any]]], scheme: Scheme, other: Scheme, officer: Any
) -> list[Member]:
    made = []
    for family_people in population:
        family = None
        for index, p in enumerate(family_people):
            details = registry_members.NewMember(
                name_en="Test Person",
                gender=p["gender"],
                date_of_birth=p["date_of_birth"],
                relation=Relation.HEAD if index == 0 else Relation.OTHER,
                marital_status=p["marital_status"],
                occupation=p["occupation"],
                disability_percent=p["disability_percent"],
                annual_income=p["annual_income"],
                is_bpl=p["is_bpl"],
            )
            if family is None:
                family = registry_families.register_family(
                    mandi_address(), details, acting_user=None, source=Source.PANCHAYAT
                )
                member = family.head()
            else:
                member = registry_members.record_birth(
                    family, details, acting_user=None, source=Source.PANCHAYAT
                )
            assert member is not None
            if not p["is_bpl"] and member.is_bpl:  # a birth inherits the head's BPL status
                member.is_bpl = False
                member.save(update_fields=["is_bpl"])
            for fact in p["facts"]:
                MemberFact.objects.create(member=member, attribute=fact, value=True, department_id="health")
            if p["pension"]:
                # The data shape under test, not the sanction workflow: the scheme being evaluated
                # must not count as "another" pension, the other one must.
                for pension_scheme in {scheme.pk: scheme, other.pk: other}.values():
                    Enrolment.objects.create(
                        reference=f"T{Enrolment.objects.count():09d}",
                        member=member,
                        scheme=pension_scheme,
                        status=Enrolment.Status.SANCTIONED,
                        filed_by=officer,
                    )
            made.append(member)
    return made


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rule=rule_trees, population=families, on=ON, own_pension_only=st.booleans())
def test_python_orm_and_duckdb_agree(
    personas: Personas,
    tmp_path: Path,
    rule: dict[str, Any],
    population: list[list[dict[str, Any]]],
    on: date,
    own_pension_only: bool,
) -> None:
    validate(rule)
    scheme = Scheme.objects.get(scheme_id="old_age_pension_state")
    other = Scheme.objects.get(scheme_id="ignoaps" if not own_pension_only else "old_age_pension_state")
    Enrolment.objects.all().delete()
    MemberFact.objects.all().delete()
    Member.objects.exclude(
        family__in=[personas.asha_family, personas.karan_family, personas.kangra_family]
    ).update(life_status=Member.LifeStatus.MIGRATED, left_on=date(2020, 1, 1))
    members = _make(population, scheme, other, personas.sunita)
    version = RuleVersion(scheme=scheme, number=99, effective_from=on, rule=rule, bands=[])

    by_python = {
        m.member_id
        for m in members
        if eligibility.assess(eligibility.person_for(m), scheme, version, on).eligible
    }
    ctx = Context(on=on, scheme_pk=scheme.pk, scheme_id=scheme.scheme_id)
    by_sql = set(
        Member.objects.filter(pk__in=[m.pk for m in members], life_status="living")
        .filter(to_q(rule, ctx))
        .values_list("member_id", flat=True)
    )
    assert by_python == by_sql, (rule, connection.vendor)

    path = tmp_path / f"snap-{abs(hash((str(rule), on)))}.parquet"
    snapshot.export_snapshot(path)
    con = snapshot.open_snapshot(path)
    by_duck = snapshot.eligible_ids(con, version, on) & {m.member_id for m in members}
    con.close()
    assert by_python == by_duck, rule


def test_age_boundaries_on_leap_days() -> None:
    born = date(2000, 2, 29)
    assert rules.age_on(born, date(2018, 2, 28)) == 17
    assert rules.age_on(born, date(2018, 3, 1)) == 18
    assert rules.born_by(date(2024, 2, 29), 1) == date(2023, 2, 28)


def test_every_shipped_rule_compiles_for_each_backend(personas: Personas) -> None:
    for version in reevaluation.rules_in_force(date(2025, 6, 1)):
        ctx = Context(on=date(2025, 6, 1), scheme_pk=version.scheme.pk, scheme_id=version.scheme.scheme_id)
        assert isinstance(Member.objects.filter(to_q(version.rule, ctx)).count(), int)
    assert len(reevaluation.rules_in_force(date(2025, 6, 1))) == 12
    assert DISTRICT_CODES[0] == 15

"""``himaccess seed``: a deterministic, realistic synthetic population."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from himaccess.geography.models import District, Village
from himaccess.lib import identifiers
from himaccess.registry.models import Family, IdCounter, Member, RegisterChange
from himaccess.registry.synthetic.idblocks import make_ids
from himaccess.registry.synthetic.population import blocks
from himaccess.registry.synthetic.seeding import SeedError, SeedResult, seed_population

AS_OF = date(2025, 6, 30)
FAMILIES = 3000

pytestmark = pytest.mark.django_db


def _quiet(_: str) -> None:
    pass


def _seed(families: int = FAMILIES, **options: Any) -> SeedResult:
    return seed_population(families=families, as_of=AS_OF, progress=_quiet, **options)


def _snapshot() -> list[tuple[Any, ...]]:
    """The register's content without database keys or timestamps."""
    by_pk = dict(Member.objects.values_list("pk", "member_id"))
    families = dict(Family.objects.values_list("pk", "family_id"))
    fields = [
        f.attname for f in Member._meta.concrete_fields if f.attname not in {"id", "created_at", "updated_at"}
    ]
    rows = []
    for values in Member.objects.order_by("member_id").values_list(*fields):
        row = dict(zip(fields, values, strict=True))
        row["family_id"] = families[row["family_id"]]
        for relative in ("father_id", "mother_id", "spouse_id"):
            row[relative] = by_pk.get(row[relative])
        rows.append(tuple(row.values()))
    rows.extend(
        Family.objects.order_by("family_id").values_list(
            "family_id",
            "district_id",
            "tehsil_id",
            "block_id",
            "urban_body_id",
            "village_id",
            "pincode",
            "area",
        )
    )
    return rows


def _start_afresh() -> None:
    RegisterChange.objects.all().delete()
    Member.objects.update(father=None, mother=None, spouse=None)
    Member.objects.all().delete()
    Family.objects.all().delete()
    IdCounter.start_afresh()


@pytest.fixture
def seeded() -> SeedResult:
    return _seed(seed=3)


def test_vectorised_ids_equal_the_scalar_ones() -> None:
    key = "any-key"
    assert make_ids("M", 987_654, 500, key) == [
        identifiers.make_id("M", n, key) for n in range(987_654, 988_154)
    ]


def test_same_seed_gives_the_same_register_whatever_the_workers() -> None:
    _seed(800, seed=11)
    first = _snapshot()
    _start_afresh()
    _seed(800, seed=11, workers=2, batch_size=1000)
    assert _snapshot() == first
    _start_afresh()
    _seed(800, seed=12)
    assert _snapshot() != first


def test_families_spread_over_districts_by_census_population(seeded: SeedResult) -> None:
    population = dict(District.objects.values_list("lgd_code", "population_2011"))
    total = sum(population.values())
    counts = Counter(Family.objects.values_list("district_id", flat=True))
    assert sum(counts.values()) == FAMILIES
    for code, people in population.items():
        expected = people / total
        tolerance = 4 * (expected * (1 - expected) / FAMILIES) ** 0.5 + 0.005
        assert abs(counts[code] / FAMILIES - expected) < tolerance, code


def test_every_family_has_exactly_one_living_head(seeded: SeedResult) -> None:
    heads = Family.objects.annotate(
        heads=Count("members", filter=Q(members__relation="head", members__life_status="living"))
    )
    assert set(heads.values_list("heads", flat=True)) == {1}


def test_parents_are_at_least_sixteen_years_older_than_their_children(seeded: SeedResult) -> None:
    born = dict(Member.objects.values_list("pk", "date_of_birth"))
    pairs = 0
    for child, father, mother in Member.objects.values_list("pk", "father_id", "mother_id"):
        for parent in (father, mother):
            if parent is not None:
                pairs += 1
                assert (born[child] - born[parent]).days >= 16 * 365, (child, parent)
    assert pairs > FAMILIES


def test_relatives_are_members_of_the_same_family(seeded: SeedResult) -> None:
    family_of = dict(Member.objects.values_list("pk", "family_id"))
    for pk, father, mother, spouse in Member.objects.values_list("pk", "father_id", "mother_id", "spouse_id"):
        for relative in (father, mother, spouse):
            assert relative is None or family_of[relative] == family_of[pk]


def test_every_pincode_belongs_to_the_family_district(seeded: SeedResult) -> None:
    pincodes = set(Village.objects.values_list("district_id", "pincode"))
    for district, pincode, area, urban_body in Family.objects.values_list(
        "district_id", "pincode", "area", "urban_body_id"
    ):
        assert (district, pincode) in pincodes
        assert (area == "urban") == (urban_body is not None)


def test_no_date_lies_after_the_reference_date(seeded: SeedResult) -> None:
    assert not Member.objects.filter(
        Q(date_of_birth__gt=AS_OF) | Q(died_on__gt=AS_OF) | Q(left_on__gt=AS_OF)
    ).exists()
    assert Member.objects.filter(life_status="dead", died_on__isnull=False).exists()
    assert Member.objects.filter(life_status="migrated", left_on__isnull=False).exists()


def test_population_shares_are_close_to_the_census(seeded: SeedResult) -> None:
    members = Member.objects.count()
    assert 3.6 < members / FAMILIES < 4.3
    heads = Member.objects.filter(relation="head")
    share = {c: heads.filter(social_category=c).count() / FAMILIES for c in ("sc", "st", "obc")}
    assert 0.21 < share["sc"] < 0.30
    assert 0.03 < share["st"] < 0.09
    assert 0.10 < share["obc"] < 0.17
    assert 0.08 < heads.filter(is_bpl=True).count() / FAMILIES < 0.17
    assert 0.07 < Family.objects.filter(area="urban").count() / FAMILIES < 0.13
    females = Member.objects.filter(gender="F").count()
    assert 0.85 < females / (members - females) < 1.05
    assert 0.012 < Member.objects.filter(disability_percent__gt=0).count() / members < 0.04
    assert not Member.objects.filter(disability_percent__gt=0, disability_percent__lt=40).exists()
    older_women = Member.objects.filter(gender="F", date_of_birth__lte=date(AS_OF.year - 60, AS_OF.month, 1))
    assert 0.2 < older_women.filter(marital_status="widowed").count() / older_women.count() < 0.6
    assert Member.objects.filter(ekyc_status="verified").count() / members > 0.7


def test_contact_and_bank_details_are_well_formed(seeded: SeedResult) -> None:
    for mobile, account, ifsc in Member.objects.values_list("mobile", "bank_account", "bank_ifsc"):
        assert mobile == "" or (len(mobile) == 10 and mobile.isdigit() and mobile[0] in "6789")
        assert bool(account) == bool(ifsc)
        if ifsc:
            assert len(ifsc) == 11 and ifsc[:4].isalpha() and ifsc[4] == "0" and ifsc[5:].isalnum()
    shared = Member.objects.values("family_id", "mobile").exclude(mobile="").annotate(n=Count("id"))
    assert shared.filter(n__gt=1).exists()


def test_a_few_percent_of_records_are_messy_and_only_those_lack_a_script(seeded: SeedResult) -> None:
    messy: dict[str, str] = {}
    for block in blocks(seeded.context, seeded.offsets):
        messy.update(block.messy)
    names = dict((m, (en, hi)) for m, en, hi in Member.objects.values_list("member_id", "name_en", "name_hi"))
    assert 0.02 < len(messy) / len(names) < 0.04
    assert set(messy.values()) == {
        "missing_hindi",
        "missing_english",
        "typo",
        "variant_latin",
        "variant_devanagari",
    }
    for member_id, (name_en, name_hi) in names.items():
        kind = messy.get(member_id)
        assert bool(name_en) == (kind != "missing_english"), member_id
        assert bool(name_hi) == (kind != "missing_hindi"), member_id


def test_every_member_has_phonetic_keys_from_its_names(seeded: SeedResult) -> None:
    assert not Member.objects.exclude(name_en="", name_hi="").filter(given_key="").exists()


def test_every_seeded_family_has_a_synthetic_creation_row(seeded: SeedResult) -> None:
    rows = RegisterChange.objects.filter(action="family.created", source="synthetic")
    assert rows.count() == FAMILIES
    assert rows.values("family_id").distinct().count() == FAMILIES


def test_a_second_seed_adds_to_the_register_without_clashes(seeded: SeedResult) -> None:
    before = Member.objects.count()
    again = _seed(500, seed=3)
    assert Family.objects.count() == FAMILIES + 500
    assert Member.objects.count() == before + again.members
    assert Member.objects.values("member_id").distinct().count() == before + again.members


def test_command_seeds_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed", "--families", "50", "--seed", "5", "--as-of", "2025-01-01")
    assert Family.objects.count() == 50
    assert "Families written: 50 in" in capsys.readouterr().err


def test_focus_gives_a_tehsil_its_share_of_a_small_population() -> None:
    """Spread by population Mandi tehsil gets a family or two of 400; a focus of 30 % gives it about 120."""
    _seed(400, seed=3, focus={133: 0.3})
    in_tehsil = Family.objects.filter(tehsil_id=133).count()
    assert 90 <= in_tehsil <= 150
    assert Family.objects.exclude(tehsil__district_id=F("district_id")).count() == 0
    assert Family.objects.values("district").distinct().count() > 5  # the rest still spread over the State


@pytest.mark.parametrize(
    ("focus", "reason"),
    [
        ({99999: 0.1}, "no tehsil with LGD code 99999"),
        ({133: 0.6, 100: 0.5}, "less than 1"),
        ({133: 0}, "between"),
    ],
)
def test_focus_on_an_unknown_tehsil_or_an_impossible_share_is_refused(
    focus: dict[int, float], reason: str
) -> None:
    with pytest.raises(SeedError, match=reason):
        _seed(20, focus=focus)
    assert not Family.objects.exists()


def test_command_takes_focus_as_tehsil_and_share() -> None:
    call_command("seed", "--families", "60", "--focus", "133=0.5", "--as-of", "2025-01-01")
    assert Family.objects.filter(tehsil_id=133).count() >= 20
    with pytest.raises((CommandError, SystemExit)):
        call_command("seed", "--families", "5", "--focus", "133")


@pytest.mark.parametrize(
    "arguments",
    [
        ["--families", "0"],
        ["--families", "many"],
        ["--families", "5", "--workers", "0"],
        ["--families", "5", "--as-of", "2025-02-30"],
    ],
)
def test_command_refuses_bad_arguments(arguments: list[str]) -> None:
    with pytest.raises((CommandError, SystemExit)):
        call_command("seed", *arguments)
    assert not Family.objects.exists()


def test_command_refuses_a_reference_date_in_the_future() -> None:
    with pytest.raises(CommandError, match="future"):
        call_command("seed", "--families", "5", "--as-of", "2999-01-01")
    assert not Family.objects.exists()


def test_seed_refuses_without_geography() -> None:
    Village.objects.all().delete()
    with pytest.raises(SeedError, match="geography"):
        _seed(5)
    assert not Family.objects.exists()

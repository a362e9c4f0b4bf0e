"""``himaccess linkage run``: the model trained on the register finds a person entered twice."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from io import StringIO
from typing import Any

from django.core.management import call_command

from himaccess.conftest import Personas, mandi_address
from himaccess.linkage import actions
from himaccess.linkage import model as linkage_model
from himaccess.linkage.models import CandidatePair, TrainedModel
from himaccess.registry.actions import families as registry_families
from himaccess.registry.actions import members
from himaccess.registry.models import Gender, Member, Relation, Source
from himaccess.registry.synthetic.seeding import seed_population


def test_batch_run_trains_on_the_register_and_queues_the_duplicate(personas: Personas, db: Any) -> None:
    seed_population(families=400, as_of=date(2026, 12, 1), progress=lambda _: None, workers=1)
    registry_families.register_family(
        mandi_address(house="90"),
        members.NewMember(
            name_en="",
            name_hi="करण ठाकुर",  # Karan again, in Hindi only, in another family
            gender=Gender.MALE,
            date_of_birth=date(1985, 1, 20),
            relation=Relation.HEAD,
            mobile="9816000003",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    out = StringIO()
    call_command("linkage", "run", stdout=out)
    trained = TrainedModel.objects.get()
    assert trained.records == Member.objects.living().count()
    karan = personas.member(personas.karan)
    pair = CandidatePair.objects.get(origin=CandidatePair.Origin.BATCH, member_l=karan)
    assert pair.match_probability >= trained.threshold
    assert '"queued"' in out.getvalue()
    # A second run queues nothing twice.
    call_command("linkage", "run", stdout=StringIO())
    assert CandidatePair.objects.filter(member_l=karan).count() == 1


def test_the_export_reads_every_living_member_as_the_check_does(personas: Personas, db: Any) -> None:
    seed_population(families=60, as_of=date(2026, 12, 1), progress=lambda _: None, workers=1)
    karan = personas.member(personas.karan)
    karan.life_status, karan.died_on = Member.LifeStatus.DEAD, date(2026, 11, 30)
    karan.save(update_fields=["life_status", "died_on"])
    living = Member.objects.living().select_related("family", "father", "spouse").order_by("pk")
    expected = [actions.member_record(m) for m in living]
    # A small chunk: the export's key ranges meet and end where they should.
    exported = list(actions.living_records(chunk=7))
    assert exported == expected
    assert karan.member_id not in {record.unique_id for record in exported}
    assert any(record.father_ref for record in exported) and any(record.spouse_ref for record in exported)


def test_batch_evidence_is_what_the_check_shows_for_the_pair(personas: Personas, db: Any) -> None:
    seed_population(families=400, as_of=date(2026, 12, 1), progress=lambda _: None, workers=1)
    registry_families.register_family(
        mandi_address(house="91"),
        members.NewMember(
            name_en="Karan Thakur",
            gender=Gender.MALE,
            date_of_birth=date(1985, 1, 20),
            relation=Relation.HEAD,
            mobile="9816000003",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    figures = actions.run_over_register(progress=lambda _: None)
    assert figures["queued"] >= 1 and {"export_s", "train_s", "predict_s", "queue_s"} <= set(figures)
    trained = TrainedModel.objects.get()
    for pair in CandidatePair.objects.select_related("member_l", "member_r"):
        left, right = (
            actions.member_record(Member.objects.select_related("family", "father", "spouse").get(pk=pk))
            for pk in (pair.member_l_id, pair.member_r_id)
        )
        score = linkage_model.score_pairs(left, [right], trained.model)[0]
        assert pair.evidence == [asdict(e) for e in score.evidence]
        assert pair.reference.startswith("D")
    assert CandidatePair.objects.values("reference").distinct().count() == CandidatePair.objects.count()

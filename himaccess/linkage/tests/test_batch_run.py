"""``himaccess linkage run``: the model trained on the register finds a person entered twice."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

from django.core.management import call_command

from himaccess.conftest import Personas, mandi_address
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

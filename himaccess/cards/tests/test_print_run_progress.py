"""``himaccess print_cards`` says how far a district's print run has got."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command

from himaccess.conftest import Personas
from himaccess.registry.models import Family


def test_print_run_reports_families_printed_and_the_cards_written(personas: Personas, tmp_path: Path) -> None:
    district = personas.asha_family.district_id
    families = Family.objects.active().filter(district_id=district).count()
    out, err = io.StringIO(), io.StringIO()
    call_command("print_cards", district=district, out=tmp_path, workers=1, chunk=1, stdout=out, stderr=err)
    assert err.getvalue().startswith(f"Families printed: {families:,} families in ")
    assert "\r" not in err.getvalue()  # not a terminal: no redrawn bar
    assert f"{families} cards in " in out.getvalue()
    assert len(list(tmp_path.glob(f"{district}-*.pdf"))) == families


def test_a_trial_run_counts_only_the_families_it_prints(personas: Personas, tmp_path: Path) -> None:
    err = io.StringIO()
    call_command(
        "print_cards", district=personas.asha_family.district_id, out=tmp_path, workers=1, limit=1,
        stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    assert err.getvalue().startswith("Families printed: 1 families in ")

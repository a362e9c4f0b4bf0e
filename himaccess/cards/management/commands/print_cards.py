"""``himaccess print_cards --district <LGD code> --out DIR``: a district's print run, streamed to disk.

Families are read in chunks; each chunk's cards are issued (or reused), and
rendered by worker processes into one PDF of print sheets (ten ID-1 cards per
A4 page) while the next chunk is prepared. At most two chunks per worker are
in flight, so memory stays flat however large the district is.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Prefetch
from django.utils import timezone

from himaccess.cards import actions
from himaccess.cards.models import Card, family_address, member_face
from himaccess.cards.pdf import CardFace, write_card_sheets
from himaccess.geography.models import District
from himaccess.lib.progress import Progress
from himaccess.registry.models import Family, Member


def render_chunk(path: str, faces: list[CardFace]) -> int:
    with open(path, "wb") as out:
        return write_card_sheets(out, faces)


def _faces(cards: list[Card]) -> list[CardFace]:
    faces = []
    for card in cards:
        family = card.family
        living = [member_face(m) for m in family.members.all()] if card.kind == Card.Kind.FAMILY else []
        faces.append(
            CardFace(
                qr_text=card.qr_text,
                issued_on=timezone.localdate(card.issued_at),
                expires_on=card.expires_on,
                family_id=family.family_id,
                address_en=family_address(family, "en"),
                address_hi=family_address(family, "hi"),
                member=member_face(card.member) if card.member is not None else None,
                members=living,
            )
        )
    return faces


class Command(BaseCommand):
    help = "Issue and render the cards of every active family in a district, as print sheets in DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", type=int, required=True, help="LGD code of the district")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--members", action="store_true", help="member cards too, after each family card")
        parser.add_argument("--chunk", type=int, default=500, help="families per output file")
        parser.add_argument("--workers", type=int, default=2, help="rendering processes")
        parser.add_argument("--limit", type=int, default=0, help="stop after this many families (trial runs)")

    def _chunks(self, district: District, size: int, limit: int) -> Iterator[list[Family]]:
        living = Prefetch("members", queryset=Member.objects.living().order_by("date_of_birth", "pk"))
        families = (
            Family.objects.active()
            .filter(district=district)
            .select_related("district", "tehsil", "village", "panchayat", "urban_body")
            .order_by("pk")
        )
        last_pk, seen = 0, 0
        while True:
            # Keyset pagination: each chunk is a fresh query, nothing accumulates.
            batch = list(families.filter(pk__gt=last_pk).prefetch_related(living)[:size])
            if limit:
                batch = batch[: max(0, limit - seen)]
            if not batch:
                return
            seen += len(batch)
            last_pk = batch[-1].pk
            yield batch

    def handle(self, *args: Any, **options: Any) -> None:
        district = District.objects.filter(pk=options["district"]).first()
        if district is None:
            raise CommandError(f"no district with LGD code {options['district']}")
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        families = Family.objects.active().filter(district=district).count()
        if options["limit"]:
            families = min(families, options["limit"])
        total = 0
        # Each chunk's rendering, with how many families it holds: the bar moves as a file is written.
        pending: list[tuple[Future[int], int]] = []
        with (
            ProcessPoolExecutor(max_workers=max(1, options["workers"])) as pool,
            Progress("Families printed", families, stream=self.stderr, unit="families") as progress,
        ):
            for number, chunk in enumerate(
                self._chunks(district, options["chunk"], options["limit"]), start=1
            ):
                cards = actions.issue_for_print_run(
                    chunk, with_members=options["members"], acting_user=None, district_code=district.pk
                )
                path = out / f"{district.pk}-{number:05d}.pdf"
                pending.append((pool.submit(render_chunk, str(path), _faces(cards)), len(chunk)))
                while len(pending) >= 2 * options["workers"]:
                    future, size = pending.pop(0)
                    total += future.result()
                    progress.advance(size)
            for future, size in pending:
                total += future.result()
                progress.advance(size)
        self.stdout.write(f"{total} cards in {time.perf_counter() - started:.1f} s into {out}")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from himaccess.applications.actions import drafts as applications_drafts


class Command(BaseCommand):
    help = (
        "Delete service application drafts older than SERVICES_DRAFT_DAYS, with the uploaded files "
        "only they held (also run daily by Celery beat)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = applications_drafts.sweep_abandoned_drafts()
        self.stdout.write(f"{swept.drafts} drafts and {swept.documents} uploaded documents deleted")

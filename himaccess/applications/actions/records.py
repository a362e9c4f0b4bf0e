"""What every use case of an application writes or needs: numbers, steps, notices, the row lock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from himaccess.accounts.language import language_for
from himaccess.accounts.models import User
from himaccess.applications.models import (
    Application,
    Step,
)
from himaccess.lib import identifiers, links
from himaccess.notifications import sms
from himaccess.registry.models import IdCounter


def new_number(prefix: str) -> str:
    return identifiers.make_id(prefix, IdCounter.reserve(prefix), settings.REGISTER_ID_KEY)


def draft_days() -> int:
    return int(getattr(settings, "SERVICES_DRAFT_DAYS", 30))


def status_url(application: Application) -> str:
    return links.absolute(reverse("applications:detail", args=[application.number]))


def _notify(application: Application, template: str, *, reader: User | None = None, **params: Any) -> None:
    """Text the member (or their family's head) about ``application``.

    ``reader``: the user acting, if already loaded; the language is read from it when it is the
    login of the number texted.
    """
    mobile = application.member.contact_mobile()
    if mobile:
        sms.send(
            mobile,
            template,
            {"number": application.number, "url": status_url(application), **params},
            language=language_for(mobile, user=reader),
        )


def _roles(application: Application) -> str:
    version = application.service_version
    roles = [stage["role"] for stage in version.stages]
    roles += [appeal["role"] for level in (1, 2) if (appeal := version.appeal(level))]
    return "|" + "|".join(dict.fromkeys(roles)) + "|"


def _step(
    application: Application,
    action: str,
    *,
    actor: User | None,
    from_status: str,
    from_stage: str,
    reason: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Step:
    posting = actor.active_posting if actor is not None else None
    return Step.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        from_stage=from_stage,
        to_stage=application.stage,
        actor=actor,
        actor_role=posting.role if posting else "",
        reason=reason,
        note=note,
        at=at or timezone.now(),
    )


def _lock(application: Application) -> Application:
    # Only the application's row, and without the key lock: a FOR UPDATE on the service's version,
    # the member or the family would hold every other transaction that writes a row pointing at
    # them until this one ends (PostgreSQL checks each new reference at commit).
    return (
        Application.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service_version", "member", "family")
        .get(pk=application.pk)
    )

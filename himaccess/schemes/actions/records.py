"""What the scheme use cases share: today's date, who may act, an enrolment's status step, the SMS."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from himaccess.accounts.language import language_for
from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.lib import links, transitions
from himaccess.notifications import sms
from himaccess.registry.models import Family, Member
from himaccess.schemes.models import (
    Enrolment,
    EnrolmentStep,
    Scheme,
)


def today() -> date:
    return timezone.localdate()


def _notify(member: Member, template: str, scheme: Scheme, **params: Any) -> None:
    mobile = member.contact_mobile()
    if not mobile:
        return
    language = language_for(mobile)
    with override(language):
        values = {"name": member.name_in(language), "scheme": scheme.name_in(language), **params}
    values.setdefault("url", links.absolute(reverse("schemes:family", args=[member.family.family_id])))
    sms.send(mobile, template, values, language=language)


def citizen_may_act_for(user: User, member: Member) -> bool:
    return (
        Family.objects.visible_to(user).filter(pk=member.family_id).exists() and user.active_posting is None
    )


def can_officiate(user: User, enrolment: Enrolment) -> bool:
    return Enrolment.objects.for_officer(user).filter(pk=enrolment.pk).exists()


def _move(enrolment: Enrolment, to_status: str, *, acting_user: User | None, note: str) -> Enrolment:
    locked = transitions.lock(enrolment)
    transitions.move(
        locked,
        to_status,
        transitions=Enrolment.TRANSITIONS,
        refused=lambda: ValidationError(
            _("This enrolment has already been decided."), code="already_decided"
        ),
        changes={"decided_by": acting_user, "decided_at": timezone.now()},
        step=lambda previous: EnrolmentStep.objects.create(
            enrolment=locked, from_status=previous, to_status=to_status, actor=acting_user, note=note
        ),
        audit=lambda previous: audit.record(
            acting_user, f"scheme.enrolment_{to_status}", locked, after={"note": note}
        ),
    )
    return locked

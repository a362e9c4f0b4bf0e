"""Step 1: filing a change request, with every family it touches and the consents it needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.events.bus import emit
from himaccess.lib import identifiers
from himaccess.lib.errors import NotFoundForYou
from himaccess.registry.access import is_head_of
from himaccess.registry.change_requests.access import CONSENT_KINDS, Kind, PartyRole, can_file_for, source_for
from himaccess.registry.change_requests.notices import _tell
from himaccess.registry.change_requests.records import _decide_for_party
from himaccess.registry.forms import FORMS, ChangeForm
from himaccess.registry.models import (
    ChangeRequest,
    ChangeRequestParty,
    ChangeRequestStep,
    Family,
    IdCounter,
    Member,
    PartyDecision,
)


def validated_form(kind: str, payload: dict[str, Any], family: Family) -> ChangeForm:
    """The kind's form over a payload, against the family as it is now; its errors raised as they are."""
    form = FORMS[kind](data=payload, family=family)
    if not form.is_valid():
        raise ValidationError(
            {
                name: [ValidationError(str(message)) for message in messages]
                for name, messages in form.errors.items()
            }
        )
    return form


def _other_families(kind: str, form: ChangeForm) -> list[tuple[Family, str]]:
    data = form.cleaned_data
    if kind == Kind.MARRIAGE_OUT:
        return [(Family.objects.get(family_id=data["to_family_id"]), PartyRole.RECEIVING)]
    if kind == Kind.MERGE:
        return [(Family.objects.get(family_id=data["other_family_id"]), PartyRole.JOINING)]
    if kind == Kind.MARRIAGE_IN and data.get("from_member_id"):
        member = Member.objects.select_related("family").get(member_id=data["from_member_id"])
        return [(member.family, PartyRole.GIVING)]
    return []


def _need_a_head(family: Family) -> None:
    head = family.head()
    if head is None or not head.mobile:
        raise ValidationError(
            _(
                "The family %(family)s has no head with a mobile number on the register to give "
                "consent. Its head should first have the number recorded by the panchayat secretary."
            ),
            params={"family": family.display_id},
            code="no_head_to_consent",
        )


@transaction.atomic
def file_change_request(
    family: Family,
    kind: str,
    payload: dict[str, Any],
    *,
    requested_by: User,
    member: Member | None = None,
) -> ChangeRequest:
    if not can_file_for(requested_by, family):
        raise NotFoundForYou
    if family.status != Family.Status.ACTIVE:
        raise ValidationError(_("This family is no longer active in the register."), code="family_inactive")
    form = validated_form(kind, payload, family)
    others = _other_families(kind, form)
    consent_required = kind in CONSENT_KINDS
    if consent_required:
        for concerned in [family, *(other for other, _role in others)]:
            _need_a_head(concerned)
    reference = identifiers.make_id("R", IdCounter.reserve("R"), settings.REGISTER_ID_KEY)
    request = ChangeRequest.objects.create(
        reference=reference,
        family=family,
        member=member,
        other_family=others[0][0] if others else None,
        kind=kind,
        payload=payload,
        source=source_for(requested_by),
        requested_by=requested_by,
    )
    parties = [
        ChangeRequestParty.objects.create(
            change_request=request, family=family, role=PartyRole.FILING, consent_required=consent_required
        )
    ]
    parties += [
        ChangeRequestParty.objects.create(
            change_request=request, family=other, role=role, consent_required=consent_required
        )
        for other, role in others
    ]
    ChangeRequestStep.objects.create(change_request=request, to_status=request.status, actor=requested_by)
    audit.record(
        requested_by,
        "change_request.filed",
        request,
        after={"kind": kind, "families": [p.family.family_id for p in parties]},
        source=request.source,
    )
    filed_by_head = consent_required and is_head_of(requested_by, family)
    if filed_by_head:
        # The head filing for their own family is that family's consent.
        _decide_for_party(
            parties[0], PartyDecision.Kind.CONSENTED, requested_by, PartyDecision.Channel.FILED_BY_HEAD
        )
    for party in parties:
        if consent_required and not (party.role == PartyRole.FILING and filed_by_head):
            _tell(party.family, "change_request_consent_needed", request)
        elif party.role == PartyRole.FILING:
            _tell(party.family, "change_request_received", request)
    emit("change_request.filed", family_id=family.family_id, reference=reference, kind=kind)
    return request

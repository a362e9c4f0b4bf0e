"""Change requests: what a family (or its panchayat secretary) asks the register to record.

One straight path, in the order things happen:

1. ``file_change_request`` re-validates the payload with the kind's form,
   works out every family the request touches (``ChangeRequestParty``), and
   asks each family whose people move (or whose head changes) for its
   head's consent by SMS.
2. ``answer_for_family``: the head of each such family agrees or refuses on
   their own page, confirmed by a code sent to the head's number on the
   register. A refusal ends the request.
3. ``approve_change_request``: once every consent is in, an official
   approves for the families inside their jurisdiction. When every family
   touched has an approval (one official covering all, or one from each
   jurisdiction), the request is applied through the register's actions and
   each family is told by SMS.

Until then nothing moves, so nothing of another family becomes visible to
whoever filed the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import REGISTER_APPROVERS, Role, User
from himaccess.audit import log as audit
from himaccess.events.bus import emit
from himaccess.lib import identifiers, links
from himaccess.notifications import sms
from himaccess.registry import actions
from himaccess.registry.access import is_head_of
from himaccess.registry.actions import Conflict
from himaccess.registry.forms import FORMS, ChangeForm
from himaccess.registry.models import (
    ChangeRequest,
    ChangeRequestParty,
    ChangeRequestStep,
    Family,
    IdCounter,
    Member,
    PartyDecision,
    Source,
)

Kind = ChangeRequest.Kind
PartyRole = ChangeRequestParty.Role
# Requests that move people into, out of or between families: each family concerned must agree.
# A change of head is the family's decision too: the present head agrees to hand over.
CONSENT_KINDS = frozenset({Kind.MARRIAGE_IN, Kind.MARRIAGE_OUT, Kind.SPLIT, Kind.MERGE, Kind.CHANGE_HEAD})
# The wording of the consent screen a head agrees to; change it whenever that text changes.
CONSENT_TEXT_VERSION = "consent-2026-12"

# ------------------------------------------------------------------ who may


def can_file_for(user: User, family: Family) -> bool:
    """The family itself, or a panchayat secretary (or approver) of its jurisdiction."""
    if not Family.objects.visible_to(user).filter(pk=family.pk).exists():
        return False
    posting = user.active_posting
    return posting is None or posting.role in REGISTER_APPROVERS


def source_for(user: User) -> str:
    posting = user.active_posting
    if posting is None:
        return Source.SELF_DECLARED
    return Source.PANCHAYAT if posting.role == Role.PANCHAYAT_SECRETARY else Source.OFFICIAL


def parties_in_scope(user: User, request: ChangeRequest) -> list[ChangeRequestParty]:
    """The families of the request inside the jurisdiction of an approver who did not file it."""
    posting = user.active_posting
    if posting is None or posting.role not in REGISTER_APPROVERS or request.requested_by_id == user.pk:
        return []  # whoever files a request does not approve it
    visible = set(
        Family.objects.visible_to(user)
        .filter(pk__in=request.parties.values("family"))
        .values_list("pk", flat=True)
    )
    return [party for party in request.parties.select_related("family") if party.family_id in visible]


def _awaiting_approval(parties: list[ChangeRequestParty]) -> list[ChangeRequestParty]:
    return [p for p in parties if not p.decisions.filter(kind=PartyDecision.Kind.APPROVED).exists()]


def can_decide(user: User, request: ChangeRequest) -> bool:
    """Whether the user may approve or reject the request now, for a family of their jurisdiction."""
    return request.status == ChangeRequest.Status.PENDING and bool(
        _awaiting_approval(parties_in_scope(user, request))
    )


def awaiting_consent(request: ChangeRequest) -> list[ChangeRequestParty]:
    return [
        party
        for party in request.parties.select_related("family")
        if party.consent_required and not party.decisions.filter(kind=PartyDecision.Kind.CONSENTED).exists()
    ]


def party_for_head(user: User, request: ChangeRequest) -> ChangeRequestParty | None:
    """The family of the request whose head this citizen is, if it still awaits their answer."""
    for party in awaiting_consent(request):
        if is_head_of(user, party.family):
            return party
    return None


# ------------------------------------------------------------------ filing


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
        raise PermissionDenied
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


# ------------------------------------------------------------------ consent


def _decide_for_party(
    party: ChangeRequestParty, kind: str, actor: User, channel: str, *, head: Member | None = None
) -> PartyDecision:
    decision = PartyDecision.objects.create(
        party=party,
        kind=kind,
        channel=channel,
        actor=actor,
        head=head or (party.family.head() if channel != PartyDecision.Channel.OFFICIAL else None),
        mobile_last_digits=actor.mobile[-4:] if channel != PartyDecision.Channel.OFFICIAL else "",
        text_version=CONSENT_TEXT_VERSION if channel != PartyDecision.Channel.OFFICIAL else "",
    )
    audit.record(
        actor,
        f"change_request.{kind}",
        party.change_request,
        after={"family": party.family.family_id, "channel": channel},
        source=source_for(actor),
    )
    return decision


def _lock_pending(request: ChangeRequest) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ChangeRequest.Status.PENDING:
        raise Conflict(_("This request has already been decided."))
    return locked


@transaction.atomic
def answer_for_family(request: ChangeRequest, *, agree: bool, acting_user: User) -> ChangeRequest:
    """The head of a family the request touches agrees or refuses (the caller checked a fresh code)."""
    locked = _lock_pending(request)
    party = party_for_head(acting_user, locked)
    if party is None:
        raise PermissionDenied
    if party.decisions.filter(kind=PartyDecision.Kind.REFUSED).exists():
        raise Conflict(_("This request has already been decided."))
    kind = PartyDecision.Kind.CONSENTED if agree else PartyDecision.Kind.REFUSED
    _decide_for_party(party, kind, acting_user, PartyDecision.Channel.OTP)
    if not agree:
        note = _("The head of family %(family)s did not agree.") % {"family": party.family.display_id}
        _transition(locked, ChangeRequest.Status.REJECTED, acting_user=acting_user, note=note)
        _tell(locked.family, "change_request_decided", locked)
    return locked


# ------------------------------------------------------------------ deciding


def _transition(request: ChangeRequest, to_status: str, *, acting_user: User, note: str) -> ChangeRequest:
    if not request.can_move_to(to_status):
        raise Conflict(_("This request has already been decided."))
    previous = request.status
    request.status = to_status
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.reason = note
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    ChangeRequestStep.objects.create(
        change_request=request, from_status=previous, to_status=to_status, actor=acting_user, note=note
    )
    audit.record(
        acting_user,
        f"change_request.{to_status}",
        request,
        after={"reason": note},
        source=source_for(acting_user),
    )
    emit(
        "change_request.decided",
        family_id=request.family.family_id,
        reference=request.reference,
        status=to_status,
    )
    return request


@transaction.atomic
def approve_change_request(request: ChangeRequest, *, acting_user: User, note: str = "") -> ChangeRequest:
    """Approve for the families in the official's jurisdiction; apply once every family is approved."""
    if not parties_in_scope(acting_user, request):
        raise PermissionDenied
    locked = _lock_pending(request)
    mine = _awaiting_approval(parties_in_scope(acting_user, locked))
    if not mine:
        raise Conflict(
            _(
                "You have approved this request for your area; "
                "it awaits an official of the other family's area."
            )
        )
    waiting = awaiting_consent(locked)
    if waiting:
        raise ValidationError(
            _("The head of family %(families)s has not yet agreed to this request."),
            params={"families": ", ".join(p.family.display_id for p in waiting)},
            code="awaiting_consent",
        )
    for party in mine:
        _decide_for_party(party, PartyDecision.Kind.APPROVED, acting_user, PartyDecision.Channel.OFFICIAL)
    if locked.parties.exclude(decisions__kind=PartyDecision.Kind.APPROVED).exists():
        return locked  # another jurisdiction's official still has to approve
    _transition(locked, ChangeRequest.Status.APPROVED, acting_user=acting_user, note=note)
    form = validated_form(locked.kind, locked.payload, locked.family)
    APPLIERS[locked.kind](locked, form, acting_user)
    for party in locked.parties.select_related("family"):
        _tell(party.family, "change_request_applied", locked)
    return locked


@transaction.atomic
def reject_change_request(request: ChangeRequest, *, reason: str, acting_user: User) -> ChangeRequest:
    if not parties_in_scope(acting_user, request):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for rejecting."), code="reason_required")}
        )
    locked = _lock_pending(request)
    _transition(locked, ChangeRequest.Status.REJECTED, acting_user=acting_user, note=reason.strip())
    _tell(locked.family, "change_request_decided", locked)
    return locked


@transaction.atomic
def withdraw_change_request(request: ChangeRequest, *, acting_user: User) -> ChangeRequest:
    if request.requested_by_id != acting_user.pk:
        raise PermissionDenied
    locked = _lock_pending(request)
    return _transition(locked, ChangeRequest.Status.WITHDRAWN, acting_user=acting_user, note="")


# ------------------------------------------------------------------ telling families


def _tell(family: Family, template: str, request: ChangeRequest) -> None:
    """SMS the family's head on the register (sent after commit, like every SMS)."""
    mobile = family.head_mobile()
    if not mobile:
        return
    url = links.absolute(reverse("registry:change_request", kwargs={"reference": request.reference}))
    sms.send(
        mobile,
        template,
        {"reference": identifiers.display(request.reference), "family_id": family.display_id, "url": url},
    )


# ------------------------------------------------------------------ applying


def _person(form: ChangeForm, relation: str) -> actions.NewMember:
    data = form.cleaned_data
    return actions.NewMember(
        name_en=data.get("name_en", ""),
        name_hi=data.get("name_hi", ""),
        gender=data["gender"],
        date_of_birth=data["date_of_birth"],
        relation=relation,
        father=form.member("father") if "father" in form.fields else None,
        mother=form.member("mother") if "mother" in form.fields else None,
    )


def _common(request: ChangeRequest, acting_user: User) -> dict[str, Any]:
    return {"acting_user": acting_user, "source": request.source, "change_request": request}


def _subject(form: ChangeForm) -> Member:
    member = form.subject()
    if member is None:
        raise ValidationError({"member_id": ValidationError(_("Choose the member."), code="required")})
    return member


def _party_family(request: ChangeRequest, role: str) -> Family:
    """The other family as recorded when the request was filed (never re-read from the payload)."""
    return request.parties.get(role=role).family


def _birth(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    actions.record_birth(
        request.family, _person(form, form.cleaned_data["relation"]), **_common(request, user)
    )


def _marriage_in(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    existing = None
    if data.get("from_member_id"):
        # The family that agreed to let this person go must still be theirs.
        existing = (
            _party_family(request, PartyRole.GIVING)
            .members.living()
            .filter(member_id=data["from_member_id"])
            .first()
        )
        if existing is None:
            raise ValidationError(
                _(
                    "The person has left the family that agreed to this request since it was filed; "
                    "reject it and file a new one."
                ),
                code="left_giving_family",
            )
    actions.record_marriage_in(
        request.family,
        None if existing else _person(form, data["relation"]),
        spouse=form.member("spouse"),
        existing=existing,
        relation=data["relation"],
        **_common(request, user),
    )


def _death(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    member = _subject(form)
    new_head = actions.require_new_head(member, form.cleaned_data.get("new_head_member_id"))
    actions.record_death(member, on=form.cleaned_data["date"], new_head=new_head, **_common(request, user))


def _migration(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    member = _subject(form)
    new_head = actions.require_new_head(member, form.cleaned_data.get("new_head_member_id"))
    actions.record_migration(
        member, on=form.cleaned_data["date"], new_head=new_head, **_common(request, user)
    )


def _marriage_out(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    actions.record_marriage_out(
        _subject(form),
        _party_family(request, PartyRole.RECEIVING),
        relation=form.cleaned_data["relation"],
        **_common(request, user),
    )


def _split(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    leaving = list(request.family.members.filter(member_id__in=data["member_ids"]))
    new_head = next(m for m in leaving if m.member_id == data["new_head_member_id"])
    address = actions.Address.of(request.family, house=data.get("house", ""))
    actions.split_family(
        request.family, leaving, new_head=new_head, relations={}, address=address, **_common(request, user)
    )


def _merge(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    actions.merge_families(
        request.family, _party_family(request, PartyRole.JOINING), relations={}, **_common(request, user)
    )


def _change_head(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    new_head = form.member("new_head_member_id")
    assert new_head is not None
    actions.change_head(
        request.family,
        new_head,
        old_head_relation=form.cleaned_data["old_head_relation"],
        **_common(request, user),
    )


def _correction(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    target: Model | None = form.member("member_id")
    if isinstance(target, Member):
        actions.correct_member(target, {data["field"]: data["value"]}, **_common(request, user))
    else:
        actions.correct_family(request.family, {data["field"]: data["value"]}, **_common(request, user))


APPLIERS: dict[str, Callable[[ChangeRequest, ChangeForm, User], None]] = {
    Kind.BIRTH: _birth,
    Kind.MARRIAGE_IN: _marriage_in,
    Kind.DEATH: _death,
    Kind.MIGRATION_OUT: _migration,
    Kind.MARRIAGE_OUT: _marriage_out,
    Kind.SPLIT: _split,
    Kind.MERGE: _merge,
    Kind.CHANGE_HEAD: _change_head,
    Kind.CORRECTION: _correction,
}

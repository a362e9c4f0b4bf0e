"""Use cases of the departments' data API: clients and their secrets, consents, verifying and reading.

Every read goes through ``permitted_groups`` at the moment of the read (the
client's purposes, the purpose's legal basis or the member's live consent):
nothing about a consent is cached, so a withdrawal or an expiry stops the next
read. Every read that finds a member is a row of the family's access log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application

from himaccess.accounts import otp
from himaccess.accounts.language import language_for
from himaccess.accounts.models import OtpPurpose
from himaccess.audit import access as access_log
from himaccess.audit import log as audit
from himaccess.audit.log import client_address
from himaccess.departments.models import Department
from himaccess.lib import identifiers
from himaccess.registry.models import CitizenLink, Family, Member
from himaccess.sharing.fields import FIELD_GROUPS, fields_of, labels, unknown_groups
from himaccess.sharing.models import (
    Channel,
    ClientSecret,
    ConsentRequest,
    DataClient,
    Decision,
    Purpose,
    secret_hash,
)

if TYPE_CHECKING:
    from himaccess.accounts.models import User

# How long a department's request waits for the citizen's answer.
ANSWER_HOURS = 24
# How long the old secret keeps working after a rotation, unless the administrator says otherwise.
DEFAULT_OVERLAP_HOURS = 24
MAX_OVERLAP_HOURS = 24 * 14
SMS_TEMPLATE = "department_consent"


class SharingError(Exception):
    """A refusal the API answers as a 4xx: a status, a code for programs and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# ------------------------------------------------------------------ clients and secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _add_secret(client: DataClient) -> str:
    secret = new_secret()
    ClientSecret.objects.create(client=client, secret_hash=secret_hash(secret), prefix=secret[:6])
    return secret


def check_groups(groups: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(groups))
    unknown = unknown_groups(chosen)
    if unknown:
        raise ValueError(_("Unknown field groups: %(groups)s") % {"groups": ", ".join(unknown)})
    return chosen


@transaction.atomic
def define_purpose(
    *,
    code: str,
    department: Department,
    name_en: str,
    name_hi: str,
    field_groups: Iterable[str],
    legal_basis: str = "",
    consent_days: int = 90,
    acting_user: User | None,
) -> Purpose:
    """Create or update a purpose (a state administrator's act, in the audit chain)."""
    groups = check_groups(field_groups)
    if not 1 <= consent_days <= 730:
        raise ValueError(_("A consent lasts between 1 and 730 days."))
    purpose, created = Purpose.objects.update_or_create(
        code=code,
        defaults={
            "department": department,
            "name_en": name_en,
            "name_hi": name_hi,
            "field_groups": " ".join(groups),
            "legal_basis": legal_basis.strip(),
            "consent_days": consent_days,
        },
    )
    audit.record(
        acting_user,
        "sharing.purpose_defined" if created else "sharing.purpose_changed",
        purpose,
        after={"department": department.pk, "groups": groups, "legal_basis": purpose.legal_basis},
        source="sharing",
    )
    return purpose


@transaction.atomic
def register_client(
    *,
    name: str,
    department: Department,
    purposes: Iterable[Purpose],
    field_groups: Iterable[str],
    registered_by: User | None,
    name_hi: str = "",
    requests_per_minute: int = 600,
) -> tuple[DataClient, str]:
    """A new department client and its first secret (shown once; only its hash is kept)."""
    groups = check_groups(field_groups)
    chosen = list(purposes)
    foreign = [purpose.code for purpose in chosen if purpose.department_id != department.pk]
    if foreign:
        raise ValueError(
            _("These purposes belong to another department: %(codes)s") % {"codes": ", ".join(foreign)}
        )
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        # Never handed out: the client authenticates with its ClientSecret rows only.
        client_secret=new_secret(),
        redirect_uris="",
        skip_authorization=False,
    )
    client = DataClient.objects.create(
        application=application,
        department=department,
        name_hi=name_hi,
        field_groups=" ".join(groups),
        requests_per_minute=requests_per_minute,
        registered_by=registered_by,
    )
    client.purposes.set(chosen)
    secret = _add_secret(client)
    audit.record(
        registered_by,
        "sharing.client_registered",
        client,
        after={
            "client_id": client.client_id,
            "department": department.pk,
            "purposes": sorted(purpose.code for purpose in chosen),
            "field_groups": groups,
        },
        source="sharing",
    )
    return client, secret


@transaction.atomic
def rotate_secret(
    client: DataClient, *, acting_user: User | None, overlap_hours: int = DEFAULT_OVERLAP_HOURS
) -> str:
    """A new secret; the ones live now keep working for ``overlap_hours`` more, then expire.

    A department deploys the new secret while the old one still works, so the
    rotation needs no downtime; ``overlap_hours=0`` ends the old ones at once
    (a leaked secret).
    """
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise ValueError(
            _("The overlap must be between 0 and %(hours)s hours.") % {"hours": MAX_OVERLAP_HOURS}
        )
    now = timezone.now()
    ends = now + timedelta(hours=overlap_hours)
    live = ClientSecret.objects.select_for_update().filter(client=client).live(now)
    ended = live.filter(expires_at__isnull=True).update(expires_at=ends)
    ended += live.filter(expires_at__gt=ends).update(expires_at=ends)
    if overlap_hours == 0:
        # Tokens issued with a leaked secret must not outlive it.
        AccessToken.objects.filter(application=client.application, user__isnull=True).delete()
    secret = _add_secret(client)
    audit.record(
        acting_user,
        "sharing.secret_rotated",
        client,
        after={"client_id": client.client_id, "old_secrets_end": ends.isoformat(), "ended": ended},
        source="sharing",
    )
    return secret


def authenticate(client_id: str, secret: str) -> DataClient | None:
    """The active client with this id whose live secrets include ``secret``."""
    if not client_id or not secret:
        return None
    client = (
        DataClient.objects.active()
        .select_related("application", "department")
        .filter(application__client_id=client_id)
        .first()
    )
    if client is None:
        return None
    if not ClientSecret.objects.live().filter(client=client, secret_hash=secret_hash(secret)).exists():
        return None
    return client


# ------------------------------------------------------------------ what a client may read


def purpose_for(client: DataClient, code: str) -> Purpose:
    """The client's own active purpose ``code``; another department's, or one not granted: 403."""
    purpose = client.purposes.filter(code=code, active=True, department=client.department_id).first()
    if purpose is None:
        raise SharingError(
            403,
            "purpose_not_allowed",
            _("This client may not state the purpose “%(code)s”.") % {"code": code[:60]},
        )
    return purpose


def live_consent(client: DataClient, purpose: Purpose, member: Member) -> ConsentRequest | None:
    return (
        ConsentRequest.objects.live()
        .filter(client=client, purpose=purpose, member=member)
        .order_by("-decided_at")
        .first()
    )


def permitted_groups(client: DataClient, purpose: Purpose, member: Member) -> list[str]:
    """The field groups ``client`` may read of ``member`` for ``purpose`` now (empty: none)."""
    return _basis(client, purpose, member)[0]


def _basis(client: DataClient, purpose: Purpose, member: Member) -> tuple[list[str], ConsentRequest | None]:
    """The groups readable now, and the live consent they rest on (None for a legal basis)."""
    allowed = [group for group in purpose.groups() if group in client.groups()]
    if not purpose.needs_consent:
        return allowed, None
    consent = live_consent(client, purpose, member)
    if consent is None:
        return [], None
    return [group for group in allowed if group in consent.groups()], consent


def _member_values(member: Member) -> dict[str, Any]:
    family = member.family
    return {
        "name_en": member.name_en,
        "name_hi": member.name_hi,
        "gender": member.gender,
        "date_of_birth": member.date_of_birth.isoformat(),
        "family_id": family.family_id,
        "relation": member.relation,
        "district": family.district.name_en,
        "tehsil": family.tehsil.name_en,
        "social_category": member.social_category,
        "is_bpl": member.is_bpl,
        "disability_percent": member.disability_percent,
        "occupation": member.occupation,
        "annual_income": member.annual_income,
        "ration_card_no": member.ration_card_no,
        "mobile": member.mobile,
        "bank_account": member.bank_account,
        "bank_ifsc": member.bank_ifsc,
        "ekyc_status": member.ekyc_status,
    }


@dataclass(frozen=True)
class MemberRead:
    member_id: str
    purpose: str
    basis: str  # "consent" or "law"
    consent_expires_at: datetime | None
    fields: dict[str, Any]


def read_member(
    client: DataClient,
    *,
    member_id: str,
    purpose_code: str,
    groups: list[str] | None,
    request: HttpRequest | None,
) -> MemberRead:
    """The fields of ``member_id`` the client may read now, logged on the family's access log."""
    purpose = purpose_for(client, purpose_code)
    if groups is not None:
        unknown = unknown_groups(groups)
        if unknown:
            raise SharingError(
                422,
                "unknown_field_group",
                _("Unknown field groups: %(groups)s") % {"groups": ", ".join(unknown)},
            )
    member = (
        Member.objects.living()
        .select_related("family__district", "family__tehsil")
        .filter(member_id=member_id)
        .first()
    )
    # Without a basis to read, a member who does not exist and one who does look the same.
    permitted, consent = _basis(client, purpose, member) if member is not None else ([], None)
    if member is None or not permitted:
        raise SharingError(
            404,
            "no_consent",
            _("No live consent or legal basis lets this client read this member for this purpose."),
        )
    wanted = groups if groups is not None else permitted
    outside = [group for group in wanted if group not in permitted]
    if outside:
        raise SharingError(
            403,
            "field_not_allowed",
            _("These field groups are outside what this client may read: %(groups)s")
            % {"groups": ", ".join(outside)},
        )
    values = _member_values(member)
    released = {name: values[name] for name in fields_of(wanted)}
    access_log.record_read(
        family=member.family,
        members=[member],
        purpose=purpose.logged_as(),
        client=client.application,
        request=request,
    )
    return MemberRead(
        member_id=member.member_id,
        purpose=purpose.code,
        basis="consent" if purpose.needs_consent else "law",
        consent_expires_at=consent.expires_at if consent is not None else None,
        fields=released,
    )


# ------------------------------------------------------------------ verification


@dataclass(frozen=True)
class Verified:
    id: str
    well_formed: bool
    exists: bool
    alive: bool | None = None
    district: str | None = None


def canonical_id(text: str) -> str | None:
    """A Family ID or Member ID in its stored form, or None when it is not one (check digit included)."""
    value = identifiers.normalise(text)
    if value[:1] not in (identifiers.FAMILY_PREFIX, identifiers.MEMBER_PREFIX):
        return None
    return value if identifiers.is_valid(value, value[0]) else None


def verify_ids(
    client: DataClient, *, ids: list[str], purpose_code: str, request: HttpRequest | None
) -> list[Verified]:
    """Whether each ID exists, is alive (member) or active (family), and its district: set-based.

    Two queries whatever the number of IDs (one per kind), and one insert of
    access-log rows for everything found. An ID that is not well formed is
    answered ``exists: false`` like an unknown one.
    """
    purpose = purpose_for(client, purpose_code)
    canonical = {text: canonical_id(text) for text in ids}
    wanted = {value for value in canonical.values() if value}
    member_ids = [value for value in wanted if value.startswith(identifiers.MEMBER_PREFIX)]
    family_ids = [value for value in wanted if value.startswith(identifiers.FAMILY_PREFIX)]
    found: dict[str, tuple[bool, str, int, int | None]] = {}
    if member_ids:
        members = Member.objects.filter(member_id__in=member_ids).values_list(
            "member_id", "life_status", "family__district__name_en", "family_id", "pk"
        )
        for member_id, life, district, family_pk, member_pk in members:
            found[member_id] = (life == Member.LifeStatus.LIVING, district, family_pk, member_pk)
    if family_ids:
        families = Family.objects.filter(family_id__in=family_ids).values_list(
            "family_id", "status", "district__name_en", "pk"
        )
        for family_id, status, district, family_pk in families:
            found[family_id] = (status == Family.Status.ACTIVE, district, family_pk, None)
    access_log.record_reads(
        [(family_pk, member_pk) for _alive, _district, family_pk, member_pk in found.values()],
        purpose=purpose.logged_as(),
        client=client.application,
        address=client_address(request),
    )
    answers = []
    for text, value in canonical.items():
        hit = found.get(value or "")
        if hit is None:
            answers.append(Verified(id=text, well_formed=value is not None, exists=False))
        else:
            answers.append(Verified(id=text, well_formed=True, exists=True, alive=hit[0], district=hit[1]))
    return answers


# ------------------------------------------------------------------ consents


def _groups_for_request(client: DataClient, purpose: Purpose, groups: list[str] | None) -> list[str]:
    allowed = [group for group in purpose.groups() if group in client.groups()]
    wanted = allowed if not groups else list(dict.fromkeys(groups))
    unknown = unknown_groups(wanted)
    if unknown:
        raise SharingError(
            422, "unknown_field_group", _("Unknown field groups: %(groups)s") % {"groups": ", ".join(unknown)}
        )
    outside = [group for group in wanted if group not in allowed]
    if outside:
        raise SharingError(
            403,
            "field_not_allowed",
            _("These field groups are outside what this client may read: %(groups)s")
            % {"groups": ", ".join(outside)},
        )
    if not wanted:
        raise SharingError(422, "no_fields", _("This purpose releases no field this client may read."))
    return wanted


def request_consent(
    client: DataClient,
    *,
    member_id: str,
    purpose_code: str,
    groups: list[str] | None,
    channel: str,
    request: HttpRequest | None,
) -> ConsentRequest:
    """A pending request for the member's consent; with ``sms`` the member's registered number gets a code.

    The code goes to the number on the register now, never to one the
    department supplies; the citizen reads it out at the department's counter
    (or types it into the department's form), and ``confirm_code`` approves.
    """
    purpose = purpose_for(client, purpose_code)
    if not purpose.needs_consent:
        raise SharingError(
            422,
            "consent_not_needed",
            _("This purpose has a legal basis: reads need no consent, and are logged."),
        )
    wanted = _groups_for_request(client, purpose, groups)
    member = Member.objects.living().select_related("family").filter(member_id=member_id).first()
    if member is None:
        raise SharingError(404, "not_found", _("Not found."))
    if channel == Channel.SMS and not member.mobile:
        raise SharingError(
            422,
            "no_mobile",
            _("This member has no mobile number on the register: ask on their page instead."),
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            consent = ConsentRequest.objects.create(
                client=client,
                purpose=purpose,
                member=member,
                field_groups=" ".join(wanted),
                channel=channel,
                requested_at=now,
                answer_by=now + timedelta(hours=ANSWER_HOURS),
            )
            audit.record(
                None,
                "sharing.consent_requested",
                consent,
                after={
                    "client_id": client.client_id,
                    "purpose": purpose.code,
                    "groups": wanted,
                    "channel": channel,
                },
                source="sharing",
                request=request,
            )
            if channel == Channel.SMS:
                # The code goes to the number on the register now, in the recipient's language.
                language = language_for(member.mobile)
                with translation.override(language):
                    params = {
                        "department": client.department.name_in(language),
                        "fields": ", ".join(labels(wanted)),
                        "purpose": purpose.name_in(language),
                    }
                otp.issue(
                    member.mobile,
                    OtpPurpose.CONSENT,
                    None,
                    template=SMS_TEMPLATE,
                    params=params,
                    language=language,
                )
    except otp.Throttled as exc:
        raise SharingError(
            429, "too_many_requests", _("Too many codes sent to this number. Try again later.")
        ) from exc
    return consent


def consent_of(client: DataClient, reference: str) -> ConsentRequest:
    """The client's own consent request; another client's is not found."""
    consent = (
        ConsentRequest.objects.select_related("purpose", "member")
        .filter(client=client, reference=reference)
        .first()
    )
    if consent is None:
        raise SharingError(404, "not_found", _("Not found."))
    return consent


def _approve(consent: ConsentRequest, *, by: User | None, channel: str, now: datetime) -> None:
    consent.decision = Decision.APPROVED
    consent.decided_at = now
    consent.decided_by = by
    consent.decided_with = channel
    consent.expires_at = now + timedelta(days=consent.purpose.consent_days)
    consent.save(update_fields=["decision", "decided_at", "decided_by", "decided_with", "expires_at"])


def confirm_code(
    client: DataClient, *, reference: str, code: str, request: HttpRequest | None
) -> ConsentRequest:
    """Approve a pending SMS request with the code the citizen gave the department."""
    consent = consent_of(client, reference)
    now = timezone.now()
    if consent.channel != Channel.SMS or consent.status(now) != "pending":
        raise SharingError(409, "not_pending", _("This request is not waiting for a code."))
    # One live consent code per number: a later request to the same number (by any department)
    # replaced this request's code, so a code verifies only the request whose SMS carried it.
    later = ConsentRequest.objects.filter(
        channel=Channel.SMS, member__mobile=consent.member.mobile, pk__gt=consent.pk
    ).exists()
    if later:
        raise SharingError(
            409, "code_replaced", _("A later request sent a new code to this number: ask again.")
        )
    try:
        right = otp.verify(consent.member.mobile, OtpPurpose.CONSENT, code, None)
    except otp.Throttled as exc:
        raise SharingError(429, "too_many_requests", _("Too many wrong codes. Try again later.")) from exc
    if not right:
        raise SharingError(422, "wrong_code", _("The code is wrong or has expired."))
    with transaction.atomic():
        locked = ConsentRequest.objects.select_for_update().get(pk=consent.pk)
        if locked.decision:
            raise SharingError(409, "not_pending", _("This request is not waiting for a code."))
        locked.purpose = consent.purpose
        _approve(locked, by=None, channel=Channel.SMS, now=now)
        audit.record(
            None,
            "sharing.consent_approved",
            locked,
            after={"with": "sms", "expires_at": locked.expires_at.isoformat() if locked.expires_at else None},
            source="sharing",
            request=request,
        )
    return locked


def answerable_members(user: User) -> list[Member]:
    """The members whose requests ``user`` may answer: themselves, and minors of a family they head."""
    own = [link.member for link in CitizenLink.objects.in_force(user).select_related("member__family")]
    members = list(own)
    adult_cut = timezone.localdate().replace(year=timezone.localdate().year - 18)
    for member in own:
        if member.relation == "head":
            members.extend(
                Member.objects.living()
                .filter(family=member.family, date_of_birth__gt=adult_cut)
                .exclude(pk=member.pk)
            )
    return members


def requests_for(user: User) -> list[ConsentRequest]:
    members = answerable_members(user)
    return list(
        ConsentRequest.objects.filter(member__in=members)
        .select_related("purpose", "member", "client__application", "client__department")
        .order_by("-requested_at")[:200]
    )


def _own_request(user: User, pk: int) -> ConsentRequest | None:
    members = answerable_members(user)
    return (
        ConsentRequest.objects.select_for_update()
        .select_related("purpose")
        .filter(pk=pk, member__in=members)
        .first()
    )


@transaction.atomic
def answer(user: User, pk: int, *, approve: bool, request: HttpRequest | None) -> ConsentRequest | None:
    """The citizen approves or refuses a pending request on their page.

    None when the request is not one the citizen may answer, or is no longer pending.
    """
    consent = _own_request(user, pk)
    now = timezone.now()
    if consent is None or consent.status(now) != "pending":
        return None
    if approve:
        _approve(consent, by=user, channel=Channel.PAGE, now=now)
    else:
        consent.decision = Decision.REFUSED
        consent.decided_at = now
        consent.decided_by = user
        consent.decided_with = Channel.PAGE
        consent.save(update_fields=["decision", "decided_at", "decided_by", "decided_with"])
    audit.record(
        user,
        "sharing.consent_approved" if approve else "sharing.consent_refused",
        consent,
        source="sharing",
        request=request,
    )
    return consent


@transaction.atomic
def withdraw(user: User, pk: int, *, request: HttpRequest | None) -> ConsentRequest | None:
    """Withdraw a live consent: the next read by the department is refused."""
    consent = _own_request(user, pk)
    now = timezone.now()
    if consent is None or consent.status(now) != "approved":
        return None
    consent.withdrawn_at = now
    consent.withdrawn_by = user
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.record(user, "sharing.consent_withdrawn", consent, source="sharing", request=request)
    return consent


__all__ = [
    "FIELD_GROUPS",
    "SharingError",
    "answer",
    "authenticate",
    "confirm_code",
    "labels",
    "permitted_groups",
    "read_member",
    "register_client",
    "request_consent",
    "rotate_secret",
    "verify_ids",
    "withdraw",
]

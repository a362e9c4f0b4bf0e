"""e-KYC of a member, from consent to a verdict, and the campaign state that follows from it.

One path for every channel (citizen, Lok Mitra Kendra operator):

1. ``ask_consent`` texts a code to the member's number on the register (or
   the head's) naming the purpose; ``give_consent`` checks the code and writes
   a ``KycConsent`` row (time, channel, text version, language).
2. The resident's data comes from a provider: Aadhaar OTP (``start_otp`` then
   ``finish_otp``) or the offline file (``verify_offline``). A provider's
   refusal stores nothing, except a wrong share code, which is counted.
3. ``_conclude`` (one transaction) spends the consent (a second use is
   refused), matches the demographics to the register, writes the
   ``KycCheck``, moves the member's ``KycState`` and its area's tallies, sets
   the register's e-KYC status, opens a ``KycReview`` for a mismatch, and
   writes the audit row. The demographics are then dropped.

Officials settle reviews (``accept_review``/``reject_review``) and verify
residents without Aadhaar (``verify_without_aadhaar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaccess.accounts import otp
from himaccess.accounts.language import language_for
from himaccess.accounts.models import OtpPurpose, Role, User
from himaccess.applications.access import families_served_by
from himaccess.audit import log as audit
from himaccess.events.bus import emit
from himaccess.kyc import matching
from himaccess.kyc.access import reviewer_families
from himaccess.kyc.models import (
    CONSENT_TEXT_VERSION,
    DONE_STATES,
    AlternativeVerification,
    Field,
    KycCheck,
    KycConsent,
    KycDay,
    KycReview,
    KycState,
    KycTally,
    Method,
    OfflineFailure,
    Outcome,
    State,
)
from himaccess.kyc.providers import Demographics, ProviderError, aadhaar_otp, offline
from himaccess.lib import identifiers
from himaccess.registry.actions import aadhaar as registry_aadhaar
from himaccess.registry.actions import corrections
from himaccess.registry.models import EkycStatus, IdCounter, Member, RegisterChange, Source
from himaccess.vault import actions as vault

CONSENT_TEMPLATE = "kyc_consent"
ASSISTED_CONSENT_TEMPLATE = "kyc_assisted_consent"
# Reveal purpose the vault knows for e-KYC.
VAULT_PURPOSE = "ekyc"
# The register's e-KYC status that follows from each campaign state.
REGISTER_STATUS = {
    State.VERIFIED: EkycStatus.VERIFIED,
    State.WITHOUT_AADHAAR: EkycStatus.NOT_DONE,
    State.MISMATCH: EkycStatus.PENDING,
    State.FAILED: EkycStatus.FAILED,
}
STATE_OF_OUTCOME = {
    Outcome.VERIFIED: State.VERIFIED,
    Outcome.MISMATCH: State.MISMATCH,
    Outcome.FAILED: State.FAILED,
}
TALLY_COLUMN = {
    State.VERIFIED: "verified",
    State.WITHOUT_AADHAAR: "without_aadhaar",
    State.MISMATCH: "mismatch",
    State.FAILED: "failed",
}


class KycRefused(Exception):
    """The request cannot go ahead; ``message`` says why in the person's language; nothing was stored."""

    def __init__(self, message: str | Promise, *, code: str = "refused") -> None:
        self.message = str(message)
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class Verdict:
    check: KycCheck
    outcome: str
    field: str
    review: KycReview | None


# ------------------------------------------------------------------ consent


def _operator_posting(user: User) -> Any:
    posting = user.active_posting
    return posting if posting is not None and posting.role == Role.LOK_MITRA_OPERATOR else None


def _check_actor(member: Member, user: User) -> None:
    """The action checks the scope again, whatever the view did."""
    posting = _operator_posting(user)
    if posting is not None:
        if not families_served_by(posting).filter(pk=member.family_id).exists():
            raise KycRefused(_("This family is not in the area your Lok Mitra Kendra serves."), code="scope")
        return
    if user.is_official or not Member.objects.visible_to(user).filter(pk=member.pk).exists():
        raise KycRefused(_("You cannot do e-KYC for this person."), code="scope")


def ask_consent(member: Member, *, acting_user: User, request: HttpRequest | None) -> str:
    """Text the consent code to the member's number (or the head's); returns the masked number."""
    _check_actor(member, acting_user)
    mobile = member.contact_mobile()
    if not mobile:
        raise KycRefused(
            _("Neither this member nor the head of the family has a mobile number on the register."),
            code="no_mobile",
        )
    language = language_for(mobile)
    posting = _operator_posting(acting_user)
    if posting is not None:
        params = {
            "operator": acting_user.get_full_name() or acting_user.username,
            "centre": posting.area_name(language),
            "member": member.name_in(language),
        }
        template = ASSISTED_CONSENT_TEMPLATE
    else:
        params = {"member": member.name_in(language)}
        template = CONSENT_TEMPLATE
    otp.issue(mobile, OtpPurpose.CONSENT, request, template=template, params=params, language=language)
    return f"XXXXXX{mobile[-4:]}"


@transaction.atomic
def give_consent(
    member: Member, code: str, *, acting_user: User, language: str, request: HttpRequest | None
) -> KycConsent:
    """The code the member received records their consent to one e-KYC."""
    _check_actor(member, acting_user)
    mobile = member.contact_mobile()
    if not mobile or not otp.verify(mobile, OtpPurpose.CONSENT, code, request):
        raise KycRefused(
            _("This code is not right, or it has expired. Check the SMS or ask for a new code."), code="code"
        )
    now = timezone.now()
    consent = KycConsent.objects.create(
        member=member,
        family=member.family,
        given_by=acting_user,
        channel=KycConsent.Channel.ASSISTED if _operator_posting(acting_user) else KycConsent.Channel.SELF,
        text_version=CONSENT_TEXT_VERSION,
        language="hi" if language.startswith("hi") else "en",
        mobile_last_digits=mobile[-4:],
        given_at=now,
        expires_at=now + KycConsent.lifetime(),
    )
    audit.record(
        acting_user,
        "kyc.consent_given",
        member,
        after={"consent": consent.pk, "channel": consent.channel, "text_version": CONSENT_TEXT_VERSION},
        request=request,
    )
    return consent


def usable_consent(consent_id: object, member: Member, user: User) -> KycConsent:
    """The unspent, unexpired consent for this member given through this user; else refused."""
    consent = (
        KycConsent.objects.unused().filter(pk=consent_id, member=member, given_by=user).first()
        if isinstance(consent_id, int)
        else None
    )
    if consent is None:
        raise KycRefused(
            _("This consent has been used or has expired. Give consent again to start a new e-KYC."),
            code="consent",
        )
    return consent


# ------------------------------------------------------------------ providers


def _number(raw: str, member: Member) -> str:
    try:
        number = vault.normalise(raw)
    except vault.InvalidAadhaar as exc:
        raise KycRefused(exc.message, code="aadhaar") from None
    reference = vault.reference_for(number)
    if member.aadhaar_ref and member.aadhaar_ref != reference:
        raise KycRefused(
            _("This is not the Aadhaar number on the register for this member."), code="wrong_person"
        )
    taken = Member.objects.living().filter(aadhaar_ref=reference).exclude(pk=member.pk).exists()
    if taken:
        raise KycRefused(
            _("This Aadhaar number is linked to another person in the register."), code="wrong_person"
        )
    return number


def start_otp(member: Member, consent: KycConsent, raw_number: str, *, acting_user: User) -> tuple[str, str]:
    """Ask UIDAI for an OTP to the Aadhaar's linked mobile; returns (vault reference, UIDAI txn).

    The number goes into the vault (the only place it may be) and the session
    keeps its reference until ``finish_otp``.
    """
    _check_actor(member, acting_user)
    number = _number(raw_number, member)
    try:
        txn = aadhaar_otp.request_otp(number)
    except ProviderError as exc:
        raise KycRefused(exc.message, code=exc.code) from None
    ref = vault.store(number, actor=acting_user, purpose=VAULT_PURPOSE)
    return ref.reference, txn


def finish_otp(
    member: Member, consent: KycConsent, reference: str, txn: str, otp_value: str, *, acting_user: User
) -> Verdict:
    _check_actor(member, acting_user)
    if not (otp_value.isascii() and otp_value.isdigit() and len(otp_value) == 6):
        raise KycRefused(ProviderError("otp_wrong").message, code="otp_wrong")
    try:
        number = vault.reveal(reference, purpose=VAULT_PURPOSE, actor=acting_user)
    except (vault.NotInVault, PermissionError):
        raise KycRefused(_("Start the e-KYC again."), code="restart") from None
    try:
        found = aadhaar_otp.fetch_kyc(number, txn, otp_value)
    except ProviderError as exc:
        raise KycRefused(exc.message, code=exc.code) from None
    return _conclude(member, consent, Method.AADHAAR_OTP, found, acting_user=acting_user, number=number)


def share_code_tries_left(member: Member) -> int:
    since = timezone.now() - timedelta(hours=24)
    used = OfflineFailure.objects.filter(member=member, at__gte=since).count()
    return max(0, settings.KYC_OFFLINE_SHARE_CODE_TRIES - used)


def verify_offline(
    member: Member, consent: KycConsent, upload: bytes, share_code: str, *, acting_user: User
) -> Verdict:
    """Verify a member with their offline e-KYC zip and share code."""
    _check_actor(member, acting_user)
    if share_code_tries_left(member) <= 0:
        raise KycRefused(ProviderError("share_code_tries").message, code="share_code_tries")
    try:
        found = offline.read(upload, share_code)
    except ProviderError as exc:
        if exc.code == "share_code":
            OfflineFailure.objects.create(member=member, actor=acting_user)
        raise KycRefused(exc.message, code=exc.code) from None
    if member.aadhaar_ref and member.aadhaar_last4 and found.last4 != member.aadhaar_last4:
        raise KycRefused(ProviderError("wrong_person").message, code="wrong_person")
    return _conclude(member, consent, Method.OFFLINE_XML, found, acting_user=acting_user, number=None)


# ------------------------------------------------------------------ the verdict


def tally_for(member: Member) -> KycTally:
    family = member.family
    tally, _created = KycTally.objects.get_or_create(
        area=KycTally.area_of(family),
        defaults={
            "district_id": family.district_id,
            "tehsil_id": family.tehsil_id,
            "block_id": family.block_id,
            "panchayat_id": family.panchayat_id,
            "urban_body_id": family.urban_body_id,
        },
    )
    return tally


def _move_state(member: Member, state: str, method: str, field: str) -> KycState:
    """Set the member's campaign state and move the counts of its area (and today's, on completion)."""
    previous = KycState.objects.select_for_update().filter(member=member).first()
    tally = tally_for(member)
    if previous is not None:
        # The member's area now, not where it was counted: ``campaign.recount`` counts by the family's
        # present area, so a family that moved since is set right at the next recount either way.
        KycTally.objects.filter(pk=tally.pk).update(
            **{TALLY_COLUMN[State(previous.state)]: Greatest(F(TALLY_COLUMN[State(previous.state)]) - 1, 0)}
        )
    KycTally.objects.filter(pk=tally.pk).update(
        **{TALLY_COLUMN[State(state)]: F(TALLY_COLUMN[State(state)]) + 1}
    )
    was_done = previous is not None and previous.state in DONE_STATES
    if state in DONE_STATES and not was_done:
        today = timezone.localdate()
        day, _created = KycDay.objects.get_or_create(tally=tally, day=today)
        KycDay.objects.filter(pk=day.pk).update(completed=F("completed") + 1)
    now = timezone.now()
    current, _created = KycState.objects.update_or_create(
        member=member,
        defaults={"tally": tally, "state": state, "method": method, "field": field, "changed_at": now},
    )
    status = REGISTER_STATUS[State(state)]
    if member.ekyc_status != status:
        # The register's own status field follows the campaign state, as a register change with its source.
        RegisterChange.objects.create(
            family=member.family,
            member=member,
            action="member.ekyc",
            field="ekyc_status",
            old_value=member.ekyc_status,
            new_value=status,
            source=Source.EKYC,
        )
        Member.objects.filter(pk=member.pk).update(ekyc_status=status, version=F("version") + 1)
        member.ekyc_status = status
    return current


def _register_value(member: Member, field: str, found: Demographics) -> tuple[str, str]:
    if field == Field.NAME:
        devanagari = any("\u0900" <= ch <= "\u097f" for ch in found.name)
        return (member.name_hi if devanagari else member.name_en), found.name[:100]
    if field == Field.DATE_OF_BIRTH:
        aadhaar = found.date_of_birth.isoformat() if found.date_of_birth else str(found.year_of_birth)
        return member.date_of_birth.isoformat(), aadhaar
    return member.gender, found.gender


@transaction.atomic
def _conclude(
    member: Member,
    consent: KycConsent,
    method: str,
    found: Demographics,
    *,
    acting_user: User,
    number: str | None,
) -> Verdict:
    now = timezone.now()
    spent = KycConsent.objects.filter(pk=consent.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if not spent:
        raise KycRefused(
            _("This consent has been used or has expired. Give consent again to start a new e-KYC."),
            code="consent",
        )
    member = Member.objects.select_for_update().select_related("family").get(pk=member.pk)
    result = matching.match(found, member)
    check = KycCheck.objects.create(
        member=member,
        consent=consent,
        method=method,
        outcome=result.outcome,
        field=result.field,
        score=result.score,
        provider_reference=found.reference[:60],
        error_code="not_this_person" if result.outcome == Outcome.FAILED else "",
        actor=acting_user,
        at=now,
    )
    review = None
    if result.outcome == Outcome.MISMATCH:
        KycReview.objects.filter(member=member, status=KycReview.Status.OPEN).update(
            status=KycReview.Status.REJECTED, decided_at=now, note="superseded by a newer e-KYC"
        )
        register_value, aadhaar_value = _register_value(member, result.field, found)
        review = KycReview.objects.create(
            reference=identifiers.make_id("K", IdCounter.reserve("K"), settings.REGISTER_ID_KEY),
            member=member,
            family=member.family,
            check_made=check,
            field=result.field,
            register_value=register_value,
            aadhaar_value=aadhaar_value,
            aadhaar_ref=vault.reference_for(number) if number is not None else "",
        )
    _move_state(member, STATE_OF_OUTCOME[Outcome(result.outcome)], method, result.field)
    if result.outcome == Outcome.VERIFIED and number is not None:
        _link_aadhaar(member, number, acting_user=acting_user)
    audit.record(
        acting_user,
        f"kyc.{result.outcome}",
        member,
        after={
            "method": method,
            "consent": consent.pk,
            "field": result.field,
            "score": result.score,
            "review": review.reference if review else "",
        },
        source=Source.EKYC,
    )
    family_id, member_id = member.family.family_id, member.member_id
    transaction.on_commit(
        lambda: emit("member.ekyc", family_id=family_id, member_id=member_id, outcome=result.outcome)
    )
    return Verdict(check=check, outcome=result.outcome, field=result.field, review=review)


def _link_aadhaar(member: Member, number: str, *, acting_user: User) -> None:
    """Record the verified Aadhaar on the register (its reference and last 4 digits) through its action."""
    try:
        registry_aadhaar.attach_aadhaar(member, number, actor=acting_user, source=Source.EKYC)
    except ValidationError as exc:
        raise KycRefused(" ".join(exc.messages), code="aadhaar_in_use") from None


# ------------------------------------------------------------------ officials


def _review_locked(review: KycReview, user: User) -> KycReview:
    if not reviewer_families(user).filter(pk=review.family_id).exists():
        raise KycRefused(_("This review is not in your area."), code="scope")
    locked = (
        KycReview.objects.select_for_update().select_related("member", "member__family").get(pk=review.pk)
    )
    if locked.status != KycReview.Status.OPEN:
        raise KycRefused(_("This review has already been decided."), code="decided")
    return locked


def _aadhaar_change(review: KycReview) -> dict[str, Any]:
    if review.field == Field.NAME:
        devanagari = any("\u0900" <= ch <= "\u097f" for ch in review.aadhaar_value)
        return {"name_hi" if devanagari else "name_en": review.aadhaar_value}
    if review.field == Field.DATE_OF_BIRTH:
        if len(review.aadhaar_value) == 4:
            raise KycRefused(
                _("Aadhaar has only the year of birth; correct the date through a change request."),
                code="year_only",
            )
        return {"date_of_birth": date.fromisoformat(review.aadhaar_value)}
    return {"gender": review.aadhaar_value}


@transaction.atomic
def accept_review(review: KycReview, *, acting_user: User, note: str = "") -> KycReview:
    """Correct the register to the Aadhaar value; the member is then verified."""
    locked = _review_locked(review, acting_user)
    changes = _aadhaar_change(locked)
    corrections.correct_member(locked.member, changes, acting_user=acting_user, source=Source.EKYC)
    locked.status = KycReview.Status.ACCEPTED
    locked.decided_by, locked.decided_at, locked.note = acting_user, timezone.now(), note[:1000]
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    member = Member.objects.select_related("family").get(pk=locked.member_id)
    if locked.aadhaar_ref and not member.aadhaar_ref:
        # The Aadhaar UIDAI vouched for is this member's now that the register agrees with it.
        number = vault.reveal(locked.aadhaar_ref, purpose=VAULT_PURPOSE, actor=acting_user)
        _link_aadhaar(member, number, acting_user=acting_user)
    _move_state(member, State.VERIFIED, locked.check_made.method, "")
    audit.record(
        acting_user, "kyc.review_accepted", locked, after={"field": locked.field}, source=Source.EKYC
    )
    return locked


@transaction.atomic
def reject_review(review: KycReview, *, acting_user: User, note: str) -> KycReview:
    """Keep the register as it is; the member stays a mismatch until verified another way."""
    if not note.strip():
        raise KycRefused(_("Give the reason for keeping the register as it is."), code="reason")
    locked = _review_locked(review, acting_user)
    locked.status = KycReview.Status.REJECTED
    locked.decided_by, locked.decided_at, locked.note = acting_user, timezone.now(), note.strip()[:1000]
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit.record(acting_user, "kyc.review_rejected", locked, after={"note": locked.note}, source=Source.EKYC)
    return locked


@transaction.atomic
def verify_without_aadhaar(
    member: Member, *, method: str, acting_user: User, ration_card_no: str = "", note: str = ""
) -> AlternativeVerification:
    """An official verifies a resident without Aadhaar: by the ration card on the register, or in person."""
    if not reviewer_families(acting_user).filter(pk=member.family_id).exists():
        raise KycRefused(_("This family is not in your area."), code="scope")
    if method == Method.RATION_CARD:
        card = ration_card_no.strip().upper()
        on_register = {
            value.upper()
            for value in member.family.members.living()
            .exclude(ration_card_no="")
            .values_list("ration_card_no", flat=True)
        }
        if not card or card not in on_register:
            raise KycRefused(
                _("This ration card number is not the one on the register for this family."),
                code="ration_card",
            )
    elif method == Method.PHYSICAL:
        if not note.strip():
            raise KycRefused(_("Say where and how you saw the person."), code="note")
    else:
        raise KycRefused(_("Choose ration card or physical verification."), code="method")
    current = KycState.objects.filter(member=member).values_list("state", flat=True).first()
    if current == State.VERIFIED:
        raise KycRefused(_("This member's e-KYC is already done."), code="done")
    row = AlternativeVerification.objects.create(
        member=member,
        method=method,
        ration_card_no=ration_card_no.strip()[:20],
        note=note.strip()[:300],
        official=acting_user,
    )
    _move_state(Member.objects.select_related("family").get(pk=member.pk), State.WITHOUT_AADHAAR, method, "")
    audit.record(acting_user, "kyc.without_aadhaar", member, after={"method": method}, source=Source.EKYC)
    return row

"""e-KYC of members: consents, checks, each member's campaign state, reviews and the campaign's tallies.

Nothing here holds an Aadhaar number or the demographic payload UIDAI
returns: a check keeps its outcome, the field that differed and the match
score; a review keeps only the Aadhaar value of the one field the register
would take. The number itself lives in the vault; the register keeps its
reference (``registry.Member.aadhaar_ref``).

Campaign counts are rows too: ``KycTally`` holds one row per local area
(panchayat or urban body) with its counts, changed in the same transaction
as the member's ``KycState``; ``KycDay`` counts completions per area and
day for the trend. A dashboard over the whole state sums a few thousand
rows instead of counting 7.6 million members (docs/decisions/1162).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody
from himaccess.kyc.access import campaign_filter, reviewer_families
from himaccess.registry.models import Family, Member

# The wording of the consent screen; change it whenever that text changes.
CONSENT_TEXT_VERSION = "kyc-consent-2026-12"


class Method(models.TextChoices):
    AADHAAR_OTP = "aadhaar_otp", _("Aadhaar OTP e-KYC")
    OFFLINE_XML = "offline_xml", _("Aadhaar Paperless Offline e-KYC")
    RATION_CARD = "ration_card", _("Ration card, checked by an official")
    PHYSICAL = "physical", _("Physical verification by an official")


ALTERNATIVE_METHODS = (Method.RATION_CARD, Method.PHYSICAL)


class Field(models.TextChoices):
    NAME = "name", _("Name")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    GENDER = "gender", _("Gender")


class KycConsentQuerySet(models.QuerySet["KycConsent"]):
    def unused(self) -> KycConsentQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class KycConsent(models.Model):
    """A member's consent to one e-KYC, confirmed by a code sent to the member's (or head's) mobile.

    Used once: the check that spends it stamps ``used_at`` under a
    conditional update, so a replayed or parallel second use finds it spent.
    """

    class Channel(models.TextChoices):
        SELF = "self", _("Given by the citizen on their own login, confirmed by a code")
        ASSISTED = "assisted", _("Given at a Lok Mitra Kendra, confirmed by a code to the citizen's mobile")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Which wording of the consent screen was shown, in which language, and where the code went.
    text_version = models.CharField(max_length=30)
    language = models.CharField(max_length=2)
    mobile_last_digits = models.CharField(max_length=4)
    given_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = KycConsentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["member", "-given_at"])]

    def __str__(self) -> str:
        return f"consent {self.pk} for {self.member_id}"

    @classmethod
    def lifetime(cls) -> timedelta:
        return timedelta(minutes=settings.KYC_CONSENT_MINUTES)


class Outcome(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    MISMATCH = "mismatch", _("Does not match the register")
    FAILED = "failed", _("Failed")


class KycCheck(models.Model):
    """One e-KYC attempt that reached a verdict; append-only."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    consent = models.OneToOneField(
        KycConsent, on_delete=models.PROTECT, null=True, blank=True, related_name="check_made"
    )
    method = models.CharField(max_length=12, choices=Method.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    field = models.CharField(max_length=14, choices=Field.choices, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    # UIDAI's transaction id (kept as AUAs must keep it), or the offline file's date; never the payload.
    provider_reference = models.CharField(max_length=60, blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "-at"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.outcome}"


class State(models.TextChoices):
    VERIFIED = "verified", _("Done")
    WITHOUT_AADHAAR = "without_aadhaar", _("Done without Aadhaar")
    MISMATCH = "mismatch", _("Mismatch with the register")
    FAILED = "failed", _("Failed")


DONE_STATES = (State.VERIFIED, State.WITHOUT_AADHAAR)


class KycState(models.Model):
    """Where a member stands in the campaign; no row means pending. Changed only by ``kyc.actions``."""

    member = models.OneToOneField(Member, on_delete=models.PROTECT, primary_key=True, related_name="kyc")
    tally = models.ForeignKey("KycTally", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices)
    method = models.CharField(max_length=12, choices=Method.choices)
    field = models.CharField(max_length=14, choices=Field.choices, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.member_id} {self.state}"

    @property
    def is_done(self) -> bool:
        return self.state in DONE_STATES


class KycTallyQuerySet(models.QuerySet["KycTally"]):
    def visible_to(self, user: object) -> KycTallyQuerySet:
        condition = campaign_filter(user)
        return self.none() if condition is None else self.filter(condition)


class KycTally(models.Model):
    """The campaign counts of one local area: a gram panchayat, an urban body, or what is left of a tehsil.

    The field names are the family's own (``Posting.family_filter`` applies
    to this model as to ``Family``). ``members`` is the living members,
    recounted by ``recount``; the others move with each ``KycState``.
    """

    area = models.CharField(max_length=40)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    tehsil = models.ForeignKey(Tehsil, on_delete=models.PROTECT, related_name="+")
    block = models.ForeignKey(Block, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    panchayat = models.ForeignKey(
        Panchayat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    urban_body = models.ForeignKey(
        UrbanBody, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    members = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    without_aadhaar = models.PositiveIntegerField(default=0)
    mismatch = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    recounted_at = models.DateTimeField(null=True, blank=True)

    objects = KycTallyQuerySet.as_manager()

    class Meta:
        # Block, panchayat and urban body have their foreign keys' indexes.
        indexes = [models.Index(fields=["district", "tehsil"])]
        constraints = [
            models.UniqueConstraint(fields=["area"], name="kyc_kyctally_area_uniq"),
        ]

    def __str__(self) -> str:
        return self.area

    @staticmethod
    def area_of(family: Family) -> str:
        return (
            f"{family.district_id}:{family.tehsil_id}:{family.block_id or 0}:"
            f"{family.panchayat_id or 0}:{family.urban_body_id or 0}"
        )


class KycDay(models.Model):
    """Members completed (verified or done without Aadhaar) in one area on one day (India time)."""

    tally = models.ForeignKey(KycTally, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tally", "day"], name="one_kyc_day_per_area")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.tally_id} {self.day} {self.completed}"


class OfflineFailure(models.Model):
    """A wrong share code given for a member's offline e-KYC file: counted to limit guessing."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "-at"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.at:%Y-%m-%d %H:%M}"


class ReviewQuerySet(models.QuerySet["KycReview"]):
    def open(self) -> ReviewQuerySet:
        return self.filter(status=KycReview.Status.OPEN)

    def visible_to(self, user: object) -> ReviewQuerySet:
        return self.filter(family__in=reviewer_families(user))


class KycReview(models.Model):
    """A mismatch between Aadhaar and the register, for the area's official to settle.

    It holds the register's value as it was and the Aadhaar value of that
    one field, side by side; accepting corrects the register through its own
    action (``registry.actions.correct_member``, source e-KYC), rejecting
    keeps the register and leaves the member to the alternative path.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the official")
        ACCEPTED = "accepted", _("Register corrected to the Aadhaar value")
        REJECTED = "rejected", _("Register kept as it is")

    TRANSITIONS = {
        Status.OPEN: {Status.ACCEPTED, Status.REJECTED},
        Status.ACCEPTED: set(),
        Status.REJECTED: set(),
    }

    reference = models.CharField(max_length=14)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    check_made = models.OneToOneField(KycCheck, on_delete=models.PROTECT, related_name="review")
    field = models.CharField(max_length=14, choices=Field.choices)
    register_value = models.CharField(max_length=100)
    aadhaar_value = models.CharField(max_length=100)
    # The vault's reference of the Aadhaar checked by OTP (blank for an offline file): accepting attaches it.
    aadhaar_ref = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="open"), name="one_open_review_per_member"
            ),
            models.UniqueConstraint(fields=["reference"], name="kyc_kycreview_reference_uniq"),
        ]

    def __str__(self) -> str:
        return self.reference

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class AlternativeVerification(models.Model):
    """A member without Aadhaar verified by an official: by ration card, or in person."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=12, choices=[(m.value, m.label) for m in ALTERNATIVE_METHODS])
    # The ration card number the official checked (it is on the register already), or blank.
    ration_card_no = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.member_id} {self.method}"


class KycReminder(models.Model):
    """An SMS reminding a family of members still pending; at most one a week per family."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    pending = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["family", "-sent_at"]), models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"{self.family_id} {self.sent_at:%Y-%m-%d}"

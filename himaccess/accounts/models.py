"""People who log in: citizens, officials and the state's administrators.

An official acts through a ``Posting``: a role at one jurisdiction (state,
district, tehsil, block, panchayat or urban body). Scoping of every register
query is derived from the caller's active posting.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        OFFICIAL = "official", _("Official")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    mobile = models.CharField(_("mobile number"), max_length=10, blank=True)
    preferred_language = models.CharField(
        max_length=5, default="hi", choices=[("en", "English"), ("hi", "हिन्दी")]
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            # A citizen logs in by mobile number, so one number is one citizen login.
            models.UniqueConstraint(
                fields=["mobile"], condition=Q(kind="citizen") & ~Q(mobile=""), name="one_citizen_per_mobile"
            ),
        ]
        # Looked up whole (officials by number too): a Meta index has no second LIKE index.
        indexes = [models.Index(fields=["mobile"], name="accounts_user_mobile_idx")]

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL

    @property
    def active_posting(self) -> Posting | None:
        if not self.is_official or not self.is_active:
            return None
        cached: Posting | None = getattr(self, "_active_posting", None)
        if cached is None:
            cached = self.postings.current().select_related("district", "tehsil", "block").first()
            self._active_posting = cached
        return cached

    @property
    def is_suspended(self) -> bool:
        """Whether the official's current posting is suspended (they can log in to nothing)."""
        return self.is_official and self.postings.filter(ended_at__isnull=True, suspended=True).exists()

    def is_locked_out(self) -> bool:
        return self.lockouts.in_force().exists()


class Role(models.TextChoices):
    PANCHAYAT_SECRETARY = "panchayat_secretary", _("Panchayat Secretary")
    PATWARI = "patwari", _("Patwari")
    BDO = "bdo", _("Block Development Officer")
    TEHSILDAR = "tehsildar", _("Tehsildar")
    SDM = "sdm", _("Sub-Divisional Magistrate")
    DISTRICT_WELFARE_OFFICER = "district_welfare_officer", _("District Welfare Officer")
    DEPUTY_COMMISSIONER = "deputy_commissioner", _("Deputy Commissioner")
    DEPARTMENT_OFFICER = "department_officer", _("Department Officer")
    HELPLINE_AGENT = "helpline_agent", _("Helpline Agent")
    LOK_MITRA_OPERATOR = "lok_mitra_operator", _("Lok Mitra Kendra Operator")
    STATE_ADMIN = "state_admin", _("State Administrator")


class Level(models.TextChoices):
    STATE = "state", _("State")
    DISTRICT = "district", _("District")
    TEHSIL = "tehsil", _("Tehsil")
    BLOCK = "block", _("Block")
    PANCHAYAT = "panchayat", _("Gram Panchayat")
    URBAN_BODY = "urban_body", _("Urban local body")


# Roles that may approve change requests to the register.
REGISTER_APPROVERS = frozenset(
    {Role.PANCHAYAT_SECRETARY, Role.TEHSILDAR, Role.BDO, Role.SDM, Role.DEPUTY_COMMISSIONER, Role.STATE_ADMIN}
)

# Roles that read families in their jurisdiction. Helpline agents, Lok Mitra
# operators and department officers reach member data only through their own
# case (a complaint, an application with the citizen's OTP consent) or a
# consented department API, never by browsing the register.
REGISTER_READERS = REGISTER_APPROVERS | {Role.PATWARI, Role.DISTRICT_WELFARE_OFFICER}


class PostingQuerySet(models.QuerySet["Posting"]):
    def current(self) -> PostingQuerySet:
        return self.filter(ended_at__isnull=True, suspended=False)


class Posting(models.Model):
    """An official's role at one jurisdiction. Ending it (transfer) is a new row."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="postings")
    role = models.CharField(max_length=32, choices=Role.choices)
    level = models.CharField(max_length=12, choices=Level.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True)
    tehsil = models.ForeignKey(Tehsil, on_delete=models.PROTECT, null=True, blank=True)
    block = models.ForeignKey(Block, on_delete=models.PROTECT, null=True, blank=True)
    panchayat = models.ForeignKey(Panchayat, on_delete=models.PROTECT, null=True, blank=True)
    urban_body = models.ForeignKey(UrbanBody, on_delete=models.PROTECT, null=True, blank=True)
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        to_field="code",
        null=True,
        blank=True,
        related_name="postings",
        help_text=_("Empty for general administration (revenue officers, panchayat secretaries)."),
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    suspended = models.BooleanField(default=False)

    objects = PostingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_at__isnull=True), name="one_current_posting_per_official"
            ),
            models.CheckConstraint(
                name="posting_level_has_its_area",
                condition=(
                    Q(level="state")
                    | Q(level="district", district__isnull=False)
                    | Q(level="tehsil", tehsil__isnull=False)
                    | Q(level="block", block__isnull=False)
                    | Q(level="panchayat", panchayat__isnull=False)
                    | Q(level="urban_body", urban_body__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.get_level_display()})"

    @property
    def department_code(self) -> str:
        """The ``departments.Department`` code of this posting ('' for general administration)."""
        return self.department_id or ""

    def area_name(self, language: str = "en") -> str:
        area = {
            Level.DISTRICT: self.district,
            Level.TEHSIL: self.tehsil,
            Level.BLOCK: self.block,
            Level.PANCHAYAT: self.panchayat,
            Level.URBAN_BODY: self.urban_body,
        }.get(Level(self.level))
        if area is None:
            return "Himachal Pradesh" if language == "en" else "हिमाचल प्रदेश"
        return area.name_in(language)

    def family_filter(self, prefix: str = "") -> Q:
        """The families inside this posting's jurisdiction, as a filter on Family."""
        fields = {
            Level.DISTRICT: ("district_id", self.district_id),
            Level.TEHSIL: ("tehsil_id", self.tehsil_id),
            Level.BLOCK: ("block_id", self.block_id),
            Level.PANCHAYAT: ("panchayat_id", self.panchayat_id),
            Level.URBAN_BODY: ("urban_body_id", self.urban_body_id),
        }
        if self.level == Level.STATE:
            return Q()
        field, value = fields[Level(self.level)]
        return Q(**{f"{prefix}{field}": value})


class OtpPurpose(models.TextChoices):
    """What a one-time code may be used for; a code for one purpose fails for every other."""

    LOGIN = "login", _("Log in")
    CONSENT = "consent", _("Give consent")
    SENSITIVE_CHANGE = "sensitive_change", _("Change of mobile number or bank account")
    EKYC = "ekyc", _("Aadhaar e-KYC")


class OneTimeCodeQuerySet(models.QuerySet["OneTimeCode"]):
    def usable(self, mobile: str, purpose: str) -> OneTimeCodeQuerySet:
        return self.filter(
            mobile=mobile,
            purpose=purpose,
            used_at__isnull=True,
            superseded=False,
            expires_at__gt=timezone.now(),
        )


class OneTimeCode(models.Model):
    """A code sent by SMS, kept only as a keyed hash (``accounts.otp``)."""

    mobile = models.CharField(max_length=10)
    purpose = models.CharField(max_length=20, choices=OtpPurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # A newer code for the same number and purpose replaces this one.
    superseded = models.BooleanField(default=False)

    objects = OneTimeCodeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["mobile", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} XXXXXX{self.mobile[-4:]}"


class TotpDevice(models.Model):
    """An official's authenticator app: the shared secret and the last step it accepted.

    ``last_used_step`` only grows: a code for a step at or before it is refused,
    so a code seen over a shoulder or replayed from a log cannot log in again.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP {self.user}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class LoginFailure(models.Model):
    """One failed official login step (password or code), for lockout and the security log."""

    class Stage(models.TextChoices):
        PASSWORD = "password", _("Password")
        TOTP = "totp", _("Authenticator code")

    username = models.CharField(max_length=150)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="login_failures"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.stage} {self.at:%Y-%m-%d %H:%M}"


class LockoutQuerySet(models.QuerySet["Lockout"]):
    def in_force(self) -> LockoutQuerySet:
        return self.filter(until__gt=timezone.now(), unlocked_at__isnull=True)


class Lockout(models.Model):
    """An official's login locked after repeated failures, until a time or a state administrator."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lockouts")
    started_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = LockoutQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A session opened by a login, so that all of a person's sessions can be ended at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session_key"], name="accounts_usersession_session_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

"""The Him Parivar register: families, their members, and every change to them.

Families and members are addressed by opaque IDs (``lib.identifiers``), never
by database keys. Nothing here is edited in place by a view: changes go
through ``registry.actions``, which validate them, write a ``RegisterChange``
row per field and emit a domain event, all in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import REGISTER_READERS
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody, Village
from himaccess.lib import identifiers, phonetics, transliteration
from himaccess.vault.masking import masked

if TYPE_CHECKING:
    from himaccess.accounts.models import User


class IdCounter(models.Model):
    """Hands out counters that ``identifiers.make_id`` turns into IDs.

    On PostgreSQL each kind draws from its own sequence (``registry_id_<kind>``),
    which takes no lock held until commit: concurrent transactions never wait
    for each other's number, and a number drawn by a transaction that rolls
    back is never handed out again (IDs may have gaps; they are opaque and
    only need to be unique). The sequence starts after the row's value, so
    nothing counted by the row before is reused. SQLite has one writer at a
    time and keeps counting in the row. ``reserve_in_commit_order`` keeps the
    row lock for a counter whose values must grow in the order of commits.
    See docs/decisions/1220-writes-without-a-global-lock.md.
    """

    kind = models.CharField(max_length=1, primary_key=True)
    next_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind}: {self.next_value}"

    @classmethod
    def reserve(cls, kind: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive counters and return the first."""
        if count < 1:
            raise ValueError("count must be at least 1")
        if connection.vendor == "postgresql":
            return _draw_from_sequence(kind, count)
        return cls._reserve_in_row(kind, count)

    @classmethod
    def reserve_in_commit_order(cls, kind: str) -> int:
        """One counter from the row, locked until the transaction ends.

        A value drawn later is committed later, so the largest committed value
        only grows (what a revocation list's sequence number needs); callers
        wait for each other, so use it only for rare writes.
        """
        return cls._reserve_in_row(kind, 1)

    @classmethod
    def _reserve_in_row(cls, kind: str, count: int) -> int:
        if not connection.features.can_return_columns_from_insert:  # SQLite older than 3.35
            with transaction.atomic():
                cls.objects.get_or_create(kind=kind)
                cls.objects.filter(kind=kind).update(next_value=F("next_value") + count)
                return cls.objects.get(kind=kind).next_value - count
        # One statement (RETURNING: PostgreSQL, SQLite 3.35+) increments and reads under the row lock,
        # so concurrent callers get distinct blocks without a savepoint or a re-read; the row for a
        # kind is made on its first use.
        table = connection.ops.quote_name(cls._meta.db_table)
        sql = f"UPDATE {table} SET next_value = next_value + %s WHERE kind = %s RETURNING next_value"  # noqa: S608 - the table name is the model's own
        with connection.cursor() as cursor:
            cursor.execute(sql, [count, kind])
            row = cursor.fetchone()
            if row is None:
                cls.objects.get_or_create(kind=kind)
                cursor.execute(sql, [count, kind])
                row = cursor.fetchone()
        return int(row[0]) - count

    @classmethod
    def start_afresh(cls) -> None:
        """Forget every counter (an empty register only: IDs already issued would be issued again)."""
        cls.objects.all().delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s",
                    [SEQUENCE_PREFIX + "%"],
                )
                for (name,) in cursor.fetchall():
                    cursor.execute(f"DROP SEQUENCE {connection.ops.quote_name(name)}")
            _known_sequences.clear()


SEQUENCE_PREFIX = "registry_id_"
# Sequences this process has seen committed; a miss costs one catalogue look-up.
_known_sequences: set[str] = set()
# A block drawn while others draw single numbers may come out interleaved; it is drawn again.
_BLOCK_ATTEMPTS = 5


def forget_known_sequences() -> None:
    """Look every sequence up again: for a test, whose transaction is rolled back even after its
    on-commit callbacks ran, so a sequence it made is gone."""
    _known_sequences.clear()


def sequence_name(kind: str) -> str:
    """The sequence of a kind: ``registry_id_`` and the kind's code point (any character is safe)."""
    return f"{SEQUENCE_PREFIX}{ord(kind):x}"


def create_sequence_sql(kind: str, start: int) -> str:
    name = connection.ops.quote_name(sequence_name(kind))
    return f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint MINVALUE 0 START WITH {int(start)}"


def _ensure_sequence(kind: str) -> str:
    name = sequence_name(kind)
    if name in _known_sequences:
        return name
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is None:
            # Made on a kind's first use: two first users are ordered by an advisory
            # lock (CREATE ... IF NOT EXISTS alone can still collide in the catalogue),
            # and the sequence starts where the row stopped counting.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
            table = connection.ops.quote_name(IdCounter._meta.db_table)
            cursor.execute(f"SELECT next_value FROM {table} WHERE kind = %s", [kind])  # noqa: S608 - the model's own table
            row = cursor.fetchone()
            cursor.execute(create_sequence_sql(kind, int(row[0]) if row else 0))
    # Remembered only once committed: a sequence made in a transaction that rolls back is gone
    # with it, and is made again from the row's value; only that transaction's numbers (never
    # committed anywhere) can then come again.
    transaction.on_commit(lambda: _known_sequences.add(name))
    return name


def _draw_from_sequence(kind: str, count: int) -> int:
    name = _ensure_sequence(kind)
    with connection.cursor() as cursor:
        if count == 1:
            cursor.execute("SELECT nextval(%s)", [name])
            return int(cursor.fetchone()[0])
        # nextval never hands a number out twice; a block is consecutive unless
        # another session drew in between, and then it is drawn again (the numbers
        # of the broken block are left unused).
        for _attempt in range(_BLOCK_ATTEMPTS):
            cursor.execute(
                "SELECT min(n), max(n) FROM (SELECT nextval(%s) AS n FROM generate_series(1, %s)) AS drawn",
                [name, count],
            )
            low, high = cursor.fetchone()
            if int(high) - int(low) == count - 1:
                return int(low)
    raise RuntimeError(f"could not draw {count} consecutive numbers for {kind!r}: too many concurrent draws")


def new_family_id() -> str:
    return identifiers.make_id(identifiers.FAMILY_PREFIX, IdCounter.reserve("F"), settings.REGISTER_ID_KEY)


def new_member_id() -> str:
    return identifiers.make_id(identifiers.MEMBER_PREFIX, IdCounter.reserve("M"), settings.REGISTER_ID_KEY)


class Area(models.TextChoices):
    RURAL = "rural", _("Rural")
    URBAN = "urban", _("Urban")


class FamilyQuerySet(models.QuerySet["Family"]):
    def active(self) -> FamilyQuerySet:
        return self.filter(status=Family.Status.ACTIVE)

    def visible_to(self, user: User) -> FamilyQuerySet:
        """Families the user may see: their own, or their posting's jurisdiction."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        posting = user.active_posting
        if posting is not None:
            if posting.role not in REGISTER_READERS:
                return self.none()
            return self.filter(posting.family_filter())
        if user.is_official or not user.mobile:
            return self.none()
        # The link is checked against the register as it is now, on every request: a member
        # whose number changed (or who left) no longer opens the family to the old number's login.
        return self.filter(
            members__citizen_links__user=user,
            members__life_status=Member.LifeStatus.LIVING,
            members__mobile=user.mobile,
        )


class Family(models.Model):
    # The foreign keys to the LGD directory that make the address (``geography.places.attach``).
    PLACES = ("district", "tehsil", "block", "panchayat", "village", "urban_body")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged into another family")
        DISSOLVED = "dissolved", _("Dissolved")

    family_id = models.CharField(_("Family ID"), max_length=12, default=new_family_id)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="families")
    tehsil = models.ForeignKey(Tehsil, on_delete=models.PROTECT, related_name="families")
    block = models.ForeignKey(Block, on_delete=models.PROTECT, null=True, blank=True, related_name="families")
    urban_body = models.ForeignKey(
        UrbanBody, on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    panchayat = models.ForeignKey(
        Panchayat, on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    ward = models.CharField(_("ward"), max_length=40, blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    house = models.CharField(_("house number / name"), max_length=80, blank=True)
    pincode = models.CharField(_("pincode"), max_length=6)
    area = models.CharField(_("rural or urban"), max_length=5, choices=Area.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "families"
        indexes = [
            models.Index(fields=["district", "tehsil"]),
            # An official's area as a list of family ids, read from the index alone: the name
            # search keeps the members it found in the area without visiting their families.
            models.Index(fields=["district", "id"], name="registry_family_district_ids"),
            models.Index(fields=["tehsil", "id"], name="registry_family_tehsil_ids"),
            models.Index(fields=["block", "id"], name="registry_family_block_ids"),
            models.Index(
                fields=["urban_body", "id"],
                condition=Q(urban_body__isnull=False),
                name="registry_family_urban_body_ids",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="family_rural_or_urban_body",
                condition=Q(area="rural", urban_body__isnull=True)
                | Q(area="urban", urban_body__isnull=False),
            ),
            models.UniqueConstraint(fields=["family_id"], name="registry_family_family_id_uniq"),
        ]

    def __str__(self) -> str:
        return identifiers.display(self.family_id)

    @property
    def display_id(self) -> str:
        return identifiers.display(self.family_id)

    def head(self) -> Member | None:
        return self.members.filter(relation=Relation.HEAD, life_status=Member.LifeStatus.LIVING).first()

    def living_members(self) -> MemberQuerySet:
        return self.members.filter(life_status=Member.LifeStatus.LIVING).order_by("date_of_birth")

    def head_mobile(self) -> str:
        """The number on the register of the family's head: where the family is asked and told."""
        head = self.head()
        return head.mobile if head is not None else ""


class Relation(models.TextChoices):
    HEAD = "head", _("Head of family")
    SPOUSE = "spouse", _("Wife / husband")
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    DAUGHTER_IN_LAW = "daughter_in_law", _("Daughter-in-law")
    SON_IN_LAW = "son_in_law", _("Son-in-law")
    GRANDSON = "grandson", _("Grandson")
    GRANDDAUGHTER = "granddaughter", _("Granddaughter")
    BROTHER = "brother", _("Brother")
    SISTER = "sister", _("Sister")
    OTHER = "other", _("Other relative")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    TRANSGENDER = "T", _("Transgender")


class MaritalStatus(models.TextChoices):
    NEVER_MARRIED = "never_married", _("Never married")
    MARRIED = "married", _("Married")
    WIDOWED = "widowed", _("Widowed")
    DIVORCED = "divorced", _("Divorced")
    SEPARATED = "separated", _("Separated / deserted")


class SocialCategory(models.TextChoices):
    GENERAL = "general", _("General")
    SC = "sc", _("Scheduled Caste")
    ST = "st", _("Scheduled Tribe")
    OBC = "obc", _("Other Backward Class")
    EWS = "ews", _("Economically Weaker Section")


class Occupation(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture / horticulture")
    LABOUR = "labour", _("Daily-wage labour")
    SELF_EMPLOYED = "self_employed", _("Self-employed / business")
    PRIVATE_JOB = "private_job", _("Private job")
    GOVERNMENT_JOB = "government_job", _("Government job")
    PENSIONER = "pensioner", _("Government pensioner")
    HOMEMAKER = "homemaker", _("Homemaker")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    CHILD = "child", _("Child (not of working age)")
    OTHER = "other", _("Other")


class ResidencyBasis(models.TextChoices):
    PERMANENT_HOME = "permanent_home", _("Permanent home in Himachal Pradesh")
    LONG_RESIDENCE = "long_residence", _("Resident in the State for 25 years or more")
    WORKS_OUTSIDE = "works_outside", _("Permanent home here, works outside the State")


class EkycStatus(models.TextChoices):
    NOT_DONE = "not_done", _("Not done")
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")


class MemberQuerySet(models.QuerySet["Member"]):
    def living(self) -> MemberQuerySet:
        return self.filter(life_status=Member.LifeStatus.LIVING)

    def visible_to(self, user: User) -> MemberQuerySet:
        return self.filter(family__in=Family.objects.visible_to(user))

    def contact_mobiles(self) -> dict[int, str]:
        """``Member.contact_mobile`` of every member here, by primary key: two queries, not two per member."""
        rows = list(self.values_list("pk", "mobile", "family_id"))
        # The heads of only those families where someone here has no number of their own.
        heads = dict(
            Member.objects.filter(
                family_id__in=self.filter(mobile="").values("family_id"),
                relation=Relation.HEAD,
                life_status=Member.LifeStatus.LIVING,
            ).values_list("family_id", "mobile")
        )
        return {pk: mobile or heads.get(family, "") for pk, mobile, family in rows}


class Member(models.Model):
    class LifeStatus(models.TextChoices):
        LIVING = "living", _("Living")
        DEAD = "dead", _("Dead")
        MIGRATED = "migrated", _("Migrated out")

    member_id = models.CharField(_("Member ID"), max_length=12, default=new_member_id)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members")
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100)
    # Phonetic keys of the given name and surname (lib.phonetics), the same
    # whichever script or spelling a name was entered in: name search uses them.
    given_key = models.CharField(max_length=32, blank=True)
    surname_key = models.CharField(max_length=32, blank=True)
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    marital_status = models.CharField(_("marital status"), max_length=16, choices=MaritalStatus.choices)
    social_category = models.CharField(_("social category"), max_length=8, choices=SocialCategory.choices)
    disability_percent = models.PositiveSmallIntegerField(_("disability (%)"), default=0)
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices)
    annual_income = models.PositiveIntegerField(_("annual income (₹)"), default=0)
    is_bpl = models.BooleanField(_("below poverty line"), default=False)
    ration_card_no = models.CharField(_("ration card number"), max_length=20, blank=True)
    residency_basis = models.CharField(
        _("residency basis"),
        max_length=16,
        choices=ResidencyBasis.choices,
        default=ResidencyBasis.PERMANENT_HOME,
    )
    mobile = models.CharField(_("mobile number"), max_length=10, blank=True)
    bank_account = models.CharField(_("bank account number"), max_length=18, blank=True)
    bank_ifsc = models.CharField(_("IFSC"), max_length=11, blank=True)
    life_status = models.CharField(max_length=8, choices=LifeStatus.choices, default=LifeStatus.LIVING)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    left_on = models.DateField(_("date of leaving"), null=True, blank=True)
    ekyc_status = models.CharField(max_length=8, choices=EkycStatus.choices, default=EkycStatus.NOT_DONE)
    # Keyed hash of the Aadhaar number from the vault, never the number itself.
    # NULL, not "", for "no Aadhaar on file": the uniqueness of living
    # people is a constraint over the references that exist.
    aadhaar_ref = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # The number's last four digits, all that pages, cards and exports show of it.
    aadhaar_last4 = models.CharField(_("Aadhaar (last 4 digits)"), max_length=4, blank=True, default="")
    father = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    mother = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    spouse = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        indexes = [
            # Name keys with the family and the member's id: a search picks the ids of an area's
            # namesakes from the index alone, however many the state has (registry/search.py).
            models.Index(
                fields=["surname_key", "given_key", "family"],
                include=["id"],
                name="registry_member_surname_keys",
            ),
            models.Index(
                fields=["given_key", "surname_key", "family"],
                include=["id"],
                name="registry_member_given_keys",
            ),
            models.Index(fields=["mobile"]),
            # Who turns 60 (or 18, or 80) today: the daily scan for scheme offers.
            models.Index(fields=["date_of_birth"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(relation="head", life_status="living"),
                name="one_head_per_family",
            ),
            models.UniqueConstraint(
                fields=["aadhaar_ref"],
                condition=Q(life_status="living", aadhaar_ref__isnull=False),
                name="living_person_in_one_family",
            ),
            models.CheckConstraint(name="disability_percent_range", condition=Q(disability_percent__lte=100)),
            models.CheckConstraint(
                name="dead_member_has_date_of_death",
                condition=~Q(life_status="dead") | Q(died_on__isnull=False),
            ),
            models.UniqueConstraint(fields=["member_id"], name="registry_member_member_id_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({identifiers.display(self.member_id)})"

    @property
    def display_id(self) -> str:
        return identifiers.display(self.member_id)

    @property
    def aadhaar_masked(self) -> str:
        """``XXXX XXXX 1234``, or "" when no Aadhaar number is on file."""
        return masked(self.aadhaar_last4) if self.aadhaar_ref else ""

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en

    def age_on(self, on: date) -> int:
        years = on.year - self.date_of_birth.year
        if (on.month, on.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years

    @property
    def is_living(self) -> bool:
        return self.life_status == self.LifeStatus.LIVING

    def relation_to(self, head: Member) -> str:
        """This member's relation to ``head``, derived from the family links."""
        if self.pk == head.pk:
            return Relation.HEAD
        if self.spouse_id == head.pk or head.spouse_id == self.pk:
            return Relation.SPOUSE
        if head.pk in (self.father_id, self.mother_id):
            return Relation.SON if self.gender == Gender.MALE else Relation.DAUGHTER
        if self.pk in (head.father_id, head.mother_id):
            return Relation.FATHER if self.gender == Gender.MALE else Relation.MOTHER
        return Relation.OTHER

    @property
    def masked_mobile(self) -> str:
        return f"XXXXXX{self.mobile[-4:]}" if self.mobile else ""

    def contact_mobile(self) -> str:
        """The member's own number on the register, or else the head's."""
        return self.mobile or self.family.head_mobile()

    @property
    def masked_bank_account(self) -> str:
        return f"XXXX{self.bank_account[-4:]}" if self.bank_account else ""

    def refresh_name_keys(self) -> None:
        """Fill a missing script of the name by transliteration and recompute the search keys.

        Call after setting ``name_en`` or ``name_hi`` (creation, correction); it
        does not save.
        """
        self.name_en = " ".join(self.name_en.split())
        self.name_hi = " ".join(self.name_hi.split())
        if self.name_hi and not self.name_en:
            self.name_en = transliteration.to_latin(self.name_hi)
        elif self.name_en and not self.name_hi:
            self.name_hi = transliteration.to_devanagari(self.name_en)
        self.given_key, self.surname_key = phonetics.name_keys(self.name_en, self.name_hi)


class CitizenLinkQuerySet(models.QuerySet["CitizenLink"]):
    def in_force(self, user: User) -> CitizenLinkQuerySet:
        """The user's links that hold now: a living member whose number on the register is the login's."""
        if not user.mobile:
            return self.none()
        return self.filter(
            user=user, member__life_status=Member.LifeStatus.LIVING, member__mobile=user.mobile
        )


class CitizenLink(models.Model):
    """A citizen's login tied to their own member record (by verified mobile)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_links")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="citizen_links")
    linked_at = models.DateTimeField(auto_now_add=True)

    objects = CitizenLinkQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "member"], name="one_link_per_user_member")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.member_id}"


class Source(models.TextChoices):
    """Where a value in the register came from; shown next to it to citizens."""

    SELF_DECLARED = "self", _("Declared by the family")
    PANCHAYAT = "panchayat", _("Panchayat secretary")
    OFFICIAL = "official", _("Verified by an official")
    EKYC = "ekyc", _("Aadhaar e-KYC")
    DEPARTMENT = "department", _("Department record")
    IMPORT = "import", _("Bulk import")
    SYNTHETIC = "synthetic", _("Synthetic data")


class RegisterChange(models.Model):
    """One field's change on a family or member: who, when, old and new, from where."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="changes")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    action = models.CharField(max_length=40)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    change_request = models.ForeignKey(
        "ChangeRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "field", "-at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.field}"


class ChangeRequestQuerySet(models.QuerySet["ChangeRequest"]):
    def pending(self) -> ChangeRequestQuerySet:
        return self.filter(status=ChangeRequest.Status.PENDING)

    def with_awaited_consent(self) -> ChangeRequestQuerySet:
        """Annotate ``awaits_consent``: some family's head has still to agree."""
        unanswered = ChangeRequestParty.objects.filter(
            change_request=OuterRef("pk"), consent_required=True
        ).exclude(decisions__kind=PartyDecision.Kind.CONSENTED)
        return self.annotate(awaits_consent=Exists(unanswered))

    def visible_to(self, user: User) -> ChangeRequestQuerySet:
        """Requests filed for a family the user may see, or concerning one (to consent or approve)."""
        visible = Family.objects.visible_to(user)
        concerning = ChangeRequestParty.objects.filter(family__in=visible).values("change_request")
        return self.filter(Q(family__in=visible) | Q(pk__in=concerning))


class ChangeRequest(models.Model):
    """What happened to a family, asked for by the family or a panchayat secretary.

    The payload holds the kind's validated fields (``registry.forms``); an
    official of the family's jurisdiction approves it, which applies it
    through the matching action, or rejects it with a reason.
    """

    class Kind(models.TextChoices):
        BIRTH = "birth", _("Birth")
        MARRIAGE_IN = "marriage_in", _("Marriage into the family")
        DEATH = "death", _("Death")
        MIGRATION_OUT = "migration_out", _("Migration out of the State")
        MARRIAGE_OUT = "marriage_out", _("Marriage out (transfer to another family)")
        SPLIT = "split", _("Split of the family")
        MERGE = "merge", _("Merge of two families")
        CHANGE_HEAD = "change_head", _("Change of head")
        CORRECTION = "correction", _("Correction of a field")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
    }

    reference = models.CharField(max_length=14)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="change_requests")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    other_family = models.ForeignKey(
        Family, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=12, choices=Source.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="registry_changerequest_reference_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class ChangeRequestParty(models.Model):
    """A family a change request touches, written when the request is filed.

    A request that moves people into, out of or between families touches
    more than one family; each must agree (its head's consent) and each must
    be approved by an official whose jurisdiction covers it before anything
    is applied (``registry.change_requests``).
    """

    class Role(models.TextChoices):
        FILING = "filing", _("Family the request is filed for")
        RECEIVING = "receiving", _("Family a member joins")
        GIVING = "giving", _("Family a member leaves")
        JOINING = "joining", _("Family merging into the other")

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="parties")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    consent_required = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["change_request", "family"], name="one_party_per_family")
        ]

    def __str__(self) -> str:
        return f"{self.change_request_id} {self.role} {self.family_id}"


class PartyDecision(models.Model):
    """A family's consent or refusal, or an official's approval for one family; append-only."""

    class Kind(models.TextChoices):
        CONSENTED = "consented", _("Consent of the head of the family")
        REFUSED = "refused", _("Refused by the head of the family")
        APPROVED = "approved", _("Approved by an official of the family's area")

    class Channel(models.TextChoices):
        FILED_BY_HEAD = "filed_by_head", _("Filed by the head of the family")
        OTP = "otp", _("Confirmed with a code sent to the head's mobile number")
        OFFICIAL = "official", _("Official of the family's area")

    party = models.ForeignKey(ChangeRequestParty, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=14, choices=Channel.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The head who answered for the family, and the last digits of the number the code went to.
    head = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    mobile_last_digits = models.CharField(max_length=4, blank=True)
    # Which wording of the consent screen the head agreed to.
    text_version = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "kind"], name="one_decision_of_a_kind_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.kind}"


class ChangeRequestStep(models.Model):
    """Each transition of a change request, append-only."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="steps")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

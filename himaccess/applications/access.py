"""Fetching applications, members and documents through the caller's scope (404 outside it)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from himaccess.accounts.models import Level, Posting, Role, User
from himaccess.applications.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationQuerySet,
    AssistedConsent,
    Document,
)
from himaccess.geography import places
from himaccess.lib import identifiers
from himaccess.registry.models import CitizenLink, Family, Member

CONSENT_SESSION_KEY = "applications.assisted_consent"
# A Lok Mitra Kendra sits in one local area; a posting wider than these serves no family.
CENTRE_LEVELS = frozenset({Level.PANCHAYAT, Level.BLOCK, Level.TEHSIL, Level.URBAN_BODY})


def is_number(raw: str, prefix: str) -> bool:
    """Whether ``raw`` is a well-formed application ("A") or certificate ("C") number."""
    return identifiers.is_valid(raw, prefix)


def applications_visible_to(user: User) -> ApplicationQuerySet:
    posting = user.active_posting
    if posting is not None:
        if posting.role == Role.LOK_MITRA_OPERATOR:
            return Application.objects.filter(assisted_by=user)
        return Application.objects.involving(posting)
    if user.is_official or not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(family__in=Family.objects.visible_to(user))


def get_application_for(user: User, number: str) -> Application:
    canonical = identifiers.normalise(number)
    if not is_number(canonical, "A"):
        raise Http404
    application = (
        applications_visible_to(user)
        .select_related(
            "service", "service_version", "member", "family", "family__district", "family__tehsil"
        )
        .filter(number=canonical)
        .first()
    )
    if application is None:
        raise Http404
    return application


def families_served_by(posting: Posting | None) -> QuerySet[Family]:
    """The families a Lok Mitra Kendra operator may ask consent of: those of the centre's own area.

    The area is the operator's posting (the centre's gram panchayat, block,
    tehsil or urban body); an operator posted at district or state level, or
    not an operator at all, serves nobody.
    """
    if posting is None or posting.role != Role.LOK_MITRA_OPERATOR or posting.level not in CENTRE_LEVELS:
        return Family.objects.none()
    return Family.objects.active().filter(posting.family_filter())


def member_for_operator(user: User, member_id: str) -> Member:
    """A living member of a family the operator's centre serves; 404 for anyone else, known or not."""
    canonical = identifiers.normalise(member_id)
    if not identifiers.is_valid(canonical, "M"):
        raise Http404
    member = (
        Member.objects.living()
        .select_related("family")
        .filter(member_id=canonical, family__in=families_served_by(user.active_posting))
        .first()
    )
    if member is None:
        raise Http404
    return member


def live_consent(user: User, consent_id: int | None) -> AssistedConsent | None:
    if consent_id is None:
        return None
    return (
        AssistedConsent.objects.select_related("member", "family")
        .filter(pk=consent_id, operator=user, expires_at__gt=timezone.now())
        .first()
    )


def get_member_to_apply_for(user: User, member_id: str, consent: AssistedConsent | None = None) -> Member:
    """A living member the user may apply for: of their own family, or the consenting family (operators)."""
    canonical = identifiers.normalise(member_id)
    if not identifiers.is_valid(canonical, "M"):
        raise Http404
    # The family in the same query, its places (the address on every form) from the process's copy
    # of the directory, relatives' names only when a form asks for them: each join costs
    # PostgreSQL planning time, more than the lookup itself takes to run.
    members = Member.objects.living().select_related("family")
    posting = user.active_posting
    if posting is not None:
        if posting.role != Role.LOK_MITRA_OPERATOR or consent is None:
            raise Http404
        # The consent's family, and still one the centre serves (a transferred operator's consent lapses).
        members = members.filter(family_id=consent.family_id, family__in=families_served_by(posting))
    elif user.is_official:
        raise Http404
    else:
        # The citizen's own family, through their link first: two index lookups, no join over the
        # register (as one statement with a subquery it took 0.4 ms to plan, the two 0.17 ms).
        families = list(CitizenLink.objects.in_force(user).values_list("member__family_id", flat=True))
        members = members.filter(family_id__in=families)
    # Member IDs are unique: a bare LIMIT 1, without the ORDER BY that first() adds and compiles.
    member = next(iter(members.filter(member_id=canonical)[:1]), None)
    if member is None:
        raise Http404
    places.attach([member.family], *Family.PLACES)
    return member


def get_document_for(user: User, number: str, document_id: int) -> tuple[Application, Document]:
    application = get_application_for(user, number)
    attached = application.attachments.select_related("document").filter(document_id=document_id).first()
    if attached is None:
        raise Http404
    return application, attached.document


def appeals_awaiting(user: User) -> QuerySet[Appeal]:
    posting = user.active_posting
    if posting is None:
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(status=AppealStatus.PENDING, authority_role=posting.role)
        .filter(posting.family_filter(prefix="application__family__"))
        .select_related("application", "application__member", "application__service")
        .order_by("due_at")
    )


def get_appeal_for(user: User, appeal_id: int) -> Appeal:
    appeal = appeals_awaiting(user).filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404
    return appeal

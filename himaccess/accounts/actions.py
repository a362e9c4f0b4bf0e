"""Use cases on people: officials' accounts and postings (citizens' links are the register's).

Every change writes an audit row in its own transaction. A posting is never
edited: a transfer, suspension or reinstatement ends the current row and
starts a new one, and ends all of the official's sessions at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts import sessions
from himaccess.accounts.models import Level, Lockout, Posting, Role, TotpDevice, User
from himaccess.audit.log import record
from himaccess.departments.models import Department
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody


def can_manage_officials(user: User | None) -> bool:
    """State administrators (and superusers) manage officials; ``None`` is the command line."""
    if user is None:
        return True
    posting = user.active_posting
    return user.is_active and (
        user.is_superuser or (posting is not None and posting.role == Role.STATE_ADMIN)
    )


def _require_manager(acting_user: User | None) -> None:
    if not can_manage_officials(acting_user):
        raise PermissionDenied(_("Only a state administrator can change officials' postings."))


def _snapshot(posting: Posting | None) -> dict[str, Any] | None:
    if posting is None:
        return None
    return {
        "role": posting.role,
        "level": posting.level,
        "district": posting.district_id,
        "tehsil": posting.tehsil_id,
        "block": posting.block_id,
        "panchayat": posting.panchayat_id,
        "urban_body": posting.urban_body_id,
        "department": posting.department_code,
        "suspended": posting.suspended,
    }


def _new_posting(
    user: User,
    *,
    role: str,
    level: str,
    district: District | None,
    tehsil: Tehsil | None,
    block: Block | None,
    panchayat: Panchayat | None,
    urban_body: UrbanBody | None,
    department: str,
    suspended: bool = False,
) -> Posting:
    role, level = Role(role), Level(level)
    if department and not Department.objects.filter(code=department).exists():
        raise ValidationError(
            _("There is no department with the code %(code)s."), params={"code": department}
        )
    area = {
        Level.DISTRICT: district,
        Level.TEHSIL: tehsil,
        Level.BLOCK: block,
        Level.PANCHAYAT: panchayat,
        Level.URBAN_BODY: urban_body,
    }.get(level)
    if level != Level.STATE and area is None:
        raise ValidationError(_("A posting at this level needs its area."))
    # The district is kept with every posting below the state, for display and reports.
    if area is not None and not isinstance(area, District):
        district = area.district
    return Posting.objects.create(
        user=user,
        role=role,
        level=level,
        district=district if level != Level.STATE else None,
        tehsil=tehsil if level == Level.TEHSIL else None,
        block=block if level == Level.BLOCK else None,
        panchayat=panchayat if level == Level.PANCHAYAT else None,
        urban_body=urban_body if level == Level.URBAN_BODY else None,
        department_id=department or None,
        suspended=suspended,
    )


def _current(user: User) -> Posting | None:
    return user.postings.select_for_update().filter(ended_at__isnull=True).first()


def _end(posting: Posting) -> None:
    posting.ended_at = timezone.now()
    posting.save(update_fields=["ended_at"])


@transaction.atomic
def create_official(
    username: str,
    password: str,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    staff: bool = False,
    acting_user: User | None,
    request: HttpRequest | None = None,
) -> User:
    """A new official with a validated password; the second factor is enrolled at first login."""
    _require_manager(acting_user)
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("An account with this username already exists."))
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        kind=User.Kind.OFFICIAL,
        is_staff=staff,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    record(
        acting_user,
        "official.created",
        user,
        after={"username": username, "staff": staff},
        source="accounts",
        request=request,
    )
    return user


@transaction.atomic
def post_official(
    user: User,
    *,
    role: str,
    level: str,
    district: District | None = None,
    tehsil: Tehsil | None = None,
    block: Block | None = None,
    panchayat: Panchayat | None = None,
    urban_body: UrbanBody | None = None,
    department: str = "",
    acting_user: User | None,
    request: HttpRequest | None = None,
) -> Posting:
    """First posting of an official who has none; a posted official is moved by ``transfer_official``."""
    _require_manager(acting_user)
    if not user.is_official:
        raise ValidationError(_("Only an official can be posted."))
    if _current(user) is not None:
        raise ValidationError(_("This official already has a posting; transfer them instead."))
    posting = _new_posting(
        user,
        role=role,
        level=level,
        district=district,
        tehsil=tehsil,
        block=block,
        panchayat=panchayat,
        urban_body=urban_body,
        department=department,
    )
    record(acting_user, "official.posted", user, after=_snapshot(posting), source="accounts", request=request)
    return posting


@transaction.atomic
def transfer_official(
    user: User,
    *,
    role: str,
    level: str,
    district: District | None = None,
    tehsil: Tehsil | None = None,
    block: Block | None = None,
    panchayat: Panchayat | None = None,
    urban_body: UrbanBody | None = None,
    department: str = "",
    acting_user: User | None,
    request: HttpRequest | None = None,
) -> Posting:
    """End the current posting, start the new one, and end every session of the official."""
    _require_manager(acting_user)
    current = _current(user)
    if current is None:
        raise ValidationError(_("This official has no posting to transfer from."))
    if current.suspended:
        raise ValidationError(_("A suspended official must be reinstated before a transfer."))
    _end(current)
    posting = _new_posting(
        user,
        role=role,
        level=level,
        district=district,
        tehsil=tehsil,
        block=block,
        panchayat=panchayat,
        urban_body=urban_body,
        department=department,
    )
    sessions.end_all(user)
    record(
        acting_user,
        "official.transferred",
        user,
        before=_snapshot(current),
        after=_snapshot(posting),
        source="accounts",
        request=request,
    )
    return posting


def _copy(posting: Posting, *, suspended: bool) -> Posting:
    return _new_posting(
        posting.user,
        role=posting.role,
        level=posting.level,
        district=posting.district,
        tehsil=posting.tehsil,
        block=posting.block,
        panchayat=posting.panchayat,
        urban_body=posting.urban_body,
        department=posting.department_code,
        suspended=suspended,
    )


@transaction.atomic
def suspend_official(
    user: User, *, reason: str, acting_user: User | None, request: HttpRequest | None = None
) -> Posting:
    """Suspend at once: the posting continues as a suspended row and every session ends."""
    _require_manager(acting_user)
    current = _current(user)
    if current is None or current.suspended:
        raise ValidationError(_("This official has no active posting to suspend."))
    _end(current)
    posting = _copy(current, suspended=True)
    sessions.end_all(user)
    record(
        acting_user,
        "official.suspended",
        user,
        before=_snapshot(current),
        after={**(_snapshot(posting) or {}), "reason": reason},
        source="accounts",
        request=request,
    )
    return posting


@transaction.atomic
def reinstate_official(
    user: User, *, acting_user: User | None, request: HttpRequest | None = None
) -> Posting:
    _require_manager(acting_user)
    current = _current(user)
    if current is None or not current.suspended:
        raise ValidationError(_("This official is not suspended."))
    _end(current)
    posting = _copy(current, suspended=False)
    record(
        acting_user,
        "official.reinstated",
        user,
        before=_snapshot(current),
        after=_snapshot(posting),
        source="accounts",
        request=request,
    )
    return posting


@transaction.atomic
def unlock_official(user: User, *, acting_user: User | None, request: HttpRequest | None = None) -> int:
    """Lift every lockout in force on the official's login; returns how many."""
    _require_manager(acting_user)
    now = timezone.now()
    lifted = Lockout.objects.filter(user=user).in_force().update(unlocked_at=now, unlocked_by=acting_user)
    if lifted:
        record(acting_user, "official.unlocked", user, source="accounts", request=request)
    return lifted


@transaction.atomic
def reset_second_factor(user: User, *, acting_user: User | None, request: HttpRequest | None = None) -> None:
    """Forget a lost authenticator: the official enrols a new one at next login, and is logged out now."""
    _require_manager(acting_user)
    TotpDevice.objects.filter(user=user).delete()
    sessions.end_all(user)
    record(acting_user, "official.second_factor_reset", user, source="accounts", request=request)

"""The officials the history's events pass through: posted once, by role, level, department and area."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models

from himaccess.accounts.models import Level, Posting, Role, User
from himaccess.catalog.models import ServiceVersion
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody
from himaccess.grievances.models import Category, LadderLevel

HELPLINE_AGENTS = 20

# Roles posted for a place whatever the department: their posts carry none.
GENERAL_ROLES = frozenset(
    {Role.PATWARI, Role.TEHSILDAR, Role.SDM, Role.DEPUTY_COMMISSIONER, Role.BDO, Role.PANCHAYAT_SECRETARY}
)
# The level of the area an application's stage officer is posted to.
STAGE_LEVEL = {
    Role.PATWARI: Level.TEHSIL,
    Role.TEHSILDAR: Level.TEHSIL,
    Role.SDM: Level.TEHSIL,
    Role.DEPUTY_COMMISSIONER: Level.DISTRICT,
    Role.DISTRICT_WELFARE_OFFICER: Level.DISTRICT,
    Role.DEPARTMENT_OFFICER: Level.DISTRICT,
    Role.PANCHAYAT_SECRETARY: Level.PANCHAYAT,
    Role.BDO: Level.BLOCK,
}
_AREA_FIELD = {
    Level.DISTRICT: "district_id",
    Level.TEHSIL: "tehsil_id",
    Level.BLOCK: "block_id",
    Level.PANCHAYAT: "panchayat_id",
    Level.URBAN_BODY: "urban_body_id",
}


@dataclass(frozen=True)
class Officials:
    """The history's officials by (role, level, department, area LGD code; 0 for the state)."""

    by_post: dict[tuple[str, str, str, int], int]
    agents: list[int]

    def holder(self, role: str, level: str, department: str, area: int | None) -> int | None:
        if area is None:
            return None
        found = self.by_post.get((role, level, department, area))
        return found if found is not None else self.by_post.get((role, level, "", area))


def _areas(level: str) -> list[int]:
    model: type[models.Model] = {
        Level.DISTRICT: District,
        Level.TEHSIL: Tehsil,
        Level.BLOCK: Block,
        Level.PANCHAYAT: Panchayat,
        Level.URBAN_BODY: UrbanBody,
    }[Level(level)]
    return sorted(model._default_manager.values_list("pk", flat=True))


def _posts_needed(versions: Sequence[ServiceVersion]) -> set[tuple[str, str, str]]:
    """(role, level, department) of every post the history's events pass through."""
    posts: set[tuple[str, str, str]] = {(Role.LOK_MITRA_OPERATOR, Level.TEHSIL, "")}
    for version in versions:
        for stage in version.stages:
            department = "" if stage["role"] in GENERAL_ROLES else stage.get("department", "")
            posts.add((stage["role"], STAGE_LEVEL[stage["role"]], department))
    for category in Category.objects.filter(children__isnull=True, active=True):
        department = "" if category.handler_role in GENERAL_ROLES else category.department_id
        posts.add((category.handler_role, category.handler_level, department))
    for rung in LadderLevel.objects.exclude(role=Role.STATE_ADMIN):
        department = "" if rung.role in GENERAL_ROLES else rung.department_id
        posts.add((rung.role, rung.area_level, department))
    # Pensions are sanctioned by the welfare officer of the department that runs them.
    posts.add((Role.DISTRICT_WELFARE_OFFICER, Level.DISTRICT, "social_justice"))
    return posts


def post_officials(versions: Sequence[ServiceVersion], since: datetime) -> Officials:
    """Create (once) an official for every post and area the history needs; return them by post."""
    wanted: dict[str, tuple[str, str, str, int]] = {}
    for role, level, department in sorted(_posts_needed(versions)):
        areas = [0] if level == Level.STATE else _areas(level)
        for area in areas:
            username = f"history.{role}.{level}.{area}" + (f".{department}" if department else "")
            wanted[username] = (role, level, department, area)
    for number in range(1, HELPLINE_AGENTS + 1):
        wanted[f"history.helpline_agent.{number}"] = (
            Role.HELPLINE_AGENT,
            Level.STATE,
            "public_grievances",
            -number,
        )
    existing = dict(User.objects.filter(username__in=list(wanted)).values_list("username", "pk"))
    missing = [name for name in wanted if name not in existing]
    if missing:
        users = User.objects.bulk_create(
            [
                # No usable password and no second factor: these logins exist for the record only.
                User(
                    username=name,
                    password=make_password(None),
                    kind=User.Kind.OFFICIAL,
                    preferred_language="hi",
                )
                for name in missing
            ],
            batch_size=1000,
        )
        if any(user.pk is None for user in users):  # backends that do not return keys
            users = list(User.objects.filter(username__in=missing))
        district_of = dict(Tehsil.objects.values_list("pk", "district_id"))
        postings = []
        for user in users:
            role, level, department, area = wanted[user.username]
            columns: dict[str, Any] = {}
            if level != Level.STATE:
                columns[_AREA_FIELD[Level(level)]] = area
                if level == Level.TEHSIL:
                    columns["district_id"] = district_of[area]
            postings.append(
                Posting(
                    user=user,
                    role=role,
                    level=level,
                    department_id=department or None,
                    started_at=since,
                    **columns,
                )
            )
        Posting.objects.bulk_create(postings, batch_size=1000)
        existing.update({user.username: user.pk for user in users})
    by_post: dict[tuple[str, str, str, int], int] = {}
    agents: list[int] = []
    for name, (role, level, department, area) in wanted.items():
        if role == Role.HELPLINE_AGENT:
            agents.append(existing[name])
        else:
            by_post[(role, level, department, area)] = existing[name]
    return Officials(by_post, agents)

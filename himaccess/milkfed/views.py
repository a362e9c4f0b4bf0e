"""Milkfed's pages under /departments/milkfed/: societies (for their secretary and Milkfed officials)
and a family's milk statements (for the family)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from himaccess.authenticated import AuthenticatedRequest
from himaccess.lib.text import has_control_character
from himaccess.milkfed import access, actions, collections
from himaccess.milkfed.forms import ApplyForm, RegisterFarmerForm, StatusForm, UploadForm
from himaccess.milkfed.models import DairyFarmer, Membership, QualityRule, Statement, Upload
from himaccess.registry.models import Member


@login_required
@require_GET
def societies(request: AuthenticatedRequest) -> HttpResponse:
    found = access.societies_for(request.user).select_related("district").order_by("code")[:500]
    if not found:
        raise PermissionDenied
    return render(request, "milkfed/societies.html", {"societies": found})


def _society_context(request: AuthenticatedRequest, code: str, **forms: Any) -> dict[str, Any]:
    society = access.get_society_for(request.user, code)
    month = timezone.localdate().replace(day=1)
    members = (
        Membership.objects.filter(society=society, left_on__isnull=True)
        .select_related("farmer__member")
        .order_by("farmer__member__name_en")
    )
    litres = dict(
        society.collections.filter(date__gte=month)
        .values("farmer_id")
        .annotate(total=Sum("litres_x100"))
        .values_list("farmer_id", "total")
    )
    return {
        "society": society,
        "members": [
            {"membership": m, "member": m.farmer.member, "litres": (litres.get(m.farmer_id) or 0) / 100}
            for m in members
        ],
        "uploads": Upload.objects.filter(society=society).order_by("-posted_at")[:10],
        "statements": Statement.objects.filter(society=society).select_related("farmer__member")[:60],
        "may_record": access.may_register_in(request.user, society),
        "is_official": access.is_milkfed_official(request.user),
        "register_form": forms.get("register_form") or RegisterFarmerForm(),
        "upload_form": forms.get("upload_form") or UploadForm(),
        "status_form": StatusForm(initial={"status": society.status}),
        "row_errors": forms.get("row_errors", []),
        "csv_header": ",".join(collections.FIELDS),
    }


@login_required
@require_GET
def society(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return render(request, "milkfed/society.html", _society_context(request, code))


@login_required
@require_POST
def register_farmer(request: AuthenticatedRequest, code: str) -> HttpResponse:
    target = access.get_society_for(request.user, code)
    if not access.may_register_in(request.user, target):
        raise PermissionDenied
    form = RegisterFarmerForm(request.POST)
    if form.is_valid():
        member = Member.objects.filter(member_id=form.cleaned_data["member_id"]).first()
        if member is None:
            form.add_error("member_id", _("No member has that Member ID."))
        else:
            try:
                actions.register_farmer(
                    member, target, joined_on=form.cleaned_data["joined_on"], acting_user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The dairy farmer is registered."))
                return redirect("milkfed:society", code=target.code)
    return render(
        request, "milkfed/society.html", _society_context(request, code, register_form=form), status=422
    )


def read_csv(data: bytes) -> list[dict[str, str]] | str:
    """The rows of a CSV file, or the reason it cannot be read (in the reader's language)."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("The file is not UTF-8 text. Save it as CSV (UTF-8) and upload it again.")
    if has_control_character(content.replace("\r", "").replace("\n", "").replace("\t", "")):
        return _("The file contains a control character, which is never part of valid input.")
    reader = csv.DictReader(io.StringIO(content))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if sorted(header) != sorted(collections.FIELDS):
        return _("The first line must name the columns: %(fields)s.") % {
            "fields": ",".join(collections.FIELDS)
        }
    reader.fieldnames = header
    try:
        return [dict(row) for row in reader]
    except csv.Error:
        return _("The file is not a valid CSV file.")


@login_required
@require_POST
def upload(request: AuthenticatedRequest, code: str) -> HttpResponse:
    target = access.get_society_for(request.user, code)
    if not access.may_register_in(request.user, target):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)
    row_errors: list[collections.RowError] = []
    if form.is_valid():
        rows = read_csv(form.cleaned_data["file"])
        if isinstance(rows, str):
            form.add_error("file", rows)
        else:
            # A row with a missing or extra column reads as None: refused as a missing value.
            cleaned: list[Any] = [
                {k: (v if isinstance(v, str) else "") for k, v in row.items() if k} for row in rows
            ]
            try:
                posted = collections.post(
                    target, cleaned, via=Upload.Via.CSV, acting_user=request.user, from_text=True
                )
            except collections.UploadRefused as refusal:
                form.add_error("file", refusal.message)
                row_errors = refusal.errors
            else:
                messages.success(
                    request,
                    _("%(written)s rows recorded, %(unchanged)s already recorded.")
                    % {"written": posted.written, "unchanged": posted.unchanged},
                )
                return redirect("milkfed:society", code=target.code)
    context = _society_context(request, code, upload_form=form, row_errors=row_errors)
    return render(request, "milkfed/society.html", context, status=422)


@login_required
@require_POST
def set_status(request: AuthenticatedRequest, code: str) -> HttpResponse:
    target = access.get_society_for(request.user, code)
    if not access.is_milkfed_official(request.user) or not access.may_register_in(request.user, target):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if not form.is_valid():
        return render(request, "milkfed/society.html", _society_context(request, code), status=422)
    actions.set_society_status(target, form.cleaned_data["status"], acting_user=request.user)
    messages.success(request, _("The society's status is saved."))
    return redirect("milkfed:society", code=target.code)


def _family_context(
    request: AuthenticatedRequest, family_id: str, form: ApplyForm | None = None
) -> dict[str, Any]:
    family = access.citizen_family(request.user, family_id)
    members = list(family.living_members().order_by("name_en"))
    language = request.LANGUAGE_CODE
    farmers = {f.member_id: f for f in DairyFarmer.objects.filter(member__in=members)}
    statements = (
        Statement.objects.filter(farmer__in=farmers.values())
        .select_related("farmer__member", "society")
        .order_by("-month", "farmer__member__name_en")[:48]
    )
    memberships = {
        m.farmer_id: m
        for m in Membership.objects.filter(farmer__in=farmers.values(), left_on__isnull=True).select_related(
            "society"
        )
    }
    choices = [(m.member_id, m.name_in(language)) for m in members if m.pk not in farmers]
    return {
        "family": family,
        "farmers": [{"member": f.member, "membership": memberships.get(f.pk)} for f in farmers.values()],
        "statements": statements,
        "form": form or ApplyForm(members=choices),
        "can_apply": bool(choices),
        "quality_rules": QualityRule.objects.order_by("animal", "-valid_from"),
    }


@login_required
@require_GET
def family(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    return render(request, "milkfed/family.html", _family_context(request, family_id))


@login_required
@require_POST
def apply(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    """A citizen registers a member of their own family as a dairy farmer of a society."""
    context = _family_context(request, family_id)
    choices = [(value, label) for value, label in context["form"].fields["member"].choices]
    form = ApplyForm(request.POST, members=choices)
    if form.is_valid():
        member = context["family"].living_members().filter(member_id=form.cleaned_data["member"]).first()
        try:
            if member is None:
                raise PermissionDenied
            actions.register_farmer(
                member,
                form.cleaned_data["society"],
                joined_on=form.cleaned_data["joined_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The dairy farmer is registered."))
            return redirect("milkfed:family", family_id=context["family"].family_id)
    return render(request, "milkfed/family.html", _family_context(request, family_id, form), status=422)

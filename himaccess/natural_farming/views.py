"""Natural farming pages: the family's view, the officials' desk and farmer pages, the centre, the figures.

Every lookup goes through ``access`` (outside the caller's scope is a 404);
a domain refusal re-renders the page with the message and status 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest, user_or_none
from himaccess.natural_farming import access, actions, figures, forms
from himaccess.natural_farming.models import Farmer, ProcurementWindow, Weighment

READ_PURPOSE = gettext_noop("natural farming registration")


def _language() -> str:
    return get_language() or "en"


def _refused(error: ValidationError) -> str:
    return " ".join(error.messages)


# ------------------------------------------------------------- the family


def _family_farmers(family: Any) -> list[Farmer]:
    return list(
        Farmer.objects.filter(member__family=family)
        .select_related("member")
        .prefetch_related("parcels__village", "steps__official", "weighments__window__centre", "payments")
    )


@login_required
@require_http_methods(["GET", "POST"])
def family(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    """A family's natural farmers; the family registers its members here."""
    user = request.user
    found = access.get_family_for(user, family_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            member = access.get_member_to_register(user, request.POST.get("member_id", "")[:20])
            actions.register_farmer(member, acting_user=user)
        except ValidationError as exc:
            error, status = _refused(exc), 400
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, _("Registered. An agriculture official of your area will verify the land.")
            )
            return redirect("natural_farming:family", family_id=found.family_id)
    if user.active_posting is not None:
        access_log.record_read(family=found, purpose=READ_PURPOSE, user=user, request=request)
    farmers = _family_farmers(found)
    registered = {f.member_id for f in farmers}
    context = {
        "family": found,
        "farmers": farmers,
        "unregistered": [m for m in found.living_members() if m.pk not in registered],
        "error": error,
        "parcel_form": forms.ParcelForm(),
    }
    return render(request, "natural_farming/family.html", context, status=status)


# ------------------------------------------------------------- officials


@login_required
@require_http_methods(["GET", "POST"])
def desk(request: AuthenticatedRequest) -> HttpResponse:
    """An agriculture official's farmers, and registration by Member ID; an operator's centres."""
    user = request.user
    centres = list(access.centres_operated_by(user))
    if not access.is_agriculture_official(user):
        if centres:
            return render(request, "natural_farming/desk.html", {"centres": centres, "official": False})
        if not user.is_official:
            return redirect("registry:my_family")
        raise Http404
    form = forms.RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            member = access.get_member_to_register(user, form.cleaned_data["member_id"])
            farmer = actions.register_farmer(member, acting_user=user)
        except Http404:
            form.add_error("member_id", _("No living member of a family in your area has this Member ID."))
        except ValidationError as exc:
            form.add_error("member_id", exc)
        else:
            return redirect("natural_farming:farmer", reference=farmer.reference)
    if request.method == "POST":
        status = 400
    farmers = access.farmers_visible_to(user).select_related("member")[:200]
    context = {
        "form": form,
        "farmers": farmers,
        "centres": centres,
        "official": True,
        "may_pay": access.may_certify(user),
    }
    return render(request, "natural_farming/desk.html", context, status=status)


def _farmer_page(
    request: AuthenticatedRequest, farmer: Farmer, *, error: str = "", status: int = 200, **bound: Any
) -> HttpResponse:
    context = {
        "farmer": farmer,
        "member": farmer.member,
        "parcels": farmer.parcels.select_related("village"),
        "steps": farmer.steps.select_related("official"),
        "weighments": farmer.weighments.select_related("window__centre", "payment"),
        "payments": farmer.payments.all(),
        "is_official": access.is_agriculture_official(request.user),
        "may_edit_land": actions.may_edit_land(request.user, farmer),
        "may_certify": access.may_certify(request.user),
        "parcel_form": bound.get("parcel_form", forms.ParcelForm()),
        "certification_form": bound.get(
            "certification_form", forms.CertificationForm(initial={"on": timezone.localdate()})
        ),
        "error": error,
    }
    return render(request, "natural_farming/farmer.html", context, status=status)


@login_required
@require_GET
def farmer(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    found = access.get_farmer_for(request.user, reference)
    if request.user.active_posting is not None:
        access_log.record_read(
            family=found.member.family, purpose=READ_PURPOSE, user=request.user, request=request
        )
    return _farmer_page(request, found)


@login_required
@require_POST
def add_parcel(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    found = access.get_farmer_for(request.user, reference)
    form = forms.ParcelForm(request.POST)
    if form.is_valid():
        try:
            actions.add_parcel(
                found,
                village_lgd_code=form.cleaned_data["village"],
                khasra=form.cleaned_data["khasra"],
                area=form.cleaned_data["area"],
                unit=form.cleaned_data["unit"],
                acting_user=request.user,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            return _farmer_page(request, found, error=_refused(exc), status=400, parcel_form=form)
        messages.success(request, _("The land parcel was recorded."))
        return redirect("natural_farming:farmer", reference=found.reference)
    return _farmer_page(request, found, status=400, parcel_form=form)


@login_required
@require_POST
def certify(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    found = access.get_farmer_for(request.user, reference)
    if not access.is_agriculture_official(request.user):
        raise Http404
    form = forms.CertificationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.move_certification(
                found,
                data["to_status"],
                on=data["on"],
                valid_until=data["valid_until"],
                note=data["note"],
                acting_user=request.user,
            )
        except PermissionDenied:
            return _farmer_page(
                request,
                found,
                error=_("Certifying and lapsing are for the district's officials."),
                status=403,
            )
        except ValidationError as exc:
            return _farmer_page(request, found, error=_refused(exc), status=400, certification_form=form)
        messages.success(request, _("The certification step was recorded."))
        return redirect("natural_farming:farmer", reference=found.reference)
    return _farmer_page(request, found, status=400, certification_form=form)


@login_required
@require_POST
def pay(request: AuthenticatedRequest) -> HttpResponse:
    """A district official pays their district's farmers (a state official, everyone's)."""
    posting = access.agriculture_posting(request.user)
    if posting is None or not access.may_certify(request.user):
        raise Http404
    run = actions.run_payments(acting_user=request.user, district_id=posting.district_id)
    messages.success(
        request,
        _(
            "%(paid)s farmers paid Rs %(amount)s; %(held)s without a bank account on the register "
            "were not paid."
        )
        % {"paid": run.paid, "amount": run.amount, "held": run.held_no_account},
    )
    return redirect("natural_farming:desk")


# ------------------------------------------------------------ the centre


def _centre_page(
    request: AuthenticatedRequest,
    centre: Any,
    form: forms.WeighmentForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    windows = ProcurementWindow.objects.filter(centre=centre, closes_on__gte=today).order_by("opens_on")
    weighed = Weighment.objects.filter(window__centre=centre, weighed_at__date=today).select_related(
        "farmer__member", "window"
    )
    context = {"centre": centre, "windows": windows, "weighments": weighed, "form": form, "error": error}
    return render(request, "natural_farming/centre.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def centre(request: AuthenticatedRequest, code: str) -> HttpResponse:
    found = access.get_centre_for_operator(request.user, code)
    form = forms.WeighmentForm(request.POST or None)
    if request.method != "POST":
        return _centre_page(request, found, form)
    if not form.is_valid():
        return _centre_page(request, found, form, status=400)
    data = form.cleaned_data
    try:
        weighment = actions.record_weighment(
            found,
            farmer_identifier=data["farmer"],
            crop=data["crop"],
            kg=data["kg"],
            moisture_percent=data["moisture_percent"],
            quality_note=data["quality_note"],
            acting_user=request.user,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return _centre_page(request, found, form, error=_refused(exc), status=400)
    messages.success(
        request,
        _("Weighed: %(kg)s kg, Rs %(amount)s due (receipt %(reference)s).")
        % {"kg": weighment.kg, "amount": weighment.amount, "reference": weighment.reference},
    )
    return redirect("natural_farming:centre", code=found.code)


# ------------------------------------------------------------ the figures


@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    user = user_or_none(request)
    complete = user is not None and access.is_agriculture_official(user)
    season = request.GET.get("season", "")[:20]
    result = figures.compute(season=season or None, language=_language(), complete=complete)
    return render(request, "natural_farming/figures.html", {"figures": result, "complete": complete})

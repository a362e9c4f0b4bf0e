"""e-KYC pages: consent, verification, the campaign, pending lists, reviews and the path without Aadhaar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from himaccess.accounts import otp
from himaccess.authenticated import AuthenticatedRequest
from himaccess.geography.models import Panchayat
from himaccess.kyc import actions, campaign, charts
from himaccess.kyc.access import (
    campaign_filter,
    is_operator,
    member_for_kyc,
    member_for_official,
    reviewer_families,
)
from himaccess.kyc.forms import (
    AadhaarForm,
    AlternativeForm,
    AreaForm,
    CodeForm,
    MemberIdForm,
    OfflineForm,
    ReviewDecisionForm,
    UidaiOtpForm,
)
from himaccess.kyc.models import KycReview, KycState
from himaccess.kyc.providers import ProviderError
from himaccess.lib import identifiers
from himaccess.registry.access import family_of_citizen
from himaccess.registry.models import Family, Member

CONSENT_KEY = "kyc.consent"
OTP_KEY = "kyc.otp"


def _language() -> str:
    return "hi" if (get_language() or "hi").startswith("hi") else "en"


def _refused(
    request: AuthenticatedRequest, template: str, context: dict[str, Any], exc: Exception
) -> HttpResponse:
    if isinstance(exc, otp.Throttled):
        response = render(request, template, {**context, "throttled": True}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    assert isinstance(exc, actions.KycRefused)
    return render(request, template, {**context, "error": exc.message}, status=400)


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    """A citizen's family and where each member stands; an operator's box for a Member ID."""
    if is_operator(request.user):
        form = MemberIdForm(request.GET or None)
        if form.is_valid():
            member = member_for_kyc(request.user, form.cleaned_data["member_id"])
            return redirect("kyc:consent", member_id=member.member_id)
        return render(request, "kyc/operator.html", {"form": form}, status=400 if form.errors else 200)
    if campaign_filter(request.user) is not None:
        return redirect("kyc:campaign")
    family = None if request.user.is_official else family_of_citizen(request.user)
    if family is None:
        raise Http404
    members = list(family.living_members())
    states = {s.member_id: s for s in KycState.objects.filter(member__in=members)}
    rows = [(m, states.get(m.pk), actions_allowed(request, m)) for m in members]
    return render(request, "kyc/index.html", {"family": family, "rows": rows})


def actions_allowed(request: AuthenticatedRequest, member: Member) -> bool:
    try:
        member_for_kyc(request.user, member.member_id)
    except Http404:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: AuthenticatedRequest, member_id: str) -> HttpResponse:
    """The consent screen in Hindi and English; a code to the member's number confirms it."""
    member = member_for_kyc(request.user, member_id)
    context: dict[str, Any] = {"member": member, "form": CodeForm(), "sent": False}
    template = "kyc/consent.html"
    if request.method == "POST" and "send" in request.POST:
        try:
            context["masked_mobile"] = actions.ask_consent(member, acting_user=request.user, request=request)
        except (actions.KycRefused, otp.Throttled) as exc:
            return _refused(request, template, context, exc)
        context["sent"] = True
    elif request.method == "POST":
        form = CodeForm(request.POST)
        context.update(form=form, sent=True)
        if not form.is_valid():
            return render(request, template, context, status=400)
        try:
            given = actions.give_consent(
                member,
                form.cleaned_data["code"],
                acting_user=request.user,
                language=_language(),
                request=request,
            )
        except (actions.KycRefused, otp.Throttled) as exc:
            return _refused(request, template, context, exc)
        request.session[CONSENT_KEY] = {"id": given.pk, "member": member.member_id}
        request.session.pop(OTP_KEY, None)
        return redirect("kyc:verify", member_id=member.member_id)
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedRequest, member_id: str) -> HttpResponse:
    """Aadhaar OTP (number, then UIDAI's OTP) or the offline file; each spends the consent once."""
    member = member_for_kyc(request.user, member_id)
    try:
        given = actions.usable_consent(
            (request.session.get(CONSENT_KEY) or {}).get("id"), member, request.user
        )
    except actions.KycRefused:
        return redirect("kyc:consent", member_id=member.member_id)
    step = request.POST.get("step", "")
    pending_otp = request.session.get(OTP_KEY) or {}
    context: dict[str, Any] = {
        "member": member,
        "aadhaar_form": AadhaarForm(),
        "otp_form": UidaiOtpForm(),
        "offline_form": OfflineForm(),
        "awaiting_otp": pending_otp.get("member") == member.member_id,
    }
    template = "kyc/verify.html"
    if request.method == "GET":
        return render(request, template, context)
    try:
        if step == "aadhaar":
            form = AadhaarForm(request.POST)
            context["aadhaar_form"] = form
            if not form.is_valid():
                return render(request, template, context, status=400)
            reference, txn = actions.start_otp(
                member, given, form.cleaned_data["aadhaar"], acting_user=request.user
            )
            request.session[OTP_KEY] = {"member": member.member_id, "ref": reference, "txn": txn}
            return render(request, template, {**context, "awaiting_otp": True})
        if step == "otp" and context["awaiting_otp"]:
            otp_form = UidaiOtpForm(request.POST)
            context["otp_form"] = otp_form
            if not otp_form.is_valid():
                return render(request, template, context, status=400)
            verdict = actions.finish_otp(
                member,
                given,
                pending_otp["ref"],
                pending_otp["txn"],
                otp_form.cleaned_data["otp"],
                acting_user=request.user,
            )
        elif step == "offline":
            offline_form = OfflineForm(request.POST, request.FILES)
            context["offline_form"] = offline_form
            if not offline_form.is_valid():
                return render(request, template, context, status=400)
            upload = offline_form.cleaned_data["file"]
            if upload.size > settings.KYC_OFFLINE_MAX_UPLOAD_BYTES:
                raise actions.KycRefused(ProviderError("zip_too_large").message, code="zip_too_large")
            verdict = actions.verify_offline(
                member,
                given,
                upload.read(),
                offline_form.cleaned_data["share_code"],
                acting_user=request.user,
            )
        else:
            return render(request, template, context, status=400)
    except actions.KycRefused as exc:
        return _refused(request, template, context, exc)
    request.session.pop(CONSENT_KEY, None)
    request.session.pop(OTP_KEY, None)
    return render(request, "kyc/result.html", {"member": member, "verdict": verdict})


# ------------------------------------------------------------------ officials


def _area(request: AuthenticatedRequest) -> tuple[int | None, int | None]:
    form = AreaForm(request.GET)
    if not form.is_valid():
        raise Http404
    return form.cleaned_data.get("district"), form.cleaned_data.get("block")


@login_required
def campaign_page(request: AuthenticatedRequest) -> HttpResponse:
    if campaign_filter(request.user) is None:
        raise Http404
    district, block = _area(request)
    language = _language()
    level, rows, total = campaign.progress(request.user, district=district, block=block, language=language)
    points = campaign.trend(request.user, district=district, block=block, members=total.members)
    context = {
        "level": level,
        "rows": rows,
        "total": total,
        "points": points,
        "district": district,
        "block": block,
        "progress_svg": charts.progress_chart(rows, table_id="progress-table"),
        "trend_svg": charts.trend_chart(points, table_id="trend-table"),
        "panchayats": level == "panchayat",
    }
    return render(request, "kyc/campaign.html", context)


@login_required
def pending_list(request: AuthenticatedRequest, panchayat: int) -> HttpResponse:
    """Members still pending in one gram panchayat, to print for a camp."""
    condition = campaign_filter(request.user)
    if condition is None:
        raise Http404
    families = Family.objects.filter(condition, panchayat_id=panchayat)
    place = Panchayat.objects.filter(pk=panchayat).first()
    if place is None or not families.exists():
        raise Http404
    members = campaign.pending_members(place, families)
    return render(
        request, "kyc/pending_list.html", {"panchayat": place, "members": members, "language": _language()}
    )


@login_required
def reviews(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.active_posting is None:
        raise Http404
    rows = KycReview.objects.visible_to(request.user).open().select_related("member", "family")[:200]
    return render(request, "kyc/reviews.html", {"reviews": rows})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Register and Aadhaar values side by side; the official corrects the register or keeps it."""
    found = (
        KycReview.objects.visible_to(request.user)
        .select_related("member", "family", "check_made")
        .filter(reference=identifiers.normalise(reference))
        .first()
    )
    if found is None:
        raise Http404
    form = ReviewDecisionForm(request.POST or None)
    context = {"review": found, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "kyc/review.html", context, status=400)
        try:
            if form.cleaned_data["decision"] == "accept":
                actions.accept_review(found, acting_user=request.user, note=form.cleaned_data["note"])
            else:
                actions.reject_review(found, acting_user=request.user, note=form.cleaned_data["note"])
        except actions.KycRefused as exc:
            return _refused(request, "kyc/review.html", context, exc)
        return redirect(reverse("kyc:reviews"))
    return render(request, "kyc/review.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def without_aadhaar(request: AuthenticatedRequest, member_id: str) -> HttpResponse:
    """An official records a resident without Aadhaar as verified by ration card or in person."""
    if not reviewer_families(request.user).exists():
        raise Http404
    member = member_for_official(request.user, member_id)
    form = AlternativeForm(request.POST or None)
    context = {"member": member, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "kyc/without_aadhaar.html", context, status=400)
        try:
            actions.verify_without_aadhaar(member, acting_user=request.user, **form.cleaned_data)
        except actions.KycRefused as exc:
            return _refused(request, "kyc/without_aadhaar.html", context, exc)
        return render(request, "kyc/without_aadhaar.html", {**context, "done": True})
    return render(request, "kyc/without_aadhaar.html", context)

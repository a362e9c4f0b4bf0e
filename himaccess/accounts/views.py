"""Login pages: the choice, citizens' mobile code, officials' password and TOTP, logout."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from himaccess.accounts import authentication, citizens, otp, totp
from himaccess.accounts.forms import CodeForm, MobileForm, PasswordLoginForm
from himaccess.accounts.models import OtpPurpose, User
from himaccess.notifications import sms

CITIZEN_MOBILE_KEY = "accounts.citizen_mobile"
NEXT_KEY = "accounts.next"
ISSUER = "Him Access HP"


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _remember_next(request: HttpRequest) -> None:
    target = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if target:
        request.session[NEXT_KEY] = target


def after_login(request: HttpRequest) -> HttpResponse:
    """Where a person goes once logged in: the page they asked for (on this site) or their home."""
    target = request.session.pop(NEXT_KEY, None)
    return HttpResponseRedirect(_safe_next(request, target) or reverse(settings.LOGIN_REDIRECT_URL))


def _throttled(request: HttpRequest, template: str, context: dict[str, Any], wait: int) -> HttpResponse:
    message = _("Too many attempts. Please wait %(minutes)s minutes and try again.") % {
        "minutes": max(1, round(wait / 60))
    }
    context["extra_errors"] = [message]
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _masked(mobile: str) -> str:
    return f"XXXXXX{mobile[-4:]}"


@require_http_methods(["GET"])
def login_choice(request: HttpRequest) -> HttpResponse:
    _remember_next(request)
    return render(request, "accounts/login.html")


@require_http_methods(["GET", "POST"])
def citizen_login(request: HttpRequest) -> HttpResponse:
    _remember_next(request)
    form = MobileForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/citizen_login.html", context, status=400)
        mobile = form.cleaned_data["mobile"]
        try:
            otp.issue(mobile, OtpPurpose.LOGIN, request)
        except otp.Throttled as exc:
            return _throttled(request, "accounts/citizen_login.html", context, exc.retry_after)
        request.session[CITIZEN_MOBILE_KEY] = mobile
        return redirect("accounts:citizen_verify")
    return render(request, "accounts/citizen_login.html", context)


@require_http_methods(["GET", "POST"])
def citizen_verify(request: HttpRequest) -> HttpResponse:
    mobile = request.session.get(CITIZEN_MOBILE_KEY)
    if not mobile:
        return redirect("accounts:citizen_login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "form": form,
        "masked_mobile": _masked(mobile),
        "sms_file": sms.file_path() if settings.SMS_BACKEND == "file" else None,
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/citizen_verify.html", context, status=400)
        try:
            ok = otp.verify(mobile, OtpPurpose.LOGIN, form.cleaned_data["code"], request)
        except otp.Throttled as exc:
            return _throttled(request, "accounts/citizen_verify.html", context, exc.retry_after)
        user = authentication.citizen_for_mobile(mobile, request.LANGUAGE_CODE) if ok else None
        if user is None or not user.is_active:
            form.add_error(
                "code", _("This code is not right, or it has expired. Check the SMS or ask for a new code.")
            )
            return render(request, "accounts/citizen_verify.html", context, status=400)
        request.session.pop(CITIZEN_MOBILE_KEY, None)
        authentication.complete_login(request, user, second_factor=False)
        # The register links the login to its member and says where the citizen goes next.
        return citizens.landing(request, user)
    return render(request, "accounts/citizen_verify.html", context)


@login_required
@require_http_methods(["GET"])
def not_enrolled(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/not_enrolled.html")


@require_http_methods(["GET", "POST"])
def official_login(request: HttpRequest) -> HttpResponse:
    _remember_next(request)
    # Bound on every POST, an empty one too: the refusal below is added to a bound form only.
    form = PasswordLoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        user = None
        if form.is_valid():
            user = authentication.check_password(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        if user is None:
            form.add_error(
                None,
                _(
                    "The username or password is not right, or the account is locked for a while "
                    "after too many attempts."
                ),
            )
            return render(request, "accounts/official_login.html", {"form": form}, status=400)
        authentication.remember_password_passed(request, user)
        device = getattr(user, "totp_device", None)
        return redirect("accounts:official_totp" if device and device.is_confirmed else "accounts:totp_enrol")
    return render(request, "accounts/official_login.html", {"form": form})


def _finish_official(request: HttpRequest, user: User) -> HttpResponse:
    if user.is_suspended:
        request.session.pop(authentication.PENDING_KEY, None)
        return render(request, "accounts/suspended.html", status=403)
    authentication.complete_login(request, user, second_factor=True)
    return after_login(request)


@require_http_methods(["GET", "POST"])
def official_totp(request: HttpRequest) -> HttpResponse:
    user = authentication.pending_official(request)
    if user is None:
        return redirect("accounts:official_login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid() and authentication.check_totp(request, user, form.cleaned_data["code"]):
            return _finish_official(request, user)
        form.add_error("code", _("This code is not right. Enter the code your authenticator app shows now."))
        return render(request, "accounts/official_totp.html", {"form": form}, status=400)
    return render(request, "accounts/official_totp.html", {"form": form})


@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    user = authentication.pending_official(request)
    if user is None:
        return redirect("accounts:official_login")
    device = authentication.device_for_enrolment(user)
    if device.is_confirmed:
        return redirect("accounts:official_totp")
    uri = totp.provisioning_uri(device.secret, account=user.username, issuer=ISSUER)
    form = CodeForm(request.POST if request.method == "POST" else None)
    context = {
        "form": form,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=4, border=2),
        "secret_groups": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
    }
    if request.method == "POST":
        if form.is_valid() and authentication.check_totp(
            request, user, form.cleaned_data["code"], enrolling=True
        ):
            return _finish_official(request, user)
        form.add_error("code", _("This code is not right. Check that the app was set up with this key."))
        return render(request, "accounts/totp_enrol.html", context, status=400)
    return render(request, "accounts/totp_enrol.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def confirm_code(request: HttpRequest) -> HttpResponse:
    """A fresh code for a sensitive step (``otp.require_fresh`` sends people here and back)."""
    user = request.user
    assert isinstance(user, User)
    purpose = request.POST.get("purpose") or request.GET.get("purpose") or ""
    if purpose not in OtpPurpose.values or purpose == OtpPurpose.LOGIN or not user.mobile:
        return render(request, "accounts/confirm_code.html", {"invalid": True}, status=400)
    target = _safe_next(request, request.POST.get("next") or request.GET.get("next")) or reverse("home")
    form = CodeForm(request.POST if "code" in request.POST else None)
    context: dict[str, Any] = {
        "form": form,
        "purpose": purpose,
        "purpose_label": OtpPurpose(purpose).label,
        "next": target,
        "masked_mobile": _masked(user.mobile),
        "sent": "code" in request.POST,
    }
    if request.method == "POST" and "send" in request.POST:
        try:
            otp.issue(user.mobile, purpose, request)
        except otp.Throttled as exc:
            return _throttled(request, "accounts/confirm_code.html", context, exc.retry_after)
        context["sent"] = True
    elif request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/confirm_code.html", context, status=400)
        try:
            ok = otp.verify(user.mobile, purpose, form.cleaned_data["code"], request)
        except otp.Throttled as exc:
            return _throttled(request, "accounts/confirm_code.html", context, exc.retry_after)
        if ok:
            return HttpResponseRedirect(target)
        form.add_error(
            "code", _("This code is not right, or it has expired. Check the SMS or ask for a new code.")
        )
        return render(request, "accounts/confirm_code.html", context, status=400)
    return render(request, "accounts/confirm_code.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    # Django's logout flushes the session on the server, not just the cookie.
    auth_logout(request)
    return redirect("home")

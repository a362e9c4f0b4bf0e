"""The citizen's page of departments' data requests: approve, refuse, withdraw (Hindi and English)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himaccess.accounts.models import User
from himaccess.sharing import actions
from himaccess.sharing.fields import labels

STATUS_LABELS = {
    "pending": gettext_lazy("Waiting for your answer"),
    "unanswered": gettext_lazy("Not answered in time"),
    "approved": gettext_lazy("Allowed"),
    "refused": gettext_lazy("Refused"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "expired": gettext_lazy("Expired"),
}


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


@login_required
def requests_page(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    rows = [
        {
            "consent": consent,
            "status": consent.status(),
            "status_label": STATUS_LABELS[consent.status()],
            "client": consent.client.name_in(language),
            "department": consent.client.department.name_in(language),
            "purpose": consent.purpose.name_in(language),
            "fields": labels(consent.groups()),
        }
        for consent in actions.requests_for(_user(request))
    ]
    return render(request, "sharing/requests.html", {"rows": rows})


def _answer(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    if actions.answer(_user(request), pk, approve=approve, request=request) is None:
        raise Http404
    if approve:
        messages.success(request, _("You allowed the department to read the data it asked for."))
    else:
        messages.success(request, _("You refused the request. The department cannot read this data."))
    return redirect("sharing:requests")


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, approve=True)


@login_required
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, approve=False)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    if actions.withdraw(_user(request), pk, request=request) is None:
        raise Http404
    messages.success(request, _("Consent withdrawn. The department can no longer read this data."))
    return redirect("sharing:requests")

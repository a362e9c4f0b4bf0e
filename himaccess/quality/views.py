"""The quality report for officials, and a family's own findings with their answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from himaccess.accounts.models import REGISTER_READERS
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.quality import actions
from himaccess.quality.chart import score_bars
from himaccess.quality.forms import AnswerForm
from himaccess.quality.models import Finding
from himaccess.registry.access import get_family_for
from himaccess.registry.models import Family

READ_PURPOSE = gettext_noop("data quality findings")


@login_required
def report(request: AuthenticatedRequest) -> HttpResponse:
    posting = request.user.active_posting
    if posting is None or posting.role not in REGISTER_READERS:
        raise Http404
    families = Family.objects.visible_to(request.user).active()
    districts = actions.area_scores(families, "district")
    panchayats = actions.area_scores(families, "panchayat")
    findings = Finding.objects.visible_to(request.user).open().select_related("family", "member")[:100]
    chart = mark_safe(score_bars(districts, title=_("Quality score by district")))  # noqa: S308 - every text escaped
    return render(
        request,
        "quality/report.html",
        {"districts": districts, "panchayats": panchayats, "findings": findings, "chart": chart},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_findings(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    family = get_family_for(request.user, family_id)
    findings = (
        Finding.objects.filter(family=family).open().select_related("member").prefetch_related("answers")
    )
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        # The answer is the family's own word on its record: officials of the area read the
        # findings (they settle them), but none may answer in the family's name.
        if request.user.is_official:
            raise Http404
        finding = (
            findings.filter(pk=request.POST.get("finding", "")).first()
            if request.POST.get("finding", "").isdigit()
            else None
        )
        if finding is None:
            raise Http404
        if form.is_valid():
            actions.answer_finding(finding, text=form.cleaned_data["text"], acting_user=request.user)
            messages.success(request, _("Your answer was sent to the office of your area."))
            return redirect("quality:family", family_id=family.family_id)
        status = 400
    # An official's read of the family's findings is shown to the family (a citizen's own is not logged).
    access_log.record_read(family=family, purpose=READ_PURPOSE, user=request.user, request=request)
    context = {
        "family": family,
        "findings": findings,
        "form": form,
        "score": actions.family_score(len(findings)),
    }
    return render(request, "quality/family.html", context, status=status)

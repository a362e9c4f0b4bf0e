"""The officials' review queue of possible duplicate persons."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from himaccess.accounts.models import REGISTER_READERS
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.linkage import actions
from himaccess.linkage.forms import PairDecisionForm
from himaccess.linkage.model import evidence_rows
from himaccess.linkage.models import CandidatePair

READ_PURPOSE = gettext_noop("duplicate review")


def get_pair_for(request: AuthenticatedRequest, reference: str) -> CandidatePair:
    pair = (
        CandidatePair.objects.visible_to(request.user)
        .select_related("member_l__family", "member_r__family", "member_l__father", "member_r__father")
        .filter(reference=reference)
        .first()
    )
    if pair is None:
        raise Http404
    return pair


@login_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    posting = request.user.active_posting
    if posting is None or posting.role not in REGISTER_READERS:
        raise Http404
    pairs = CandidatePair.objects.visible_to(request.user).open().select_related("member_l", "member_r")
    page = Paginator(pairs, 50).get_page(request.GET.get("page"))
    return render(request, "linkage/queue.html", {"page": page})


def _render_pair(
    request: AuthenticatedRequest, pair: CandidatePair, form: PairDecisionForm, status: int = 200
) -> HttpResponse:
    for member in (pair.member_l, pair.member_r):
        access_log.record_read(family=member.family, purpose=READ_PURPOSE, user=request.user, request=request)
    context = {
        "pair": pair,
        "form": form,
        "can_decide": pair.status == CandidatePair.Status.OPEN and actions.can_decide(request.user, pair),
        "evidence": evidence_rows(pair.evidence),
    }
    return render(request, "linkage/pair.html", context, status=status)


@login_required
def pair_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _render_pair(request, get_pair_for(request, reference), PairDecisionForm())


@login_required
@require_POST
def decide(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    pair = get_pair_for(request, reference)
    form = PairDecisionForm(request.POST)
    if not actions.can_decide(request.user, pair):
        raise Http404
    if not form.is_valid():
        return _render_pair(request, pair, form, status=400)
    try:
        actions.decide_pair(
            pair,
            same=form.cleaned_data["decision"] == "same",
            acting_user=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_pair(request, pair, form, status=400)
    messages.success(request, _("Decision recorded."))
    return redirect("linkage:queue")

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from himaccess.accounts import otp
from himaccess.accounts.models import OtpPurpose, User
from himaccess.accounts.views import after_login
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.lib.errors import Conflict
from himaccess.registry import citizen_links
from himaccess.registry.access import (
    family_of_citizen,
    get_change_request_for,
    get_family_for,
    get_member_for,
    may_change_contact,
)
from himaccess.registry.actions import corrections
from himaccess.registry.change_requests import access as request_access
from himaccess.registry.change_requests import consent, deciding, filing
from himaccess.registry.forms import (
    FORMS,
    ChooseMemberForm,
    ContactForm,
    DecisionForm,
    FamilyAnswerForm,
    FamilySearchForm,
)
from himaccess.registry.models import ChangeRequest, Family
from himaccess.registry.notices import notify_old_number
from himaccess.registry.presentation import describe_parties, describe_payload, family_context, progress
from himaccess.registry.search import find_families

# Stored as written; the access log shows it in the reader's language.
OFFICIAL_READ_PURPOSE = gettext_noop("register administration")


def _official_only(request: AuthenticatedRequest) -> None:
    if request.user.active_posting is None:
        raise Http404


@login_required
def start(request: AuthenticatedRequest) -> HttpResponse:
    """The register's front door: a citizen's own family, an official's family search."""
    return redirect("registry:search" if request.user.is_official else "registry:my_family")


@login_required
def my_family(request: AuthenticatedRequest) -> HttpResponse:
    if request.user.active_posting is not None:
        # Officials find families of their area by search; opening one is a logged official read.
        return redirect("registry:search")
    family = family_of_citizen(request.user)
    if family is None:
        # An official's login (without a posting, too) has no family of its own in the register.
        return render(request, "registry/no_family.html", status=404)
    return redirect("registry:family", family_id=family.family_id)


@login_required
def family_detail(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    family = get_family_for(request.user, family_id)
    if request.user.active_posting is not None:
        access_log.record_read(
            family=family, purpose=OFFICIAL_READ_PURPOSE, user=request.user, request=request
        )
    return render(request, "registry/family.html", family_context(family, request.user))


@login_required
@require_http_methods(["GET", "POST"])
def new_change_request(request: AuthenticatedRequest, family_id: str, kind: str) -> HttpResponse:
    family = get_family_for(request.user, family_id)
    form_class = FORMS.get(kind)
    if form_class is None or not request_access.can_file_for(request.user, family):
        raise Http404
    form = form_class(request.POST if request.method == "POST" else None, family=family)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = filing.file_change_request(
                    family,
                    kind,
                    form.payload(),
                    requested_by=request.user,
                    member=form.subject(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Your request %(reference)s has been filed.") % {"reference": change.reference}
                )
                return redirect("registry:change_request", reference=change.reference)
        status = 400
    context = {"family": family, "form": form, "kind_label": ChangeRequest.Kind(kind).label}
    return render(request, "registry/change_request_form.html", context, status=status)


def _request_context(request: AuthenticatedRequest, change: ChangeRequest) -> dict[str, Any]:
    pending = change.status == ChangeRequest.Status.PENDING
    return {
        "change": change,
        "details": describe_payload(change),
        "parties": describe_parties(change),
        "family_visible": Family.objects.visible_to(request.user).filter(pk=change.family_id).exists(),
        "steps": progress(change),
        "can_decide": request_access.can_decide(request.user, change),
        "can_answer": pending and request_access.party_for_head(request.user, change) is not None,
        "can_withdraw": pending and change.requested_by_id == request.user.pk,
        "decision_form": DecisionForm(),
    }


@login_required
def change_request_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    change = get_change_request_for(request.user, reference)
    return render(request, "registry/change_request.html", _request_context(request, change))


@login_required
@require_http_methods(["GET", "POST"])
def answer_change_request(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """The head of a family the request touches agrees or refuses, confirmed by a fresh code."""
    change = get_change_request_for(request.user, reference)
    if request_access.party_for_head(request.user, change) is None:
        raise Http404
    # Scope first: only the head is ever asked for a code, and it goes to the head's number.
    if not otp.has_fresh(request, OtpPurpose.CONSENT):
        return otp.confirm_redirect(request, OtpPurpose.CONSENT)
    form = FamilyAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not otp.consume_fresh(request, OtpPurpose.CONSENT):
            return redirect(request.get_full_path())  # the code went stale: confirm again
        agree = form.cleaned_data["answer"] == "agree"
        try:
            consent.answer_for_family(change, agree=agree, acting_user=request.user)
        except PermissionDenied:
            raise Http404 from None
        except Conflict as exc:
            return render(
                request, "registry/conflict.html", {"change": change, "message": str(exc)}, status=409
            )
        messages.success(
            request,
            _("You agreed to the request.") if agree else _("You refused the request; nothing will change."),
        )
        return redirect("registry:change_request", reference=change.reference)
    context = {**_request_context(request, change), "answer_form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/answer_change_request.html", context, status=status)


@login_required
@require_POST
def decide_change_request(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    change = get_change_request_for(request.user, reference)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                decided = deciding.approve_change_request(change, acting_user=request.user)
                if decided.status == ChangeRequest.Status.APPROVED:
                    messages.success(request, _("The request was approved and the register updated."))
                else:
                    messages.success(
                        request,
                        _("Approved for your area. An official of the other family's area must approve too."),
                    )
            else:
                deciding.reject_change_request(
                    change, reason=form.cleaned_data["reason"], acting_user=request.user
                )
                messages.success(request, _("The request was rejected."))
        except PermissionDenied:
            raise Http404 from None
        except Conflict as exc:
            return render(
                request, "registry/conflict.html", {"change": change, "message": str(exc)}, status=409
            )
        except ValidationError as exc:
            # Shown next to the form's own field (the reason), or above the form (the payload's).
            on_form = hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields)
            form.add_error(None, exc if on_form else exc.messages)
        else:
            return redirect("registry:change_request", reference=change.reference)
    context = {**_request_context(request, change), "decision_form": form}
    return render(request, "registry/change_request.html", context, status=400)


@login_required
@require_POST
def withdraw_change_request(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    change = get_change_request_for(request.user, reference)
    try:
        deciding.withdraw_change_request(change, acting_user=request.user)
    except PermissionDenied:
        raise Http404 from None
    except Conflict as exc:
        return render(request, "registry/conflict.html", {"change": change, "message": str(exc)}, status=409)
    messages.success(request, _("The request was withdrawn."))
    return redirect("registry:change_request", reference=change.reference)


@login_required
@require_http_methods(["GET", "POST"])
def change_contact(request: AuthenticatedRequest, member_id: str) -> HttpResponse:
    """A citizen changes a member's mobile number or bank account, confirmed by a fresh code."""
    if request.user.is_official:
        raise Http404
    member = get_member_for(request.user, member_id)
    if not member.is_living or not may_change_contact(request.user, member):
        raise Http404
    # Scope first: nobody is asked for a code about a member they cannot see.
    if not otp.has_fresh(request, OtpPurpose.SENSITIVE_CHANGE):
        return otp.confirm_redirect(request, OtpPurpose.SENSITIVE_CHANGE)
    form = ContactForm(request.POST if request.method == "POST" else None, member=member)
    if request.method == "POST" and form.is_valid():
        if not otp.consume_fresh(request, OtpPurpose.SENSITIVE_CHANGE):
            return redirect(request.get_full_path())  # the code went stale: confirm again
        old_mobile = member.mobile
        corrections.change_contact(member, form.changes(), acting_user=request.user)
        if old_mobile and old_mobile != member.mobile:
            notify_old_number(old_mobile, member)
            if old_mobile == request.user.mobile:
                # This login rested on the old number: its sessions, this one included, have ended.
                auth_logout(request)
                messages.success(
                    request, _("Your mobile number was changed. Log in again with the new number.")
                )
                return redirect("accounts:login")
        messages.success(request, _("The details were changed."))
        return redirect("registry:family", family_id=member.family.family_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/change_contact.html", {"member": member, "form": form}, status=status)


@login_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    _official_only(request)
    pending = (
        ChangeRequest.objects.visible_to(request.user)
        .pending()
        .with_awaited_consent()
        .select_related("family", "family__district", "requested_by")
        .order_by("created_at")
    )
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    return render(request, "registry/queue.html", {"page": page, "posting": request.user.active_posting})


@login_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    _official_only(request)
    form = FamilySearchForm(request.GET or None)
    results = None
    status = 200
    if request.GET:
        if form.is_valid():
            try:
                scope = Family.objects.visible_to(request.user).select_related("district")
                results = find_families(form.cleaned_data["q"], scope)
                # A name search reaches families through their members, without the scope's join:
                # the districts the table shows in one query, not one per family found.
                prefetch_related_objects([match.family for match in results], "district")
            except ValueError as exc:
                form.add_error("q", str(exc))
                status = 400
        else:
            status = 400
    return render(request, "registry/search.html", {"form": form, "results": results}, status=status)


def land_citizen(request: HttpRequest, user: User) -> HttpResponse:
    """Where a citizen goes once their login code is accepted (``accounts.citizens``).

    Their login is linked to their member first; with several members on the
    number they choose who they are; with none they see how to get enrolled.
    """
    if citizen_links.refresh_citizen_links(user, request=request):
        return after_login(request)
    if citizen_links.member_candidates(user).exists():
        return redirect("registry:choose_member")
    return redirect("accounts:not_enrolled")


@login_required
@require_http_methods(["GET", "POST"])
def choose_member(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or user.is_official:
        return redirect("home")
    candidates = citizen_links.member_candidates(user)
    if not candidates.exists():
        return redirect("accounts:not_enrolled")
    form = ChooseMemberForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        language=request.LANGUAGE_CODE,
    )
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "registry/choose_member.html", {"form": form}, status=400)
        citizen_links.link_citizen(user, form.cleaned_data["member"], request=request)
        return after_login(request)
    return render(request, "registry/choose_member.html", {"form": form})

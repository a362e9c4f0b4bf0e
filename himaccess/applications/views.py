from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaccess.accounts import otp
from himaccess.accounts.models import Role
from himaccess.applications import access, certificates, limits, pdf, presentation
from himaccess.applications import documents as storage
from himaccess.applications.actions import appeals, decisions, drafts, filing, issuing
from himaccess.applications.actions import consent as applications_consent
from himaccess.applications.actions import records as applications_records
from himaccess.applications.forms import (
    AppealDecisionForm,
    AppealForm,
    ApplicationForm,
    ConsentCodeForm,
    ConsentStartForm,
    DecisionForm,
    RevokeForm,
    VerifyForm,
)
from himaccess.applications.models import Action, Application, Certificate, Document, Status
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.catalog.models import Service
from himaccess.lib import identifiers, signing
from himaccess.lib.errors import Conflict, NotAllowed
from himaccess.registry.models import Family

OFFICIAL_READ_PURPOSE = gettext_noop("deciding a service application")


def _message(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "applications/message.html", {"title": title, "text": text}, status=status)


def _limited(request: HttpRequest, exc: limits.DailyLimitReached) -> HttpResponse:
    response = _message(request, _("Daily limit reached"), str(exc.message), 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _consent(request: AuthenticatedRequest) -> Any:
    return access.live_consent(request.user, request.session.get(access.CONSENT_SESSION_KEY))


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Choose the member to apply for; starts a draft prefilled from the register."""
    service = Service.objects.offered().filter(code=code[:20]).select_related("current_version").first()
    if service is None:
        return _message(request, _("Unknown service"), _("There is no such service in the catalogue."), 404)
    posting = request.user.active_posting
    if posting is not None and posting.role != Role.LOK_MITRA_OPERATOR:
        return _message(
            request,
            _("Residents apply for services"),
            _("An official's login cannot apply. Residents apply themselves or at a Lok Mitra Kendra."),
            403,
        )
    consent = _consent(request)
    if posting is not None and (consent is None or consent.service_id != service.pk):
        # Operators apply only with the citizen's consent to this very service.
        return redirect(f"{reverse('applications:assisted')}?{urlencode({'service': service.code})}")
    if request.method == "POST":
        member = access.get_member_to_apply_for(request.user, request.POST.get("member_id", ""), consent)
        try:
            application = drafts.start_draft(service, member, acting_user=request.user, consent=consent)
        except NotAllowed as exc:
            return _message(request, _("Cannot apply"), str(exc.message), 400)
        except limits.DailyLimitReached as exc:
            return _limited(request, exc)
        return redirect("applications:edit", number=application.number)
    family = consent.family if consent else Family.objects.visible_to(request.user).active().first()
    if family is None:
        return _message(
            request, _("No family"), _("Your login is not linked to a family in the register."), 404
        )
    members = family.living_members()
    return render(request, "applications/choose_member.html", {"service": service, "members": members})


def _form_for(
    request: AuthenticatedRequest, application: Application, data: Any = None, files: Any = None
) -> ApplicationForm:
    on_file = list(Document.objects.filter(member=application.member))
    attached = dict(application.attachments.values_list("requirement", "document_id"))
    return ApplicationForm(
        data,
        files,
        version=application.service_version,
        language=request.LANGUAGE_CODE,
        prefilled=application.prefilled,
        on_file=on_file,
        initial_answers=application.answers,
        attached=attached,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """The application form: save as draft, or submit (also after a return for correction)."""
    application = access.get_application_for(request.user, number)
    if request.user.is_official and application.assisted_by_id != request.user.pk:
        raise Http404  # officials decide applications; only the family or its assisting operator edits one
    if application.draft_has_expired():
        return _message(
            request, _("Draft expired"), _("This draft has expired. Please start a new application."), 410
        )
    if application.status not in (Status.DRAFT, Status.RETURNED):
        return redirect("applications:detail", number=application.number)
    form = _form_for(request, application, request.POST or None, request.FILES or None)
    status, retry_after = 200, 0
    if request.method == "POST":
        if form.is_valid():
            try:
                # A refusal after the upload rolls its row back; its file goes too.
                with storage.removed_on_failure() as store, transaction.atomic():
                    uploaded = {
                        code: store(upload, member=application.member, kind=code, uploaded_by=request.user)
                        for code, upload in form.uploads().items()
                    }
                    chosen = {**form.reused(), **uploaded}
                    if "save_draft" in request.POST:
                        drafts.save_draft(application, form.answers(), chosen, acting_user=request.user)
                        messages.success(request, _("Your draft is saved."))
                        return redirect("applications:edit", number=application.number)
                    filing.submit(
                        application, form.answers(), chosen, acting_user=request.user, request=request
                    )
            except storage.Refused as refused:
                form.add_error(None, str(refused.message))
                status = 503 if refused.code == "scanner" else 400
            except NotAllowed as exc:
                form.add_error(None, str(exc.message))
                status = 400
            except limits.DailyLimitReached as exc:
                form.add_error(None, str(exc.message))
                status, retry_after = 429, exc.retry_after
            else:
                return redirect("applications:detail", number=application.number)
        else:
            status = 413 if form.has_error_code("too_large") else 400
    context = {
        "application": application,
        "form": form,
        **presentation.header(application, request.LANGUAGE_CODE),
    }
    response = render(request, "applications/form.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_GET
def my_applications(request: AuthenticatedRequest) -> HttpResponse:
    rows = access.applications_visible_to(request.user).select_related("service_version", "member")[:200]
    return render(
        request, "applications/list.html", {"applications": rows, "language": request.LANGUAGE_CODE}
    )


@login_required
@require_GET
def detail(request: AuthenticatedRequest, number: str) -> HttpResponse:
    application = access.get_application_for(request.user, number)
    if request.user.is_official:
        access_log.record_read(
            family=application.family,
            members=[application.member],
            purpose=OFFICIAL_READ_PURPOSE,
            user=request.user,
            request=request,
        )
    context = presentation.detail_context(application, request.user, request.LANGUAGE_CODE)
    return render(request, "applications/detail.html", context)


def _conflict(request: HttpRequest, application: Application, message: str) -> HttpResponse:
    return render(
        request, "applications/conflict.html", {"application": application, "message": message}, status=409
    )


def _decision_page(
    request: AuthenticatedRequest, application: Application, form: DecisionForm
) -> HttpResponse:
    """The application again, with what the officer typed kept and what is wrong said at the top."""
    context = presentation.detail_context(application, request.user, request.LANGUAGE_CODE)
    context["decision_form"] = form
    return render(request, "applications/detail.html", context, status=400)


@login_required
@require_POST
def act(request: AuthenticatedRequest, number: str) -> HttpResponse:
    application = access.get_application_for(request.user, number)
    form = DecisionForm(request.POST, application=application)
    if not form.is_valid():
        return _decision_page(request, application, form)
    try:
        decisions.act(
            application,
            form.cleaned_data["action"],
            acting_user=request.user,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"] or "",
            note=form.cleaned_data["note"],
            request=request,
        )
    except Conflict as exc:
        return _conflict(request, application, str(exc.message))
    except NotAllowed as exc:
        form.add_error("reason" if form.cleaned_data["action"] == Action.REJECT else None, str(exc.message))
        return _decision_page(request, application, form)
    messages.success(request, _("Your action is recorded and the citizen has been informed."))
    return redirect("applications:queue")


@login_required
@require_POST
def appeal(request: AuthenticatedRequest, number: str) -> HttpResponse:
    application = access.get_application_for(request.user, number)
    if request.user.is_official:
        raise Http404
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _message(request, _("Appeal not filed"), _("Write the grounds of your appeal."), 400)
    try:
        appeals.file_appeal(application, form.cleaned_data["grounds"], acting_user=request.user)
    except NotAllowed as exc:
        return _message(request, _("Appeal not filed"), str(exc.message), 400)
    messages.success(
        request, _("Your appeal is filed. The appellate authority will decide it within the time limit.")
    )
    return redirect("applications:detail", number=application.number)


@login_required
@require_POST
def decide_appeal(request: AuthenticatedRequest, appeal_id: int) -> HttpResponse:
    appeal_row = access.get_appeal_for(request.user, appeal_id)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        return _message(request, _("Not decided"), _("Choose the order and write it."), 400)
    try:
        appeals.decide_appeal(
            appeal_row,
            form.cleaned_data["outcome"],
            form.cleaned_data["note"],
            acting_user=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except Conflict as exc:
        return _conflict(request, appeal_row.application, str(exc.message))
    except NotAllowed as exc:
        return _message(request, _("Not decided"), str(exc.message), 400)
    messages.success(request, _("The order on the appeal is recorded."))
    return redirect("applications:queue")


@login_required
@require_GET
def queue(request: AuthenticatedRequest) -> HttpResponse:
    posting = request.user.active_posting
    if posting is None or posting.role in (Role.LOK_MITRA_OPERATOR, Role.HELPLINE_AGENT):
        raise Http404
    return render(request, "applications/queue.html", presentation.queue_context(request.user))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def acknowledgement(request: AuthenticatedRequest, number: str) -> HttpResponse:
    application = access.get_application_for(request.user, number)
    if application.status == Status.DRAFT:
        raise Http404
    return _pdf(
        pdf.acknowledgement_pdf(application, applications_records.status_url(application)),
        f"acknowledgement-{application.number}.pdf",
    )


@login_required
@require_GET
def certificate_pdf(request: AuthenticatedRequest, number: str) -> HttpResponse:
    application = access.get_application_for(request.user, number)
    certificate = Certificate.objects.filter(application=application).first()
    if certificate is None:
        raise Http404
    content = pdf.certificate_pdf(certificate, certificates.verification_url(certificate.token))
    return _pdf(content, f"certificate-{certificate.number}.pdf")


@login_required
@require_GET
def document(request: AuthenticatedRequest, number: str, document_id: int) -> FileResponse:
    application, doc = access.get_document_for(request.user, number, document_id)
    if request.user.is_official:
        access_log.record_read(
            family=application.family,
            members=[application.member],
            purpose=OFFICIAL_READ_PURPOSE,
            user=request.user,
            request=request,
        )
    try:
        handle = storage.path_of(doc).open("rb")
    except OSError as exc:
        raise Http404 from exc
    extension = storage.EXTENSIONS.get(doc.content_type, "bin")
    response = FileResponse(
        handle, as_attachment=True, filename=f"{doc.kind}-{doc.pk}.{extension}", content_type=doc.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, number: str) -> HttpResponse:
    canonical = identifiers.normalise(number)
    if not access.is_number(canonical, "C") or request.user.active_posting is None:
        raise Http404
    certificate = Certificate.objects.select_related("application").filter(number=canonical).first()
    if certificate is None or not certificate.can_be_revoked_by(request.user):
        raise Http404
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _message(request, _("Not revoked"), _("Give the reason for revoking the certificate."), 400)
    try:
        issuing.revoke_certificate(certificate, form.cleaned_data["reason"], acting_user=request.user)
    except NotAllowed as exc:
        return _message(request, _("Not revoked"), str(exc.message), 400)
    messages.success(request, _("The certificate is revoked. Verification now shows it as revoked."))
    return redirect("applications:detail", number=certificate.application.number)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone checks a certificate by its QR link or pasted code."""
    form = VerifyForm(request.POST or None)
    verdict = None
    if request.method == "GET" and request.GET.get("t"):
        verdict = certificates.verify(request.GET["t"][:5000])
    elif request.method == "POST" and form.is_valid():
        verdict = certificates.verify(form.cleaned_data["text"])
    facts = presentation.certificate_facts(verdict, request.LANGUAGE_CODE) if verdict else []
    return render(request, "applications/verify.html", {"form": form, "verdict": verdict, "facts": facts})


@require_GET
@cache_control(public=True, max_age=3600)
def keys(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(signing.published_jwks(certificates.PURPOSE))
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def revocations(request: HttpRequest) -> JsonResponse:
    """The signed list of revoked certificates, for verifiers that work offline."""
    response = JsonResponse(certificates.revocation_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response


# What the operator asked a code for: the confirmation records consent to exactly that.
PENDING_CONSENT_KEY = "applications.assisted_pending"


def _operator_only(request: AuthenticatedRequest) -> None:
    posting = request.user.active_posting
    if posting is None or posting.role != Role.LOK_MITRA_OPERATOR:
        raise Http404


def _assisted_page(request: AuthenticatedRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(
        request, "applications/assisted.html", {"start": None, "confirm": None, **context}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def assisted(request: AuthenticatedRequest) -> HttpResponse:
    """A Lok Mitra Kendra operator asks a citizen of the centre's area for consent to apply for one service.

    The code goes to the family's registered mobile in an SMS naming the
    operator, the centre and the service; a family outside the centre's area
    is a 404, as for any object out of the caller's scope.
    """
    _operator_only(request)
    if "confirm" in request.POST:
        return _confirm_consent(request)
    sending = "send" in request.POST
    start = ConsentStartForm(
        request.POST if sending else None,
        initial={"service": request.GET.get("service", "")[:20]},
        language=request.LANGUAGE_CODE,
    )
    if not sending:
        return _assisted_page(request, {"start": start, "consent": _consent(request)})
    if not start.is_valid():
        return _assisted_page(request, {"start": start}, status=400)
    member = access.member_for_operator(request.user, start.cleaned_data["member_id"])
    service = start.cleaned_data["service"]
    try:
        applications_consent.ask_consent(member, service, operator=request.user, request=request)
    except NotAllowed as exc:
        start.add_error(None, str(exc.message))
        return _assisted_page(request, {"start": start}, status=400)
    except otp.Throttled as exc:
        start.add_error(
            None,
            _("Too many codes were asked for. Try again in %(seconds)s seconds.")
            % {"seconds": exc.retry_after},
        )
        response = _assisted_page(request, {"start": start}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    request.session[PENDING_CONSENT_KEY] = {"member_id": member.member_id, "service": service.code}
    confirm = ConsentCodeForm(initial={"member_id": member.member_id})
    return _assisted_page(request, {"confirm": confirm, "member": member, "service": service})


def _confirm_consent(request: AuthenticatedRequest) -> HttpResponse:
    confirm = ConsentCodeForm(request.POST)
    if not confirm.is_valid():
        return _assisted_page(request, {"confirm": confirm}, status=400)
    member = access.member_for_operator(request.user, confirm.cleaned_data["member_id"])
    pending = request.session.get(PENDING_CONSENT_KEY) or {}
    service = None
    if pending.get("member_id") == member.member_id:
        service = Service.objects.offered().filter(code=pending.get("service", "")).first()
    context = {"confirm": confirm, "member": member, "service": service}
    try:
        if service is None:
            raise NotAllowed(_("No code was asked for this citizen here. Send a new code."))
        consent = applications_consent.grant_consent(
            member, service, confirm.cleaned_data["code"], operator=request.user, request=request
        )
    except NotAllowed as exc:
        confirm.add_error("code", str(exc.message))
        return _assisted_page(request, context, status=400)
    except otp.Throttled as exc:
        response = _message(
            request, _("Too many tries"), _("Too many codes were tried. Try again later."), 429
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    request.session.pop(PENDING_CONSENT_KEY, None)
    request.session[access.CONSENT_SESSION_KEY] = consent.pk
    messages.success(request, _("The citizen's consent is recorded. Fill in the application with them."))
    return redirect("applications:apply", code=service.code)

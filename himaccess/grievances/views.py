from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from himaccess.accounts.models import User
from himaccess.audit.log import client_address
from himaccess.authenticated import AuthenticatedRequest
from himaccess.departments.models import Department
from himaccess.geography.models import District
from himaccess.grievances import actions, confirmation, figures, forms, routing
from himaccess.grievances.access import (
    get_complaint_for,
    is_agent,
    supervised_filter,
    supervises,
    visible_complaints,
)
from himaccess.grievances.models import Channel, Complaint
from himaccess.lib import identifiers, throttling
from himaccess.lib.throttling import Limit
from himaccess.registry.access import family_of_citizen


def _language() -> str:
    return get_language() or "en"


def _member_of(user: User) -> Any:
    link = user.member_links.select_related("member__family").first() if not user.is_official else None
    return link.member if link is not None else None


def complaint_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST on one complaint through the caller's scope: 404 outside it, 400 with the message on bad input."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapped(request: AuthenticatedRequest, reference: str) -> HttpResponse:
        complaint = get_complaint_for(request.user, reference)
        try:
            return view(request, complaint)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            return _detail(request, complaint, error=" ".join(error.messages), status=400)

    return wrapped


def _detail(
    request: AuthenticatedRequest, complaint: Complaint, *, error: str = "", status: int = 200, **forms_: Any
) -> HttpResponse:
    user = request.user
    holder = complaint.assignee_id == user.pk and user.active_posting is not None
    context = {
        "complaint": complaint,
        "path": complaint.category.path_in(_language()),
        "steps": complaint.steps.select_related("actor", "from_officer", "to_officer"),
        "is_complainant": complaint.is_complainant(user),
        "is_holder": holder,
        "is_agent": is_agent(user),
        "is_supervisor": supervises(user, complaint),
        "note_form": forms_.get("note_form", forms.NoteForm()),
        "resolve_form": forms_.get("resolve_form", forms.ResolveForm()),
        "answer_form": forms_.get("answer_form", forms.AnswerForm()),
        "reopen_form": forms_.get("reopen_form", forms.ReopenForm()),
        "rate_form": forms_.get("rate_form", forms.RateForm()),
        "reassign_form": forms_.get("reassign_form", forms.ReassignForm(complaint=complaint)),
        "error": error,
    }
    return render(request, "grievances/detail.html", context, status=status)


@login_required
def mine(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if user.is_official:
        return redirect("grievances:queue")
    complaints = visible_complaints(user).select_related("category", "department")
    return render(
        request, "grievances/mine.html", {"complaints": complaints, "can_file": _member_of(user) is not None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if user.is_official:
        # Agents take complaints from callers at the console; other officials work the queue.
        return redirect("grievances:console" if is_agent(user) else "grievances:queue")
    member = _member_of(user)
    if member is None or family_of_citizen(user) is None:
        return render(request, "grievances/mine.html", {"complaints": [], "can_file": False}, status=404)
    form = forms.CitizenComplaintForm(request.POST or None, language=_language())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                filing = actions.file_complaint(
                    category=form.cleaned_data["category"],
                    description=form.cleaned_data["description"],
                    mobile=user.mobile or member.mobile,
                    place=routing.Place.of_family(member.family),
                    channel=Channel.WEB,
                    name=member.name_en,
                    member=member,
                    acting_user=user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _filed_message(request, filing)
                return redirect("grievances:detail", reference=filing.complaint.reference)
        status = 400
    return render(request, "grievances/new.html", {"form": form, "family": member.family}, status=status)


def _filed_message(request: HttpRequest, filing: actions.Filing) -> None:
    reference = filing.complaint.display_reference
    if filing.repeat:
        messages.info(
            request,
            _("This is already registered as complaint %(reference)s; the call was added to it.")
            % {"reference": reference},
        )
    else:
        messages.success(
            request, _("Complaint registered. Reference number: %(reference)s") % {"reference": reference}
        )


@login_required
def detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _detail(request, get_complaint_for(request.user, reference))


@complaint_action
def act(request: AuthenticatedRequest, complaint: Complaint) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, status=400, note_form=form)
    actions.record_action(complaint, note=form.cleaned_data["note"], acting_user=request.user)
    messages.success(request, _("Your action is recorded."))
    return redirect("grievances:detail", reference=complaint.reference)


@complaint_action
def resolve(request: AuthenticatedRequest, complaint: Complaint) -> HttpResponse:
    form = forms.ResolveForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, complaint, status=400, resolve_form=form)
    actions.resolve(
        complaint,
        note=form.cleaned_data["note"],
        attachment=form.cleaned_data["attachment"],
        acting_user=request.user,
    )
    messages.success(request, _("Marked resolved. The complainant is asked to confirm."))
    return redirect("grievances:detail", reference=complaint.reference)


@complaint_action
def reassign(request: AuthenticatedRequest, complaint: Complaint) -> HttpResponse:
    form = forms.ReassignForm(request.POST, complaint=complaint)
    if not form.is_valid():
        return _detail(request, complaint, status=400, reassign_form=form)
    actions.reassign(
        complaint,
        to=form.cleaned_data["officer"],
        reason=form.cleaned_data["reason"],
        acting_user=request.user,
    )
    messages.success(request, _("Reassigned."))
    return redirect("grievances:detail", reference=complaint.reference)


def _record_answer(
    request: HttpRequest, complaint: Complaint, form: forms.AnswerForm, user: User | None, channel: str
) -> None:
    if form.cleaned_data["decision"] == "confirm":
        actions.confirm_resolution(complaint, acting_user=user, channel=channel)
        messages.success(request, _("Thank you. The complaint is closed."))
    else:
        actions.reject_resolution(
            complaint, reason=form.cleaned_data["reason"], acting_user=user, channel=channel
        )
        messages.success(request, _("The complaint is reopened and sent to a higher officer."))


@complaint_action
def answer(request: AuthenticatedRequest, complaint: Complaint) -> HttpResponse:
    """The complainant on the site, or a helpline agent recording the caller's answer on a callback."""
    user = request.user
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, status=400, answer_form=form)
    channel = Channel.HELPLINE if is_agent(user) else Channel.WEB
    _record_answer(request, complaint, form, user, channel)
    return redirect("grievances:detail", reference=complaint.reference)


@complaint_action
def reopen(request: AuthenticatedRequest, complaint: Complaint) -> HttpResponse:
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, status=400, reopen_form=form)
    actions.reopen(complaint, reason=form.cleaned_data["reason"], acting_user=request.user)
    messages.success(request, _("The complaint is reopened and sent to a higher officer."))
    return redirect("grievances:detail", reference=complaint.reference)


@complaint_action
def rate(request: AuthenticatedRequest, complaint: Complaint) -> HttpResponse:
    form = forms.RateForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, status=400, rate_form=form)
    actions.rate(complaint, rating=form.cleaned_data["rating"], acting_user=request.user)
    messages.success(request, _("Thank you for rating the resolution."))
    return redirect("grievances:detail", reference=complaint.reference)


@login_required
def attachment(request: AuthenticatedRequest, reference: str) -> FileResponse:
    complaint = get_complaint_for(request.user, reference)
    if not complaint.resolution_attachment:
        raise Http404
    return FileResponse(
        complaint.resolution_attachment.open("rb"),
        as_attachment=True,
        filename=f"{complaint.reference}-resolution",
    )


@require_http_methods(["GET", "POST"])
def answer_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed SMS link: GET shows the question (link previews change nothing), POST answers it."""
    try:
        complaint = confirmation.complaint_for(token)
    except confirmation.LinkError as error:
        return render(request, "grievances/link_invalid.html", {"reason": error.reason}, status=error.status)
    form = forms.AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = confirmation.complaint_for(token)
            _record_answer(request, complaint, form, None, Channel.WEB)
        except confirmation.LinkError as error:
            return render(
                request, "grievances/link_invalid.html", {"reason": error.reason}, status=error.status
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{_track_path()}?reference={complaint.reference}")
    status = 400 if request.method == "POST" else 200
    context = {"complaint": complaint, "path": complaint.category.path_in(_language()), "form": form}
    return render(request, "grievances/answer.html", context, status=status)


def _track_path() -> str:
    from django.urls import reverse

    return reverse("grievances:track")


# Public tracking: looking a reference up, and the tries at the mobile's last 4 digits that open its
# progress (10,000 possibilities: a few tries an hour per complaint, whoever tries).
TRACK_LOOKUPS_PER_ADDRESS = (Limit("track-lookup-address-15m", 60, 900),)
TRACK_DIGITS_PER_COMPLAINT = (Limit("track-digits-complaint-hour", 5, 3_600),)
TRACK_DIGITS_PER_ADDRESS = (Limit("track-digits-address-15m", 20, 900),)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Anyone with a reference number sees its status, department and last update; nothing more.

    The progress (what it is about, where, the steps) is shown only to someone
    who also gives the last 4 digits of the mobile number it was registered
    with, in a POST; lookups and tries are rate-limited.
    """
    form = forms.TrackDetailsForm(request.POST or None)
    raw = request.POST.get("reference", "") if request.method == "POST" else request.GET.get("reference", "")
    context: dict[str, Any] = {"raw": raw[:20], "complaint": None, "form": form, "details": False}
    if not raw:
        return render(request, "grievances/track.html", context)
    address = client_address(request)
    wait = throttling.hit(TRACK_LOOKUPS_PER_ADDRESS, f"a:{address}")
    complaint = (
        None
        if wait
        else Complaint.objects.select_related("category", "department", "district")
        .filter(reference=identifiers.normalise(raw[:20]))
        .first()
    )
    status = 429 if wait else 200 if complaint is not None else 404
    if complaint is not None and request.method == "POST":
        wait = max(
            throttling.hit(TRACK_DIGITS_PER_COMPLAINT, f"c:{complaint.pk}"),
            throttling.hit(TRACK_DIGITS_PER_ADDRESS, f"a:{address}"),
        )
        if wait:
            status = 429
        elif form.is_valid() and complaint.mobile_ends_with(form.cleaned_data["mobile_last4"]):
            context["details"] = True
            context["path"] = complaint.category.path_in(_language())
            context["steps"] = complaint.steps.only("kind", "at", "to_level")
        else:
            form.add_error(
                "mobile_last4",
                _("These are not the last 4 digits of the number this complaint was made with."),
            )
            status = 400
    if complaint is not None:
        last = complaint.steps.order_by("-at").values_list("at", flat=True).first()
        context.update(
            complaint=complaint,
            department=complaint.department.name_in(_language()),
            last_update=last or complaint.created_at,
        )
    response = render(request, "grievances/track.html", {**context, "throttled": bool(wait)}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@login_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """An officer's complaints by time left; a supervisor also sees the queues of officers below."""
    user = request.user
    posting = user.active_posting
    if is_agent(user):
        return redirect("grievances:console")
    if posting is None:
        raise Http404
    mine = (
        Complaint.objects.open()
        .filter(assignee=user)
        .select_related("category", "district")
        .order_by("due_at")
    )
    team = (
        Complaint.objects.open()
        .filter(supervised_filter(posting))
        .exclude(assignee=user)
        .select_related("category", "district", "assignee")
    )
    officer = request.GET.get("officer", "")
    if officer.isdigit():
        team = team.filter(assignee_id=int(officer))
    officers = (
        Complaint.objects.open()
        .filter(supervised_filter(posting))
        .exclude(assignee=user)
        .values("assignee_id", "assignee__username")
        .annotate(count=Count("id"), overdue=Count("id", filter=Q(due_at__lte=timezone.now())))
        .order_by("-overdue", "-count")
    )
    context = {
        "posting": posting,
        "mine": Paginator(mine, 50).get_page(request.GET.get("page")),
        "team": Paginator(team.order_by("due_at"), 50).get_page(request.GET.get("team_page")),
        "officers": officers[:100],
        "now": timezone.now(),
    }
    return render(request, "grievances/queue.html", context)


@login_required
def accountability(request: AuthenticatedRequest) -> HttpResponse:
    """Per-officer figures over the complaints an official can see."""
    user = request.user
    posting = user.active_posting
    if posting is None or is_agent(user):
        raise Http404
    scope = Complaint.objects.filter(Q(assignee=user) | supervised_filter(posting))
    rows = figures.figures("officer", scope)
    names = dict(
        User.objects.filter(pk__in=[r["key"] for r in rows if r["key"]]).values_list("pk", "username")
    )
    for row in rows:
        row["name"] = names.get(row["key"], _("Not assigned"))
    return render(request, "grievances/accountability.html", {"rows": rows, "posting": posting})


@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """Public: the full table of figures by department and by district, no personal data.

    The charts of the same complaints are on the public figures pages; this is the detail behind them.
    """
    language = _language()
    departments = {d.code: d.name_in(language) for d in Department.objects.all()}
    districts = {d.pk: d.name_in(language) for d in District.objects.all()}
    by_department = figures.figures("department")
    by_district = figures.figures("district")
    for row in by_department:
        row["name"] = departments.get(row["key"], row["key"])
    for row in by_district:
        row["name"] = districts.get(row["key"], str(row["key"]))
    return render(
        request, "grievances/dashboard.html", {"by_department": by_department, "by_district": by_district}
    )


@login_required
@require_http_methods(["GET", "POST"])
def console(request: AuthenticatedRequest) -> HttpResponse:
    """The helpline agent's console: register a caller's complaint, look one up."""
    user = request.user
    if not is_agent(user):
        raise Http404
    form = forms.AgentComplaintForm(request.POST or None, language=_language())
    lookup = forms.LookupForm(request.GET or None)
    found: list[Complaint] = []
    if lookup.is_valid():
        query = lookup.cleaned_data["query"]
        column = "reference" if query.startswith("G") else "complainant_mobile"
        found = list(
            Complaint.objects.filter(**{column: query}).select_related("category", "department")[:20]
        )
    status = 200
    filing = None
    if request.method == "POST":
        if form.is_valid() and form.place is not None:
            try:
                filing = actions.file_complaint(
                    category=form.cleaned_data["category"],
                    description=form.cleaned_data["description"],
                    mobile=form.cleaned_data["mobile"],
                    name=form.cleaned_data["name"],
                    place=form.place,
                    channel=Channel.HELPLINE,
                    member=form.member,
                    acting_user=user,
                )
            except ValidationError as error:
                form.add_error(None, error)
        if filing is None:
            status = 400
        else:
            form = forms.AgentComplaintForm(language=_language())
    context = {"form": form, "lookup": lookup, "found": found, "filing": filing, "searched": lookup.is_bound}
    return render(request, "grievances/console.html", context, status=status)

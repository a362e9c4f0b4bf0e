from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaccess.accounts.models import Role
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.lib.rules import BOOL, Clause
from himaccess.registry.access import get_family_for, get_member_for
from himaccess.registry.models import Gender, MaritalStatus, Member, Occupation
from himaccess.schemes import eligibility, population
from himaccess.schemes.actions import disputes as schemes_disputes
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import records, reevaluation
from himaccess.schemes.actions import reviews as schemes_reviews
from himaccess.schemes.actions import rules as schemes_rules
from himaccess.schemes.forms import DisputeForm, OfficerDecisionForm, RuleVersionForm, correction_label
from himaccess.schemes.models import (
    Dispute,
    EligibilityDecision,
    Enrolment,
    Offer,
    ReviewCase,
    RuleVersion,
    Scheme,
)
from himaccess.schemes.vocabulary import ATTRIBUTES, Attribute

READ_PURPOSE = gettext_noop("scheme eligibility and benefits")


def _scheme(scheme_id: str) -> Scheme:
    scheme = Scheme.objects.filter(scheme_id=scheme_id).select_related("department").first()
    if scheme is None:
        raise Http404
    return scheme


def _in_force() -> dict[int, RuleVersion]:
    """The rule version in force today for every open scheme, by scheme pk."""
    return {version.scheme_id: version for version in reevaluation.rules_in_force(records.today())}


def member_summary(member: Member, in_force: dict[int, RuleVersion]) -> dict[str, Any]:
    """What the family page shows for one member: benefits, enrolments, and the last stored decisions.

    Reading never evaluates: decisions are made by the register's events, the
    daily age scan, rule changes and the "check again" button. ``stale`` says
    that a scheme in force has no decision yet, or one under an older rule.
    """
    latest = reevaluation.latest_decisions(member)
    decisions = [latest[scheme] for scheme in in_force if scheme in latest]
    offers = {o.scheme_id: o for o in Offer.objects.filter(member=member, status=Offer.Status.OPEN)}
    enrolments = {e.scheme_id: e for e in Enrolment.objects.filter(member=member).order_by("filed_at")}
    return {
        "member": member,
        "eligible": [
            {"decision": d, "offer": offers.get(d.scheme_id), "enrolment": enrolments.get(d.scheme_id)}
            for d in decisions
            if d.eligible
        ],
        "enrolments": list(enrolments.values()),
        "benefits": list(member.benefits.select_related("scheme")[:12]),
        "not_eligible": [d for d in decisions if not d.eligible],
        "checked": bool(decisions),
        "stale": any(
            scheme not in latest or latest[scheme].rule_version_id != version.pk
            for scheme, version in in_force.items()
        ),
    }


@login_required
@require_GET
def family_benefits(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    family = get_family_for(request.user, family_id)
    members = list(family.living_members().select_related("family"))
    if request.user.active_posting is not None:
        access_log.record_read(
            family=family, members=members, purpose=READ_PURPOSE, user=request.user, request=request
        )
    in_force = _in_force()
    summaries = [member_summary(m, in_force) for m in members]
    context = {
        "family": family,
        "summaries": summaries,
        "is_citizen": request.user.active_posting is None,
        "never_checked": not any(s["checked"] for s in summaries),
        "stale": any(s["stale"] for s in summaries),
    }
    return render(request, "schemes/family.html", context)


@login_required
@require_POST
def check_family(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    """Evaluate the family again under today's rules: the explicit action behind "check again"."""
    family = get_family_for(request.user, family_id)
    reevaluation.reevaluate_family(family.family_id, trigger="family.checked")
    messages.success(request, _("Eligibility has been checked again under the rules in force today."))
    return redirect("schemes:family", family_id=family.family_id)


def _latest(member: Member, scheme: Scheme) -> EligibilityDecision | None:
    return EligibilityDecision.objects.filter(member=member, scheme=scheme).order_by("-id").first()


def _inputs(decision: EligibilityDecision) -> list[dict[str, Any]]:
    rows = []
    for name, entry in decision.inputs.items():
        attribute = ATTRIBUTES.get(name)
        rows.append(
            {
                "name": name,
                "label": eligibility.label(name),
                "value": eligibility.show_value(name, entry.get("value")),
                "source": eligibility.source_label(entry.get("source", "")),
                "at": eligibility.recorded_on(entry),
                "register": bool(attribute and attribute.correction_field),
                **(_correction_input(attribute) if attribute else {"control": "text"}),
            }
        )
    return rows


# How each input is corrected: through the field people actually know (an age through the date of
# birth it follows from, "government employee" through the occupation) and with a control that
# only offers what its owner can record.
_CHOICES: dict[str, Any] = {"gender": Gender, "marital_status": MaritalStatus, "occupation": Occupation}
_YES_NO = [("yes", gettext_lazy("yes")), ("no", gettext_lazy("no"))]


def _correction_input(attribute: Attribute) -> dict[str, Any]:
    field = attribute.correction_field
    if field == "date_of_birth":
        return {
            "control": "date",
            "correction_label": correction_label(attribute.name),
            "hint": _("The age is worked out from the date of birth. Give it as day-month-year."),
        }
    if field == "occupation":
        return {
            "control": "choice",
            "options": list(Occupation.choices),
            "correction_label": _("Correct occupation"),
            "hint": _("Whether someone is a government employee or pensioner follows from the occupation."),
        }
    if field in _CHOICES:
        return {"control": "choice", "options": list(_CHOICES[field].choices)}
    if field == "is_bpl" or (not field and attribute.type == BOOL):
        return {"control": "choice", "options": _YES_NO}
    if field == "disability_percent":
        return {"control": "number", "minimum": 0, "maximum": 100}
    return {"control": "text"}


def _conditions(decision: EligibilityDecision) -> eligibility.Condition:
    """The decision's rule as nested conditions, each with the input it used: value, source and date."""
    return eligibility.explain(Clause.from_dict(decision.explanation), decision.inputs)


def _shown(attribute: str, raw: str) -> str:
    """A disputed or claimed value as stored (text), as people read it."""
    spec = ATTRIBUTES.get(attribute)
    if spec is None or not raw:
        return raw or "—"
    if spec.correction_field == "date_of_birth":
        try:
            return eligibility.day(date.fromisoformat(raw))
        except ValueError:
            return raw  # an age shown when the dispute was filed
    if spec.type == BOOL:
        answer = raw.casefold()
        if answer in ("true", "yes", "हाँ"):
            return _("yes")
        if answer in ("false", "no", "नहीं"):
            return _("no")
        return raw
    if attribute in ("gender", "marital_status"):
        return eligibility.show_value(attribute, raw)
    if attribute == "district" and raw.isdigit():
        return eligibility.show_value(attribute, int(raw))
    return raw


def _disputes(disputes: Iterable[Dispute]) -> list[dict[str, Any]]:
    return [
        {
            "dispute": d,
            "label": eligibility.label(d.attribute),
            "shown": _shown(d.attribute, d.shown_value),
            "claimed_label": correction_label(d.attribute) if d.attribute in ATTRIBUTES else "",
            "claimed": _shown(d.attribute, d.claimed_value),
        }
        for d in disputes
    ]


def _open_review(enrolment: Enrolment | None) -> ReviewCase | None:
    if enrolment is None:
        return None
    return enrolment.reviews.filter(status=ReviewCase.Status.OPEN).select_related("decision").first()


def _with_refused_dispute(rows: list[dict[str, Any]], form: DisputeForm) -> list[dict[str, Any]]:
    """The input rows, the one whose dispute was refused kept open with its errors and what was typed."""
    if not form.is_bound or not form.errors:
        return rows
    disputed = form.data.get("attribute")
    errors = [*form.errors.get("claimed_value", []), *form.non_field_errors()]
    return [
        row | {"open": True, "errors": errors, "typed": form.data.get("claimed_value", "")}
        if row["name"] == disputed
        else row
        for row in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def explanation(request: AuthenticatedRequest, member_id: str, scheme_id: str) -> HttpResponse:
    member = get_member_for(request.user, member_id)
    scheme = _scheme(scheme_id)
    if not member.is_living:
        raise Http404
    if request.user.active_posting is not None:
        access_log.record_read(
            family=member.family, members=[member], purpose=READ_PURPOSE, user=request.user, request=request
        )
    form = DisputeForm(request.POST or None, attributes=list(ATTRIBUTES))
    status = 200
    if request.method == "POST":
        if not records.citizen_may_act_for(request.user, member):
            raise Http404
        if form.is_valid():
            try:
                dispute = schemes_disputes.file_dispute(
                    member,
                    scheme,
                    form.cleaned_data["attribute"],
                    claimed_value=form.cleaned_data["claimed_value"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if dispute.change_request is not None:
                    messages.success(
                        request,
                        _("Your correction request %(reference)s has been sent to the register office.")
                        % {"reference": dispute.change_request.reference},
                    )
                else:
                    messages.success(
                        request, _("Your dispute has been sent to the department that holds this data.")
                    )
                return redirect("schemes:explanation", member_id=member.member_id, scheme_id=scheme.scheme_id)
        status = 400
    decision = _latest(member, scheme)
    language = get_language() or "en"
    enrolment = Enrolment.objects.filter(member=member, scheme=scheme).order_by("-filed_at").first()
    review = _open_review(enrolment)
    context: dict[str, Any] = {
        "member": member,
        "scheme": scheme,
        "decision": decision,
        "offer": Offer.objects.filter(member=member, scheme=scheme, status=Offer.Status.OPEN).first(),
        "enrolment": enrolment,
        "review": review,
        "review_reason": eligibility.review_reason(review) if review else "",
        "disputes": _disputes(
            Dispute.objects.filter(member=member, scheme=scheme).select_related("change_request")[:10]
        ),
        "form": form,
        "can_act": records.citizen_may_act_for(request.user, member),
        "language": language,
    }
    if decision is not None:
        clause = Clause.from_dict(decision.explanation)
        in_force = scheme.rule_on(records.today())
        context |= {
            "version": decision.rule_version,
            "choice_note": decision.rule_version.choice_note_in(language),
            "conditions": _conditions(decision),
            "reason": eligibility.reason(clause),
            "inputs": _with_refused_dispute(_inputs(decision), form),
            "band": eligibility.band_for(
                decision.rule_version, {k: v["value"] for k, v in decision.inputs.items()}
            ),
            "stale": in_force is not None and in_force.pk != decision.rule_version_id,
        }
    return render(request, "schemes/explanation.html", context, status=status)


@login_required
@require_POST
def accept_offer(request: AuthenticatedRequest, member_id: str, scheme_id: str) -> HttpResponse:
    member = get_member_for(request.user, member_id)
    scheme = _scheme(scheme_id)
    offer = Offer.objects.filter(member=member, scheme=scheme, status=Offer.Status.OPEN).first()
    if offer is None:
        messages.error(request, _("This offer is no longer open."))
        return redirect("schemes:explanation", member_id=member.member_id, scheme_id=scheme.scheme_id)
    try:
        enrolment = schemes_enrolment.accept_offer(offer, acting_user=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Your application %(reference)s has been sent to the department's officer for sanction.")
            % {"reference": enrolment.reference},
        )
    return redirect("schemes:explanation", member_id=member.member_id, scheme_id=scheme.scheme_id)


# ---------------------------------------------------------------- officers


def _officer_only(request: AuthenticatedRequest) -> None:
    posting = request.user.active_posting
    if posting is None or posting.role not in (Role.DEPARTMENT_OFFICER, Role.DISTRICT_WELFARE_OFFICER):
        raise Http404


@login_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    _officer_only(request)
    mine = Enrolment.objects.for_officer(request.user).select_related("member__family", "scheme")
    context = {
        "filed": mine.filter(status=Enrolment.Status.FILED).order_by("filed_at")[:100],
        "reviews": [
            {"review": review, "reason": eligibility.review_reason(review)}
            for review in ReviewCase.objects.filter(
                enrolment__in=mine, status=ReviewCase.Status.OPEN
            ).select_related("enrolment__member", "enrolment__scheme", "decision")[:100]
        ],
        "disputes": _disputes(
            schemes_disputes.disputes_for_officer(request.user).select_related("member", "scheme")[:100]
        ),
        "posting": request.user.active_posting,
    }
    return render(request, "schemes/queue.html", context)


def _enrolment_for(request: AuthenticatedRequest, reference: str) -> Enrolment:
    enrolment = (
        Enrolment.objects.for_officer(request.user)
        .filter(reference=reference)
        .select_related("member__family", "scheme")
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    _officer_only(request)
    enrolment = _enrolment_for(request, reference)
    member = enrolment.member
    access_log.record_read(
        family=member.family, members=[member], purpose=READ_PURPOSE, user=request.user, request=request
    )
    form = OfficerDecisionForm(request.POST or None)
    review = _open_review(enrolment)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            choice, note = form.cleaned_data["decision"], form.cleaned_data["note"]
            try:
                if choice == "sanction":
                    schemes_enrolment.sanction_enrolment(enrolment, acting_user=request.user, note=note)
                elif choice == "reject":
                    schemes_enrolment.reject_enrolment(enrolment, reason=note, acting_user=request.user)
                elif review is not None:
                    schemes_reviews.decide_review(
                        review, stop=choice == "stop", note=note, acting_user=request.user
                    )
                else:
                    raise ValidationError(_("There is no open review of this benefit."))
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The decision has been recorded."))
                return redirect("schemes:enrolment", reference=enrolment.reference)
        status = 400
    latest = (
        EligibilityDecision.objects.filter(member=member, scheme=enrolment.scheme).order_by("-id").first()
    )
    context = {
        "enrolment": enrolment,
        "review": review,
        "steps": enrolment.steps.select_related("actor"),
        "form": form,
        "review_reason": eligibility.review_reason(review) if review else "",
        "conditions": _conditions(latest) if latest else None,
        "inputs": _inputs(latest) if latest else [],
    }
    return render(request, "schemes/enrolment.html", context, status=status)


@login_required
@require_POST
def resolve_dispute(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _officer_only(request)
    dispute = schemes_disputes.disputes_for_officer(request.user).filter(pk=pk).first()
    if dispute is None:
        raise Http404
    form = OfficerDecisionForm(request.POST)
    if form.is_valid() and form.cleaned_data["decision"] in ("correct", "keep"):
        try:
            schemes_disputes.resolve_dispute(
                dispute,
                corrected=form.cleaned_data["decision"] == "correct",
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The decision has been recorded."))
    else:
        messages.error(request, _("Choose correct or keep, and give the reason."))
    return redirect("schemes:queue")


# ------------------------------------------------------------ administrators


def _admin_only(request: AuthenticatedRequest) -> None:
    posting = request.user.active_posting
    if posting is None or posting.role != Role.STATE_ADMIN:
        raise Http404


@login_required
def rules_index(request: AuthenticatedRequest) -> HttpResponse:
    _admin_only(request)
    schemes = Scheme.objects.select_related("department").prefetch_related("versions")
    return render(request, "schemes/rules_index.html", {"schemes": schemes})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_rules(request: AuthenticatedRequest, scheme_id: str) -> HttpResponse:
    _admin_only(request)
    scheme = _scheme(scheme_id)
    current = scheme.rule_on(records.today())
    initial = {}
    if current is not None:
        initial = {
            "rule": json.dumps(current.rule, indent=2, ensure_ascii=False),
            "bands": json.dumps(current.bands, indent=2, ensure_ascii=False),
            "effective_from": records.today(),
        }
    form = RuleVersionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = schemes_rules.save_draft(scheme, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Draft version %(number)s saved. Check its impact before publishing.")
                    % {"number": version.number},
                )
                return redirect("schemes:rule_version", scheme_id=scheme.scheme_id, number=version.number)
        status = 400
    context = {"scheme": scheme, "versions": scheme.versions.all(), "current": current, "form": form}
    return render(request, "schemes/scheme_rules.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_version(request: AuthenticatedRequest, scheme_id: str, number: int) -> HttpResponse:
    _admin_only(request)
    scheme = _scheme(scheme_id)
    version = scheme.versions.filter(number=number).first()
    if version is None:
        raise Http404
    if request.method == "POST":
        try:
            schemes_rules.publish(version, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
        return redirect("schemes:rule_version", scheme_id=scheme.scheme_id, number=version.number)
    on = max(records.today(), version.effective_from)
    impact = population.impact_by_district(version, on) if version.status == RuleVersion.Status.DRAFT else []
    page = None
    if version.status == RuleVersion.Status.DRAFT:
        page = Paginator(population.impact_people(version, on), 50).get_page(request.GET.get("page"))
        for family in {m.family for m in page.object_list}:
            access_log.record_read(
                family=family,
                members=[m for m in page.object_list if m.family_id == family.pk],
                purpose=gettext_noop("impact preview of a scheme rule"),
                user=request.user,
                request=request,
            )
    context = {
        "scheme": scheme,
        "version": version,
        "rule_json": json.dumps(version.rule, indent=2, ensure_ascii=False),
        "bands_json": json.dumps(version.bands, indent=2, ensure_ascii=False),
        "impact": impact,
        "page": page,
        "on": on,
    }
    return render(request, "schemes/rule_version.html", context)

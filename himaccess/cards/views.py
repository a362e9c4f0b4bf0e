from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaccess.accounts.models import User
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.cards import actions, pdf
from himaccess.cards.credentials import PURPOSE
from himaccess.cards.forms import RevokeCardForm, VerifyForm
from himaccess.cards.models import Card, PrintRequest, PrintStatus
from himaccess.cards.verification import LOOKS, MESSAGES, revocation_document, verify_text
from himaccess.lib import signing
from himaccess.registry.models import Family, Member


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = verify_text(form.cleaned_data["qr_text"])
    context = {
        "form": form,
        "result": result,
        "message": MESSAGES[result.verdict] if result else None,
        "look": LOOKS[result.verdict] if result else None,
    }
    return render(request, "cards/verify.html", context)


def _public_json(data: dict) -> JsonResponse:
    response = JsonResponse(data)
    # Verifier apps on any origin fetch these for offline use.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def keys(request: HttpRequest) -> JsonResponse:
    return _public_json(signing.published_jwks(PURPOSE))


@require_GET
@cache_control(public=True, max_age=300)
def revocations(request: HttpRequest) -> JsonResponse:
    return _public_json(revocation_document())


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _current_card(family: Family, member: Member | None) -> Card | None:
    cards = Card.objects.active().filter(family=family, member=member)
    return cards.filter(kind=Card.Kind.MEMBER if member else Card.Kind.FAMILY).first()


def _issue(family: Family, member: Member | None, user: User) -> None:
    """Issue the card a download asked for (a POST: opening a link never issues one)."""
    if _current_card(family, member) is not None:
        return
    try:
        if member is None:
            actions.issue_family_card(family, acting_user=user, request_print=False)
        else:
            actions.issue_member_card(member, acting_user=user, request_print=False)
    except ValidationError as exc:
        raise Http404 from exc


def _not_issued(request: HttpRequest, family: Family, member: Member | None) -> HttpResponse:
    """The page a download link shows before any card exists: a button that issues it."""
    context = {"family": family, "member": member, "action": request.get_full_path()}
    return render(request, "cards/not_issued.html", context)


# Officials print cards for families that cannot download them.
CARD_PURPOSE = gettext_noop("Him Parivar card printed by an official")


@login_required
@require_http_methods(["GET", "POST"])
def family_card(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    """GET serves the family's current card (or offers to issue one); POST issues it, then serves it."""
    user = request.user
    family = get_object_or_404(Family.objects.visible_to(user).active().distinct(), family_id=family_id)
    if request.method == "POST":
        _issue(family, None, user)
        return redirect(request.get_full_path())
    card = _current_card(family, None)
    if card is None:
        return _not_issued(request, family, None)
    if user.active_posting is not None:
        access_log.record_read(family=family, purpose=CARD_PURPOSE, user=user, request=request)
    layout = "id1" if request.GET.get("layout") == "id1" else "a4"
    content = pdf.family_card_pdf(card.face(), layout=layout)
    return _attachment(content, f"him-parivar-{family.family_id}{'-card' if layout == 'id1' else ''}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def member_card(request: AuthenticatedRequest, member_id: str) -> HttpResponse:
    """GET serves the member's current card (or offers to issue one); POST issues it, then serves it."""
    user = request.user
    member = get_object_or_404(
        Member.objects.visible_to(user).living().select_related("family").distinct(),
        member_id=member_id,
    )
    if request.method == "POST":
        _issue(member.family, member, user)
        return redirect(request.get_full_path())
    card = _current_card(member.family, member)
    if card is None:
        return _not_issued(request, member.family, member)
    if user.active_posting is not None:
        access_log.record_read(
            family=member.family, members=[member], purpose=CARD_PURPOSE, user=user, request=request
        )
    return _attachment(pdf.member_card_pdf(card.face()), f"him-parivar-{member.member_id}.pdf")


@login_required
@require_GET
def print_queue(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    posting = user.active_posting
    if posting is None:
        raise Http404
    status = request.GET.get("status", PrintStatus.REQUESTED)
    if status not in PrintStatus.values:
        status = PrintStatus.REQUESTED
    queue = PrintRequest.objects.visible_to(user)
    rows = queue.filter(status=status).select_related("card", "family", "card__member")[:200]
    counts = {s: queue.filter(status=s).count() for s in PrintStatus.values}
    context = {
        "posting": posting,
        "rows": rows,
        "status": status,
        "statuses": [(value, label, counts[value]) for value, label in PrintStatus.choices],
    }
    return render(request, "cards/print_queue.html", context)


@login_required
@require_POST
def advance(request: AuthenticatedRequest, credential_id: str) -> HttpResponse:
    user = request.user
    queue = PrintRequest.objects.visible_to(user)
    print_request = get_object_or_404(queue, card__credential_id=credential_id)
    status = print_request.status
    try:
        actions.advance_print(print_request, acting_user=user, note=request.POST.get("note", "")[:200])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The card has moved to the next step."))
    return redirect(f"{reverse('cards:print_queue')}?status={status}")


# Officials open a family's cards to withdraw one (lost, stolen, damaged, issued in error).
CARDS_PURPOSE = gettext_noop("Him Parivar cards of the family looked up by an official")


def _revoke_form(card: Card, data: Any = None) -> RevokeCardForm:
    # One form per card on the page: ids carry the card's id, so each label and error link is unique.
    return RevokeCardForm(data, auto_id=f"id_%s_{card.credential_id}")


def _cards_page(
    request: AuthenticatedRequest,
    family: Family,
    *,
    failed: tuple[Card, RevokeCardForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The family's cards in use (each with its revoke form, for an official who may) and those withdrawn."""
    cards = list(Card.objects.filter(family=family).select_related("member").order_by("-issued_at", "-pk"))
    active = [c for c in cards if c.is_active]
    may_revoke = bool(active) and active[0].can_be_revoked_by(request.user)
    rows = []
    for card in active:
        form = failed[1] if failed is not None and failed[0].pk == card.pk else _revoke_form(card)
        rows.append({"card": card, "form": form if may_revoke else None})
    # A revoked card with nothing in its place (and someone to hold one): offer the new card beside it.
    holders = {(c.kind, c.member_id) for c in active}
    withdrawn = []
    for card in (c for c in cards if not c.is_active):
        holder = (card.kind, card.member_id)
        reissue = (
            family.status == Family.Status.ACTIVE
            and card.status == Card.Status.REVOKED
            and holder not in holders
            and (card.member is None or (card.member.is_living and card.member.family_id == family.pk))
        )
        if reissue:
            holders.add(holder)
        withdrawn.append({"card": card, "reissue": reissue})
    context = {
        "family": family,
        "rows": rows,
        "withdrawn": withdrawn,
        "failed_form": failed[1] if failed is not None else None,
    }
    return render(request, "cards/family_cards.html", context, status=status)


@login_required
@require_GET
def family_cards(request: AuthenticatedRequest, family_id: str) -> HttpResponse:
    user = request.user
    if user.active_posting is None:
        raise Http404
    family = get_object_or_404(Family.objects.visible_to(user), family_id=family_id)
    access_log.record_read(family=family, purpose=CARDS_PURPOSE, user=user, request=request)
    return _cards_page(request, family)


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, credential_id: str) -> HttpResponse:
    """An official of the family's jurisdiction withdraws a card, giving the reason; it is then listed."""
    user = request.user
    card = get_object_or_404(
        Card.objects.visible_to(user).select_related("family"), credential_id=credential_id
    )
    if not card.can_be_revoked_by(user):
        raise PermissionDenied
    form = _revoke_form(card, request.POST)
    if form.is_valid():
        try:
            actions.revoke(card, reason=form.cleaned_data["reason"], acting_user=user)
        except ValidationError as exc:  # withdrawn meanwhile, by a register change or another official
            form.add_error(None, exc)
        else:
            messages.success(request, _("The card is revoked. Anyone who checks it now is told so."))
            return redirect("cards:family_cards", card.family.family_id)
    return _cards_page(request, card.family, failed=(card, form), status=400)

"""Pages of the chatbot: the chat without JavaScript, the WhatsApp webhook, and the helpline's hand-overs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from himaccess.accounts.models import User
from himaccess.authenticated import AuthenticatedRequest, user_or_none
from himaccess.chatbot import actions, dialogue, forms, tasks, whatsapp
from himaccess.chatbot.api import MESSAGE_LIMITS
from himaccess.chatbot.models import Handover, InboundWhatsApp
from himaccess.lib import throttling

# The session key under which the chat page keeps its conversation's token (not a secret itself).
SESSION_TOKEN = "chatbot.conversation"  # noqa: S105
CHALLENGE_MAX = 200


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    """The chat as a plain page: where the widget's link leads without JavaScript, and a page of its own."""
    user = user_or_none(request)
    token = str(request.session.get(SESSION_TOKEN, ""))
    conversation = actions.web_conversation(token, user) if token else None
    form = forms.ChatForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if conversation is None:
                conversation, token = actions.start_web(user=user, language=get_language() or "hi")
                request.session[SESSION_TOKEN] = token
            wait = throttling.hit(MESSAGE_LIMITS, f"c:{conversation.pk}")
            if wait:
                response = render(
                    request, "chatbot/page.html", _page_context(conversation, form, wait), status=429
                )
                response["Retry-After"] = str(wait)
                return response
            turn = dialogue.Turn(
                text=form.cleaned_data["text"], channel=conversation.channel, request=request, user=user
            )
            actions.converse(conversation, turn)
            return redirect("chatbot:page")
        status = 400
    return render(request, "chatbot/page.html", _page_context(conversation, form), status=status)


def _page_context(conversation: Any, form: forms.ChatForm, wait: int = 0) -> dict[str, Any]:
    turns = list(conversation.messages.all()) if conversation is not None else []
    suggested = (conversation.state or {}).get("suggested", []) if conversation is not None else []
    return {
        "turns": turns,
        "form": forms.ChatForm() if form.is_bound and form.is_valid() else form,
        "suggestions": suggested,
        "wait": wait,
    }


# ------------------------------------------------------------------ WhatsApp


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """Meta's webhook: the subscription handshake (GET) and signed message deliveries (POST)."""
    if not whatsapp.configured():
        raise Http404
    if request.method == "GET":
        challenge = request.GET.get("hub.challenge", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and whatsapp.verify_token_matches(request.GET.get("hub.verify_token", ""))
            and challenge
            and len(challenge) <= CHALLENGE_MAX
            and challenge.isprintable()
        ):
            return HttpResponse(challenge, content_type="text/plain")
        return JsonResponse({"detail": _("The verification token is not right.")}, status=403)
    body = request.body
    if not whatsapp.signature_valid(body, request.headers.get("X-Hub-Signature-256", "")):
        return JsonResponse({"detail": _("The signature of the request is not right.")}, status=403)
    try:
        payload = json.loads(body)
    except ValueError:
        return JsonResponse({"detail": _("The request body is not valid JSON.")}, status=400)
    oldest = timezone.now() - timedelta(days=settings.CHATBOT_TRANSCRIPT_DAYS)
    accepted = 0
    for inbound in whatsapp.messages(payload):
        if inbound.sent_at is not None and inbound.sent_at < oldest:
            continue  # older than the ids we remember: a replay, not a delivery
        with transaction.atomic():
            _row, created = InboundWhatsApp.objects.get_or_create(message_id=inbound.message_id)
            if not created:
                continue
            transaction.on_commit(_reply_later(inbound))
        accepted += 1
    return JsonResponse({"accepted": accepted})


def _reply_later(inbound: whatsapp.Inbound) -> Callable[[], None]:
    sealed = tasks.seal_text(inbound.text[: whatsapp.TEXT_LIMIT])

    def queue() -> None:
        tasks.whatsapp_reply.delay(inbound.sender, sealed, inbound.is_text)

    return queue


# ------------------------------------------------------------------ helpline


@login_required
@require_http_methods(["GET", "POST"])
def handovers(request: AuthenticatedRequest) -> HttpResponse:
    """Conversations handed to the 1100 helpline, with transcripts; agents take, answer and close them."""
    if not actions.is_agent(request.user):
        raise Http404
    form = forms.HandoverForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            handover = (
                Handover.objects.select_related("conversation")
                .filter(pk=form.cleaned_data["handover"])
                .first()
            )
            if handover is None:
                raise Http404
            try:
                _act(handover, form.cleaned_data["action"], form.cleaned_data["text"], request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                return redirect("chatbot:handovers")
    live = (
        Handover.objects.filter(status__in=[Handover.Status.OPEN, Handover.Status.TAKEN])
        .select_related("conversation", "taken_by")
        .prefetch_related("conversation__messages")
        .order_by("created_at")
    )
    closed = (
        Handover.objects.filter(status=Handover.Status.CLOSED)
        .select_related("conversation", "taken_by")
        .order_by("-closed_at")[:20]
    )
    context = {
        "live": Paginator(live, 20).get_page(request.GET.get("page")),
        "closed": closed,
        "me": request.user,
        "form": form,
    }
    return render(request, "chatbot/handovers.html", context, status=status)


def _act(handover: Handover, action: str, text: str, user: User) -> None:
    if action == "take":
        actions.take(handover, acting_user=user)
    elif action == "reply":
        actions.agent_reply(handover, text=text, acting_user=user)
    else:
        actions.close(handover, note=text, acting_user=user)

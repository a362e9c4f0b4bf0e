"""The chatbot under /api/v1/chatbot/: one endpoint, a message in and a reply out.

No login is needed for general questions. The first message is sent without
a ``conversation_id``; the answer carries a new one, issued by the server
(32 random bytes; only its keyed hash is stored). Later messages send it
back. An id that is unknown, or belongs to a conversation started by another
logged-in person, is a 404, whatever the reason, so an id cannot be probed.
A caller with a session must send the CSRF token (the web widget does), so
another site cannot talk in a visitor's name.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.utils import check_csrf
from pydantic import Field

from himaccess.audit.log import client_address
from himaccess.authenticated import user_or_none
from himaccess.chatbot import actions, dialogue
from himaccess.lib import throttling
from himaccess.lib.api_errors import error_response, errors
from himaccess.lib.schemas import CleanTextSchema
from himaccess.lib.throttling import Limit

router = Router(tags=["chatbot"])

TEXT_MAX = 2000
# Per conversation: a person types a few messages a minute. Per address: new conversations
# (a shared connection, such as a Lok Mitra Kendra or a mobile operator's, serves many people).
MESSAGE_LIMITS = (Limit("chat-conversation-minute", 30, 60),)
START_LIMITS = (Limit("chat-start-address-hour", 300, 3_600),)


class MessageIn(CleanTextSchema):
    conversation_id: str | None = Field(None, max_length=128, description="As returned by the first reply.")
    text: str = Field(max_length=TEXT_MAX, description="What the person typed, in any language or script.")


class MessageOut(Schema):
    conversation_id: str
    reply: str
    intent: str = Field(description="greeting, find_service, service_documents, ... or unknown.")
    language: str = Field(description="The question's language: hi, en or hi-Latn (Hindi in Latin letters).")
    reply_language: str = Field(
        description=(
            "The reply's: hi, en, or hi-Latn (Hindi in Latin letters, for a question typed that way; "
            "docs/decisions/1101)."
        )
    )
    suggestions: list[str]
    service_code: str | None = None
    scheme_id: str | None = None
    handed_over: bool = False


# A caller with a session (the web widget) sends its CSRF token; others need none.
CSRF_HEADER = {
    "in": "header",
    "name": "X-CSRFToken",
    "required": False,
    "schema": {"type": "string"},
    "description": "Required when the request carries a session cookie: the csrftoken cookie's value.",
}


def _too_many(wait: int) -> HttpResponse:
    return error_response(
        429, _("Too many messages. Please wait a moment and try again."), code="throttled", retry_after=wait
    )


@router.post(
    "/messages",
    response={200: MessageOut, **errors(403, 404, 429)},
    auth=None,
    url_name="chatbot_messages",
    summary="Send a message to the chatbot and get its reply",
    openapi_extra={"parameters": [CSRF_HEADER]},
)
def message(request: HttpRequest, body: MessageIn) -> dict[str, Any] | HttpResponse:
    user = user_or_none(request)
    if user is not None and check_csrf(request) is not None:
        raise HttpError(403, _("The page has expired. Reload it and try again."))
    language = translation.get_language() or "hi"
    token = body.conversation_id or ""
    if token:
        conversation = actions.web_conversation(token, user)
        if conversation is None:
            raise HttpError(404, _("There is no such conversation. Start a new one."))
    else:
        wait = throttling.hit(START_LIMITS, f"a:{client_address(request)}")
        if wait:
            return _too_many(wait)
        conversation, token = actions.start_web(user=user, language=language)
    wait = throttling.hit(MESSAGE_LIMITS, f"c:{conversation.pk}")
    if wait:
        return _too_many(wait)
    turn = dialogue.Turn(text=body.text, channel=conversation.channel, request=request, user=user)
    answer = actions.converse(conversation, turn)
    reply = answer.reply
    return {
        "conversation_id": token,
        "reply": reply.text,
        "intent": reply.intent,
        "language": answer.asked_in,
        "reply_language": answer.reply_language,
        "suggestions": reply.suggestions,
        "service_code": reply.service_code or None,
        "scheme_id": reply.scheme_id or None,
        "handed_over": answer.handed_over,
    }

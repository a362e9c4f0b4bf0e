"""What happens to conversations: started, continued, answered, handed to the helpline, deleted.

``converse`` is the one path every channel takes for a message:

1. the conversation row is locked (two tabs or a redelivered webhook never
   interleave their steps), the person's message is stored redacted;
2. ``dialogue.respond`` works out the reply and updates the conversation;
3. the reply is stored (redacted too) and the transaction commits;
4. only then, if the optional language model is on and the answer is about
   public records, it may be reworded (``llm.rephrase``): a network call is
   never made while a row is locked, and a rewording that loses or adds a
   fact is thrown away.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from himaccess.accounts.models import Role, User
from himaccess.audit import log as audit
from himaccess.chatbot import dialogue, llm, redaction, whatsapp
from himaccess.chatbot.answers import Reply
from himaccess.chatbot.models import TEXT_MAX, Channel, Conversation, Handover, InboundWhatsApp, Message

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# A WhatsApp sender's conversation starts afresh after this long without a message.
WHATSAPP_IDLE_HOURS = 24


@dataclass(frozen=True)
class Answer:
    conversation: Conversation
    reply: Reply
    asked_in: str
    # hi, en, or hi-Latn: Hindi written in Latin letters (docs/decisions/1101).
    reply_language: str

    @property
    def handed_over(self) -> bool:
        return bool((self.conversation.state or {}).get("handed_over"))


def token_hash(token: str) -> str:
    return salted_hmac("himaccess.chatbot.conversation", token, algorithm="sha256").hexdigest()


def _reference() -> str:
    return "CHT-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


@transaction.atomic
def start_web(*, user: User | None, language: str) -> tuple[Conversation, str]:
    """A new web conversation and the token its caller must present to continue it (shown once)."""
    token = secrets.token_urlsafe(32)
    conversation = Conversation.objects.create(
        channel=Channel.WEB,
        token_hash=token_hash(token),
        reference=_reference(),
        user=user if user is not None and user.is_authenticated else None,
        language="en" if language.startswith("en") else "hi",
    )
    return conversation, token


def web_conversation(token: str, user: User | None) -> Conversation | None:
    """The caller's conversation, or None: a wrong token, or someone else's conversation.

    A conversation started by a logged-in person continues only for that
    person. One started anonymously may continue after its caller logs in;
    its verification is then forgotten, so that a shared computer does not
    hand one person's verified conversation to the next.
    """
    if not token or len(token) > 128:
        return None
    conversation = Conversation.objects.filter(channel=Channel.WEB, token_hash=token_hash(token)).first()
    if conversation is None:
        return None
    signed_in = user if user is not None and user.is_authenticated else None
    if conversation.user_id is not None and (signed_in is None or signed_in.pk != conversation.user_id):
        return None
    if conversation.user_id is None and signed_in is not None:
        conversation.user = signed_in
        conversation.forget_verification()
        conversation.save(update_fields=["user", "verified_mobile", "verified_at", "verified_user"])
    return conversation


@transaction.atomic
def whatsapp_conversation(sender: str) -> Conversation:
    """The open conversation of a WhatsApp sender, or a new one after a day of silence."""
    hashed = token_hash("whatsapp:" + sender)
    conversation = Conversation.objects.select_for_update().filter(token_hash=hashed).first()
    idle = timezone.now() - timedelta(hours=WHATSAPP_IDLE_HOURS)
    if conversation is not None and conversation.last_message_at >= idle:
        return conversation
    if conversation is not None:
        # Keep the old transcript under a hash no sender produces; the purge deletes it in time.
        conversation.token_hash = token_hash(f"whatsapp-closed:{conversation.pk}:{secrets.token_hex(8)}")
        conversation.save(update_fields=["token_hash"])
    return Conversation.objects.create(
        channel=Channel.WHATSAPP,
        token_hash=hashed,
        reference=_reference(),
        whatsapp_to=sender[:20],
        language="hi",
    )


def record(conversation: Conversation, role: str, text: str, **fields: object) -> Message:
    """Store one turn with personal numbers redacted (``chatbot.redaction``)."""
    return Message.objects.create(
        conversation=conversation, role=role, text=redaction.redact(text)[:TEXT_MAX], **fields
    )


def converse(conversation: Conversation, turn: dialogue.Turn) -> Answer:
    """Answer one message (see the module docstring)."""
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        outcome = dialogue.respond(locked, turn)
        confidence = outcome.prediction.confidence if outcome.prediction is not None else None
        record(
            locked,
            Message.Role.CITIZEN,
            turn.text or "",
            intent=outcome.reply.intent[:32],
            confidence=round(confidence, 4) if confidence is not None else None,
            language=outcome.asked_in[:8],
        )
        answered = record(locked, Message.Role.BOT, outcome.reply.text, language=outcome.reply_language)
        locked.last_message_at = answered.at
        locked.save(
            update_fields=[
                "language",
                "state",
                "last_message_at",
                "verified_mobile",
                "verified_at",
                "verified_user",
            ]
        )
    reply = outcome.reply
    if reply.may_rephrase and llm.enabled():
        reworded = llm.rephrase(reply.text, reply.facts, outcome.reply_language)
        if reworded is not None:
            reply.text = reworded
            Message.objects.filter(pk=answered.pk).update(text=redaction.redact(reworded)[:TEXT_MAX])
    return Answer(locked, reply, outcome.asked_in, outcome.reply_language)


# ------------------------------------------------------------------ helpline


def is_agent(user: User) -> bool:
    posting = user.active_posting if user.is_authenticated else None
    return posting is not None and posting.role == Role.HELPLINE_AGENT


def _require_agent(user: User) -> None:
    if not is_agent(user):
        raise PermissionDenied("only a helpline agent works hand-overs")


@transaction.atomic
def take(handover: Handover, *, acting_user: User) -> Handover:
    _require_agent(acting_user)
    locked = Handover.objects.select_for_update().get(pk=handover.pk)
    if locked.status != Handover.Status.OPEN:
        raise ValidationError(_("Another agent has already taken this conversation."), code="taken")
    locked.status = Handover.Status.TAKEN
    locked.taken_by = acting_user
    locked.taken_at = timezone.now()
    locked.save(update_fields=["status", "taken_by", "taken_at"])
    audit.record(acting_user, "chatbot.handover_taken", locked.conversation)
    return locked


@transaction.atomic
def close(handover: Handover, *, note: str, acting_user: User) -> Handover:
    _require_agent(acting_user)
    locked = Handover.objects.select_for_update().get(pk=handover.pk)
    if locked.status == Handover.Status.CLOSED:
        raise ValidationError(_("This conversation is already closed."), code="closed")
    if locked.status == Handover.Status.TAKEN and locked.taken_by_id != acting_user.pk:
        raise ValidationError(_("Another agent is working on this conversation."), code="taken")
    locked.status = Handover.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.note = redaction.redact(note.strip())[:1000]
    if locked.taken_by_id is None:
        locked.taken_by = acting_user
        locked.taken_at = locked.closed_at
    locked.save()
    conversation = Conversation.objects.select_for_update().get(pk=locked.conversation_id)
    conversation.state = {**(conversation.state or {}), "handed_over": False}
    conversation.save(update_fields=["state"])
    audit.record(acting_user, "chatbot.handover_closed", conversation)
    return locked


def agent_reply(handover: Handover, *, text: str, acting_user: User) -> Message:
    """An agent's message into a WhatsApp conversation they have taken (web visitors are called back)."""
    _require_agent(acting_user)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the message first."), code="empty")
    conversation = handover.conversation
    if handover.status != Handover.Status.TAKEN or handover.taken_by_id != acting_user.pk:
        raise ValidationError(_("Take the conversation before you reply."), code="not_taken")
    if conversation.channel != Channel.WHATSAPP or not conversation.whatsapp_to:
        raise ValidationError(
            _("Web visitors are called back; only WhatsApp conversations take a reply."), code="web"
        )
    with transaction.atomic():
        message = record(conversation, Message.Role.AGENT, text, sent_by=acting_user)
        audit.record(acting_user, "chatbot.agent_reply", conversation)
    whatsapp.adapter().send_text(conversation.whatsapp_to, text[: whatsapp.TEXT_LIMIT])
    return message


# --------------------------------------------------------------- retention


@dataclass(frozen=True)
class Purged:
    conversations: int
    messages: int
    inbound_ids: int


@transaction.atomic
def purge(now: object = None) -> Purged:
    """Delete transcripts silent for longer than CHATBOT_TRANSCRIPT_DAYS, and old WhatsApp message ids."""
    moment = now or timezone.now()
    expired = Conversation.objects.expired(moment)
    messages = Message.objects.filter(conversation__in=expired).count()
    conversations = expired.count()
    expired.delete()
    cutoff = moment - timedelta(days=settings.CHATBOT_TRANSCRIPT_DAYS)  # type: ignore[operator]
    inbound, _deleted = InboundWhatsApp.objects.filter(received_at__lt=cutoff).delete()
    if conversations or inbound:
        audit.record(
            None,
            "chatbot.purged",
            None,
            after={"conversations": conversations, "messages": messages, "whatsapp_ids": inbound},
        )
    return Purged(conversations, messages, inbound)

"""Conversations with the CM Seva Sankalp chatbot, their transcripts, and hand-overs to the helpline.

A ``Conversation`` is one exchange on one channel (the web widget or
WhatsApp). The web caller holds a server-issued token; only its keyed hash is
stored, so a leaked table does not let anyone continue someone's
conversation. A conversation becomes *verified* when the person types the
one-time code sent to a mobile number: from then on, until
``CHATBOT_VERIFIED_MINUTES`` pass, it acts as the citizen whose login that
number is, and sees exactly what that citizen's login would see.

``Message`` rows are the transcript. Their text is redacted before it is
saved (``chatbot.redaction``): mobile numbers, Aadhaar-like numbers and
one-time codes never reach the table. Transcripts are deleted after
``CHATBOT_TRANSCRIPT_DAYS`` by the scheduled purge.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 4000


class Channel(models.TextChoices):
    WEB = "web", _("Web chat")
    WHATSAPP = "whatsapp", _("WhatsApp")


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def expired(self, now: Any = None) -> ConversationQuerySet:
        """Conversations silent for longer than the transcript retention period."""
        now = now or timezone.now()
        return self.filter(last_message_at__lt=now - timedelta(days=settings.CHATBOT_TRANSCRIPT_DAYS))


class Conversation(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Web: HMAC of the token the caller holds. WhatsApp: HMAC of the sender's number, so that the
    # next message finds the open conversation without the number being searchable.
    token_hash = models.CharField(max_length=64)
    # A short opaque reference helpline agents quote ("CHT-7K2Q9"); never accepted as a credential.
    reference = models.CharField(max_length=12)
    # WhatsApp only: where replies go (the sender's number as WhatsApp gives it).
    whatsapp_to = models.CharField(max_length=20, blank=True)
    # Web: the logged-in person who started it; only they may continue it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=5, default="hi")
    # The dialogue's memory: the pending task, the details gathered so far, the options offered.
    state = models.JSONField(default=dict, blank=True)
    verified_mobile = models.CharField(max_length=10, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [models.Index(fields=["last_message_at"], name="chat_conversation_last")]
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="chatbot_conversation_token_hash_uniq"),
            models.UniqueConstraint(fields=["reference"], name="chatbot_conversation_reference_uniq"),
        ]

    def __str__(self) -> str:
        return self.reference

    def is_verified(self, now: Any = None) -> bool:
        if not self.verified_mobile or self.verified_at is None or self.verified_user_id is None:
            return False
        now = now or timezone.now()
        return now - self.verified_at <= timedelta(minutes=settings.CHATBOT_VERIFIED_MINUTES)

    def forget_verification(self) -> None:
        self.verified_mobile = ""
        self.verified_at = None
        self.verified_user = None

    @property
    def masked_verified_mobile(self) -> str:
        return f"XXXXXX{self.verified_mobile[-4:]}" if self.verified_mobile else ""


class Message(models.Model):
    """One turn of the transcript, redacted before it is saved."""

    class Role(models.TextChoices):
        CITIZEN = "citizen", _("Citizen")
        BOT = "bot", _("Chatbot")
        AGENT = "agent", _("Helpline agent")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=8, choices=Role.choices)
    text = models.TextField(max_length=TEXT_MAX)
    # What the citizen's turn was understood as, and how sure the classifier was.
    intent = models.CharField(max_length=32, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.role}"


class Handover(models.Model):
    """A conversation handed to the helpline (1100): asked for, or after the bot failed to understand."""

    class Reason(models.TextChoices):
        ASKED = "asked", _("The person asked for a person")
        NOT_UNDERSTOOD = "not_understood", _("The chatbot did not understand twice")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an agent")
        TAKEN = "taken", _("Taken by an agent")
        CLOSED = "closed", _("Closed")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="handovers")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # A number the person gave (or verified) for the helpline to call back; deleted with the transcript.
    callback_mobile = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(status__in=["open", "taken"]),
                name="one_live_handover_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"handover of {self.conversation_id} ({self.status})"

    @property
    def masked_callback(self) -> str:
        return f"XXXXXX{self.callback_mobile[-4:]}" if self.callback_mobile else ""


class InboundWhatsApp(models.Model):
    """A WhatsApp message id seen once: a redelivered or replayed message is not answered twice."""

    message_id = models.CharField(max_length=160)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="chat_inbound_received")]
        constraints = [
            models.UniqueConstraint(fields=["message_id"], name="chatbot_inboundwhatsapp_message_id_uniq"),
        ]

    def __str__(self) -> str:
        return self.message_id

"""SMS templates registered on India's DLT platform, and the log of every SMS sent.

Under TRAI's rules (TCCCPR 2018) a commercial or government SMS is delivered
only if its text matches a template registered on the Distributed Ledger
Technology platform, sent under the registered entity id and header (sender
id). Each language variant of a message is its own registered template, so a
template here carries one DLT template id per language.

The log never holds an OTP in clear: ``params`` keeps the placeholders' values
with secret ones redacted, and the secret values wait, encrypted, in
``sealed_params`` until the message is handed to the gateway or given up.
"""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Placeholders whose values never reach the database in clear.
SECRET_PARAMS = frozenset({"code"})
REDACTED = "******"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class SmsTemplate(models.Model):
    key = models.SlugField(_("key"), max_length=60, db_index=False)
    description = models.CharField(_("what it is for"), max_length=200, blank=True)
    # Blank until the state registers the text on DLT; the HTTP gateway refuses such a template.
    dlt_template_id_en = models.CharField(_("DLT template id (English)"), max_length=30, blank=True)
    dlt_template_id_hi = models.CharField(_("DLT template id (Hindi)"), max_length=30, blank=True)
    text_en = models.TextField(_("text in English"))
    text_hi = models.TextField(_("text in Hindi"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        constraints = [
            models.UniqueConstraint(fields=["key"], name="notifications_smstemplate_key_uniq"),
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        # Both languages must take the same values, or one of them cannot be rendered.
        if placeholders(self.text_en) != placeholders(self.text_hi):
            raise ValidationError(_("The English and Hindi texts must use the same placeholders."))

    def text_in(self, language: str) -> str:
        return self.text_hi if language == "hi" else self.text_en

    def dlt_template_id_in(self, language: str) -> str:
        return self.dlt_template_id_hi if language == "hi" else self.dlt_template_id_en

    def render(self, language: str, params: dict[str, str]) -> str:
        """The message text; raises ``KeyError`` naming a placeholder without a value."""
        text = self.text_in(language)
        missing = placeholders(text) - params.keys()
        if missing:
            raise KeyError(", ".join(sorted(missing)))
        return text.format_map(params)


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent to the gateway")
        FAILED = "failed", _("Failed")
        DELIVERED = "delivered", _("Delivered")

    to = models.CharField(_("mobile number"), max_length=10)
    template = models.ForeignKey(SmsTemplate, on_delete=models.PROTECT, related_name="messages")
    language = models.CharField(max_length=2, choices=[("en", "English"), ("hi", "हिन्दी")])
    params = models.JSONField(default=dict)
    sealed_params = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When a queued message may next be tried: set when a try fails; the relay
    # (``notifications.tasks.relay_queued_sms``) hands over whatever is due.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["to", "-created_at"]),
            models.Index(fields=["provider_id"]),
            models.Index(
                fields=["created_at"], name="sms_queued_by_age", condition=models.Q(status="queued")
            ),
        ]
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")

    def __str__(self) -> str:
        return f"{self.template.key} → {self.masked_to}"

    @property
    def masked_to(self) -> str:
        return f"XXXXXX{self.to[-4:]}"

    def mark_sent(self, provider_id: str) -> None:
        self.status = self.Status.SENT
        self.provider_id = provider_id[:100]
        self.sent_at = timezone.now()
        self.sealed_params = None
        self.error = ""
        self.save(update_fields=["status", "provider_id", "sent_at", "sealed_params", "error", "attempts"])

    def mark_failed(self, error: str) -> None:
        self.status = self.Status.FAILED
        self.error = error[:200]
        self.sealed_params = None
        self.save(update_fields=["status", "error", "sealed_params", "attempts"])

    def mark_delivered(self) -> None:
        """Record the gateway's delivery report for this message."""
        self.status = self.Status.DELIVERED
        self.delivered_at = timezone.now()
        self.save(update_fields=["status", "delivered_at"])

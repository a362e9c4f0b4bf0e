"""Transcripts are deleted once they have been silent for CHATBOT_TRANSCRIPT_DAYS, by the scheduled job."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from himaccess.audit.models import AuditEntry
from himaccess.celery import app
from himaccess.chatbot import tasks
from himaccess.chatbot.models import Conversation, Handover, InboundWhatsApp, Message
from himaccess.chatbot.tests.conftest import Chat, signed_post, whatsapp_text
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def _old_and_new_conversations(settings: Settings) -> tuple[Chat, Chat]:
    days = settings.CHATBOT_TRANSCRIPT_DAYS
    old = Chat()
    with time_machine.travel(timezone.now() - timedelta(days=days + 1)):
        old.say("talk to an agent")
        old.say("9418012345")
        signed_post(Client(), whatsapp_text("919816000004", "namaste", "wamid.old"))
    new = Chat()
    new.say("namaste")
    return old, new


def test_the_purge_command_deletes_old_transcripts_and_keeps_recent_ones(
    personas: Personas, settings: Settings
) -> None:
    _old_and_new_conversations(settings)
    assert Conversation.objects.count() == 3
    out = io.StringIO()
    call_command("chatbot", "purge", stdout=out)
    assert "2 conversations" in out.getvalue()
    kept = Conversation.objects.get()
    assert kept.messages.filter(text="namaste").exists()
    assert not Handover.objects.exists()
    assert not InboundWhatsApp.objects.exists()
    assert Message.objects.filter(conversation=kept).count() == Message.objects.count()
    entry = AuditEntry.objects.get(action="chatbot.purged")
    assert entry.after_data() == {"conversations": 2, "messages": 6, "whatsapp_ids": 1}


def test_the_purge_runs_daily_from_celery_beat(personas: Personas, settings: Settings) -> None:
    _old_and_new_conversations(settings)
    schedule = app.conf.beat_schedule["chatbot-purge-transcripts"]
    assert schedule["task"] == "chatbot.purge"
    assert tasks.purge.delay().get() == 2
    assert Conversation.objects.count() == 1


def test_the_retention_period_is_a_setting(personas: Personas, settings: Settings) -> None:
    Chat().say("namaste")
    settings.CHATBOT_TRANSCRIPT_DAYS = 1
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        call_command("chatbot", "purge", stdout=io.StringIO())
    assert not Conversation.objects.exists()

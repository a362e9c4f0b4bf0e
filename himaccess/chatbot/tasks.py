"""Scheduled and queued work of the chatbot: WhatsApp replies, and the transcript purge.

A WhatsApp message is answered in a task queued once the webhook's
transaction has stored its id, so Meta gets its 200 at once and a slow Graph
API never holds the webhook; the reply is sent by a second task, retried with
backoff while the Graph API cannot be reached, so a failed send never answers
the message twice. Texts travel sealed (AES-GCM, as SMS parameters are): a
one-time code typed into WhatsApp is never in the broker in clear. With no
broker (the embedded profile) the tasks run in the request, after commit.

The purge runs daily from Celery beat; ``himaccess chatbot purge`` runs it by hand.
"""

from __future__ import annotations

import base64

import requests
from celery import shared_task
from celery.schedules import crontab

from himaccess.celery import app
from himaccess.chatbot import actions, dialogue, whatsapp
from himaccess.notifications import sms


def seal_text(text: str) -> str:
    return base64.b64encode(sms.seal({"text": text})).decode()


@shared_task(name="chatbot.whatsapp_reply", acks_late=True)
def whatsapp_reply(sender: str, sealed: str, is_text: bool) -> None:
    """Answer one WhatsApp message, then queue the sending of the reply."""
    text = sms.unseal(base64.b64decode(sealed))["text"] if is_text else ""
    conversation = actions.whatsapp_conversation(sender)
    turn = dialogue.Turn(
        text=text,
        channel=conversation.channel,
        whatsapp_mobile=whatsapp.indian_mobile(sender),
        media=not is_text,
    )
    answer = actions.converse(conversation, turn)
    body = whatsapp.with_options(answer.reply.text, answer.reply.suggestions)
    whatsapp_send.delay(sender, seal_text(body))


# Sending apart from answering: a Graph API that is down is retried without answering the message twice.
@shared_task(
    name="chatbot.whatsapp_send",
    acks_late=True,
    autoretry_for=(requests.RequestException,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=8,
)
def whatsapp_send(to: str, sealed: str) -> None:
    whatsapp.adapter().send_text(to, sms.unseal(base64.b64decode(sealed))["text"])


@shared_task(name="chatbot.purge")
def purge() -> int:
    return actions.purge().conversations


# Daily at 03:10, away from the other nightly jobs. Beat imports the task modules before it reads
# the schedule, so adding here is seen.
app.conf.beat_schedule.update(
    {"chatbot-purge-transcripts": {"task": "chatbot.purge", "schedule": crontab(minute=10, hour=3)}}
)

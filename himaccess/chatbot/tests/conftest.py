"""What the chatbot's tests share: SMS and WhatsApp kept in memory, and a way to talk to the bot.

``Chat`` talks to ``POST /api/v1/chatbot/messages`` as the web widget does,
keeping the conversation id it is given. ``code_sent_to`` reads the one-time
code out of the SMS outbox, as the person would read it on their phone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client, TestCase

from himaccess.accounts.models import Level, Role, User
from himaccess.accounts.testing import last_code_sent_to
from himaccess.applications.actions import drafts, filing
from himaccess.applications.models import Application
from himaccess.catalog.models import Service
from himaccess.chatbot import whatsapp
from himaccess.conftest import MANDI, Personas, make_official
from himaccess.grievances import actions as grievance_actions
from himaccess.grievances import routing
from himaccess.grievances.models import Category, Complaint
from himaccess.grievances.models import Channel as ComplaintChannel
from himaccess.notifications import sms
from himaccess.registry.actions import corrections, members
from himaccess.registry.models import Gender, Relation, Source
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation, reviews
from himaccess.schemes.models import Offer, ReviewCase

API = "/api/v1/chatbot/messages"
APP_SECRET = "test-app-secret-for-signatures"
VERIFY_TOKEN = "test-verify-token"


@pytest.fixture(autouse=True)
def _channels(settings: Any) -> Iterator[None]:
    settings.SMS_BACKEND = "memory"
    settings.WHATSAPP_BACKEND = "fake"
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.CHATBOT_LLM_BACKEND = "none"
    sms.outbox.clear()
    whatsapp.outbox.clear()
    yield
    sms.outbox.clear()
    whatsapp.outbox.clear()


@dataclass
class Chat:
    client: Client = field(default_factory=Client)
    conversation_id: str | None = None
    last: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, *, status: int = 200, language: str = "en") -> dict[str, Any]:
        body = {"text": text, "conversation_id": self.conversation_id}
        # The SMS task of a login code runs after commit: run it now, as a worker would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
            )
        assert response.status_code == status, (response.status_code, response.content[:500])
        self.last = response.json()
        if status == 200:
            self.conversation_id = self.last["conversation_id"]
        return self.last

    @property
    def reply(self) -> str:
        return str(self.last.get("reply", ""))


def code_sent_to(mobile: str) -> str:
    return last_code_sent_to(mobile)


def verify(chat: Chat, mobile: str, first: str) -> dict[str, Any]:
    """Ask ``first`` (a question about one's own case), give ``mobile``, type the code: the answer."""
    chat.say(first)
    # The bot asks for the number in the question's language and script: English, Hindi, or
    # Hindi in Latin letters ("... vah mobile number likhen ...").
    if any(asked in chat.reply for asked in ("Type the mobile number", "मोबाइल नंबर", "mobile number likhen")):
        chat.say(mobile)
    return chat.say(code_sent_to(mobile))


# ------------------------------------------------------------ records made through the real actions


def character_certificate_for_ravi(personas: Personas) -> Application:
    """Asha applies for a character certificate for her son Ravi (the register fills the form)."""
    ravi = personas.member(personas.ravi)
    application = drafts.start_draft(Service.objects.get(code="CERT-05"), ravi, acting_user=personas.asha)
    answers = {**application.answers, "relative_name": "Late Mohan Lal", "purpose": "Police recruitment"}
    return filing.submit(application, answers, {}, acting_user=personas.asha)


def water_complaint_of_asha(personas: Personas) -> Complaint:
    asha = personas.member(personas.asha)
    return grievance_actions.file_complaint(
        category=Category.objects.get(code="jal-shakti-no-water"),
        description="No water in the tap for three days",
        mobile=asha.mobile,
        place=routing.Place.of_family(asha.family),
        channel=ComplaintChannel.WEB,
        member=asha,
        acting_user=personas.asha,
    ).complaint


def signed_post(client: Client, payload: object, *, secret: str = APP_SECRET) -> Any:
    """POST a webhook body to the WhatsApp endpoint signed as Meta signs it."""
    body = json.dumps(payload).encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/chatbot/whatsapp/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=whatsapp.sign(body, secret),
        )


def whatsapp_text(sender: str, text: str, message_id: str, timestamp: int | None = None) -> dict[str, Any]:
    """A webhook body as the WhatsApp Business Cloud API sends one text message."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "911100",
                                "phone_number_id": "106540352242922",
                            },
                            "contacts": [{"profile": {"name": "Asha"}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": message_id,
                                    "timestamp": str(timestamp or int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


# --------------------------------------------------------------- schemes: a benefit stopped after review

START = date(2025, 6, 15)


@dataclass
class Stopped:
    """Asha's disability allowance, sanctioned by Priya, reviewed and stopped after the grace period."""

    personas: Personas
    priya: User
    after_grace: date


@pytest.fixture
def stopped_allowance(personas: Personas) -> Iterator[Stopped]:
    priya = make_official("priya", Role.DISTRICT_WELFARE_OFFICER, Level.DISTRICT, district_id=MANDI)
    priya.postings.update(department="social_justice")
    asha = personas.member(personas.asha)
    with time_machine.travel(START, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        corrections.correct_member(
            asha, {"disability_percent": 75}, acting_user=personas.meena, source=Source.OFFICIAL
        )
        reevaluation.reevaluate_member(asha, trigger="test")
        offer = Offer.objects.get(member=asha, scheme__scheme_id="disability_relief_allowance")
        enrolment = schemes_enrolment.sanction_enrolment(
            schemes_enrolment.accept_offer(offer, acting_user=personas.asha), acting_user=priya
        )
        corrections.correct_member(
            asha, {"disability_percent": 20}, acting_user=personas.meena, source=Source.OFFICIAL
        )
    review = ReviewCase.objects.get(enrolment=enrolment)
    after_grace = START + timedelta(days=ReviewCase.GRACE_DAYS + 2)
    with time_machine.travel(after_grace, tick=False):
        reviews.decide_review(
            review, stop=True, note="Medical board certificate says 20 percent", acting_user=priya
        )
        yield Stopped(personas, priya, after_grace)


SHARED_PHONE = "9816000004"


@pytest.fixture
def shared_phone(personas: Personas) -> str:
    """Pushpa's number is also her daughter Anju's: the chat must ask which of them is writing."""
    members.record_birth(
        personas.kangra_family,
        members.NewMember(
            name_en="Anju Katoch",
            name_hi="अंजू कटोच",
            gender=Gender.FEMALE,
            date_of_birth=date(1990, 3, 5),
            relation=Relation.DAUGHTER,
            mobile=SHARED_PHONE,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    return SHARED_PHONE

"""A question typed in Hindi in Latin letters is answered in Hindi in Latin letters (docs/decisions/1101).

The text, the suggestions and the options all come without Devanagari;
acronyms and loanwords are spelled as people write them (e-KYC, UIDAI,
Aadhaar); links, references and ₹ figures are exactly those of the Hindi
answer. A Devanagari question still gets Devanagari, an English one English.
"""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
import requests

from himaccess.chatbot import llm
from himaccess.chatbot.models import Conversation, Message
from himaccess.chatbot.tests.conftest import Chat, code_sent_to, verify, water_complaint_of_asha
from himaccess.notifications import sms

pytestmark = pytest.mark.django_db

DEVANAGARI = re.compile(r"[\u0900-\u097f]")
LINK = re.compile(r"https?://\S+")
RUPEES = re.compile(r"₹[\d,]+")
ASHA = "9816000001"


def _shown(answer: dict[str, Any]) -> str:
    return answer["reply"] + "\n" + "\n".join(answer["suggestions"])


@pytest.mark.parametrize(
    "question",
    [
        "income certificate ke liye kya chahiye",
        "namaste ji",
        "certificate chahiye",
        "mera family card kaise milega",
        "prakritik kheti ke baare me batao",
        "meri shikayat ka status kya hai",
    ],
)
def test_a_romanised_question_gets_no_devanagari_in_reply_or_suggestions(
    personas: Any, question: str
) -> None:
    answer = Chat().say(question)
    assert answer["language"] == "hi-Latn" and answer["reply_language"] == "hi-Latn"
    assert answer["reply"].strip()
    assert not DEVANAGARI.search(_shown(answer)), _shown(answer)


def test_acronyms_and_loanwords_are_spelled_as_people_write_them(personas: Any) -> None:
    reply = Chat().say("ekyc kaise kare")["reply"]
    for word in ("e-KYC", "UIDAI", "Aadhaar", "OTP", "Lok Mitra Kendra", "mobile"):
        assert word in reply, (word, reply)
    assert "kevaeesi" not in reply and "yuaeedeeeai" not in reply


def test_the_service_answer_keeps_its_facts_in_latin_letters(personas: Any) -> None:
    answer = Chat().say("income certificate ke liye kya chahiye")
    reply = answer["reply"]
    assert answer["service_code"] == "CERT-02"
    assert "aay praman patra" in reply and "(Income certificate)" in reply
    assert "dastavez" in reply and "shulk: koi nahin." in reply and "samay seema: 24" in reply
    assert "/services/apply/CERT-02/" in reply


def test_links_and_rupee_figures_are_those_of_the_hindi_answer(personas: Any) -> None:
    shown: dict[str, str] = {}
    for romanised, hindi in (
        ("prakritik kheti ke baare me batao", "प्राकृतिक खेती के बारे में बताइए"),
        ("income certificate ke liye kya chahiye", "आय प्रमाण पत्र के लिए क्या चाहिए"),
    ):
        in_latin = shown[romanised] = Chat().say(romanised)["reply"]
        in_devanagari = Chat().say(hindi)["reply"]
        assert LINK.findall(in_latin) == LINK.findall(in_devanagari) != []
        assert RUPEES.findall(in_latin) == RUPEES.findall(in_devanagari)
    farming = shown["prakritik kheti ke baare me batao"]
    assert "₹60 prati kilo" in farming and "himtimes.com 2025-06-14" in farming and "PK3Y" in farming


def test_a_devanagari_question_still_gets_devanagari(personas: Any) -> None:
    answer = Chat().say("आय प्रमाण पत्र के लिए क्या चाहिए")
    assert answer["reply_language"] == "hi"
    assert "दस्तावेज़" in answer["reply"] and "आय प्रमाण पत्र" in answer["reply"]


def test_each_message_is_answered_in_its_own_script_within_one_conversation(personas: Any) -> None:
    chat = Chat()
    assert chat.say("income certificate ke liye kya chahiye")["reply_language"] == "hi-Latn"
    english = chat.say("what documents are needed for an income certificate")
    assert english["reply_language"] == "en" and "Documents to upload" in english["reply"]
    hindi = chat.say("आय प्रमाण पत्र के लिए क्या चाहिए")
    assert hindi["reply_language"] == "hi" and "दस्तावेज़" in hindi["reply"]
    again = chat.say("jati praman patra ke liye kya chahiye")
    assert again["reply_language"] == "hi-Latn" and not DEVANAGARI.search(_shown(again))


def test_an_option_shown_in_latin_letters_is_chosen_by_number_or_by_its_words(personas: Any) -> None:
    chat = Chat()
    offered = chat.say("certificate chahiye")["suggestions"]
    assert offered and not DEVANAGARI.search("".join(offered))
    by_number = chat.say("1")
    assert by_number["service_code"] and by_number["reply_language"] == "hi-Latn"
    assert not DEVANAGARI.search(by_number["reply"])

    other = Chat()
    labels = other.say("certificate chahiye")["suggestions"]
    by_words = other.say(labels[1])
    assert by_words["service_code"] and by_words["service_code"] != by_number["service_code"]
    assert not DEVANAGARI.search(by_words["reply"])


def test_the_code_flow_speaks_latin_letters_and_new_code_sends_another(personas: Any) -> None:
    complaint = water_complaint_of_asha(personas)
    chat = Chat()
    asked = chat.say("meri shikayat ka status kya hai")
    assert "mobile number likhen" in asked["reply"] and not DEVANAGARI.search(asked["reply"])
    sent = chat.say(ASHA)
    assert "XXXXXX0001" in sent["reply"] and sent["suggestions"] == ["naya code"]
    codes_before = len([m for m in sms.outbox if m.to == ASHA])
    chat.say(sent["suggestions"][0])
    assert len([m for m in sms.outbox if m.to == ASHA]) == codes_before + 1
    answer = chat.say(code_sent_to(ASHA))
    assert complaint.display_reference in answer["reply"]
    assert answer["reply_language"] == "hi-Latn" and not DEVANAGARI.search(answer["reply"])


def test_the_transcript_keeps_the_reply_as_sent_and_its_script(personas: Any) -> None:
    reply = Chat().say("income certificate ke liye kya chahiye")["reply"]
    stored = Message.objects.get(role="bot")
    assert stored.language == "hi-Latn" and stored.text == reply
    assert Message.objects.get(role="citizen").language == "hi-Latn"


@pytest.fixture
def model_on(settings: Any) -> None:
    settings.CHATBOT_LLM_BACKEND = "openai"
    settings.CHATBOT_LLM_URL = "http://llm.example/v1"
    settings.CHATBOT_LLM_MODEL = "helpdesk-small"


def _answering(text_for: Any) -> Any:
    def post(url: str, json: dict[str, Any], headers: dict[str, str], timeout: int) -> Any:
        response = mock.Mock(spec=requests.Response)
        response.raise_for_status.return_value = None
        original = json["messages"][-1]["content"]
        response.json.return_value = {"choices": [{"message": {"content": text_for(original)}}]}
        return response

    return post


def test_a_faithful_rewording_of_a_latin_answer_is_checked_against_latin_facts(
    personas: Any, model_on: None
) -> None:
    reword = _answering(lambda original: "yeh rahi jaankari.\n" + original)
    with mock.patch.object(llm.requests, "post", autospec=True, side_effect=reword) as post:
        answer = Chat().say("income certificate ke liye kya chahiye")
    assert answer["reply"].startswith("yeh rahi jaankari.")
    assert "Hindi in Latin letters" in post.call_args.kwargs["json"]["messages"][0]["content"]


def test_a_rewording_of_a_latin_answer_that_drops_a_document_is_thrown_away(
    personas: Any, model_on: None
) -> None:
    dropped = _answering(lambda original: original.replace("aay ka praman", "kuchh kagaz"))
    with mock.patch.object(llm.requests, "post", autospec=True, side_effect=dropped):
        answer = Chat().say("income certificate ke liye kya chahiye")
    assert "aay ka praman" in answer["reply"] and "kuchh kagaz" not in answer["reply"]


def test_a_shared_phone_offers_the_names_in_latin_letters_and_takes_one_back(shared_phone: str) -> None:
    chat = Chat()
    answer = verify(chat, shared_phone, "mere avedan ki sthiti kya hai")
    assert answer["reply_language"] == "hi-Latn" and not DEVANAGARI.search(_shown(answer))
    assert "anju katoch" in answer["suggestions"]
    chat.say("anju katoch")
    user = Conversation.objects.get().verified_user
    assert user is not None and user.member_links.get().member.name_en == "Anju Katoch"

"""People are understood in Hindi, English and Hindi in Latin letters, and answered in their language."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from himaccess.chatbot import classifier
from himaccess.chatbot.tests.conftest import Chat
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

DEVANAGARI = re.compile(r"[\u0900-\u097f]")

ASKED = [
    # (what is typed, intent, language of the question)
    ("namaste ji", "greeting", "hi-Latn"),
    ("नमस्ते", "greeting", "hi"),
    ("hello there", "greeting", "en"),
    ("income certificate ke liye kya chahiye", "service_documents", "hi-Latn"),
    ("आय प्रमाण पत्र के लिए कौन से दस्तावेज़ चाहिए", "service_documents", "hi"),
    ("what documents are needed for an income certificate", "service_documents", "en"),
    ("I want a caste certificate", "find_service", "en"),
    ("jati praman patra banwana hai", "find_service", "hi-Latn"),
    ("क्या मेरी माँ को बुढ़ापा पेंशन मिल सकती है", "scheme_eligibility", "hi"),
    ("am I eligible for widow pension", "scheme_eligibility", "en"),
    ("why was my pension stopped", "explain_decision", "en"),
    ("meri pension kyon band hui", "explain_decision", "hi-Latn"),
    ("मेरी पेंशन क्यों बंद हुई", "explain_decision", "hi"),
    ("status of my application", "track_application", "en"),
    ("meri shikayat ka status kya hai", "track_complaint", "hi-Latn"),
    ("तीन दिन से गाँव में पानी नहीं आ रहा", "file_complaint", "hi"),
    ("how do I download my family card", "card_download", "en"),
    ("ekyc kaise kare", "ekyc_help", "hi-Latn"),
    ("शादी के बाद पत्नी का नाम जोड़ना है", "family_change", "hi"),
    ("what does milkfed do", "department_info", "en"),
    ("prakritik kheti ke baare me batao", "department_info", "hi-Latn"),
    ("I want to talk to a person", "human_handoff", "en"),
]


@pytest.mark.parametrize(("text", "intent", "language"), ASKED)
def test_the_classifier_reads_each_intent_in_each_language(text: str, intent: str, language: str) -> None:
    assert classifier.predict(text).intent == intent


@pytest.mark.parametrize(
    ("text", "language", "script"),
    [
        ("income certificate ke liye kya chahiye", "hi-Latn", "hindi in latin letters"),
        ("आय प्रमाण पत्र के लिए क्या चाहिए", "hi", "devanagari"),
        ("what documents are needed for an income certificate", "en", "english"),
    ],
)
def test_the_reply_is_in_the_language_and_script_of_the_question(
    personas: Personas, text: str, language: str, script: str
) -> None:
    answer = Chat().say(text)
    assert answer["language"] == language
    assert answer["intent"] == "service_documents"
    assert answer["service_code"] == "CERT-02"
    words = answer["reply"].split("http")[0]
    if script == "devanagari":
        assert answer["reply_language"] == "hi"
        assert "दस्तावेज़" in words and "शुल्क" in words
    elif script == "hindi in latin letters":
        assert answer["reply_language"] == "hi-Latn"
        assert "dastavez" in words and "shulk" in words
        assert not DEVANAGARI.search(answer["reply"] + "".join(answer["suggestions"]))
    else:
        assert answer["reply_language"] == "en"
        assert "Documents to upload" in words and not DEVANAGARI.search(words.split(")")[-1])


def test_held_out_phrases_are_understood_in_each_language() -> None:
    """The phrases of intents_eval.yaml were never trained on; each language reaches 90 %."""
    model = classifier.model()
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for intent, language, phrase in classifier.read_phrases(classifier.EVAL_PATH):
        total[language] = total.get(language, 0) + 1
        right[language] = right.get(language, 0) + (model.predict(phrase).intent == intent)
    assert set(total) == {"hi", "en", "hi-Latn"}
    for language, count in total.items():
        assert right[language] / count >= 0.9, (language, right[language], count)


def test_training_and_held_out_phrases_are_kept_apart() -> None:
    trained = {phrase.casefold() for _i, _l, phrase in classifier.read_phrases(classifier.TRAIN_PATH)}
    held_out = {phrase.casefold() for _i, _l, phrase in classifier.read_phrases(classifier.EVAL_PATH)}
    assert trained and held_out and not trained & held_out


def test_the_train_command_keeps_the_model_on_disk_for_other_processes() -> None:
    out = io.StringIO()
    call_command("chatbot", "train", stdout=out)
    path = classifier.cache_path()
    assert str(path) in out.getvalue() and path.exists()
    loaded = classifier.IntentModel.load(path)
    for phrase in ("namaste", "why was my pension stopped", "jamabandi ki nakal"):
        assert loaded.predict(phrase).intent == classifier.predict(phrase).intent

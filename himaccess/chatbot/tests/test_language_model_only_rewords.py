"""The optional language model may reword an answer, never change its facts; the product works without it.

Only the HTTP edge is replaced (``requests.post`` of ``chatbot.llm``).
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
import requests

from himaccess.catalog.models import Service
from himaccess.chatbot import llm
from himaccess.chatbot.models import Message
from himaccess.chatbot.tests.conftest import Chat

pytestmark = pytest.mark.django_db

QUESTION = "what documents are needed for an income certificate"


@pytest.fixture
def model_on(settings: Any) -> None:
    settings.CHATBOT_LLM_BACKEND = "openai"
    settings.CHATBOT_LLM_URL = "http://llm.example/v1"
    settings.CHATBOT_LLM_MODEL = "helpdesk-small"


def _answering(text_for: Any) -> Any:
    """A fake endpoint whose completion is ``text_for(original answer)``."""

    def post(url: str, json: dict[str, Any], headers: dict[str, str], timeout: int) -> Any:
        response = mock.Mock(spec=requests.Response)
        response.raise_for_status.return_value = None
        original = json["messages"][-1]["content"]
        response.json.return_value = {"choices": [{"message": {"content": text_for(original)}}]}
        return response

    return post


def test_off_by_default_and_nothing_is_called(personas: Any) -> None:
    with mock.patch.object(llm.requests, "post", autospec=True) as post:
        answer = Chat().say(QUESTION)
    post.assert_not_called()
    assert "Documents to upload" in answer["reply"]


def test_a_faithful_rewording_is_used(personas: Any, model_on: None) -> None:
    reword = _answering(lambda original: "Here is what you need.\n" + original)
    with mock.patch.object(llm.requests, "post", autospec=True, side_effect=reword) as post:
        answer = Chat().say(QUESTION)
    assert answer["reply"].startswith("Here is what you need.")
    assert post.call_args.kwargs["json"]["model"] == "helpdesk-small"
    assert Message.objects.filter(role="bot", text__startswith="Here is what you need.").exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda original: original.replace("Fee: none.", "Fee: ₹ 50."),  # an invented fee
        lambda original: original.replace("24", "12"),  # a changed time limit
        lambda original: original.split("Documents to upload")[0],  # documents dropped
        lambda original: original + "\nAlso bring 2 photographs.",  # an invented document and number
        lambda original: "",
    ],
)
def test_a_rewording_that_changes_a_fact_is_thrown_away(personas: Any, model_on: None, change: Any) -> None:
    version = Service.objects.get(code="CERT-02").current_version
    assert version is not None
    definition = version.definition
    with mock.patch.object(llm.requests, "post", autospec=True, side_effect=_answering(change)):
        answer = Chat().say(QUESTION)
    assert "Documents to upload" in answer["reply"]
    for document in definition["documents"]:
        assert document["name_en"] in answer["reply"]
    assert "₹ 50" not in answer["reply"] and "photographs" not in answer["reply"]


def test_an_unreachable_model_leaves_the_answer_as_built(personas: Any, model_on: None) -> None:
    with mock.patch.object(llm.requests, "post", autospec=True, side_effect=requests.Timeout("slow")):
        answer = Chat().say(QUESTION)
    assert "Documents to upload" in answer["reply"]


def test_personal_records_are_never_sent_to_the_model(personas: Any, model_on: None) -> None:
    with mock.patch.object(llm.requests, "post", autospec=True) as post:
        chat = Chat()
        chat.say("status of my application")
        chat.say("9816000001")
    post.assert_not_called()

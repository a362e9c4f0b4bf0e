"""The chat is on every page as a link and a 1 KB loader; its script and style load only when opened.

Without JavaScript the link leads to a chat page that works with plain forms.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from himaccess.chatbot.models import Message
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/services/", "/grievances/track/", "/cards/verify/"])
def test_every_page_carries_the_chat_link_and_only_the_small_loader(db: object, path: str) -> None:
    body = Client().get(path).content.decode()
    assert 'href="/chatbot/"' in body and 'id="chat-launcher"' in body
    assert "chatbot/launcher.js" in body
    scripts = re.findall(r"<script[^>]*>", body)
    assert all("src=" in tag for tag in scripts), "no inline script (CSP script-src 'self')"
    assert not re.search(r'<script[^>]*src="[^"]*widget\.js', body)
    assert "chatbot/widget.js" in body  # named in a data attribute, fetched on first open


def test_the_loader_is_small_and_the_widget_has_no_outside_origins(db: object) -> None:
    loader = finders.find("chatbot/launcher.js")
    widget = finders.find("chatbot/widget.js")
    assert loader and widget
    assert len(Path(loader).read_bytes()) < 1500
    for path in (loader, widget, finders.find("chatbot/widget.css"), finders.find("chatbot/launcher.css")):
        assert isinstance(path, str), path
        text = Path(path).read_text(encoding="utf-8")
        assert "//cdn" not in text and "https://" not in text and "innerHTML" not in text


def test_the_chat_page_works_without_javascript(personas: Personas) -> None:
    client = Client()
    page = client.get("/chatbot/")
    assert page.status_code == 200 and 'id="chat-launcher"' not in page.content.decode()
    sent = client.post("/chatbot/", {"text": "income certificate ke liye kya chahiye"})
    assert sent.status_code == 302
    shown = client.get("/chatbot/").content.decode()
    assert "income certificate ke liye kya chahiye" in shown and "/services/apply/CERT-02/" in shown
    assert Message.objects.count() == 2


def test_the_chat_page_refuses_an_empty_form(personas: Personas) -> None:
    response = Client().post("/chatbot/", {"text": ""})
    assert response.status_code == 400

"""In a real browser at 390 px: the chat opens from the keyboard, answers, is announced, and closes again."""

from __future__ import annotations

from typing import Any

import pytest

from himaccess.browser import accessibility_violations, logged_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_widget_works_by_keyboard_on_a_phone_and_loads_only_when_opened(
    browser: Any, live_server: Any, personas: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-IN", viewport=PHONE)
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto("/")
    assert not [url for url in fetched if url.endswith("widget.js") or url.endswith("widget.css")]

    opener = page.get_by_role("link", name="Ask CM Seva Sankalp")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="CM Seva Sankalp assistant")
    dialog.wait_for(state="visible")
    assert [url for url in fetched if url.endswith("widget.js")]
    assert page.evaluate("document.activeElement.id") == "chat-input"

    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5

    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    page.keyboard.type("income certificate ke liye kya chahiye")
    page.keyboard.press("Enter")
    link = log.locator('a[href$="/services/apply/CERT-02/"]')
    link.wait_for(timeout=30_000)
    assert page.get_by_role("group", name="Suggested replies").get_by_role("button").count() >= 1

    assert accessibility_violations(page) == []

    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('chat-open')")
    context.close()


def test_the_conversation_continues_on_the_next_page(browser: Any, live_server: Any, personas: Any) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-IN", viewport=PHONE)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Ask CM Seva Sankalp").click()
    page.get_by_label("Your message").fill("hello")
    page.get_by_role("button", name="Send").click()
    page.locator(".chat-msg.chat-bot").nth(1).wait_for(timeout=30_000)
    first = page.evaluate("sessionStorage.getItem('himaccess.chat.conversation')")
    page.goto("/services/")
    page.get_by_role("link", name="Ask CM Seva Sankalp").click()
    page.get_by_label("Your message").fill("thank you")
    page.get_by_role("button", name="Send").click()
    page.locator(".chat-msg.chat-bot").nth(1).wait_for(timeout=30_000)
    assert page.evaluate("sessionStorage.getItem('himaccess.chat.conversation')") == first
    context.close()


def test_the_chat_page_and_the_agents_page_pass_the_accessibility_checks(
    browser: Any, live_server: Any, personas: Any
) -> None:
    page = browser.new_context(base_url=live_server.url, locale="hi-IN", viewport=PHONE).new_page()
    page.goto("/chatbot/")  # in Hindi, as the browser asks
    page.get_by_label("आपका संदेश").fill("mujhe kisi insaan se baat karni hai")
    page.get_by_role("button", name="भेजें").click()
    page.get_by_text("1100").first.wait_for(timeout=30_000)
    assert accessibility_violations(page) == []
    agent = logged_in_page(browser, live_server, personas.client_for(personas.sunita))
    agent.goto("/grievances/console/")
    agent.get_by_role("link", name="Chats handed to the helpline by the chatbot").click()
    agent.get_by_text("mujhe kisi insaan se baat karni hai").first.wait_for(state="attached")
    assert accessibility_violations(agent) == []

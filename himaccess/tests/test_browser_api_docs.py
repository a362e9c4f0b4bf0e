"""The API docs page renders in a real browser with no internet and nothing blocked by the CSP."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_render_offline_within_the_content_security_policy(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-IN")
    page = context.new_page()
    outside: list[str] = []
    problems: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:  # as on a machine with no internet
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/families/{family_id}", exact=True).first.wait_for(timeout=20_000)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Him-Access API")
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    context.close()

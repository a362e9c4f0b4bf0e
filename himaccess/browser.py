"""Pytest fixtures that drive Debian's chromium through Playwright.

Chromium is never downloaded: the tests use /usr/bin/chromium (or
HIMACCESS_CHROMIUM). Where it is missing they are skipped with a message,
unless HIMACCESS_REQUIRE_BROWSER=1 (as in CI), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HIMACCESS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("HIMACCESS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required for the browser tests")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessibility_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page, one line each."""
    # evaluate() runs through the DevTools protocol, outside the page's CSP.
    page.evaluate(AXE.read_text(encoding="utf-8") + ";0")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in result["violations"]
    ]


def logged_in_page(browser: Any, live_server: Any, client: Any) -> Any:
    """A page whose browser carries the session of a logged-in Django test client."""
    context = browser.new_context(base_url=live_server.url, locale="en-IN")
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context.new_page()

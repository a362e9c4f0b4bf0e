"""Every persona walks what the demo shows them, in both languages, at phone and desktop width.

The demo's own state (a few hundred families, a year of applications, complaints, register
changes, enrolments, dairy and natural-farming records) is made with the demo's command; then, for
each persona, a browser starts at the home page and follows every link it is offered, breadth
first, a few pages of each kind. On every page:

- the server answers 2xx (no broken internal link, no error page);
- nothing is wider than the screen at 390 px or at 1280 px;
- a Hindi page has no run of three or more Latin-script words outside what is meant to be Latin
  (identifiers, e-mail addresses, codes, code blocks such as a rule's JSON, what a person typed in
  a text box, and text marked ``lang="en"``, such as a complaint someone wrote in English);
- axe-core finds no WCAG 2.1 A/AA violation.

All problems are gathered and reported together, so one run shows the whole picture.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from io import StringIO
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from himaccess.accounts.models import User
from himaccess.applications.models import Application
from himaccess.browser import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 390, 1280
# Pages of one kind (same path once numbers and identifiers are blanked out) visited per persona.
PER_KIND = 2
PAGES_PER_PERSONA = 45

# Never followed: they change state or leave the HTML site.
SKIP_PATHS = re.compile(
    r"^/(admin|api|static|media|o|oauth|\.well-known)/|/logout/|/download|\.(pdf|csv|png|svg)$"
)
ID = re.compile(r"\d+|[A-Z]{2,}[-0-9A-Z]*\d[-0-9A-Z]*", re.IGNORECASE)

# What may be Latin on a Hindi page: three or more Latin words in a row are reported unless the
# run is a code (letters and digits mixed), an e-mail address or a web address.
LATIN_RUNS = """
() => {
  const runs = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const word = "[A-Za-z][A-Za-z'’.&-]*";
  const pattern = new RegExp(word + "(?:[ ,:/()]+" + word + "){2,}", "g");
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent) continue;
    const latin = "script, style, noscript, code, kbd, samp, pre, textarea, [lang]:not([lang=hi])";
    if (parent.closest(latin)) continue;
    if (parent.closest("[hidden], [aria-hidden=true]")) continue;
    const style = getComputedStyle(parent);
    if (style.display === "none" || style.visibility === "hidden") continue;
    for (const match of node.textContent.matchAll(pattern)) runs.push(match[0]);
  }
  return runs;
}
"""
ALLOWED_LATIN = re.compile(r"[\w.+-]+@[\w.-]+|https?://\S+|\b\w*\d\w*\b")


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    checked_accessibility: set[tuple[str, str]] = field(default_factory=set)
    pages: int = 0

    def add(self, who: str, language: str, url: str, problem: str) -> None:
        self.problems.append(f"[{who} {language}] {url}: {problem}")


def _kind(path: str) -> str:
    return ID.sub("#", path)


def _latin_runs(page: Page) -> list[str]:
    runs: list[str] = page.evaluate(LATIN_RUNS)
    return [run for run in runs if len(ALLOWED_LATIN.sub("", run).split()) >= 3]


def _walk(page: Page, base: str, who: str, language: str, findings: Findings) -> None:
    seen_kinds: dict[str, int] = {}
    queued: set[str] = {"/"}
    queue: deque[str] = deque(["/"])
    visited = 0
    while queue and visited < PAGES_PER_PERSONA:
        path = queue.popleft()
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        response = page.goto(base + path)
        visited += 1
        findings.pages += 1
        if response is None or response.status >= 400:
            findings.add(who, language, path, f"answered {response.status if response else 'nothing'}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if page.evaluate("document.documentElement.lang") != language:
            findings.add(who, language, path, "page is not in the chosen language")
        for width in (DESKTOP, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                findings.add(who, language, path, f"{wide} px wide on a {width} px screen")
        if language == "hi":
            for run in _latin_runs(page):
                findings.add(who, language, path, f"English on a Hindi page: {run!r}")
        kind = _kind(urlsplit(path).path)
        if (kind, language) not in findings.checked_accessibility:
            findings.checked_accessibility.add((kind, language))
            for violation in accessibility_violations(page):
                findings.add(who, language, path, violation)
        hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            href = urldefrag(href).url
            if not href.startswith(base):
                continue
            target = href[len(base) :] or "/"
            target_kind = _kind(urlsplit(target).path)
            if target in queued or SKIP_PATHS.search(urlsplit(target).path):
                continue
            if seen_kinds.get(target_kind, 0) >= PER_KIND:
                continue
            seen_kinds[target_kind] = seen_kinds.get(target_kind, 0) + 1
            queued.add(target)
            queue.append(target)


def _demo_state(settings: Any, live_server: LiveServer) -> None:
    settings.SITE_URL = live_server.url
    call_command("demo", no_serve=True, families=300, stdout=StringIO(), stderr=StringIO())


def _citizen() -> User:
    """A citizen of Mandi tehsil who has applied for a service, as the demo leaves one."""
    filed_by = Application.objects.filter(family__tehsil_id=133, filed_by__kind=User.Kind.CITIZEN)
    user = User.objects.filter(pk__in=filed_by.values("filed_by")).order_by("pk").first()
    assert user is not None, "the demo made no citizen applications in Mandi tehsil"
    return user


def _crawl(browser: Browser, live_server: LiveServer, users: list[User | None]) -> Findings:
    findings = Findings()
    for user in users:
        who = user.username if user else "anonymous"
        for language in ("en", "hi"):
            context = browser.new_context(
                base_url=live_server.url, locale="hi-IN" if language == "hi" else "en-IN"
            )
            cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
            if user is not None:
                client = Client()
                client.force_login(user)
                cookies.append(
                    {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
                )
            context.add_cookies(cookies)  # type: ignore[arg-type]
            _walk(context.new_page(), live_server.url, who, language, findings)
            context.close()
    return findings


def _report(findings: Findings) -> None:
    assert findings.pages > 0
    assert not findings.problems, (
        f"{len(findings.problems)} problems on {findings.pages} pages:\n" + "\n".join(findings.problems)
    )


def test_citizens_and_the_public(browser: Browser, live_server: LiveServer, settings: Any) -> None:
    _demo_state(settings, live_server)
    _report(_crawl(browser, live_server, [None, _citizen()]))


@pytest.mark.parametrize(
    "usernames",
    [
        ["prem.patwari", "meena.tehsildar", "sdm.mandi", "lokmitra.mandi"],
        ["dc.mandi", "welfare.mandi", "sunita.helpline", "state.admin"],
        ["milkfed.mandi", "agri.mandi", "centre.mandi", "vikram.tehsildar"],
    ],
    ids=["tehsil", "district-and-state", "departments"],
)
def test_officials(browser: Browser, live_server: LiveServer, settings: Any, usernames: list[str]) -> None:
    _demo_state(settings, live_server)
    _report(_crawl(browser, live_server, [User.objects.get(username=name) for name in usernames]))

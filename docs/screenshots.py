"""Screenshots of the key pages, as each persona sees them, in both languages, on a phone and a desktop.

    .venv/bin/python docs/screenshots.py [--out var/screenshots] [--families 300]

Prepares a fresh demo state in a folder of its own (the demo's own command), serves it on a free
local port, logs each persona in (officials without their second factor: the sessions are made
here, as a test would), and saves one full-page PNG per page, persona, language and width:
``<out>/<persona>/<page>-<language>-<width>.png``. Debian's chromium is driven by Playwright
(``HIMACCESS_CHROMIUM`` to use another); nothing is downloaded. Review the folder, or compare it
with the one a previous version produced.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("HIMACCESS_CHROMIUM", "/usr/bin/chromium")
WIDTHS = {"phone": 390, "desktop": 1280}
LANGUAGES = ("en", "hi")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (a local address built here)
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s")


def _pages() -> dict[str, list[tuple[str, Callable[[], str]]]]:
    """Per persona (a username, or "public"), the pages to capture, each as a name and its URL."""
    from django.urls import reverse

    from himaccess.applications.models import Application
    from himaccess.grievances.models import Complaint
    from himaccess.registry.models import Family

    def family() -> Family:
        found = (
            Family.objects.filter(tehsil_id=133, service_applications__isnull=False).order_by("pk").first()
        )
        return found or Family.objects.order_by("pk")[0]

    def application() -> Application:
        return Application.objects.filter(family__tehsil_id=133).order_by("-pk")[0]

    def complaint() -> Complaint:
        return Complaint.objects.order_by("-pk")[0]

    return {
        "public": [
            ("home", lambda: reverse("home")),
            ("services", lambda: reverse("catalog:index")),
            ("login", lambda: reverse("accounts:citizen_login")),
            ("verify-card", lambda: reverse("cards:verify")),
            ("complaint-figures", lambda: reverse("grievances:dashboard")),
        ],
        "citizen": [
            ("home", lambda: reverse("home")),
            ("family", lambda: reverse("registry:family", args=[family().family_id])),
            ("applications", lambda: reverse("applications:list")),
            ("complaints", lambda: reverse("grievances:mine")),
            ("apps", lambda: reverse("integrations:my_apps")),
        ],
        "meena.tehsildar": [
            ("work", lambda: reverse("home")),
            ("applications-queue", lambda: reverse("applications:queue")),
            ("application", lambda: reverse("applications:detail", args=[application().number])),
            ("change-requests", lambda: reverse("registry:queue")),
            ("family-search", lambda: reverse("registry:search") + "?q=Sharma"),
            ("complaints", lambda: reverse("grievances:queue")),
            ("complaint", lambda: reverse("grievances:detail", args=[complaint().reference])),
        ],
        "welfare.mandi": [
            ("work", lambda: reverse("home")),
            ("scheme-work", lambda: reverse("schemes:queue")),
            ("card-printing", lambda: reverse("cards:print_queue")),
        ],
    }


def _session_for(username: str) -> str:
    from django.test import Client

    from himaccess.accounts.models import User
    from himaccess.applications.models import Application

    if username == "citizen":
        filed = Application.objects.filter(family__tehsil_id=133, filed_by__kind=User.Kind.CITIZEN)
        user = User.objects.filter(pk__in=filed.values("filed_by")).order_by("pk").first()
        if user is None:
            raise SystemExit("the demo made no citizen applications in Mandi tehsil")
    else:
        user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


def _capture(base: str, out: Path, sessions: dict[str, str], pages: dict[str, list[tuple[str, str]]]) -> int:
    from playwright.sync_api import sync_playwright

    taken = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
        )
        for persona, entries in pages.items():
            for language in LANGUAGES:
                for width_name, width in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    cookies = [{"name": "django_language", "value": language, "url": base}]
                    if persona in sessions:
                        cookies.append({"name": "sessionid", "value": sessions[persona], "url": base})
                    context.add_cookies(cookies)  # type: ignore[arg-type]
                    page = context.new_page()
                    for name, url in entries:
                        page.goto(base + url)
                        path = out / persona / f"{name}-{language}-{width_name}.png"
                        path.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(path), full_page=True)
                        taken += 1
                    context.close()
        browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--families", type=int, default=300)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="himaccess-screens-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HIMACCESS_DATA_DIR": str(data_dir), "SITE_URL": base}
    env.pop("DATABASE_URL", None)  # the demo's own SQLite, never a shared database
    himaccess = str(Path(sys.executable).with_name("himaccess"))
    print(f"preparing a demo state with {args.families} families in {data_dir}", flush=True)
    subprocess.run(  # noqa: S603 (our own command)
        [himaccess, "demo", "--no-serve", "--families", str(args.families), "--port", str(port)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(  # noqa: S603
        [himaccess, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, stdout=subprocess.DEVNULL
    )
    try:
        _wait_for(base + "/")
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
        import django

        django.setup()
        # Every address is worked out here, before the browser runs: the ORM refuses to be called
        # from inside Playwright's event loop.
        pages = {persona: [(name, url()) for name, url in entries] for persona, entries in _pages().items()}
        sessions = {persona: _session_for(persona) for persona in pages if persona != "public"}
        started = time.perf_counter()
        taken = _capture(base, args.out, sessions, pages)
        print(f"{taken} screenshots in {args.out} ({time.perf_counter() - started:.0f} s)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

"""Department clients with webhook allowances, their tokens, and a real HTTP receiver on a thread.

Two clients: Social Justice, allowed births, deaths, moves and KYC in Mandi
and its own department's decided applications; Health, allowed births and
deaths in Kangra only. Each gets a client-credentials access token of the
kind the department token endpoint issues (no citizen bound to it).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from himaccess.conftest import KANGRA, MANDI
from himaccess.departments.models import Department
from himaccess.webhooks import actions
from himaccess.webhooks.models import Allowance


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP server that records every request and answers ``status``."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    status: int = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def ids(self) -> list[str]:
        return [item.headers["Him-Delivery"] for item in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            box = holder["receiver"]
            box.received.append(Received(dict(self.headers.items()), body))
            self.send_response(box.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["receiver"] = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["receiver"]
    server.shutdown()
    server.server_close()


@dataclass
class DepartmentClient:
    application: Any
    allowance: Allowance
    token: str

    def api(self, language: str = "en") -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.token}", HTTP_ACCEPT_LANGUAGE=language)


def make_client(
    name: str, department: str, *, event_types: list[str], districts: list[int]
) -> DepartmentClient:
    Application = get_application_model()
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="",
    )
    allowance = actions.grant(
        application,
        event_types=event_types,
        districts=districts,
        department=Department.objects.get(pk=department),
        acting_user=None,
    )
    token = secrets.token_urlsafe(30)
    get_access_token_model().objects.create(
        application=application, user=None, token=token, scope="", expires=timezone.now() + timedelta(hours=1)
    )
    return DepartmentClient(application, allowance, token)


@pytest.fixture
def social_justice(db: Any) -> DepartmentClient:
    return make_client(
        "Social Justice DBT",
        "social_justice",
        event_types=["member.born", "member.died", "member.moved", "kyc.completed", "application.decided"],
        districts=[MANDI],
    )


@pytest.fixture
def health(db: Any) -> DepartmentClient:
    return make_client(
        "Health Records",
        "health",
        event_types=["member.born", "member.died"],
        districts=[KANGRA],
    )

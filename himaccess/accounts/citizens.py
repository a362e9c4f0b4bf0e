"""What logging a citizen in needs from the register, which sits above accounts.

Accounts checks codes and opens sessions; the register knows who lives at a
mobile number and which member a login is. The register connects its two
answers here when the apps load (``RegistryConfig.ready``), so accounts
imports nothing of the register and the layers stay one-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from himaccess.accounts.models import User


@dataclass(frozen=True)
class Register:
    # Whether a living member of the register has this mobile number.
    has_mobile: Callable[[str], bool]
    # Where a citizen goes once their code is accepted (linking their login to their member first).
    landing: Callable[[HttpRequest, User], HttpResponse]


_register: Register | None = None


def connect(register: Register) -> None:
    global _register
    _register = register


def _connected() -> Register:
    if _register is None:
        raise ImproperlyConfigured("The register app (himaccess.registry) is not installed.")
    return _register


def on_register(mobile: str) -> bool:
    return _connected().has_mobile(mobile)


def landing(request: HttpRequest, user: User) -> HttpResponse:
    return _connected().landing(request, user)

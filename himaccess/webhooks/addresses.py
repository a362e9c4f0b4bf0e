"""Which addresses a subscriber may name: https on a public host in production.

A webhook makes the platform send requests where a department says; without
these rules a subscription could aim them at the platform's own network
(server-side request forgery). The rules are checked when a subscription is
made and again, for the host's addresses, before each batch is sent (a name
may be pointed somewhere else later).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_URL_LENGTH = 2048
BLOCKED_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolves_publicly(host: str) -> bool:
    """Whether every address the host resolves to is public (a host that does not resolve is not)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(_is_public(str(info[4][0])) for info in infos)


def validate_url(url: str) -> str:
    """The address cleaned, or ``ValidationError`` saying in the reader's language what is wrong."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            _("The address is too long: at most %(limit)s characters."),
            code="too_long",
            params={"limit": MAX_URL_LENGTH},
        )
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise ValidationError(
            _("The address contains spaces or control characters."), code="control_characters"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(_("This is not a valid web address."), code="invalid_url") from exc
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise ValidationError(_("The address must start with https://."), code="not_https")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ValidationError(_("This is not a valid web address."), code="invalid_url")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            _("The address must not contain a user name or password."), code="credentials_in_url"
        )
    if parts.fragment:
        raise ValidationError(_("The address must not contain a fragment (#)."), code="fragment")
    if port == 0:
        raise ValidationError(_("This is not a valid web address."), code="invalid_url")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and not _public_host(host):
        raise ValidationError(
            _("The address must be on a public host: local and private network addresses are refused."),
            code="private_address",
        )
    return url


def _public_host(host: str) -> bool:
    if host == "localhost" or host.endswith(BLOCKED_SUFFIXES):
        return False
    try:
        return _is_public(host.strip("[]"))
    except ValueError:
        return resolves_publicly(host)

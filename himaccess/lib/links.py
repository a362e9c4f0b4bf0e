"""Absolute addresses of the product's pages, for what leaves the site: SMS, PDFs, QR codes, replies.

Every such address starts with ``settings.SITE_URL``, the public base URL the
deployment sets (``himaccess demo --port N`` sets it to the port it serves
on). Pages answering a request use relative links and never need this.
"""

from __future__ import annotations

from django.conf import settings


def absolute(path: str) -> str:
    """``/services/…`` → ``https://him.example/services/…``; ``path`` starts with a slash."""
    if not path.startswith("/"):
        raise ValueError("an absolute address is built from a path starting with /")
    return f"{settings.SITE_URL.rstrip('/')}{path}"

"""The API's docs page, served from the product's own static files: it works with no internet.

Swagger UI is vendored (``himaccess/vendor/swagger-ui``, served as static files
under ``swagger-ui/``); the page has no inline script, so the site-wide
Content-Security-Policy (everything from 'self') holds here too.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

TEMPLATE = "api/docs.html"


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "dom_id": "#swagger-ui",
            "deepLinking": True,
            # The document is checked by the product's own tests; no call to an outside validator.
            "validatorUrl": None,
        }
        context = {"api": api, "swagger_settings": json.dumps(settings)}
        return render(request, TEMPLATE, context)

"""The JSON API under /api/v1/; OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Him-Access API",
    version="1",
    description="Family register, services and benefits of Himachal Pradesh.",
    urls_namespace="api",
)

"""The JSON API under /api/v1/; OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Him-Access API",
    version="1",
    description="Family register, services and benefits of Himachal Pradesh.",
    urls_namespace="api",
)
api.add_router("/geography", "himaccess.geography.api.router")
api.add_router("/", "himaccess.registry.api.router")
api.add_router("/cards", "himaccess.cards.api.router")
api.add_router("/services", "himaccess.applications.api.router")
api.add_router("/grievances", "himaccess.grievances.api.router")
api.add_router("/schemes", "himaccess.schemes.api.router")

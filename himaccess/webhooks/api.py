"""``/api/v1/webhooks/``: a department client's subscriptions, its delivery log, and replays.

The client authenticates with an OAuth access token of its own (client
credentials: a token bound to no citizen), and sees and changes only its own
subscriptions and deliveries; another client's are 404. What it may subscribe
to is its ``Allowance``, set by the state administrator.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import HttpBearer
from oauth2_provider.models import AbstractApplication, get_access_token_model
from pydantic import Field

from himaccess.lib.api_errors import ApiError, errors
from himaccess.lib.schemas import CleanTextSchema
from himaccess.webhooks import actions
from himaccess.webhooks.actions import MAX_OVERLAP_HOURS
from himaccess.webhooks.addresses import MAX_URL_LENGTH
from himaccess.webhooks.models import Allowance, Delivery, EventType, Subscription

PAGE = 100


class WebhookClientToken(HttpBearer):
    """A department client's own access token (client credentials), not one issued for a citizen."""

    def __call__(self, request: HttpRequest) -> AbstractApplication | None:
        # Read by hand: Ninja's parser logs an unexpected Authorization header whole with DEBUG on.
        scheme, _sep, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> AbstractApplication | None:
        checksum = hashlib.sha256(token.encode()).hexdigest()
        access = (
            get_access_token_model()
            .objects.filter(token_checksum=checksum, user__isnull=True, application__isnull=False)
            .select_related("application")
            .first()
        )
        if access is None or access.is_expired():
            return None
        return access.application


router = Router(tags=["webhooks"], auth=WebhookClientToken())


def _client(request: HttpRequest) -> AbstractApplication:
    return request.auth  # type: ignore[attr-defined]


def _refused(exc: ValidationError) -> ApiError:
    items: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for name, problems in exc.error_dict.items():
            for problem in problems:
                for message in problem.messages:
                    items.append({"loc": ["body", name], "type": problem.code or "invalid", "msg": message})
    else:
        items = [
            {"loc": ["body"], "type": e.code or "invalid", "msg": m}
            for e in exc.error_list
            for m in e.messages
        ]
    detail = _("Some values are not valid: %(fields)s") % {
        "fields": "; ".join(
            f"{'.'.join(str(p) for p in item['loc'][1:]) or 'body'}: {item['msg']}" for item in items
        )
    }
    return ApiError(422, detail, code="invalid", errors=items)


def _subscription_for(request: HttpRequest, subscription_id: UUID) -> Subscription:
    subscription = Subscription.objects.filter(
        public_id=subscription_id, application=_client(request), active=True
    ).first()
    if subscription is None:
        raise Http404
    return subscription


class EventTypeOut(Schema):
    type: str
    description: str
    allowed: bool


class SubscriptionIn(CleanTextSchema):
    url: str = Field(max_length=MAX_URL_LENGTH)
    event_types: list[str] = Field(min_length=1, max_length=len(EventType.values))
    districts: list[int] = Field(default_factory=list, max_length=20)


class SubscriptionOut(Schema):
    id: UUID
    url: str
    event_types: list[str]
    districts: list[int]
    created_at: datetime
    paused_until: datetime | None
    consecutive_failures: int


class SecretOut(Schema):
    subscription: SubscriptionOut
    # Shown once: keep it; it signs every delivery (see the webhooks guide).
    secret: str
    previous_secret_valid_until: datetime | None


class ReplayIn(CleanTextSchema):
    since: datetime


class RotateIn(CleanTextSchema):
    # How long the replaced secret keeps signing beside the new one: time for the
    # receiver to deploy the new secret (0: the old one stops at once, after a leak).
    overlap_hours: int = Field(default=24, ge=0, le=MAX_OVERLAP_HOURS)


class EndIn(CleanTextSchema):
    # Kept in the audit log: why the department stopped listening.
    reason: str = Field(min_length=1, max_length=500)


class ReplayOut(Schema):
    deliveries: int


class DeliveryOut(Schema):
    id: UUID
    subscription: UUID
    event_type: str
    sequence: int
    status: str
    attempts: int
    response_code: int | None
    next_attempt_at: datetime | None
    last_error: str
    delivered_at: datetime | None
    replay: bool
    created_at: datetime


class DeliveriesQuery(CleanTextSchema):
    subscription: UUID | None = None
    status: Literal["pending", "delivered", "failed"] | None = None
    # The last id of the previous page, to read the next one.
    after: int = Field(default=0, ge=0, le=2**62)


class DeliveryPage(Schema):
    deliveries: list[DeliveryOut]
    next_after: int | None


def _out(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.public_id,
        url=subscription.url,
        event_types=subscription.event_types,
        districts=subscription.districts,
        created_at=subscription.created_at,
        paused_until=subscription.paused_until,
        consecutive_failures=subscription.failures,
    )


def _secret(subscription: Subscription) -> SecretOut:
    return SecretOut(
        subscription=_out(subscription),
        secret=subscription.secret,
        previous_secret_valid_until=subscription.previous_secret_until,
    )


@router.get("/event-types", response=list[EventTypeOut])
def event_types(request: HttpRequest) -> list[EventTypeOut]:
    allowance = Allowance.objects.filter(application=_client(request)).first()
    allowed = set(allowance.event_types) if allowance else set()
    return [
        EventTypeOut(type=value, description=str(label), allowed=value in allowed)
        for value, label in EventType.choices
    ]


@router.get("/subscriptions", response=list[SubscriptionOut])
def subscriptions(request: HttpRequest) -> list[SubscriptionOut]:
    return [_out(s) for s in Subscription.objects.filter(application=_client(request), active=True)]


@router.post("/subscriptions", response={201: SecretOut, **errors(403)})
def create_subscription(request: HttpRequest, body: SubscriptionIn) -> tuple[int, SecretOut]:
    try:
        subscription = actions.subscribe(
            _client(request), url=body.url, event_types=body.event_types, districts=body.districts
        )
    except PermissionDenied as exc:
        raise ApiError(403, _("This client is not allowed to receive webhooks."), code="not_allowed") from exc
    except ValidationError as exc:
        raise _refused(exc) from exc
    return 201, _secret(subscription)


@router.get("/subscriptions/{subscription_id}", response=SubscriptionOut)
def subscription(request: HttpRequest, subscription_id: UUID) -> SubscriptionOut:
    return _out(_subscription_for(request, subscription_id))


@router.post("/subscriptions/{subscription_id}/end", response={204: None})
def end_subscription(request: HttpRequest, subscription_id: UUID, body: EndIn) -> tuple[int, None]:
    """Stop a subscription: nothing more is delivered to it, and it leaves the list."""
    actions.unsubscribe(_subscription_for(request, subscription_id), reason=body.reason)
    return 204, None


@router.post("/subscriptions/{subscription_id}/secret", response=SecretOut)
def rotate_secret(request: HttpRequest, subscription_id: UUID, body: RotateIn) -> SecretOut:
    """A new secret now; the old one keeps signing alongside it for ``overlap_hours`` (default 24)."""
    subscription = _subscription_for(request, subscription_id)
    return _secret(actions.rotate_secret(subscription, overlap=timedelta(hours=body.overlap_hours)))


@router.post("/subscriptions/{subscription_id}/replay", response=ReplayOut)
def replay(request: HttpRequest, subscription_id: UUID, body: ReplayIn) -> ReplayOut:
    """Deliver again every event since ``since`` (marked ``replay``, same delivery ids)."""
    subscription = _subscription_for(request, subscription_id)
    since = body.since if timezone.is_aware(body.since) else body.since.replace(tzinfo=UTC)
    try:
        return ReplayOut(deliveries=actions.replay(subscription, since=since))
    except ValidationError as exc:
        raise _refused(exc) from exc


def _deliveries(request: HttpRequest, query: DeliveriesQuery) -> QuerySet[Delivery]:
    found = Delivery.objects.filter(subscription__application=_client(request), pk__gt=query.after)
    if query.subscription is not None:
        found = found.filter(subscription__public_id=query.subscription)
    if query.status is not None:
        found = found.filter(status=query.status)
    return found.select_related("subscription", "event").order_by("id")


@router.get("/deliveries", response=DeliveryPage)
def deliveries(request: HttpRequest, query: Query[DeliveriesQuery]) -> DeliveryPage:
    """The client's delivery log, oldest first, a page at a time.

    ``after``: the previous page's ``next_after``.
    """
    page = list(_deliveries(request, query)[:PAGE])
    items = [
        DeliveryOut(
            id=d.delivery_id,
            subscription=d.subscription.public_id,
            event_type=d.event.type,
            sequence=d.event_id,
            status=d.status,
            attempts=d.attempts,
            response_code=d.response_code,
            next_attempt_at=d.next_attempt_at if d.status == Delivery.Status.PENDING else None,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
            replay=d.replay,
            created_at=d.created_at,
        )
        for d in page
    ]
    return DeliveryPage(deliveries=items, next_after=page[-1].pk if len(page) == PAGE else None)

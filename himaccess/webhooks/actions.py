"""Use cases of webhooks: allowances, subscriptions, secret rotation, replays; each audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractApplication

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.departments.models import Department
from himaccess.geography.models import District
from himaccess.webhooks import addresses
from himaccess.webhooks.models import Allowance, Delivery, EventType, Subscription, WebhookEvent, new_secret
from himaccess.webhooks.tasks import deliver

MAX_SUBSCRIPTIONS = 20
# How far back a replay may reach; older events may have been purged.
REPLAY_DAYS = 30
# How long the replaced secret still signs after a rotation, unless told otherwise.
ROTATION_OVERLAP = timedelta(hours=24)
# A week: long enough for any receiver's deployment, short enough that a leaked secret dies.
MAX_OVERLAP_HOURS = 168


def _event_types(values: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(values))
    if not chosen:
        raise ValidationError({"event_types": _("Choose at least one event type.")})
    unknown = [value for value in chosen if value not in EventType.values]
    if unknown:
        raise ValidationError(
            {
                "event_types": _("Unknown event types: %(types)s. Known: %(known)s.")
                % {"types": ", ".join(unknown)[:200], "known": ", ".join(EventType.values)}
            }
        )
    return chosen


@transaction.atomic
def grant(
    application: AbstractApplication,
    *,
    event_types: Iterable[str],
    districts: Iterable[int] = (),
    department: Department | None = None,
    acting_user: User | None,
) -> Allowance:
    """Allow a department client to subscribe to these event types in these districts (none: the state)."""
    types = _event_types(event_types)
    allowance, _created = Allowance.objects.update_or_create(
        application=application, defaults={"event_types": types, "department": department}
    )
    allowance.districts.set(District.objects.filter(lgd_code__in=list(districts)))
    audit.record(
        acting_user,
        "webhooks.allowance_granted",
        allowance,
        after={
            "client": application.client_id,
            "event_types": types,
            "districts": sorted(allowance.district_codes()),
            "department": department.pk if department else None,
        },
    )
    return allowance


def allowance_of(application: AbstractApplication) -> Allowance:
    allowance = Allowance.objects.filter(application=application).first()
    if allowance is None:
        raise PermissionDenied(_("This client is not allowed to receive webhooks."))
    return allowance


@transaction.atomic
def subscribe(
    application: AbstractApplication,
    *,
    url: str,
    event_types: Iterable[str],
    districts: Iterable[int] = (),
    acting_user: User | None = None,
) -> Subscription:
    """A new subscription within the client's allowance; refused whole, with every reason, otherwise."""
    allowance = allowance_of(application)
    errors: dict[str, list[ValidationError]] = {}
    try:
        url = addresses.validate_url(url)
    except ValidationError as exc:
        errors["url"] = exc.error_list
    try:
        types = _event_types(event_types)
        outside = [value for value in types if value not in allowance.event_types]
        if outside:
            raise ValidationError(
                {
                    "event_types": _("Your client is not allowed these event types: %(types)s.")
                    % {"types": ", ".join(outside)}
                }
            )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    chosen = sorted(set(districts))
    allowed = allowance.district_codes()
    known = set(District.objects.filter(lgd_code__in=chosen).values_list("lgd_code", flat=True))
    if set(chosen) - known or (allowed and set(chosen) - allowed):
        errors["districts"] = [
            ValidationError(
                _("Your client is not allowed these districts: %(districts)s.")
                % {"districts": ", ".join(str(code) for code in sorted(set(chosen) - (allowed or known)))}
            )
        ]
    if errors:
        raise ValidationError(errors)
    if Subscription.objects.filter(application=application, active=True).count() >= MAX_SUBSCRIPTIONS:
        raise ValidationError(
            _("A client may have at most %(limit)s active subscriptions.") % {"limit": MAX_SUBSCRIPTIONS}
        )
    subscription = Subscription.objects.create(
        application=application, url=url, event_types=types, districts=chosen
    )
    audit.record(
        acting_user,
        "webhooks.subscribed",
        subscription,
        after={"client": application.client_id, "url": url, "event_types": types, "districts": chosen},
    )
    return subscription


@transaction.atomic
def rotate_secret(
    subscription: Subscription, *, overlap: timedelta = ROTATION_OVERLAP, acting_user: User | None = None
) -> Subscription:
    """A new secret at once; the replaced one still signs, alongside, for ``overlap``."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    locked.previous_secret = locked.secret
    locked.previous_secret_until = timezone.now() + overlap
    locked.secret = new_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    audit.record(
        acting_user,
        "webhooks.secret_rotated",
        locked,
        after={"overlap_seconds": int(overlap.total_seconds())},
    )
    return locked


@transaction.atomic
def unsubscribe(subscription: Subscription, *, reason: str = "", acting_user: User | None = None) -> None:
    Subscription.objects.filter(pk=subscription.pk).update(active=False)
    audit.record(acting_user, "webhooks.unsubscribed", subscription, after={"reason": reason})


@transaction.atomic
def replay(subscription: Subscription, *, since: datetime, acting_user: User | None = None) -> int:
    """Deliver again every event since ``since`` the subscription may receive now, marked as replays.

    A delivery made before keeps its ``delivery_id`` (the receiver recognises
    it); an event the subscription had no delivery for gets a new one.
    """
    now = timezone.now()
    if since > now:
        raise ValidationError({"since": _("The time is in the future.")})
    if since < now - timedelta(days=REPLAY_DAYS):
        raise ValidationError(
            {"since": _("A replay reaches back at most %(days)s days.") % {"days": REPLAY_DAYS}}
        )
    if not subscription.active:
        raise ValidationError(_("This subscription is no longer active."))
    scope = subscription.scope(Allowance.objects.filter(application_id=subscription.application_id).first())
    if not scope.types:
        return 0
    events = WebhookEvent.objects.filter(scope.q(), occurred_at__gte=since)
    again = Delivery.objects.filter(subscription=subscription, event__in=events).update(
        status=Delivery.Status.PENDING, replay=True, attempts=0, next_attempt_at=now, last_error=""
    )
    missing = (
        events.exclude(deliveries__subscription=subscription).order_by("id").values_list("pk", flat=True)
    )
    new = [
        Delivery(subscription=subscription, event_id=pk, replay=True, next_attempt_at=now) for pk in missing
    ]
    Delivery.objects.bulk_create(new, batch_size=2000)
    audit.record(
        acting_user,
        "webhooks.replayed",
        subscription,
        after={"since": since.isoformat(), "deliveries": again + len(new)},
    )
    transaction.on_commit(deliver.delay, robust=True)
    return again + len(new)

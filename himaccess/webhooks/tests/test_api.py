"""The department's API: subscribing within its allowance, its own delivery log, replays; refusals."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from himaccess.audit.models import AuditEntry
from himaccess.conftest import KANGRA, MANDI, Personas
from himaccess.webhooks import publishing
from himaccess.webhooks.models import Delivery, EventType, Subscription
from himaccess.webhooks.tests.conftest import DepartmentClient

pytestmark = pytest.mark.django_db

URL = "https://dbt.example.gov.in/hooks"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"/api/v1/webhooks{path}", json.dumps(body), content_type="application/json")


def create(department: DepartmentClient, **overrides: Any) -> Any:
    body = {"url": URL, "event_types": ["member.born"], **overrides}
    return post(department.api(), "/subscriptions", body)


def test_a_department_subscribes_and_gets_its_secret_once(social_justice: DepartmentClient) -> None:
    answer = create(social_justice, event_types=["member.born", "member.died"], districts=[MANDI])
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["secret"].startswith("whsec_")
    assert body["subscription"]["event_types"] == ["member.born", "member.died"]
    listed = social_justice.api().get("/api/v1/webhooks/subscriptions").json()
    assert [item["id"] for item in listed] == [body["subscription"]["id"]]
    assert "secret" not in listed[0]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://dbt.example.gov.in/hooks", "not_https"),
        ("https://localhost/hooks", "private_address"),
        ("https://127.0.0.1:8443/hooks", "private_address"),
        ("https://10.1.2.3/hooks", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
        ("https://[::1]/hooks", "private_address"),
        ("https://[::ffff:192.168.1.5]/hooks", "private_address"),
        ("https://db.internal/hooks", "private_address"),
        ("https://user:pass@dbt.example.gov.in/hooks", "credentials_in_url"),
        ("https://dbt.example.gov.in/ho oks", "control_characters"),
        ("ftp://dbt.example.gov.in/hooks", "not_https"),
        ("https:///hooks", "invalid_url"),
        ("https://dbt.example.gov.in:99999/hooks", "invalid_url"),
        ("https://dbt.example.gov.in/" + "a" * 2100, "string_too_long"),
    ],
)
def test_bad_addresses_are_refused_in_production_and_nothing_is_written(
    social_justice: DepartmentClient, settings: Any, url: str, code: str
) -> None:
    settings.WEBHOOKS_ALLOW_HTTP = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    answer = create(social_justice, url=url)
    assert answer.status_code == 422, answer.content
    assert code in {error["type"] for error in answer.json()["errors"]}
    assert not Subscription.objects.exists()


def test_a_control_character_in_the_address_is_refused_at_the_edge(social_justice: DepartmentClient) -> None:
    answer = create(social_justice, url="https://dbt.example.gov.in/\x00hooks")
    assert answer.status_code == 400
    assert not Subscription.objects.exists()


def test_an_unknown_event_type_is_refused_in_hindi(social_justice: DepartmentClient) -> None:
    answer = post(
        social_justice.api("hi"), "/subscriptions", {"url": URL, "event_types": ["member.teleported"]}
    )
    assert answer.status_code == 422
    assert "अज्ञात" in answer.json()["detail"]
    assert not Subscription.objects.exists()


def test_an_event_type_outside_the_allowance_is_refused(health: DepartmentClient) -> None:
    answer = create(health, event_types=["member.born", "kyc.completed"])
    assert answer.status_code == 422
    assert "kyc.completed" in answer.json()["detail"]
    assert not Subscription.objects.exists()


def test_a_district_outside_the_allowance_is_refused(health: DepartmentClient) -> None:
    answer = create(health, districts=[MANDI])
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "districts"]
    assert create(health, districts=[KANGRA]).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"url": URL},
        {"url": URL, "event_types": []},
        {"url": URL, "event_types": "member.born"},
        {"url": 12, "event_types": ["member.born"]},
        {"url": URL, "event_types": ["member.born"], "districts": ["Mandi"]},
        {"url": URL, "event_types": ["member.born"] * 50},
    ],
)
def test_malformed_bodies_are_refused(social_justice: DepartmentClient, body: dict[str, Any]) -> None:
    assert post(social_justice.api(), "/subscriptions", body).status_code == 422
    assert not Subscription.objects.exists()


def test_a_client_without_an_allowance_is_refused(social_justice: DepartmentClient) -> None:
    social_justice.allowance.delete()
    assert create(social_justice).status_code == 403


def test_without_a_client_token_nothing_is_answered(social_justice: DepartmentClient) -> None:
    assert Client().get("/api/v1/webhooks/deliveries").status_code == 401
    wrong = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert wrong.get("/api/v1/webhooks/subscriptions").status_code == 401


def test_department_a_cannot_see_or_touch_department_bs_subscription_or_deliveries(
    personas: Personas, social_justice: DepartmentClient, health: DepartmentClient
) -> None:
    theirs = create(health, districts=[KANGRA]).json()["subscription"]["id"]
    ours = create(social_justice).json()["subscription"]["id"]
    publishing.publish(EventType.MEMBER_BORN, {"member_id": "M1"}, family_id=personas.kangra_family.family_id)
    publishing.publish(EventType.MEMBER_BORN, {"member_id": "M2"}, family_id=personas.asha_family.family_id)
    assert Delivery.objects.count() == 2

    api = social_justice.api()
    mine = api.get("/api/v1/webhooks/deliveries").json()["deliveries"]
    assert [item["subscription"] for item in mine] == [ours]
    assert api.get(f"/api/v1/webhooks/deliveries?subscription={theirs}").json()["deliveries"] == []
    assert api.get(f"/api/v1/webhooks/subscriptions/{theirs}").status_code == 404
    assert post(api, f"/subscriptions/{theirs}/end", {"reason": "not ours"}).status_code == 404
    assert post(api, f"/subscriptions/{theirs}/secret", {}).status_code == 404
    assert (
        post(api, f"/subscriptions/{theirs}/replay", {"since": timezone.now().isoformat()}).status_code == 404
    )
    assert Subscription.objects.get(public_id=theirs).active


def test_the_delivery_log_shows_status_and_filters(
    personas: Personas, social_justice: DepartmentClient
) -> None:
    create(social_justice)
    publishing.publish(EventType.MEMBER_BORN, {"member_id": "M2"}, family_id=personas.asha_family.family_id)
    page = social_justice.api().get("/api/v1/webhooks/deliveries?status=pending").json()
    assert [(d["event_type"], d["status"], d["attempts"]) for d in page["deliveries"]] == [
        ("member.born", "pending", 0)
    ]
    assert page["next_after"] is None
    assert social_justice.api().get("/api/v1/webhooks/deliveries?status=delivered").json()["deliveries"] == []
    assert social_justice.api().get("/api/v1/webhooks/deliveries?status=lost").status_code == 422


def test_rotating_the_secret_keeps_the_old_one_signing_for_a_day(social_justice: DepartmentClient) -> None:
    made = create(social_justice).json()
    path = f"/subscriptions/{made['subscription']['id']}/secret"
    rotated = post(social_justice.api(), path, {}).json()
    assert rotated["secret"] != made["secret"]
    subscription = Subscription.objects.get()
    assert subscription.signing_secrets() == [rotated["secret"], made["secret"]]
    later = timezone.now() + timedelta(hours=25)
    assert subscription.signing_secrets(later) == [rotated["secret"]]


def test_a_leaked_secret_can_be_replaced_at_once_and_absurd_overlaps_are_refused(
    social_justice: DepartmentClient,
) -> None:
    made = create(social_justice).json()
    path = f"/subscriptions/{made['subscription']['id']}/secret"
    for absurd in (-1, 169, 10**12, "a day", None):
        assert post(social_justice.api(), path, {"overlap_hours": absurd}).status_code == 422
    assert Subscription.objects.get().secret == made["secret"]
    rotated = post(social_justice.api(), path, {"overlap_hours": 0}).json()
    assert Subscription.objects.get().signing_secrets(timezone.now() + timedelta(seconds=1)) == [
        rotated["secret"]
    ]


def test_replay_refuses_a_time_in_the_future_or_too_far_back(social_justice: DepartmentClient) -> None:
    made = create(social_justice).json()["subscription"]["id"]
    path = f"/subscriptions/{made}/replay"
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert post(social_justice.api(), path, {"since": future}).status_code == 422
    old = (timezone.now() - timedelta(days=90)).isoformat()
    assert post(social_justice.api(), path, {"since": old}).status_code == 422
    assert post(social_justice.api(), path, {"since": "yesterday"}).status_code == 422
    assert post(social_justice.api(), path, {"since": timezone.now().isoformat()}).json() == {"deliveries": 0}


def test_an_ended_subscription_receives_nothing_more(
    personas: Personas, social_justice: DepartmentClient
) -> None:
    made = create(social_justice).json()["subscription"]["id"]
    ended = post(social_justice.api(), f"/subscriptions/{made}/end", {"reason": "moved to the new portal"})
    assert ended.status_code == 204
    assert json.loads(AuditEntry.objects.get(action="webhooks.unsubscribed").after) == {
        "reason": "moved to the new portal"
    }
    publishing.publish(EventType.MEMBER_BORN, {"member_id": "M2"}, family_id=personas.asha_family.family_id)
    assert not Delivery.objects.exists()
    assert social_justice.api().get(f"/api/v1/webhooks/subscriptions/{made}").status_code == 404

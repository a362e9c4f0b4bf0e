"""The permission matrix: every page and API endpoint that takes an identifier, for every persona.

The endpoints are found, not listed: Django's URL resolver gives the pages
and the API's OpenAPI document gives its operations. Each one that takes an
identifier is either ``PUBLIC`` (its identifier names nobody's data; a reason
is given) or has a sample in ``SAMPLES`` / ``API_SAMPLES`` naming one of
Asha's family's objects. A new endpoint with neither makes the test fail, so
nothing escapes the matrix.

Then every persona asks for every sample with GET and with POST (the POST
carrying a body an authorised caller would send, so a refusal can only come
from the scope). ``ALLOWED`` is the policy: who may reach which of Asha's
objects, and why. Every other answer must be a refusal: no 2xx, and no
redirect after a POST except to the login page, or to the page named in
``REFUSED_BY_REDIRECT`` (a redirect is how a page reports a successful
write). The allowed pairs are checked too: each must actually be reachable,
so the table cannot go stale.

The personas and the world are in ``conftest_matrix``: Asha's family,
another family's citizen (Karan), the tehsildar of Asha's tehsil (Meena),
an official of another district (Vikram), an official of another department
in Asha's district (Hemant, Health), the right department's welfare officer
(Priya, Social Justice), the helpline (Sunita), anonymous, a departmental
application's OIDC access token without any data scope, and another
department's benefit-ledger token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from oauth2_provider.models import Application as OAuthApplication

from himaccess.api import api
from himaccess.applications.models import Application
from himaccess.audit.tests.conftest_matrix import (
    PERSONAS,
    World,
    matrix_world,  # noqa: F401  (the fixture the matrix test asks for)
)
from himaccess.milkfed.models import Society as MilkSociety
from himaccess.natural_farming import actions as natural_farming
from himaccess.natural_farming.models import CollectionCentre, Farmer
from himaccess.sharing import actions as sharing
from himaccess.sharing.models import ConsentRequest
from himaccess.sharing.testing import make_data_client
from himaccess.webhooks import actions as webhooks

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1"
# The admin site has its own, stronger control (MFA, tested with the accounts); the API's
# routes are taken from its OpenAPI document instead (and checked to all be in it).
EXCLUDED_PREFIXES = ("admin/", API_PREFIX.strip("/") + "/")

Sample = tuple[str, dict[str, Any]]  # (label, URL parameters)

# ----------------------------------------------------------------- the policy

# Endpoints whose identifier names nobody's data.
PUBLIC: dict[str, str] = {
    "catalog:service": "the public page of a catalogue service; the code names a service, not a person",
    "grievances:answer": "the signed, single-use link sent by SMS to the complainant is itself the "
    "authorisation; forged, used and expired links are refused (grievances tests)",
    "/api/v1/geography/districts/{code}": "LGD reference geography: open government data",
    "/api/v1/geography/districts/{code}/tehsils": "LGD reference geography: open government data",
    "/api/v1/geography/districts/{code}/blocks": "LGD reference geography: open government data",
    "/api/v1/geography/districts/{code}/urban-bodies": "LGD reference geography: open government data",
    "/api/v1/geography/districts/{code}/panchayats": "LGD reference geography: open government data",
    "/api/v1/geography/districts/{code}/villages": "LGD reference geography: open government data",
    "/api/v1/geography/pincodes/{pincode}": "India Post reference data: the places a pincode serves",
    "/api/v1/services/catalogue/{code}": "the published definition of a catalogue service",
    "departments:page": "a department's public page; the code names a department, and its sections show "
    "aggregates only (milkfed tests check the rest)",
}


class Allow(NamedTuple):
    endpoint: str
    persona: str
    reason: str
    samples: tuple[str, ...] = ()  # empty: every sample of the endpoint
    methods: tuple[str, ...] = ("GET", "POST")


OWN_FAMILY = "the family itself"
REGISTER_OFFICIAL = "a register official of the family's jurisdiction, every read logged for the family"
WELFARE = "the Social Justice welfare officer of the district: a register reader there, every read logged"
SANCTIONING = "the officer of the scheme's department in the family's district sanctions and answers disputes"
WORKFLOW_OFFICIAL = "the tehsildar is a stage of this service's workflow in the family's tehsil (read logged)"
HOLDER = "the officer holding the complaint"
HELPLINE = "the 1100 helpline answers callers about any complaint and records their answer on a callback"
CITIZEN_APPLY = "the apply page of a catalogue service lists the caller's own family only"
OWN_EKYC = "a resident does e-KYC for herself, the head of the family for its living members"
EKYC_APPROVER = "an approving official of the family's jurisdiction settles its e-KYC (Meena, tehsildar)"
BOTH_FAMILIES = "a register official whose jurisdiction covers both families of the pair (read logged)"

ALLOWED: list[Allow] = [
    # Him Parivar
    Allow("registry:family", "asha", OWN_FAMILY),
    Allow("registry:family", "meena", REGISTER_OFFICIAL),
    Allow("registry:family", "priya", WELFARE),
    Allow("registry:new_change_request", "asha", OWN_FAMILY),
    Allow("registry:change_contact", "asha", "the family itself, after a fresh one-time code"),
    Allow("registry:new_change_request", "meena", "approvers of the jurisdiction file requests for families"),
    Allow("registry:change_request", "asha", "the family's own request"),
    Allow("registry:change_request", "meena", REGISTER_OFFICIAL),
    Allow("registry:change_request", "priya", WELFARE),
    Allow("registry:decide", "meena", "the approver of the family's jurisdiction decides"),
    Allow("registry:withdraw", "asha", "whoever filed a request may withdraw it"),
    Allow("/api/v1/families/{family_id}", "asha", OWN_FAMILY),
    Allow("/api/v1/families/{family_id}", "meena", REGISTER_OFFICIAL),
    Allow("/api/v1/families/{family_id}", "priya", WELFARE),
    Allow("/api/v1/members/{member_id}", "asha", OWN_FAMILY),
    Allow("/api/v1/members/{member_id}", "meena", REGISTER_OFFICIAL),
    Allow("/api/v1/members/{member_id}", "priya", WELFARE),
    # Cards
    Allow("cards:family_pdf", "asha", OWN_FAMILY),
    Allow("cards:family_pdf", "meena", REGISTER_OFFICIAL),
    Allow("cards:family_pdf", "priya", WELFARE),
    Allow("cards:member_pdf", "asha", OWN_FAMILY),
    Allow("cards:member_pdf", "meena", REGISTER_OFFICIAL),
    Allow("cards:member_pdf", "priya", WELFARE),
    Allow("cards:advance", "meena", "a register official of the area moves the family's printed card"),
    Allow("cards:advance", "priya", "a register official of the area moves the family's printed card"),
    Allow("cards:family_cards", "meena", REGISTER_OFFICIAL, methods=("GET",)),
    Allow("cards:family_cards", "priya", WELFARE, methods=("GET",)),
    Allow(
        "cards:revoke",
        "meena",
        "an approving official of the family's area withdraws a card",
        methods=("POST",),
    ),
    # Him Seva
    Allow("applications:apply", "asha", CITIZEN_APPLY),
    Allow("applications:apply", "karan", CITIZEN_APPLY, methods=("GET",)),
    Allow("applications:detail", "asha", OWN_FAMILY),
    Allow("applications:detail", "meena", WORKFLOW_OFFICIAL, samples=("certified", "appealed")),
    Allow(
        "applications:edit", "asha", "the family's own application (once submitted it is shown, not edited)"
    ),
    Allow("applications:act", "meena", WORKFLOW_OFFICIAL, samples=("appealed",)),
    Allow("applications:appeal", "asha", "the family appeals its own application"),
    Allow("applications:acknowledgement", "asha", OWN_FAMILY),
    Allow("applications:acknowledgement", "meena", WORKFLOW_OFFICIAL, samples=("certified", "appealed")),
    Allow("applications:certificate", "asha", OWN_FAMILY),
    Allow("applications:certificate", "meena", WORKFLOW_OFFICIAL, samples=("certified",)),
    Allow("applications:document", "asha", OWN_FAMILY),
    Allow("applications:document", "meena", WORKFLOW_OFFICIAL),
    Allow(
        "applications:revoke",
        "meena",
        "the tehsildar of the area, a stage of the workflow, may revoke the certificate",
        samples=("certified",),
    ),
    Allow("/api/v1/services/applications/{number}", "asha", OWN_FAMILY),
    Allow(
        "/api/v1/services/applications/{number}",
        "meena",
        WORKFLOW_OFFICIAL,
        samples=("certified", "appealed"),
    ),
    # CM Seva Sankalp
    Allow("grievances:detail", "asha", "the complainant"),
    Allow("grievances:detail", "meena", HOLDER),
    Allow("grievances:detail", "sunita", HELPLINE),
    Allow("grievances:act", "meena", HOLDER),
    Allow("grievances:resolve", "meena", HOLDER),
    Allow("grievances:answer_on_site", "asha", "the complainant answers on the site"),
    Allow("grievances:answer_on_site", "sunita", HELPLINE),
    Allow("grievances:reopen", "asha", "the complainant"),
    Allow("grievances:rate", "asha", "the complainant"),
    Allow("grievances:attachment", "asha", "the complainant"),
    Allow("grievances:attachment", "meena", HOLDER),
    Allow("grievances:attachment", "sunita", HELPLINE),
    Allow("/api/v1/grievances/complaints/{reference}", "asha", "the complainant"),
    Allow("/api/v1/grievances/complaints/{reference}", "meena", HOLDER),
    Allow("/api/v1/grievances/complaints/{reference}", "sunita", HELPLINE),
    # Schemes
    Allow("schemes:family", "asha", OWN_FAMILY),
    Allow("schemes:family", "meena", REGISTER_OFFICIAL),
    Allow("schemes:family", "priya", WELFARE),
    Allow("schemes:check", "asha", OWN_FAMILY + ": checks eligibility again", methods=("POST",)),
    Allow("schemes:check", "meena", REGISTER_OFFICIAL + ": checks eligibility again", methods=("POST",)),
    Allow("schemes:check", "priya", WELFARE + ": checks eligibility again", methods=("POST",)),
    Allow("schemes:explanation", "asha", OWN_FAMILY),
    Allow("schemes:explanation", "meena", REGISTER_OFFICIAL + " (reading only)", methods=("GET",)),
    Allow("schemes:explanation", "priya", WELFARE + " (reading only)", methods=("GET",)),
    Allow("schemes:accept", "asha", "a member of the family accepts an offer for another"),
    Allow("schemes:enrolment", "priya", SANCTIONING),
    Allow("schemes:resolve_dispute", "priya", SANCTIONING),
    # Him Access
    Allow("integrations:withdraw_consent", "asha", "the citizen withdraws her own consent"),
    # e-KYC (officials never start one; a Lok Mitra operator does, for the families the centre serves)
    Allow("kyc:consent", "asha", OWN_EKYC),
    Allow("kyc:verify", "asha", OWN_EKYC + "; without a live consent it sends her to the consent"),
    Allow("kyc:without_aadhaar", "meena", EKYC_APPROVER + ": the path without Aadhaar"),
    Allow("kyc:pending_list", "meena", REGISTER_OFFICIAL + ": the camp list of the panchayat"),
    Allow("kyc:pending_list", "priya", WELFARE + ": the camp list of the panchayat"),
    Allow("kyc:review", "meena", EKYC_APPROVER + ": Aadhaar and register values side by side"),
    # Possible duplicates: a pair across two districts is nobody's here (no persona covers both)
    Allow("linkage:pair", "meena", BOTH_FAMILIES, samples=("same tehsil",)),
    Allow("linkage:pair", "priya", BOTH_FAMILIES + " (a POST shows the same page)", samples=("same tehsil",)),
    Allow(
        "linkage:decide",
        "meena",
        "an approving official whose jurisdiction covers both families decides (a merge acts on both)",
        samples=("same tehsil",),
        methods=("POST",),
    ),
    # Data quality: the family answers its findings; the area's register officials read them
    Allow("quality:family", "asha", OWN_FAMILY + " sees and answers its findings"),
    Allow("quality:family", "meena", REGISTER_OFFICIAL + " (reading only)", methods=("GET",)),
    Allow("quality:family", "priya", WELFARE + " (reading only)", methods=("GET",)),
    # Milkfed: a family sees its own milk statements and registers its own members; societies belong to
    # their secretary and Milkfed's officials, none of whom is a persona here (milkfed tests check them).
    Allow("milkfed:family", "asha", OWN_FAMILY, methods=("GET",)),
    Allow("milkfed:apply", "asha", OWN_FAMILY, methods=("POST",)),
    # Natural farming: the family registers its members and adds land until verified; agriculture officials
    # of the area and centre operators are not personas here (natural_farming tests check them).
    Allow("natural_farming:family", "asha", OWN_FAMILY),
    Allow("natural_farming:farmer", "asha", OWN_FAMILY, methods=("GET",)),
    Allow(
        "natural_farming:add_parcel", "asha", OWN_FAMILY + ", until the land is verified", methods=("POST",)
    ),
]

# Endpoints that answer a refused POST with a redirect to this page (URL name) instead of a 4xx.
REFUSED_BY_REDIRECT: dict[str, tuple[str, str]] = {
    "applications:apply": (
        "applications:assisted",
        "an official applies only in assisted mode, after the citizen's OTP consent",
    ),
}

# --------------------------------------------------------------- the samples


def _number(application: Any) -> dict[str, Any]:
    return {"number": application.number}


def _applications(w: World, *labels: str) -> list[Sample]:
    return [(label, _number(getattr(w, label))) for label in labels]


ALL_APPLICATIONS = ("certified", "appealed", "soil_test", "registered", "draft")
SUBMITTED = ("certified", "appealed", "soil_test", "registered")


def _natural_farmer(w: World) -> dict[str, Any]:
    """Asha registered as a natural farmer by herself (made on first use)."""
    farmer = Farmer.objects.filter(member=w.asha).first()
    if farmer is None:
        farmer = natural_farming.register_farmer(w.asha, acting_user=w.personas.asha)
    return {"reference": farmer.reference}


def _collection_centre(w: World) -> dict[str, Any]:
    """A collection centre in Asha's district (no persona operates it)."""
    centre, _created = CollectionCentre.objects.get_or_create(
        code="mandi-matrix",
        defaults={"name_en": "Matrix centre", "name_hi": "मैट्रिक्स केंद्र", "district_id": w.family.district_id},
    )
    return {"code": centre.code}


def _milk_society(w: World) -> dict[str, Any]:
    """A milk society in Asha's district (made on first use: no persona is its secretary)."""
    society, _created = MilkSociety.objects.get_or_create(
        code="MND-MATRIX",
        defaults={
            "name_en": "Matrix Milk Society",
            "name_hi": "मैट्रिक्स दुग्ध सभा",
            "district_id": w.family.district_id,
        },
    )
    return {"code": society.code}


def _webhook_subscription(w: World) -> dict[str, Any]:
    """A department client's webhook subscription (made once; no persona holds that client's token)."""
    application, created = OAuthApplication.objects.get_or_create(
        name="Matrix webhooks",
        defaults={"client_type": "confidential", "authorization_grant_type": "client-credentials"},
    )
    if created:
        webhooks.grant(
            application, event_types=["member.born"], districts=[w.family.district_id], acting_user=None
        )
        webhooks.subscribe(
            application, url="https://matrix.example.gov.in/hooks", event_types=["member.born"]
        )
    return {"subscription_id": str(application.webhook_subscriptions.get().public_id)}


def _data_consent(w: World) -> ConsentRequest:
    """A department data client's request for Kamla's consent (made once; no persona holds its token,
    and none may answer for Kamla: an adult without a login)."""
    found = ConsentRequest.objects.filter(member=w.kamla).first()
    if found is not None:
        return found
    client, _secret = make_data_client("Matrix data client")
    return sharing.request_consent(
        client,
        member_id=w.kamla.member_id,
        purpose_code=client.purposes.get().code,
        groups=None,
        channel="page",
        request=None,
    )


SAMPLES: dict[str, Callable[[World], list[Sample]]] = {
    "registry:family": lambda w: [("family", {"family_id": w.family.family_id})],
    "registry:new_change_request": lambda w: [
        ("correction", {"family_id": w.family.family_id, "kind": "correction"})
    ],
    "registry:change_request": lambda w: [("request", {"reference": w.change_request.reference})],
    "registry:decide": lambda w: [("request", {"reference": w.change_request.reference})],
    "registry:withdraw": lambda w: [("request", {"reference": w.change_request.reference})],
    # Nobody answers for a family on a request that moves nobody (two-family cases: registry tests).
    "registry:answer": lambda w: [("request", {"reference": w.change_request.reference})],
    "registry:change_contact": lambda w: [("asha", {"member_id": w.asha.member_id})],
    "cards:family_pdf": lambda w: [("family", {"family_id": w.family.family_id})],
    "cards:member_pdf": lambda w: [("asha", {"member_id": w.asha.member_id})],
    "cards:advance": lambda w: [("family card", {"credential_id": w.family_card.credential_id})],
    "cards:family_cards": lambda w: [("family", {"family_id": w.family.family_id})],
    "cards:revoke": lambda w: [("family card", {"credential_id": w.family_card.credential_id})],
    "applications:apply": lambda w: [("character certificate", {"code": "CERT-05"})],
    "applications:detail": lambda w: _applications(w, *ALL_APPLICATIONS),
    "applications:edit": lambda w: _applications(w, *ALL_APPLICATIONS),
    "applications:act": lambda w: _applications(w, "appealed", "soil_test"),
    "applications:appeal": lambda w: _applications(w, "appealed"),
    "applications:acknowledgement": lambda w: _applications(w, *SUBMITTED),
    "applications:certificate": lambda w: _applications(w, "certified", "registered"),
    "applications:document": lambda w: [
        ("certified", {"number": w.certified.number, "document_id": w.document_id})
    ],
    "applications:decide_appeal": lambda w: [("appeal", {"appeal_id": w.appeal.pk})],
    "applications:revoke": lambda w: [
        ("certified", {"number": w.certificate.number}),
        ("registered", {"number": w.registration.number}),
    ],
    "grievances:detail": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "grievances:act": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "grievances:resolve": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "grievances:reassign": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "grievances:answer_on_site": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "grievances:reopen": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "grievances:rate": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "grievances:attachment": lambda w: [("complaint", {"reference": w.complaint.reference})],
    "schemes:family": lambda w: [("family", {"family_id": w.family.family_id})],
    "schemes:check": lambda w: [("family", {"family_id": w.family.family_id})],
    "schemes:explanation": lambda w: [
        ("decision", {"member_id": w.explained[0].member_id, "scheme_id": w.explained[1].scheme_id})
    ],
    "schemes:accept": lambda w: [
        ("offer", {"member_id": w.offered[0].member_id, "scheme_id": w.offered[1].scheme_id})
    ],
    "schemes:enrolment": lambda w: [("enrolment", {"reference": w.enrolment.reference})],
    "schemes:resolve_dispute": lambda w: [("dispute", {"pk": w.dispute.pk})],
    "schemes:scheme_rules": lambda w: [("rules", {"scheme_id": w.rule_version.scheme.scheme_id})],
    "schemes:rule_version": lambda w: [
        ("version", {"scheme_id": w.rule_version.scheme.scheme_id, "number": w.rule_version.number})
    ],
    "integrations:withdraw_consent": lambda w: [("consent", {"consent_id": w.consent.pk})],
    "kyc:consent": lambda w: [
        ("asha", {"member_id": w.asha.member_id}),
        ("ravi", {"member_id": w.ravi.member_id}),
    ],
    "kyc:verify": lambda w: [
        ("asha", {"member_id": w.asha.member_id}),
        ("ravi", {"member_id": w.ravi.member_id}),
    ],
    "kyc:without_aadhaar": lambda w: [("kamla", {"member_id": w.kamla.member_id})],
    "kyc:pending_list": lambda w: [("panchayat", {"panchayat": w.family.panchayat_id})],
    "kyc:review": lambda w: [("review", {"reference": w.kyc_review.reference})],
    "linkage:pair": lambda w: [
        ("same tehsil", {"reference": w.near_pair.reference}),
        ("two districts", {"reference": w.far_pair.reference}),
    ],
    "linkage:decide": lambda w: [
        ("same tehsil", {"reference": w.near_pair.reference}),
        ("two districts", {"reference": w.far_pair.reference}),
    ],
    "quality:family": lambda w: [("family", {"family_id": w.family.family_id})],
    "milkfed:family": lambda w: [("family", {"family_id": w.family.family_id})],
    "milkfed:apply": lambda w: [("family", {"family_id": w.family.family_id})],
    "milkfed:society": lambda w: [("society", _milk_society(w))],
    "milkfed:register": lambda w: [("society", _milk_society(w))],
    "milkfed:upload": lambda w: [("society", _milk_society(w))],
    "milkfed:status": lambda w: [("society", _milk_society(w))],
    "natural_farming:family": lambda w: [("family", {"family_id": w.family.family_id})],
    "natural_farming:farmer": lambda w: [("asha", _natural_farmer(w))],
    "natural_farming:add_parcel": lambda w: [("asha", _natural_farmer(w))],
    "natural_farming:certify": lambda w: [("asha", _natural_farmer(w))],
    "natural_farming:centre": lambda w: [("centre", _collection_centre(w))],
    "sharing:approve": lambda w: [("consent", {"pk": _data_consent(w).pk})],
    "sharing:refuse": lambda w: [("consent", {"pk": _data_consent(w).pk})],
    "sharing:withdraw": lambda w: [("consent", {"pk": _data_consent(w).pk})],
}

API_SAMPLES: dict[str, Callable[[World], list[Sample]]] = {
    "/api/v1/families/{family_id}": lambda w: [("family", {"family_id": w.family.family_id})],
    "/api/v1/members/{member_id}": lambda w: [("asha", {"member_id": w.asha.member_id})],
    "/api/v1/services/applications/{number}": lambda w: _applications(w, *ALL_APPLICATIONS),
    "/api/v1/grievances/complaints/{reference}": lambda w: [
        ("complaint", {"reference": w.complaint.reference})
    ],
    "/api/v1/milkfed/societies/{code}/collections": lambda w: [("society", _milk_society(w))],
    "/api/v1/natural-farming/centres/{code}/weighments": lambda w: [("centre", _collection_centre(w))],
    "/api/v1/natural-farming/centres/{code}/farmers/{farmer}": lambda w: [
        ("asha", {**_collection_centre(w), "farmer": _natural_farmer(w)["reference"]})
    ],
    "/api/v1/department/verify/{identifier}": lambda w: [("kamla", {"identifier": w.kamla.member_id})],
    "/api/v1/department/members/{member_id}": lambda w: [("kamla", {"member_id": w.kamla.member_id})],
    "/api/v1/department/consent-requests/{consent_reference}": lambda w: [
        ("consent", {"consent_reference": str(_data_consent(w).reference)})
    ],
    "/api/v1/department/consent-requests/{consent_reference}/code": lambda w: [
        ("consent", {"consent_reference": str(_data_consent(w).reference)})
    ],
    "/api/v1/webhooks/subscriptions/{subscription_id}": lambda w: [("webhook", _webhook_subscription(w))],
    "/api/v1/webhooks/subscriptions/{subscription_id}/secret": lambda w: [
        ("webhook", _webhook_subscription(w))
    ],
    "/api/v1/webhooks/subscriptions/{subscription_id}/replay": lambda w: [
        ("webhook", _webhook_subscription(w))
    ],
    "/api/v1/webhooks/subscriptions/{subscription_id}/end": lambda w: [("webhook", _webhook_subscription(w))],
}

# What an authorised caller would post, so that a refusal comes from the scope, not a bad form.
POST_BODIES: dict[str, Callable[[World, dict[str, Any]], dict[str, Any]]] = {
    "registry:new_change_request": lambda w, kw: {
        "member_id": w.asha.member_id,
        "field": "disability_percent",
        "new_value": "50",
    },
    "registry:decide": lambda w, kw: {"decision": "approve"},
    "registry:answer": lambda w, kw: {"answer": "agree"},
    "registry:change_contact": lambda w, kw: {"mobile": "9418000055"},
    "cards:advance": lambda w, kw: {"note": "printed"},
    "cards:revoke": lambda w, kw: {"reason": "Reported lost"},
    "applications:apply": lambda w, kw: {"member_id": w.ravi.member_id},
    "applications:edit": lambda w, kw: {
        "relative_name": "Late Mohan Lal",
        "purpose": "Admission",
        "submit": "1",
    },
    "applications:act": lambda w, kw: {
        "action": "approve",
        "version": Application.objects.get(number=kw["number"]).version,
        "note": "Checked",
    },
    "applications:appeal": lambda w, kw: {"grounds": "The facts are on record"},
    "applications:decide_appeal": lambda w, kw: {
        "outcome": "allowed",
        "note": "Issue the certificate",
        "version": w.appeal.version,
    },
    "applications:revoke": lambda w, kw: {"reason": "Issued in error"},
    "grievances:act": lambda w, kw: {"note": "Visited the site"},
    "grievances:resolve": lambda w, kw: {"note": "Entered"},
    "grievances:reassign": lambda w, kw: {"officer": w.personas.meena.pk, "reason": "Her area"},
    "grievances:answer_on_site": lambda w, kw: {"decision": "confirm"},
    "grievances:reopen": lambda w, kw: {"reason": "Still not entered"},
    "grievances:rate": lambda w, kw: {"rating": "5"},
    "schemes:explanation": lambda w, kw: {
        "attribute": "income_tax_payer",
        "claimed_value": "no",
        "note": "ITR",
    },
    "schemes:enrolment": lambda w, kw: {"decision": "sanction", "note": "Eligible"},
    "schemes:resolve_dispute": lambda w, kw: {"decision": "correct", "note": "Checked"},
    "kyc:consent": lambda w, kw: {"send": "1"},
    "kyc:verify": lambda w, kw: {"step": "offline", "share_code": "Ab12"},
    "kyc:without_aadhaar": lambda w, kw: {"method": "physical", "note": "Seen at the camp"},
    "kyc:review": lambda w, kw: {"decision": "accept", "note": "Birth register checked"},
    "linkage:decide": lambda w, kw: {"decision": "different", "note": "Another woman of that name"},
    "milkfed:apply": lambda w, kw: {
        "member": w.ravi.member_id,
        "society": "MND-MATRIX",
        "joined_on": "2025-01-01",
    },
    "milkfed:register": lambda w, kw: {"member_id": w.ravi.member_id, "joined_on": "2025-01-01"},
    "milkfed:status": lambda w, kw: {"status": "closed"},
    "natural_farming:family": lambda w, kw: {"member_id": w.ravi.member_id},
    "natural_farming:add_parcel": lambda w, kw: {
        "village": "1",
        "khasra": "1",
        "area": "1",
        "unit": "hectare",
    },
    "natural_farming:certify": lambda w, kw: {"to_status": "verified", "on": "2025-01-01"},
    "natural_farming:centre": lambda w, kw: {"farmer": w.asha.member_id, "crop": "wheat", "kg": "10"},
    "quality:family": lambda w, kw: {
        "finding": w.finding.pk,
        "text": "Pari is my granddaughter; her date is right",
    },
}

# ------------------------------------------------------- finding the endpoints


@dataclass(frozen=True)
class Endpoint:
    key: str  # a page's URL name, or an API path as in the OpenAPI document
    route: str
    is_api: bool


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, int]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        groups = pattern.pattern.regex.groups
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            for found, name, more in _walk(pattern.url_patterns, route, inner):
                yield found, name, groups + more
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}:{pattern.name}" if namespace else str(pattern.name), groups


def pages_with_identifiers() -> list[Endpoint]:
    return [
        Endpoint(key=name, route=route, is_api=False)
        for route, name, groups in _walk(get_resolver().url_patterns)
        if groups and not route.startswith(EXCLUDED_PREFIXES)
    ]


def api_paths_with_identifiers() -> list[Endpoint]:
    paths = api.get_openapi_schema()["paths"]
    return [Endpoint(key=path, route=path, is_api=True) for path in paths if "{" in path]


def hidden_api_routes() -> list[str]:
    """API routes that take an identifier but are missing from the OpenAPI document."""
    documented = {path for path in api.get_openapi_schema()["paths"] if "{" in path}
    found = []
    for route, _name, groups in _walk(get_resolver().url_patterns):
        if groups and route.startswith(API_PREFIX.strip("/") + "/"):
            as_openapi = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            if as_openapi not in documented:
                found.append(route)
    return found


def coverage_problems() -> list[str]:
    problems = [f"add a sample for {route} (not in the OpenAPI document)" for route in hidden_api_routes()]
    endpoints = pages_with_identifiers() + api_paths_with_identifiers()
    for endpoint in endpoints:
        sampled = endpoint.key in (API_SAMPLES if endpoint.is_api else SAMPLES)
        if sampled == (endpoint.key in PUBLIC):
            what = "is both PUBLIC and sampled" if sampled else "has no sample"
            problems.append(f"add a sample for {endpoint.key} ({endpoint.route}): it {what}")
    known = {endpoint.key for endpoint in endpoints}
    declared = {*PUBLIC, *SAMPLES, *API_SAMPLES, *REFUSED_BY_REDIRECT, *(allow.endpoint for allow in ALLOWED)}
    problems += [f"{key} is declared in the matrix but no longer exists" for key in sorted(declared - known)]
    problems += [
        f"ALLOWED names an unknown persona {allow.persona!r}"
        for allow in ALLOWED
        if allow.persona not in PERSONAS
    ]
    return problems


# ---------------------------------------------------------------- the checks


def _url(endpoint: Endpoint, kwargs: dict[str, Any]) -> str:
    if endpoint.is_api:
        return endpoint.key.format(**kwargs)
    return reverse(endpoint.key, kwargs=kwargs)


def _allowed(endpoint: Endpoint, label: str, persona: str, method: str) -> Allow | None:
    for allow in ALLOWED:
        if (
            allow.endpoint == endpoint.key
            and allow.persona == persona
            and method in allow.methods
            and (not allow.samples or label in allow.samples)
        ):
            return allow
    return None


def _granted(endpoint: Endpoint, method: str, response: Any) -> bool:
    """Whether the answer gave the caller what they asked for."""
    status = response.status_code
    if 200 <= status < 300:
        return True
    if 300 <= status < 400 and method == "POST":
        refusals = [reverse("accounts:login")]
        if endpoint.key in REFUSED_BY_REDIRECT:
            refusals.append(reverse(REFUSED_BY_REDIRECT[endpoint.key][0]))
        return not response.get("Location", "").startswith(tuple(refusals))
    return False


def test_every_endpoint_with_an_identifier_is_in_the_matrix() -> None:
    problems = coverage_problems()
    assert not problems, "\n".join(problems)


def _cases(world: World) -> list[tuple[Endpoint, str, dict[str, Any]]]:
    endpoints = [e for e in pages_with_identifiers() + api_paths_with_identifiers() if e.key not in PUBLIC]
    return [
        (endpoint, label, kwargs)
        for endpoint in endpoints
        for label, kwargs in (API_SAMPLES if endpoint.is_api else SAMPLES)[endpoint.key](world)
    ]


def _unreachable_allowances(
    world: World, cases: list[tuple[Endpoint, str, dict[str, Any]]]
) -> tuple[list[str], int]:
    """Allowed pairs that are refused in fact (a stale policy, or a broken world)."""
    login = reverse("accounts:login")
    stale = []
    asked = 0
    for endpoint, label, kwargs in cases:
        for persona in PERSONAS:
            if _allowed(endpoint, label, persona, "GET") is None:
                continue
            response = world.client(persona).get(_url(endpoint, kwargs))
            asked += 1
            status = response.status_code
            if (status >= 400 and status != 405) or response.get("Location", "").startswith(login):
                stale.append(f"{persona} GET {endpoint.key} [{label}] -> {status}")
    return stale, asked


def test_no_persona_reaches_ashas_objects_outside_the_policy(matrix_world: World) -> None:  # noqa: F811
    world = matrix_world
    assert not coverage_problems(), "\n".join(coverage_problems())
    asha = world.client("asha")
    for name, kwargs in [
        ("registry:family", {"family_id": world.family.family_id}),
        ("applications:detail", {"number": world.certified.number}),
        ("grievances:detail", {"reference": world.complaint.reference}),
        ("schemes:family", {"family_id": world.family.family_id}),
        ("schemes:enrolment", {"reference": world.enrolment.reference}),
    ]:
        client = world.client("priya") if name == "schemes:enrolment" else asha
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200, name
    cases = _cases(world)
    # Checked before any refused POST could change the world.
    stale, allowed = _unreachable_allowances(world, cases)
    assert not stale, "allowed in the policy, refused in fact:\n" + "\n".join(stale)

    checks = 0
    leaks: list[str] = []
    for method in ("GET", "POST"):
        for endpoint, label, kwargs in cases:
            url = _url(endpoint, kwargs)
            body = POST_BODIES[endpoint.key](world, kwargs) if endpoint.key in POST_BODIES else {}
            for persona in PERSONAS:
                if _allowed(endpoint, label, persona, method) is not None:
                    continue
                client = world.client(persona)
                response = client.get(url) if method == "GET" else client.post(url, body)
                checks += 1
                if _granted(endpoint, method, response):
                    where = response.get("Location", "")
                    leaks.append(
                        f"{persona} {method} {endpoint.key} [{label}] {url} -> {response.status_code} {where}"
                    )
    print(
        f"permission matrix: {len(cases)} samples x {len(PERSONAS)} personas: "
        f"{checks} refusals checked, {allowed} allowed reads checked"
    )
    assert not leaks, f"{len(leaks)} unauthorised answers:\n" + "\n".join(leaks)

    # Tracking by reference is public (the reference is in a query, not the path): it shows progress only.
    page = world.client("anonymous").get(
        reverse("grievances:track"), {"reference": world.complaint.reference}
    )
    assert page.status_code == 200
    shown = page.content.decode()
    assert world.complaint.display_reference in shown
    for private in (world.asha.name_en, world.asha.mobile, world.complaint.description, "Mutation entered"):
        assert private not in shown, private

"""The world of the permission matrix: Asha's family owning one object of every kind.

Everything is made through the real actions, as the family and the officials
would make it. The personas who then knock on every door are the shared
ones (Asha, Karan, Meena, Vikram, Sunita) plus:

- Hemant: Department Officer of the Health department for Mandi district
  (an official of another department, in Asha's own district);
- Priya: District Welfare Officer of Mandi, Social Justice department: the
  right department's officer for Kamla's pension (the control of the
  department boundary);
- anonymous: no session at all;
- an OIDC client: the bearer access token of a departmental application Asha
  signed in to with the ``openid`` scope only (no ``family_id``, no data);
- a ledger client: the Health department's benefit-ledger bearer token.

Beyond the family's own objects the world holds an e-KYC of Asha that UIDAI
answered with another date of birth (a review for the area's official), a
possible duplicate of Asha entered again in Mandi (both families in Meena's
tehsil) and one entered again in Kangra (the two families in two districts),
and a quality finding on Asha's family (a granddaughter whose age fits a daughter).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from himaccess.accounts.models import Level, Role, User
from himaccess.applications import documents
from himaccess.applications.actions import appeals, decisions, drafts
from himaccess.applications.actions import filing as applications_filing
from himaccess.applications.models import Appeal, Application, Certificate
from himaccess.cards import actions as cards
from himaccess.cards.models import Card
from himaccess.catalog.models import Service
from himaccess.conftest import (
    MANDI,
    MANDI_TEHSIL,
    Personas,
    kangra_address,
    make_official,
    mandi_address,
)
from himaccess.departments.models import Department
from himaccess.grievances import actions as grievances
from himaccess.grievances import confirmation, routing
from himaccess.grievances.models import Category, Channel, Complaint
from himaccess.integrations import actions as integrations
from himaccess.integrations.models import Consent
from himaccess.integrations.tests.conftest import REDIRECT_URI, Flow
from himaccess.kyc import actions as kyc
from himaccess.kyc.models import KycReview
from himaccess.kyc.providers import simulator
from himaccess.kyc.tests.conftest import code_in_sms
from himaccess.linkage import actions as linkage
from himaccess.linkage.management.commands.linkage import SHIPPED_MODEL
from himaccess.linkage.models import CandidatePair, TrainedModel
from himaccess.notifications import sms
from himaccess.quality import actions as quality
from himaccess.quality.models import Finding, Rule
from himaccess.registry.actions import families as registry_families
from himaccess.registry.actions import members
from himaccess.registry.change_requests import filing
from himaccess.registry.models import (
    ChangeRequest,
    Family,
    Gender,
    MaritalStatus,
    Member,
    Relation,
    Source,
)
from himaccess.schemes.actions import clients as schemes_clients
from himaccess.schemes.actions import disputes, reevaluation
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.models import Dispute, Enrolment, Offer, RuleVersion, Scheme
from himaccess.vault.tests.numbers import ASHA

ANONYMOUS, OIDC_CLIENT, LEDGER_CLIENT = "anonymous", "oidc_client", "ledger_client"


@dataclass
class World:
    personas: Personas
    hemant: User
    priya: User
    family: Family
    asha: Member
    ravi: Member
    kamla: Member
    change_request: ChangeRequest
    family_card: Card
    member_card: Card
    certified: Application  # approved, with a document and a certificate
    certificate: Certificate
    document_id: int
    appealed: Application  # rejected, then appealed by Asha
    appeal: Appeal
    soil_test: Application  # pending with the Agriculture department's officer
    draft: Application
    registered: Application  # approved by the Urban Development department, with its certificate
    registration: Certificate
    complaint: Complaint  # resolved with an attachment, awaiting Asha's answer
    answer_token: str
    enrolment: Enrolment
    dispute: Dispute
    explained: tuple[Member, Scheme]  # a member and a scheme with an eligibility decision
    offered: tuple[Member, Scheme]  # a member and a scheme with an open offer
    rule_version: RuleVersion
    consent: Consent
    oidc_token: str
    ledger_token: str
    kyc_review: KycReview  # Asha's e-KYC: UIDAI's date of birth is not the register's
    near_pair: CandidatePair  # Asha and Asha entered again, both families in Mandi tehsil
    far_pair: CandidatePair  # Asha and Asha entered again in Kangra: two districts
    finding: Finding  # an open finding on Asha's family
    clients: dict[str, Client] = field(default_factory=dict)

    def users(self) -> dict[str, User]:
        p = self.personas
        return {
            "asha": p.asha,
            "karan": p.karan,
            "meena": p.meena,
            "vikram": p.vikram,
            "hemant": self.hemant,
            "priya": self.priya,
            "sunita": p.sunita,
        }

    def client(self, persona: str) -> Client:
        """One client per persona, made once: a session, nothing, or a bearer token."""
        if persona not in self.clients:
            users = self.users()
            if persona in users:
                made = self.personas.client_for(users[persona])
            elif persona == OIDC_CLIENT:
                made = Client(HTTP_AUTHORIZATION=f"Bearer {self.oidc_token}")
            elif persona == LEDGER_CLIENT:
                made = Client(HTTP_AUTHORIZATION=f"Bearer {self.ledger_token}")
            else:
                made = Client()
            self.clients[persona] = made
        return self.clients[persona]


PERSONAS = (
    "asha",
    "karan",
    "meena",
    "vikram",
    "hemant",
    "priya",
    "sunita",
    ANONYMOUS,
    OIDC_CLIENT,
    LEDGER_CLIENT,
)


def _applications(p: Personas, prem: User) -> dict[str, Any]:
    asha, ravi = p.member(p.asha), p.member(p.ravi)
    document = documents.store(
        SimpleUploadedFile("pradhan.pdf", b"%PDF-1.4 matrix"),
        member=ravi,
        kind="pradhan_certificate",
        uploaded_by=p.asha,
    )
    certified = drafts.start_draft(Service.objects.get(code="CERT-01"), ravi, acting_user=p.asha)
    certified = applications_filing.submit(
        certified,
        {
            **certified.answers,
            "relative_name": "Late Mohan Lal",
            "purpose": "Admission",
            "years_of_residence": 20,
        },
        {"pradhan_certificate": document},
        acting_user=p.asha,
    )
    certified = decisions.act(certified, "verify", acting_user=prem, expected_version=certified.version)
    certified = decisions.act(certified, "approve", acting_user=p.meena, expected_version=certified.version)

    appealed = drafts.start_draft(Service.objects.get(code="CERT-05"), asha, acting_user=p.asha)
    appealed = applications_filing.submit(
        appealed,
        {**appealed.answers, "relative_name": "Late Mohan Lal", "purpose": "Police verification"},
        {},
        acting_user=p.asha,
    )
    appealed = decisions.act(appealed, "verify", acting_user=prem, expected_version=appealed.version)
    appealed = decisions.act(
        appealed,
        "reject",
        acting_user=p.meena,
        expected_version=appealed.version,
        reason="not_eligible",
    )
    appeal = appeals.file_appeal(appealed, "The facts are on record", acting_user=p.asha)

    soil_test = drafts.start_draft(Service.objects.get(code="AGR-01"), asha, acting_user=p.asha)
    soil_test = applications_filing.submit(
        soil_test,
        {**soil_test.answers, "mauza": "Bhiuli", "khasra": "112/4", "crop": "Maize", "samples": 2},
        {},
        acting_user=p.asha,
    )
    draft = drafts.start_draft(Service.objects.get(code="CERT-05"), ravi, acting_user=p.asha)

    # A certificate issued by a department (Urban Development), not by the revenue officers.
    usha = make_official(
        "usha", Role.DEPARTMENT_OFFICER, Level.DISTRICT, district_id=MANDI, department_id="urban_development"
    )
    report = documents.store(
        SimpleUploadedFile("report.pdf", b"%PDF-1.4 birth report"),
        member=ravi,
        kind="event_report",
        uploaded_by=p.asha,
    )
    registered = drafts.start_draft(Service.objects.get(code="UD-01"), ravi, acting_user=p.asha)
    registered = applications_filing.submit(
        registered,
        {
            **registered.answers,
            "event": "birth",
            "person_name": "Ravi Kumar",
            "event_date": "2001-09-03",
            "event_place": "Mandi",
        },
        {"event_report": report},
        acting_user=p.asha,
    )
    registered = decisions.act(registered, "approve", acting_user=usha, expected_version=registered.version)
    return {
        "certified": certified,
        "certificate": Certificate.objects.get(application=certified),
        "document_id": document.pk,
        "appealed": appealed,
        "appeal": appeal,
        "soil_test": soil_test,
        "draft": draft,
        "registered": registered,
        "registration": Certificate.objects.get(application=registered),
    }


def _complaint(p: Personas) -> Complaint:
    p.meena.mobile = "9418000001"
    p.meena.save(update_fields=["mobile"])
    asha = p.member(p.asha)
    complaint = grievances.file_complaint(
        category=Category.objects.get(code="revenue-mutation-delay"),
        description="Mutation of my land not entered",
        mobile=asha.mobile,
        place=routing.Place.of_family(asha.family),
        channel=Channel.WEB,
        member=asha,
        acting_user=p.asha,
    ).complaint
    assert complaint.assignee_id == p.meena.pk, "the matrix needs Meena holding Asha's complaint"
    return grievances.resolve(
        complaint,
        note="Mutation entered on 3 March",
        attachment=SimpleUploadedFile("order.pdf", b"%PDF-1.4 order"),
        acting_user=p.meena,
    )


def _schemes(p: Personas, kamla: Member) -> dict[str, Any]:
    asha = p.member(p.asha)
    reevaluation.reevaluate_member(kamla, trigger="matrix")
    pension = Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")
    enrolment = schemes_enrolment.accept_offer(pension, acting_user=p.asha)
    disputes.record_member_fact(asha, "income_tax_payer", True, department=None, acting_user=None)
    scheme = Scheme.objects.get(scheme_id="pyari_behna_sukh_samman_nidhi")
    reevaluation.reevaluate_member(asha, trigger="matrix")
    dispute = disputes.file_dispute(
        asha, scheme, "income_tax_payer", claimed_value="no", note="", acting_user=p.asha
    )
    open_offer = (
        Offer.objects.filter(member__family=asha.family, status=Offer.Status.OPEN)
        .select_related("member", "scheme")
        .order_by("id")
        .first()
    )
    assert open_offer is not None, "the matrix needs an open offer in Asha's family"
    old_age = Scheme.objects.get(scheme_id="old_age_pension_state")
    version = old_age.versions.order_by("number").first()
    assert version is not None
    return {
        "enrolment": enrolment,
        "dispute": dispute,
        "explained": (kamla, old_age),
        "offered": (open_offer.member, open_offer.scheme),
        "rule_version": version,
    }


def _oidc(p: Personas) -> dict[str, Any]:
    pension = integrations.register_client(
        name="Social Security Pension",
        department="Social Justice and Empowerment",
        redirect_uris=[REDIRECT_URI],
        allowed_scopes=["openid", "member_id", "family_id", "name"],
        purpose="Checking eligibility for the old-age pension",
        acting_user=None,
    )
    consent = integrations.grant_consent(
        p.asha, pension.app.application, ["openid", "member_id", "family_id", "name"]
    )
    # A real authorization-code flow, with PKCE, for an application allowed nothing but "openid".
    permits = integrations.register_client(
        name="Tourism Permits",
        department="Tourism",
        redirect_uris=[REDIRECT_URI],
        allowed_scopes=["openid"],
        purpose="Issuing a permit",
        acting_user=None,
    )
    flow = Flow(browser=p.client_for(p.asha), registered=permits)
    token = flow.exchange(flow.code_from(flow.consent(flow.authorize_url(scope="openid"))))
    assert token.status_code == 200, token.content[:300]
    _health, ledger_token = schemes_clients.create_department_client(
        "Health MIS", Department.objects.get(pk="health"), acting_user=None
    )
    return {"consent": consent, "oidc_token": token.json()["access_token"], "ledger_token": ledger_token}


def _kyc(p: Personas, on_commit: Callable[..., Any]) -> dict[str, Any]:
    """Asha's own e-KYC by Aadhaar OTP, after her consent; UIDAI says 21 April, the register 12 April."""
    simulator.enrol(ASHA, name="Asha Devi", dob="21-04-1978", gender="F")
    asha = p.member(p.asha)
    with on_commit(execute=True):  # the consent code leaves by SMS once the request commits
        kyc.ask_consent(asha, acting_user=p.asha, request=None)
    consent = kyc.give_consent(
        asha, code_in_sms(asha.mobile), acting_user=p.asha, language="en", request=None
    )
    sms.outbox.clear()  # the code is spent; the walks count what their own requests send
    reference, txn = kyc.start_otp(asha, consent, ASHA, acting_user=p.asha)
    verdict = kyc.finish_otp(asha, consent, reference, txn, simulator.outbox[-1].otp, acting_user=p.asha)
    assert verdict.review is not None, "the matrix needs an open e-KYC review of Asha"
    return {"kyc_review": verdict.review}


def _linkage(p: Personas) -> dict[str, Any]:
    """Asha entered again as head of a new family, once in Mandi and once in Kangra, each queued."""
    model = json.loads(SHIPPED_MODEL.read_text(encoding="utf-8"))
    TrainedModel.objects.create(records=0, model=model, threshold=0.9)
    asha = p.member(p.asha)

    def entered_again(address: registry_families.Address) -> CandidatePair:
        family = registry_families.register_family(
            address,
            members.NewMember(
                name_en="Asha Devi",
                name_hi="आशा देवी",
                gender=Gender.FEMALE,
                date_of_birth=asha.date_of_birth,
                relation=Relation.HEAD,
                mobile=asha.mobile,
            ),
            acting_user=None,
            source=Source.PANCHAYAT,
        )
        again = Member.objects.select_related("family").get(family=family)
        pairs = [
            pair for pair in linkage.queue_on_entry(again) if asha.pk in (pair.member_l_id, pair.member_r_id)
        ]
        assert len(pairs) == 1, "the matrix needs Asha entered again queued as a possible duplicate"
        return pairs[0]

    return {
        "near_pair": entered_again(mandi_address(house="90")),
        "far_pair": entered_again(kangra_address()),
    }


def _quality(p: Personas) -> dict[str, Any]:
    """A granddaughter entered only 24 years younger than Asha: the rules open a finding on the family."""
    members.record_birth(
        p.asha_family,
        members.NewMember(
            name_en="Pari",
            name_hi="परी",
            gender=Gender.FEMALE,
            date_of_birth=date(2002, 11, 2),  # a daughter's age: the register takes it, the rule flags it
            relation=Relation.GRANDDAUGHTER,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    quality.run_rules()
    finding = Finding.objects.open().filter(family=p.asha_family, rule=Rule.AGE_NOT_FITTING_RELATION).first()
    assert finding is not None, "the matrix needs an open quality finding on Asha's family"
    return {"finding": finding}


@pytest.fixture
def matrix_world(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> Iterator[World]:
    settings.SMS_BACKEND = "memory"
    settings.KYC_AGENCY_URL = ""  # UIDAI's simulator answers the e-KYC
    sms.outbox.clear()
    simulator.outbox.clear()
    p = personas
    prem = make_official("prem", Role.PATWARI, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    make_official("sapna", Role.SDM, Level.DISTRICT, district_id=MANDI)
    hemant = make_official(
        "hemant", Role.DEPARTMENT_OFFICER, Level.DISTRICT, district_id=MANDI, department_id="health"
    )
    priya = make_official(
        "priya",
        Role.DISTRICT_WELFARE_OFFICER,
        Level.DISTRICT,
        district_id=MANDI,
        department_id="social_justice",
    )
    kamla = members.record_birth(
        p.asha_family,
        members.NewMember(
            name_en="Kamla Devi",
            name_hi="कमला देवी",
            gender=Gender.FEMALE,
            date_of_birth=date(1951, 2, 10),
            relation=Relation.MOTHER,
            marital_status=MaritalStatus.WIDOWED,
            mobile="9816000011",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    asha = p.member(p.asha)
    change_request = filing.file_change_request(
        p.asha_family,
        ChangeRequest.Kind.CORRECTION,
        {"member_id": asha.member_id, "field": "disability_percent", "new_value": "40"},
        requested_by=p.asha,
        member=asha,
    )
    family_card = cards.issue_family_card(p.asha_family, acting_user=p.meena)
    member_card = cards.issue_member_card(asha, acting_user=p.meena)
    complaint = _complaint(p)
    yield World(
        personas=p,
        hemant=hemant,
        priya=priya,
        family=p.asha_family,
        asha=asha,
        ravi=p.member(p.ravi),
        kamla=kamla,
        change_request=change_request,
        family_card=family_card,
        member_card=member_card,
        complaint=complaint,
        answer_token=confirmation.token_for(complaint),
        **_applications(p, prem),
        **_schemes(p, kamla),
        **_oidc(p),
        **_kyc(p, django_capture_on_commit_callbacks),
        **_linkage(p),
        **_quality(p),
    )
    sms.outbox.clear()
    simulator.outbox.clear()

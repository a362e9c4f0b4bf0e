"""The public certificate check shows each certified fact under its label, in the reader's language.

Asha applies for a backward area certificate for Ravi; Prem (patwari) verifies
it and Meena (tehsildar) approves. Anyone then checks it by its QR link.
"""

from __future__ import annotations

import pytest
from django.test import Client

from himaccess.accounts.models import User
from himaccess.applications import certificates
from himaccess.applications.actions import decisions, drafts, filing, issuing
from himaccess.applications.models import Certificate
from himaccess.catalog.models import Service
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(personas: Personas, prem: User) -> Certificate:
    ravi = personas.member(personas.ravi)
    application = drafts.start_draft(Service.objects.get(code="CERT-08"), ravi, acting_user=personas.asha)
    answers = {
        "relative_name": "Late Mohan Lal",
        "mauza": "Bhiuli",
        "years_of_residence": 20,
        "purpose": "Job",
    }
    application = filing.submit(
        application, {**application.answers, **answers}, {}, acting_user=personas.asha
    )
    application = decisions.act(application, "verify", acting_user=prem, expected_version=application.version)
    decisions.act(application, "approve", acting_user=personas.meena, expected_version=application.version)
    return Certificate.objects.get(application=application)


# One fact of the verdict's summary list: its label, then its value.
KEY = '<dt class="govuk-summary-list__key">'
VALUE = '<dd class="govuk-summary-list__value">'


def _check(certificate: Certificate, language: str) -> str:
    client = Client(headers={"accept-language": language})
    response = client.get("/services/verify/", {"t": certificate.token})
    assert response.status_code == 200
    return response.content.decode()


def test_facts_carry_their_labels_in_english(certificate: Certificate) -> None:
    page = _check(certificate, "en")
    assert f"{KEY}Village (mauza / mohal)</dt>{VALUE}Bhiuli</dd>" in page
    assert f"{KEY}Father&#x27;s / husband&#x27;s name</dt>{VALUE}Late Mohan Lal</dd>" in page
    assert "mauza</dt>" not in page and "relative_name</dt>" not in page


def test_facts_carry_their_labels_in_hindi(certificate: Certificate) -> None:
    page = _check(certificate, "hi")
    assert f"{KEY}गाँव (मौजा / मुहाल)</dt>" in page
    assert f"{KEY}पिता / पति का नाम</dt>" in page
    assert "mauza</dt>" not in page and "relative_name" not in page


def test_a_revoked_certificate_is_not_shown_as_a_forgery(
    personas: Personas, certificate: Certificate
) -> None:
    issuing.revoke_certificate(certificate, "Issued in error", acting_user=personas.meena)
    page = _check(certificate, "en")
    assert 'class="verdict caution"' in page
    assert str(certificates.MESSAGES[certificates.REVOKED]) in page

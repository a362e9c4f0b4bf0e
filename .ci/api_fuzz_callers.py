"""The callers `.ci/api-fuzz` fuzzes the API as, made through the product's own actions.

A citizen heading a family in Mandi (with a login), a tehsildar of Mandi tehsil, and a department
of Social Justice: its payment system's ledger token, its OIDC application's access token with
the ``ekyc`` scope and the citizen's consent, and its data client's client-credentials token (with
the citizen's consent to its purpose). Writes one Schemathesis configuration per caller
(its credentials, and real identifiers to draw from) into the folder named on the command line: the
fuzz run's throwaway folder, deleted after it.
"""

from __future__ import annotations

import json
import secrets
import string
import sys
from datetime import date, timedelta
from pathlib import Path

import django


def main(folder: Path) -> None:
    django.setup()
    from django.test import Client
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from himaccess.accounts.models import Level, Posting, Role, User
    from himaccess.departments.models import Department
    from himaccess.geography.models import Block, District, Tehsil, Village
    from himaccess.integrations.actions import grant_consent, register_client
    from himaccess.registry.actions import families as actions
    from himaccess.registry.actions.members import NewMember
    from himaccess.registry.models import CitizenLink, Gender, MaritalStatus, Relation, Source
    from himaccess.schemes.actions.clients import create_department_client

    mandi = District.objects.get(pk=22)
    family = actions.register_family(
        actions.Address(
            district=mandi,
            tehsil=Tehsil.objects.get(pk=133),
            block=Block.objects.get(pk=182),
            village=Village.objects.filter(district=mandi, pincode="175001").order_by("name_en").first(),
            pincode="175001",
            house="12",
        ),
        NewMember(
            name_en="Asha Devi",
            name_hi="आशा देवी",
            gender=Gender.FEMALE,
            date_of_birth=date(1978, 4, 12),
            relation=Relation.HEAD,
            marital_status=MaritalStatus.WIDOWED,
            social_category="general",
            mobile="9816000001",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    head = family.head()
    assert head is not None
    citizen = User.objects.create_user(username="fuzz.citizen", kind=User.Kind.CITIZEN, mobile=head.mobile)
    CitizenLink.objects.create(user=citizen, member=head)
    official = User.objects.create_user(
        username="fuzz.tehsildar", kind=User.Kind.OFFICIAL, password=secrets.token_urlsafe(16)
    )
    Posting.objects.create(user=official, role=Role.TEHSILDAR, level=Level.TEHSIL, tehsil_id=133)
    _client, token = create_department_client(
        "API fuzzing", Department.objects.get(pk="social_justice"), acting_user=None
    )

    # A departmental application the citizen signed in to with the e-KYC scope, and its access token
    # as the token endpoint would have stored it (django-oauth-toolkit's own model).
    app = register_client(
        name="API fuzzing app",
        department="social_justice",
        redirect_uris=["https://app.example/callback"],
        allowed_scopes=["openid", "ekyc"],
        purpose="API fuzzing",
        acting_user=None,
    )
    application = app.app.application
    grant_consent(citizen, application, ["openid", "ekyc"])
    oidc_token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        user=citizen,
        application=application,
        token=oidc_token,
        scope="openid ekyc",
        expires=timezone.now() + timedelta(hours=2),
    )

    # A department data client (client-credentials grant) with a purpose, the citizen's consent to it
    # given on their page, and an access token from the real token endpoint.
    from himaccess.sharing import actions as sharing

    purpose = sharing.define_purpose(
        code="fuzz-check",
        department=Department.objects.get(pk="social_justice"),
        name_en="API fuzzing",
        name_hi="एपीआई फ़ज़िंग",
        field_groups=["identity", "family"],
        acting_user=None,
    )
    data_client, data_secret = sharing.register_client(
        name="API fuzzing data client",
        department=Department.objects.get(pk="social_justice"),
        purposes=[purpose],
        field_groups=["identity", "family"],
        registered_by=None,
        requests_per_minute=1_000_000,
    )
    consent = sharing.request_consent(
        data_client,
        member_id=head.member_id,
        purpose_code="fuzz-check",
        groups=None,
        channel="page",
        request=None,
    )
    sharing.answer(citizen, consent.pk, approve=True, request=None)
    issued = Client(SERVER_NAME="127.0.0.1").post(
        "/o/department/token/",
        {
            "grant_type": "client_credentials",
            "client_id": data_client.client_id,
            "client_secret": data_secret,
            "scope": "register.verify register.read",
        },
    )
    data_token = issued.json()["access_token"]

    def session(user: User) -> str:
        browser = Client(SERVER_NAME="127.0.0.1")
        browser.force_login(user)
        return browser.cookies["sessionid"].value

    # Django accepts its 32-character secret itself as the header's token, against the same cookie.
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    citizen_session, official_session = session(citizen), session(official)
    callers = {
        "anonymous": {},
        "citizen": {"SessionAuth": citizen_session, "CsrfCookie": csrf, "CsrfToken": csrf},
        "official": {"SessionAuth": official_session, "CsrfCookie": csrf, "CsrfToken": csrf},
        "department": {
            "ClientToken": token,
            "ConsentedToken": oidc_token,
            "DataClientToken": data_token,
            # The same client-credentials token: a department client manages its own webhooks with it.
            "WebhookClientToken": data_token,
        },
    }
    # Real identifiers, drawn half the time, so fuzzing also reaches the records behind them.
    dictionaries: dict[str, list[object]] = {
        "path.family_id": [family.family_id],
        "path.member_id": [head.member_id],
        "path.code": [22, 18],
        "path.pincode": ["175001", "176001"],
        "path.identifier": [head.member_id, family.family_id],
        "path.consent_reference": [str(consent.reference)],
        "query.purpose": ["fuzz-check"],
    }
    common: list[str] = []
    for name, values in dictionaries.items():
        common += [f'[dictionaries."{name}"]', f"values = {json.dumps(values)}", ""]
    # Schemathesis's own list of answers that reject invalid data, and 414: a request refused for an
    # address longer than the product accepts (documented for every operation) is rejected as
    # surely as with a 400 or a 422, and a long generated query with invalid values meets it first.
    rejections = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]
    common += ["[checks.negative_data_rejection]", f"expected-statuses = {json.dumps(rejections)}", ""]
    common.append("[parameters]")
    common += [f'"{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in dictionaries]
    for caller, schemes in callers.items():
        lines = list(common)
        for scheme, secret in schemes.items():
            kind = "bearer" if scheme.endswith("Token") and scheme != "CsrfToken" else "api_key"
            lines += ["", f"[auth.openapi.{scheme}]", f"{kind} = {json.dumps(secret)}"]
        (folder / f"{caller}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

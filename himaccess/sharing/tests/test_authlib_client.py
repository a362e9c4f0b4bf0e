"""A relying-party library this product is not built on (Authlib) gets a token from the live server."""

from __future__ import annotations

from typing import Any

import pytest
from authlib.integrations.requests_client import OAuth2Session

from himaccess.conftest import Personas
from himaccess.sharing.tests.conftest import Dept


@pytest.mark.django_db(transaction=True)
def test_authlib_client_credentials_against_the_live_server(
    live_server: Any, personas: Personas, pension: Dept
) -> None:
    session = OAuth2Session(
        pension.client_id,
        pension.secret,
        scope="register.verify register.read",
        token_endpoint_auth_method="client_secret_basic",
    )
    token = session.fetch_token(f"{live_server.url}/o/department/token/", grant_type="client_credentials")
    assert token["token_type"].lower() == "bearer" and token["expires_in"] > 0
    member_id = personas.member(personas.ravi).member_id
    answer = session.get(f"{live_server.url}/api/v1/department/verify/{member_id}?purpose=pension-check")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "id": member_id,
        "well_formed": True,
        "exists": True,
        "alive": True,
        "district": "Mandi",
    }

    wrong = OAuth2Session(
        pension.client_id, "not-the-secret", token_endpoint_auth_method="client_secret_post"
    )
    with pytest.raises(Exception, match="invalid_client"):
        wrong.fetch_token(f"{live_server.url}/o/department/token/", grant_type="client_credentials")

"""A departmental application that signs citizens in with Him Access, for the demo.

``register`` registers it as an administrator would (an OpenID Connect
client, listed on citizens' "My apps" page) and has the heads of family the
demo suggests logging in as give it their consent, as each would on its
consent page the first time they signed in to it. Their "My apps" page so
lists the application and the consent they can withdraw, and the client id
printed by the demo lets anyone try the authorization-code flow against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from himaccess.demo.activity import Citizens, showcase
from himaccess.integrations import actions

NAME = "Social Security Pension (demo)"
NAME_HI = "सामाजिक सुरक्षा पेंशन (डेमो)"
SCOPES = ["openid", "member_id", "family_id", "name"]
# The department's server does not exist: after consent the browser lands on an address that fails
# to load, with the authorization code in its address bar for a token request by hand.
REDIRECT_URI = "https://pension.demo.example/oidc/callback"
LAUNCH_URL = "https://pension.demo.example/"


@dataclass(frozen=True)
class SignOn:
    client_id: str
    client_secret: str
    redirect_uri: str
    consents: int


def register() -> SignOn:
    registered = actions.register_client(
        name=NAME,
        name_hi=NAME_HI,
        department="Social Justice and Empowerment",
        redirect_uris=[REDIRECT_URI],
        allowed_scopes=SCOPES,
        purpose="Checking eligibility for the old-age pension",
        purpose_hi="वृद्धावस्था पेंशन की पात्रता जाँचना",
        launch_url=LAUNCH_URL,
        listed=True,
        acting_user=None,
        source="demo",
    )
    citizens = Citizens()
    consents = 0
    for member in showcase():
        user = citizens.of(member.family)
        if user is None:
            continue
        actions.grant_consent(user, registered.app.application, SCOPES)
        consents += 1
    return SignOn(registered.client_id, registered.client_secret, REDIRECT_URI, consents)

"""Use cases of departmental sign-on: registering a client, giving and withdrawing consent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from himaccess.audit import log as audit
from himaccess.integrations.models import SCOPE_CLAIMS, Consent, DepartmentApp, SubjectType, parse_scopes

if TYPE_CHECKING:
    from himaccess.accounts.models import User


# The one grant type a client is registered with; the refresh token grant comes with it.
GRANT_TYPE = Application.GRANT_AUTHORIZATION_CODE


@dataclass(frozen=True)
class RegisteredClient:
    app: DepartmentApp
    client_id: str
    # Shown once to the administrator; only its hash is stored.
    client_secret: str


def validate_scopes(scopes: list[str]) -> list[str]:
    unknown = [scope for scope in scopes if scope not in SCOPE_CLAIMS]
    if unknown:
        raise ValidationError(_("Unknown scopes: %(scopes)s"), params={"scopes": ", ".join(unknown)})
    if "openid" not in scopes:
        scopes = ["openid", *scopes]
    return scopes


@transaction.atomic
def register_client(
    *,
    name: str,
    department: str,
    redirect_uris: list[str],
    allowed_scopes: list[str],
    purpose: str,
    acting_user: User | None,
    name_hi: str = "",
    purpose_hi: str = "",
    launch_url: str = "",
    listed: bool = False,
    confidential: bool = True,
    post_logout_redirect_uris: list[str] | None = None,
    subject_type: str = SubjectType.PAIRWISE,
    public_subject_reason: str = "",
    sector_identifier: str = "",
    source: str = "admin",
) -> RegisteredClient:
    """Register a departmental application; the secret is returned once, stored hashed.

    Every client uses the authorization code grant with PKCE (and refresh
    tokens); no other grant type can be registered (docs/decisions/1040).
    Its ``sub`` is pairwise unless ``subject_type`` is public with a reason
    (docs/decisions/1122).
    """
    scopes = validate_scopes(allowed_scopes)
    if not redirect_uris:
        raise ValidationError(_("At least one redirect address is needed."))
    logout_uris = list(post_logout_redirect_uris or [])
    application = Application(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
        authorization_grant_type=GRANT_TYPE,
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris=" ".join(logout_uris),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    secret = application.client_secret if confidential else ""
    application.full_clean()
    application.save()
    app = DepartmentApp(
        application=application,
        name_hi=name_hi,
        department=department,
        allowed_scopes=" ".join(scopes),
        purpose=purpose,
        purpose_hi=purpose_hi,
        launch_url=launch_url,
        listed=listed,
        registered_by=acting_user,
        subject_type=subject_type,
        public_subject_reason=public_subject_reason,
        sector_identifier=sector_identifier.strip().lower(),
    )
    app.full_clean()
    app.save()
    audit.record(
        acting_user,
        "oidc.client_registered",
        application,
        after={
            "client_id": application.client_id,
            "name": name,
            "department": department,
            "redirect_uris": redirect_uris,
            "post_logout_redirect_uris": logout_uris,
            "allowed_scopes": scopes,
            "listed": listed,
            "subject_type": app.subject_type,
            "public_subject_reason": app.public_subject_reason,
            "sector_identifier": app.sector_identifier,
        },
        source=source,
    )
    return RegisteredClient(app=app, client_id=application.client_id, client_secret=secret)


@transaction.atomic
def grant_consent(
    user: User, application: Application, scopes: list[str], *, request: HttpRequest | None = None
) -> Consent:
    """Record the citizen's consent to ``scopes``; a wider request replaces the live consent."""
    existing = Consent.objects.select_for_update().live().filter(user=user, application=application).first()
    if existing is not None and set(scopes) <= set(existing.scope_list()):
        return existing
    merged = list(dict.fromkeys([*(existing.scope_list() if existing else []), *scopes]))
    if existing is not None:
        existing.revoked_at = timezone.now()
        existing.save(update_fields=["revoked_at"])
    consent = Consent.objects.create(user=user, application=application, scopes=" ".join(merged))
    audit.record(
        user,
        "oidc.consent_given",
        consent,
        after={"client_id": application.client_id, "scopes": merged},
        source="citizen",
        request=request,
    )
    return consent


@transaction.atomic
def revoke_consent(consent: Consent, *, acting_user: User, request: HttpRequest | None = None) -> None:
    """Withdraw a consent: the application's codes and tokens for this citizen die with it."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        return
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    pair = {"user_id": consent.user_id, "application_id": consent.application_id}
    Grant.objects.filter(**pair).delete()
    RefreshToken.objects.filter(**pair).delete()
    AccessToken.objects.filter(**pair).delete()
    IDToken.objects.filter(**pair).delete()
    audit.record(
        acting_user,
        "oidc.consent_withdrawn",
        consent,
        before={"client_id": consent.application.client_id, "scopes": consent.scope_list()},
        source="citizen",
        request=request,
    )


def requested_scopes(text: str) -> list[str]:
    return parse_scopes(text)

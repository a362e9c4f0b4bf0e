"""Scheme rules: drafting a new version and publishing it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.lib.rules import InvalidRule
from himaccess.schemes import vocabulary
from himaccess.schemes.models import (
    RuleVersion,
    Scheme,
)
from himaccess.schemes.tasks import follow_rule_change


def _check_rule_parts(rule: Any, bands: Any) -> None:
    errors: dict[str, list[str]] = {}
    try:
        vocabulary.validate(rule)
    except InvalidRule as exc:
        errors["rule"] = [str(e) for e in exc.errors]
    if not isinstance(bands, list):
        errors["bands"] = [_("Amount bands must be a list.")]
    else:
        for index, band in enumerate(bands):
            where = f"[{index}]"
            if (
                not isinstance(band, dict)
                or set(band) - {"when", "amount", "label_en", "label_hi"}
                or "when" not in band
            ):
                errors.setdefault("bands", []).append(
                    _("%(where)s: a band has when, amount, label_en and label_hi.") % {"where": where}
                )
                continue
            amount = band.get("amount")
            if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= 10_000_000:
                errors.setdefault("bands", []).append(
                    _("%(where)s.amount: a whole number of rupees between 0 and 1,00,00,000.")
                    % {"where": where}
                )
            try:
                vocabulary.validate(band["when"])
            except InvalidRule as exc:
                errors.setdefault("bands", []).extend(
                    f"{where}.when.{e}" if e.position else f"{where}.when: {e.message}" for e in exc.errors
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_draft(
    scheme: Scheme,
    *,
    rule: Any,
    bands: Any,
    effective_from: date,
    choice_note_en: str,
    choice_note_hi: str,
    acting_user: User,
) -> RuleVersion:
    """A new draft version, refused with positioned errors if the rule or a band is invalid."""
    _check_rule_parts(rule, bands)
    if not choice_note_en.strip():
        raise ValidationError({"choice_note_en": _("Say which source this version follows and why.")})
    number = (scheme.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = RuleVersion.objects.create(
        scheme=scheme,
        number=number,
        effective_from=effective_from,
        rule=rule,
        bands=bands,
        choice_note_en=choice_note_en.strip(),
        choice_note_hi=choice_note_hi.strip(),
        created_by=acting_user,
    )
    audit.record(acting_user, "scheme.rule_drafted", version, after={"number": number})
    return version


@transaction.atomic
def publish(version: RuleVersion, *, acting_user: User) -> RuleVersion:
    """Publish a draft; beneficiaries it makes ineligible get a review, never a stop."""
    locked = RuleVersion.objects.select_for_update().select_related("scheme").get(pk=version.pk)
    if locked.status != RuleVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    locked.status = RuleVersion.Status.PUBLISHED
    locked.published_by = acting_user
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_by", "published_at"])
    audit.record(acting_user, "scheme.rule_published", locked, after={"number": locked.number})

    version_pk = locked.pk
    transaction.on_commit(lambda: follow_rule_change.delay(version_pk))
    return locked

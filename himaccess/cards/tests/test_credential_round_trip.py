from __future__ import annotations

from himaccess.cards.tests.conftest import AshaCards, decode_cwt
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.lib import signing


def test_member_card_verifies_as_genuine_with_its_family(personas: Personas, asha_cards: AshaCards) -> None:
    result = verify_text(asha_cards.ravi.qr_text)
    assert result.verdict == spec.GENUINE
    details = result.details
    assert details["kind"] == "member"
    assert details["id"] == personas.member(personas.ravi).member_id
    assert details["family_id"] == personas.asha_family.family_id
    assert details["name_en"] == "Ravi Kumar"
    assert details["name_hi"] == "रवि कुमार"
    assert details["date_of_birth"] == "2001-09-03"
    assert details["gender"] == "M"
    assert details["credential_id"] == asha_cards.ravi.credential_id
    assert details["key_id"] == asha_cards.ravi.key_id == signing.active_key("card").kid
    assert details["expires_on"] == asha_cards.ravi.expires_on.isoformat()


def test_family_card_binds_the_living_members(personas: Personas, asha_cards: AshaCards) -> None:
    result = verify_text(asha_cards.family.qr_text)
    assert result.verdict == spec.GENUINE
    assert result.details["kind"] == "family"
    assert result.details["layout"] == spec.CURRENT_LAYOUT
    assert result.details["id"] == personas.asha_family.family_id
    living = [m.member_id for m in personas.asha_family.living_members()]
    assert result.details["member_count"] == len(living) == 2
    assert spec.family_members_match(result.details, living)
    assert not spec.family_members_match(result.details, living[:1])
    assert not spec.family_members_match(result.details, [*living, personas.member(personas.karan).member_id])
    assert result.details["name_en"] == "Asha Devi"
    assert result.details["name_hi"] == "आशा देवी"
    assert result.details["district_lgd_code"] == str(personas.asha_family.district_id)


def test_credential_holds_no_sensitive_field(personas: Personas, asha_cards: AshaCards) -> None:
    member = personas.member(personas.asha)
    member.bank_account, member.annual_income = "123456789012", 98765
    member.save()
    asha_cards.asha.refresh_from_db()
    cwt = decode_cwt(asha_cards.asha.qr_text)
    text = repr(cwt)
    assert set(cwt) == {
        spec.CWT_ISS,
        spec.CWT_EXP,
        spec.CWT_NBF,
        spec.CWT_IAT,
        spec.CWT_CTI,
        spec.CLAIM_169,
        spec.HP_EXTENSION,
    }
    assert set(cwt[spec.CLAIM_169]) <= {1, 3, 4, 8, 9, 19, 20, 21}
    for forbidden in ("general", "98765", "123456789012", member.mobile):
        assert forbidden not in text


def test_reissue_with_nothing_changed_keeps_the_card(personas: Personas, asha_cards: AshaCards) -> None:
    from himaccess.cards import actions

    again = actions.issue_member_card(personas.member(personas.ravi), acting_user=personas.meena)
    assert again.pk == asha_cards.ravi.pk

"""An eligibility explanation reads as plain sentences, nested as the rule nests, in Hindi and English.

Each condition is one sentence, said positively (a ``not`` over "is a government employee" reads
"Is not a government employee", ticked when met), with the person's value, where it came from and
the day it was recorded, as day-month-year in Indian time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from himaccess.lib import rules
from himaccess.registry.actions import corrections
from himaccess.registry.models import Member, Source
from himaccess.schemes import eligibility
from himaccess.schemes.tests.conftest import SchemePeople

WIDOW_PENSION = "widow_destitute_ekal_nari_pension"
OLD_AGE_PENSION = "old_age_pension_state"
INDIA = ZoneInfo("Asia/Kolkata")


def _page(client: Client, member: Member, scheme_id: str, language: str = "en") -> str:
    client.cookies["django_language"] = language
    client.post(f"/schemes/families/{member.family.family_id}/check/")
    response = client.get(f"/schemes/members/{member.member_id}/{scheme_id}/")
    assert response.status_code == 200
    return response.content.decode()


def _item(body: str, text: str) -> str:
    """The list item of the condition that reads ``text`` (a comparison: no list inside it)."""
    at = body.index(text)
    return body[body.rindex("<li", 0, at) : body.index("</li>", at)]


def _text(body: str) -> str:
    """What the page's main part says, without its markup."""
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _depth(body: str, text: str) -> int:
    """How many lists the condition that reads ``text`` sits in."""
    before = body[: body.index(text)]
    return before.count("<ul") - before.count("</ul>")


def test_a_met_negation_reads_as_a_positive_sentence_with_a_tick(people: SchemePeople) -> None:
    """Asha's widow pension: "not receiving a pension" is one ticked sentence, no NOT and no cross."""
    asha = people.p.member(people.p.asha)
    body = _page(people.p.client_for(people.p.asha), asha, WIDOW_PENSION)
    assert "You appear eligible" in body
    item = _item(body, "Does not receive another social-security pension")
    assert "✔" in item and "Met" in item
    assert "✘" not in item and "Not met" not in item
    assert "Already receives another social-security pension: <strong>no</strong>" in item
    assert "Scheme records (sanctioned pensions)" in item
    for flat in ("NOT", "must not hold", "does not hold", "✔ holds", " is no ", " is yes "):
        assert flat not in _text(body)


def test_yes_no_conditions_are_said_either_way_in_both_languages() -> None:
    rule = {
        "all": [
            {"not": {"attr": "govt_employee", "op": "==", "value": True}},
            {"attr": "bpl", "op": "==", "value": True},
        ]
    }
    clause = rules.evaluate(rule, {"govt_employee": False, "bpl": False})
    explained = eligibility.explain(clause, {})
    assert [(p.text, p.holds) for p in explained.parts] == [
        ("Is not a government employee", True),
        ("Is below the poverty line (BPL)", False),
    ]
    with translation.override("hi"):
        explained = eligibility.explain(clause, {})
    assert [p.text for p in explained.parts] == [
        "सरकारी कर्मचारी नहीं है",
        "गरीबी रेखा से नीचे (बीपीएल) है",
    ]


def test_conditions_nest_as_the_rule_nests(people: SchemePeople) -> None:
    """all[gender, age, not pension, any[widowed or separated, all[single, 45+]]], as lists in lists."""
    asha = people.p.member(people.p.asha)
    body = _page(people.p.client_for(people.p.asha), asha, WIDOW_PENSION)
    assert _depth(body, "All of these conditions:") == 1
    assert _depth(body, "Gender is Female") == 2
    assert _depth(body, "At least one of these conditions:") == 2
    assert _depth(body, "Marital status is one of: Widowed, Separated / deserted") == 3
    assert _depth(body, "Marital status is one of: Never married, Divorced") == 4


def test_an_alternative_not_needed_is_not_marked_as_failing(people: SchemePeople) -> None:
    """Asha is a widow: the "single woman of 45" alternative does not matter and is not shown in red."""
    asha = people.p.member(people.p.asha)
    body = _page(people.p.client_for(people.p.asha), asha, WIDOW_PENSION)
    item = _item(body, "Marital status is one of: Never married, Divorced")
    assert "Not met, not needed" in item and "✘" not in item
    assert "tag-unmet" not in body  # eligible: nothing that matters is unmet


def test_each_condition_names_its_value_source_and_recorded_day(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    body = _page(people.p.client_for(people.p.asha), asha, WIDOW_PENSION)
    recorded = timezone.localdate().strftime("%d-%m-%Y")  # Asha was registered by the panchayat today
    item = _item(body, "Marital status is one of: Widowed, Separated / deserted")
    assert "Marital status: <strong>Widowed</strong>" in item
    assert "Family register (Panchayat secretary)" in item
    assert f"recorded {recorded}" in item
    assert not re.search(r"\d{4}-\d{2}-\d{2}", _text(body))  # no ISO date anywhere


def test_the_explanation_reads_in_hindi(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    body = _page(people.p.client_for(people.p.asha), asha, OLD_AGE_PENSION, "hi")
    assert "आप पात्र नहीं दिखते" in body
    assert "वृद्धावस्था पेंशन" in body and "आशा देवी" in body  # names in Hindi too
    assert "ये सभी शर्तें:" in body and "इनमें से कम से कम एक शर्त:" in body
    item = _item(body, "कोई अन्य सामाजिक सुरक्षा पेंशन नहीं मिल रही है")
    assert "✔" in item and "✘" not in item
    assert "पंजीकृत आयकरदाता नहीं है" in body
    assert "परिवार का कोई भी सदस्य सरकारी पेंशनभोगी नहीं है" in body
    age = _item(body, "आयु (पूरे वर्ष) कम से कम 60 है")
    assert "✘" in age and "परिवार रजिस्टर (पंचायत सचिव)" in age and "को दर्ज" in age
    for english in ("All of these", "Met", "Family register", "recorded"):
        assert english not in _text(body)


def test_the_recorded_day_is_the_day_in_india(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """A correction made at half past one at night is recorded that day, not the day before (UTC)."""
    kamla = people.member(people.kamla)
    night = datetime.combine(timezone.localdate() + timedelta(days=40), time(1, 30), tzinfo=INDIA)
    with time_machine.travel(night, tick=False), django_capture_on_commit_callbacks(execute=True):
        corrections.correct_member(
            kamla, {"date_of_birth": date(1951, 2, 11)}, acting_user=people.p.meena, source=Source.OFFICIAL
        )
    client = people.p.client_for(people.kamla)
    client.cookies["django_language"] = "en"
    body = client.get(f"/schemes/members/{kamla.member_id}/{OLD_AGE_PENSION}/").content.decode()
    item = _item(body, "Age (completed years) is at least 60")
    assert "Family register (Verified by an official)" in item
    assert f"recorded {night.strftime('%d-%m-%Y')}" in item
    assert (night - timedelta(days=1)).strftime("%d-%m-%Y") not in body


def test_the_officer_reads_the_same_sentences_without_a_citizens_words(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """Priya's application page: the nested sentences, and no "Your record" addressed to her."""
    kamla = people.member(people.kamla)
    _page(people.p.client_for(people.kamla), kamla, OLD_AGE_PENSION)
    people.p.client_for(people.kamla).post(f"/schemes/members/{kamla.member_id}/{OLD_AGE_PENSION}/accept/")
    reference = kamla.enrolments.get().reference
    body = people.p.client_for(people.priya).get(f"/schemes/enrolments/{reference}/").content.decode()
    assert "Your record" not in body
    item = _item(body, "No family member is a government pensioner")
    assert "✔" in item
    assert _depth(body, "Age (completed years) is at least 70") == 3

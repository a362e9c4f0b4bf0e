"""Activity for the embedded demo: a few weeks' worth of work, done through each app's real actions.

``himaccess demo`` runs its stages (``file_change_requests``,
``file_applications``, ``file_complaints``, ``evaluate_schemes``, in that
order on one ``Run``; ``generate`` runs them all) once, right after
seeding, so that the officials' queues and the public dashboards are not
empty. Nothing here writes a row by hand: families file change requests with
the register's forms, citizens apply for certificates and complain, officials
decide, the schemes are evaluated over Mandi's population and a department
posts to the benefit ledger, each through the function the pages and APIs
call. The same seed gives the same activity.

It lives in its own app, at the top of the app layers, because it drives
every other app; no app imports it.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from himaccess.accounts.authentication import citizen_for_mobile
from himaccess.accounts.models import User
from himaccess.applications.actions import decisions, drafts
from himaccess.applications.actions import filing as applications_filing
from himaccess.applications.forms import ApplicationForm
from himaccess.applications.models import Action, Application, RejectionReason
from himaccess.catalog.models import Service
from himaccess.departments.models import Department
from himaccess.grievances import actions as grievances
from himaccess.grievances import routing
from himaccess.grievances.models import Category, Channel, Complaint
from himaccess.lib.progress import NOWHERE, Progress, track
from himaccess.registry import citizen_links
from himaccess.registry.change_requests import deciding
from himaccess.registry.change_requests import filing as registry_filing
from himaccess.registry.forms import FORMS
from himaccess.registry.models import ChangeRequest, Family, FamilyQuerySet, Member, Occupation, Relation
from himaccess.schemes import population
from himaccess.schemes.actions import clients, records, reevaluation
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.models import Enrolment, Offer

MANDI = 22
MANDI_TEHSIL = 133
KANGRA_TEHSIL = 100

# Certificates decided in Mandi tehsil by the demo patwari and tehsildar, none needing an upload.
SERVICES = ("CERT-05", "CERT-08", "CERT-10")
# (English, Hindi) given names for newborns, by gender.
BABY_NAMES = {
    "F": (("Aanya", "आन्या"), ("Diya", "दिया"), ("Kavya", "काव्या"), ("Ishita", "इशिता"), ("Riya", "रिया")),
    "M": (("Aarav", "आरव"), ("Vihaan", "विहान"), ("Kabir", "कबीर"), ("Arjun", "अर्जुन"), ("Reyansh", "रेयांश")),
}
PURPOSES = ("Admission to college", "Job application", "Army recruitment rally", "Police verification")
COMPLAINTS = {
    "revenue": "Mutation of inherited land pending at the tehsil for months.",
    "jal_shakti": "No drinking water in our ward for the last four days.",
    "public_works": "The link road to the village is damaged and buses do not come.",
    "energy": "Electricity goes off every evening and the voltage is very low.",
    "health": "The doctor at the health centre does not come on most days.",
    "social_justice": "My old age pension has not come for three months.",
    "food_civil_supplies": "The depot holder did not give the full ration this month.",
    "urban_development": "Garbage has not been collected from our street for a week.",
    "panchayati_raj": "MGNREGA wages for the work done in spring are not paid.",
    "home": "Police verification for my passport is pending for a month.",
}


@dataclass
class Summary:
    change_requests: Counter[str] = field(default_factory=Counter)
    applications: Counter[str] = field(default_factory=Counter)
    complaints: Counter[str] = field(default_factory=Counter)
    schemes: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        def part(name: str, counts: Counter[str]) -> str:
            detail = ", ".join(f"{n} {what}" for what, n in counts.items() if what != "filed")
            return f"{counts['filed']} {name}" + (f" ({detail})" if detail else "")

        return "Activity: " + "; ".join(
            (
                part("change requests", self.change_requests),
                part("service applications", self.applications),
                part("complaints", self.complaints),
                f"{self.schemes['families evaluated']} families evaluated for schemes"
                f" ({self.schemes['offers']} offers, {self.schemes['enrolments']} enrolments,"
                f" {self.schemes['sanctioned']} sanctioned, {self.schemes['payments']} payments)",
            )
        )


class Citizens:
    """The citizen login of each family, made as a first OTP login makes it."""

    def __init__(self) -> None:
        self._by_family: dict[int, User] = {}

    def of(self, family: Family) -> User | None:
        if family.pk not in self._by_family:
            member = family.members.living().exclude(mobile="").order_by("-relation", "date_of_birth").first()
            head = family.head()
            if head is not None and head.is_living and head.mobile:
                member = head
            if member is None:
                return None
            user = citizen_for_mobile(member.mobile, "hi")
            linked = citizen_links.refresh_citizen_links(user)
            if member not in linked:
                citizen_links.link_citizen(user, member)
            self._by_family[family.pk] = user
        return self._by_family[family.pk]


def focus(families: int) -> dict[int, float]:
    """Shares of the seeded families for the tehsils of the demo officials, whatever the population.

    Spread by population alone, a few hundred families leave Mandi tehsil with
    two or three and the queues empty; at least about 80 there (and 20 in
    Kangra tehsil) keep them busy, and a share of at most a fifth keeps a large
    population real.
    """
    return {MANDI_TEHSIL: min(0.2, 80 / families), KANGRA_TEHSIL: min(0.05, 20 / families)}


def showcase(limit: int = 3) -> list[Member]:
    """The heads of family the demo suggests logging in as: living, with a mobile, in Mandi tehsil if any."""
    heads = Member.objects.filter(relation="head", life_status="living").exclude(mobile="")
    in_tehsil = heads.filter(family__tehsil_id=MANDI_TEHSIL)
    sample = in_tehsil if in_tehsil.exists() else heads.filter(family__district_id=MANDI)
    return list(sample.select_related("family__tehsil").order_by("id")[:limit])


@dataclass
class Run:
    """What the stages share: one random stream (the same seed, the same activity), logins, the tally."""

    rng: random.Random
    summary: Summary = field(default_factory=Summary)
    citizens: Citizens = field(default_factory=Citizens)


def start(seed: int = 2026) -> Run:
    return Run(random.Random(seed))


@contextmanager
def quiet_tasks() -> Iterator[None]:
    """Every SMS is a task run in-process here; its per-task log line would bury the demo's output."""
    tasks_log = logging.getLogger("celery.app.trace")
    level = tasks_log.level
    tasks_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        tasks_log.setLevel(level)


def _official(username: str) -> User:
    return User.objects.get(username=username)


def _families(queryset: FamilyQuerySet, rng: random.Random) -> list[Family]:
    families = list(queryset.active().select_related("district", "tehsil").order_by("pk"))
    rng.shuffle(families)
    return families


def _surname(member: Member | None) -> tuple[str, str]:
    if member is None:
        return "", ""
    english, hindi = member.name_en.split(), member.name_hi.split()
    return (english[-1] if len(english) > 1 else ""), (hindi[-1] if len(hindi) > 1 else "")


def _payload(kind: str, family: Family, rng: random.Random, today: date) -> dict[str, Any] | None:
    """What the family would type in the change request form of ``kind``, or None if it has no case."""
    living = list(family.living_members())
    head = family.head()
    if kind == ChangeRequest.Kind.BIRTH:
        mothers = [m for m in living if m.gender == "F" and 20 <= m.age_on(today) <= 40]
        if not mothers:
            return None
        mother = mothers[0]
        father = mother.spouse if mother.spouse and mother.spouse.is_living else None
        gender = rng.choice("FM")
        given_en, given_hi = rng.choice(BABY_NAMES[gender])
        surname_en, surname_hi = _surname(father or head)
        relation = (
            (Relation.SON if gender == "M" else Relation.DAUGHTER)
            if mother.relation in (Relation.HEAD, Relation.SPOUSE)
            else (Relation.GRANDSON if gender == "M" else Relation.GRANDDAUGHTER)
        )
        return {
            "name_en": f"{given_en} {surname_en}".strip(),
            "name_hi": f"{given_hi} {surname_hi}".strip(),
            "gender": gender,
            "date_of_birth": (today - timedelta(days=rng.randint(5, 120))).isoformat(),
            "relation": relation.value,
            "mother": mother.member_id,
            "father": father.member_id if father else "",
        }
    if kind == ChangeRequest.Kind.DEATH:
        elders = [m for m in living if m.age_on(today) >= 70 and m != head]
        if not elders:
            return None
        return {
            "member_id": elders[0].member_id,
            "date": (today - timedelta(days=rng.randint(3, 40))).isoformat(),
            "new_head_member_id": "",
        }
    adults = [m for m in living if m.age_on(today) >= 18]
    if not adults:
        return None
    member = rng.choice(adults)
    if rng.random() < 0.5:
        return {
            "member_id": member.member_id,
            "field": "annual_income",
            "new_value": str(rng.randint(6, 30) * 10_000),
        }
    choices = [
        o
        for o in (Occupation.AGRICULTURE, Occupation.SELF_EMPLOYED, Occupation.LABOUR)
        if o != member.occupation
    ]
    return {"member_id": member.member_id, "field": "occupation", "new_value": rng.choice(choices).value}


def file_change_requests(run: Run, count: int = 15, *, out: object = NOWHERE) -> None:
    """Families of Mandi tehsil file change requests; the tehsildar decides the oldest third."""
    summary, citizens, rng = run.summary, run.citizens, run.rng
    tehsildar = _official("meena.tehsildar")
    today = timezone.localdate()
    kinds = [ChangeRequest.Kind.BIRTH, ChangeRequest.Kind.CORRECTION, ChangeRequest.Kind.DEATH]
    filed: list[ChangeRequest] = []
    families = _families(Family.objects.filter(tehsil_id=MANDI_TEHSIL), rng)
    decided = max(1, count // 3)
    progress = Progress("Change requests filed and decided", count + decided, stream=out)
    for index, family in enumerate(families * 3):
        if len(filed) >= count:
            break
        user = citizens.of(family)
        payload = _payload(kinds[index % len(kinds)], family, rng, today)
        if user is None or payload is None:
            continue
        kind = kinds[index % len(kinds)]
        form = FORMS[kind](data=payload, family=family)
        if not form.is_valid():
            continue  # e.g. a correction to the value already on record
        try:
            filed.append(
                registry_filing.file_change_request(
                    family, kind, form.payload(), requested_by=user, member=form.subject()
                )
            )
        except ValidationError:
            continue
        summary.change_requests["filed"] += 1
        progress.advance()
    # The tehsildar works through the oldest: approves most, rejects one in four.
    for number, request in enumerate(filed[:decided]):
        progress.advance()
        if number % 4 == 3:
            deciding.reject_change_request(
                request, reason="The document attached does not support the request.", acting_user=tehsildar
            )
            summary.change_requests["rejected"] += 1
            continue
        try:
            deciding.approve_change_request(request, acting_user=tehsildar, note="Verified by the patwari.")
        except ValidationError:
            continue
        summary.change_requests["approved"] += 1
    progress.finish()


def _answers(application: Application, rng: random.Random) -> dict[str, Any]:
    """The citizen's answers to the fields the register did not fill."""
    member, family = application.member, application.family
    data: dict[str, Any] = {}
    for spec in application.service_version.form_fields:
        name = spec["name"]
        if name in application.prefilled:
            continue
        if name == "relative_name":
            relative = member.father or member.spouse or family.head()
            data[name] = relative.name_en if relative and relative != member else "Not recorded"
        elif name == "purpose":
            data[name] = rng.choice(PURPOSES)
        elif name == "mauza":
            data[name] = family.village.name_en if family.village else family.tehsil.name_en
        elif name == "years_of_residence":
            data[name] = str(member.age_on(timezone.localdate()))
        elif spec["type"] == "choice":
            data[name] = spec["choices"][0]["value"]
        elif spec["type"] == "date":
            data[name] = member.date_of_birth.isoformat()
        elif spec["type"] == "number":
            data[name] = str(spec.get("min", 0))
        elif spec["type"] == "yes_no":
            data[name] = "on"
        else:
            data[name] = family.tehsil.name_en
    return data


def file_applications(run: Run, count: int = 20, *, out: object = NOWHERE) -> None:
    """Citizens of Mandi tehsil apply for certificates; the patwari verifies, the tehsildar decides."""
    summary, citizens, rng = run.summary, run.citizens, run.rng
    patwari, tehsildar = _official("prem.patwari"), _official("meena.tehsildar")
    offered = list(Service.objects.filter(code__in=SERVICES).order_by("code"))
    submitted: list[Application] = []
    families = _families(Family.objects.filter(tehsil_id=MANDI_TEHSIL), rng)
    progress = Progress("Applications filed and decided", 2 * count, stream=out)
    for family in families * 3:
        if len(submitted) >= count or not offered:
            break
        user = citizens.of(family)
        adults = [m for m in family.living_members() if m.age_on(timezone.localdate()) >= 18]
        if user is None or not adults:
            continue
        service = offered[len(submitted) % len(offered)]
        draft = drafts.start_draft(service, rng.choice(adults), acting_user=user)
        form = ApplicationForm(
            _answers(draft, rng), version=draft.service_version, language="en", prefilled=draft.prefilled
        )
        if not form.is_valid():
            continue  # the draft stays, as a citizen's abandoned draft does
        submitted.append(applications_filing.submit(draft, form.answers(), {}, acting_user=user))
        summary.applications["filed"] += 1
        progress.advance()
    # A third wait for the patwari; the rest are verified, and the tehsildar decides most of those.
    for number, application in enumerate(submitted):
        progress.advance()
        if number % 3 == 0:
            continue
        if number % 10 == 4:
            decisions.act(
                application,
                Action.RETURN,
                acting_user=patwari,
                expected_version=application.version,
                note="Write the father's name as in the school certificate.",
            )
            summary.applications["returned"] += 1
            continue
        verified = decisions.act(
            application, Action.VERIFY, acting_user=patwari, expected_version=application.version
        )
        summary.applications["verified"] += 1
        if number % 3 == 1:
            continue
        if number % 5 == 0:
            decisions.act(
                verified,
                Action.REJECT,
                acting_user=tehsildar,
                expected_version=verified.version,
                reason=RejectionReason.FACTS_NOT_VERIFIED,
                note="The patwari could not confirm the residence.",
            )
            summary.applications["rejected"] += 1
        else:
            decisions.act(verified, Action.APPROVE, acting_user=tehsildar, expected_version=verified.version)
            summary.applications["approved"] += 1
    progress.finish()


def file_complaints(run: Run, count: int = 40, *, out: object = NOWHERE) -> None:
    """Complaints from Mandi and across the State, by web and helpline; officers act, citizens answer."""
    summary, citizens, rng = run.summary, run.citizens, run.rng
    agent = _official("sunita.helpline")
    categories = list(
        Category.objects.filter(active=True, children__isnull=True)
        .select_related("department")
        .order_by("code")
    )
    revenue = [c for c in categories if c.department_id == "revenue"]
    # Departments whose complaints in Mandi reach a demo official (welfare officer, DC).
    in_district = [c for c in categories if c.department_id in ("social_justice", "health", "home")]
    # A third are revenue complaints from Mandi tehsil (the tehsildar's queue), a third any
    # complaint from Mandi district (the welfare officer's, the DC's), a third from across the
    # State, Kangra's revenue ones going to its tehsildar.
    pools = (
        (_families(Family.objects.filter(tehsil_id=MANDI_TEHSIL), rng), revenue),
        (_families(Family.objects.filter(district_id=MANDI), rng), in_district),
        (_families(Family.objects.exclude(district_id=MANDI), rng), categories),
        (_families(Family.objects.filter(tehsil_id=KANGRA_TEHSIL), rng), revenue),
    )
    filed: list[tuple[Complaint, User | None]] = []
    progress = Progress("Complaints filed and handled", 2 * count, stream=out)
    for index in range(count):
        progress.advance()
        which = index % 3 if index % 9 != 8 else 3
        families, choices = pools[which]
        if not families or not choices:
            continue
        family = families[(index // 3) % len(families)]
        member = family.head() or family.living_members().first()
        if member is None or not member.mobile:
            continue
        category = choices[(index * 7) % len(choices)]
        if category.handler_level == "urban_body" and family.urban_body is None:
            category = revenue[0] if revenue else category
        text = COMPLAINTS.get(category.department_id, category.name_en)
        helpline = index % 4 == 1
        user = None if helpline else citizens.of(family)
        try:
            filing = grievances.file_complaint(
                category=category,
                description=text,
                mobile=member.mobile,
                place=routing.Place.of_family(family),
                channel=Channel.HELPLINE if helpline else Channel.WEB,
                name=member.name_en,
                member=member,
                acting_user=agent if helpline else user,
            )
        except ValidationError:
            continue
        if filing.repeat:
            continue
        filed.append((filing.complaint, user))
        summary.complaints["filed"] += 1
    # Officers act on about two in three; citizens answer the resolutions.
    progress.total = count + len(filed)
    for number, (complaint, user) in enumerate(filed):
        progress.advance()
        officer = complaint.assignee
        if officer is None or number % 3 == 0:
            continue
        grievances.record_action(complaint, note="Field staff sent to inspect.", acting_user=officer)
        if number % 5 == 1:
            continue
        complaint = grievances.resolve(complaint, note="Inspected and set right.", acting_user=officer)
        summary.complaints["resolved"] += 1
        answer_by, channel = (user, Channel.WEB) if user is not None else (agent, Channel.HELPLINE)
        if number % 7 == 2:
            grievances.reject_resolution(
                complaint, reason="Nothing has changed on the ground.", acting_user=answer_by, channel=channel
            )
            summary.complaints["escalated on rejection"] += 1
            continue
        if number % 5 == 3:
            continue  # awaiting the citizen's answer
        complaint = grievances.confirm_resolution(complaint, acting_user=answer_by, channel=channel)
        summary.complaints["confirmed"] += 1
        if user is None:
            continue
        if number % 8 == 4:
            grievances.reopen(complaint, reason="The problem came back after two days.", acting_user=user)
            summary.complaints["reopened"] += 1
        else:
            grievances.rate(complaint, rating=rng.choice((3, 4, 4, 5, 5)), acting_user=user)
            summary.complaints["rated"] += 1
    progress.finish()


def evaluate_schemes(run: Run, enrolments: int = 6, *, out: object = NOWHERE) -> None:
    """Mandi tehsil evaluated for every scheme; some offers accepted, sanctioned and paid through the API."""
    summary, citizens, rng = run.summary, run.citizens, run.rng
    officer = _official("welfare.mandi")
    today = records.today()
    family_ids: set[str] = set()
    for version in reevaluation.rules_in_force(today):
        # Mandi tehsil only: evaluating a member takes tens of milliseconds, the whole district too long.
        eligible = population.eligible(version, today).filter(family__tehsil_id=MANDI_TEHSIL)
        family_ids.update(eligible.values_list("family__family_id", flat=True))
    for family_id in track(sorted(family_ids), "Families evaluated for schemes", stream=out):
        reevaluation.reevaluate_family(family_id, trigger="population.evaluated", on=today)
    summary.schemes["families evaluated"] = len(family_ids)
    offers = Offer.objects.filter(
        status=Offer.Status.OPEN,
        member__family__district_id=MANDI,
        scheme__department_id=officer.active_posting.department_code if officer.active_posting else "",
    ).select_related("member__family", "scheme")
    summary.schemes["offers"] = offers.count()
    chosen = list(offers.order_by("pk"))
    rng.shuffle(chosen)
    filed: list[Enrolment] = []
    for offer in chosen:
        if len(filed) >= enrolments:
            break
        user = citizens.of(offer.member.family)
        if user is None:
            continue
        try:
            filed.append(schemes_enrolment.accept_offer(offer, acting_user=user))
        except ValidationError:
            continue
    summary.schemes["enrolments"] = len(filed)
    sanctioned: list[Enrolment] = []
    for number, enrolment in enumerate(filed):
        if number % 4 == 3:
            continue  # awaiting sanction
        try:
            sanctioned.append(
                schemes_enrolment.sanction_enrolment(
                    enrolment, acting_user=officer, note="Documents verified."
                )
            )
        except ValidationError:
            continue
    summary.schemes["sanctioned"] = len(sanctioned)
    # The department's payment system posts this month's payment to the ledger (the enrolments are
    # this month's: the ledger refuses a month before the enrolment).
    department = Department.objects.get(pk="social_justice")
    _client, token = clients.create_department_client("Demo pension payments", department, acting_user=None)
    # Through the ledger API itself, as the department's system would post.
    payments = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    period = today.replace(day=1)
    for enrolment in sanctioned:
        body = {
            "member_id": enrolment.member.member_id,
            "scheme_id": enrolment.scheme.scheme_id,
            "period": period.strftime("%Y-%m"),
            "amount": enrolment.monthly_amount or 1000,
            "paid_on": min(today, period + timedelta(days=9)).isoformat(),
            "payment_reference": f"DEMO-{enrolment.reference}-{period:%Y%m}",
        }
        response = payments.post(
            "/api/v1/schemes/benefits",
            data=json.dumps(body),
            content_type="application/json",
            secure=True,
            HTTP_IDEMPOTENCY_KEY=body["payment_reference"],
        )
        if response.status_code == 201:
            summary.schemes["payments"] += 1


def generate(
    *,
    seed: int = 2026,
    change_requests: int = 15,
    applications: int = 20,
    complaints: int = 40,
    enrolments: int = 6,
) -> Summary:
    """Create the demo's activity, every stage in turn; needs the demo officials and seeded families."""
    run = start(seed)
    with quiet_tasks():
        file_change_requests(run, change_requests)
        file_applications(run, applications)
        file_complaints(run, complaints)
        evaluate_schemes(run, enrolments)
    return run.summary

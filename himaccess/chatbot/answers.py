"""The chatbot's answers, built from the live records in the language that is active.

Every fact in an answer is read from a record: a service's documents, fee,
time limit and link from its current ``ServiceVersion``; a scheme's
conditions from its rule in force, worded by ``schemes.eligibility``; a
person's decision from the stored ``EligibilityDecision`` with the same
explanation the schemes page gives. Nothing here writes anything.

Each function returns a ``Reply`` whose ``facts`` are the strings a
rephrased answer must still contain (``chatbot.llm``), and whose
``suggestions`` are short texts the person can send back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.applications.access import applications_visible_to, get_application_for
from himaccess.applications.models import Application, Certificate, Status
from himaccess.catalog.models import Service
from himaccess.chatbot import features, retrieval
from himaccess.departments.models import Department
from himaccess.grievances.access import get_complaint_for, visible_complaints
from himaccess.grievances.models import Category, Complaint
from himaccess.lib import identifiers, links, rules
from himaccess.registry.models import ChangeRequest, EkycStatus, Family, Member, Relation
from himaccess.schemes import eligibility
from himaccess.schemes.actions import records as schemes_records
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import EligibilityDecision, Enrolment, ReviewCase, RuleVersion, Scheme

DATA = Path(__file__).resolve().parent / "data"
LIST_LIMIT = 5
# A service or scheme is named confidently when one record clearly leads.
STRONG_SCORE = 1.2
LEAD = 1.25
APPLICATION_NUMBER = re.compile(r"\b[Aa] ?\d{4} ?\d{4} ?\d{3}\b")
COMPLAINT_NUMBER = re.compile(r"\b[Gg] ?\d{4} ?\d{4} ?\d{3}\b")


@dataclass
class Reply:
    text: str
    intent: str
    suggestions: list[str] = field(default_factory=list)
    service_code: str = ""
    scheme_id: str = ""
    # Strings a rephrased answer must keep word for word (figures, names of documents, links).
    facts: list[str] = field(default_factory=list)
    # Only answers about public records may be reworded; prompts, codes and personal records never.
    may_rephrase: bool = False
    # What the person may choose next: [{"label": shown text, "value": what it means}].
    options: list[dict[str, str]] = field(default_factory=list)


def language() -> str:
    return "hi" if (get_language() or "hi").startswith("hi") else "en"


def site(path: str) -> str:
    return links.absolute(path)


def bullets(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def when(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return moment.strftime("%d-%m-%Y")


def rupees(amount: int) -> str:
    return f"₹{amount:,}"


# ------------------------------------------------------------------ general


def greeting() -> Reply:
    text = _(
        "Namaste! I am the CM Seva Sankalp assistant of the Government of Himachal Pradesh. "
        "I can tell you what a service needs and link you to apply, explain scheme conditions, "
        "track your applications and complaints, register a complaint, and put you through to the "
        "1100 helpline. What would you like to do?"
    )
    return Reply(text, "greeting", suggestions=starters())


def starters() -> list[str]:
    return [
        _("Documents for an income certificate"),
        _("Am I eligible for old age pension?"),
        _("Register a complaint"),
        _("Status of my application"),
    ]


def thanks() -> Reply:
    return Reply(
        _("You are welcome. For anything else, write here or call 1100 (Monday to Saturday, 7 am to 10 pm)."),
        "thanks",
    )


def out_of_scope() -> Reply:
    return Reply(
        _(
            "I can only help with government services, schemes, complaints and the family register "
            "of Himachal Pradesh. Try one of these:"
        ),
        "unknown",
        suggestions=starters(),
    )


def not_understood(first: bool) -> Reply:
    if first:
        text = _(
            "Sorry, I did not understand that. Could you say it in other words? For example: "
            '"documents for income certificate" or "status of my complaint".'
        )
    else:
        text = _("Sorry, I still did not understand.")
    return Reply(text, "unknown", suggestions=starters())


# ---------------------------------------------------------------- services


def _service_hits(message: str) -> list[retrieval.Hit]:
    return retrieval.best(retrieval.SERVICES, message)


def confident(hits: list[retrieval.Hit]) -> retrieval.Hit | None:
    if not hits or hits[0].score < STRONG_SCORE:
        return None
    if len(hits) > 1 and hits[0].score < hits[1].score * LEAD and hits[0].coverage <= hits[1].coverage:
        return None
    return hits[0]


def service_names(codes: list[str]) -> dict[str, str]:
    services = Service.objects.offered().filter(code__in=codes)
    return {service.code: service.name_in(language()) for service in services}


def choose_service(intent: str, hits: list[retrieval.Hit]) -> Reply:
    names = service_names([hit.key for hit in hits[:4]])
    options = [{"label": names[hit.key], "value": hit.key} for hit in hits[:4] if hit.key in names]
    if not options:
        return Reply(
            _(
                "Which service do you mean? Name it, for example: income certificate, caste certificate, "
                "birth registration, water connection. All services: %(url)s"
            )
            % {"url": site(reverse("catalog:index"))},
            intent,
            suggestions=[
                _("Income certificate"),
                _("Caste certificate"),
                _("Bonafide Himachali certificate"),
            ],
        )
    return Reply(
        _("Which of these services do you mean?"),
        intent,
        suggestions=[option["label"] for option in options],
        options=[{**option, "kind": "service"} for option in options],
    )


def service(code: str, intent: str) -> Reply | None:
    found = (
        Service.objects.offered().select_related("department", "current_version").filter(code=code).first()
    )
    if found is None or found.current_version is None:
        return None
    version = found.current_version
    definition = version.definition
    lang = language()
    name = version.text("name", lang)
    other = version.name_en if lang == "hi" else version.name_hi
    lines = [
        _("%(name)s (%(other)s), %(department)s.")
        % {"name": name, "other": other, "department": found.department.name_in(lang)}
    ]
    facts = [name]
    if definition.get("online_url"):
        url = site(definition["online_url"])
        lines.append(_("This service is online: %(url)s") % {"url": url})
        return Reply("\n".join(lines), intent, service_code=code, facts=[*facts, url], may_rephrase=True)
    documents = definition.get("documents", [])
    if documents:
        lines.append(_("Documents to upload:"))
        listed = []
        for document in documents:
            label = document["name_hi" if lang == "hi" else "name_en"]
            facts.append(label)
            listed.append(
                label if document.get("required") else _("%(document)s (optional)") % {"document": label}
            )
        lines.append(bullets(listed))
    else:
        lines.append(_("No documents need to be uploaded: the form is filled from the family register."))
    fee = int(definition.get("fee_rupees") or 0)
    if fee:
        lines.append(_("Fee: %(fee)s.") % {"fee": rupees(fee)})
        facts.append(rupees(fee))
    else:
        lines.append(_("Fee: none."))
    hours = version.time_limit_hours
    limit = ngettext("Time limit: %(hours)d working hour.", "Time limit: %(hours)d working hours.", hours) % {
        "hours": hours
    }
    facts.append(str(hours))
    notified = definition.get("time_limit_text", "")
    if notified and lang == "en" and not notified.startswith("See "):
        limit += " " + _("As notified: %(text)s.") % {"text": notified.rstrip(".")}
    lines.append(limit)
    apply = site(reverse("applications:apply", args=[code]))
    lines.append(_("Apply here: %(url)s") % {"url": apply})
    facts.append(apply)
    return Reply(
        "\n".join(lines),
        intent,
        suggestions=[_("Register a complaint"), _("Status of my application")],
        service_code=code,
        facts=facts,
        may_rephrase=True,
    )


def service_answer(message: str, intent: str) -> Reply:
    hits = _service_hits(message)
    top = confident(hits)
    if top is None:
        return choose_service(intent, hits)
    answer = service(top.key, intent)
    return answer if answer is not None else choose_service(intent, hits)


# ----------------------------------------------------------------- schemes


NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _sentence(attr: str, op: str, value: Any) -> str:
    return eligibility.sentence(rules.Clause("compare", True, attr=attr, op=op, value=value))


def rule_lines(rule: rules.Rule, depth: int = 0) -> list[str]:
    """A scheme's conditions in words, worded as the schemes page words them (``eligibility.sentence``).

    The top level's "all" is the list itself; a nested group says whether all or one of its parts
    must hold, indented under it.
    """
    indent = "  " * depth
    if "all" in rule:
        if depth == 0:
            return [line for part in rule["all"] for line in rule_lines(part, depth)]
        lines = [indent + _("All of these:")]
        for part in rule["all"]:
            lines.extend(rule_lines(part, depth + 1))
        return lines
    if "any" in rule:
        lines = [indent + _("At least one of these:")]
        for part in rule["any"]:
            lines.extend(rule_lines(part, depth + 1))
        return lines
    if "not" in rule:
        inner = rule["not"]
        if "attr" in inner and inner["op"] in NEGATED:
            return [indent + _sentence(inner["attr"], NEGATED[inner["op"]], inner["value"])]
        if "attr" in inner:
            return [
                indent
                + _("Not: %(condition)s")
                % {"condition": _sentence(inner["attr"], inner["op"], inner["value"])}
            ]
        return [indent + _("None of this:"), *rule_lines(inner, depth + 1)]
    return [indent + _sentence(rule["attr"], rule["op"], rule["value"])]


def _as_bullets(lines: list[str]) -> str:
    """Rule lines as a list: top-level lines bulleted, nested ones dashed under them."""
    shown = []
    for line in lines:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        shown.append(("  " * depth + "– " if depth else "• ") + line.strip())
    return "\n".join(shown)


def _bands(version: RuleVersion) -> list[str]:
    lang = language()
    lines = []
    for band in version.bands:
        label = band.get("label_hi" if lang == "hi" else "label_en") or ""
        amount = rupees(int(band["amount"]))
        lines.append(f"{amount} ({label})" if label else amount)
    return lines


def scheme_conditions(scheme: Scheme) -> Reply | None:
    version = scheme.rule_on(schemes_records.today())
    if version is None:
        return None
    lang = language()
    lines = [
        f"{scheme.name_in(lang)}, {scheme.department.name_in(lang)}.",
        _("Who is eligible (all of these must hold):"),
        _as_bullets(rule_lines(version.rule)),
    ]
    amounts = _bands(version)
    facts = [scheme.name_in(lang)]
    if amounts:
        per = _("a month") if scheme.payment == Scheme.Payment.MONTHLY else _("once")
        lines.append(_("Amount (%(per)s):") % {"per": per})
        lines.append(bullets(amounts))
        facts.extend(rupees(int(band["amount"])) for band in version.bands)
    lines.append(
        _("Rule in force from %(date)s (version %(number)s).")
        % {"date": when(version.effective_from), "number": version.number}
    )
    return Reply(
        "\n".join(lines), "scheme_eligibility", scheme_id=scheme.scheme_id, facts=facts, may_rephrase=True
    )


def scheme_hits(message: str) -> list[retrieval.Hit]:
    return retrieval.best(retrieval.SCHEMES, message)


def choose_scheme(hits: list[retrieval.Hit]) -> Reply:
    schemes = {s.scheme_id: s for s in Scheme.objects.filter(active=True)}
    chosen = [schemes[hit.key] for hit in hits[:4] if hit.key in schemes] or list(schemes.values())[:6]
    options = [{"label": s.name_in(language()), "value": s.scheme_id, "kind": "scheme"} for s in chosen]
    return Reply(
        _("Which scheme do you mean?"),
        "scheme_eligibility",
        suggestions=[option["label"] for option in options],
        options=options,
    )


def member_of(user: User | None) -> Member | None:
    """The register member a citizen's login stands for (its link in force), if any."""
    if user is None or not user.is_authenticated or user.is_official or not user.mobile:
        return None
    return (
        Member.objects.living()
        .filter(citizen_links__user=user, mobile=user.mobile)
        .select_related("family")
        .first()
    )


def decision_lines(decision: EligibilityDecision) -> list[str]:
    """A stored decision explained as the schemes page explains it: the reason and each failing condition."""
    clause = rules.Clause.from_dict(decision.explanation)
    lines = [eligibility.reason(clause)]
    failing = [line for line in eligibility.lines(clause) if not line.holds and line.attr]
    for line in failing[:4]:
        lines.append(
            _("%(condition)s: the record says %(value)s") % {"condition": line.text, "value": line.actual}
        )
    return lines


def own_eligibility(member: Member, scheme: Scheme) -> list[str]:
    lang = language()
    decision = (
        EligibilityDecision.objects.filter(member=member, scheme=scheme)
        .select_related("rule_version")
        .first()
    )
    name = member.name_in(lang)
    if decision is None:
        version = scheme.rule_on(schemes_records.today())
        if version is None:
            return []
        person = eligibility.person_for(member)
        assessment = eligibility.assess(person, scheme, version, schemes_records.today())
        head = (
            _("%(name)s: eligible under today's rules (checked now).")
            if assessment.eligible
            else _("%(name)s: not eligible under today's rules (checked now).")
        ) % {"name": name}
        lines = [head, eligibility.reason(assessment.clause)]
    else:
        head = (
            _("%(name)s: eligible (decided on %(date)s).")
            if decision.eligible
            else _("%(name)s: not eligible (decided on %(date)s).")
        ) % {"name": name, "date": when(decision.evaluated_on)}
        lines = [head, *decision_lines(decision)]
    url = site(reverse("schemes:explanation", args=[member.member_id, scheme.scheme_id]))
    lines.append(_("The full explanation, and how to dispute a wrong value: %(url)s") % {"url": url})
    return lines


def scheme_answer(message: str, user: User | None) -> Reply:
    hits = scheme_hits(message)
    top = confident(hits)
    if top is None:
        member = member_of(user)
        if member is not None and not hits:
            return eligibility_summary(member)
        return choose_scheme(hits)
    return scheme_reply(top.key, user) or choose_scheme(hits)


def scheme_reply(scheme_id: str, user: User | None) -> Reply | None:
    """A scheme's conditions, and for a known person their own eligibility explained."""
    scheme = Scheme.objects.select_related("department").filter(scheme_id=scheme_id).first()
    answer = scheme_conditions(scheme) if scheme is not None else None
    if answer is None or scheme is None:
        return None
    member = member_of(user)
    if member is not None:
        answer.text += "\n\n" + "\n".join(own_eligibility(member, scheme))
        answer.may_rephrase = False
    else:
        answer.text += "\n\n" + _(
            "Log in, or let me check your family with a code sent to your mobile, to see your own "
            "eligibility."
        )
    answer.suggestions = [_("Documents for the pension application"), _("Why was my pension stopped?")]
    return answer


def eligibility_summary(member: Member) -> Reply:
    lang = language()
    latest = reevaluation.latest_decisions(member)
    eligible = [d for d in latest.values() if d.eligible and d.scheme.active]
    url = site(reverse("schemes:family", args=[member.family.family_id]))
    if eligible:
        lines = [_("Going by the last check, %(name)s may be eligible for:") % {"name": member.name_in(lang)}]
        lines.append(
            bullets(
                [
                    f"{d.scheme.name_in(lang)}"
                    + (f" ({rupees(d.monthly_amount)})" if d.monthly_amount else "")
                    for d in eligible
                ]
            )
        )
    else:
        lines = [
            _("Going by the last check, %(name)s is not eligible for any open scheme.")
            % {"name": member.name_in(lang)}
        ]
    lines.append(_("Your family's benefits and the reasons: %(url)s") % {"url": url})
    return Reply("\n".join(lines), "scheme_eligibility")


# ------------------------------------------------------------- departments


@cache
def department_facts() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = yaml.safe_load(
        (DATA / "department_facts.yaml").read_text(encoding="utf-8")
    )
    return loaded


def department_answer(message: str) -> Reply:
    hits = retrieval.best(retrieval.DEPARTMENTS, message)
    top = confident(hits)
    if top is None:
        departments = Department.objects.filter(code__in=[hit.key for hit in hits[:4]])
        options = [
            {"label": d.name_in(language()), "value": d.code, "kind": "department"} for d in departments
        ]
        if not options:
            options = [
                {"label": d.name_in(language()), "value": d.code, "kind": "department"}
                for d in Department.objects.filter(
                    code__in=["milkfed", "agriculture", "jal_shakti", "social_justice"]
                )
            ]
        return Reply(
            _("Which department do you mean?"),
            "department_info",
            suggestions=[option["label"] for option in options],
            options=options,
        )
    return department(top.key)


def department(code: str) -> Reply:
    lang = language()
    found = Department.objects.get(code=code)
    lines = [found.name_in(lang)]
    facts: list[str] = []
    extra = department_facts().get(code)
    if extra:
        title = extra.get(f"title_{lang}")
        if title:
            lines.append(title)
        own = extra[f"facts_{lang}"]
        lines.append(bullets(own))
        lines.append(
            _("As reported up to %(date)s; check the department's current orders. Sources: %(sources)s.")
            % {"date": extra["as_of"], "sources": "; ".join(extra["sources"])}
        )
        facts.extend(re.findall(r"₹?\d[\d,.]*", " ".join(own)))
    services = list(Service.objects.offered().filter(department=found).order_by("code")[:8])
    if services:
        lines.append(_("Its services here:"))
        lines.append(bullets([s.name_in(lang) for s in services]))
    schemes = list(Scheme.objects.filter(department=found, active=True)[:8])
    if schemes:
        lines.append(_("Its schemes:"))
        lines.append(bullets([s.name_in(lang) for s in schemes]))
    categories = Category.objects.filter(department=found, active=True, children__isnull=True).count()
    if categories:
        lines.append(
            ngettext(
                "You can register a complaint about it here (%(count)d kind of problem).",
                "You can register a complaint about it here (%(count)d kinds of problem).",
                categories,
            )
            % {"count": categories}
        )
    if not (extra or services or schemes):
        lines.append(_("I have no services or schemes of this department yet. Call 1100 for more."))
    url = site(reverse("catalog:index") + f"?department={code}")
    if services:
        lines.append(_("All its services: %(url)s") % {"url": url})
    return Reply("\n".join(lines), "department_info", facts=facts, may_rephrase=True)


# ------------------------------------------------------------ how-to answers


def card_download(user: User | None) -> Reply:
    lines = [
        _(
            "The family card and each member's card are PDFs with a signed QR code. Log in with your "
            "mobile number and open your family's page to download them (A4 or wallet size): %(url)s"
        )
        % {"url": site(reverse("registry:my_family"))},
        _("Anyone can check a card's QR code at %(url)s") % {"url": site(reverse("cards:verify"))},
        _("A printed card is posted to the family by the district office."),
    ]
    member = member_of(user)
    if member is not None:
        family_card = site(reverse("cards:family_pdf", args=[member.family.family_id]))
        lines.insert(1, _("Your family's card: %(url)s") % {"url": family_card})
    return Reply("\n".join(lines), "card_download", suggestions=[_("Complete my e-KYC")])


def ekyc_help(user: User | None) -> Reply:
    lines = [
        _(
            "e-KYC confirms a member's Aadhaar with UIDAI, only after the member's recorded consent. "
            "It is done at a Lok Mitra Kendra or by the panchayat secretary, with an OTP on the mobile "
            "linked to Aadhaar or a fingerprint."
        ),
        _(
            "Aadhaar is not compulsory: every scheme and service has a path for a resident without it, "
            "and the register keeps only the last 4 digits."
        ),
    ]
    member = member_of(user)
    if member is not None:
        statuses = [
            f"{m.name_in(language())}: {EkycStatus(m.ekyc_status).label}"
            for m in member.family.living_members()[:10]
        ]
        lines.append(_("e-KYC in your family:"))
        lines.append(bullets(statuses))
    return Reply("\n".join(lines), "ekyc_help")


FAMILY_CHANGES = {
    "birth": ("birth", "born", "baby", "child", "janm", "janam", "bacch", "जन्म", "बच्च", "नवजात"),
    "death": ("death", "died", "mrityu", "maut", "मृत्यु", "निधन"),
    "marriage_in": ("wife", "bahu", "patni", "married into", "बहू", "पत्नी"),
    "marriage_out": ("daughter got married", "beti ki shaadi", "बेटी की शादी"),
    "migration_out": ("moved", "shifted", "migrat", "state se bahar", "राज्य से बाहर", "बाहर चला"),
    "split": ("split", "separate", "alag", "अलग"),
    "merge": ("merge", "milana", "मिलाना"),
    "change_head": ("head of", "mukhiya", "मुखिया"),
}


def family_change(message: str, user: User | None) -> Reply:
    lowered = message.lower()
    kinds = [kind for kind, words in FAMILY_CHANGES.items() if any(word in lowered for word in words)]
    lines = [
        _(
            "Changes to the family register (a birth, a marriage, a death, moving out, splitting or "
            "merging families, a new head, a correction) are requests that an official of your area "
            "approves. Log in and open your family's page to make one: %(url)s"
        )
        % {"url": site(reverse("registry:my_family"))}
    ]
    if kinds:
        labels = [str(ChangeRequest.Kind(kind).label) for kind in kinds]
        lines.append(_("For this, choose: %(kinds)s.") % {"kinds": ", ".join(labels)})
    lines.append(
        _(
            "A change of mobile number or bank account is made on the same page after a fresh code "
            "sent to the number on the register."
        )
    )
    return Reply("\n".join(lines), "family_change")


# --------------------------------------------------- a verified person's own records


def _stage(application: Application, lang: str) -> str:
    for stage in application.service_version.stages:
        if stage["stage"] == application.stage:
            return str(stage["name_hi" if lang == "hi" else "name_en"])
    return ""


def application_line(application: Application) -> str:
    lang = language()
    name = application.service_version.text("name", lang)
    parts = [
        f"{application.display_number}: {name}, {application.member.name_in(lang)}, "
        f"{Status(application.status).label}"
    ]
    stage = _stage(application, lang)
    if application.status == Status.PENDING:
        if stage:
            parts.append(_("now at: %(stage)s") % {"stage": stage})
        if application.due_at:
            parts.append(_("due by %(date)s") % {"date": when(application.due_at)})
        if application.is_overdue():
            parts.append(_("past its time limit: you may file a first appeal"))
    elif application.decided_at:
        parts.append(_("decided on %(date)s") % {"date": when(application.decided_at)})
    if application.status == Status.APPROVED and Certificate.objects.filter(application=application).exists():
        parts.append(
            _("certificate: %(url)s")
            % {"url": site(reverse("applications:certificate", args=[application.number]))}
        )
    if application.status == Status.RETURNED:
        parts.append(
            _("returned to you: correct it at %(url)s")
            % {"url": site(reverse("applications:edit", args=[application.number]))}
        )
    return "; ".join(parts) + "."


def applications_answer(message: str, user: User) -> Reply:
    numbers = [identifiers.normalise(n) for n in APPLICATION_NUMBER.findall(message)]
    if numbers:
        lines = []
        for number in numbers[:3]:
            try:
                lines.append(application_line(get_application_for(user, number)))
            except Http404:
                lines.append(
                    _("No application %(number)s is visible to you.")
                    % {"number": identifiers.display(number)}
                )
        return Reply("\n".join(lines), "track_application")
    found: QuerySet[Application] = (
        applications_visible_to(user)
        .select_related("service_version", "member")
        .order_by("-created_at")[:LIST_LIMIT]
    )
    listed = list(found)
    if not listed:
        return Reply(
            _("I found no service applications of your family. Apply at %(url)s")
            % {"url": site(reverse("catalog:index"))},
            "track_application",
        )
    lines = [_("Your family's latest applications:"), bullets([application_line(a) for a in listed])]
    lines.append(_("All of them: %(url)s") % {"url": site(reverse("applications:list"))})
    return Reply("\n".join(lines), "track_application")


def complaint_line(complaint: Complaint) -> str:
    lang = language()
    parts = [
        f"{complaint.display_reference}: {complaint.category.path_in(lang)}, "
        f"{Complaint.Status(complaint.status).label}"
    ]
    if complaint.status == Complaint.Status.OPEN:
        parts.append(
            _("level %(level)d, due by %(date)s") % {"level": complaint.level, "date": when(complaint.due_at)}
        )
    elif complaint.status == Complaint.Status.RESOLVED:
        parts.append(
            _("answer by %(date)s whether it is solved: %(url)s")
            % {
                "date": when(complaint.confirm_by),
                "url": site(reverse("grievances:detail", args=[complaint.reference])),
            }
        )
    else:
        parts.append(_("closed on %(date)s") % {"date": when(complaint.closed_at)})
    return "; ".join(parts) + "."


def complaints_answer(message: str, user: User) -> Reply:
    references = [identifiers.normalise(r) for r in COMPLAINT_NUMBER.findall(message)]
    if references:
        lines = []
        for reference in references[:3]:
            try:
                lines.append(complaint_line(get_complaint_for(user, reference)))
            except Http404:
                lines.append(
                    _("No complaint %(reference)s is visible to you.")
                    % {"reference": identifiers.display(reference)}
                )
        return Reply("\n".join(lines), "track_complaint")
    listed = list(
        visible_complaints(user).select_related("category", "department").order_by("-created_at")[:LIST_LIMIT]
    )
    if not listed:
        return Reply(
            _("I found no complaints made with your number. Shall I register one?"),
            "track_complaint",
            suggestions=[_("Register a complaint")],
        )
    lines = [_("Your latest complaints:"), bullets([complaint_line(c) for c in listed])]
    lines.append(_("All of them: %(url)s") % {"url": site(reverse("grievances:mine"))})
    return Reply("\n".join(lines), "track_complaint")


RELATIONS = {
    "mother": ("mother", "maa", "mata", "mummy", "ammi", "माँ", "माता", "मां"),
    "father": ("father", "pita", "papa", "pitaji", "पिता", "पापा"),
    "spouse": ("wife", "husband", "patni", "pati", "पत्नी", "पति"),
    "son": ("son", "beta", "बेटा", "बेटे"),
    "daughter": ("daughter", "beti", "बेटी"),
}


def _family_members(user: User) -> list[Member]:
    family = Family.objects.visible_to(user).first()
    if family is None:
        return []
    return list(Member.objects.filter(family=family).select_related("family").order_by("date_of_birth"))


def _named_member(message: str, members: list[Member], me: Member | None) -> Member | None:
    """The family member the message is about: by name, or by relation to the person asking."""
    words = set(features.words(message))
    for member in members:
        given = member.given_key
        if given and given in words:
            return member
    lowered = message.lower()
    if me is not None:
        for relation, markers in RELATIONS.items():
            if any(re.search(rf"(?<!\w){re.escape(marker)}", lowered) for marker in markers):
                for member in members:
                    if member.pk != me.pk and _relation(member, me) == relation:
                        return member
    return None


def _relation(member: Member, me: Member) -> str:
    """What ``member`` is to ``me``: from the family links, or from the register's relation to the head."""
    found = member.relation_to(me)
    if found == Relation.OTHER and me.relation == Relation.HEAD:
        found = member.relation
    return found if found in RELATIONS else ""


def decisions_answer(message: str, user: User, chosen_member: str = "") -> Reply:
    """Why a family member's benefit was stopped or refused, or why they are not eligible for a scheme."""
    lang = language()
    members = _family_members(user)
    if not members:
        return Reply(
            _("I could not find a family in Him Parivar for this mobile number."), "explain_decision"
        )
    hits = scheme_hits(message)
    top = confident(hits)
    close = (
        [top]
        if top is not None
        else [h for h in hits[:2] if hits[0].score >= STRONG_SCORE and h.score >= 0.8 * hits[0].score]
    )
    schemes = {s.scheme_id: s for s in Scheme.objects.filter(scheme_id__in=[hit.key for hit in close])}
    candidates = [schemes[hit.key] for hit in close if hit.key in schemes]
    named = candidates[0] if len(candidates) == 1 else None
    me = member_of(user)
    member = next((m for m in members if m.member_id == chosen_member), None) or _named_member(
        message, members, me
    )
    cases = {m.pk: _cases(m) for m in members}
    if named is not None and any(_cases(m, named) for m in members):
        # The scheme named has a stopped or refused case: explain only those.
        cases = {m.pk: _cases(m, named) for m in members}
    with_cases = [m for m in members if cases.get(m.pk)]
    if member is None:
        if len(with_cases) == 1:
            member = with_cases[0]
        elif me is not None and (cases.get(me.pk) or (candidates and not with_cases)):
            member = me
    if member is None:
        if not with_cases:
            url = site(reverse("schemes:family", args=[members[0].family.family_id]))
            return Reply(
                _(
                    "No benefit of your family has been stopped or refused. Every member's eligibility "
                    "and its reasons: %(url)s"
                )
                % {"url": url},
                "explain_decision",
            )
        options = [{"label": m.name_in(lang), "value": m.member_id, "kind": "member"} for m in with_cases[:6]]
        return Reply(
            _("Whose decision should I explain?"),
            "explain_decision",
            suggestions=[option["label"] for option in options],
            options=options,
        )
    found = cases.get(member.pk) or []
    if found:
        return Reply("\n\n".join(found), "explain_decision")
    if candidates and member.is_living:
        lines = [
            line for scheme in candidates for line in [scheme.name_in(lang), *own_eligibility(member, scheme)]
        ]
        return Reply("\n".join(lines), "explain_decision", scheme_id=candidates[0].scheme_id)
    url = site(reverse("schemes:family", args=[member.family.family_id]))
    return Reply(
        _("%(name)s has no stopped or refused benefit. Eligibility and its reasons: %(url)s")
        % {"name": member.name_in(lang), "url": url},
        "explain_decision",
    )


def _cases(member: Member, scheme: Scheme | None = None) -> list[str]:
    """Each stopped, refused or reviewed benefit of a member (of one scheme, if given), explained."""
    lang = language()
    name = member.name_in(lang)
    found: list[str] = []
    enrolments = Enrolment.objects.filter(member=member).select_related("scheme").order_by("-filed_at")
    if scheme is not None:
        enrolments = enrolments.filter(scheme=scheme)
    for enrolment in enrolments:
        chosen = enrolment.scheme
        review = ReviewCase.objects.filter(enrolment=enrolment).order_by("-opened_at", "-id").first()
        if enrolment.status == Enrolment.Status.STOPPED and review is not None:
            lines = [
                _("%(name)s, %(scheme)s: stopped on %(date)s after a review.")
                % {"name": name, "scheme": chosen.name_in(lang), "date": when(review.decided_at)},
                _("Why it was reviewed: %(reason)s") % {"reason": eligibility.review_reason(review)},
            ]
            if review.note:
                lines.append(_("The officer's reason: %(note)s") % {"note": review.note})
        elif (
            enrolment.status == Enrolment.Status.SANCTIONED
            and review is not None
            and review.status == ReviewCase.Status.OPEN
        ):
            lines = [
                _(
                    "%(name)s, %(scheme)s: under review; the benefit continues and cannot be stopped "
                    "before %(date)s."
                )
                % {"name": name, "scheme": chosen.name_in(lang), "date": when(review.grace_until)},
                _("Why it is reviewed: %(reason)s") % {"reason": eligibility.review_reason(review)},
            ]
        elif enrolment.status == Enrolment.Status.REJECTED:
            step = enrolment.steps.filter(to_status=Enrolment.Status.REJECTED).order_by("-at").first()
            lines = [
                _("%(name)s, %(scheme)s: the application was rejected on %(date)s.")
                % {"name": name, "scheme": chosen.name_in(lang), "date": when(enrolment.decided_at)},
            ]
            if step is not None and step.note:
                lines.append(_("The officer's reason: %(note)s") % {"note": step.note})
        else:
            continue
        decision = EligibilityDecision.objects.filter(member=member, scheme=chosen).first()
        if decision is not None and not decision.eligible:
            lines.extend(decision_lines(decision))
        lines.append(
            _("The full explanation, and how to dispute a wrong value: %(url)s")
            % {"url": site(reverse("schemes:explanation", args=[member.member_id, chosen.scheme_id]))}
        )
        found.append("\n".join(lines))
    return found

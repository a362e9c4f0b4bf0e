"""Running the quality rules, the family's answers, and the scores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.quality.models import Finding, FindingAnswer
from himaccess.quality.rules import RULES
from himaccess.registry.models import Family

# Days the official of the area has to settle a finding.
DAYS_TO_SETTLE = 30
# A family loses this many points of 100 per open finding.
POINTS_PER_FINDING = 20


@transaction.atomic
def run_rules(*, today: date | None = None) -> dict[str, int]:
    """Open a finding for every new hit; resolve open findings no rule finds any more."""
    today = today or timezone.localdate()
    open_now = {(f.rule, f.family_id, f.subject): f.pk for f in Finding.objects.open()}
    seen: set[tuple[str, int, str]] = set()
    districts = dict(Family.objects.values_list("pk", "district_id"))
    created: dict[str, int] = defaultdict(int)
    new: list[Finding] = []
    for rule, find in RULES.items():
        for hit in find(today):
            key = (str(rule), hit.family, hit.subject)
            if key in seen:
                continue
            seen.add(key)
            if key in open_now:
                continue
            new.append(
                Finding(
                    rule=rule, family_id=hit.family, member_id=hit.member, subject=hit.subject,
                    detail=hit.detail[:200], district_id=districts[hit.family],
                    deadline=today + timedelta(days=DAYS_TO_SETTLE),
                )
            )  # fmt: skip
            created[str(rule)] += 1
    Finding.objects.bulk_create(new, batch_size=5000)
    gone = [pk for key, pk in open_now.items() if key not in seen]
    Finding.objects.filter(pk__in=gone).update(status=Finding.Status.RESOLVED, resolved_at=timezone.now())
    audit.record(None, "quality.rules_run", None, after={"opened": len(new), "resolved": len(gone)})
    return {**created, "opened": len(new), "resolved": len(gone)}


@transaction.atomic
def answer_finding(finding: Finding, *, text: str, acting_user: User) -> FindingAnswer:
    answer = FindingAnswer.objects.create(finding=finding, text=text, actor=acting_user)
    audit.record(acting_user, "quality.finding_answered", finding)
    return answer


def family_score(open_findings: int) -> int:
    return max(0, 100 - POINTS_PER_FINDING * open_findings)


@dataclass(frozen=True)
class AreaScore:
    key: int
    name: str
    families: int
    with_findings: int
    score: float  # the mean of the families' scores


def area_scores(families: Family.objects.__class__, by: str) -> list[AreaScore]:  # type: ignore[name-defined]
    """Mean family score per district (``by="district"``) or panchayat, over ``families``."""
    from django.db.models import Count, Q

    per_family = families.annotate(
        n=Count("quality_findings", filter=Q(quality_findings__status=Finding.Status.OPEN))
    ).values_list(f"{by}_id", f"{by}__name_en", "n")
    totals: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for key, name, n in per_family.iterator():
        if key is None:
            continue
        names[key] = name
        totals.setdefault(key, []).append(n)
    return [
        AreaScore(
            key=key,
            name=names[key],
            families=len(counts),
            with_findings=sum(1 for n in counts if n),
            score=sum(family_score(n) for n in counts) / len(counts),
        )
        for key, counts in sorted(totals.items(), key=lambda item: names[item[0]])
    ]

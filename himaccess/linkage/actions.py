"""Finding duplicate persons in the register and deciding on them.

- ``run_over_register``: the batch run. Exports the living members to DuckDB,
  trains the model on them (EM, no labels), predicts pairs and queues those at
  or above the threshold that were never decided.
- ``possible_existing``: "does this person already exist?" for one person
  being added; an indexed look-up of candidates in the register scored with
  the latest model, well under a second. ``queue_on_entry`` runs it when a
  birth or marriage is filed, after commit, so filing never waits or fails.
- ``decide_pair``: an official of both families' jurisdiction decides. Same
  person: a merge of the two families is filed as a change request of the
  register. Different people: the row stays, so the pair is never proposed
  again. Decisions recalibrate the threshold (``recalibrated_threshold``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import date
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from himaccess.accounts.models import REGISTER_APPROVERS, User
from himaccess.audit import log as audit
from himaccess.lib import identifiers
from himaccess.lib.errors import NotFoundForYou
from himaccess.linkage import model as linkage_model
from himaccess.linkage.models import CandidatePair, PairDecision, TrainedModel
from himaccess.linkage.records import LinkageRecord, make_record
from himaccess.registry.change_requests import filing as registry_filing
from himaccess.registry.models import ChangeRequest, IdCounter, Member

# At 0.7 on the synthetic state (1174): precision 0.98 at 785,000 and at 7.6 million members.
DEFAULT_THRESHOLD = 0.7
# How many candidates the one-person check scores at most.
CHECK_CANDIDATES = 200


def member_record(member: Member) -> LinkageRecord:
    """The member as linkage sees them, with the father and the spouse the register links."""
    father, spouse = member.father, member.spouse
    return make_record(
        member.member_id,
        name=member.name_en or member.name_hi,
        father_name=(father.name_en or father.name_hi) if father is not None else "",
        spouse_name=(spouse.name_en or spouse.name_hi) if spouse is not None else "",
        father_ref=father.member_id if father is not None else None,
        spouse_ref=spouse.member_id if spouse is not None else None,
        gender=member.gender,
        born=member.date_of_birth,
        district=member.family.district_id,
        village=str(member.family.village_id or member.family.urban_body_id or "") or None,
        mobile=member.mobile,
    )


def register_records(members: Iterable[Member]) -> Iterator[LinkageRecord]:
    for member in members:
        yield member_record(member)


def _living() -> Any:
    return Member.objects.living().select_related("family", "father", "spouse").order_by("pk")


def latest_model() -> TrainedModel | None:
    """The newest trained model whose comparisons are this code's (an older one cannot be scored)."""
    for trained in TrainedModel.objects.order_by("-trained_at", "-id")[:20]:
        if linkage_model.fits(trained.model):
            return trained
    return None


def _reference() -> str:
    return identifiers.make_id("D", IdCounter.reserve("D"), settings.REGISTER_ID_KEY)


def _store_pair(
    member_id_a: str, member_id_b: str, probability: float, evidence: list[dict[str, Any]], **extra: Any
) -> CandidatePair | None:
    a, b = Member.objects.filter(member_id__in=[member_id_a, member_id_b]).order_by("pk")[:2]
    if CandidatePair.objects.filter(member_l=a, member_r=b).exists():
        return None  # already queued, or decided: never proposed again
    try:
        with transaction.atomic():
            return CandidatePair.objects.create(
                reference=_reference(),
                member_l=a,
                member_r=b,
                match_probability=probability,
                evidence=evidence,
                **extra,
            )
    except IntegrityError:  # queued at the same moment by another run
        return None


def run_over_register(*, threshold: float | None = None, progress: Any = print) -> dict[str, float]:
    """The batch run: train on the register, predict, queue new pairs. Returns figures.

    Members stream into DuckDB a chunk at a time, and the pairs' records are read back
    from it for their evidence: a state's records are never all held in Python.
    """
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        count = linkage_model.create_table(
            con, "register", register_records(_living().iterator(chunk_size=5000))
        )
        progress(f"{count} living members exported in {time.perf_counter() - started:.1f} s")
        if count < 2:
            return {"records": count, "pairs": 0, "queued": 0}
        model = linkage_model.train(con, "register")
        in_force = latest_model()
        cut = threshold if threshold is not None else (in_force.threshold if in_force else DEFAULT_THRESHOLD)
        trained = TrainedModel.objects.create(records=count, model=model, threshold=cut)
        progress(f"trained in {time.perf_counter() - started:.1f} s")
        _, table = linkage_model.predict(con, "register", model, threshold=cut)
        pairs = con.execute(
            f"SELECT unique_id_l, unique_id_r, match_probability FROM {table}"  # noqa: S608 - Splink's table
        ).fetchall()
        by_id = linkage_model.records_of(con, "register", {i for pair in pairs for i in pair[:2]})
    finally:
        con.close()
    queued = 0
    for left, right, probability in pairs:
        score = linkage_model.score_pairs(by_id[left], [by_id[right]], trained.model)[0]
        evidence = [asdict(e) for e in score.evidence]
        if _store_pair(left, right, float(probability), evidence, origin=CandidatePair.Origin.BATCH):
            queued += 1
    progress(
        f"{len(pairs)} pairs at p >= {cut}, {queued} newly queued, {time.perf_counter() - started:.1f} s"
    )
    return {"records": count, "pairs": len(pairs), "queued": queued}


def _candidates(record: LinkageRecord, exclude: Iterable[str]) -> list[Member]:
    """Members who share a blocking key with ``record`` (``model.BLOCKING_RULES``).

    Each branch is an indexed look-up; the year range stands for the rules on the date's
    parts (a year off by one, a swapped or year-only date), a little wider than they are.
    """
    given, surname, initial = record.given_key or "", record.surname_key or "", record.given_initial or ""
    born = date.fromisoformat(record.dob) if record.dob else None
    district = Q(family__district_id=record.district) if record.district is not None else Q()
    query = Q(pk__in=[])
    if record.dob_year is not None and given and surname:
        near = (date(record.dob_year - 1, 1, 1), date(record.dob_year + 1, 12, 31))
        query |= district & Q(given_key=given, surname_key=surname, date_of_birth__range=near)
    if born is not None:
        if surname and initial:
            query |= district & Q(date_of_birth=born, surname_key=surname, given_key__startswith=initial)
        if given:
            query |= district & Q(date_of_birth=born, given_key=given)
    if record.mobile and given:
        query |= Q(mobile=record.mobile, given_key=given)
    if record.father_ref and initial:
        query |= Q(father__member_id=record.father_ref, given_key__startswith=initial)
    return list(
        Member.objects.living()
        .select_related("family", "father", "spouse")
        .filter(query)
        .exclude(member_id__in=list(exclude))[:CHECK_CANDIDATES]
    )


def possible_existing(
    record: LinkageRecord, *, exclude: Iterable[str] = (), threshold: float | None = None
) -> list[tuple[Member, linkage_model.Score]]:
    """Living members who may be the person of ``record``, most likely first."""
    trained = latest_model()
    if trained is None:
        return []
    cut = trained.threshold if threshold is None else threshold
    candidates = _candidates(record, exclude)
    records = list(register_records(candidates))
    by_id = {m.member_id: m for m in candidates}
    scores = linkage_model.score_pairs(record, records, trained.model)
    found = [(by_id[s.unique_id_r], s) for s in scores if s.match_probability >= cut]
    return sorted(found, key=lambda item: -item[1].match_probability)


def queue_on_entry(member: Member, *, change_request: ChangeRequest | None = None) -> list[CandidatePair]:
    """Queue the possible existing persons of a member just added, for the official to see."""
    record = member_record(member)
    queued = []
    for other, score in possible_existing(record, exclude=[member.member_id]):
        pair = _store_pair(
            member.member_id,
            other.member_id,
            score.match_probability,
            [asdict(e) for e in score.evidence],
            origin=CandidatePair.Origin.ON_ENTRY,
            change_request=change_request,
        )
        if pair is not None:
            queued.append(pair)
    return queued


# --- Decisions --------------------------------------------------------------------------


def can_decide(user: User, pair: CandidatePair) -> bool:
    posting = user.active_posting
    return (
        posting is not None
        and posting.role in REGISTER_APPROVERS
        and CandidatePair.objects.visible_to(user).filter(pk=pair.pk).exists()
    )


@transaction.atomic
def decide_pair(pair: CandidatePair, *, same: bool, acting_user: User, note: str = "") -> PairDecision:
    """Record an official's decision; for the same person, file the merge of the two families."""
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    if not can_decide(acting_user, pair):
        raise NotFoundForYou
    if pair.status != CandidatePair.Status.OPEN:
        raise ValidationError(_("This pair has already been decided."), code="decided")
    request = None
    if same:
        left, right = pair.member_l.family, pair.member_r.family
        if left.pk == right.pk:
            raise ValidationError(
                _("Both records are in one family: file a correction for that family instead."),
                code="same_family",
            )
        request = registry_filing.file_change_request(
            left, ChangeRequest.Kind.MERGE, {"other_family_id": right.family_id}, requested_by=acting_user
        )
    kind = PairDecision.Kind.SAME if same else PairDecision.Kind.DIFFERENT
    decision = PairDecision.objects.create(
        pair=pair,
        kind=kind,
        match_probability=pair.match_probability,
        change_request=request,
        note=note,
        actor=acting_user,
    )
    pair.status = CandidatePair.Status.SAME if same else CandidatePair.Status.DIFFERENT
    pair.save(update_fields=["status"])
    audit.record(
        acting_user,
        "linkage.pair_decided",
        pair,
        after={"decision": kind, "change_request": request.reference if request else ""},
    )
    return decision


def recalibrated_threshold(*, minimum_decisions: int = 20, target_precision: float = 0.98) -> float | None:
    """The lowest score at which the officials' decisions so far reach the target precision.

    Decisions are sorted by the score the official saw; the threshold is the
    lowest score such that, of the decided pairs at or above it, at least
    ``target_precision`` were the same person. None until enough decisions.
    """
    decided = list(PairDecision.objects.values_list("match_probability", "kind"))
    if len(decided) < minimum_decisions:
        return None
    decided.sort(reverse=True)
    best: float | None = None
    same = 0
    for count, (probability, kind) in enumerate(decided, start=1):
        same += kind == PairDecision.Kind.SAME
        if same / count >= target_precision:
            best = probability
    return best


@transaction.atomic
def apply_recalibration(*, acting_user: User | None) -> float | None:
    trained = latest_model()
    threshold = recalibrated_threshold()
    if trained is None or threshold is None:
        return None
    before = trained.threshold
    trained.threshold = threshold
    trained.save(update_fields=["threshold"])
    audit.record(
        acting_user,
        "linkage.threshold_recalibrated",
        trained,
        before={"threshold": before},
        after={"threshold": threshold},
    )
    return threshold

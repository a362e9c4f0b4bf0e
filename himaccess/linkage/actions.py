"""Finding duplicate persons in the register and deciding on them.

- ``run_over_register``: the batch run. Exports the living members to DuckDB,
  trains the model on them (EM, no labels), checks it on a lookalike list
  against the model in force (``acceptance``), predicts pairs with the new model
  if it passed and with the model in force if not, and queues those at or above
  the threshold that were never decided.
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
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import REGISTER_APPROVERS, User
from himaccess.audit import log as audit
from himaccess.lib import identifiers
from himaccess.lib.errors import NotFoundForYou
from himaccess.linkage import acceptance
from himaccess.linkage import model as linkage_model
from himaccess.linkage.models import CandidatePair, PairDecision, TrainedModel
from himaccess.linkage.records import LinkageRecord, make_record
from himaccess.registry.change_requests import filing as registry_filing
from himaccess.registry.models import ChangeRequest, IdCounter, Member

# At 0.7 on the synthetic state (1174): precision 0.98 at 785,000 and at 7.6 million members.
DEFAULT_THRESHOLD = 0.7
# How many candidates the one-person check scores at most.
CHECK_CANDIDATES = 200


def _record(
    member_id: str,
    name_en: str,
    name_hi: str,
    father: tuple[str | None, str | None, str | None],
    spouse: tuple[str | None, str | None, str | None],
    gender: str,
    born: date,
    district: int | None,
    village: int | None,
    urban_body: int | None,
    mobile: str,
) -> LinkageRecord:
    """One record from the register's columns; a relative is (member ID, English name, Hindi name)."""
    father_ref, father_en, father_hi = father
    spouse_ref, spouse_en, spouse_hi = spouse
    return make_record(
        member_id,
        name=name_en or name_hi,
        father_name=(father_en or father_hi or "") if father_ref is not None else "",
        spouse_name=(spouse_en or spouse_hi or "") if spouse_ref is not None else "",
        father_ref=father_ref,
        spouse_ref=spouse_ref,
        gender=gender,
        born=born,
        district=district,
        village=str(village or urban_body or "") or None,
        mobile=mobile,
    )


def member_record(member: Member) -> LinkageRecord:
    """The member as linkage sees them, with the father and the spouse the register links."""
    father, spouse = member.father, member.spouse
    return _record(
        member.member_id,
        member.name_en,
        member.name_hi,
        (father.member_id, father.name_en, father.name_hi) if father is not None else (None, None, None),
        (spouse.member_id, spouse.name_en, spouse.name_hi) if spouse is not None else (None, None, None),
        member.gender,
        member.date_of_birth,
        member.family.district_id,
        member.family.village_id,
        member.family.urban_body_id,
        member.mobile,
    )


def register_records(members: Iterable[Member]) -> Iterator[LinkageRecord]:
    for member in members:
        yield member_record(member)


# The columns ``_record`` reads, in its order: one row per living member, no model objects.
_EXPORTED = (
    "member_id", "name_en", "name_hi", "father__member_id", "father__name_en", "father__name_hi",
    "spouse__member_id", "spouse__name_en", "spouse__name_hi", "gender", "date_of_birth",
    "family__district_id", "family__village_id", "family__urban_body_id", "mobile",
)  # fmt: skip
EXPORT_CHUNK = 20_000


def living_records(*, chunk: int = EXPORT_CHUNK) -> Iterator[LinkageRecord]:
    """Every living member's record, in primary-key order, as ``member_record`` makes it.

    Reads the columns as plain rows a key range at a time (an index range scan each, so no
    transaction or server-side cursor is held for the whole export): building Django
    model objects for the member, the family, the father and the spouse was most of the time
    of the serial export.
    """
    living = Member.objects.living().order_by("pk")
    after = 0
    while True:
        rows = list(living.filter(pk__gt=after).values_list("pk", *_EXPORTED)[:chunk])
        if not rows:
            return
        for row in rows:
            yield _record(row[1], row[2], row[3], row[4:7], row[7:10], *row[10:])
        after = rows[-1][0]


def latest_model() -> TrainedModel | None:
    """The newest accepted trained model whose comparisons are this code's (an older one cannot be scored).

    A model refused by the check on the lookalike list (``acceptance``) is never returned.
    """
    for trained in TrainedModel.objects.filter(accepted=True).order_by("-trained_at", "-id")[:20]:
        if linkage_model.fits(trained.model):
            return trained
    return None


@dataclass(frozen=True)
class InForce:
    """The model in force: the latest accepted trained model, else the one shipped with the code."""

    model: dict[str, Any]
    threshold: float
    trained: TrainedModel | None  # None: the shipped model

    def describe(self) -> str:
        if self.trained is None:
            return _(
                "the model shipped with the software (no model trained on this register has been accepted)"
            )
        return _("the model trained on %(date)s on %(records)d members (no. %(id)d)") % {
            "date": timezone.localtime(self.trained.trained_at).date().isoformat(),
            "records": self.trained.records,
            "id": self.trained.pk,
        }


def model_in_force() -> InForce:
    trained = latest_model()
    if trained is not None:
        return InForce(dict(trained.model), trained.threshold, trained)
    return InForce(linkage_model.shipped(), DEFAULT_THRESHOLD, None)


def _verdict_lines(verdict: acceptance.Verdict, in_force: InForce) -> list[str]:
    """What the check found, for the officer who runs the batch."""
    new, old = verdict.new, verdict.in_force
    lines = [
        _(
            "Check of the new model on a test list of %(people)d people with %(planted)d people entered"
            " twice, twins and namesakes (%(seconds).1f s): precision %(precision).3f, recall %(recall).3f;"
            " the model in force, %(in_force)s: recall %(in_force_recall).3f."
        )
        % {
            "people": len(acceptance.check_list().records),
            "planted": new.planted,
            "seconds": new.seconds + old.seconds,
            "precision": new.precision,
            "recall": new.recall,
            "in_force": in_force.describe(),
            "in_force_recall": old.recall,
        }
    ]
    if verdict.accepted:
        lines.append(_("New model accepted: it is now in force and this run uses it."))
        return lines
    reasons = []
    if not verdict.precision_ok:
        reasons.append(
            _("its precision %(value).3f is below the required %(minimum).2f")
            % {"value": new.precision, "minimum": acceptance.MIN_PRECISION}
        )
    if not verdict.recall_ok:
        reasons.append(
            _("its recall %(value).3f is below the required %(minimum).2f")
            % {"value": new.recall, "minimum": acceptance.MIN_RECALL}
        )
    if not verdict.not_worse:
        reasons.append(
            _(
                "its recall %(value).3f is more than %(tolerance).2f below that of the model in force"
                " (%(in_force).3f)"
            )
            % {"value": new.recall, "tolerance": acceptance.RECALL_TOLERANCE, "in_force": old.recall}
        )
    lines.append(
        _(
            "New model REFUSED: %(reasons)s. It is kept for the record but not used;"
            " this run finds duplicates with %(in_force)s."
        )
        % {"reasons": "; ".join(reasons), "in_force": in_force.describe()}
    )
    return lines


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


def _queue_batch(scores: list[linkage_model.Score], probabilities: dict[tuple[str, str], float]) -> int:
    """Queue the batch run's pairs never queued or decided; returns how many were new.

    One query for the members, one for the pairs already known and one block of
    references for a chunk of pairs, instead of four statements a pair: a state's run
    queues tens of thousands of pairs.
    """
    ids = {member_id for score in scores for member_id in (score.unique_id_l, score.unique_id_r)}
    pk_of = dict(Member.objects.filter(member_id__in=ids).values_list("member_id", "pk"))
    wanted: dict[tuple[int, int], linkage_model.Score] = {}
    for score in scores:
        left, right = pk_of.get(score.unique_id_l), pk_of.get(score.unique_id_r)
        if left is None or right is None:  # gone from the register since the export
            continue
        wanted.setdefault((min(left, right), max(left, right)), score)
    lefts = {left for left, _ in wanted}
    known = set(CandidatePair.objects.filter(member_l_id__in=lefts).values_list("member_l_id", "member_r_id"))
    new = [(key, score) for key, score in wanted.items() if key not in known]
    if not new:
        return 0
    first = IdCounter.reserve("D", len(new))
    rows = [
        CandidatePair(
            reference=identifiers.make_id("D", first + offset, settings.REGISTER_ID_KEY),
            member_l_id=left,
            member_r_id=right,
            match_probability=probabilities[(score.unique_id_l, score.unique_id_r)],
            evidence=[asdict(e) for e in score.evidence],
            origin=CandidatePair.Origin.BATCH,
        )
        for offset, ((left, right), score) in enumerate(new)
    ]
    # A pair queued at the same moment by a check on entry stays as it was.
    CandidatePair.objects.bulk_create(rows, ignore_conflicts=True)
    return CandidatePair.objects.filter(reference__in=[row.reference for row in rows]).count()


def run_over_register(*, threshold: float | None = None, progress: Any = print) -> dict[str, Any]:
    """The batch run: train on the register, check the model, predict, queue new pairs. Returns figures.

    1. Export the living members to DuckDB, a chunk at a time.
    2. Train a model on them (EM, no labels).
    3. Score the new model and the model in force on the lookalike list (``acceptance``);
       store the new model with the check's figures, accepted or refused.
    4. Predict with the new model if it was accepted, else with the model in force, at
       ``threshold`` (default: the threshold of the model in force), and queue the pairs
       never queued or decided. The pairs' evidence is computed in DuckDB from the records
       there: a state's records are never all held in Python.

    The figures say which model was used (``model_used``: "new", "in_force" or "shipped").
    """
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[f"{name}_s"] = round(now - since, 1)
        return now

    con = duckdb.connect()
    try:
        count = linkage_model.create_table(con, "register", living_records())
        mark = phase("export", started)
        progress(f"{count} living members exported in {phases['export_s']:.1f} s")
        if count < 2:
            return {"records": count, "pairs": 0, "queued": 0}
        model = linkage_model.train(con, "register")
        mark = phase("train", mark)
        progress(f"trained in {phases['train_s']:.1f} s")
        in_force = model_in_force()
        cut = threshold if threshold is not None else in_force.threshold
        verdict = acceptance.judge(
            model, threshold=cut, in_force_model=in_force.model, in_force_threshold=in_force.threshold
        )
        trained = TrainedModel.objects.create(
            records=count,
            model=model,
            threshold=cut,
            accepted=verdict.accepted,
            check_precision=verdict.new.precision,
            check_recall=verdict.new.recall,
            check_recall_in_force=verdict.in_force.recall,
        )
        mark = phase("check", mark)
        for line in _verdict_lines(verdict, in_force):
            progress(line)
        model_used_id: int | None
        if verdict.accepted:
            used, model_used, model_used_id = trained.model, "new", trained.pk
        else:
            used = in_force.model
            model_used = "in_force" if in_force.trained is not None else "shipped"
            model_used_id = in_force.trained.pk if in_force.trained is not None else None
        check = {
            "model_id": trained.pk,
            "model_accepted": verdict.accepted,
            "model_used": model_used,
            "model_used_id": model_used_id,
            "check_precision": round(verdict.new.precision, 4),
            "check_recall": round(verdict.new.recall, 4),
            "check_recall_in_force": round(verdict.in_force.recall, 4),
        }
        _, table = linkage_model.predict(con, "register", used, threshold=cut)
        # Splink's table name, not input.
        found = con.execute(f"SELECT unique_id_l, unique_id_r, match_probability FROM {table}").fetchall()  # noqa: S608
        probabilities = {(left, right): float(p) for left, right, p in found}
        mark = phase("predict", mark)
        progress(f"{len(found)} pairs at p >= {cut} predicted in {phases['predict_s']:.1f} s")
        queued = 0
        for scores in linkage_model.score_table_pairs(con, "register", table, used):
            with transaction.atomic():
                queued += _queue_batch(scores, probabilities)
        phase("queue", mark)
    finally:
        con.close()
    progress(
        f"{len(found)} pairs at p >= {cut}, {queued} newly queued in {phases['queue_s']:.1f} s;"
        f" {time.perf_counter() - started:.1f} s in all"
    )
    return {"records": count, "pairs": len(found), "queued": queued, **check, **phases}


def _candidates(record: LinkageRecord, exclude: Iterable[str]) -> list[Member]:
    """Members who share a blocking key with ``record`` (``model.BLOCKING_RULES``).

    Each branch is an indexed look-up; the year range stands for the rules on the date's
    parts (a year off by one, a swapped or year-only date), a little wider than they are.
    Every branch reads only the member's own columns (the father by his primary key, found
    first), so PostgreSQL answers the OR as one bitmap of index scans and checks the
    district on the few rows it finds; a branch through a join to the father's row made it
    read the whole register (seconds at a state's 7.6 million members).
    """
    given, surname, initial = record.given_key or "", record.surname_key or "", record.given_initial or ""
    born = date.fromisoformat(record.dob) if record.dob else None
    near = Q(pk__in=[])  # rules tied to the district
    if record.dob_year is not None and given and surname:
        years = (date(record.dob_year - 1, 1, 1), date(record.dob_year + 1, 12, 31))
        near |= Q(given_key=given, surname_key=surname, date_of_birth__range=years)
    if born is not None:
        if surname and initial:
            near |= Q(date_of_birth=born, surname_key=surname, given_key__startswith=initial)
        if given:
            near |= Q(date_of_birth=born, given_key=given)
    anywhere = Q(pk__in=[])  # rules on identifiers, anywhere in the state
    if record.mobile and given:
        anywhere |= Q(mobile=record.mobile, given_key=given)
    if record.father_ref and initial:
        father = Member.objects.filter(member_id=record.father_ref).values_list("pk", flat=True).first()
        if father is not None:
            anywhere |= Q(father_id=father, given_key__startswith=initial)
    if record.district is not None:
        near &= Q(family__district_id=record.district)
    return list(
        Member.objects.living()
        .select_related("family", "father", "spouse")
        .filter(near | anywhere)
        .exclude(member_id__in=list(exclude))[:CHECK_CANDIDATES]
    )


def possible_existing(
    record: LinkageRecord, *, exclude: Iterable[str] = (), threshold: float | None = None
) -> list[tuple[Member, linkage_model.Score]]:
    """Living members who may be the person of ``record``, most likely first.

    Scored with the model in force: the latest accepted trained model, or on a register no
    batch run has trained on yet (a new install) the model shipped with the software.
    """
    in_force = model_in_force()
    cut = in_force.threshold if threshold is None else threshold
    candidates = _candidates(record, exclude)
    records = list(register_records(candidates))
    by_id = {m.member_id: m for m in candidates}
    scores = linkage_model.score_pairs(record, records, in_force.model)
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

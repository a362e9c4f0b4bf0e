"""Finding members and families by name (either script, spelling variants, typos), ID or mobile.

A trigram similarity scan over a whole state's register is too slow (about
1.2 s at the 95th percentile over 7.5 million names), so a name search never
scans: it gathers candidates by btree lookups on the phonetic keys
(``lib.phonetics``) kept on every member, then ranks the few hundred
candidates in Python by how closely their names match what was typed.

Candidates, in order, each stage capped at ``CANDIDATES`` rows:

1. given and surname key equal to the query's (in either order);
2. one key equal and the other a *near* key: a key of the register within
   edit distance 2 of the typed one, found in an in-memory vocabulary of the
   register's distinct keys (refreshed every ``VOCABULARY_TTL`` seconds);
3. when that found fewer than ``limit`` members: one key equal and the other
   sharing its first three letters; for a one-word query, the key as a
   prefix (a name still being typed);
4. when nothing at all was found: either key alone.

Keys hold only the letters a-z, so a prefix is searched as a plain range
(``key >= "sur" AND key < "sus"``): any collation orders such strings the
same way, and the key indexes serve it on PostgreSQL and SQLite alike.

Officials search within their posting's area (a tehsil, a district). There the
namesakes of the whole state must be sifted for the few in the area: a common
name has thousands. The key indexes carry each member's family and primary
key, and every area an index of its family ids, so on PostgreSQL the sifting
reads indexes only and just the members kept are read from the table
(``_candidates``).
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz.distance import OSA, Indel

from himaccess.geography.models import District
from himaccess.lib import identifiers, phonetics, transliteration
from himaccess.lib.mobile import read_mobile
from himaccess.registry.models import Family, FamilyQuerySet, Member, MemberQuerySet

MAX_QUERY_LENGTH = 100
MAX_LIMIT = 100
CANDIDATES = 200
VOCABULARY_TTL = 600.0
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_ID_SHAPE = re.compile(r"^[FM]\d{11}$")


@dataclass(frozen=True)
class MemberMatch:
    member: Member
    score: float  # 0 (unrelated) to 1 (same spelling)
    matched_by: str  # "keys", "near keys", "prefix", "id", "mobile"


@dataclass
class FamilyMatch:
    family: Family
    score: float
    matched_by: str
    members: list[Member] = field(default_factory=list)  # the members whose name or mobile matched


def _clean(query: str) -> str:
    text = " ".join((query or "").split())
    if not text:
        raise ValueError(_("Type a name, a Family ID, a Member ID or a mobile number to search for."))
    if len(text) > MAX_QUERY_LENGTH:
        raise ValueError(
            _("A search has at most %(max)d characters; this one has %(count)d.")
            % {"max": MAX_QUERY_LENGTH, "count": len(text)}
        )
    return text


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(_("Ask for between 1 and %(max)d results.") % {"max": MAX_LIMIT})


# --- Vocabulary of keys, for typo tolerance --------------------------------


class _Vocabulary:
    """The register's distinct keys of one column, with a deletion index.

    Every key and every key with one letter deleted points back to the key;
    two words within edit distance 2 of each other always share an entry
    (deleting at most one letter from each), the symmetric-delete method.
    """

    def __init__(self, keys: list[str]) -> None:
        self.size = len(keys)
        self.index: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            for variant in _deletions(key):
                self.index[variant].add(key)

    def near(self, key: str, *, count: int = 8) -> list[str]:
        found: set[str] = set()
        for variant in _deletions(key):
            found |= self.index.get(variant, set())
        found.discard(key)
        budget = 1 if len(key) <= 4 else 2
        # Optimal string alignment (Levenshtein with transpositions of neighbours): a swap of two
        # letters is one typo. Past the cutoff rapidfuzz stops early and answers budget + 1.
        scored = sorted((d, k) for k in found if (d := OSA.distance(key, k, score_cutoff=budget)) <= budget)
        return [k for _, k in scored[:count]]


def _deletions(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


_vocabularies: dict[tuple[str, str], tuple[float, _Vocabulary]] = {}
_vocabulary_lock = threading.Lock()


def _distinct_keys(column: str) -> list[str]:
    # A loose index scan: one index probe per distinct key instead of reading
    # every row (PostgreSQL 15 has no skip scan). Both key columns lead an index.
    table = connection.ops.quote_name(Member._meta.db_table)
    col = connection.ops.quote_name(column)
    sql = (
        f"WITH RECURSIVE t(k) AS ("  # noqa: S608 - identifiers from the model, no input
        f" SELECT MIN({col}) FROM {table} WHERE {col} > ''"
        f" UNION ALL"
        f" SELECT (SELECT MIN({col}) FROM {table} WHERE {col} > t.k) FROM t WHERE t.k IS NOT NULL"
        f") SELECT k FROM t WHERE k IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def _vocabulary(column: str) -> _Vocabulary:
    cache_key = (connection.alias, column)
    now = time.monotonic()
    cached = _vocabularies.get(cache_key)
    if cached is not None and now - cached[0] < VOCABULARY_TTL:
        return cached[1]
    with _vocabulary_lock:
        cached = _vocabularies.get(cache_key)
        if cached is not None and now - cached[0] < VOCABULARY_TTL:
            return cached[1]
        vocabulary = _Vocabulary(_distinct_keys(column))
        _vocabularies[cache_key] = (time.monotonic(), vocabulary)
        return vocabulary


def forget_vocabulary() -> None:
    """Drop the cached key vocabularies (after a bulk load, and between tests)."""
    _vocabularies.clear()


# --- Member search -----------------------------------------------------------


def _prefix_range(column: str, prefix: str) -> Q:
    """``column`` starts with ``prefix`` (letters a-z), as a range the btree serves."""
    stem = prefix.rstrip("z")
    if not stem:
        return Q(**{f"{column}__gte": prefix})
    upper = stem[:-1] + chr(ord(stem[-1]) + 1)
    return Q(**{f"{column}__gte": prefix, f"{column}__lt": upper})


@dataclass
class _Query:
    text: str
    latin: str
    keys: list[str]

    @property
    def given(self) -> str:
        return self.keys[0]

    @property
    def surname(self) -> str:
        return self.keys[-1] if len(self.keys) > 1 else ""


def _parse(query: str) -> _Query:
    text = _clean(query)
    latin = transliteration.to_latin(text) if _DEVANAGARI.search(text) else text
    words = phonetics.tokens(latin)
    if not words:
        raise ValueError(_("Type at least one letter of a name to search for."))
    return _Query(text=text, latin=" ".join(words).lower(), keys=[phonetics.latin_key(w) for w in words])


def _stages(q: _Query) -> list[tuple[str, list[Q], bool]]:
    """(label, lookups, whether it always runs) in the order they are tried.

    A stage's candidates are those any of its lookups finds. Each lookup is one
    condition a single key index answers (an equality, an IN list or a range
    on its leading columns), never an OR: PostgreSQL answers an OR by a bitmap
    over the table, reading every candidate's row, where one lookup at a time
    reads only the index (see ``_candidates``).
    """
    given, surname = q.given, q.surname
    stages: list[tuple[str, list[Q], bool]] = []
    if surname:
        # The keys swapped first: that lookup rarely finds anyone, so the other gets the room.
        exact = [Q(surname_key=given, given_key=surname), Q(surname_key=surname, given_key=given)]
        stages.append(("keys", exact, True))
        near_given = _vocabulary("given_key").near(given)
        near_surname = _vocabulary("surname_key").near(surname)
        near = []
        if near_given:
            near.append(Q(surname_key=surname, given_key__in=near_given))
        if near_surname:
            near.append(Q(given_key=given, surname_key__in=near_surname))
        if near:
            stages.append(("near keys", near, True))
        stages.append(
            (
                "prefix",
                [
                    Q(surname_key=surname) & _prefix_range("given_key", given[:3]),
                    Q(given_key=given) & _prefix_range("surname_key", surname[:3]),
                ],
                False,
            )
        )
        stages.append(("one key", [Q(given_key=given), Q(surname_key=surname)], False))
    else:
        stages.append(("keys", [Q(given_key=given), Q(surname_key=given)], True))
        near_given = _vocabulary("given_key").near(given)
        near_surname = _vocabulary("surname_key").near(given)
        near = []
        if near_given:
            near.append(Q(given_key__in=near_given))
        if near_surname:
            near.append(Q(surname_key__in=near_surname))
        if near:
            stages.append(("near keys", near, False))
        stages.append(
            ("prefix", [_prefix_range("given_key", given), _prefix_range("surname_key", given)], False)
        )
    return stages


_FIELDS = ("pk", "name_en", "name_hi", "given_key", "surname_key")


def _candidates(scope: MemberQuerySet, lookups: list[Q]) -> list[tuple[Any, ...]]:
    """At most ``CANDIDATES`` rows of ``scope`` that one of ``lookups`` finds, as ``_FIELDS``.

    Each lookup first picks member keys only, then reads those rows by primary
    key. The key indexes carry the family and the member's key
    (``registry.0008``), so on PostgreSQL the picking reads no table row: a
    scope such as an official's tehsil is checked against the family ids of
    that area (an index of its own) without visiting each namesake of the
    state, and only the members kept are read.
    """
    distinct: list[Q] = []
    for lookup in lookups:
        if lookup not in distinct:  # "Ram Ram": both orders of the keys are one lookup
            distinct.append(lookup)
    rows: list[tuple[Any, ...]] = []
    for n, lookup in enumerate(distinct):
        # Each lookup may take its share of what is left, the last all of it: a common
        # given name does not crowd the surnames out of a one-word search.
        room = (CANDIDATES - len(rows)) // (len(distinct) - n)
        if room <= 0:
            continue
        picked = scope.filter(lookup).values("pk")[:room]
        rows.extend(Member.objects.filter(pk__in=picked).values_list(*_FIELDS))
    return rows


def _similarity(a: str, b: str) -> float:
    # difflib's ratio (2 * matches / total length), computed in C.
    return float(Indel.normalized_similarity(a, b))


def _score(q: _Query, name_en: str, name_hi: str, given_key: str, surname_key: str) -> float:
    spelled = _similarity(q.latin, " ".join(phonetics.tokens(name_en)).lower())
    if _DEVANAGARI.search(q.text) and name_hi:
        spelled = max(spelled, _similarity(q.text, name_hi))
    keys = (given_key, surname_key) if q.surname else (given_key,)
    wanted = (q.given, q.surname) if q.surname else (q.given,)
    straight = sum(_similarity(w, k) for w, k in zip(wanted, keys, strict=True)) / len(wanted)
    crossed = 0.0
    if q.surname:
        crossed = (_similarity(q.given, surname_key) + _similarity(q.surname, given_key)) / 2
    elif surname_key:
        crossed = _similarity(q.given, surname_key)
    return round(0.5 * spelled + 0.5 * max(straight, crossed), 4)


def search_members(
    query: str,
    *,
    district: District | None = None,
    limit: int = 20,
    queryset: MemberQuerySet | None = None,
) -> list[MemberMatch]:
    """Members whose name matches ``query``, best first.

    ``queryset`` is the caller's scope (``Member.objects.visible_to(user)``);
    nothing outside it is returned. Raises ``ValueError`` with a message for
    the user when the query is empty, too long or has no letters.
    """
    _check_limit(limit)
    q = _parse(query)
    scope = queryset if queryset is not None else Member.objects.all()
    if district is not None:
        scope = scope.filter(family__district=district)
    found: dict[int, tuple[str, Any]] = {}
    # Within a district or an official's area, exact namesakes are few and a
    # spelling variant's candidates are mostly outside it: look for variants
    # only when the exact keys found nobody there.
    narrowed = district is not None or queryset is not None
    for label, lookups, always in _stages(q):
        always = always and not (narrowed and label != "keys")
        # A single key is a wide net (every Sharma): cast it only when nothing
        # closer was found. Within one district there are often fewer
        # namesakes than ``limit``; widening to prefixes there would cost
        # range scans over the whole state for worse matches, so a district
        # search stops at the first stage that finds anyone.
        if not always and (len(found) >= limit or (found and (label == "one key" or narrowed))):
            break
        for row in _candidates(scope, lookups):
            found.setdefault(row[0], (label, row))
    # Many candidates share a name: score each distinct spelling once.
    scores: dict[tuple[str, str, str, str], float] = {}
    ranked = sorted(
        (
            (scores.get(row[1:]) or scores.setdefault(row[1:], _score(q, *row[1:])), label, row[0])
            for label, row in found.values()
        ),
        key=lambda item: (-item[0], item[2]),
    )[:limit]
    members = Member.objects.select_related("family").in_bulk([pk for _, _, pk in ranked])
    return [MemberMatch(member=members[pk], score=score, matched_by=label) for score, label, pk in ranked]


# --- Family search -------------------------------------------------------------


def find_families(
    query: str,
    queryset: FamilyQuerySet,
    *,
    district: District | None = None,
    limit: int = 20,
) -> list[FamilyMatch]:
    """Families in ``queryset`` (the caller's scope) found by what was typed.

    1. A Family ID or Member ID (spaces and dashes allowed): that family.
    2. A ten-digit mobile number (optionally +91 or 0 first): the families of
       the members with that number.
    3. Anything else: a name search over the families' members.

    An ID with a wrong check digit is reported rather than searched as a name.
    """
    _check_limit(limit)
    text = _clean(query)
    scope = queryset if district is None else queryset.filter(district=district)
    canonical = identifiers.normalise(text)
    if _ID_SHAPE.match(canonical):
        if identifiers.is_valid(canonical, identifiers.FAMILY_PREFIX):
            return [
                FamilyMatch(family=f, score=1.0, matched_by="id") for f in scope.filter(family_id=canonical)
            ]
        if identifiers.is_valid(canonical, identifiers.MEMBER_PREFIX):
            member = (
                Member.objects.filter(member_id=canonical, family__in=scope).select_related("family").first()
            )
            if member is None:
                return []
            return [FamilyMatch(family=member.family, score=1.0, matched_by="id", members=[member])]
        raise ValueError(_("This ID is not valid: please check its digits."))
    mobile = read_mobile(text)
    if mobile is not None:
        by_family: dict[int, FamilyMatch] = {}
        members = Member.objects.filter(mobile=mobile, family__in=scope).select_related("family")
        for member in members[:MAX_LIMIT]:
            by_mobile = by_family.setdefault(
                member.family_id, FamilyMatch(family=member.family, score=1.0, matched_by="mobile")
            )
            by_mobile.members.append(member)
        return list(by_family.values())[:limit]
    if not _DEVANAGARI.search(text) and not re.search(r"[A-Za-z]", text):
        raise ValueError(_("Type a name, a Family ID, a Member ID or a ten-digit mobile number."))
    matches = search_members(text, limit=MAX_LIMIT, queryset=Member.objects.filter(family__in=scope))
    families: dict[int, FamilyMatch] = {}
    for match in matches:
        family_match = families.get(match.member.family_id)
        if family_match is None:
            if len(families) >= limit:
                continue
            family_match = families[match.member.family_id] = FamilyMatch(
                family=match.member.family, score=match.score, matched_by=match.matched_by
            )
        family_match.members.append(match.member)
    return list(families.values())

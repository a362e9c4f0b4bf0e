"""Finding what a message names in the live records: services, schemes, departments, categories, places.

Every record's names (both scripts) and keywords become phonetic word keys
(``features.words``). A message's keys, less the words that only carry the
question ("what", "kya", "chahiye", "documents"), are matched to a record's
keys exactly, by a shared beginning of four letters or more, or by a close
spelling (``rapidfuzz``, for typing mistakes); each match counts the rarity
of the record's word across its kind (IDF), so "income" decides between
certificates and "certificate" hardly does.

An index is built from the database the first time it is needed in a
process and rebuilt when its records change: each search first asks for a
cheap fingerprint of the table (count and latest key), one small query.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Count, Max
from rapidfuzz import fuzz

from himaccess.catalog.models import Service
from himaccess.chatbot import features
from himaccess.departments.models import Department
from himaccess.geography.models import District, Tehsil
from himaccess.grievances.models import Category
from himaccess.schemes.models import Scheme

DATA = Path(__file__).resolve().parent / "data"
PREFIX = 4
FUZZY = 86
EXACT, PARTIAL, CLOSE = 1.0, 0.8, 0.7


@cache
def stopwords() -> frozenset[str]:
    listed = yaml.safe_load((DATA / "stopwords.yaml").read_text(encoding="utf-8"))
    return frozenset(key for phrase in listed for key in features.words(str(phrase)))


@cache
def aliases() -> dict[str, dict[str, list[str]]]:
    """Extra words people use for records: ``{"scheme": {id: [...]}, "department": {...}, ...}``."""
    loaded: dict[str, dict[str, list[str]]] = yaml.safe_load(
        (DATA / "aliases.yaml").read_text(encoding="utf-8")
    )
    return loaded


def query_keys(message: str) -> list[str]:
    """The message's word keys that can name a record."""
    ignored = stopwords()
    return [key for key in features.words(message) if key not in ignored and len(key) > 1]


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    # Share of the record's name words the message covers (1.0: all of them).
    coverage: float


class Index:
    def __init__(self, records: Iterable[tuple[str, list[str], list[str]]]) -> None:
        """``records``: (key, names, other words) of every record of one kind."""
        ignored = stopwords()
        self.keys: dict[str, frozenset[str]] = {}
        self.name_keys: dict[str, frozenset[str]] = {}
        for key, names, others in records:
            name_words = {k for text in names for k in features.words(str(text)) if k not in ignored}
            other_words = {k for text in others for k in features.words(str(text)) if k not in ignored}
            self.keys[key] = frozenset(name_words | other_words)
            self.name_keys[key] = frozenset(name_words)
        frequency: dict[str, int] = {}
        for words in self.keys.values():
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        total = max(len(self.keys), 1)
        self.idf = {word: math.log(1 + total / count) for word, count in frequency.items()}
        self.vocabulary = sorted(self.idf)

    def _matches(self, word: str) -> dict[str, float]:
        """Vocabulary words this message word stands for, with how well it matches."""
        if word in self.idf:
            # A word the records use as typed stands for itself, not for longer words it begins.
            return {word: EXACT}
        found: dict[str, float] = {}
        if len(word) >= PREFIX:
            for known in self.vocabulary:
                if known in found or len(known) < PREFIX:
                    continue
                if known.startswith(word) or word.startswith(known):
                    found[known] = PARTIAL
                elif len(word) >= 5 and len(known) >= 5 and fuzz.ratio(word, known) >= FUZZY:
                    found[known] = CLOSE
        return found

    def search(self, words: list[str], limit: int = 5) -> list[Hit]:
        weights: dict[str, float] = {}
        for word in set(words):
            for known, quality in self._matches(word).items():
                weights[known] = max(weights.get(known, 0.0), quality * self.idf[known])
        if not weights:
            return []
        hits = []
        for key, record_words in self.keys.items():
            matched = [known for known in weights if known in record_words]
            if not matched:
                continue
            names = self.name_keys[key]
            covered = sum(1 for known in matched if known in names)
            coverage = covered / len(names) if names else 0.0
            score = sum(weights[known] for known in matched) + 0.5 * coverage
            hits.append(Hit(key, score, coverage))
        hits.sort(key=lambda hit: (-hit.score, hit.key))
        return hits[:limit]


class LiveIndex:
    """An ``Index`` over a table, rebuilt when the table's fingerprint changes."""

    def __init__(self, fingerprint: Callable[[], Any], build: Callable[[], Index]) -> None:
        self._fingerprint = fingerprint
        self._build = build
        self._lock = threading.Lock()
        self._seen: Any = object()
        self._index: Index | None = None

    def get(self) -> Index:
        current = self._fingerprint()
        with self._lock:
            if self._index is None or current != self._seen:
                self._index = self._build()
                self._seen = current
            return self._index


def _fingerprint(queryset: Any, key: str) -> tuple[Any, ...]:
    found = queryset.aggregate(count=Count(key), latest=Max(key))
    return (found["count"], found["latest"])


def _services() -> Index:
    extra = aliases().get("service", {})
    return Index(
        (
            service.code,
            [service.name_en, service.name_hi],
            [*version.definition.get("keywords", []), *extra.get(service.code, [])],
        )
        for service in Service.objects.offered().select_related("current_version")
        if (version := service.current_version) is not None
    )


def _schemes() -> Index:
    extra = aliases().get("scheme", {})
    return Index(
        (scheme.scheme_id, [scheme.name_en, scheme.name_hi], extra.get(scheme.scheme_id, []))
        for scheme in Scheme.objects.filter(active=True)
    )


def _departments() -> Index:
    extra = aliases().get("department", {})
    return Index(
        (department.code, [department.name_en, department.name_hi], extra.get(department.code, []))
        for department in Department.objects.all()
    )


def _categories() -> Index:
    extra = aliases().get("category", {})
    fileable = Category.objects.filter(active=True, children__isnull=True).select_related("parent")
    return Index(
        (
            category.code,
            [category.name_en, category.name_hi],
            [
                *(extra.get(category.code, [])),
                *([category.parent.name_en, category.parent.name_hi] if category.parent else []),
            ],
        )
        for category in fileable
    )


def _districts() -> Index:
    extra = aliases().get("district", {})
    return Index(
        (str(district.pk), [district.name_en, district.name_hi], extra.get(str(district.pk), []))
        for district in District.objects.all()
    )


SERVICES = LiveIndex(lambda: _fingerprint(Service.objects.offered(), "current_version_id"), _services)
SCHEMES = LiveIndex(lambda: _fingerprint(Scheme.objects.filter(active=True), "id"), _schemes)
DEPARTMENTS = LiveIndex(lambda: _fingerprint(Department.objects.all(), "code"), _departments)
CATEGORIES = LiveIndex(lambda: _fingerprint(Category.objects.filter(active=True), "id"), _categories)
DISTRICTS = LiveIndex(lambda: _fingerprint(District.objects.all(), "lgd_code"), _districts)


def tehsils_of(district_id: int) -> Index:
    return Index(
        (str(tehsil.pk), [tehsil.name_en, tehsil.name_hi], [])
        for tehsil in Tehsil.objects.filter(district_id=district_id)
    )


def best(index: LiveIndex | Index, message: str, *, limit: int = 5) -> list[Hit]:
    chosen = index.get() if isinstance(index, LiveIndex) else index
    return chosen.search(query_keys(message), limit=limit)

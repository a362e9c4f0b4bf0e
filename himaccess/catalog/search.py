"""Finding services by what people type: Hindi, English or romanised Hindi.

Every word of a service's names and keywords, in both scripts, becomes a
phonetic key (``lib.phonetics``, which transliterates Devanagari first), so
"आय प्रमाण पत्र", "aay praman patra" and "Ay Praman Patr" share keys. A query
matches a service by the share of its words whose key equals, or begins, a
key of the service; the catalogue is a few hundred services, ranked in memory.
"""

from __future__ import annotations

from typing import Any

from himaccess.catalog.models import Service
from himaccess.lib import phonetics

MIN_PREFIX = 3


def keys_of(texts: list[str]) -> set[str]:
    keys: set[str] = set()
    for text in texts:
        for word in phonetics.tokens(text):
            key = phonetics.name_key(word)
            if key:
                keys.add(key)
    return keys


def search_keys(definition: dict[str, Any], department_names: tuple[str, str] = ("", "")) -> str:
    texts = [definition["name_en"], definition["name_hi"], *definition.get("keywords", [])]
    texts += [definition.get("category", "").replace("_", " "), *department_names]
    return " ".join(sorted(keys_of(texts)))


def _score(query_keys: set[str], service_keys: set[str]) -> float:
    hits = 0
    for key in query_keys:
        if key in service_keys or (
            len(key) >= MIN_PREFIX
            and any(k.startswith(key) or key.startswith(k) for k in service_keys if len(k) >= MIN_PREFIX)
        ):
            hits += 1
    return hits / len(query_keys) if query_keys else 0.0


def find(query: str, *, department: str = "", situation: str = "", category: str = "") -> list[Service]:
    """Offered services matching the query (all of them for an empty query), best first."""
    services = Service.objects.offered().select_related("department", "current_version")
    if department:
        services = services.filter(department_id=department)
    if category:
        services = services.filter(category=category)
    found = list(services)
    if situation:
        found = [s for s in found if situation in (s.life_situations or [])]
    query_keys = keys_of([query]) if query.strip() else set()
    if not query_keys:
        return found
    scored = [(_score(query_keys, set(s.search_keys.split())), s) for s in found]
    best = [(score, s) for score, s in scored if score > 0]
    best.sort(key=lambda pair: (-pair[0], pair[1].code))
    return [s for _, s in best]

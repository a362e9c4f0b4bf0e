"""Near keys (typo tolerance in name search) are found by rapidfuzz's OSA distance exactly as before.

The register's search once computed the optimal string alignment distance by
hand; ``reference_osa`` is that code, kept here as the oracle, so the switch to
``rapidfuzz.distance.OSA`` provably changes no search result.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from himaccess.registry.search import _Vocabulary

# Phonetic keys hold only a-z; a small alphabet makes neighbouring keys (and swaps) common.
KEYS = st.text(alphabet="abdkrst", min_size=0, max_size=9)


def reference_osa(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with transpositions), as the search had it."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _deletions(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


def reference_near(keys: list[str], key: str, count: int = 8) -> list[str]:
    """The keys sharing a one-letter deletion with ``key`` and within the budget, nearest first."""
    budget = 1 if len(key) <= 4 else 2
    candidates = {k for k in set(keys) if k != key and _deletions(k) & _deletions(key)}
    scored = sorted((d, k) for k in candidates if (d := reference_osa(key, k)) <= budget)
    return [k for _, k in scored[:count]]


def test_known_distances() -> None:
    assert OSA.distance("sharma", "shrama") == reference_osa("sharma", "shrama") == 1  # a swap is one typo
    assert OSA.distance("ca", "abc") == reference_osa("ca", "abc") == 3  # OSA, not Damerau: no edit twice
    assert OSA.distance("", "abc") == reference_osa("", "abc") == 3
    assert OSA.distance("thakur", "thakur") == 0


@settings(max_examples=500, deadline=None)
@given(KEYS, KEYS)
def test_rapidfuzz_osa_equals_the_hand_written_distance(a: str, b: str) -> None:
    assert OSA.distance(a, b) == reference_osa(a, b)


@settings(max_examples=500, deadline=None)
@given(KEYS, KEYS, st.integers(min_value=0, max_value=3))
def test_cutoff_keeps_every_distance_within_it(a: str, b: str, cutoff: int) -> None:
    exact = reference_osa(a, b)
    cut = OSA.distance(a, b, score_cutoff=cutoff)
    assert (cut == exact) if exact <= cutoff else (cut == cutoff + 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(KEYS.filter(bool), min_size=1, max_size=40), KEYS.filter(bool))
def test_near_keys_are_the_same_as_with_the_hand_written_distance(keys: list[str], key: str) -> None:
    assert _Vocabulary(keys).near(key) == reference_near(keys, key)


def test_near_keys_of_a_surname() -> None:
    vocabulary = _Vocabulary(["sharma", "shrama", "sarma", "sharmaa", "verma", "thakur"])
    assert vocabulary.near("sharma") == ["sarma", "sharmaa", "shrama"]
    # One edit from each of the first three; "sharmaa" (two insertions) and "verma" are out of reach.
    assert vocabulary.near("shrma") == ["sarma", "sharma", "shrama"]

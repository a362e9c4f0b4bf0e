"""The language an SMS to a mobile number goes in: asked for, else the citizen's choice, else Hindi."""

from __future__ import annotations

from typing import Any

from himaccess.accounts.language import language_for, languages_for
from himaccess.accounts.models import User


def test_language_follows_the_recipients_preference(db: Any) -> None:
    User.objects.create_user(
        username="en-reader", kind=User.Kind.CITIZEN, mobile="9418000001", preferred_language="en"
    )
    assert language_for("9418000001") == "en"
    assert language_for("9418000002") == "hi"  # no login: Hindi
    assert language_for("9418000001", "hi") == "hi"  # asked for wins


def test_an_officials_preference_is_not_a_citizens(db: Any) -> None:
    User.objects.create_user(
        username="en-official", kind=User.Kind.OFFICIAL, mobile="9418000003", preferred_language="en"
    )
    assert language_for("9418000003") == "hi"


def test_an_unknown_language_asked_for_falls_back(db: Any) -> None:
    User.objects.create_user(
        username="en-reader", kind=User.Kind.CITIZEN, mobile="9418000001", preferred_language="en"
    )
    assert language_for("9418000001", "fr") == "en"
    assert language_for("9418000004", "") == "hi"


def test_many_numbers_at_once_answer_as_one_at_a_time(db: Any) -> None:
    User.objects.create_user(
        username="en-reader", kind=User.Kind.CITIZEN, mobile="9418000001", preferred_language="en"
    )
    User.objects.create_user(
        username="en-official", kind=User.Kind.OFFICIAL, mobile="9418000003", preferred_language="en"
    )
    numbers = ["9418000001", "9418000003"] + [f"94180{n:05d}" for n in range(10, 1210)]
    assert languages_for(numbers) == {number: language_for(number) for number in numbers}
    assert languages_for(numbers)["9418000001"] == "en"


def test_a_loaded_user_answers_only_for_their_own_number(db: Any, django_assert_num_queries: Any) -> None:
    reader = User.objects.create_user(
        username="en-reader", kind=User.Kind.CITIZEN, mobile="9418000001", preferred_language="en"
    )
    User.objects.create_user(
        username="hi-reader", kind=User.Kind.CITIZEN, mobile="9418000002", preferred_language="hi"
    )
    official = User.objects.create_user(
        username="en-official", kind=User.Kind.OFFICIAL, mobile="9418000001", preferred_language="hi"
    )
    with django_assert_num_queries(0):
        assert language_for("9418000001", user=reader) == "en"
    # Another number's citizen, or an official with the same number: the number's own login decides.
    with django_assert_num_queries(1):
        assert language_for("9418000002", user=reader) == "hi"
    with django_assert_num_queries(1):
        assert language_for("9418000001", user=official) == "en"
    assert language_for("9418000001", "hi", user=reader) == "hi"  # asked for still wins

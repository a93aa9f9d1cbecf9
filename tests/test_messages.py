from __future__ import annotations

import string

import pytest

from crisiscli.messages import MESSAGES, format_number, t


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_message_exists_in_both_languages_with_the_same_fields(message_id: str) -> None:
    entry = MESSAGES[message_id]
    assert set(entry) == {"en", "fr"}
    fields = {
        language: {name for _, name, _, _ in string.Formatter().parse(text) if name}
        for language, text in entry.items()
    }
    assert fields["en"] == fields["fr"]


def test_french_numbers_use_a_decimal_comma_and_narrow_spaces() -> None:
    assert format_number(1000, "fr") == "1\u202f000"
    assert format_number(99.7, "fr") == "99,7"
    assert format_number(1000, "en") == "1,000"
    assert t("answer.too_long", "fr", limit=20000) == (
        "la réponse dépasse 20\u202f000 caractères ; raccourcissez-la"
    )
    assert t("answer.too_long", "en", limit=20000) == (
        "the answer is longer than 20,000 characters; shorten it"
    )

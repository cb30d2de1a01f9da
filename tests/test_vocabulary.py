"""Number words as the question analysis reads them: the same spelling a maintained package gives."""

from __future__ import annotations

import pytest

from rag.text.vocabulary import number_value, number_words, ordinal_words, spell_number, spell_ordinal


def test_number_words_are_spelled_as_inflect_spells_them():
    inflect = pytest.importorskip("inflect")
    engine = inflect.engine()
    assert [spell_number(i) for i in range(100)] == [engine.number_to_words(i) for i in range(100)]
    assert [spell_ordinal(i) for i in range(1, 100)] == [engine.ordinal(engine.number_to_words(i))
                                                         for i in range(1, 100)]


def test_a_question_can_say_a_number_or_a_day_in_words():
    assert number_value("forty") == 40 and number_value("Ninety-nine") == 99
    assert number_value("thirty-first") == 31 and number_value("twelfth") == 12
    assert number_words()["twenty one"] == 21 and "thirty-second" not in ordinal_words()
    assert number_value("hundredth") is None
    with pytest.raises(ValueError, match="0..99"):
        spell_number(100)

"""A country may be named by its capital or its people: "What did Oslo pledge?" is answered by the
sentence "Norway pledged …", and "the Kenyan capital" finds "Nairobi" (countryinfo data, not a list
of ours)."""

from __future__ import annotations

import pytest

import rag
from rag.text.normalize import stem
from rag.text.places import place_aliases


@pytest.mark.parametrize("word, alias", [
    ("Oslo", "Norway"), ("Norwegian", "Oslo"), ("Nairobi", "Kenya"), ("Kenyan", "Nairobi"),
    ("Washington", "American"), ("Canberra", "Australian"), ("Uzbek", "Uzbekistan"),
])
def test_a_capital_a_demonym_and_a_country_stand_for_one_another(word, alias):
    assert stem(alias.lower()) in place_aliases(stem(word.lower()))


@pytest.mark.parametrize("word", ["male", "victoria", "security", "minister", "juan"])
def test_words_that_are_not_a_large_countrys_name_have_no_aliases(word):
    # Malé (Maldives) and Victoria (Seychelles) are capitals of countries under a million people and
    # ordinary words or names; they must not stand for a country
    assert place_aliases(stem(word)) == frozenset()


def test_china_is_not_taiwan():
    assert stem("taiwan") not in place_aliases(stem("china"))


DOCS = {
    "fund.txt": ("Donors met in Geneva on Monday to refill the regional flood fund. Norway pledged 40 million "
                 "dollars to the fund, the largest single gift. Japan promised technical help instead of money. "
                 "The fund will open an office next year."),
    "marathon.txt": ("The city marathon drew a record field this spring. A runner from Nairobi won the men's race "
                     "in two hours and six minutes. The course was changed after the bridge closed."),
}


@pytest.fixture(scope="module")
def places_assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("places")
    (root / "docs").mkdir()
    for name, text in DOCS.items():
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    a = rag.Assistant(corpus_dir=root / "docs", home=root / "home")
    a.index()
    yield a
    a.close()


@pytest.mark.parametrize("question", [
    "How much did Oslo pledge to the flood fund?",
    # "the Norwegian capital" is Oslo, i.e. Norway's government: "capital" is no word a sentence must
    # contain (the corpus never uses it; the assistant abstained on this before)
    "How much did the Norwegian capital pledge to the flood fund?",
])
def test_a_question_naming_the_capital_is_answered_from_the_sentence_naming_the_country(places_assistant, question):
    answer = places_assistant.ask(question)
    assert not answer.abstained, answer.text
    assert answer.citations[0].quote == "Norway pledged 40 million dollars to the fund, the largest single gift."


def test_a_question_naming_the_people_is_answered_from_the_sentence_naming_the_capital(places_assistant):
    answer = places_assistant.ask("Where was the Kenyan runner who won the men's race from?")
    assert not answer.abstained, answer.text
    assert "Nairobi" in answer.citations[0].quote


def test_another_countrys_capital_does_not_match(places_assistant):
    answer = places_assistant.ask("How much did Stockholm pledge to the flood fund?")
    assert answer.abstained, answer.text


def test_asking_for_the_capital_itself_still_needs_a_sentence_that_says_it(places_assistant):
    # no sentence says which city is Kenya's capital: naming Nairobi is not saying so
    answer = places_assistant.ask("What is the Kenyan capital?")
    assert answer.abstained, answer.text

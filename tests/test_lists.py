"""When two articles give different values for one question, the answer says so and shows both.

A question that asks for named organisations ("Which groups …?") is answered with sentences that
name them — across articles, each further article adding items the first did not name — and not
with a sentence that only talks about "groups"."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

import rag
from rag.answer.question import analyze, answer_values

DOCS = {
    "harbour.txt": ("Dock workers walked out at the northern harbour on Friday. Two unions, the Harbour Workers "
                    "League and Seamen United, called the strike over night shifts. The port authority said "
                    "ships would be diverted for a week."),
    "rail.txt": ("Train drivers joined the protest on Monday. Several unions backed the walkout in a joint "
                 "statement about pay. The strike at the rail depots was called by the Drivers Guild, which "
                 "demands a shorter week. Commuters were told to work from home."),
    "weather.txt": "Heavy rain closed two roads in the hills. Forecasters expect a dry weekend.",
    "flood-a.txt": "The river burst its banks near the old mill on Sunday. The flood killed 12 people, the mayor said.",
    "flood-b.txt": ("Rescue teams searched the valley all week. The flood killed 30 people, according to the "
                    "regional hospital."),
}


@pytest.fixture(scope="module")
def lists_assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("lists")
    (root / "docs").mkdir()
    for name, text in DOCS.items():
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    a = rag.Assistant(corpus_dir=root / "docs", home=root / "home")
    a.index()
    yield a
    a.close()


@pytest.mark.parametrize("question, kind", [
    ("Which militant groups are active in the region?", "name"),
    ("What company built the bridge?", "name"),
    ("Which unions called the strikes?", "name"),
    ("What does the group want?", "other"),  # asks about a group, not for its name
    ("Which countries are members?", "place"),
])
def test_a_question_for_named_organisations_is_told_apart(question, kind):
    assert analyze(question).type == kind


@pytest.mark.parametrize("question, kind", [
    ("What did the minister say about the quota?", "statement"),
    ("what did the minister say about the quota", "statement"),
    ("WHAT DID THE MINISTER SAY ABOUT THE QUOTA?", "statement"),
    ("What did the report state about the quota?", "statement"),
    ("Which book by Edward Said describes the port?", "other"),  # a name, not "said"
    ("What was the state religion of the kingdom?", "other"),  # the noun "state"
    ("tell me about the quota", "other"),  # a topic, in either case
    ("Tell me about the quota", "other"),
    ("can you tell me what the minister said about the quota", "statement"),
    ("what did the minister tell the union about the quota", "statement"),
])
def test_a_question_for_someones_words_is_told_from_one_that_only_contains_the_word(question, kind):
    # a "statement" question abstains unless a passage reports that speaker's words: the noun "state"
    # and the name "Said" must not make "no passage gives Edward's words" the answer
    assert analyze(question).type == kind


def test_names_in_a_sentence_are_the_organisations_not_places_titles_or_the_questions_words():
    sentence = ("Officials in Norway, including Foreign Minister Anna Berg, named ISIS, the Harbour League "
                "and the Union as threats.")
    assert answer_values(sentence, "name", {"union"}) == ["ISIS", "Harbour League"]


def test_a_list_question_is_answered_with_the_items_from_each_article(lists_assistant):
    answer = lists_assistant.ask("Which unions called the strikes?")
    assert not answer.abstained, answer.text
    quotes = [c.quote for c in answer.citations]
    assert any("Harbour Workers League" in q for q in quotes), quotes
    assert any("Drivers Guild" in q for q in quotes), quotes
    # "Several unions backed the walkout …" names none: it is not an answer to "which unions"
    assert not any(q.startswith("Several unions") for q in quotes), quotes


def test_two_articles_giving_different_counts_are_shown_as_differing(lists_assistant):
    answer = lists_assistant.ask("How many people did the flood kill?")
    assert answer.text.startswith("The articles differ: "), answer.text
    assert answer.verdict == "differ"
    assert {c.source for c in answer.citations} == {"flood-a.txt", "flood-b.txt"}


def test_a_list_of_names_from_two_articles_is_not_called_a_disagreement(lists_assistant):
    answer = lists_assistant.ask("Which unions called the strikes?")
    assert answer.verdict is None and not answer.text.startswith("The articles differ")


@contextmanager
def _one_file(tmp_path, text: str):
    """An assistant over a folder holding one article with ``text``."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "article.txt").write_text(text + "\n", encoding="utf-8")
    a = rag.Assistant(corpus_dir=tmp_path / "docs", home=tmp_path / "home")
    a.index()
    try:
        yield a
    finally:
        a.close()


def test_the_questions_own_acronym_written_out_is_not_an_answer(tmp_path):
    # "Nordic Grain Council (NGC)" is the question's "NGC" spelled out: it does not say who founded it
    with _one_file(tmp_path, "Grain\n\nThe Nordic Grain Council (NGC), founded in 1998, sets quality rules for "
                   "barley. Anna Berg has chaired the Nordic Grain Council since May. Its members meet twice a year.") as a:
        founded = a.ask("Who founded the NGC?")
        assert founded.abstained, founded.text
        chair = a.ask("Who chairs the Nordic Grain Council?")
        assert not chair.abstained and "Anna Berg" in chair.citations[0].quote, chair.text
    assert answer_values("The Nordic Grain Council (NGC) was founded in 1998.", "person", {"found", "ngc"}) == []


def test_an_acronym_the_documents_spell_out_is_read_as_they_write_it(tmp_path):
    # the documents never write "WWII" or "NGC": the question is read as "World War II", "Nordic Grain Council"
    with _one_file(tmp_path, "Mill\n\nAfter World War II the old mill was rebuilt as a grain store. The Nordic "
                   "Grain Council fixed the barley quota at 4,200 tonnes. Farmers protested the quota in spring.") as a:
        after = a.ask("What was the old mill rebuilt as after WWII?")
        assert not after.abstained and "grain store" in after.text, after.text
        quota = a.ask("What barley quota did the NGC fix?")
        assert not quota.abstained and "4,200 tonnes" in quota.text, quota.text
        other = a.ask("What did the IMF say about the barley quota?")  # no run spells "IMF"
        assert other.abstained, other.text

"""A question's numbers, its negation and the words whose opposites a near miss would use must be met by
the evidence of its answer: a sentence on the topic that misses one answers a question nobody asked."""

from __future__ import annotations

import pytest

import rag
from rag.answer.constraints import missing_number, negation_unmet, opposite_instead


@pytest.mark.parametrize("question, evidence, missing", [
    ("What happened to the fleet in 1805?", "The fleet sailed to Cadiz in 1806.", "1805"),
    ("What happened to the fleet in 1806?", "The fleet sailed to Cadiz in 1806.", None),
    ("What did the 1,000 soldiers do?", "The 1000 soldiers crossed the river.", None),
    ("Who commanded the 3rd army?", "The third army was commanded by Lee.", None),
    ("What binds to MHC class 1 molecules?", "Receptors bind MHC class I molecules.", None),
    ("What changed in the 1970s?", "In 1974 the rules changed.", None),
    ("Who settled there in the 16th century?", "Traders settled there in 1564.", None),
    ("Why did the campaigns fail in 1755, 56 and 57?", "Campaigns in 1755, 1756 and 1757 failed.", None),
    ("What did Russia offer in late 2025?", "Russia's offer to mediate in late2025 reflects …", None),  # glued text
    ("How many ships sank?", "Three ships sank.", None),  # no number asked
])
def test_a_number_of_the_question_must_be_given_by_the_evidence(question, evidence, missing):
    assert missing_number(question, evidence) == missing


@pytest.mark.parametrize("question, evidence, unmet", [
    ("What did the council not approve?", "The council approved the budget in May.", True),
    ("What did the council not approve?", "The council did not approve the budget.", False),
    ("Why didn't Pakistan accept the accusations?", "Pakistan rejected the accusations.", False),
    ("What did the envoy never sign?", "The envoy refused to sign the accord.", False),
    ("Can it be decided whether or not a problem is solvable?", "Computability theory decides it.", False),
    ("What did the council approve?", "The council approved the budget.", False),
])
def test_a_negated_question_needs_an_answer_that_negates(question, evidence, unmet):
    assert negation_unmet(question, evidence) is unmet


@pytest.mark.parametrize("question, evidence, flipped", [
    ("What lies north of the river?", "The south bank holds the old town.", ("north", "south")),
    ("What lies north of the river?", "North of the river lies the old town.", None),
    ("Did the ministry accept the plan?", "The ministry rejected the plan.", ("accept", "rejected")),
    ("Which is more costly, formal or informal rule?", "Informal rule is less costly.", None),  # a choice
    ("Which western and eastern states signed?", "The western states signed.", None),  # both sides asked
])
def test_an_opposite_in_place_of_the_question_word_is_found(question, evidence, flipped):
    assert opposite_instead(question, evidence) == flipped


CORPUS = {
    "fleet.txt": "The Northern Fleet sailed from Arkhangelsk in 1806 under Admiral Senyavin. The squadron "
                 "reached the Mediterranean within a month and blockaded the Dardanelles.\n\nIn 1807 the "
                 "fleet defeated the Ottoman navy at Athos, and the admiral was praised by the emperor.",
    "harbour.txt": "The harbour of Sevastopol was rebuilt in 1809 with stone quays and a new lighthouse.",
    "council.txt": "The city council approved the new harbour budget in May 2021. Councillors voted for "
                   "the plan by twelve votes to three after a long debate about dredging costs.",
}


@pytest.fixture(scope="module")
def near_miss_assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("near-miss")
    for name, text in CORPUS.items():
        (root / name).write_text(text, encoding="utf-8")
    a = rag.Assistant(corpus_dir=root, home=root / ".rag")
    a.index()
    return a


def test_a_question_about_another_year_is_not_answered_with_this_one(near_miss_assistant):
    """1809 is in the corpus (the harbour), but not in any passage about the fleet."""
    assert not near_miss_assistant.ask("Where did the Northern Fleet sail in 1806?").abstained
    answer = near_miss_assistant.ask("Where did the Northern Fleet sail in 1809?")
    assert answer.abstained, answer.text
    assert any("1809" in note for note in answer.notes), answer.notes


def test_a_negated_question_is_not_answered_with_what_did_happen(near_miss_assistant):
    assert not near_miss_assistant.ask("What did the city council approve in May 2021?").abstained
    answer = near_miss_assistant.ask("What did the city council not approve in May 2021?")
    assert answer.abstained, answer.text
    assert any("did not happen" in note for note in answer.notes), answer.notes

"""A question of several conditions ("Which company built the dam and is accused of fraud?") is
answered with the one name that meets them all, then a cited sentence per condition — even when the
conditions are met in different documents; when each is met by another name, it abstains."""

from __future__ import annotations

import pytest

import rag
from rag.answer.conditions import same_name, split_conditions

DOCS = {
    "dam.txt": ("The Hallberg Group built the Nordvik dam in 2015. The dam supplies power to three towns. "
                "Its reservoir flooded an old mining road."),
    "court.txt": ("Prosecutors in Bergen accused the Hallberg Group of fraud over invoices for public works. "
                  "The company denies any wrongdoing. A hearing is set for March."),
    "airport.txt": ("Tarsen Construction built the new airport terminal. Tarsen was praised for finishing "
                    "the terminal early and under budget."),
}


@pytest.fixture(scope="module")
def conditions_assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("conditions")
    (root / "docs").mkdir()
    for name, text in DOCS.items():
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    a = rag.Assistant(corpus_dir=root / "docs", home=root / "home")
    a.index()
    yield a
    a.close()


@pytest.mark.parametrize("question, parts", [
    ("Which company built the dam and is accused of fraud?",
     ("Which company built the dam?", "Which company is accused of fraud?")),
    ("Who chaired the talks and later resigned?", ("Who chaired the talks?", "Who later resigned?")),
    ("What company was founded by Anna Berg and acquired by Hallberg?",
     ("What company was founded by Anna Berg?", "What company was acquired by Hallberg?")),
    ("Which groups did Norway and Sweden fund?", None),  # one condition about two countries
    ("Who built the dam?", None),
    ("Why did the dam fail and who paid?", None),  # asks for no name
])
def test_a_question_is_split_into_its_conditions(question, parts):
    assert split_conditions(question) == parts


@pytest.mark.parametrize("a, b, same", [
    ("Hallberg", "Hallberg Group", True), ("Sergey Berglund", "Sergei Berglund", True),
    ("Hallberg Group", "Tarsen Construction", False), ("Anna Berg", "Karl Berg", False),
])
def test_two_mentions_of_one_name(a, b, same):
    assert same_name(a, b) is same


def test_the_name_meeting_every_condition_comes_first_with_a_sentence_per_condition(conditions_assistant):
    answer = conditions_assistant.ask("Which company built the Nordvik dam and is accused of fraud?")
    assert answer.name is not None and "Hallberg" in answer.name, answer.text
    assert answer.text.startswith(f"{answer.name} — "), answer.text
    assert [c.source for c in answer.citations] == ["dam.txt", "court.txt"]
    assert all(s.supported for s in answer.sentences)
    assert answer.to_dict()["name"] == answer.name


def test_no_name_is_claimed_when_none_meets_every_condition(conditions_assistant):
    # Tarsen built the terminal, Hallberg is accused of fraud: the question's one company is not there
    answer = conditions_assistant.ask("Which company built the airport terminal and is accused of fraud?")
    assert answer.abstained and answer.name is None, answer.text
    assert answer.notes == ("Abstained: no one name meets every condition of the question.",)

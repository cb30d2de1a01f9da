"""The misspelt gold questions: reproducible, one typing slip per changed word, gold untouched."""

from __future__ import annotations

import random
import re

from eval.gold import load_questions
from eval.typos import misspell, with_typos
from rag.text.names import one_edit


def _changed_words(before: str, after: str) -> list[tuple[str, str]]:
    a, b = re.findall(r"\S+", before), re.findall(r"\S+", after)
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b) if x != y]


def test_same_seed_same_typos_other_seed_other_typos():
    questions = load_questions()
    one, again, other = with_typos(questions, 1), with_typos(questions, 1), with_typos(questions, 2)
    assert [q.question for q in one] == [q.question for q in again]
    assert [q.question for q in one] != [q.question for q in other]


def test_each_question_gets_one_or_two_slips_and_keeps_its_gold():
    questions = load_questions()
    for clean, typo in zip(questions, with_typos(questions, 1)):
        assert (typo.id, typo.gold_facts, typo.gold_sources, typo.history) == \
            (clean.id, clean.gold_facts, clean.gold_sources, clean.history)
        changed = _changed_words(clean.question, typo.question)
        assert 1 <= len(changed) <= 2, (clean.question, typo.question)
        for x, y in changed:
            core_x, core_y = x.strip("?,.'’\""), y.strip("?,.'’\"")
            assert one_edit(core_x.lower(), core_y.lower()) or sorted(core_x) == sorted(core_y), (x, y)


def test_a_question_without_long_words_is_left_alone():
    assert misspell("Who is he?", random.Random(0)) == "Who is he?"

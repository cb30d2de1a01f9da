"""Yes/no questions: "Yes —" or "No —" only when a cited sentence states or negates the claim (the
judge decides); otherwise the evidence without a verdict; "The articles differ:" when they do."""

from __future__ import annotations

import pytest
from conftest import core_write

import rag
from rag.answer.question import polar_claim
from rag.verify import claim_verdict


@pytest.mark.parametrize("question, claim", [
    ("Did the envoy sign the accord?", "the envoy sign the accord"),
    ("Was the bridge reopened in May?", "the bridge reopened in May"),
    ("Is it true that the envoy signed the accord?", "the envoy signed the accord"),
    ("Do the articles say that the port closed?", "the port closed"),
    ("Who signed the accord?", None),
    ("Did the envoy sign or refuse?", None),  # a choice, not yes/no
    ("Didn't the envoy sign?", None),  # a negated question: no verdict either way
    ("Did he not sign the accord?", None),
    ("Is it?", None),
    ("Can you tell me who led the delegation?", None),  # asks who, not whether
    ("Do you know when the bridge reopened?", None),
])
def test_the_claim_of_a_yes_no_question(question, claim):
    assert polar_claim(question) == claim


@pytest.mark.parametrize("sentence, claim, answer", [
    ("The envoy signed the accord in Oslo on Monday.", "the envoy sign the accord", "yes"),
    ("The envoy did not sign the accord.", "the envoy sign the accord", "no"),
    ("The ministry rejected the proposal outright.", "the ministry accept the proposal", "no"),
    ("The ministry accepted the proposal.", "the ministry reject the proposal", "no"),
    # every other word of the claim is there, but the opposite is not said: no verdict
    ("Many in the ministry discussed the proposal at length.", "the ministry accept the proposal", None),
    # a different number is not a "no": the sentence does not say what happened in the other year
    ("The bridge was reopened in 2002.", "the bridge reopened in 1999", None),
    # someone asserting it is not the corpus stating it
    ("The governor claims the bridge was reopened.", "the bridge reopened", None),
    ("The envoy's risk was not only political but personal.", "the envoy's risk political", "yes"),
])
def test_a_verdict_needs_the_sentence_to_state_or_negate_the_claim(sentence, claim, answer):
    found = claim_verdict(sentence, claim)
    assert (found.answer if found else None) == answer, found


def test_a_question_about_what_someone_said_may_rest_on_reported_speech():
    sentence = "The governor said the bridge was reopened."
    assert claim_verdict(sentence, "the governor say the bridge reopened") is None
    assert claim_verdict(sentence, "the governor say the bridge reopened", reported_ok=True).answer == "yes"


def test_no_when_the_corpus_says_the_opposite_and_the_deciding_sentence_comes_first(core_assistant, core_index):
    answer = core_assistant.ask("Did Pakistan accept the US accusations?")
    assert answer.verdict == "no" and answer.text.startswith("No — Pakistan, of course, rejected the accusations. [1]")
    assert answer.citations[0].quote == "Pakistan, of course, rejected the accusations."
    assert answer.to_dict()["verdict"] == "no"
    events = list(core_assistant.stream("Did Pakistan accept the US accusations?"))
    assert "".join(e.delta for e in events[:-1]) == events[-1].answer.text == answer.text


def test_yes_when_a_sentence_states_it_and_no_verdict_for_another_year(core_assistant):
    yes = core_assistant.ask("Was the CSTO established in 2002?")
    assert yes.verdict == "yes" and yes.text.startswith("Yes — The Collective Security Treaty Organization (CSTO)")
    other = core_assistant.ask("Was the CSTO established in 1999?")
    assert other.verdict is None and not other.abstained  # the evidence (2002), no "No"
    assert not other.text.startswith(("Yes", "No")) and "2002" in other.text


def test_questions_that_are_not_yes_no_get_no_verdict(core_assistant):
    answer = core_assistant.ask("When was the CSTO established?")
    assert answer.verdict is None and answer.to_dict()["verdict"] is None


def test_articles_that_disagree_are_both_shown_and_said_to_differ(tmp_path):
    corpus = tmp_path / "corpus"
    core_write(corpus / "a.txt", "Harbour report\n\nThe old ferry terminal at Varna reopened to passengers in June.\n")
    core_write(corpus / "b.txt", "Harbour update\n\nThe old ferry terminal at Varna has not reopened to passengers.\n")
    a = rag.Assistant(settings=rag.Settings(corpus_dir=corpus, home=tmp_path / "home"))
    answer = a.ask("Did the old ferry terminal at Varna reopen to passengers?")
    assert answer.verdict == "differ", answer.text
    assert answer.text.startswith("The articles differ: ")
    assert {c.source for c in answer.citations} == {"a.txt", "b.txt"}

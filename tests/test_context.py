"""A sentence that continues the one before it is shown with it: "The security aid was worth …" needs
"The US cut aid …" to say whose aid; a sentence that starts afresh is shown alone."""

from __future__ import annotations

import pytest

from rag.text.sentences import continues

BEFORE = "Gunmen opened fire in a concert hall near the capital, in an attack that killed dozens."


@pytest.mark.parametrize("sentence, expected", [
    ("The attack, claimed by a militant group, shocked the region.", True),  # a noun the sentence before used
    ("The hall was closed for a month.", True),
    ("He added that the talks went well.", True),
    ("These fears are real.", True),
    ("The two sides agreed to meet again.", True),
    ('"It was awful," she said.', True),
    ("The Northern Treaty was signed in 1991.", False),  # a name, not a noun pointing back
    ("The ministry published its figures.", False),  # a definite noun the sentence before did not use
    ("Officials spoke later.", False),
])
def test_a_sentence_continues_the_one_before_it(sentence, expected):
    assert continues(BEFORE, sentence) is expected


def test_the_first_sentence_continues_nothing():
    assert continues("", "He added that the talks went well.") is False


def test_an_answer_sentence_that_points_back_is_shown_after_the_sentence_it_needs(core_assistant):
    answer = core_assistant.ask("How much was the US security aid to Pakistan worth?")
    quotes = [c.quote for c in answer.citations]
    assert quotes[:2] == ["The US cut aid to Pakistan at the beginning of the year.",
                          "The security aid was estimated to be worth more than $1 billion."], quotes


@pytest.mark.parametrize("heading", ["Version", "Basic usage", "2.1 ASN.1 syntax", "Shipments"])
def test_a_heading_is_not_what_a_sentence_continues(heading):
    """A PDF's or web page's heading stands as its own line before the text ("Version", then "This is
    version 0.21 of …"): the answer must not open with the heading as if it were context."""
    assert not continues(heading, "This is version 0.21 of the specification.")
    assert continues("The spec has a version.", "This is version 0.21 of the specification.")


def test_words_introduced_by_a_colon_continue_the_sentence_that_introduces_them():
    """"The minister explained:" then the words themselves: the quote needs its speaker."""
    assert continues("The minister explained the decision in a statement:", "We will not sign this year.")
    assert not continues("The minister explained the decision in a statement.", "Officials spoke later.")


def test_a_quoted_tweet_is_shown_after_the_sentence_that_says_who_wrote_it(core_assistant):
    answer = core_assistant.ask("How much aid did the US give Pakistan according to Trump?")
    quotes = [c.quote for c in answer.citations]
    assert quotes[0] == "President Donald Trump tweeted his explanation:", quotes
    assert "33 billion dollars" in quotes[1], quotes

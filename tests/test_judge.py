"""The support judge: quotes and paraphrases pass; changed numbers, swapped names and flipped negations fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import supports
from rag.records import Support

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

ASIF = (
    "Pakistan, of course, rejected the accusations. Asif took the joint press conference with Lavrov as an "
    "opportunity to again highlight Pakistan’s indignation. Asif said, “We remain committed to fighting the "
    "menace of terrorism in cooperation with the international community, including Russia, despite our heavy "
    "human and material losses.” The Pakistani Foreign Minister also pointed out that Pakistan has lost some "
    "70,000 lives in the fight against terrorism.\n\nLavrov responded by saying that Russia “deeply appreciated "
    "Pakistan’s efforts and sacrifices in the fight against terrorism.” Both Foreign Ministers agreed to "
    "coordinate their activities related to the conflict in Afghanistan."
)
ISIS = (
    "Lavrov acknowledged the seriousness of the threat, pointing out that there are already 1,000 ISIS "
    "militants in Afghanistan. The militants are mostly located in Eastern and Northern Afghanistan."
)
CSTO = (
    "The CSTO, comprising Russia,Armenia, Belarus, Kazakhstan, Kyrgyzstan, and Tajikistan, views suchthreats "
    "as collective security challenges, prompting discussions on borderreinforcement and joint exercises."
)


def glued_passage() -> str:
    text = (CORPUS / "000_cac5a6acb37b38dd.txt").read_text(encoding="utf-8")
    start = text.index("ISLAMABAD:")
    return text[start : text.index("Pakistan has repeatedly", start)]


def test_result_unpacks_as_a_triple():
    ok, score, why = supports(ASIF, "Pakistan, of course, rejected the accusations.")
    assert isinstance(supports(ASIF, "x"), Support)
    assert (ok, score, why) == (True, 1.0, "exact quote")


@pytest.mark.parametrize(
    "sentence",
    [
        "PAKISTAN, OF COURSE, REJECTED THE ACCUSATIONS.",
        "Lavrov responded by saying that Russia \"deeply appreciated Pakistan's efforts and sacrifices\"",
        "Pakistan,   of course,\nrejected the accusations [2].",
    ],
)
def test_near_exact_quotes_pass(sentence):
    assert supports(ASIF, sentence) == Support(True, 1.0, "exact quote")


def test_glued_words_in_the_passage_still_match_the_spaced_sentence():
    passage = glued_passage()
    assert "Afghanistanas" in passage and "withPakistan’s" in passage
    sentence = (
        "Russian Foreign Minister Sergey Lavrov has described Afghanistan as a major security concern for "
        "the region, aligning closely with Pakistan’s longstanding position."
    )
    result = supports(passage, sentence)
    assert result.supported and result.reason == "exact quote (ignoring spacing)"


def test_paraphrase_of_glued_text_passes():
    passage = glued_passage()
    result = supports(
        passage, "Lavrov said that instability in Afghanistan and Central Asia are central issues for the CSTO."
    )
    assert result.supported, result
    assert result.reason.startswith("paraphrase")


def test_paraphrase_with_number_in_another_format_passes():
    result = supports(ASIF, "Asif said that Pakistan lost about 70000 lives fighting terrorism.")
    assert result.supported, result
    assert result.reason.startswith("paraphrase: ")


@pytest.mark.parametrize(
    "passage, sentence, reason",
    [
        (ASIF, "Asif said Pakistan has lost some 80,000 lives in the fight against terrorism.",
         "number 80,000 not in passage"),
        (ISIS, "Lavrov said there are already 2,000 ISIS militants in Afghanistan.", "number 2,000 not in passage"),
        (ISIS, "Asif pointed out that there are already 1,000 ISIS militants in Afghanistan.",
         "name 'Asif' not in passage"),
        (ISIS, "Lavrov said there are already 1,000 ISIS militants in Pakistan.", "name 'Pakistan' not in passage"),
        (ISIS, "Lavrov said there are already 1,000 ISIS militants in Afghanistan, mostly in Western Afghanistan.",
         "name 'Western' not in passage"),
        (CSTO, "The CSTO comprises Russia, Armenia, Belarus, Kazakhstan, Kyrgyzstan and Pakistan.",
         "name 'Pakistan' not in passage"),
        (ISIS, "Lavrov said there are already 1,000 ISIS militants in Afghanistan, a figure of 1,000 billion.",
         "word 'billion' not in passage"),
    ],
)
def test_changed_numbers_and_swapped_names_fail_with_a_reason(passage, sentence, reason):
    assert supports(passage, sentence) == (False, supports(passage, sentence).score, reason)


def test_speaker_swap_fails_even_when_both_names_are_in_the_passage():
    claim = "said Pakistan has lost some 70,000 lives in the fight against terrorism."
    assert supports(ASIF, f"Asif {claim}").supported
    result = supports(ASIF, f"Lavrov {claim}")
    assert not result.supported
    assert "Lavrov" in result.reason


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia did not appreciate Pakistan's efforts and sacrifices in the fight against terrorism.",
        "Lavrov said there are no ISIS militants in Afghanistan.",
        "Pakistan never rejected the accusations.",
    ],
)
def test_added_negation_fails(sentence):
    result = supports(ASIF + " " + ISIS, sentence)
    assert (result.supported, result.reason) == (False, "negation not in passage")


def test_dropped_negation_fails():
    passage = "The two ministers discussed Afghanistan, agreeing that there is no military solution."
    assert supports(passage, "The ministers agreed there is no military solution in Afghanistan.").supported
    result = supports(passage, "The ministers agreed there is a military solution in Afghanistan.")
    assert (result.supported, result.reason) == (False, "passage negates it")


def test_opposite_word_fails():
    result = supports(glued_passage(), "Lavrov described Afghanistan as a minor security concern for the region.")
    assert not result.supported
    assert "minor" in result.reason


def test_acronym_and_spelled_out_name_match_each_other():
    assert supports(CSTO, "The Collective Security Treaty Organization views such threats as collective "
                          "security challenges.").supported
    passage = "Established in 2002, the Collective Security Treaty Organization is an intergovernmental alliance."
    assert supports(passage, "The CSTO is an alliance established in 2002.").supported
    assert not supports(passage, "The CSTO is an alliance established in 2004.").supported


def test_fact_from_another_article_fails():
    result = supports(ISIS, "Nabeel Munir led Pakistan's delegation in Moscow.")
    assert not result.supported


def test_fluent_invention_fails_on_coverage():
    result = supports(CSTO, "The member states discussed joint naval drills in the Caspian Sea next spring.")
    assert not result.supported
    assert result.score < 0.75


@pytest.mark.parametrize("passage, sentence, reason", [(ASIF, "", "empty sentence"), ("  ", "Asif said.", "empty passage"),
                                                       (ASIF, "It is.", "no content words")])
def test_degenerate_inputs_are_unsupported(passage, sentence, reason):
    assert supports(passage, sentence) == Support(False, 0.0, reason)


@pytest.mark.parametrize("passage, sentence", [
    ("Forty soldiers were killed in the raid.", "30 soldiers were killed in the raid."),
    ("Forty soldiers were killed in the raid.", "Thirty soldiers were killed in the raid."),
    ("30 soldiers were killed in the raid.", "Forty soldiers were killed in the raid."),
    ("Ninety ships left the port.", "80 ships left the port."),
])
def test_a_number_word_is_its_own_value(passage, sentence):
    result = supports(passage, sentence)
    assert not result.supported and result.reason.startswith("number ")


@pytest.mark.parametrize("passage, sentence", [
    ("Forty soldiers were killed in the raid.", "40 soldiers were killed in the raid."),
    ("40 soldiers were killed in the raid.", "Forty soldiers were killed in the raid."),
    ("Thirty ships left the port.", "30 ships left the port."),
    ("The third meeting was held in May.", "The 3 meeting was held in May."),
])
def test_a_number_word_and_its_digits_agree(passage, sentence):
    assert supports(passage, sentence).supported


def test_a_double_negation_is_an_affirmation():
    passage = "The decision was not without its critics, who said it would push the country closer to its rivals."
    result = supports(passage, "The decision faced no criticism.")
    assert (result.supported, result.reason) == (False, "negation not in passage")


def test_a_name_the_passage_gives_two_ways_supports_either():
    passage = "Attacks by the Northern Liberation Front (NLF) rose in 2021. The NLF claimed 40 of them."
    assert supports(passage, "The Northern Liberation Front claimed 40 attacks.").supported


@pytest.mark.parametrize("passage, sentence, supported", [
    ("The floods pose a risk not only to farms but to the whole valley.", "The floods pose a risk to farms.", True),
    ("The envoy was not just a witness but a negotiator.", "The envoy was a witness.", True),
    ("The floods pose no risk to farms.", "The floods pose a risk to farms.", False),
    ("The envoy was not a witness.", "The envoy was a witness.", False),
])
def test_not_only_affirms_while_not_negates(passage, sentence, supported):
    assert supports(passage, sentence).supported is supported

"""Each eval metric on small hand-computed cases."""

from __future__ import annotations

import math

import pytest

from eval.metrics import (
    Span,
    abstention_scores,
    citation_precision,
    citation_recall,
    contains_answer,
    evidence_rank,
    fact_matches,
    fact_recall,
    hit_at_k,
    mean,
    mrr,
    overlaps,
    percentile,
    quote_integrity,
    squad_normalize,
)
from rag import supports

FILE = "Lavrov said there are already 1,000 ISIS militants in Afghanistan. Pakistan has lost some 70,000 lives."
FACT_A = "Lavrov said there are already 1,000 ISIS militants in Afghanistan."
FACT_B = "Pakistan has lost some 70,000 lives."


def cite(n, text, source="a.txt"):
    start = FILE.find(text)
    return {"n": n, "source": source, "start": start, "end": start + len(text), "quote": text}


def test_overlap_needs_same_file_and_a_shared_character():
    assert overlaps(Span("a", 0, 10), Span("a", 9, 20))
    assert not overlaps(Span("a", 0, 10), Span("a", 10, 20))  # end is exclusive
    assert not overlaps(Span("a", 0, 10), Span("b", 0, 10))


def test_rank_hit_at_k_and_mrr_by_hand():
    gold = [Span("a", 100, 150)]
    retrieved = [Span("b", 100, 150), Span("a", 0, 99), Span("a", 140, 300)]
    assert evidence_rank(retrieved, gold) == 3
    assert evidence_rank(retrieved[:2], gold) is None
    ranks = [1, 3, None, 2]
    assert hit_at_k(ranks, 1) == 0.25
    assert hit_at_k(ranks, 3) == 0.75
    assert mrr(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        hit_at_k(ranks, 0)


def test_fact_matching_is_glue_and_case_insensitive_but_short_facts_stand_alone():
    assert fact_matches("since the Taliban’s return to power in2021", ["2021"])
    assert fact_matches("with CSTOSecretary-General Taalatbek Masadykov", ["Secretary General"])
    assert fact_matches("the us and nato", ["US"])
    assert not fact_matches("thus it was", ["US"])
    assert not fact_matches("killed 1400 people", ["140"])
    assert fact_matches("killed over 140 people", ["140"])


def test_fact_recall_counts_groups_all_required():
    groups = [["Masadykov"], ["Tasmagambetov"], ["CSTO", "Collective Security Treaty Organization"]]
    assert fact_recall("Masadykov heads the Collective Security Treaty Organization.", groups) == pytest.approx(2 / 3)
    assert fact_recall("anything", []) == 1.0


def test_abstention_scores_by_hand():
    # (answerable, abstained): 2 right abstentions, 1 wrong abstention, 1 missed abstention, 2 answered.
    s = abstention_scores([(False, True), (False, True), (True, True), (False, False), (True, False), (True, False)])
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert s.false_abstention_rate == pytest.approx(1 / 3)
    assert (s.abstained, s.unanswerable, s.answerable) == (3, 3, 3)


def test_citation_recall_and_precision_with_a_correct_a_wrong_and_a_hallucinated_sentence():
    answer = {
        "citations": [cite(1, FACT_A), cite(2, FACT_B)],
        "sentences": [
            {"text": FACT_A, "citations": [1]},  # supported, citation relevant
            {"text": "Pakistan has lost some 70,000 lives.", "citations": [1]},  # wrong citation
            {"text": "Pakistan has lost some 90,000 lives.", "citations": [2]},  # hallucinated number
            {"text": FACT_B, "citations": [1, 2]},  # supported; [1] is irrelevant, [2] is needed
        ],
    }
    assert citation_recall(answer, supports) == pytest.approx(2 / 4)
    # citations: s1 [1] ok; s2 [1] bad; s3 [2] bad; s4 [1] bad, [2] ok  -> 2 of 5
    assert citation_precision(answer, supports) == pytest.approx(2 / 5)


def test_uncited_sentence_is_unsupported_and_abstentions_have_no_citation_scores():
    answer = {"citations": [], "sentences": [{"text": FACT_A, "citations": []}]}
    assert citation_recall(answer, supports) == 0.0
    assert citation_precision(answer, supports) is None
    assert citation_recall({"sentences": []}, supports) is None


def test_quote_integrity_compares_quotes_with_the_file():
    files = {"a.txt": FILE}
    good = cite(1, FACT_B)
    shifted = {**good, "start": good["start"] + 1, "end": good["end"] + 1}
    unknown = {**good, "source": "missing.txt"}
    assert quote_integrity([good, shifted, unknown], files.get) == (1, 3)


def test_percentile_interpolates_like_numpy():
    values = [10, 20, 30, 40]
    assert percentile(values, 50) == 25
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile([7], 95) == 7
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="got 101"):
        percentile(values, 101)


def test_mean_skips_missing_values():
    assert mean([1.0, None, 0.0]) == 0.5
    assert mean([None]) is None


def test_squad_normalisation_and_containment():
    assert squad_normalize("The  Normans, in France!") == "normans in france"
    assert contains_answer("It was the Normans who came.", ["Normans"])
    assert contains_answer("in 10th and 11th centuries", ["10th and 11th centuries"])
    assert not contains_answer("in the 110th century", ["10th"])


def test_generated_sentences_the_verifier_removed_are_not_scored_as_shown():
    from eval.metrics import citation_recall, shown_sentences

    passage = "The attack killed over 140 people."
    answer = {
        "mode": "generative", "removed": 1,
        "citations": [{"n": 1, "quote": passage}],
        "sentences": [{"text": "The attack killed over 140 people.", "citations": [1], "supported": True},
                      {"text": "The attack killed 900 people.", "citations": [1], "supported": False}],
    }
    assert len(shown_sentences(answer)) == 1
    assert citation_recall(answer, lambda p, s: (s in p, 1.0, "")) == 1.0
    shown_flagged = dict(answer, removed=0)  # --keep-unsupported: the flagged sentence was shown
    assert citation_recall(shown_flagged, lambda p, s: (s in p, 1.0, "")) == 0.5

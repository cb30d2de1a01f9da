"""The gold data itself: enough questions of every kind, spans that are where they say, facts inside
their evidence, judge pairs that quote the corpus, and a judge that clears its bar on held-out pairs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from eval.gold import KINDS, load_questions
from eval.judge_validation import load_pairs, validate_judge
from eval.metrics import fact_matches
from eval.tools import build_judge_pairs, build_questions
from rag import supports

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def text(source: str) -> str:
    return (CORPUS / source).read_bytes().decode("utf-8")


def test_question_set_covers_every_kind():
    questions = load_questions()
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 45
    assert set(kinds) == set(KINDS)
    assert all(n >= 4 for n in kinds.values()), kinds
    assert kinds["unanswerable"] >= 10
    assert all(not q.answerable for q in questions if q.kind == "unanswerable")
    assert all(q.history for q in questions if q.kind == "follow_up")
    assert all(len(q.gold_sources) >= 2 for q in questions if q.kind == "multi_article")
    assert all(q.gold_sources == ("000_cac5a6acb37b38dd.txt",) for q in questions if q.kind == "glued")


def test_spans_are_in_their_files_and_every_fact_group_is_in_the_evidence():
    for q in load_questions():
        evidence = " ".join(text(s["source"])[s["start"]:s["end"]] for s in q.gold_spans)
        for s in q.gold_spans:
            assert s["source"] in q.gold_sources
            assert 0 <= s["start"] < s["end"] <= len(text(s["source"])), (q.id, s)
        for group in q.gold_facts:
            assert fact_matches(evidence, group), (q.id, group)


def test_data_files_are_what_their_builders_write():
    """The checked-in files are reproducible from the corpus (offsets computed, not typed)."""
    rows = build_questions.build()
    on_disk = [q.id for q in load_questions()]
    assert [r["id"] for r in rows] == on_disk
    assert build_judge_pairs.build() == load_pairs()


def test_judge_pairs_quote_the_corpus_and_are_balanced():
    pairs = load_pairs()
    assert len(pairs) >= 80
    for p in pairs:
        assert text(p["source"])[p["start"]:p["end"]] == p["passage"], p["id"]
    labels = Counter(p["supported"] for p in pairs)
    assert min(labels.values()) >= 0.4 * len(pairs)
    kinds = Counter(p["kind"] for p in pairs)
    for kind in ("number", "person", "country", "negation", "other_article", "invention", "glued_exact",
                 "glued_paraphrase"):
        assert kinds[kind] >= 5, kind
    assert Counter(p["split"] for p in pairs)["heldout"] >= 0.4 * len(pairs)


def test_judge_reaches_ninety_percent_balanced_accuracy_on_held_out_pairs():
    result = validate_judge(judge=supports)
    held = result["splits"]["heldout"]
    assert held["balanced_accuracy"] >= 0.9, result["errors"]

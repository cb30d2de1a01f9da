"""A serving process reloads after each commit from what did not change: the same passages, vectors
and corpus counts as a full load, with the unchanged documents' passages shared, not copied."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ARTICLES, core_write

from rag.assistant.state import AnswerState, corpus_words, updated_words
from rag.text.names import CaseStats

A = ARTICLES


def _change_three_ways(idx) -> None:
    path = idx.corpus / A["003"]
    path.write_text(path.read_text(encoding="utf-8").replace("established in 2002", "established in 1992"),
                    encoding="utf-8")
    (idx.corpus / A["000"]).unlink()
    core_write(idx.corpus / "aa-new.txt", "Port Report\n\nThe port of Aktau handled 41 tankers in June.\n")


@pytest.mark.parametrize("exact_limit", [50_000, 0], ids=["vectors in memory", "big index"])
def test_a_reload_after_a_change_equals_a_full_load(core_index_copy, exact_limit):
    idx = core_index_copy
    a = idx.assistant()
    before = a.store.load(exact_limit=exact_limit)
    _change_three_ways(idx)
    report = a.index()
    assert report.added == ("aa-new.txt",) and report.updated == (A["003"],) and report.removed == (A["000"],)
    reused = a.store.load(exact_limit=exact_limit, previous=before)
    full = a.store.load(exact_limit=exact_limit)
    assert reused.passages == full.passages
    assert reused.documents == full.documents and reused.generation == full.generation
    np.testing.assert_array_equal(reused.passage_matrix, full.passage_matrix)
    np.testing.assert_array_equal(reused.sentence_matrix, full.sentence_matrix)
    old = {p.id: p for p in before.passages}
    kept = [p for p in reused.passages if p.source == A["002"]]
    assert kept and all(old[p.id] is p for p in kept), "an unchanged document's passages are shared"
    assert not any(p.source == A["000"] for p in reused.passages)
    hit = a.retriever.retrieve(reused, "How many tankers did the port of Aktau handle?", k=1)[0]
    assert hit.passage.source == "aa-new.txt"
    a.store.close()


def test_a_reload_across_a_rebuild_reads_everything(core_index_copy):
    idx = core_index_copy
    a = idx.assistant()
    before = a.store.load()
    a.index(rebuild=True)
    after = a.store.load(previous=before)
    assert after.token.generation != before.token.generation
    assert not any(p is q for p, q in zip(after.passages, before.passages)), "another records file: nothing reused"
    a.store.close()


def test_updated_corpus_counts_equal_a_recount(core_index_copy):
    idx = core_index_copy
    a = idx.assistant()
    before = a.store.load()
    _change_three_ways(idx)
    a.index()
    after = a.store.load(previous=before)
    counts, cases = updated_words(corpus_words(before.passages), before.passages, after.passages)
    want_counts, want_cases = corpus_words(after.passages)
    assert counts == want_counts and cases.lower == want_cases.lower
    assert counts["tankers"] == want_counts["tankers"] > 0 and "tankers" not in corpus_words(before.passages)[0]
    state = AnswerState(before)
    assert AnswerState(after, previous=state).words[0] == want_counts
    a.store.close()


def test_a_word_leaves_the_ordinary_words_with_its_last_lower_case_use():
    stats = CaseStats()
    stats.add("the harbour opened")
    stats.add("a harbour closed")
    stats.remove("a harbour closed")
    assert stats.ordinary("Harbour") and not stats.ordinary("closed")
    stats.remove("the harbour opened")
    assert not stats.ordinary("harbour") and not stats.lower

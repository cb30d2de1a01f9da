"""Re-indexing: idempotent, incremental, no stale passages, no duplicates between SQLite and Chroma."""

from __future__ import annotations

import shutil

import pytest

from conftest import ARTICLES, core_check_index, core_records

import rag
from rag.ingest.chunk import Chunker
from rag.ingest.corpus import read_document

A = ARTICLES


def _ids(assistant) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in assistant.store.passages():
        out.setdefault(p.source, []).append(p.id)
    return out


def _texts(index, source: str) -> int:
    """How many model runs a file is embedded in: one per passage (its sentences are pooled from it)."""
    doc = read_document(index.corpus / source, index.corpus)
    return len(Chunker(rag.Settings().max_passage_tokens).split(doc))


def test_session_index_matches_the_corpus(core_index):
    expected = core_check_index(core_index.corpus, core_index.home)
    assert sorted(expected) == sorted(A.values())


def test_second_index_embeds_nothing_and_keeps_ids(core_index_copy):
    idx = core_index_copy
    a = idx.assistant()
    before = _ids(a)
    report = a.index()
    assert report.embedded == 0 and not report.changed
    assert report.unchanged == 5 and report.documents == 5
    assert _ids(a) == before
    a.store.close()
    # a new process-level Assistant over the same folders: still nothing to do
    b = idx.assistant()
    report = b.index()
    assert report.embedded == 0 and not report.changed
    assert _ids(b) == before
    b.store.close()
    assert core_check_index(idx.corpus, idx.home) == before


def test_changed_file_is_re_embedded_alone_and_leaves_no_stale_passages(core_index_copy):
    idx = core_index_copy
    a = idx.assistant()
    before = _ids(a)
    path = idx.corpus / A["003"]
    old = path.read_bytes().decode("utf-8")
    assert old.count("established in 2002") == 1
    path.write_bytes(old.replace("established in 2002", "established in 1992").encode("utf-8"))

    report = a.index()
    assert report.updated == (A["003"],) and report.added == () and report.removed == ()
    assert 0 < report.embedded <= _texts(idx, A["003"])
    after = _ids(a)
    for key in ("000", "001", "002", "004"):
        assert after[A[key]] == before[A[key]], f"{key} should not change"
    assert after[A["003"]] != before[A["003"]]
    assert set(after[A["003"]]) & set(before[A["003"]]), "unchanged paragraphs of 003 keep their ids"

    # the old text is gone from every part of the index, the new text is found
    assert not any("established in 2002" in p.text for p in a.store.passages())
    for hit in a.retrieve("When was the CSTO established in 2002?", k=10):
        assert "established in 2002" not in hit.passage.text
    answer = a.ask("When was the CSTO established?")
    assert not answer.abstained and "1992" in answer.text and "2002" not in answer.text
    text = path.read_bytes().decode("utf-8")
    for c in answer.citations:
        if c.source == A["003"]:
            assert text[c.start:c.end] == c.quote
    a.store.close()
    core_check_index(idx.corpus, idx.home)

    # putting the original text back restores the original passages exactly
    path.write_bytes(old.encode("utf-8"))
    b = idx.assistant()
    report = b.index()
    assert report.updated == (A["003"],)
    assert _ids(b) == before
    b.store.close()
    core_check_index(idx.corpus, idx.home)


def test_deleted_file_loses_its_passages(core_index_copy):
    idx = core_index_copy
    a = idx.assistant()
    gone = set(_ids(a)[A["001"]])
    (idx.corpus / A["001"]).unlink()
    report = a.index()
    assert report.removed == (A["001"],) and report.embedded == 0 and report.documents == 4
    assert A["001"] not in {d.source for d in a.documents()}
    assert not gone & {p.id for p in a.store.passages()}
    assert not gone & a.store.vector_ids()
    # Crocus City Hall is only in 001
    answer = a.ask("How many people were killed in the Crocus City Hall attack?")
    assert answer.abstained
    assert all(c.source != A["001"] for c in answer.related)
    a.store.close()
    core_check_index(idx.corpus, idx.home)


def test_added_file_is_indexed_and_answered(core_index_copy):
    idx = core_index_copy
    a = idx.assistant()
    before = _ids(a)
    new = idx.corpus / "extra" / "005_summit.md"
    new.parent.mkdir()
    new.write_text("# CSTO Summit In Astana\n\nThe CSTO summit in Astana on 14 October was attended by 3,200 delegates "
                   "from member states.\n\nOrganisers said the next summit will be held in Yerevan.\n", encoding="utf-8")
    report = a.index()
    assert report.added == ("extra/005_summit.md",) and report.updated == () and report.removed == ()
    assert report.embedded == _texts(idx, "extra/005_summit.md")
    after = _ids(a)
    assert {k: v for k, v in after.items() if k != "extra/005_summit.md"} == before
    answer = a.ask("How many delegates attended the CSTO summit in Astana?")
    assert not answer.abstained and "3,200" in answer.text
    assert any(c.source == "extra/005_summit.md" and "3,200" in c.quote for c in answer.citations)
    a.store.close()
    core_check_index(idx.corpus, idx.home)


def test_same_text_in_two_files_and_twice_in_one_file_gives_no_duplicate_ids(core_index_copy):
    idx = core_index_copy
    shutil.copy(idx.corpus / A["004"], idx.corpus / "mirror_004.txt")
    # paragraphs long enough to be passages of their own (short ones are joined to their neighbours)
    para = ("The depot in Gyumri stores 640 tonnes of grain for the winter, according to the regional "
            "governor, who said that the stock would last until the spring harvest and that a second depot "
            "near Vanadzor would open once the railway line to the north has been repaired.\n\n")
    other = ("Something else happened in the meantime: the council of Dilijan voted to rebuild the old bridge "
             "over the Aghstev river, which was closed after the floods, and to pay for it from the budget "
             "reserve set aside for emergencies in the previous year.\n\n")
    (idx.corpus / "repeat.txt").write_text("Repeat\n\n" + para + other + para, encoding="utf-8")
    a = idx.assistant()
    a.index()
    ids = _ids(a)
    assert len(ids["mirror_004.txt"]) == len(ids[A["004"]])
    assert not set(ids["mirror_004.txt"]) & set(ids[A["004"]])
    repeat = [p for p in a.store.passages() if p.source == "repeat.txt" and "Gyumri" in p.text]
    assert len(repeat) == 2 and repeat[0].id != repeat[1].id
    a.store.close()
    core_check_index(idx.corpus, idx.home)
    # and re-indexing this state changes nothing
    b = idx.assistant()
    assert b.index().embedded == 0
    assert _ids(b) == ids
    b.store.close()


def test_ask_indexes_on_first_use(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("Ferry Note\n\nThe Saaremaa ferry carries 150 cars per crossing.\n",
                                     encoding="utf-8")
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    assert a.status().passages == 0
    answer = a.ask("How many cars does the Saaremaa ferry carry per crossing?")
    assert not answer.abstained and "150" in answer.text
    assert a.status().documents == 1
    assert core_records(tmp_path / "home").is_file()


def test_default_home_is_beside_the_corpus(tmp_path, monkeypatch):
    monkeypatch.delenv("RAG_HOME", raising=False)
    monkeypatch.delenv("RAG_CORPUS", raising=False)
    corpus = tmp_path / "docs"
    corpus.mkdir()
    a = rag.Assistant(corpus_dir=corpus)
    assert a.home.resolve() == (tmp_path / ".rag").resolve()
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "elsewhere"))
    assert rag.Assistant(corpus_dir=corpus).home.resolve() == (tmp_path / "elsewhere").resolve()


def test_a_committed_file_is_replaced_by_its_ids_without_scanning_the_collection(core_index_copy, monkeypatch):
    """At 10k passages finding a file's vectors by metadata took 0.47 s per collection; ids cost nothing."""
    from rag.index.vectors import ChromaVectors

    idx = core_index_copy
    scans, deleted = [], []
    real, real_ids = ChromaVectors.delete_sources, ChromaVectors.delete_ids
    monkeypatch.setattr(ChromaVectors, "delete_sources", lambda self, sources: (scans.append(list(sources)),
                                                                                real(self, sources)))
    monkeypatch.setattr(ChromaVectors, "delete_ids", lambda self, ids: (deleted.extend(ids), real_ids(self, ids)))
    before = {p.id for p in idx.assistant().store.passages() if p.source == A["003"]}
    path = idx.corpus / A["003"]
    path.write_text(path.read_text(encoding="utf-8").replace("established in 2002", "established in 1992"),
                    encoding="utf-8")
    (idx.corpus / A["000"]).unlink()
    a = idx.assistant()
    report = a.index()
    assert report.updated == (A["003"],) and report.removed == (A["000"],)
    assert scans == []
    after = {p.id for p in a.store.passages() if p.source == A["003"]}
    changed = {i for i in deleted if i in before}
    assert changed and changed == before - after, \
        "only the changed paragraph's vectors are deleted; the unchanged ones are rewritten in place"
    a.store.close()
    core_check_index(idx.corpus, idx.home)


def test_vectors_a_stopped_run_wrote_for_a_new_file_are_found_by_source(core_index_copy):
    """A run stopped between Chroma and the SQLite commit leaves vectors no record names."""
    import numpy as np

    from rag.index.sqlite import Records
    from rag.index.vectors import vectors_for

    idx = core_index_copy
    new = "new-report.txt"
    records = Records(core_records(idx.home))
    records.mark_dirty_many([new])  # what the stopped run did before writing its vectors
    vectors = vectors_for(core_records(idx.home).parent, records.get_meta("vectors"), None)
    stray = np.ones((2, 384), np.float32) / np.sqrt(384)
    vectors.upsert(["stray-a", "stray-b"], stray, [{"source": new, "start": 0, "end": 1, "ord": 0, "boilerplate": 0}] * 2)
    vectors.close()
    records.close()
    (idx.corpus / new).write_text("Port Report\n\nThe port of Aktau handled 41 tankers in June.\n", encoding="utf-8")
    a = idx.assistant()
    assert a.index().added == (new,)
    a.store.close()
    core_check_index(idx.corpus, idx.home)  # no stray left in the collection
    assert Records(core_records(idx.home)).in_flight() == set()


def test_a_big_index_keeps_its_vectors_out_of_memory_and_ranks_the_same(core_index_copy):
    """Above the exact limit the vectors stay on disk: HNSW ranks passages, the sentences of the
    passages HNSW and BM25 rank highest come from the records, and the hits match the exact scan."""
    import numpy as np

    from rag.retrieve import HybridRetriever

    a = core_index_copy.assistant()
    exact = a.store.load()
    big = a.store.load(exact_limit=0)
    assert exact.in_memory and not big.in_memory
    assert big.passage_matrix.size == 0 and big.sentence_matrix.size == 0, "no vector may be held in RAM"
    for retriever in (HybridRetriever(a.embedder, dense_top_n=len(big)), HybridRetriever(a.embedder, dense_top_n=4)):
        for question in ("When was the CSTO established?", "How many people were killed in the concert hall?",
                         "what did the foreign minister say about terrorists"):
            want = retriever.retrieve(exact, question, k=5)
            got = retriever.retrieve(big, question, k=5)
            assert got[0].passage.id == want[0].passage.id
            if retriever.dense_top_n == len(big):  # every passage a candidate: the exact scores
                assert [h.passage.id for h in got] == [h.passage.id for h in want]
                for g, w in zip(got, want):
                    np.testing.assert_allclose(g.sentence_scores, w.sentence_scores, atol=1e-3)
                    assert g.score == pytest.approx(w.score, abs=1e-3)
            for g in got:  # a hit outside the candidates still gets its sentences' real scores
                assert len(g.sentence_scores) == len(g.passage.sentences)
                np.testing.assert_allclose(g.sentence_scores, exact.sentence_scores(
                    [exact.by_id[g.passage.id]], a.embedder.embed(question))[0], atol=1e-3)
    # the candidates get their exact best sentence, every other passage the lowest best found
    qvec = a.embedder.embed("When was the CSTO established?")
    full = exact.sentence_evidence(qvec)[0]
    best, sims = big.sentence_evidence(qvec, [0, 3, 7])
    assert sorted(sims) == [0, 3, 7]
    floor = min(float(full[i]) for i in (0, 3, 7))
    for i in range(len(exact)):
        assert float(best[i]) == pytest.approx(float(full[i]) if i in (0, 3, 7) else floor, abs=1e-3)
    a.store.close()


def test_previous_terms_are_those_of_the_passage_before_in_the_same_file(core_assistant):
    from rag.text.normalize import content_terms

    state = core_assistant._ready()
    want, previous = {}, {}
    for p in state.snap.passages:
        if p.source in previous:
            want[p.id] = previous[p.source]
        previous[p.source] = set(content_terms(p.sentences[-1].clean)) if p.sentences else set()
    assert want and dict(state.before.items()) == want and len(state.before) == len(want)
    first = state.snap.passages[0].id
    assert first not in state.before and state.before.get(first) is None


def test_corpus_word_counts_read_in_chunks_equal_those_of_each_passage(core_assistant):
    from collections import Counter

    from rag.assistant.state import corpus_words
    from rag.text.names import CaseStats
    from rag.text.normalize import words

    passages = list(core_assistant._ready().snap.passages)
    edges = ["Moscow's", "s' view", "ends with Putin's", "naïve café Möngke", "x", "lower-case words'", "Nato's"]
    passages += [p.__class__(**{**p.__dict__, "id": f"edge{i}", "clean": t}) for i, (p, t) in
                 enumerate(zip(passages, edges))]
    want_counts, want_cases = Counter(), CaseStats()
    for p in passages:
        want_counts.update(w.lower() for w in words(p.clean))
        want_cases.add(p.clean)
    for chunk in (1, 3, 2000):
        counts, cases = corpus_words(passages, chunk=chunk)
        assert counts == want_counts and cases.lower == want_cases.lower


def test_the_sentence_collection_an_older_index_kept_goes_on_the_next_change(core_index_copy):
    """Sentence vectors are in the records only; an index made before keeps a second collection of
    ~5 vectors per passage on disk until a run that writes deletes it."""
    import numpy as np

    from rag.index.sqlite import Records
    from rag.index.vectors import vectors_for

    idx = core_index_copy
    records = Records(core_records(idx.home))
    vectors = vectors_for(core_records(idx.home).parent, records.get_meta("vectors"), None)
    old = vectors.client().get_or_create_collection("sentences", embedding_function=None)
    old.upsert(ids=["x:0"], embeddings=np.ones((1, 384), np.float32), metadatas=[{"source": A["003"]}])
    vectors.close()
    records.close()

    def names() -> set[str]:
        v = vectors_for(core_records(idx.home).parent, "embedded", None)
        try:
            return {getattr(c, "name", c) for c in v.client().list_collections()}
        finally:
            v.close()

    a = idx.assistant()
    a.index()
    assert "sentences" in names(), "a run with nothing changed writes nothing"
    path = idx.corpus / A["003"]
    path.write_text(path.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8")
    assert a.index().updated == (A["003"],)
    a.store.close()
    assert names() == {"passages"}
    core_check_index(idx.corpus, idx.home)


def test_one_document_is_looked_up_by_its_name_only(core_assistant):
    listed = {d.source: d for d in core_assistant.documents()}
    assert core_assistant.document(A["004"]) == listed[A["004"]]
    for bad in ("nope.txt", "../corpus/" + A["004"], "", None):
        assert core_assistant.document(bad) is None

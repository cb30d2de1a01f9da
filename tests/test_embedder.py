"""Another embedding model behind the same pipeline: the index records whose vectors it holds, and
vectors of two models never meet (a question embedded by one is never compared with the other's)."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
import rag

ROOT = Path(__file__).resolve().parents[1]


class WordHashing:
    """A tiny deterministic embedder (word hashing): a stand-in for any other model."""

    def __init__(self, name: str = "word-hashing-64") -> None:
        self.model_name = name

    @property
    def dimension(self) -> int:
        return 64

    def embed(self, text: str) -> np.ndarray:
        v = np.zeros(64, dtype=np.float32)
        for w in text.lower().split():
            v[zlib.crc32(w.encode()) % 64] += 1.0
        return v / max(float(np.linalg.norm(v)), 1e-9)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed(t) for t in texts])


@pytest.fixture
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in sorted((ROOT / "corpus").iterdir())[:2]:
        shutil.copy(name, corpus / name.name)
    return corpus


def test_an_assistant_indexes_and_answers_with_the_embedder_it_is_given(small_corpus, tmp_path):
    a = rag.Assistant(small_corpus, tmp_path / "home", embedder=WordHashing())
    report = a.index()
    assert report.passages > 0 and report.embedded > report.passages  # passages and their sentences
    assert a.store.get_meta("embedder") == "word-hashing-64"
    answer = a.ask("What did the article say?")
    for c in answer.citations:  # whatever it answers is still quoted exactly from its file
        assert (small_corpus / c.source).read_text(encoding="utf-8")[c.start:c.end] == c.quote
    a.close()


def test_vectors_of_another_model_are_refused_in_one_line_and_rebuilt_by_index(small_corpus, tmp_path):
    home = tmp_path / "home"
    first = rag.Assistant(small_corpus, home, embedder=WordHashing())
    first.index()
    first.close()
    other = rag.Assistant(small_corpus, home, embedder=WordHashing("word-hashing-64-v2"))
    with pytest.raises(rag.RagError, match=r"holds vectors of 'word-hashing-64', not of this assistant's "
                                           r"'word-hashing-64-v2'; run `rag index --rebuild`"):
        other.ask("What did the article say?")
    report = other.index()  # a run with another model builds a new generation beside the old one
    assert report.embedded > report.passages and report.set_aside
    assert other.store.get_meta("embedder") == "word-hashing-64-v2"
    other.ask("What did the article say?")
    other.close()


@pytest.mark.parametrize("bad, missing", [(object(), "model_name, dimension, embed, embed_many"),
                                          (WordHashing(""), "non-empty")])
def test_an_embedder_without_the_protocol_is_refused_naming_what_it_lacks(bad, missing, tmp_path):
    with pytest.raises(ValueError, match=missing):
        rag.Assistant(tmp_path, tmp_path / "home", embedder=bad)


def test_the_product_embedder_is_the_protocol():
    assert isinstance(rag.MiniLMEmbedding(), rag.Embedder)
    assert isinstance(WordHashing(), rag.Embedder)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_the_index_reads_each_passage_once_and_pools_its_sentences_from_that_run(small_corpus, tmp_path):
    a = rag.Assistant(small_corpus, tmp_path / "home")
    report = a.index()
    assert report.embedded == report.passages  # one model run per passage, none per sentence
    snap = a.store.load()
    model = rag.MiniLMEmbedding()
    p = next(p for p in snap.passages if len(p.sentences) >= 3)
    row = snap.sentence_starts[snap.by_id[p.id]]
    stored = snap.sentence_matrix[row:row + len(p.sentences)]
    alone = model.embed_many([s.clean for s in p.sentences])
    for s, late, own in zip(p.sentences, stored, alone):
        # read in its passage: near the sentence alone, but not it (the passage's context is in it)
        assert 0.5 < _cos(late, own) < 0.995, s.clean
    assert _cos(snap.passage_matrix[snap.by_id[p.id]], model.embed(p.clean)) > 0.999
    a.close()


def test_a_sentence_past_the_models_window_is_embedded_on_its_own():
    model = rag.MiniLMEmbedding()
    first = "The harbour commission approved the new ferry timetable on Monday."
    filler = " ".join(f"Clause {i} lists the berth fees for vessels of class {i}." for i in range(40))
    last = "The last ferry now leaves at midnight."
    text = f"{first} {filler} {last}"
    spans = [(0, len(first)), (len(first) + 1, len(first) + 1 + len(filler)), (len(text) - len(last), len(text))]
    [(passage, sentences)] = model.embed_passages([(text, spans)])
    assert model.runtime.word_pieces(text) > 256  # the run sees only the start of the text
    assert _cos(sentences[2], model.embed(last)) > 0.999  # beyond the window: embedded alone
    assert 0.5 < _cos(sentences[0], model.embed(first)) < 0.999  # inside it: pooled from the run
    assert np.allclose(np.linalg.norm(sentences, axis=1), 1.0, atol=1e-5)
    assert _cos(passage, model.embed(text)) > 0.999


def test_many_texts_run_on_every_core_at_once_and_come_back_in_order():
    model = rag.MiniLMEmbedding()
    texts = [f"Ferry {i} leaves pier {i % 7} at {i % 12} o'clock" + " with cargo" * (i % 9) for i in range(70)]
    runtime = model.runtime
    assert len(list(runtime._batches(list(range(len(texts))), runtime.tokenizer.encode_batch(texts)))) > 2
    many = model.embed_many(texts)  # several batches, run at once on the one-thread session
    for text, vec in zip(texts, many):
        assert _cos(vec, model.embed(text)) > 0.9999, text
    items = [(t, [(0, t.index(" at"))]) for t in texts]
    together = model.embed_passages(items)
    for item, (pv, sv) in zip(items, together):
        [(alone_pv, alone_sv)] = model.embed_passages([item])
        assert _cos(pv, alone_pv) > 0.9999 and _cos(sv[0], alone_sv[0]) > 0.9999

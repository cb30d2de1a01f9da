"""Segmented BM25: the same scores as one index built from scratch, whatever the history of changes."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from rag.index.bm25 import K1, B, build_bm25, bm25_tokens, fingerprint_of
from rag.index.bm25_store import MANIFEST, bm25_matches, load_bm25, update_bm25
from rag.records import Passage

WORDS = ("pipeline gas tanker port treaty summit minister border drone strike harvest wheat grain price "
         "council vote election court ruling bank rate inflation export import river bridge flood").split()


def _passage(i: int, text: str) -> Passage:
    return Passage(id=f"p{i:05d}", source=f"f{i // 3}.txt", title="t", url=None, start=0, end=len(text),
                   text=text, clean=text, sentences=(), ord=i % 3)


def _corpus(n: int, seed: int = 3) -> list[Passage]:
    rng = random.Random(seed)
    return [_passage(i, " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40)))) for i in range(n)]


def _bm25s_scores(passages, query):
    bm25s = pytest.importorskip("bm25s")
    ref = bm25s.BM25(k1=K1, b=B)
    ref.index([bm25_tokens(p.clean) for p in passages], show_progress=False)
    tokens = [t for t in bm25_tokens(query) if t in ref.vocab_dict]
    return np.asarray(ref.get_scores(tokens), dtype=np.float32) if tokens else np.zeros(len(passages))


QUERIES = ("gas pipeline price", "the court ruling on the election", "wheat wheat harvest", "nothing matches zebra")


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_bm25s_lucene(query):
    passages = _corpus(300)
    ours = build_bm25(passages).scores(bm25_tokens(query))
    assert np.allclose(ours, _bm25s_scores(passages, query), rtol=1e-5, atol=1e-6)


class _Records:
    """The two calls update_bm25 makes of the index records, over a list that changes."""

    def __init__(self, passages):
        self.passages = list(passages)
        self.fetched = 0

    def ids(self):
        return [p.id for p in self.passages]

    def fetch(self, ids):
        self.fetched += len(ids)
        by_id = {p.id: p for p in self.passages}
        return [by_id[i] for i in ids if i in by_id]

    def update(self, folder):
        return update_bm25(folder, fingerprint_of(self.ids()), self.ids(), self.fetch)


def _assert_exact(folder, passages):
    bm25, tokenized = load_bm25(folder, passages)
    assert tokenized == 0  # every row came from the saved segments
    for q in QUERIES:
        assert np.allclose(bm25.scores(bm25_tokens(q)), _bm25s_scores(passages, q), rtol=1e-5, atol=1e-6)


def test_a_change_tokenizes_only_new_passages_and_scores_stay_exact(tmp_path):
    folder = tmp_path / "bm25"
    recs = _Records(_corpus(400))
    assert recs.update(folder) == "rebuilt" and recs.fetched == 400
    assert recs.update(folder) == "unchanged" and recs.fetched == 400
    recs.passages = recs.passages[3:] + _corpus(403)[400:]  # one file went, one came
    recs.fetched = 0
    assert recs.update(folder) == "appended" and recs.fetched == 3
    _assert_exact(folder, recs.passages)
    assert bm25_matches(folder, fingerprint_of(recs.ids()))
    manifest = json.loads((folder / MANIFEST).read_text())
    assert len(manifest["segments"]) == 2 and manifest["deleted"] == ["p00000", "p00001", "p00002"]


def test_deletions_past_the_ratio_merge_into_one_segment_without_tokenizing(tmp_path):
    folder = tmp_path / "bm25"
    recs = _Records(_corpus(100))
    recs.update(folder)
    recs.passages = recs.passages[30:]
    recs.fetched = 0
    assert recs.update(folder) == "merged" and recs.fetched == 0
    assert [p.name for p in folder.iterdir() if p.suffix == ".npz"].__len__() == 1
    _assert_exact(folder, recs.passages)


def test_a_restored_passage_is_revived_not_added_twice(tmp_path):
    folder = tmp_path / "bm25"
    full = _corpus(200)
    recs = _Records(full)
    recs.update(folder)
    recs.passages = full[1:]
    recs.update(folder)
    recs.passages, recs.fetched = full, 0
    assert recs.update(folder) == "appended" and recs.fetched == 0
    _assert_exact(folder, full)


def test_a_reader_one_commit_behind_still_scores_exactly(tmp_path):
    folder = tmp_path / "bm25"
    old = _corpus(200)
    recs = _Records(old)
    recs.update(folder)
    recs.passages = old[5:] + _corpus(210)[200:]
    recs.update(folder)
    _assert_exact(folder, old)  # the deleted rows are still there for it


def test_a_damaged_segment_is_not_trusted(tmp_path):
    folder = tmp_path / "bm25"
    recs = _Records(_corpus(150))
    recs.update(folder)
    seg = next(folder.glob("seg-*.npz"))
    seg.write_bytes(seg.read_bytes()[:-10] + b"0123456789")
    assert not bm25_matches(folder, fingerprint_of(recs.ids()))
    bm25, tokenized = load_bm25(folder, recs.passages)
    assert tokenized == 150
    assert np.allclose(bm25.scores(bm25_tokens("gas price")), _bm25s_scores(recs.passages, "gas price"), rtol=1e-5)
    assert recs.update(folder) == "rebuilt"
    _assert_exact(folder, recs.passages)


def test_an_empty_collection_and_an_empty_passage_score_zero(tmp_path):
    assert len(build_bm25([]).scores(["gas"])) == 0
    bm25 = build_bm25([_passage(0, ""), _passage(1, "gas pipeline")])
    assert bm25.scores(bm25_tokens("gas"))[0] == 0 and bm25.scores(bm25_tokens("gas"))[1] > 0


def test_nothing_changed_is_told_from_the_manifest_without_reading_a_segment(tmp_path, monkeypatch):
    import rag.index.bm25_store as store

    folder = tmp_path / "bm25"
    recs = _Records(_corpus(120))
    recs.update(folder)

    def no_parsing(*a, **kw):
        raise AssertionError("an unchanged run parsed a segment")

    monkeypatch.setattr(store, "_segments", no_parsing)
    assert recs.update(folder) == "unchanged" and recs.fetched == 120


def test_document_frequencies_are_each_terms_passage_count_over_the_passages_held(tmp_path):
    from collections import Counter

    from rag.text.normalize import content_terms

    folder = tmp_path / "bm25"
    full = _corpus(300) + [_passage(300, "")]
    recs = _Records(full)
    recs.update(folder)
    recs.passages = full[40:]  # a snapshot after deletions still counts only the passages it holds
    recs.update(folder)
    bm25, _ = load_bm25(folder, recs.passages)
    want = Counter(t for p in recs.passages for t in set(content_terms(p.clean)))
    assert bm25.doc_freq() == dict(want)

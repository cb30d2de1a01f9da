"""An immutable in-memory view of one committed state of the index: what every answer is made from.

A snapshot is loaded in one read transaction, so its passages, vectors and document records belong
to one generation; an answer uses one snapshot from start to end, so its quotes never mix two states
of a file. A new snapshot replaces the old one as a whole.

Up to ``EXACT_LIMIT`` passages the vectors are held in memory and scored exactly. Above it they stay
on disk: Chroma's HNSW index ranks the passages, and the sentence vectors of the candidate passages
(those HNSW and BM25 ranked highest) are read from the records — a big index does not hold ~500,000
sentence vectors in RAM (BENCHMARKS.md, "A big index keeps its vectors in Chroma").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from rag.index.bm25 import Bm25, bm25_tokens, fingerprint_of
from rag.index.bm25_store import load_bm25
from rag.index.sqlite import DocRecord, Loaded

if TYPE_CHECKING:  # pragma: no cover
    from rag.index.home import Token
    from rag.index.sqlite import Records
    from rag.index.vectors import ChromaVectors

__all__ = ["EXACT_LIMIT", "Snapshot", "fingerprint_of"]

#: Up to this many passages dense scores are an exact scan of the in-memory matrix; above it, the
#: vector store's HNSW index ranks them (see ``Snapshot.dense_scores``).
EXACT_LIMIT = 50_000


class Snapshot:
    """Passages, their vectors and the BM25 index of one generation."""

    def __init__(self, loaded: Loaded, token: "Token | None" = None, bm25: Bm25 | None = None,
                 vectors: "ChromaVectors | None" = None, bm25_dir: Any = None, records: "Records | None" = None):
        """``vectors`` and ``records`` given: the vectors were not loaded (a big index), the vector
        store ranks them and ``records`` gives the retrieved passages' sentence vectors."""
        self.token = token
        self.loaded = loaded  # what a reload reuses (rag.index.loaded)
        self.generation = loaded.generation
        self.documents: dict[str, DocRecord] = loaded.documents
        self.passages = loaded.passages
        self.by_id = {p.id: i for i, p in enumerate(self.passages)}
        self.dim = loaded.dim or (loaded.passage_vectors.shape[1] if loaded.passage_vectors.size else 0)
        self.bm25 = bm25 if bm25 is not None else load_bm25(bm25_dir, self.passages)[0]
        self.vocab = self.bm25.vocab
        self.passage_matrix = loaded.passage_vectors
        self.sentence_matrix = loaded.sentence_vectors
        counts = np.asarray([len(p.sentences) for p in self.passages], dtype=np.int64)
        self.sentence_starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if len(counts) \
            else np.zeros(0, np.int64)
        self.boiler = np.asarray([p.boilerplate for p in self.passages], dtype=bool)
        self.vectors = vectors
        self.records = records
        self.in_memory = vectors is None or records is None
        self.sentence_count = int(counts.sum()) if len(counts) else 0

    def __len__(self) -> int:
        return len(self.passages)

    def bm25_scores(self, text: str) -> np.ndarray:
        tokens = [t for t in bm25_tokens(text) if t in self.vocab]
        if not tokens or not self.passages:
            return np.zeros(len(self.passages), dtype=np.float32)
        return self.bm25.scores(tokens)

    def dense_scores(self, query_vec: np.ndarray, top_n: int) -> np.ndarray:
        """Passage cosine similarities.

        In memory an exact scan is both exact and faster (measured on the corpus: 0.01 ms against
        5.6 ms for a vector-store query); otherwise Chroma's HNSW index ranks the top ``top_n`` and
        the rest get the lowest score it returned.
        """
        if self.in_memory:
            return self.passage_matrix @ query_vec
        return self._spread(self.vectors.query(query_vec, top_n), len(self.passages))

    def sentence_evidence(self, query_vec: np.ndarray, candidates: Sequence[int] = ()
                          ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Each passage's best sentence cosine similarity, and the sentence similarities computed on the way.

        In memory every sentence is scored (and the dict is empty: :meth:`sentence_scores` is a
        slice). Otherwise only the ``candidates`` (passage positions) are, from their stored vectors,
        and every other passage gets the lowest best found.
        """
        n = len(self.passages)
        if self.in_memory:
            if not n or not len(self.sentence_matrix):
                return np.zeros(n, np.float32), {}
            return np.maximum.reduceat(self.sentence_matrix @ query_vec, self.sentence_starts), {}
        sims = dict(zip(candidates, self.sentence_scores(candidates, query_vec)))
        best = np.full(n, np.nan, np.float32)
        for i, s in sims.items():
            if len(s):
                best[i] = s.max()
        floor = np.float32(np.nanmin(best)) if np.isfinite(best).any() else np.float32(0.0)
        return np.where(np.isnan(best), floor, best), sims

    def sentence_scores(self, indices: Sequence[int], query_vec: np.ndarray) -> list[np.ndarray]:
        """Dense similarity of every sentence of these passages (by position) to the query."""
        if self.in_memory:
            spans = [(self.sentence_starts[i], len(self.passages[i].sentences)) for i in indices]
            return [self.sentence_matrix[s0:s0 + n] @ query_vec for s0, n in spans]
        stored = self.records.stored_vectors([self.passages[i].id for i in indices])
        out = []
        for i in indices:
            n = len(self.passages[i].sentences)
            svecs = stored.get(self.passages[i].id, (None, None))[1]
            out.append(svecs @ query_vec if svecs is not None and len(svecs) == n else np.zeros(n, np.float32))
        return out

    def _spread(self, found: Sequence[tuple[str, float]], n: int) -> np.ndarray:
        """Scores by passage id spread over positions: each passage's best, the lowest found elsewhere."""
        out = np.full(n, np.nan, dtype=np.float32)
        for pid, cos in found:
            i = self.by_id.get(pid)
            if i is not None and not cos <= out[i]:
                out[i] = cos
        floor = min((cos for _, cos in found), default=0.0)  # the lowest score returned, not the lowest best
        return np.where(np.isnan(out), np.float32(floor), out)

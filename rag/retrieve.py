"""Hybrid retrieval: BM25 and dense scores fused by weight, not by rank.

Measured on SQuAD 2.0 dev paragraphs with this embedder, plain reciprocal-rank fusion *lowers* R@1
below BM25 alone because the dense ranker is much weaker; a weighted sum of normalised BM25, the
passage's dense score and its best sentence's dense score does better (figures in BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embed import MiniLMEmbedding
from .indexer import bm25_tokens, build_bm25
from .passages import Passage
from .store import IndexStore
from .text import clean

__all__ = ["Hit", "Snapshot", "HybridRetriever", "FusionWeights"]


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with the scores that ranked it; ``sentence_scores`` are dense, per sentence."""

    passage: Passage
    score: float
    bm25: float
    dense: float
    sentence_scores: tuple[float, ...]


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the fused score; defaults tuned on SQuAD2-dev (see eval/bench.py)."""

    bm25: float = 0.35
    dense: float = 0.15
    sentence: float = 0.5
    boilerplate_penalty: float = 0.5
    extra: float = 0.5

    def __post_init__(self) -> None:
        for name in ("bm25", "dense", "sentence", "boilerplate_penalty", "extra"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FusionWeights.{name} must be within 0..1, got {value!r}")


class Snapshot:
    """An immutable in-memory view of the index: passages, sentence vectors and the BM25 index."""

    def __init__(self, store: IndexStore):
        self.store = store
        self.passages: list[Passage] = store.passages()
        self.by_id = {p.id: i for i, p in enumerate(self.passages)}
        fingerprint = store.fingerprint()
        self.bm25 = store.load_bm25(fingerprint) or build_bm25(self.passages)
        self.vocab = self.bm25.vocab_dict
        sent = store.embeddings("sentences")
        pas = store.embeddings("passages")
        rows, owner, starts = [], [], []
        for i, p in enumerate(self.passages):
            starts.append(len(rows))
            for j in range(len(p.sentences)):
                vec = sent.get(f"{p.id}:{j}")
                rows.append(vec if vec is not None else np.zeros(384, dtype=np.float32))
                owner.append(i)
        self.sentence_matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 384), np.float32)
        self.sentence_owner = np.asarray(owner, dtype=np.int64)
        self.sentence_starts = np.asarray(starts, dtype=np.int64)
        self.passage_matrix = (np.vstack([pas.get(p.id, np.zeros(384, np.float32)) for p in self.passages])
                               if self.passages else np.zeros((0, 384), np.float32))
        self.boiler = np.asarray([p.boilerplate for p in self.passages], dtype=bool)
        self.vectors = store.vectors("passages")

    def __len__(self) -> int:
        return len(self.passages)

    def bm25_scores(self, text: str) -> np.ndarray:
        tokens = [t for t in bm25_tokens(text) if t in self.vocab]
        if not tokens or not self.passages:
            return np.zeros(len(self.passages), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def dense_scores(self, query_vec: np.ndarray, top_n: int, exact_limit: int = 50_000) -> np.ndarray:
        """Passage cosine similarities.

        Up to ``exact_limit`` passages an exact scan of the in-memory matrix is both exact and faster
        (measured on the corpus: 0.01 ms against 5.6 ms for a ChromaVectorStore query, which also
        rebuilds nodes); above it, Chroma's HNSW index ranks the top ``top_n`` and the rest get the floor.
        """
        from llama_index.core.vector_stores.types import VectorStoreQuery

        if len(self.passages) <= exact_limit:
            return self.passage_matrix @ query_vec
        out = np.full(len(self.passages), -1.0, dtype=np.float32)
        result = self.vectors.query(VectorStoreQuery(
            query_embedding=[float(x) for x in query_vec], similarity_top_k=min(top_n, len(self.passages))))
        floor = 1.0
        for pid, sim in zip(result.ids or [], result.similarities or []):
            i = self.by_id.get(pid)
            if i is not None:
                cos = 1.0 + float(np.log(max(sim, 1e-9)))  # ChromaVectorStore returns exp(-cosine distance)
                out[i] = cos
                floor = min(floor, cos)
        out[out == -1.0] = floor
        return out


class HybridRetriever:
    """Scores every passage by a weighted sum of BM25 and dense evidence and returns the top k."""

    def __init__(self, embedder: MiniLMEmbedding, weights: FusionWeights | None = None, dense_top_n: int = 64,
                 exact_limit: int = 50_000):
        if dense_top_n < 1:
            raise ValueError(f"dense_top_n must be >= 1, got {dense_top_n!r}")
        if exact_limit < 0:
            raise ValueError(f"exact_limit must be >= 0, got {exact_limit!r}")
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.dense_top_n = dense_top_n
        self.exact_limit = exact_limit

    def retrieve(self, snap: Snapshot, query: str, k: int, extra: str = "") -> list[Hit]:
        """Top-``k`` hits for ``query``; ``extra`` (earlier turns' key terms) counts at a lower weight."""
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k!r}")
        if not len(snap):
            return []
        w = self.weights
        q = clean(query, glued=False)  # typed questions are not glued; names stay whole
        bm = snap.bm25_scores(q)
        qvec = self.embedder.embed(q)
        if extra.strip():
            bm = bm + w.extra * snap.bm25_scores(extra)
            evec = self.embedder.embed(clean(extra, glued=False))
            qvec = qvec + w.extra * evec
            qvec = qvec / max(float(np.linalg.norm(qvec)), 1e-12)
        bm_norm = bm / bm.max() if bm.max() > 0 else bm
        dense = snap.dense_scores(qvec, self.dense_top_n, self.exact_limit)
        sims = snap.sentence_matrix @ qvec if len(snap.sentence_matrix) else np.zeros(0, np.float32)
        best = (np.maximum.reduceat(sims, snap.sentence_starts) if len(sims)
                else np.zeros(len(snap), np.float32))
        fused = w.bm25 * bm_norm + w.dense * dense + w.sentence * best
        fused = np.where(snap.boiler, fused * w.boilerplate_penalty, fused)
        order = np.argsort(-fused, kind="stable")[:k]
        hits = []
        for i in order:
            s0 = snap.sentence_starts[i]
            n = len(snap.passages[i].sentences)
            hits.append(Hit(
                passage=snap.passages[i], score=float(fused[i]), bm25=float(bm_norm[i]), dense=float(dense[i]),
                sentence_scores=tuple(float(x) for x in sims[s0:s0 + n]),
            ))
        return hits

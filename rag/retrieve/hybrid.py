"""Hybrid retrieval: BM25 and dense scores fused by weight, not by rank.

Measured on SQuAD 2.0 dev paragraphs with this embedder, plain reciprocal-rank fusion *lowers* R@1
below BM25 alone because the dense ranker is much weaker; a weighted sum of normalised BM25, the
passage's dense score and its best sentence's dense score does better (figures in BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rag.index import Snapshot
from rag.index.embedder import MiniLMEmbedding
from rag.records import Hit
from rag.text.normalize import clean

__all__ = ["Hit", "HybridRetriever", "FusionWeights"]


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the fused score; chosen on SQuAD 2.0 dev and checked on held-out articles
    (scripts/retrieval_ablation.py, BENCHMARKS.md)."""

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


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Positions of the ``k`` highest scores, best first, ties by position (as a stable full sort,
    without sorting 100,000 scores per question)."""
    if k < len(scores):
        cut = np.partition(scores, len(scores) - k)[len(scores) - k]
        candidates = np.flatnonzero(scores >= cut)
    else:
        candidates = np.arange(len(scores))
    return [int(i) for i in candidates[np.argsort(-scores[candidates], kind="stable")][:k]]


def _pool(dense: np.ndarray, bm: np.ndarray, n: int) -> list[int]:
    """Positions of the ``n`` nearest passages and the ``n`` best BM25 ones (with a term in common),
    in an O(passages) partition, not a sort (ties at the edge broken arbitrarily)."""
    if n >= len(dense):
        return list(range(len(dense)))
    near = np.argpartition(-dense, n - 1)[:n]
    lexical = np.argpartition(-bm, n - 1)[:n]
    return sorted(set(near.tolist()) | {int(i) for i in lexical if bm[i] > 0})


class HybridRetriever:
    """Scores every passage by a weighted sum of BM25 and dense evidence and returns the top k."""

    def __init__(self, embedder: MiniLMEmbedding, weights: FusionWeights | None = None, dense_top_n: int = 64):
        """When a big index keeps its vectors on disk, Chroma's HNSW index ranks the ``dense_top_n``
        nearest passages, and the sentences of those and of the ``dense_top_n`` best BM25 passages are
        scored (held-out SQuAD R@1 as the exact scan's at 890 and 10,062 passages; BENCHMARKS.md)."""
        if not isinstance(dense_top_n, int) or dense_top_n < 1:
            raise ValueError(f"dense_top_n must be an int >= 1, got {dense_top_n!r}")
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.dense_top_n = dense_top_n

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
        dense = snap.dense_scores(qvec, self.dense_top_n)
        pool = () if snap.in_memory else _pool(dense, bm, self.dense_top_n)
        best, sims = snap.sentence_evidence(qvec, pool)
        fused = w.bm25 * bm_norm + w.dense * dense + w.sentence * best
        fused = np.where(snap.boiler, fused * w.boilerplate_penalty, fused)
        order = _top(fused, k)
        missing = [i for i in order if i not in sims]
        sims.update(zip(missing, snap.sentence_scores(missing, qvec)))
        return [Hit(passage=snap.passages[i], score=float(fused[i]), bm25=float(bm_norm[i]), dense=float(dense[i]),
                    sentence_scores=tuple(float(x) for x in sims[i])) for i in order]

    def retrieve_many(self, snap: Snapshot, queries: Sequence[str], k: int, extra: str = "") -> list[Hit]:
        """The top-``k`` hits of each query, the first query's first, each passage once (a question of
        several conditions is also searched for once per condition)."""
        out: list[Hit] = []
        seen: set[str] = set()
        for i, query in enumerate(queries):
            for hit in self.retrieve(snap, query, k, extra=extra if i == 0 else ""):
                if hit.passage.id not in seen:
                    seen.add(hit.passage.id)
                    out.append(hit)
        return out

"""Retrieval, between the index and the answerer: a question -> the passages most likely to answer it.

``hybrid`` fuses normalised BM25 with the passage's and its best sentence's dense similarity, by
weight (measured better than rank fusion here), and returns :class:`rag.records.Hit` records.
"""

from rag.retrieve.hybrid import FusionWeights, HybridRetriever

__all__ = ["FusionWeights", "HybridRetriever"]

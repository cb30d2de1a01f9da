"""BM25 (Lucene's variant, k1=1.2, b=0.75) over the de-glued passage texts, built from term-count segments.

A segment holds the term counts of some passages (a sparse matrix, one row per passage). Scores are
computed when a snapshot loads, from the counts of exactly the passages it holds: document
frequencies, the average length and so every score are the same as one index built from scratch
(``tests/test_bm25.py`` checks them against bm25s). So a change never re-tokenizes the passages that
did not change: it adds a segment with the new ones (see ``rag.index.bm25_store``).

bm25s, which this replaces, precomputes the scores at index time, so its index cannot take a new
passage without being rebuilt from every passage: 1.9 s of a 5.0 s one-file change at 10k passages,
and it grows with the collection (BENCHMARKS.md, "Incremental BM25").
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from rag.records import Passage
from rag.text.normalize import content_terms

__all__ = ["K1", "B", "Bm25", "Segment", "bm25_tokens", "build_bm25", "fingerprint_of", "make_segment",
           "stack_segments"]

K1, B = 1.2, 0.75  # the common defaults (Lucene, bm25s); retrieval weights were measured with them
_EMPTY = "∅"  # an empty passage counts as one token, as bm25s did, so lengths never divide by zero


def bm25_tokens(text: str) -> list[str]:
    """Stemmed content words: the tokens BM25 indexes and queries with."""
    return content_terms(text) or [_EMPTY]


def fingerprint_of(passage_ids: Iterable[str]) -> str:
    """One hash naming a set of passages (their ids are hashes of their source and text)."""
    return hashlib.sha1("\n".join(sorted(passage_ids)).encode()).hexdigest()


@dataclass(frozen=True)
class Segment:
    """Term counts of some passages: CSR rows (``indptr``, ``indices`` into ``terms``, ``counts``)."""

    ids: np.ndarray
    terms: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        if len(self.indptr) != len(self.ids) + 1 or len(self.indices) != len(self.counts):
            raise ValueError(f"a BM25 segment of {len(self.ids)} passages has {len(self.indptr)} row pointers "
                             f"and {len(self.indices)} indices for {len(self.counts)} counts")
        if len(self.indices) and (self.indices.min() < 0 or self.indices.max() >= len(self.terms)):
            raise ValueError("a BM25 segment points past its own vocabulary")

    def __len__(self) -> int:
        return len(self.ids)


def make_segment(passages: Sequence[Passage]) -> Segment:
    """Tokenize passages into one segment."""
    vocab: dict[str, int] = {}
    indptr, indices, counts = [0], [], []
    for p in passages:
        for term, n in Counter(bm25_tokens(p.clean)).items():
            indices.append(vocab.setdefault(term, len(vocab)))
            counts.append(n)
        indptr.append(len(indices))
    return Segment(ids=np.array([p.id for p in passages], dtype=str), terms=np.array(list(vocab), dtype=str),
                   indptr=np.asarray(indptr, np.int64), indices=np.asarray(indices, np.int32),
                   counts=np.asarray(counts, np.int32))


def stack_segments(segments: Sequence[Segment], keep: Sequence[str]) -> Segment:
    """One segment holding the rows of ``keep``, in that order, taken from ``segments`` (no re-tokenizing).

    Raises KeyError naming a passage no segment holds.
    """
    vocab: dict[str, int] = {}
    where: dict[str, int] = {}
    indptr, indices, counts, base = [np.zeros(1, np.int64)], [], [], 0
    for seg in segments:
        colmap = np.fromiter((vocab.setdefault(t, len(vocab)) for t in seg.terms.tolist()), np.int64,
                             len(seg.terms))
        for r, pid in enumerate(seg.ids.tolist(), start=base):
            where.setdefault(pid, r)
        indptr.append(seg.indptr[1:] + indptr[-1][-1])
        indices.append(colmap[seg.indices])
        counts.append(seg.counts)
        base += len(seg)
    all_ptr = np.concatenate(indptr)
    all_idx = np.concatenate(indices) if indices else np.zeros(0, np.int64)
    all_cnt = np.concatenate(counts) if counts else np.zeros(0, np.int32)
    rows = np.fromiter((where[pid] for pid in keep), np.int64, len(keep))
    starts, lengths = all_ptr[rows], all_ptr[rows + 1] - all_ptr[rows]
    new_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    take = np.repeat(starts - new_ptr[:-1], lengths) + np.arange(new_ptr[-1])  # the kept rows' entries
    kept = all_idx[take]
    used = np.flatnonzero(np.bincount(kept, minlength=len(vocab)))  # only the terms these rows use
    column = np.zeros(len(vocab), np.int32)
    column[used] = np.arange(len(used), dtype=np.int32)  # a counting remap: no sort (0.6 s at 100k)
    terms = np.array(list(vocab), dtype=str)[used] if len(used) else np.zeros(0, dtype=str)
    return Segment(ids=np.array(list(keep), dtype=str), terms=terms, indptr=new_ptr,
                   indices=column[kept], counts=all_cnt[take].astype(np.int32))


class Bm25:
    """Scores for one ordered set of passages; the rows of ``segment`` are the passages, in order."""

    def __init__(self, segment: Segment, k1: float = K1, b: float = B):
        n = len(segment)
        self.ids = segment.ids
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(segment.terms.tolist())}
        rows = np.repeat(np.arange(n), np.diff(segment.indptr))
        tf = segment.counts.astype(np.float64)
        doc_len = np.bincount(rows, weights=tf, minlength=n)  # tokens per passage, repeats included
        avg = float(doc_len.mean()) if n else 1.0
        order = np.argsort(segment.indices)  # CSR rows -> postings per term (any order within a term)
        cols = segment.indices[order]
        df = np.bincount(cols, minlength=len(self.vocab))
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        tf = tf[order]
        norm = k1 * ((1.0 - b) + b * doc_len[rows[order]] / (avg or 1.0))
        self.weights = (idf[cols] * tf / (norm + tf)).astype(np.float32)
        self.rows = rows[order].astype(np.int32)
        self.starts = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        self.size = n

    def __len__(self) -> int:
        return self.size

    def doc_freq(self) -> dict[str, int]:
        """How many passages use each term (the document frequencies every score is built on)."""
        counts = np.diff(self.starts).tolist()
        return {t: n for t, n in zip(self.vocab, counts) if t != _EMPTY and n}

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every passage for these query tokens (a repeated token counts again)."""
        out = np.zeros(self.size, dtype=np.float32)
        for t in tokens:
            c = self.vocab.get(t)
            if c is not None:
                lo, hi = self.starts[c], self.starts[c + 1]
                out[self.rows[lo:hi]] += self.weights[lo:hi]  # a term's postings name each row once
        return out


def build_bm25(passages: Sequence[Passage]) -> Bm25:
    """BM25 over these passages, tokenized now."""
    return Bm25(make_segment(passages))

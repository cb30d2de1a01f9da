"""What one read of the records gives (:class:`Loaded`), and a reload that reuses what did not change:
the passages (and vectors) of the documents an earlier load holds as they are now, merged with the rows
read for the changed ones.

A serving process reloads after every commit. At 100,000 passages reading and parsing every row took
~5 s and built a second copy of every passage beside the one still answering (BENCHMARKS.md,
"100,000 passages"); the unchanged documents' passages are the same objects in both loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from rag.records import PLAIN, Layout, Passage

__all__ = ["DocRecord", "Loaded", "merge", "unchanged_sources"]


@dataclass(frozen=True)
class DocRecord:
    """What the index knows about one file; an empty ``sha256`` marks a file whose update was cut off."""

    source: str
    sha256: str
    title: str
    url: str | None
    chars: int
    indexed_at: float
    mtime_ns: int = 0
    size: int = 0
    layout: Layout = PLAIN


@dataclass(frozen=True)
class Loaded:
    """Everything a reader needs from one consistent read of the records."""

    generation: int
    documents: dict[str, DocRecord]
    passages: list[Passage]
    passage_vectors: np.ndarray  # (passages, dim) float32
    sentence_vectors: np.ndarray  # (sentences, dim) float32, in passage order
    dim: int
    reused: bool = False  # built on an earlier load of the same file: only the changed documents were read


def unchanged_sources(previous: Loaded, docs: Mapping[str, DocRecord], vectors: bool) -> set[str]:
    """The documents ``previous`` holds as they are now: same sha256 and indexing time (every write
    of a document sets a new time). None when vectors are wanted and ``previous`` was loaded without."""
    if vectors and len(previous.passages) and len(previous.passage_vectors) != len(previous.passages):
        return set()
    return {s for s, d in previous.documents.items()
            if s in docs and d.sha256 and (d.sha256, d.indexed_at) == (docs[s].sha256, docs[s].indexed_at)}


def _spans(passages: Sequence[Passage]) -> dict[str, tuple[int, int]]:
    """source -> (first, end) positions; a load keeps each document's passages together."""
    out: dict[str, tuple[int, int]] = {}
    for i, p in enumerate(passages):
        out[p.source] = (out.get(p.source, (i, i))[0], i + 1)
    return out


def _sentence_starts(passages: Sequence[Passage]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum([len(p.sentences) for p in passages], dtype=np.int64)]).astype(np.int64)


def merge(previous: Loaded, fresh: Loaded, keep: set[str], vectors: bool
          ) -> tuple[list[Passage], np.ndarray, np.ndarray]:
    """Passages, passage vectors and sentence vectors in a full load's order (by source, then
    position): the ``keep`` documents' from ``previous``, every other document's from ``fresh``
    (the rows read now, in that order)."""
    parts: list[tuple[Loaded, int, int]] = []
    old_at, new_at = _spans(previous.passages), _spans(fresh.passages)
    for source in sorted(fresh.documents):
        span = old_at.get(source) if source in keep else new_at.get(source)
        if span is not None:
            parts.append((previous if source in keep else fresh, *span))
    passages = [p for loaded, a, b in parts for p in loaded.passages[a:b]]
    if not vectors:
        return passages, fresh.passage_vectors, fresh.sentence_vectors
    starts = {id(previous): _sentence_starts(previous.passages), id(fresh): _sentence_starts(fresh.passages)}
    empty = np.zeros((0, fresh.dim or previous.dim), np.float32)
    pm = [loaded.passage_vectors[a:b] for loaded, a, b in parts]
    sm = [loaded.sentence_vectors[starts[id(loaded)][a]:starts[id(loaded)][b]] for loaded, a, b in parts]
    return passages, (np.concatenate(pm) if pm else empty), (np.concatenate(sm) if sm else empty)

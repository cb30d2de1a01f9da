"""Feeding the model while indexing: how big a group of files is, and one group's vectors.

The indexer hands a group of changed files to the model's thread and goes on reading the next ones;
these functions run on that thread and touch no records.
"""

from __future__ import annotations

import logging

import numpy as np

from rag.ingest.chunk import sentence_spans
from rag.records import Passage

__all__ = ["GROUP_TEXTS", "FIRST_GROUP_SHARE", "model_vectors", "warm_up"]

log = logging.getLogger("rag.index")

#: A group of files is stored together (one embedding pass, one Chroma write, one commit) once it
#: holds this many texts or ``batch_files`` files: measured on 300 small files, one Chroma upsert
#: costs ~20 ms whatever its size and one ONNX run ~24 ms, so per-file writes spent 19 of 24 s on
#: fixed costs (BENCHMARKS.md). The sizes were chosen when a model run took up to 2,048 word pieces:
#: SQuAD's 890 passages in groups of 80 took 11 % longer than in one call, in groups of 320 5 %.
#: With today's 512-piece runs the group size barely matters (2026-12-06, two runs each: 19.2 and
#: 19.5 s at 256 files / 2,048 texts, 19.0 and 20.1 s at 64 / 512 without the growing first group).
GROUP_TEXTS = 2048
#: The first group is this many times smaller, and each next one twice the last, up to the limits
#: above: the model starts after a few files instead of after the first full group.
FIRST_GROUP_SHARE = 16

Vectors = dict[str, tuple[np.ndarray, np.ndarray]]


def warm_up(embedder) -> None:
    """Load the model (a no-op when it is loaded); a failure shows when the first group is embedded."""
    try:
        late = getattr(embedder, "embed_passages", None)
        late([("warm up", [(0, 4), (5, 7)])]) if late is not None else embedder.embed_many(["warm up"])
    except Exception:  # noqa: BLE001 - the first real group reports it, naming files
        log.debug("model warm-up failed", exc_info=True)


def model_vectors(embedder, todo: list[Passage]) -> tuple[Vectors, int]:
    """The model's vectors of these passages and their sentences, and how many texts it read.

    One model run per passage when the embedder can pool sentences from it (``embed_passages``),
    else the passage and each sentence are embedded as texts of their own.
    """
    if not todo:
        return {}, 0
    late = getattr(embedder, "embed_passages", None)
    if late is not None:
        return {p.id: pair for p, pair in zip(todo, late([(p.clean, sentence_spans(p)) for p in todo]))}, len(todo)
    texts = [t for p in todo for t in (p.clean, *(s.clean for s in p.sentences))]
    fresh = iter(embedder.embed_many(texts))
    out = {}
    for p in todo:
        pv = next(fresh)
        sv = np.vstack([next(fresh) for _ in p.sentences]) if p.sentences else np.zeros((0, len(pv)), np.float32)
        out[p.id] = (pv, sv)
    return out, len(texts)

"""Issue 11, deliverable 2: sentence vectors from one model run per passage ("late chunking") against
today's separately embedded sentences, on SQuAD 2.0 dev's held-out (odd) articles.

An experiment, not part of the product. Index the SQuAD paragraphs first (one file per paragraph,
``a<article>_p<paragraph>.txt``), then run this on that index:

    python scripts/experiments/late_chunking.py --make-corpus /tmp/sqc/corpus
    rag --corpus /tmp/sqc/corpus --home /tmp/sqc/home index
    python scripts/experiments/late_chunking.py --home /tmp/sqc/home

It prints R@1/R@5 of the shipped fusion (rag.retrieve.HybridRetriever) with each set of sentence vectors
(the passage vectors and BM25 are the same), and the model time of both ways of embedding.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from rag.index import IndexStore
from rag.index.embedder import MiniLMEmbedding, _Runtime
from rag.retrieve.hybrid import HybridRetriever

SQUAD = Path(__file__).resolve().parents[3] / "shared" / "bench" / "squad2-dev" / "dev-v2.0.json"
NAME = re.compile(r"a(\d+)_p(\d+)\.txt")


def make_corpus(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for ai, art in enumerate(json.loads(SQUAD.read_text())["data"]):
        for pi, p in enumerate(art["paragraphs"]):
            (out / f"a{ai:02d}_p{pi:03d}.txt").write_text(art["title"].replace("_", " ") + "\n\n" + p["context"] + "\n")


def late_vectors(rt: _Runtime, passage) -> np.ndarray | None:
    """Each sentence's vector pooled from one run over the whole passage (None: a sentence not found)."""
    enc = rt.tokenizer.encode(passage.clean)
    ids = np.asarray([enc.ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if "token_type_ids" in rt.inputs:
        feeds["token_type_ids"] = np.zeros_like(ids)
    hidden = rt.session.run(None, feeds)[0][0]
    out, cursor = [], 0
    for s in passage.sentences:
        at = passage.clean.find(s.clean, cursor)
        if at < 0:
            return None
        cursor = at + len(s.clean)
        toks = [t for t, (a, b) in enumerate(enc.offsets) if b > a and a >= at and b <= cursor]
        if not toks:
            return None
        v = hidden[toks].mean(axis=0)
        out.append(v / max(float(np.linalg.norm(v)), 1e-12))
    return np.asarray(out, dtype=np.float32).reshape(len(out), -1)


def recall(retriever, snap, questions) -> tuple[float, float]:
    r1 = r5 = 0
    for question, source in questions:
        hits = retriever.retrieve(snap, question, 5)
        r1 += hits[0].passage.source == source
        r5 += any(h.passage.source == source for h in hits)
    return r1 / len(questions), r5 / len(questions)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path)
    ap.add_argument("--make-corpus", type=Path)
    args = ap.parse_args()
    if args.make_corpus:
        make_corpus(args.make_corpus)
        return
    snap = IndexStore(args.home).load()
    emb = MiniLMEmbedding()
    rt = emb.runtime
    t0 = time.perf_counter()
    rows, fallback = [], 0
    for p in snap.passages:
        v = late_vectors(rt, p)
        if v is None:  # keep today's vectors for this passage
            fallback += 1
            s0 = snap.sentence_starts[snap.by_id[p.id]]
            v = snap.sentence_matrix[s0:s0 + len(p.sentences)]
        rows.append(v)
    late_s = time.perf_counter() - t0
    late = np.vstack(rows).astype(np.float32)
    t0 = time.perf_counter()
    texts = [t for p in snap.passages for t in (p.clean, *(s.clean for s in p.sentences))]
    for t in texts:
        rt.encode(t)
    separate_s = time.perf_counter() - t0

    data = json.loads(SQUAD.read_text())["data"]
    held = [(qa["question"], f"a{ai:02d}_p{pi:03d}.txt") for ai, art in enumerate(data) if ai % 2
            for pi, p in enumerate(art["paragraphs"]) for qa in p["qas"] if not qa["is_impossible"]]
    retriever = HybridRetriever(emb)
    today = recall(retriever, snap, held)
    snap.sentence_matrix = late
    chunked = recall(retriever, snap, held)
    print(f"SQuAD 2.0 dev, held-out (odd) articles: {len(held)} answerable questions, {len(snap.passages)} passages,"
          f" {len(late)} sentences ({fallback} passages kept today's vectors: a sentence not found in the clean text)")
    print("| sentence vectors | R@1 | R@5 | model time for the corpus |")
    print("|---|---|---|---|")
    print(f"| embedded separately (today: {len(texts)} runs) | {today[0]:.3f} | {today[1]:.3f} | {separate_s:.1f} s |")
    print(f"| late chunking (one run per passage: {len(snap.passages)} runs) | {chunked[0]:.3f} | {chunked[1]:.3f} |"
          f" {late_s:.1f} s |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

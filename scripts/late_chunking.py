"""Issue 11, deliverable 2: sentence vectors pooled from one model run per passage ("late chunking",
shipped) against sentences embedded one by one (the way before it), on SQuAD 2.0 dev.

Indexes the dev half's paragraphs (one file each) twice through the public API — once with the
shipped embedder (``MiniLMEmbedding.embed_passages``: one run per passage), once with the same model
made to embed every sentence as a text of its own — and prints, from that one run:

- paragraph R@1/R@5 of the shipped retriever on the answerable questions of the odd (held-out)
  articles, no fusion weight was tuned on them (``scripts/retrieval_ablation.py``);
- indexing throughput in passages/s next to the raw embedder's passage-only throughput (the same
  passages through ``embed_many``, nothing else) and their ratio (issue 11's goal: >= 90 %).

    python scripts/late_chunking.py [--data ../shared/bench/squad2-dev/dev-v2.0.json] [--work /tmp/late]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

import rag
from rag.index.embedder import FIRST_MODEL_NAME
from rag.retrieve import HybridRetriever
from big_index_recall import recall  # scripts/: paragraph R@1, R@5 and ms per question

ROOT = Path(__file__).resolve().parents[1]


class OneByOne(rag.NumpyEmbedding):
    """The product's model with sentences embedded as texts of their own (no ``embed_passages``)."""

    def __init__(self, inner: rag.MiniLMEmbedding) -> None:
        super().__init__(model_name=FIRST_MODEL_NAME)
        self._inner = inner

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed(self, text: str) -> np.ndarray:
        return self._inner.embed(text)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return self._inner.embed_many(texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared/bench/squad2-dev/dev-v2.0.json"))
    ap.add_argument("--work", default="/tmp/late")
    args = ap.parse_args()
    work = Path(args.work)
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    questions = []
    for a_i, art in enumerate(json.loads(Path(args.data).read_text(encoding="utf-8"))["data"]):
        for p_i, para in enumerate(art["paragraphs"]):
            name = f"{a_i:02d}_{p_i:03d}.txt"
            (corpus / name).write_text(para["context"], encoding="utf-8")
            if a_i % 2:
                questions += [(q["question"], name) for q in para["qas"] if not q.get("is_impossible")]
    model = rag.MiniLMEmbedding()
    model.embed("warm up")
    rows = []
    for label, embedder in (("late chunking: one run per passage (shipped)", model),
                            ("sentences embedded one by one (before)", OneByOne(model))):
        home = work / ("home-" + str(len(rows)))
        shutil.rmtree(home, ignore_errors=True)
        assistant = rag.Assistant(corpus_dir=corpus, home=home, embedder=embedder)
        t0 = time.perf_counter()
        report = assistant.index()
        seconds = time.perf_counter() - t0
        snap = assistant.store.load()
        r1, r5, _ = recall(HybridRetriever(embedder), snap, questions)
        rows.append((label, len(snap), seconds, report.embedded, r1, r5))
        texts = [p.clean for p in snap.passages]
    t0 = time.perf_counter()
    model.embed_many(texts)
    raw = len(texts) / (time.perf_counter() - t0)
    print(f"SQuAD 2.0 dev half: {len(texts)} paragraphs indexed (one file each); R@1/R@5 over the "
          f"{len(questions)} answerable questions of the odd (held-out) articles")
    print(f"raw embedder, passages only (embed_many, nothing else): {raw:.1f} passages/s")
    print("| sentence vectors | R@1 | R@5 | model runs | index time | passages/s | of raw |")
    print("|---|---|---|---|---|---|---|")
    for label, n, seconds, runs, r1, r5 in rows:
        print(f"| {label} | {r1:.3f} | {r5:.3f} | {runs} | {seconds:.1f} s | {n / seconds:.1f} | {n / seconds / raw:.0%} |")


if __name__ == "__main__":
    main()

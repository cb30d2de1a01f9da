"""How many sentences HNSW must return for a big index (vectors kept in Chroma) to rank as well as
the exact in-memory scan: SQuAD 2.0 dev paragraph R@1/R@5 on held-out articles.

Indexes the 646 paragraphs (one file each), then retrieves every answerable question of the odd
articles (the half no fusion weight was tuned on: ``scripts/retrieval_ablation.py``) twice: from the
exact snapshot, and from the snapshot a big index loads (``IndexStore.load(exact_limit=0)``: passages
and sentences ranked by Chroma's HNSW, the top ``dense_top_n`` passages and ``sentence_top_n``
sentences), for several ``sentence_top_n``. Usage:

    python scripts/sentence_top_n.py [--data ../shared/bench/squad2-dev/dev-v2.0.json] [--work /tmp/squad-abl]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import rag
from rag.retrieve import HybridRetriever

ROOT = Path(__file__).resolve().parents[1]


def recall(retriever: HybridRetriever, snap, questions: list[tuple[str, str]]) -> tuple[float, float, float]:
    """Paragraph R@1, R@5 and ms per question."""
    r1 = r5 = 0
    t0 = time.perf_counter()
    for question, gold in questions:
        seen: list[str] = []
        for hit in retriever.retrieve(snap, question, k=20):
            if hit.passage.source not in seen:
                seen.append(hit.passage.source)
        r1 += seen[:1] == [gold]
        r5 += gold in seen[:5]
    n = len(questions)
    return r1 / n, r5 / n, 1000 * (time.perf_counter() - t0) / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared/bench/squad2-dev/dev-v2.0.json"))
    ap.add_argument("--work", default="/tmp/squad-abl")
    ap.add_argument("--sizes", default="2,8,32,64,256,512")
    args = ap.parse_args()
    corpus = Path(args.work) / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    questions = []
    for a_i, art in enumerate(json.loads(Path(args.data).read_text(encoding="utf-8"))["data"]):
        for p_i, para in enumerate(art["paragraphs"]):
            name = f"{a_i:02d}_{p_i:03d}.txt"
            if not (corpus / name).exists():
                (corpus / name).write_text(para["context"], encoding="utf-8")
            if a_i % 2:
                questions += [(q["question"], name) for q in para["qas"] if not q.get("is_impossible")]
    assistant = rag.Assistant(corpus_dir=corpus, home=Path(args.work) / "home")
    print(assistant.index().summary())
    exact, big = assistant.store.load(), assistant.store.load(exact_limit=0)
    assert exact.in_memory and not big.in_memory
    print(f"{len(questions)} answerable questions of the odd (held-out) articles; {len(exact)} passages, "
          f"{exact.sentence_count} sentences")
    print(f"{'ranking':<34} {'R@1':>6} {'R@5':>6} {'ms/q':>6}")
    r1, r5, ms = recall(HybridRetriever(assistant.embedder), exact, questions)
    print(f"{'exact (in memory)':<34} {r1:6.3f} {r5:6.3f} {ms:6.1f}")
    for n in (int(x) for x in args.sizes.split(",")):
        r1, r5, ms = recall(HybridRetriever(assistant.embedder, sentence_top_n=n), big, questions)
        print(f"{f'HNSW, 64 passages, {n} sentences':<34} {r1:6.3f} {r5:6.3f} {ms:6.1f}")


if __name__ == "__main__":
    main()

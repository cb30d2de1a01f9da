"""Does a big index (vectors left on disk) rank as well as the exact in-memory scan? SQuAD 2.0 dev
R@1/R@5 on held-out articles, both ways, on the same index.

Above ``EXACT_LIMIT`` passages a snapshot loads no vector: Chroma's HNSW index ranks the
``dense_top_n`` nearest passages, and the sentences of those and of the ``dense_top_n`` best BM25
passages are scored from their vectors in the records. ``IndexStore.load(exact_limit=0)`` forces that
path on a small index. Two corpora:

- default: SQuAD's 646 paragraphs, one file each; a hit is the question's own paragraph.
- ``--scale N``: ``eval.scale``'s corpus of N passages (SQuAD sentences shuffled across paragraphs,
  seed 7, so each sentence sits among unrelated ones, several times over); a hit is a passage that
  holds the sentence the answer is in.

Questions: every answerable question of the odd articles (no fusion weight was tuned on them:
``scripts/retrieval_ablation.py``). Usage:

    python scripts/big_index_recall.py [--scale 10000] [--work /tmp/big-recall] [--data …/dev-v2.0.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rag  # noqa: E402
from eval.squad import load_squad  # noqa: E402
from rag.retrieve import HybridRetriever  # noqa: E402


def recall(retriever: HybridRetriever, snap, questions: list[tuple[str, str]], by_text: bool = False
           ) -> tuple[float, float, float]:
    """R@1, R@5 and ms per question; a hit is the gold file, or (``by_text``) a passage holding the gold text."""
    r1 = r5 = 0
    t0 = time.perf_counter()
    for question, gold in questions:
        seen: list[bool] = []
        names: list[str] = []
        for hit in retriever.retrieve(snap, question, k=20):
            if by_text:
                seen.append(gold in hit.passage.text)
            elif hit.passage.source not in names:
                names.append(hit.passage.source)
                seen.append(hit.passage.source == gold)
        r1 += any(seen[:1])
        r5 += any(seen[:5])
    n = len(questions)
    return r1 / n, r5 / n, 1000 * (time.perf_counter() - t0) / n


def _questions(data: Path, corpus: Path, scale: int) -> list[tuple[str, str]]:
    paragraphs, questions = load_squad(data)
    held_out = [q for q in questions if q.answerable and int(q.source[:2]) % 2]
    if not scale:
        corpus.mkdir(parents=True, exist_ok=True)
        for name, text in paragraphs.items():
            if not (corpus / name).exists():
                (corpus / name).write_text(text, encoding="utf-8")
        return [(q.question, q.source) for q in held_out]
    from eval.scale import build_corpus, squad_sentences

    if not corpus.exists():
        build_corpus(squad_sentences(data)[0], scale, corpus)
    out = []
    for q in held_out:
        text = paragraphs[q.source]
        at = text.find(q.answers[0])
        sentence = next((text[s:e] for s, e in rag.split_sentences(text) if s <= at < e), "")
        if len(sentence.split()) >= 4:  # the corpus keeps sentences of four words or more
            out.append((q.question, sentence))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared/bench/squad2-dev/dev-v2.0.json"))
    ap.add_argument("--work", default="/tmp/big-recall")
    ap.add_argument("--scale", type=int, default=0, help="eval.scale's corpus of this many passages")
    args = ap.parse_args()
    work = Path(args.work) / (f"scale-{args.scale}" if args.scale else "squad")
    questions = _questions(Path(args.data), work / "corpus", args.scale)
    assistant = rag.Assistant(corpus_dir=work / "corpus", home=work / "home")
    print(assistant.index().summary())
    exact, big = assistant.store.load(), assistant.store.load(exact_limit=0)
    assert exact.in_memory and not big.in_memory
    print(f"{len(questions)} answerable questions of the odd (held-out) articles; {len(exact)} passages, "
          f"{exact.sentence_count} sentences")
    print(f"{'ranking':<58} {'R@1':>6} {'R@5':>6} {'ms/q':>6}")
    retriever = HybridRetriever(assistant.embedder)
    for label, snap in (("exact (in memory)", exact),
                        (f"big: HNSW {retriever.dense_top_n} passages + BM25 {retriever.dense_top_n}, their sentences", big)):
        r1, r5, ms = recall(retriever, snap, questions, by_text=bool(args.scale))
        print(f"{label:<58} {r1:6.3f} {r5:6.3f} {ms:6.1f}")


if __name__ == "__main__":
    main()

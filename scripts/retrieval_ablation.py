"""Retrieval ablation on SQuAD 2.0 dev: BM25, dense, sentence-dense, RRF and the weighted fusion.

Indexes the 646 paragraphs (one file each) through the public API, then for every answerable
question scores all passages once and reports paragraph-level R@1/R@5 of each ranking and of a grid
of fusion weights. The weights are chosen honestly: the 16 articles are split in two halves (even and
odd article numbers); the grid is searched on one half and the winner is reported on the other, both
ways round, next to the shipped weights on each half. Usage:

    python scripts/retrieval_ablation.py [--data ../shared/bench/squad2-dev/dev-v2.0.json] [--work /tmp/squad-abl]
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

import rag
from rag.text.normalize import clean

ROOT = Path(__file__).resolve().parents[1]


def recall(scores: np.ndarray, gold: list[int], owner: np.ndarray) -> tuple[float, float]:
    """Paragraph-level R@1 and R@5 (a paragraph ranks by its best passage)."""
    r1 = r5 = 0
    for row, g in zip(scores, gold):
        seen: list[int] = []
        for j in np.argsort(-row, kind="stable"):
            if owner[j] not in seen:
                seen.append(owner[j])
                if len(seen) == 5:
                    break
        r1 += seen[0] == g
        r5 += g in seen
    return r1 / len(gold), r5 / len(gold)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared/bench/squad2-dev/dev-v2.0.json"))
    ap.add_argument("--work", default="/tmp/squad-abl")
    args = ap.parse_args()
    corpus = Path(args.work) / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    names, questions = [], []
    for a_i, art in enumerate(json.loads(Path(args.data).read_text(encoding="utf-8"))["data"]):
        for p_i, para in enumerate(art["paragraphs"]):
            name = f"{a_i:02d}_{p_i:03d}.txt"
            if not (corpus / name).exists():
                (corpus / name).write_text(para["context"], encoding="utf-8")
            names.append(name)
            questions += [(q["question"], name, a_i % 2) for q in para["qas"] if not q.get("is_impossible")]
    assistant = rag.Assistant(corpus_dir=corpus, home=Path(args.work) / "home")
    print(assistant.index().summary())
    snap = assistant._ready().snap
    index_of = {n: i for i, n in enumerate(sorted(set(p.source for p in snap.passages)))}
    owner = np.array([index_of[p.source] for p in snap.passages])
    gold = [index_of[name] for _, name, _ in questions]
    bm, de, se = [], [], []
    for q, _, _ in questions:
        text = clean(q, glued=False)
        b = snap.bm25_scores(text)
        bm.append(b / b.max() if b.max() > 0 else b)
        v = assistant.embedder.embed(text)
        de.append(snap.passage_matrix @ v)
        se.append(np.maximum.reduceat(snap.sentence_matrix @ v, snap.sentence_starts))
    BM, DE, SE = np.array(bm), np.array(de), np.array(se)
    print(f"{len(questions)} answerable questions, {len(snap.passages)} passages")
    for label, scores in (("BM25", BM), ("dense (passage)", DE), ("dense (best sentence)", SE)):
        print(f"{label:32s} R@1 {recall(scores, gold, owner)[0]:.3f}  R@5 {recall(scores, gold, owner)[1]:.3f}")
    ranks = [np.argsort(np.argsort(-m, axis=1), axis=1) for m in (BM, DE)]
    rrf = sum(1.0 / (60 + r + 1) for r in ranks)
    print(f"{'RRF (BM25 + dense passage)':32s} R@1 {recall(rrf, gold, owner)[0]:.3f}  R@5 {recall(rrf, gold, owner)[1]:.3f}")
    w = assistant.retriever.weights
    ours = recall(w.bm25 * BM + w.dense * DE + w.sentence * SE, gold, owner)
    print(f"{'weighted (shipped ' + f'{w.bm25}/{w.dense}/{w.sentence})':32s} R@1 {ours[0]:.3f}  R@5 {ours[1]:.3f}"
          "  (all articles: in-sample for the shipped weights)")
    half = np.array([h for _, _, h in questions])
    grid = [(wb, wd, round(1 - wb - wd, 2)) for wb, wd in itertools.product(
        (0.25, 0.3, 0.35, 0.4, 0.45, 0.5), (0.0, 0.05, 0.1, 0.15, 0.2, 0.25))]
    g = np.array(gold)
    print("article-level split (tune on one half of the articles, report on the other):")
    for tune, test in ((0, 1), (1, 0)):
        t, h = half == tune, half == test
        scored = sorted(((recall((wb * BM + wd * DE + ws * SE)[t], list(g[t]), owner), (wb, wd, ws))
                         for wb, wd, ws in grid), reverse=True)
        (r1_t, _), best = scored[0]
        held = recall((best[0] * BM + best[1] * DE + best[2] * SE)[h], list(g[h]), owner)
        shipped = recall((w.bm25 * BM + w.dense * DE + w.sentence * SE)[h], list(g[h]), owner)
        print(f"  tuned on half {'AB'[tune]} ({t.sum()} q): best {best[0]:.2f}/{best[1]:.2f}/{best[2]:.2f} "
              f"(R@1 {r1_t:.3f} there); on held-out half {'AB'[test]} ({h.sum()} q): R@1 {held[0]:.3f} "
              f"R@5 {held[1]:.3f}; shipped weights there: R@1 {shipped[0]:.3f} R@5 {shipped[1]:.3f}")


if __name__ == "__main__":
    main()

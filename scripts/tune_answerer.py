"""Tune the extractive answerer's sentence weights on SQuAD 2.0 dev (answerable questions).

Builds (or reuses) an index of the 646 paragraphs, computes every candidate sentence's features for
each question, and searches the weights that put a sentence containing the gold answer first most
often, on one half of the questions; reports both halves. Usage:

    python scripts/tune_answerer.py [--data ../shared/bench/squad2-dev/dev-v2.0.json] [--work /tmp/squad-tune]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np

import rag
from rag import supports
from rag.answer.extractive import SENTENCE_WEIGHTS, ExtractiveAnswerer
from rag.answer.question import analyze


def norm(s: str) -> str:
    return re.sub(r"\W+", " ", s.lower()).strip()


def load(data: Path, work: Path):
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    qs = []
    for a_i, art in enumerate(json.loads(data.read_text(encoding="utf-8"))["data"]):
        for p_i, para in enumerate(art["paragraphs"]):
            name = f"{a_i:02d}_{p_i:03d}.txt"
            f = corpus / name
            if not f.exists():
                f.write_text(para["context"], encoding="utf-8")
            for q in para["qas"]:
                if not q.get("is_impossible"):
                    qs.append((q["question"], name, [a["text"] for a in q["answers"]]))
    return corpus, qs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared/bench/squad2-dev/dev-v2.0.json"))
    ap.add_argument("--work", default="/tmp/squad-tune")
    ap.add_argument("--n", type=int, default=1200)
    args = ap.parse_args()
    corpus, qs = load(Path(args.data), Path(args.work))
    a = rag.Assistant(corpus_dir=corpus, home=Path(args.work) / "home")
    a.index()
    state = a._ready()
    ex = ExtractiveAnswerer(state.doc_freq, len(state.snap), judge=supports)
    random.seed(1)
    sample = random.sample(qs, min(args.n, len(qs)))
    rows = []  # per question: (features matrix, labels)
    for q, _, golds in sample:
        hits = a.retrieve(q)
        cands = ex._candidates(analyze(q), hits, [])
        if not cands:
            continue
        X = np.array([c.features for c in cands])
        y = np.array([any(norm(g) in norm(c.span.clean) for g in golds) for c in cands])
        if y.any():
            rows.append((X, y))
    half = len(rows) // 2
    train, test = rows[:half], rows[half:]

    def top1(w, data):
        return np.mean([y[np.argmax(X @ w)] for X, y in data])

    def top2(w, data):
        return np.mean([y[np.argsort(-(X @ w))[:2]].any() for X, y in data])

    w = np.array(SENTENCE_WEIGHTS, dtype=float)
    print(f"questions with the answer among candidates: {len(rows)} of {len(sample)}")
    print(f"current  top1 train {top1(w, train):.3f} test {top1(w, test):.3f}  top2 test {top2(w, test):.3f}")
    steps = [0.16, 0.08, 0.04, 0.02]
    tunable = [0, 1, 2, 3, 4, 5, 6]
    for step in steps:
        improved = True
        while improved:
            improved = False
            for i in tunable:
                for d in (step, -step):
                    w2 = w.copy()
                    w2[i] = max(0.0, w2[i] + d)
                    if top1(w2, train) > top1(w, train) + 1e-9:
                        w, improved = w2, True
    print(f"tuned    top1 train {top1(w, train):.3f} test {top1(w, test):.3f}  top2 test {top2(w, test):.3f}")
    print("SENTENCE_WEIGHTS =", tuple(round(float(x), 3) for x in w))


if __name__ == "__main__":
    main()

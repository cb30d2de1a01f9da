"""Benchmark over the corpus: cold index time, warm per-question latency (retrieve / answer), peak memory.

    python eval/bench.py [--corpus corpus] [--rounds 5]

Prints the figures; BENCHMARKS.md records them with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import rag

ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    questions = [json.loads(line)["question"] for line in Path(args.questions).read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    with tempfile.TemporaryDirectory() as home:
        t0 = time.perf_counter()
        assistant = rag.Assistant(corpus_dir=args.corpus, home=home)
        report = assistant.index()
        cold = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = assistant.index()
        noop = time.perf_counter() - t1
        assistant.ask(questions[0])  # warm: vocabularies and ONNX session loaded
        retrieve, answer, total = [], [], []
        for _ in range(args.rounds):
            for q in questions:
                a = assistant.ask(q)
                retrieve.append(a.timings_ms["retrieve"])
                answer.append(a.timings_ms["answer"])
                total.append(a.timings_ms["total"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {report.documents} documents, {report.passages} passages, {report.embedded} texts embedded")
    print(f"cold index (model load + embed everything): {cold:.2f} s")
    print(f"re-index with nothing changed: {noop * 1000:.0f} ms, {again.embedded} texts embedded")
    print(f"warm questions: {len(total)} ({len(questions)} questions x {args.rounds} rounds)")
    for name, values in (("retrieve", retrieve), ("answer", answer), ("total", total)):
        print(f"  {name:8s} p50 {statistics.median(values):6.1f} ms   p95 {pct(values, 0.95):6.1f} ms")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

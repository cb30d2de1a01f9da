"""A serving process over a big index: cold first question, warm p50/p95, peak RSS, then re-index runs.

``python -m eval.scale`` measures a process that indexed and then answered, so its peak RSS is the
indexing peak. This measures what a `rag serve` worker pays: a fresh process over an index built
beforehand (kept in ``--work`` and reused), answering SQuAD 2.0 dev questions, then an unchanged
``index()`` and one with one file changed (which also reloads the answer state, as in `rag serve`).

    python scripts/bench_serving.py --size 100000 --vectors hashed --work /tmp/bench-serving
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from eval.scale import SQUAD_DATA, HashedEmbedding, _timed_questions, build_corpus, squad_sentences
from rag import Assistant, MiniLMEmbedding, Settings


def _assistant(work: Path, vectors: str) -> Assistant:
    settings = replace(Settings.from_env(corpus_dir=work / "corpus", home=work / "home"), refresh_seconds=3600)
    return Assistant(settings=settings, embedder=HashedEmbedding() if vectors == "hashed" else MiniLMEmbedding())


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(work: Path, vectors: str) -> None:
    _, questions = squad_sentences(SQUAD_DATA)
    random.Random(3).shuffle(questions)
    a = _assistant(work, vectors)
    t0 = time.perf_counter()
    a.ask(questions[0])
    print(f"first question (cold: loads the index) {time.perf_counter() - t0:.1f} s", flush=True)
    p50, p95 = _timed_questions(a.ask, questions[1:])
    print(f"warm questions p50 {p50:.1f} ms, p95 {p95:.1f} ms; peak RSS while serving {_rss_mb():.0f} MB", flush=True)
    t0 = time.perf_counter()
    a.index()
    print(f"index(), nothing changed {time.perf_counter() - t0:.2f} s", flush=True)
    one = sorted((work / "corpus").rglob("*.txt"))[5]
    one.write_text(one.read_text(encoding="utf-8") + "\nA sentence added to change this file.\n", encoding="utf-8")
    t0 = time.perf_counter()
    report = a.index()
    print(f"index(), one file changed, with the answer state reloaded {time.perf_counter() - t0:.1f} s "
          f"({report.embedded} texts embedded); peak RSS {_rss_mb():.0f} MB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--vectors", choices=("real", "hashed"), default="hashed")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-serving"))
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = args.work / f"{args.size}-{args.vectors}"
    if args.serve:
        serve(work, args.vectors)
        return
    if not (work / "corpus").exists():
        sentences, _ = squad_sentences(SQUAD_DATA)
        build_corpus(sentences, args.size, work / "corpus")
    t0 = time.perf_counter()
    print(_assistant(work, args.vectors).index().summary(), f"({time.perf_counter() - t0:.0f} s)", flush=True)
    label = "HASHED VECTORS (costs only)" if args.vectors == "hashed" else "real embeddings"
    print(f"a fresh serving process, {args.size:,} passages asked, {label}:", flush=True)
    subprocess.run([sys.executable, __file__, "--serve", "--size", str(args.size), "--vectors", args.vectors,
                    "--work", str(args.work)], check=True)


if __name__ == "__main__":
    main()

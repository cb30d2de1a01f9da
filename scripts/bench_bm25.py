"""What BM25 costs as the collection grows: segmented (ours) against rebuilding bm25s on every change.

    python scripts/bench_bm25.py --sizes 10000,100000

Passages are SQuAD 2.0 dev sentences shuffled into ~70-word paragraphs (as ``eval.scale`` builds them,
seed 7); only BM25 is timed, no embedding and no Chroma. Printed per size: tokenizing everything once,
bm25s's build from tokens (what every change cost before), our update for one changed file (10 of its
passages replaced), the merge that follows heavy deletion, loading the segments for a snapshot, the
query time, and the files' size. Results: BENCHMARKS.md, "Incremental BM25".
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file from the checkout
from eval.scale import PARAGRAPH_WORDS, SQUAD_DATA, squad_sentences  # noqa: E402
from rag.index.bm25 import bm25_tokens, fingerprint_of
from rag.index.bm25_store import load_bm25, update_bm25
from rag.records import Passage


def passages(sentences: list[str], n: int, tag: str = "", seed: int = 7) -> list[Passage]:
    rnd = random.Random(seed)
    pool: list[str] = []
    out = []
    for i in range(n):
        chosen: list[str] = []
        while sum(len(s.split()) for s in chosen) < PARAGRAPH_WORDS:
            if not pool:
                pool = sentences[:]
                rnd.shuffle(pool)
            chosen.append(pool.pop())
        text = " ".join(chosen)
        out.append(Passage(id=f"{tag}{i:07d}", source=f"{tag}{i // 10:06d}.txt", title="", url=None, start=0,
                           end=len(text), text=text, clean=text, sentences=(), ord=i % 10))
    return out


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def row(sentences: list[str], questions: list[str], size: int, work: Path) -> dict:
    import bm25s

    ps = passages(sentences, size)
    by_id = {p.id: p for p in ps}
    fetch = lambda ids: [by_id[i] for i in ids]  # noqa: E731 - the records' lookup, in memory
    tokenize_s, tokens = _timed(lambda: [bm25_tokens(p.clean) for p in ps])
    bm25s_s, _ = _timed(lambda: bm25s.BM25(k1=1.2, b=0.75).index(tokens, show_progress=False))
    folder = work / f"bm25-{size}"
    ids = [p.id for p in ps]
    first_s, _ = _timed(lambda: update_bm25(folder, fingerprint_of(ids), ids, fetch))
    unchanged_s, _ = _timed(lambda: update_bm25(folder, fingerprint_of(ids), ids, fetch))
    changed = passages(sentences, 10, tag="x", seed=size)
    by_id.update({p.id: p for p in changed})
    ids2 = ids[10:] + [p.id for p in changed]
    one_s, what = _timed(lambda: update_bm25(folder, fingerprint_of(ids2), ids2, fetch))
    live = [by_id[i] for i in ids2]
    load_s, (bm25, tokenized) = _timed(lambda: load_bm25(folder, live))
    times = []
    for q in questions[:200]:
        t0 = time.perf_counter()
        bm25.scores(bm25_tokens(q))
        times.append(time.perf_counter() - t0)
    keep = ids2[: int(len(ids2) * 0.75)]
    merge_s, merged = _timed(lambda: update_bm25(folder, fingerprint_of(keep), keep, fetch))
    disk = sum(f.stat().st_size for f in folder.iterdir())
    return {"size": size, "tokenize_s": tokenize_s, "bm25s_build_s": bm25s_s, "first_s": first_s,
            "unchanged_s": unchanged_s, "one_file_s": one_s, "one_file": what, "load_s": load_s,
            "tokenized_at_load": tokenized, "merge_s": merge_s, "merged": merged,
            "query_p50_ms": 1000 * statistics.median(times), "disk_mb": disk / 1e6}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/bench_bm25.py", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--squad", type=Path, default=SQUAD_DATA)
    args = ap.parse_args(argv)
    sentences, questions = squad_sentences(args.squad)
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            r = row(sentences, questions, size, Path(tmp))
            print(f"{r['size']:>8,} passages | tokenize all {r['tokenize_s']:.2f} s | bm25s build "
                  f"{r['bm25s_build_s']:.2f} s | ours: first {r['first_s']:.2f} s, unchanged "
                  f"{r['unchanged_s']:.3f} s, one file changed {r['one_file_s']:.3f} s ({r['one_file']}), "
                  f"merge after 25% deleted {r['merge_s']:.2f} s ({r['merged']}), snapshot load "
                  f"{r['load_s']:.2f} s ({r['tokenized_at_load']} tokenized), query p50 "
                  f"{r['query_p50_ms']:.2f} ms, disk {r['disk_mb']:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

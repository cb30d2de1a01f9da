"""How the index and the answers scale: ``python -m eval.scale --sizes 1000,10000,100000``.

Builds corpora of the asked sizes (in passages) from SQuAD 2.0 sentences shuffled across paragraphs
(fixed seed; ten paragraphs per file), indexes each through the public API and prints one table:
index time, passages/s (passages indexed per second of the whole run), re-index with nothing changed
and with one file changed, warm question p50/p95, peak RSS and disk — for the embedded vector store,
a Chroma server (``chroma run`` on loopback, started and stopped here), and LlamaIndex's
``VectorStoreIndex`` over Chroma with the same embedder.

``--vectors real`` embeds with the product's model (all-MiniLM-L6-v2); ``--vectors hashed`` uses cheap
deterministic word-hashing vectors, so every cost that is not the model can be measured at 100k on a
laptop. Hashed rows are labelled in the table; their answers mean nothing, only their costs do.
Each row runs in its own process, so peak RSS is that row's.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from eval.squad import load_squad
from rag import Assistant, MiniLMEmbedding, NumpyEmbedding, Settings, split_sentences

__all__ = ["HashedEmbedding", "build_corpus", "main"]

HERE = Path(__file__).resolve().parent
SQUAD_DATA = HERE.parent.parent / "shared" / "bench" / "squad2-dev" / "dev-v2.0.json"
PARAGRAPHS_PER_FILE = 10
PARAGRAPH_WORDS = 70  # a paragraph of ~70 words (~100 word pieces) stays one passage of <= 180 tokens
QUESTIONS = 60  # warm questions timed per row (the first 10 more are the warm-up)
RAW_SAMPLE = 1000  # passages the raw embedder is timed on, per row (a seeded sample of the indexed ones)
MODES = ("embedded", "server", "llamaindex")


class HashedEmbedding(NumpyEmbedding):
    """Deterministic 384-d word-hashing vectors (no language model): for measuring non-model costs only."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", "hashed-words-384 (not a language model)")
        kwargs.setdefault("embed_batch_size", 64)
        super().__init__(**kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "HashedEmbedding"

    @property
    def dimension(self) -> int:
        return 384

    def embed(self, text: str) -> np.ndarray:
        v = np.zeros(384, dtype=np.float32)
        for w in text.lower().split():
            h = zlib.crc32(w.encode("utf-8"))
            v[h % 384] += 1.0 if h & 0x80000000 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed(t) for t in texts]) if texts else np.zeros((0, 384), np.float32)


def squad_sentences(data: Path) -> tuple[list[str], list[str]]:
    """Every sentence of the SQuAD 2.0 dev contexts, and every answerable question (for timing)."""
    paragraphs, questions = load_squad(data)
    sentences = [text[s:e] for text in paragraphs.values() for s, e in split_sentences(text)]
    return [s for s in sentences if len(s.split()) >= 4], [q.question for q in questions if q.answerable]


def build_corpus(sentences: list[str], passages: int, folder: Path, seed: int = 7) -> int:
    """``passages`` paragraphs of shuffled sentences in files of ten; returns the number of files."""
    rnd = random.Random(seed)
    pool: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    files = (passages + PARAGRAPHS_PER_FILE - 1) // PARAGRAPHS_PER_FILE
    for f in range(files):
        paras = []
        for _ in range(min(PARAGRAPHS_PER_FILE, passages - f * PARAGRAPHS_PER_FILE)):
            words, chosen = 0, []
            while words < PARAGRAPH_WORDS:
                if not pool:
                    pool = sentences[:]
                    rnd.shuffle(pool)
                chosen.append(pool.pop())
                words += len(chosen[-1].split())
            paras.append(" ".join(chosen))
        sub = folder / f"{f // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc-{f:06d}.txt").write_text(f"Document {f}\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    return files


def _disk(*paths: Path) -> int:
    return sum(f.stat().st_size for p in paths if p.exists() for f in p.rglob("*") if f.is_file())


def _timed_questions(ask, questions: list[str]) -> tuple[float, float]:
    for q in questions[:10]:
        ask(q)
    took = []
    for q in questions[10:10 + QUESTIONS]:
        t0 = time.perf_counter()
        ask(q)
        took.append(time.perf_counter() - t0)
    took.sort()
    return statistics.median(took) * 1000, took[int(0.95 * (len(took) - 1))] * 1000


def _embedder(kind: str):
    return HashedEmbedding() if kind == "hashed" else MiniLMEmbedding()


def measure_ours(corpus: Path, work: Path, kind: str, url: str | None, questions: list[str]) -> dict:
    """One row for our index: build, re-index unchanged, re-index one changed file, questions."""
    home = work / "home"
    settings = replace(Settings.from_env(corpus_dir=corpus, home=home), chroma_url=url, refresh_seconds=3600)
    assistant = Assistant(settings=settings, embedder=_embedder(kind))
    t0 = time.perf_counter()
    first = assistant.index()
    index_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    assistant.index()
    unchanged_s = time.perf_counter() - t0
    one = sorted(corpus.rglob("*.txt"))[len(questions) % 7]
    one.write_text(one.read_text(encoding="utf-8") + "\nA sentence added to change this file.\n", encoding="utf-8")
    t0 = time.perf_counter()
    changed = assistant.index()
    one_s = time.perf_counter() - t0
    p50, p95 = _timed_questions(assistant.ask, questions)
    raw = _raw_rate(assistant) if kind == "real" else None
    assistant.close()
    rate = first.passages / index_s if index_s else 0.0
    return {"passages": first.passages, "files": first.documents, "texts": first.embedded, "index_s": index_s,
            "passages_per_s": rate, "raw_per_s": raw, "of_raw": rate / raw if raw else None,
            "unchanged_s": unchanged_s, "one_file_s": one_s, "one_file_texts": changed.embedded,
            "p50_ms": p50, "p95_ms": p95}


def _raw_rate(assistant: Assistant) -> float:
    """The raw embedder's passages/s in this process: ``embed_many`` over RAW_SAMPLE of the indexed
    passages (seeded), nothing else — the yardstick of issue 11's "≥ 90 % of the embedder"."""
    passages = assistant.store.load().passages
    texts = [p.clean for p in random.Random(5).sample(list(passages), min(RAW_SAMPLE, len(passages)))]
    t0 = time.perf_counter()
    assistant.embedder.embed_many(texts)
    return len(texts) / (time.perf_counter() - t0)


def measure_llamaindex(corpus: Path, work: Path, kind: str, questions: list[str]) -> dict:
    """The same corpus through LlamaIndex's VectorStoreIndex over a persistent Chroma (retrieval only)."""
    import chromadb
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(path=str(work / "chroma"))
    store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("scale"))
    t0 = time.perf_counter()
    docs = SimpleDirectoryReader(str(corpus), recursive=True, required_exts=[".txt"]).load_data()
    index = VectorStoreIndex.from_documents(docs, storage_context=StorageContext.from_defaults(vector_store=store),
                                            embed_model=_embedder(kind))
    index_s = time.perf_counter() - t0
    texts = store._collection.count()
    retriever = index.as_retriever(similarity_top_k=5)
    p50, p95 = _timed_questions(retriever.retrieve, questions)
    return {"passages": texts, "files": len(docs), "texts": texts, "index_s": index_s,
            "passages_per_s": texts / index_s if index_s else 0.0, "p50_ms": p50, "p95_ms": p95}


def run_row(args: argparse.Namespace) -> dict:
    """One (size, mode) row, in this process: its corpus, its index, its figures."""
    sentences, questions = squad_sentences(args.data)
    random.Random(3).shuffle(questions)
    work = Path(tempfile.mkdtemp(prefix=f"rag-scale-{args.size}-{args.mode}-", dir=args.work))
    try:
        corpus = work / "corpus"
        build_corpus(sentences, args.size, corpus)
        if args.mode == "llamaindex":
            row = measure_llamaindex(corpus, work, args.vectors, questions)
        else:
            row = measure_ours(corpus, work, args.vectors, args.url if args.mode == "server" else None, questions)
        server = [Path(args.server_path)] if args.mode == "server" else []
        row["disk_mb"] = _disk(work / "home", work / "chroma", *server) / 1e6
        row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"size": args.size, "mode": args.mode, "vectors": args.vectors, **row}
    finally:
        shutil.rmtree(work, ignore_errors=True)


class ChromaProcess:
    """``chroma run`` on loopback in a temporary directory; stopped by its PID."""

    def __init__(self, work: Path) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="rag-scale-chroma-", dir=work))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        chroma = Path(sys.executable).parent / "chroma"
        self.log = open(self.path / "server.log", "wb")
        self.proc = subprocess.Popen([str(chroma), "run", "--path", str(self.path / "data"), "--host", "127.0.0.1",
                                      "--port", str(port)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"chroma run did not answer at {self.url} within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()
        shutil.rmtree(self.path, ignore_errors=True)


COLUMNS = [("size", "passages asked", "{:,}"), ("mode", "vectors in", "{}"), ("passages", "passages", "{:,}"),
           ("index_s", "index s", "{:.1f}"), ("passages_per_s", "passages/s", "{:.0f}"),
           ("of_raw", "of the raw embedder", "{:.0%}"),
           ("unchanged_s", "re-index, no change s", "{:.2f}"), ("one_file_s", "re-index, 1 file changed s", "{:.2f}"),
           ("p50_ms", "question p50 ms", "{:.0f}"), ("p95_ms", "question p95 ms", "{:.0f}"),
           ("peak_rss_mb", "peak RSS MB", "{:.0f}"), ("disk_mb", "disk MB", "{:.1f}")]


def table(rows: list[dict]) -> str:
    """The rows as one Markdown table; hashed-vector rows say so in every line."""
    head = "| " + " | ".join(title for _, title, _ in COLUMNS) + " |"
    lines = [head, "|" + "---|" * len(COLUMNS)]
    for r in rows:
        cells = [fmt.format(r[key]) if r.get(key) is not None else "n/a" for key, _, fmt in COLUMNS]
        if r["vectors"] == "hashed":
            cells[1] += " (hashed vectors)"
        if r["mode"] == "llamaindex":
            cells[1] = cells[1].replace("llamaindex", "LlamaIndex VectorStoreIndex (retrieval only)")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(rows: list[dict], out: Path) -> None:
    """Log-log: seconds to index, re-index unchanged and answer (p50), against passages."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for mode in MODES:
        for key, label in (("index_s", "index"), ("unchanged_s", "re-index, no change"), ("p50_ms", "question p50")):
            pts = sorted((r["size"], r[key] / (1000 if key == "p50_ms" else 1)) for r in rows
                         if r["mode"] == mode and r.get(key) is not None)
            if pts:
                vectors = {r["vectors"] for r in rows if r["mode"] == mode}
                ax.plot(*zip(*pts), marker="o", label=f"{mode} ({'/'.join(sorted(vectors))}): {label}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages asked (LlamaIndex splits the same files into its own, larger nodes)")
    ax.set_ylabel("seconds")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def _child(args: argparse.Namespace, size: int, mode: str, server: ChromaProcess | None) -> dict:
    cmd = [sys.executable, "-m", "eval.scale", "--row", "--size", str(size), "--mode", mode, "--vectors",
           args.vectors, "--data", str(args.data), "--work", str(args.work)]
    if server is not None:
        cmd += ["--url", server.url, "--server-path", str(server.path / "data")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode != 0:
        raise SystemExit(f"{size} {mode}: the row failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_all(args: argparse.Namespace) -> list[dict]:
    rows = []
    for size in args.sizes:
        for mode in args.modes:
            server = ChromaProcess(args.work) if mode == "server" else None
            try:
                row = _child(args, size, mode, server)
            finally:
                if server is not None:
                    server.stop()
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.scale", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1000", help="passages per corpus, comma-separated (default %(default)s)")
    p.add_argument("--modes", default=",".join(MODES), help="embedded, server, llamaindex (default: all)")
    p.add_argument("--vectors", choices=("real", "hashed"), default="real",
                   help="real: the product's embedder; hashed: cheap word-hashing vectors (costs only)")
    p.add_argument("--data", type=Path, default=SQUAD_DATA, help="SQuAD 2.0 dev JSON")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()), help="where corpora are built")
    p.add_argument("--json", type=Path, help="also write the rows here")
    p.add_argument("--plot", type=Path, help="also draw the log-log plot here (PNG)")
    p.add_argument("--row", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--mode", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--server-path", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.row:
        print(json.dumps(run_row(args)))
        return 0
    try:
        args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        raise SystemExit(f"--sizes must be whole numbers separated by commas, got {args.sizes!r}") from None
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in args.modes if m not in MODES] + [str(n) for n in args.sizes if n < 10]
    if bad or not args.sizes:
        raise SystemExit(f"--sizes must be >= 10 and --modes among {', '.join(MODES)}; got {', '.join(bad) or 'none'}")
    if not args.data.is_file():
        raise SystemExit(f"SQuAD 2.0 dev file not found: {args.data} (use --data)")
    rows = run_all(args)
    label = "real embeddings (all-MiniLM-L6-v2)" if args.vectors == "real" else \
        "HASHED VECTORS: cheap word hashing, not a language model - costs only, answers meaningless"
    print(f"eval/scale.py, {label}; corpora of SQuAD 2.0 dev sentences shuffled across paragraphs (seed 7)")
    print(table(rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    if args.plot:
        plot(rows, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())

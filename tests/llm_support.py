"""Shared by the LLM tests: passages of the real corpus (offsets from the files), the real
extractive fallback, and a real OpenAI-compatible server (xllamacpp) on a loopback port.

Run as a script it *is* that server: ``python tests/llm_support.py MODEL.gguf API_KEY`` prints
``http://127.0.0.1:PORT`` on one line and serves until its stdin closes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@lru_cache(maxsize=None)
def corpus_passages(folder: str = str(CORPUS)) -> tuple:
    """Every passage of the corpus, chunked by the core's own Chunker."""
    import rag  # noqa: F401  (offline environment first)
    from rag.ingest.chunk import Chunker
    from rag.ingest.corpus import read_document

    base = Path(folder)
    out = []
    for path in sorted(base.glob("*.txt")):
        out.extend(Chunker().split(read_document(path, base)))
    return tuple(out)


def passage_with(needle: str, folder: str = str(CORPUS)):
    """The passage whose file text contains ``needle`` (fails loudly if none does)."""
    for p in corpus_passages(folder):
        if needle in p.text:
            return p
    raise AssertionError(f"no passage contains {needle!r}")


def hit_for(needle: str, score: float = 1.0, folder: str = str(CORPUS)):
    from rag import Hit

    p = passage_with(needle, folder)
    return Hit(p, score, score, score, tuple(0.5 for _ in p.sentences))


def extractive(folder: str = str(CORPUS)):
    """The core's extractive answerer with document frequencies of the same passages."""
    from rag import supports
    from rag.answer.extractive import ExtractiveAnswerer
    from rag.text.normalize import content_terms

    passages = corpus_passages(folder)
    df: Counter[str] = Counter()
    for p in passages:
        df.update(set(content_terms(p.clean)))
    return ExtractiveAnswerer(df, len(passages), judge=supports)


def file_text(source: str, folder: str | Path = CORPUS) -> str:
    return (Path(folder) / source).read_bytes().decode("utf-8")


@contextmanager
def openai_server(model: Path, api_key: str) -> Iterator[str]:
    """A separate process serving ``model`` over HTTP on 127.0.0.1; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), str(model), api_key],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        if not line.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the test server did not start (said {line!r})")
        yield line
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _serve(model: str, api_key: str) -> None:
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model
    params.n_ctx = 4096
    params.verbosity = 0
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.api_keys = [api_key]
    server = xlc.Server(params)
    print(server.listening_address, flush=True)
    sys.stdin.read()  # serve until the test closes our stdin
    del server


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2])

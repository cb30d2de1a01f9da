"""Crash safety: `rag index` killed with SIGKILL at several moments, then run again, leaves a consistent index."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ARTICLES, CORPUS, RAG_BIN, core_check_index, core_sha256

import rag
from rag.index import IndexHome, IndexStore

pytestmark = pytest.mark.slow

VARIATIONS = 24
KILLS: list[tuple[str, int]] = []  # (why the kill happened, exit code), for failure messages
POLL = 0.005


def _make_corpus(root: Path) -> Path:
    """The five articles plus VARIATIONS short files made of their paragraphs and a unique marker."""
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    articles = [(CORPUS / name).read_text(encoding="utf-8") for name in sorted(ARTICLES.values())]
    for i in range(VARIATIONS):
        paras = [p.strip() for p in re.split(r"\n\s*\n", articles[i % 5]) if len(p.strip()) > 80]
        start = (i * 2) % max(1, len(paras) - 3)
        body = "\n\n".join(paras[start:start + 3])
        text = (f"Variation {i} of article {i % 5}\n\n"
                f"Dispatch {i} was filed from the newsroom in Bishkek under reference code VX-{i:03d}.\n\n{body}\n")
        (corpus / f"v{i:02d}_variation.txt").write_text(text, encoding="utf-8")
    return corpus


def _generation(home: Path) -> Path | None:
    return IndexHome(home).current()


def _state(home: Path) -> tuple[dict[str, str], bool]:
    """(source -> recorded sha256, whether some document is marked dirty mid-update) as SQLite has it now."""
    gen = _generation(home)
    db = gen / "records.sqlite" if gen else None
    if db is None or not db.exists():
        return {}, False
    try:
        con = sqlite3.connect(db, timeout=0.05)
        try:
            rows = dict(con.execute("SELECT source, sha256 FROM documents").fetchall())
        finally:
            con.close()
    except sqlite3.Error:
        return {}, False
    return rows, any(v == "" for v in rows.values())


def _committed(home: Path) -> int:
    return sum(1 for sha in _state(home)[0].values() if sha)


def _between_stores(home: Path):
    """A condition that holds once Chroma's file changed after the last SQLite commit was seen."""
    seen = {"n": -1, "mtime": None}

    def mtime():
        try:
            return (_generation(home) / "chroma" / "chroma.sqlite3").stat().st_mtime_ns
        except (OSError, TypeError):
            return None

    def check() -> bool:
        n = _committed(home)
        if n != seen["n"]:
            seen["n"], seen["mtime"] = n, mtime()
            return False
        return "chroma changed" if seen["mtime"] is not None and mtime() != seen["mtime"] else ""

    return check


def _current(corpus: Path) -> dict[str, str]:
    return {p.relative_to(corpus).as_posix(): core_sha256(p) for p in sorted(corpus.rglob("*.txt"))}


class Run:
    def __init__(self, corpus: Path, home: Path):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env["RAG_INDEX_BATCH_FILES"] = "2"  # commits two files at a time: many moments to kill at
        self.home = home
        self.proc = subprocess.Popen([str(RAG_BIN), "index", "--corpus", str(corpus), "--home", str(home)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.t0 = time.monotonic()

    def kill_when(self, condition, limit: float = 900.0) -> int:
        """SIGKILL as soon as ``condition()`` holds; returns the exit code (-9 when the kill landed)."""
        self.reason = "finished"
        while self.proc.poll() is None:
            why = condition()
            if why or time.monotonic() - self.t0 > limit:
                self.proc.send_signal(signal.SIGKILL)
                self.reason = why or "time limit"
                break
            time.sleep(POLL)
        self.proc.communicate(timeout=120)
        KILLS.append((self.reason, self.proc.returncode))
        return self.proc.returncode


def test_sigkill_at_any_moment_then_reindex_is_consistent(tmp_path):
    corpus = _make_corpus(tmp_path)
    home = tmp_path / "home"
    outcomes = {}

    # 1. during start-up (imports, opening the stores)
    r = Run(corpus, home)
    outcomes["startup"] = r.kill_when(lambda: "1.5 s" if time.monotonic() - r.t0 > 1.5 else "")

    # 2. right after a few documents were committed
    r = Run(corpus, home)
    base = _committed(home)
    outcomes["after commits"] = r.kill_when(lambda: "3 commits" if _committed(home) >= base + 3 else "")

    # 3. inside Chroma's own write transaction (its rollback journal exists)
    journal = _generation(home) / "chroma" / "chroma.sqlite3-journal"
    r = Run(corpus, home)
    base = _committed(home)
    outcomes["in chroma transaction"] = r.kill_when(
        lambda: ("journal" if _committed(home) > base and journal.exists() else "")
        or ("8 commits" if _committed(home) >= base + 8 else ""))

    # 4. between the stores: a document's vectors are written to Chroma, its SQLite commit not yet done
    r = Run(corpus, home)
    outcomes["between stores"] = r.kill_when(_between_stores(home))

    # the corpus changes while the index is half built: edits, a deletion, an addition
    done = [s for s, sha in _state(home)[0].items() if sha]
    assert len(done) >= 4, f"too few documents committed before the edits: {done}"
    edited = done[:3]
    for source in edited:
        path = corpus / source
        path.write_text(path.read_text(encoding="utf-8") + "\nAn added closing line says the depot in Osh "
                        f"stores {len(source) * 11} crates.\n", encoding="utf-8")
    deleted = done[3]
    deleted_text = (corpus / deleted).read_text(encoding="utf-8")
    (corpus / deleted).unlink()
    (corpus / "w_added.txt").write_text("Added Later\n\nThe ferry from Aktau to Baku carried 2,750 lorries "
                                        "last winter, according to the port authority.\n", encoding="utf-8")

    # 5. mid update of the edited files (a document marked dirty while its vectors are replaced)
    new_sha = {source: core_sha256(corpus / source) for source in edited}
    r = Run(corpus, home)
    outcomes["mid update"] = r.kill_when(
        lambda: ("dirty" if _state(home)[1] else "")
        or ("update committed" if any(_state(home)[0].get(s) == sha for s, sha in new_sha.items()) else ""))

    # 6. a few more commits, then at the very end (BM25 being saved)
    r = Run(corpus, home)
    base = _committed(home)
    outcomes["later commits"] = r.kill_when(lambda: "5 commits" if _committed(home) >= base + 5 else "")
    want = _current(corpus)
    r = Run(corpus, home)
    outcomes["at the end"] = r.kill_when(lambda: "all committed" if _state(home)[0] == want else "")

    for moment in ("startup", "after commits", "in chroma transaction", "between stores", "mid update",
                   "later commits"):
        assert outcomes[moment] == -signal.SIGKILL, f"the kill {moment!r} did not land: {outcomes} {KILLS}"
    assert outcomes["at the end"] in (-signal.SIGKILL, 0), outcomes

    print("kills:", list(zip(outcomes, KILLS)))

    # the next run finishes, and a run after it has nothing to do
    final = subprocess.run([str(RAG_BIN), "index", "--corpus", str(corpus), "--home", str(home)],
                           capture_output=True, text=True, timeout=900)
    assert final.returncode == 0, final.stderr
    assert "Traceback" not in final.stderr
    again = subprocess.run([str(RAG_BIN), "index", "--corpus", str(corpus), "--home", str(home)],
                           capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and "nothing changed" in again.stdout and "0 texts embedded" in again.stdout, \
        again.stdout + again.stderr

    expected = core_check_index(corpus, home)
    assert deleted not in expected and "w_added.txt" in expected
    assert len(expected) == 5 + VARIATIONS  # one deleted, one added

    # the stored vectors are the embeddings of the stored texts (nothing half-written survived)
    store = IndexStore(home)
    try:
        passages = store.passages()
        picked = [p for p in passages if p.source in edited] + random.Random(7).sample(passages, 12)
        sample = list({p.id: p for p in picked}.values())
        vecs = store.embeddings([p.id for p in sample])
        embedder = rag.MiniLMEmbedding()
        for p in sample:
            assert float(np.dot(vecs[p.id], embedder.embed(p.clean))) > 0.999, (p.source, p.id)
        texts = " ".join(p.text for p in passages)
    finally:
        store.close()
    marker = re.search(r"VX-\d{3}", deleted_text)
    if marker:
        assert marker.group(0) not in texts, "passages of the deleted file are still indexed"
    for source in edited:
        assert f"stores {len(source) * 11} crates" in texts

    # and answers work over the repaired index
    a = rag.Assistant(corpus_dir=corpus, home=home)
    answer = a.ask("What did Lavrov say about ISIS numbers?")
    assert not answer.abstained and "1,000" in answer.text
    answer = a.ask("How many lorries did the ferry from Aktau to Baku carry last winter?")
    assert "2,750" in answer.text and answer.citations[0].source == "w_added.txt"
    for c in answer.citations:
        assert (corpus / c.source).read_bytes().decode("utf-8")[c.start:c.end] == c.quote

"""Shared fixtures.

Core suite (tests/test_core_*.py): the five articles are indexed once per session into a temporary
home (``core_index``); tests that change the corpus or the index work on a copy of both
(``core_index_copy``), so nothing ever touches the repository's ``corpus/`` or ``.rag/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import rag

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
RAG_BIN = Path(sys.executable).parent / "rag"

ARTICLES = {
    "000": "000_cac5a6acb37b38dd.txt",
    "001": "001_0726ca179cd6e267.txt",
    "002": "002_8d74d1f1f795a5dd.txt",
    "003": "003_0d3ebc24bd5f4bac.txt",
    "004": "004_db4d729b4f8bc47f.txt",
}


@dataclass(frozen=True)
class CoreIndex:
    """A corpus folder and the index directory built from it."""

    corpus: Path
    home: Path

    def text(self, source: str) -> str:
        """A corpus file exactly as citations must quote it: its bytes decoded as UTF-8."""
        return (self.corpus / source).read_bytes().decode("utf-8")

    def assistant(self, **kw) -> rag.Assistant:
        return rag.Assistant(corpus_dir=self.corpus, home=self.home, **kw)


def _copy_index(src: CoreIndex, root: Path) -> CoreIndex:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src.corpus, root / "corpus")
    shutil.copytree(src.home, root / "home", ignore=shutil.ignore_patterns("lock"))
    return CoreIndex(root / "corpus", root / "home")


@pytest.fixture(scope="session")
def core_index(tmp_path_factory) -> CoreIndex:
    """The five articles indexed once for the whole session (read-only: copy it to change anything)."""
    root = tmp_path_factory.mktemp("core-index")
    shutil.copytree(CORPUS, root / "corpus")
    built = CoreIndex(root / "corpus", root / "home")
    a = built.assistant()
    a.index()
    a.store.close()
    return built


@pytest.fixture(scope="session")
def core_assistant(core_index) -> rag.Assistant:
    """One Assistant over the session index, shared by tests that only ask questions."""
    a = core_index.assistant()
    report = a.index()
    assert report.embedded == 0, "the session index should already be complete"
    return a


@pytest.fixture(scope="module")
def module_assistant(core_index, tmp_path_factory) -> rag.Assistant:
    """An Assistant over one module's private copy of the session index (a served page, uploads): the
    copy is already indexed, so nothing is embedded again."""
    a = _copy_index(core_index, tmp_path_factory.mktemp("module-index")).assistant()
    a.index()
    return a


@pytest.fixture
def core_index_copy(core_index, tmp_path) -> CoreIndex:
    """A private copy of the indexed corpus and its home, free to change."""
    return _copy_index(core_index, tmp_path / "copy")


def core_write(path: Path, data: str | bytes) -> None:
    """Write a test file (text as UTF-8, bytes as they are), creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def core_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def core_run_cli(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``rag`` console script; RAG_* variables of the caller are not passed on."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    if env:
        base.update(env)
    return subprocess.run([str(RAG_BIN), *args], capture_output=True, text=True, timeout=timeout, env=base)


def core_records(home: Path) -> Path:
    """The records file of the generation an index directory currently serves."""
    from rag.index import IndexHome

    gen = IndexHome(home).current()
    assert gen is not None, f"no published index generation in {home}"
    return gen / "records.sqlite"


def core_check_index(corpus: Path, home: Path) -> dict:
    """Assert the index in ``home`` is exactly what ``corpus`` holds now; returns {source: [passage ids]}.

    SQLite records and both Chroma collections hold the same ids (no duplicates, no strays), every
    readable file is recorded with its current sha256 and its indexed text, and its passages are the
    ones its current text splits into, at the right offsets.
    """
    from rag.index import IndexStore
    from rag.ingest.chunk import Chunker
    from rag.ingest.corpus import read_document, scan_corpus

    store = IndexStore(home)
    try:
        passages = store.passages()
        ids = [p.id for p in passages]
        assert len(ids) == len(set(ids)), "duplicate passage ids in SQLite"
        assert store.vector_ids() == set(ids), "Chroma passages differ from SQLite"
        assert store.vector_count() == len(ids)
        by_id = {p.id: p for p in passages}
        for pid, m in store.vector_metadatas(ids).items():
            p = by_id[pid]
            assert (m["source"], m["start"], m["end"]) == (p.source, p.start, p.end)
        loaded = store.records().load()
        assert loaded.passage_vectors.shape == (len(passages), 384)
        assert loaded.sentence_vectors.shape == (sum(len(p.sentences) for p in passages), 384)

        files, _ = scan_corpus(corpus)
        chunker = Chunker(rag.Settings().max_passage_tokens)
        docs = store.documents()
        expected: dict[str, list[str]] = {}
        for path in files:
            try:
                doc = read_document(path, corpus)
            except rag.RagError:
                continue
            expected[doc.source] = [p.id for p in chunker.split(doc)]
            assert doc.source in docs, f"{doc.source} is not indexed"
            assert docs[doc.source].sha256 == core_sha256(path), f"{doc.source} recorded with a stale hash"
            mine = [p for p in passages if p.source == doc.source]
            assert [p.id for p in mine] == expected[doc.source], f"{doc.source}: passages do not match its text"
            assert store.document_text(doc.source) == (doc.sha256, doc.text)
            for p in mine:
                assert doc.text[p.start:p.end] == p.text
                for s in p.sentences:
                    assert doc.text[s.start:s.end] == s.text
        assert set(docs) == set(expected), "documents recorded that are not in the corpus (or missing)"
        assert {p.source for p in passages} <= set(expected)
        return expected
    finally:
        store.close()

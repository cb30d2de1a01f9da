"""The index directory: SQLite records (the commit point), Chroma vectors and a BM25 index beside them.

Layout of ``home``::

    records.sqlite   documents, passages and their sentences with offsets (one transaction per file)
    chroma/          Chroma PersistentClient: "passages" and "sentences" collections, our own embeddings
    bm25/            bm25s index over the de-glued passage texts, tagged with the passage-set fingerprint
    lock             flock taken while indexing, so two processes never write at once

A document's row is marked dirty before its vectors change and clean only in the transaction that
records its new passages, so a process killed at any point leaves a state the next run repairs.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from . import _env  # noqa: F401
from .errors import IndexBusyError, IndexCorruptError
from .passages import Passage, SentenceSpan

__all__ = ["DocRecord", "IndexStore", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, title TEXT NOT NULL, url TEXT,
    chars INTEGER NOT NULL, indexed_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS passages(
    id TEXT PRIMARY KEY, source TEXT NOT NULL, ord INTEGER NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, boilerplate INTEGER NOT NULL, text TEXT NOT NULL, clean TEXT NOT NULL,
    sentences TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passages_source ON passages(source, ord);
"""


@dataclass(frozen=True)
class DocRecord:
    """What the index knows about one file; an empty ``sha256`` marks a file whose update was cut off."""

    source: str
    sha256: str
    title: str
    url: str | None
    chars: int
    indexed_at: float


def _node(pid: str, source: str, text: str, embedding: np.ndarray, meta: dict):
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    return TextNode(
        id_=pid, text=text, embedding=[float(x) for x in embedding], metadata=meta,
        excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=source)},
    )


_OPENED: dict[str, int | None] = {}  # chroma dir → inode it had when this process opened it


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _forget_replaced_chroma(path: str) -> None:
    """Drop chromadb's per-process cached system for ``path`` if the directory was replaced since.

    chromadb keeps one system per persist directory for the life of the process; after another
    process (or ``rag index --rebuild``) moved the directory aside and built a new one, that cached
    system points at segments that no longer exist ("Missing metadata segment").
    """
    if path in _OPENED and _OPENED[path] != _inode(path):
        from chromadb.api.shared_system_client import SharedSystemClient

        system = SharedSystemClient._identifier_to_system.pop(path, None)
        SharedSystemClient._identifier_to_refcount.pop(path, None)
        if system is not None:
            system.stop()
        del _OPENED[path]


class IndexStore:
    """Reads and writes one index directory; every write goes through :meth:`write_document`."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self._local = threading.local()  # one SQLite connection per thread: readers never see a writer's
        self._conns: list[sqlite3.Connection] = []  # uncommitted rows, and no connection is shared
        self._conn_lock = threading.Lock()
        self._client = None
        self._stores: dict[str, object] = {}

    # -- opening ---------------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.home / "records.sqlite").is_file()

    def db(self) -> sqlite3.Connection:
        """This thread's connection to the records (opened, and the schema checked, on first use)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._open()
            self._local.db = db
            with self._conn_lock:
                self._conns.append(db)
        return db

    def _open(self) -> sqlite3.Connection:
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / "records.sqlite"
        try:
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES('schema', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise IndexCorruptError(
                    f"index at {self.home} has schema {row[0]}, this version reads {SCHEMA_VERSION}; "
                    "run `rag index --rebuild`")
            db.execute("SELECT count(*) FROM passages").fetchone()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(
                f"index at {self.home} is unreadable ({exc}); nothing was deleted — "
                "run `rag index --rebuild` to set it aside and build a new one") from exc
        return db

    def _chroma(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            path = str(self.home / "chroma")
            _forget_replaced_chroma(path)
            try:
                self._client = chromadb.PersistentClient(
                    path=path,
                    settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
                )
            except Exception as exc:  # chroma raises many kinds on a damaged directory
                raise IndexCorruptError(
                    f"vector store at {self.home / 'chroma'} is unreadable ({type(exc).__name__}: {exc}); "
                    "run `rag index --rebuild`") from exc
            _OPENED[path] = _inode(path)
        return self._client

    def vectors(self, name: str):
        """LlamaIndex's ChromaVectorStore over collection ``name`` ("passages" or "sentences")."""
        if name not in self._stores:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            try:
                collection = self._chroma().get_or_create_collection(
                    name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
            except IndexCorruptError:
                raise
            except Exception as exc:
                raise IndexCorruptError(f"vector collection {name!r} in {self.home} is unreadable: {exc}") from exc
            self._stores[name] = ChromaVectorStore(chroma_collection=collection)
        return self._stores[name]

    def close(self) -> None:
        if self._client is not None and hasattr(self._client, "close"):
            self._client.close()  # releases chromadb's per-process system for this directory
        with self._conn_lock:
            for db in self._conns:
                db.close()
            self._conns.clear()
        self._local = threading.local()
        self._stores.clear()
        self._client = None

    @contextmanager
    def writing(self, wait_s: float = 30.0) -> Iterator[None]:
        """Exclusive right to write this index (an flock released even when the process dies)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / "lock", "a+") as fh:
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusyError(f"another process is indexing {self.home}; try again when it is done")
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- reading ---------------------------------------------------------------------------------
    def documents(self) -> dict[str, DocRecord]:
        rows = self.db().execute("SELECT source, sha256, title, url, chars, indexed_at FROM documents")
        return {r[0]: DocRecord(*r) for r in rows}

    def passages(self) -> list[Passage]:
        docs = self.documents()
        rows = self.db().execute(
            "SELECT id, source, ord, start, end, boilerplate, text, clean, sentences FROM passages "
            "ORDER BY source, ord")
        out = []
        for pid, source, ord_, start, end, boiler, text, clean_text, sents in rows:
            doc = docs.get(source)
            out.append(Passage(
                id=pid, source=source, title=doc.title if doc else source, url=doc.url if doc else None,
                start=start, end=end, text=text, clean=clean_text,
                sentences=tuple(SentenceSpan(*s) for s in json.loads(sents)), ord=ord_, boilerplate=bool(boiler)))
        return out

    def vector_ids(self, name: str) -> set[str]:
        return set(self.vectors(name)._collection.get(include=[])["ids"])

    def embeddings(self, name: str, ids: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        col = self.vectors(name)._collection
        if ids is not None and not ids:
            return {}
        got = col.get(ids=list(ids) if ids is not None else None, include=["embeddings"])
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"])}

    def fingerprint(self) -> str:
        ids = [r[0] for r in self.db().execute("SELECT id FROM passages ORDER BY id")]
        return hashlib.sha1("\n".join(ids).encode()).hexdigest()

    # -- writing ---------------------------------------------------------------------------------
    def mark_dirty(self, source: str) -> None:
        self.db().execute("UPDATE documents SET sha256='' WHERE source=?", (source,))

    def delete_vectors(self, source: str) -> None:
        for name in ("passages", "sentences"):
            self.vectors(name).delete(ref_doc_id=source)

    def delete_vector_ids(self, name: str, ids: Sequence[str]) -> None:
        if ids:
            self.vectors(name)._collection.delete(ids=list(ids))

    def write_document(self, rec: DocRecord, passages: Sequence[Passage],
                       p_vecs: Sequence[np.ndarray], s_vecs: Sequence[Sequence[np.ndarray]]) -> None:
        """Replace one file's passages and vectors; the SQLite commit at the end is the commit point."""
        self.mark_dirty(rec.source)
        self.delete_vectors(rec.source)
        p_nodes, s_nodes = [], []
        for p, pv, svs in zip(passages, p_vecs, s_vecs):
            meta = {"source": p.source, "start": p.start, "end": p.end, "ord": p.ord, "boilerplate": int(p.boilerplate)}
            p_nodes.append(_node(p.id, p.source, p.clean, pv, meta))
            for i, (s, sv) in enumerate(zip(p.sentences, svs)):
                s_nodes.append(_node(f"{p.id}:{i}", p.source, s.clean, sv,
                                     {"source": p.source, "passage_id": p.id, "start": s.start, "end": s.end}))
        if p_nodes:
            self.vectors("passages").add(p_nodes)
        if s_nodes:
            self.vectors("sentences").add(s_nodes)
        db = self.db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM passages WHERE source=?", (rec.source,))
            db.executemany(
                "INSERT INTO passages VALUES(?,?,?,?,?,?,?,?,?)",
                [(p.id, p.source, p.ord, p.start, p.end, int(p.boilerplate), p.text, p.clean,
                  json.dumps([[s.start, s.end, s.text, s.clean] for s in p.sentences], ensure_ascii=False))
                 for p in passages])
            db.execute("INSERT OR REPLACE INTO documents VALUES(?,?,?,?,?,?)",
                       (rec.source, rec.sha256, rec.title, rec.url, rec.chars, rec.indexed_at))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def remove_document(self, source: str) -> None:
        self.mark_dirty(source)
        self.delete_vectors(source)
        db = self.db()
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM passages WHERE source=?", (source,))
        db.execute("DELETE FROM documents WHERE source=?", (source,))
        db.execute("COMMIT")

    def set_meta(self, key: str, value: str) -> None:
        self.db().execute("INSERT OR REPLACE INTO meta VALUES(?,?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self.db().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    # -- BM25 --------------------------------------------------------------------------------------
    def save_bm25(self, retriever, fingerprint: str) -> None:
        tmp = self.home / f"bm25.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        retriever.save(str(tmp))
        (tmp / "fingerprint").write_text(fingerprint)
        final, old = self.home / "bm25", self.home / f"bm25.old-{os.getpid()}"
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)

    def load_bm25(self, fingerprint: str):
        """The saved BM25 index if it matches the current passage set, else None (caller rebuilds)."""
        import bm25s

        path = self.home / "bm25"
        try:
            if (path / "fingerprint").read_text() != fingerprint:
                return None
            return bm25s.BM25.load(str(path), mmap=False)
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            return None

    def set_aside(self) -> Path:
        """Move a broken index directory out of the way (never delete it) and return where it went."""
        self.close()
        target = self.home.with_name(f"{self.home.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        self.home.rename(target)
        return target

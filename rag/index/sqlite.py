"""SQLite records of one index generation: the commit point of every write, and all a reader loads.

A document's text, its passages with their sentence offsets, and both kinds of vectors (float16) are
written in one transaction per file, and every write transaction raises ``generation`` by one. A
reader loads a consistent snapshot in one read transaction and notices any later commit, from this
process or another, by reading that counter. Readers need no write access: on a read-only mount the
file is opened read-only (or immutable, with a reopen whenever the file changes).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from rag.errors import IndexCorruptError
from rag.index.loaded import DocRecord, Loaded, merge, unchanged_sources
from rag.records import PLAIN, Layout, Passage, SentenceSpan

__all__ = ["DocRecord", "Records", "Loaded", "SCHEMA_VERSION"]

SCHEMA_VERSION = "2"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, title TEXT NOT NULL, url TEXT,
    chars INTEGER NOT NULL, indexed_at REAL NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
    text TEXT NOT NULL, layout TEXT);
CREATE TABLE IF NOT EXISTS passages(
    id TEXT PRIMARY KEY, source TEXT NOT NULL, ord INTEGER NOT NULL, start INTEGER NOT NULL,
    end INTEGER NOT NULL, boilerplate INTEGER NOT NULL, text TEXT NOT NULL, clean TEXT NOT NULL,
    sentences TEXT NOT NULL, vector BLOB NOT NULL, sentence_vectors BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS passages_source ON passages(source, ord);
CREATE TABLE IF NOT EXISTS skipped(
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, reason TEXT NOT NULL, retry INTEGER NOT NULL);
"""
_VECTOR_DTYPE = np.float16  # half the disk and memory of float32; cosine changes by < 1e-3
_PASSAGE_COLUMNS = "id, source, ord, start, end, boilerplate, text, clean, sentences"


def _passage(row: Sequence, docs: dict[str, "DocRecord"]) -> Passage:
    pid, source, ord_, start, end, boiler, text, clean_text, sents = row[:9]
    doc = docs.get(source)
    return Passage(id=pid, source=source, title=doc.title if doc else source, url=doc.url if doc else None,
                   start=start, end=end, text=text, clean=clean_text,
                   sentences=tuple(SentenceSpan(*s) for s in json.loads(sents)), ord=ord_, boilerplate=bool(boiler),
                   layout=doc.layout if doc else PLAIN)


def _has_layout_column(db: sqlite3.Connection) -> bool:
    return any(row[1] == "layout" for row in db.execute("PRAGMA table_info(documents)"))


def _add_layout_column(db: sqlite3.Connection) -> None:
    """Records written before PDF/DOCX/HTML support lack the layout column; a .txt/.md file's is NULL."""
    if not _has_layout_column(db):
        db.execute("ALTER TABLE documents ADD COLUMN layout TEXT")


def _to_blob(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=_VECTOR_DTYPE).tobytes()


class Records:
    """One generation's ``records.sqlite``; one connection per thread."""

    def __init__(self, path: Path, *, readonly: bool = False, create: bool = False):
        if readonly and create:
            raise ValueError("a read-only Records cannot create the file")
        self.path = Path(path)
        self.readonly = readonly
        self.create = create
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._stat: tuple[int, int, int] | None = None

    # -- connections -------------------------------------------------------------------------
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is not None and self.readonly and getattr(self._local, "immutable", False):
            if self._file_stat() != getattr(self._local, "stat", None):
                db.close()  # an immutable connection never sees changes: reopen on a new file state
                db = None
        if db is None:
            db = self._open()
            self._local.db = db
            with self._lock:
                self._conns.append(db)
        return db

    def _file_stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _open(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                db = self._open_readonly()
            elif self.create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
                if db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() is None:
                    db.executemany("INSERT OR IGNORE INTO meta VALUES(?, ?)",
                                   [("schema", SCHEMA_VERSION), ("generation", "0")])
            else:  # a reader never creates: a generation that was moved away stays gone
                db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=rw", uri=True, check_same_thread=False,
                                     isolation_level=None, timeout=30)
            self._check_schema(db)
            if not self.readonly:
                _add_layout_column(db)
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(
                f"index records at {self.path} are unreadable ({exc}); nothing was deleted — "
                "run `rag index --rebuild` to set them aside and build a new index") from exc
        return db

    def _open_readonly(self) -> sqlite3.Connection:
        uri = self.path.absolute().as_uri()
        try:
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False, isolation_level=None,
                                 timeout=30)
            db.execute("SELECT count(*) FROM meta").fetchone()
            self._local.immutable = False
            return db
        except sqlite3.OperationalError:
            pass  # a WAL file on a read-only mount without its -shm: read the main file as it is
        self._local.stat = self._file_stat()
        db = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False, isolation_level=None)
        self._local.immutable = True
        return db

    def _check_schema(self, db: sqlite3.Connection) -> None:
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None or row[0] != SCHEMA_VERSION:
            raise IndexCorruptError(
                f"index records at {self.path} have schema {row[0] if row else 'none'}, this version reads "
                f"{SCHEMA_VERSION}; run `rag index` to build a new index beside it")
        db.execute("SELECT count(*) FROM passages").fetchone()

    def close(self) -> None:
        with self._lock:
            for db in self._conns:
                db.close()
            self._conns.clear()
        self._local = threading.local()

    # -- reading -------------------------------------------------------------------------------
    def generation(self) -> int:
        row = self.db().execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        row = self.db().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def documents(self, source: str | None = None) -> dict[str, DocRecord]:
        """Every document's record, or only ``source``'s (one row: the viewer opens one document)."""
        db = self.db()
        layout = "layout" if _has_layout_column(db) else "NULL"
        sql = f"SELECT source, sha256, title, url, chars, indexed_at, mtime_ns, size, {layout} FROM documents"
        rows = db.execute(sql) if source is None else db.execute(sql + " WHERE source=?", (source,))
        return {r[0]: DocRecord(*r[:8], layout=Layout.from_json(r[8])) for r in rows}

    def document_text(self, source: str) -> tuple[str, str] | None:
        """(sha256, text) of an indexed document, or None."""
        row = self.db().execute("SELECT sha256, text FROM documents WHERE source=?", (source,)).fetchone()
        return (row[0], row[1]) if row else None

    def counts(self) -> tuple[int, int]:
        db = self.db()
        return (db.execute("SELECT count(*) FROM documents").fetchone()[0],
                db.execute("SELECT count(*) FROM passages").fetchone()[0])

    def passages(self) -> list[Passage]:
        return self.load(vectors=False).passages

    def load(self, vectors: bool = True, previous: Loaded | None = None) -> Loaded:
        """Documents, passages and (optionally) vectors as of one moment: a single read transaction.

        ``previous`` (an earlier load of this file, with vectors if these are wanted): the passages
        of documents unchanged since (same sha256 and indexing time) are taken from it, and only the
        changed documents' rows are read — a reload after a one-file change reads that file.
        """
        db = self.db()
        db.execute("BEGIN")
        try:
            generation = self.generation()
            dim = int(self.get_meta("dim") or 0)
            docs = self.documents()
            cols = _PASSAGE_COLUMNS + (", vector, sentence_vectors" if vectors else "")
            keep = unchanged_sources(previous, docs, vectors) if previous is not None else set()
            if keep:
                changed = sorted(s for s in docs if s not in keep)  # SQLite's text order is Python's
                rows = []
                for i in range(0, len(changed), 500):
                    marks = ",".join("?" * len(changed[i:i + 500]))
                    rows += db.execute(f"SELECT {cols} FROM passages WHERE source IN ({marks}) ORDER BY source, ord",
                                       changed[i:i + 500]).fetchall()
            else:
                rows = db.execute(f"SELECT {cols} FROM passages ORDER BY source, ord").fetchall()
        finally:
            db.execute("COMMIT")
        passages, pm, sm = self._rows(rows, docs, vectors, dim)
        if keep:
            passages, pm, sm = merge(previous, Loaded(generation, docs, passages, pm, sm, dim), keep, vectors)
        return Loaded(generation, docs, passages, pm, sm, dim, reused=bool(keep))

    @staticmethod
    def _rows(rows: list, docs: dict[str, DocRecord], vectors: bool, dim: int
              ) -> tuple[list[Passage], np.ndarray, np.ndarray]:
        passages, p_vecs, s_vecs = [], [], []
        for row in rows:
            passages.append(_passage(row, docs))
            if vectors:
                p_vecs.append(np.frombuffer(row[9], dtype=_VECTOR_DTYPE))
                s_vecs.append(np.frombuffer(row[10], dtype=_VECTOR_DTYPE).reshape(-1, dim or 1))
        shape = (0, dim)
        pm = np.vstack(p_vecs).astype(np.float32) if p_vecs else np.zeros(shape, np.float32)
        sm = np.vstack(s_vecs).astype(np.float32) if s_vecs else np.zeros(shape, np.float32)
        return passages, pm, sm

    def passages_with_ids(self, ids: Sequence[str]) -> list[Passage]:
        """The passages of these ids that exist, in the order given."""
        docs = self.documents()
        found: dict[str, Passage] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            query = f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id IN ({','.join('?' * len(chunk))})"
            found.update((row[0], _passage(row, docs)) for row in self.db().execute(query, chunk))
        return [found[pid] for pid in ids if pid in found]

    def stored_vectors(self, ids: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Vectors already computed for passage ids (an unchanged paragraph is never embedded again)."""
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        dim = int(self.get_meta("dim") or 0)
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for pid, vec, svecs in self.db().execute(
                    f"SELECT id, vector, sentence_vectors FROM passages WHERE id IN ({marks})", chunk):
                out[pid] = (np.frombuffer(vec, dtype=_VECTOR_DTYPE).astype(np.float32),
                            np.frombuffer(svecs, dtype=_VECTOR_DTYPE).reshape(-1, dim).astype(np.float32))
        return out

    def skips(self) -> dict[str, tuple[str, str, bool]]:
        """source -> (sha256, reason, retry) of files a run could not index."""
        return {r[0]: (r[1], r[2], bool(r[3])) for r in self.db().execute("SELECT * FROM skipped")}

    def passage_ids(self) -> list[str]:
        return [r[0] for r in self.db().execute("SELECT id FROM passages")]

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that also raises the generation readers watch."""
        db = self.db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def set_meta(self, key: str, value: str) -> None:
        self.db().execute("INSERT OR REPLACE INTO meta VALUES(?,?)", (key, value))

    def touch(self, source: str, mtime_ns: int, size: int) -> None:
        """A file saved again with the same content: remember its new time (readers see no change)."""
        self.db().execute("UPDATE documents SET mtime_ns=?, size=?, indexed_at=? WHERE source=?",
                          (mtime_ns, size, time.time(), source))

    def in_flight(self) -> set[str]:
        """Files whose vectors a run began to change without committing (their ids are not all known)."""
        return set(json.loads(self.get_meta("in_flight") or "[]"))

    def mark_dirty_many(self, sources: Sequence[str]) -> None:
        """Files whose vectors are about to change: redone by the next run unless their commit lands.

        Each is also noted as in flight until its commit (or removal), so that vectors a killed run
        wrote for it are found by their source metadata rather than by the ids the records hold.
        """
        if sources:
            db = self.db()
            db.execute("BEGIN IMMEDIATE")
            db.executemany("UPDATE documents SET sha256='' WHERE source=?", [(s,) for s in sources])
            self._set_in_flight(db, self.in_flight() | set(sources))
            db.execute("COMMIT")

    @staticmethod
    def _set_in_flight(db: sqlite3.Connection, sources: set[str]) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES('in_flight', ?)", (json.dumps(sorted(sources)),))

    def vector_ids(self, sources: Sequence[str]) -> list[str]:
        """The ids of the passage vectors these files' records hold (in the vector store too)."""
        out: list[str] = []
        sources = list(sources)
        for i in range(0, len(sources), 500):
            chunk = sources[i:i + 500]
            query = f"SELECT id FROM passages WHERE source IN ({','.join('?' * len(chunk))})"
            out.extend(pid for (pid,) in self.db().execute(query, chunk))
        return out

    def write_documents(self, docs: Sequence[tuple[DocRecord, str, Sequence[Passage],
                                                   Sequence[tuple[np.ndarray, np.ndarray]]]]) -> None:
        """Replace some files' records in one transaction (the commit point of their update).

        Each item is (record, text, passages, [(passage vector, sentence vectors)] per passage).
        """
        with self._writing() as db:
            for rec, text, passages, vecs in docs:
                rows = [(p.id, p.source, p.ord, p.start, p.end, int(p.boilerplate), p.text, p.clean,
                         json.dumps([[s.start, s.end, s.text, s.clean] for s in p.sentences], ensure_ascii=False),
                         _to_blob(pv), _to_blob(sv))
                        for p, (pv, sv) in zip(passages, vecs)]
                db.execute("DELETE FROM passages WHERE source=?", (rec.source,))
                db.executemany("INSERT INTO passages VALUES(?,?,?,?,?,?,?,?,?,?,?)", rows)
                db.execute("INSERT OR REPLACE INTO documents VALUES(?,?,?,?,?,?,?,?,?,?)",
                           (rec.source, rec.sha256, rec.title, rec.url, rec.chars, rec.indexed_at, rec.mtime_ns,
                            rec.size, text, rec.layout.to_json()))
                db.execute("DELETE FROM skipped WHERE source=?", (rec.source,))
            self._set_in_flight(db, self.in_flight() - {rec.source for rec, *_ in docs})

    def remove_document(self, source: str) -> None:
        with self._writing() as db:
            for table in ("passages", "documents", "skipped"):
                db.execute(f"DELETE FROM {table} WHERE source=?", (source,))
            self._set_in_flight(db, self.in_flight() - {source})

    def record_skip(self, source: str, sha256: str, reason: str, retry: bool) -> None:
        self.db().execute("INSERT OR REPLACE INTO skipped VALUES(?,?,?,?)", (source, sha256, reason, int(retry)))

    def forget_skips(self, present: set[str]) -> None:
        for source in set(self.skips()) - present:
            self.db().execute("DELETE FROM skipped WHERE source=?", (source,))

    def checkpoint(self) -> None:
        """Fold the WAL into the main file, so a read-only reader of the main file sees every commit."""
        try:
            self.db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # a reader holds the WAL open; the next run checkpoints


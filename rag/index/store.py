"""Reading an index directory: the current generation's records, vectors and BM25, as snapshots.

Any number of processes may read while one writes. A reader checks before every question whether
the index changed (the ``CURRENT`` pointer, the records file, the generation counter: a few
microseconds) and then loads a new snapshot; it never takes the writers' lock and needs no write
access to the directory.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rag.errors import IndexCorruptError
from rag.index.home import RECORDS, IndexHome
from rag.index.snapshot import EXACT_LIMIT, Snapshot
from rag.index.sqlite import DocRecord, Records
from rag.index.server import ChromaServer
from rag.index.vectors import ChromaVectors, vectors_for

__all__ = ["IndexStore"]


class IndexStore:
    """The reader's side of one index directory (writers go through :class:`rag.index.Indexer`)."""

    def __init__(self, home: str | Path, chroma: ChromaServer | None = None):
        if chroma is not None and not isinstance(chroma, ChromaServer):
            raise ValueError(f"chroma must be a ChromaServer or None, got {chroma!r}")
        self.home = IndexHome(home)
        self.home.check()
        self.chroma = chroma
        self._lock = threading.Lock()
        self._gen: Path | None = None
        self._records: Records | None = None
        self._vectors: ChromaVectors | None = None

    @property
    def path(self) -> Path:
        return self.home.path

    def exists(self) -> bool:
        return self.home.current() is not None

    def _switch(self) -> Path | None:
        """Follow ``CURRENT`` to the generation it names now (closing the previous one)."""
        gen = self.home.current()
        with self._lock:
            if gen != self._gen:
                # not closed here: another thread may be reading through them; they close when dropped
                self._records = None
                self._vectors = None
                self._gen = gen
            return gen

    def records(self) -> Records | None:
        gen = self._switch()
        if gen is None:
            return None
        with self._lock:
            if self._records is None:
                self._records = Records(gen / RECORDS, readonly=not self.home.writable)
            return self._records

    def vectors(self) -> ChromaVectors | None:
        """The generation's Chroma collections: on its Chroma server, or in its directory (None on a
        read-only mount: embedded Chroma cannot open there)."""
        records = self.records()
        gen = self._gen
        if records is None or gen is None:
            return None
        where = records.get_meta("vectors")
        if where != "server" and not self.home.writable:
            return None
        with self._lock:
            if self._vectors is None:
                self._vectors = vectors_for(gen, where, self.chroma, records.get_meta("chroma_url"))
            return self._vectors

    # -- snapshots -----------------------------------------------------------------------------
    def load(self, exact_limit: int = EXACT_LIMIT, previous: Snapshot | None = None) -> Snapshot | None:
        """The current committed state as a snapshot, or None when nothing was indexed yet.

        ``previous`` (the snapshot being replaced): the passages of documents that did not change are
        reused from it when it was loaded from the same records file.
        """
        token = self.home.token()
        records = self.records()
        if records is None or token is None:
            return None
        big = records.counts()[1] > exact_limit
        vectors = self.vectors() if big else None  # None on a read-only mount: then held in memory
        same_file = previous is not None and previous.token is not None and \
            (previous.token.generation, previous.token.inode) == (token.generation, token.inode)
        loaded = records.load(vectors=vectors is None, previous=previous.loaded if same_file else None)
        return Snapshot(loaded, token, vectors=vectors, bm25_dir=self._gen / "bm25" if self._gen else None,
                        records=records if vectors is not None else None)

    def changed_since(self, snap: Snapshot | None) -> bool:
        """Whether a writer committed anything (here or in another process) since ``snap`` was loaded."""
        token = self.home.token()
        if snap is None or snap.token is None or token is None:
            return token != (snap.token if snap is not None else None)
        if (token.generation, token.inode) != (snap.token.generation, snap.token.inode):
            return True
        records = self.records()
        try:
            return records is None or records.generation() != snap.generation
        except Exception:  # noqa: BLE001 - a file being replaced: look again at the next question
            return False

    # -- what the status line and the viewer read ------------------------------------------------
    def documents(self, source: str | None = None) -> dict[str, DocRecord]:
        records = self.records()
        return records.documents(source) if records else {}

    def passages(self):
        records = self.records()
        return records.passages() if records else []

    def counts(self) -> tuple[int, int]:
        records = self.records()
        return records.counts() if records else (0, 0)

    def get_meta(self, key: str) -> str | None:
        records = self.records()
        return records.get_meta(key) if records else None

    def document_text(self, source: str) -> tuple[str, str] | None:
        records = self.records()
        return records.document_text(source) if records else None

    # -- the vector store, for checks ----------------------------------------------------------
    def _chroma(self) -> ChromaVectors:
        vectors = self.vectors()
        if vectors is None:
            raise IndexCorruptError(f"no vector store readable in {self.path}")
        return vectors

    def vector_ids(self) -> set[str]:
        return self._chroma().ids()

    def vector_count(self) -> int:
        return self._chroma().count()

    def vector_metadatas(self, ids) -> dict[str, dict]:
        return self._chroma().metadatas(ids)

    def embeddings(self, ids) -> dict:
        return self._chroma().embeddings(ids)

    def close(self) -> None:
        with self._lock:
            self._close_locked()
            self._gen = None

    def _close_locked(self) -> None:
        if self._records is not None:
            self._records.close()
        if self._vectors is not None:
            self._vectors.close()
        self._records = None
        self._vectors = None

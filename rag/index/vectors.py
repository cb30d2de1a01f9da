"""The passage vectors in Chroma: nearest-neighbour search at scale, shareable by a server.

Sentence vectors live in the SQLite records only: a big index ranks the sentences of the passages
its passage and BM25 rankings found (BENCHMARKS.md, "A big index keeps its vectors in Chroma"), so a
second collection of ~5 sentence vectors per passage was written and never needed.

Chroma is written through its own client API. LlamaIndex's ``ChromaVectorStore`` splits writes at
41,665 records while Chroma refuses a write above ``client.get_max_batch_size()`` (5,461 here), which
is how one long file used to take indexing down; every call below is split at Chroma's own limit.
The SQLite records are the commit point: a file's vectors are replaced before its records commit,
and a run that finds a file marked dirty replaces them again.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from rag import _env  # noqa: F401  (telemetry off before chromadb loads)
from rag.errors import IndexCorruptError
from rag.index.server import ChromaServer

__all__ = ["ChromaVectors", "COLLECTION", "VECTOR_HOMES", "vectors_for"]

COLLECTION = "passages"
#: Collections an index made before 2026-12-06 also has; the next run that writes deletes them.
_LEGACY = ("sentences",)
_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,200}-")
#: Where a generation's vectors live, as its records' ``vectors`` meta says (absent: "embedded").
VECTOR_HOMES = ("embedded", "server")


class ChromaVectors:
    """The passage vectors of one index generation: in an embedded Chroma directory (``path``), or on a
    Chroma server (``server``) in a collection named ``<prefix>passages`` (the prefix names the generation)."""

    def __init__(self, path: Path | None = None, *, server: ChromaServer | None = None, prefix: str = ""):
        if (path is None) == (server is None):
            raise ValueError("ChromaVectors needs exactly one of path (embedded) and server")
        if server is not None and not _PREFIX.fullmatch(prefix):
            raise ValueError(f"a server collection prefix must be letters, digits, '-' or '_' ending in '-', got {prefix!r}")
        self.path = Path(path) if path is not None else None
        self.server = server
        self.prefix = prefix if server is not None else ""
        self._client: Any = None
        self._collection: Any = None

    @property
    def where(self) -> str:
        """Where the vectors are, for messages: a directory, or the server and the collections' prefix."""
        return str(self.path) if self.server is None else f"{self.server.url} ({self.prefix}*)"

    def client(self) -> Any:
        if self._client is None:
            if self.server is not None:
                self._client = self.server.client()
                return self._client
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            try:
                self._client = chromadb.PersistentClient(
                    path=str(self.path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
            except Exception as exc:  # chroma raises many kinds on a damaged directory
                raise IndexCorruptError(f"vector store at {self.path} is unreadable ({type(exc).__name__}: "
                                        f"{exc}); run `rag index --rebuild`") from exc
        return self._client

    def collection(self) -> Any:
        if self._collection is None:
            try:
                self._collection = self.client().get_or_create_collection(
                    self.prefix + COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None)
            except IndexCorruptError:
                raise
            except Exception as exc:
                raise IndexCorruptError(f"vector collection {COLLECTION!r} in {self.where} is unreadable: {exc}") from exc
        return self._collection

    def batch_size(self) -> int:
        return max(1, int(self.client().get_max_batch_size()))

    def _batches(self, n: int) -> Iterator[slice]:
        size = self.batch_size()
        for i in range(0, n, size):
            yield slice(i, min(n, i + size))

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def _server_call(self) -> Iterator[None]:
        """A server that stops answering mid-run is the index's problem, not the file's: one line, stop."""
        try:
            yield
        except Exception as exc:
            if self.server is not None and _lost(exc):
                raise IndexCorruptError(f"lost the Chroma server at {self.server.url} ({type(exc).__name__}); "
                                        "nothing was committed for the files in progress: run again") from exc
            raise

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        col = self.collection()
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._server_call():
            for part in self._batches(len(ids)):
                col.upsert(ids=list(ids[part]), embeddings=vectors[part], metadatas=list(metadatas[part]))

    def delete_ids(self, ids: Sequence[str]) -> None:
        col = self.collection()
        ids = list(ids)
        for part in self._batches(len(ids)):
            col.delete(ids=ids[part])

    def delete_sources(self, sources: Sequence[str]) -> None:
        """Every vector of these files (found by metadata, so strays of a killed run go too)."""
        col = self.collection()
        sources = list(dict.fromkeys(sources))
        size = self.batch_size()
        with self._server_call():
            for i in range(0, len(sources), 256):
                where = {"source": {"$in": sources[i:i + 256]}}
                while True:
                    found = col.get(where=where, include=[], limit=size)["ids"]
                    if not found:
                        break
                    col.delete(ids=found)

    def drop_legacy(self) -> None:
        """Delete the sentence collection an index made before 2026-12-06 kept (unused since)."""
        client = self.client()
        with self._server_call():
            names = {getattr(c, "name", c) for c in client.list_collections()}
        for name in _LEGACY:
            if self.prefix + name in names:
                with self._server_call():
                    client.delete_collection(self.prefix + name)

    # -- reading -------------------------------------------------------------------------------
    def ids(self) -> set[str]:
        col = self.collection()
        out: set[str] = set()
        size = self.batch_size()
        offset = 0
        while True:
            got = col.get(include=[], limit=size, offset=offset)["ids"]
            out.update(got)
            if len(got) < size:
                return out
            offset += size

    def count(self) -> int:
        return int(self.collection().count())

    def metadatas(self, ids: Sequence[str]) -> dict[str, dict]:
        col = self.collection()
        out: dict[str, dict] = {}
        ids = list(ids)
        for part in self._batches(len(ids)):
            got = col.get(ids=ids[part], include=["metadatas"])
            out.update(zip(got["ids"], got["metadatas"]))
        return out

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        col = self.collection()
        out: dict[str, np.ndarray] = {}
        ids = list(ids)
        for part in self._batches(len(ids)):
            got = col.get(ids=ids[part], include=["embeddings"])
            out.update((i, np.asarray(e, dtype=np.float32)) for i, e in zip(got["ids"], got["embeddings"]))
        return out

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The ``n`` nearest ids with their cosine similarity (Chroma's HNSW index)."""
        col = self.collection()  # n above the count returns them all (no count(): a round trip per question)
        if n <= 0:
            return []
        got = col.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=n, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]

    def drop(self) -> None:
        """Delete this generation's collections from the server (an embedded store goes with its directory)."""
        if self.server is None:
            return
        client = self.client()
        for name in (COLLECTION, *_LEGACY):
            try:
                client.delete_collection(self.prefix + name)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._collection = None

    def close(self) -> None:
        if self._client is not None and hasattr(self._client, "close"):
            self._client.close()
        self._client = None
        self._collection = None


def vectors_for(gen: Path, home: str | None, server: ChromaServer | None, recorded_url: str | None = None
                ) -> ChromaVectors:
    """The vectors of generation ``gen``, where its records say they are (``home``: "embedded"/"server")."""
    if (home or "embedded") == "embedded":
        return ChromaVectors(gen / "chroma")
    if home != "server":
        raise IndexCorruptError(f"the index at {gen.parent} keeps its vectors in an unknown place ({home!r}); "
                                "run `rag index --rebuild`")
    if server is None:
        raise IndexCorruptError(f"the index at {gen.parent} keeps its vectors on a Chroma server "
                                f"({recorded_url or 'address not recorded'}); pass --chroma-url or set RAG_CHROMA_URL")
    return ChromaVectors(server=server, prefix=f"{gen.name}-")


def _lost(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a connection failure rather than a refused request."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (ConnectionError, TimeoutError)) or type(exc).__name__ in (
                "ConnectError", "ConnectTimeout", "ReadTimeout", "RemoteProtocolError", "ReadError", "WriteError"):
            return True
        if isinstance(exc, ValueError) and "Could not connect" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False

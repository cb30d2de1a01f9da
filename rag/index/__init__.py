"""The index: one directory of generations, each with SQLite records, Chroma vectors and BM25.

``Indexer`` (the one writer) brings it in line with the corpus folder; ``IndexStore`` (any number of
readers, in any process) loads ``Snapshot``s of its last committed state.
"""

from rag.index.embedder import Embedder, MiniLMEmbedding, NumpyEmbedding
from rag.index.home import IndexHome
from rag.index.server import ChromaServer
from rag.index.indexer import Indexer
from rag.index.report import IndexReport, Progress
from rag.index.snapshot import Snapshot
from rag.index.sqlite import DocRecord, Records
from rag.index.store import IndexStore
from rag.index.vectors import ChromaVectors

__all__ = ["ChromaServer", "ChromaVectors", "DocRecord", "Embedder", "IndexHome", "IndexReport", "IndexStore", "Indexer",
           "MiniLMEmbedding", "NumpyEmbedding", "Progress", "Records", "Snapshot"]

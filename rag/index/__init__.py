"""The index: one directory of generations, each with SQLite records, Chroma vectors and BM25.

``Indexer`` (the one writer) brings it in line with the corpus folder; ``IndexStore`` (any number of
readers, in any process) loads ``Snapshot``s of its last committed state.
"""

from .home import IndexHome
from .indexer import IndexReport, Indexer, Progress
from .records import DocRecord, Records
from .snapshot import Snapshot
from .store import IndexStore
from .vectors import ChromaVectors

__all__ = ["ChromaVectors", "DocRecord", "IndexHome", "IndexReport", "IndexStore", "Indexer", "Progress",
           "Records", "Snapshot"]

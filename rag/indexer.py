"""Bringing the index in line with the corpus folder: only changed files are read, split and embedded."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .embed import MiniLMEmbedding
from .errors import CorpusError, RagError
from .ingest import Document, SkippedFile, read_document, scan_corpus
from .passages import PIPELINE_VERSION, Chunker, Passage
from .store import DocRecord, IndexStore
from .text import content_terms

__all__ = ["IndexReport", "Indexer", "Progress", "bm25_tokens", "build_bm25"]

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did, for the CLI's summary line and the page's status."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    skipped: tuple[SkippedFile, ...] = ()
    repaired: tuple[str, ...] = ()
    documents: int = 0
    passages: int = 0
    embedded: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.repaired)

    def summary(self) -> str:
        parts = [f"{self.documents} documents, {self.passages} passages indexed"]
        if self.changed:
            parts.append(f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed"
                         + (f", {len(self.repaired)} repaired" if self.repaired else ""))
        else:
            parts.append("nothing changed")
        parts.append(f"{self.embedded} texts embedded in {self.seconds:.1f} s")
        return "; ".join(parts)


def bm25_tokens(text: str) -> list[str]:
    """Stemmed content words: the tokens BM25 indexes and queries with."""
    return content_terms(text) or ["∅"]


def build_bm25(passages: list[Passage]):
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index([bm25_tokens(f"{p.clean}") for p in passages] or [["∅"]], show_progress=False)
    return retriever


class Indexer:
    """Scans the corpus, diffs it against the records, and writes only what changed."""

    def __init__(self, store: IndexStore, embedder: MiniLMEmbedding, chunker: Chunker):
        self.store = store
        self.embedder = embedder
        self.chunker = chunker

    def _reconcile(self) -> set[str]:
        """Sources whose vectors do not match their records (a run killed mid-write); fixes strays."""
        passages = self.store.passages()
        want_p = {p.id: p.source for p in passages}
        want_s = {f"{p.id}:{i}": p.source for p in passages for i in range(len(p.sentences))}
        have_p, have_s = self.store.vector_ids("passages"), self.store.vector_ids("sentences")
        self.store.delete_vector_ids("passages", sorted(have_p - set(want_p)))
        self.store.delete_vector_ids("sentences", sorted(have_s - set(want_s)))
        broken = {want_p[i] for i in set(want_p) - have_p} | {want_s[i] for i in set(want_s) - have_s}
        for source in broken:
            self.store.mark_dirty(source)
        return broken

    def _embed(self, passages: list[Passage]) -> tuple[list[np.ndarray], list[list[np.ndarray]], int]:
        ids = [p.id for p in passages]
        old_p = self.store.embeddings("passages", ids)
        old_s = self.store.embeddings("sentences", [f"{p.id}:{i}" for p in passages for i in range(len(p.sentences))])
        count = 0
        p_vecs, s_vecs = [], []
        for p in passages:
            if p.id in old_p:
                p_vecs.append(old_p[p.id])
            else:
                p_vecs.append(self.embedder.embed(p.clean))
                count += 1
            row = []
            for i, s in enumerate(p.sentences):
                key = f"{p.id}:{i}"
                if key in old_s:
                    row.append(old_s[key])
                else:
                    row.append(self.embedder.embed(s.clean))
                    count += 1
            s_vecs.append(row)
        return p_vecs, s_vecs, count

    def sync(self, corpus_dir: Path, progress: Progress | None = None) -> IndexReport:
        t0 = time.perf_counter()
        files, _ = scan_corpus(corpus_dir)
        if not files:
            raise CorpusError(f"corpus folder {corpus_dir} has no .txt or .md files to index")
        with self.store.writing():
            repaired = self._reconcile()
            known = self.store.documents()
            docs: list[Document] = []
            skipped: list[SkippedFile] = []
            for path in files:
                try:
                    docs.append(read_document(path, Path(corpus_dir)))
                except RagError as exc:
                    skipped.append(SkippedFile(path.relative_to(corpus_dir).as_posix(), str(exc)))
            if not docs:
                raise CorpusError(f"no readable .txt or .md file in {corpus_dir}: " + skipped[0].reason)
            present = {d.source for d in docs} | {s.source for s in skipped}
            stale = self.store.get_meta("pipeline") not in (None, PIPELINE_VERSION)
            todo = [d for d in docs if stale or known.get(d.source) is None or known[d.source].sha256 != d.sha256]
            removed = sorted(set(known) - present)
            embedded = 0
            total = len(todo) + len(removed)
            for n, source in enumerate(removed):
                if progress:
                    progress(n, total, f"removing {source}")
                self.store.remove_document(source)
            for n, doc in enumerate(todo, start=len(removed)):
                if progress:
                    progress(n, total, doc.source)
                passages = self.chunker.split(doc)
                p_vecs, s_vecs, count = self._embed(passages)
                embedded += count
                rec = DocRecord(doc.source, doc.sha256, doc.title, doc.url, len(doc.text), time.time())
                self.store.write_document(rec, passages, p_vecs, s_vecs)
            if progress:
                progress(total, total, "done")
            fingerprint = self.store.fingerprint()
            if total or repaired or self.store.load_bm25(fingerprint) is None:
                self.store.save_bm25(build_bm25(self.store.passages()), fingerprint)
            self.store.set_meta("last_indexed", str(time.time()))
            self.store.set_meta("pipeline", PIPELINE_VERSION)
            n_passages = self.store.db().execute("SELECT count(*) FROM passages").fetchone()[0]
            n_docs = len(self.store.documents())
        return IndexReport(
            added=tuple(d.source for d in todo if d.source not in known),
            updated=tuple(d.source for d in todo if d.source in known and d.source not in repaired),
            removed=tuple(removed),
            unchanged=len(docs) - len(todo),
            skipped=tuple(skipped),
            repaired=tuple(sorted(repaired)),
            documents=n_docs,
            passages=n_passages,
            embedded=embedded,
            seconds=time.perf_counter() - t0,
        )

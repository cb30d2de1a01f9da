"""Bringing the index in line with the corpus folder: only changed files are read, split and embedded.

Every file is its own unit of work: one that cannot be read, split, embedded or stored is skipped with
a warning naming it, and the rest of the folder is indexed. A file is never retried while it is
unchanged, unless the failure was not the file's fault and the run was asked for explicitly.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from rag.errors import CorpusError, IndexCorruptError, RagError
from rag.index.bm25 import fingerprint_of
from rag.index.bm25_store import drop_temporary, update_bm25
from rag.index.embedder import FIRST_MODEL_NAME, check_embedder
from rag.index.feeding import FIRST_GROUP_SHARE, GROUP_TEXTS, model_vectors, warm_up
from rag.index.home import RECORDS, IndexHome
from rag.index.report import IndexReport, Progress
from rag.index.sqlite import DocRecord, Records
from rag.index.server import ChromaServer
from rag.index.vectors import ChromaVectors, vectors_for
from rag.ingest.chunk import PIPELINE_VERSION, Chunker
from rag.ingest.corpus import EXTENSIONS, read_document, scan_corpus, source_of
from rag.records import Document, Passage, SkippedFile

__all__ = ["Indexer"]

log = logging.getLogger("rag.index")


@dataclass(frozen=True)
class _Item:
    """A changed file, read and split, waiting to be stored with its group."""

    doc: Document
    st: os.stat_result
    rec: DocRecord | None
    passages: list[Passage]
    texts: int


@dataclass(frozen=True)
class _Pending:
    """A group whose new vectors the model is computing while the indexer goes on."""

    group: list[_Item]
    stored: dict[str, tuple[np.ndarray, np.ndarray]]  # vectors the records already had
    fresh: "Future[tuple[dict[str, tuple[np.ndarray, np.ndarray]], int]]"


@dataclass
class _Run:
    """The state of one run over one generation."""

    records: Records
    vectors: ChromaVectors
    known: dict[str, DocRecord]
    skips: dict[str, tuple[str, str, bool]]
    retry_failed: bool
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    unchanged: int = 0
    embedded: int = 0


class Indexer:
    """Scans the corpus, diffs it against the records, and writes only what changed."""

    def __init__(self, home: IndexHome, embedder, chunker: Chunker, batch_files: int = 64,
                 chroma: ChromaServer | None = None):
        if not isinstance(batch_files, int) or batch_files < 1:
            raise ValueError(f"batch_files must be a positive whole number, got {batch_files!r}")
        if chroma is not None and not isinstance(chroma, ChromaServer):
            raise ValueError(f"chroma must be a ChromaServer or None, got {chroma!r}")
        self.home = home
        self.embedder = check_embedder(embedder)
        self.chunker = chunker
        self.batch_files = batch_files
        self.chroma = chroma  # None: the vectors live in each generation's chroma/ directory

    @property
    def vector_home(self) -> str:
        return "embedded" if self.chroma is None else "server"

    def _mark(self, records: Records) -> None:
        """Record where this generation's vectors live (once, when it is made)."""
        if records.get_meta("vectors") is None:
            records.set_meta("vectors", self.vector_home)
        if records.get_meta("embedder") is None:
            records.set_meta("embedder", self.embedder.model_name)
        if self.chroma is not None and records.get_meta("vectors") == "server" \
                and records.get_meta("chroma_url") != self.chroma.url:
            records.set_meta("chroma_url", self.chroma.url)  # the address last written through, for messages

    # -- one run -------------------------------------------------------------------------------
    def sync(self, corpus_dir: Path, progress: Progress | None = None, *, rebuild: bool = False,
             wait: bool | float = True, retry_failed: bool = True,
             scan: tuple[list[Path], list[SkippedFile]] | None = None) -> IndexReport | None:
        """Index what changed; None when ``wait`` is False and another process is writing.

        ``scan``: what ``scan_corpus(corpus_dir)`` returned just now, if the caller has it.
        """
        t0 = time.perf_counter()
        corpus_dir = Path(corpus_dir)
        files, refused = scan if scan is not None else scan_corpus(corpus_dir)
        if not files:
            raise CorpusError(f"corpus folder {corpus_dir} has no .txt or .md files to index"
                              + (f" ({refused[0].reason})" if refused else ""))
        with self.home.writing(wait) as got:
            if not got:
                return None
            waited = time.perf_counter() - t0
            t0 = time.perf_counter()
            if self.chroma is not None:
                self.chroma.check()  # before any generation is made: an unreachable server changes nothing
            current = self.home.current()
            self.home.drop_abandoned()
            target, fresh, aside = self._target(current, rebuild)
            records = Records(target / RECORDS, create=True)
            try:
                self._mark(records)
                vectors = vectors_for(target, records.get_meta("vectors"), self.chroma, records.get_meta("chroma_url"))
            except BaseException:
                records.close()
                raise
            try:
                report = self._sync(corpus_dir, files, refused, records, vectors, target, progress, retry_failed)
                if fresh:
                    records.checkpoint()
                    records.close()
                    vectors.close()
                    self.home.publish(target)
                    aside = self.home.set_aside(current)
            finally:
                records.close()
                vectors.close()
        notes = report.notes + ((f"waited {waited:.0f} s for another process to finish indexing",)
                                if waited >= 1 else ()) + ((f"previous index set aside at {aside}",) if aside else ())
        return IndexReport(**{**report.__dict__, "seconds": time.perf_counter() - t0, "notes": notes,
                              "set_aside": str(aside) if aside else None})

    def _target(self, current: Path | None, rebuild: bool) -> tuple[Path, bool, Path | None]:
        """The generation to write into, and whether it replaces the current one when complete.

        A first index is published at once, so that it fills up (and resumes after a kill) in place.
        A rebuild, or an index of another schema or pipeline, is built beside the current one.
        """
        if current is None:
            gen = self.home.new_generation()
            records = Records(gen / RECORDS, create=True)
            self._mark(records)
            records.close()
            self.home.publish(gen)
            return gen, False, self.home.set_aside()  # files of the first layout, if any
        if rebuild:
            return self.home.new_generation(), True, None
        try:
            records = Records(current / RECORDS)
            pipeline = records.get_meta("pipeline")
            where, url = records.get_meta("vectors") or "embedded", records.get_meta("chroma_url")
            made_by = records.get_meta("embedder") or FIRST_MODEL_NAME  # indexes from before the field: MiniLM's
            records.close()
        except IndexCorruptError as exc:
            if "schema" in str(exc):
                return self.home.new_generation(), True, None  # built by another version: build anew beside it
            raise
        if pipeline not in (None, PIPELINE_VERSION):
            return self.home.new_generation(), True, None  # every passage id changes: build anew beside it
        if made_by != self.embedder.model_name:
            return self.home.new_generation(), True, None  # another vector space: every vector changes
        if where != self.vector_home:
            if where == "server":  # an indexer that forgot the address must not move a team's index
                raise IndexCorruptError(f"the index at {self.home.path} keeps its vectors on a Chroma server "
                                        f"({url}); pass --chroma-url (or RAG_CHROMA_URL), or "
                                        "`rag index --rebuild` to keep them in the index directory")
            return self.home.new_generation(), True, None  # onto a server: build anew beside it
        return current, False, None

    def _sync(self, corpus_dir: Path, files: list[Path], refused: list[SkippedFile], records: Records,
              vectors: ChromaVectors, target: Path, progress: Progress | None, retry_failed: bool) -> IndexReport:
        if records.get_meta("dim") is None:
            records.set_meta("dim", str(self.embedder.dimension))
        drop_temporary(target / "bm25")
        known = records.documents()
        run = _Run(records, vectors, known, records.skips(), retry_failed)
        present = {source_of(f, corpus_dir) for f in files}
        repaired = sorted(s for s, d in known.items() if not d.sha256 and s in present)
        removed = sorted(set(known) - present)
        total = len(removed) + len(files)
        for n, source in enumerate(removed):
            if progress:
                progress(n, total, f"removing {source}")
            self._delete_vectors(records, vectors, [source], known)
            records.remove_document(source)
        group: list[_Item] = []
        pending: _Pending | None = None
        # the model computes one group's vectors while this thread reads and splits the next files and
        # writes the group before (ONNX Runtime releases the GIL); every write stays on this thread
        with ThreadPoolExecutor(1, thread_name_prefix="rag-embed") as model:
            try:
                share = FIRST_GROUP_SHARE
                for n, path in enumerate(files, start=len(removed)):
                    if progress:
                        progress(n, total, source_of(path, corpus_dir))
                    item = self._prepare(run, corpus_dir, path)
                    if item is not None:
                        if not group and pending is None:
                            # the model loads while the first group is read
                            model.submit(partial(warm_up, self.embedder))
                        group.append(item)
                    if len(group) * share >= self.batch_files or sum(i.texts for i in group) * share >= GROUP_TEXTS:
                        pending, group = self._rotate(run, model, pending, group), []
                        share = max(1, share // 2)
                pending = self._rotate(run, model, pending, group)
                self._rotate(run, model, pending, [])
            except BaseException:
                model.shutdown(wait=False, cancel_futures=True)
                raise
        if progress:
            progress(total, total, "done")
        records.forget_skips(present)
        if removed or run.added or run.updated:
            vectors.drop_legacy()
        ids = records.passage_ids()
        update_bm25(target / "bm25", fingerprint_of(ids), ids, records.passages_with_ids)
        records.set_meta("last_indexed", str(time.time()))
        records.set_meta("pipeline", PIPELINE_VERSION)
        records.checkpoint()
        docs, passages = records.counts()
        if not docs and run.skipped:
            raise CorpusError(f"no readable document ({', '.join(EXTENSIONS)}) in {corpus_dir}: "
                              + run.skipped[0].reason)
        return IndexReport(
            added=tuple(run.added), updated=tuple(s for s in run.updated if s not in repaired),
            removed=tuple(removed), unchanged=run.unchanged, skipped=tuple(refused + run.skipped),
            repaired=tuple(s for s in repaired if s in run.updated), documents=docs, passages=passages,
            embedded=run.embedded)

    # -- files, in groups ------------------------------------------------------------------------
    def _prepare(self, run: _Run, corpus_dir: Path, path: Path) -> "_Item | None":
        """A changed file read and split, or None (unchanged, or skipped with its reason)."""
        source = source_of(path, corpus_dir)
        rec = run.known.get(source)
        try:
            st = path.stat()
        except OSError as exc:
            run.skipped.append(SkippedFile(source, f"{source}: cannot read file ({exc.strerror or exc})"))
            return None
        racy = st.st_mtime_ns >= (rec.indexed_at - 2) * 1e9 if rec is not None else True
        if rec is not None and rec.sha256 and (rec.mtime_ns, rec.size) == (st.st_mtime_ns, st.st_size) \
                and not racy:
            run.unchanged += 1  # same size and time as when indexed (and written well before): not read
            return None
        try:
            doc = read_document(path, corpus_dir)
        except RagError as exc:
            run.records.record_skip(source, "", str(exc), retry=False)
            run.skipped.append(SkippedFile(source, str(exc)))
            return None
        if rec is not None and rec.sha256 == doc.sha256:
            run.unchanged += 1  # touched, not changed: remember the new time so it is not read again
            run.records.touch(source, st.st_mtime_ns, st.st_size)
            return None
        failed = run.skips.get(source)
        if failed and failed[0] == doc.sha256 and not (failed[2] and run.retry_failed):
            run.skipped.append(SkippedFile(source, failed[1]))
            return None
        try:
            passages = self.chunker.split(doc)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - one file must not stop the folder (issue 8)
            log.warning("splitting %s failed", source, exc_info=True)
            reason = f"{source}: could not be split into sentences ({type(exc).__name__}: {str(exc)[:200]})"
            run.records.record_skip(source, doc.sha256, reason, retry=True)
            run.skipped.append(SkippedFile(source, reason))
            return None
        return _Item(doc, st, rec, passages, sum(1 + len(p.sentences) for p in passages))

    def _rotate(self, run: _Run, model: ThreadPoolExecutor, pending: _Pending | None,
                group: list["_Item"]) -> _Pending | None:
        """Hand ``group`` to the model, then store the group it computed before; the new pending one."""
        started = None
        if group:
            passages = [p for item in group for p in item.passages]
            stored = run.records.stored_vectors([p.id for p in passages])
            todo = [p for p in passages if p.id not in stored]
            started = _Pending(group, stored, model.submit(model_vectors, self.embedder, todo))
        if pending is not None:
            try:
                fresh, texts = pending.fresh.result()
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception:  # noqa: BLE001 - find the file at fault the slow way, one by one
                for item in pending.group:
                    self._flush(run, [item])
            else:
                run.embedded += texts
                self._flush(run, pending.group, pending.stored | fresh)
        return started

    def _flush(self, run: _Run, group: list["_Item"], vecs: dict | None = None) -> None:
        """Store a group of files; should that fail, store them one by one to find the file at fault."""
        if not group:
            return
        try:
            self._store(run, group, vecs)
        except (KeyboardInterrupt, SystemExit, IndexCorruptError):
            raise  # a damaged index is not a file's fault: stop, say so
        except Exception as exc:  # noqa: BLE001 - one file must not stop the folder
            if len(group) > 1:
                for item in group:
                    self._flush(run, [item])
                return
            source = group[0].doc.source
            log.warning("indexing %s failed", source, exc_info=True)
            reason = f"{source}: could not be indexed ({type(exc).__name__}: {str(exc)[:200]})"
            run.records.record_skip(source, group[0].doc.sha256, reason, retry=True)
            run.skipped.append(SkippedFile(source, reason))
            return
        for item in group:
            (run.updated if item.rec is not None else run.added).append(item.doc.source)

    def _store(self, run: _Run, group: list["_Item"], vecs: dict | None = None) -> None:
        """One embedding pass, one Chroma write and one SQLite commit for the group (the sentence vectors
        are in the records only).

        The files being replaced are marked dirty first and clean only in that commit, so a run killed
        anywhere in between redoes them; a new file's stray vectors are found by its source.
        """
        passages = [p for item in group for p in item.passages]
        vecs = self._embed(run, passages) if vecs is None else vecs
        sources = [item.doc.source for item in group]
        keep = {p.id for p in passages}
        self._delete_vectors(run.records, run.vectors, sources, run.known, keep)
        self._write_vectors(run.vectors, passages, vecs)
        now = time.time()
        run.records.write_documents([
            (DocRecord(item.doc.source, item.doc.sha256, item.doc.title, item.doc.url, len(item.doc.text), now,
                       item.st.st_mtime_ns, item.st.st_size, item.doc.layout), item.doc.text, item.passages,
             [vecs[p.id] for p in item.passages]) for item in group])

    @staticmethod
    def _delete_vectors(records: Records, vectors: ChromaVectors, sources: list[str],
                        known: dict[str, DocRecord], keep: set[str] = frozenset()) -> None:
        """Mark these files dirty and in flight, then delete their vectors that will not be rewritten.

        By the ids their records hold, when their last write committed, except the ids in ``keep``
        (unchanged paragraphs: the upsert that follows rewrites them, and Chroma's delete costs grow
        with the ids it is given); by source metadata (a scan of the collection: 0.47 s per collection
        at 10k passages) only for a file whose last write may not have landed — in flight when a run
        stopped, or marked dirty.
        """
        suspect = records.in_flight()
        suspect |= {s for s in sources if s in known and not known[s].sha256}
        records.mark_dirty_many(sources)
        by_source = [s for s in sources if s in suspect]
        if by_source:
            vectors.delete_sources(by_source)
        gone = [i for i in records.vector_ids([s for s in sources if s not in suspect]) if i not in keep]
        if gone:
            vectors.delete_ids(gone)

    def _embed(self, run: _Run, passages: list[Passage]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """passage id -> (passage vector, sentence vectors); an identical passage's are reused
        (the rest: :func:`rag.index.feeding.model_vectors`)."""
        out = run.records.stored_vectors([p.id for p in passages])
        fresh, texts = model_vectors(self.embedder, [p for p in passages if p.id not in out])
        run.embedded += texts
        return out | fresh

    @staticmethod
    def _write_vectors(vectors: ChromaVectors, passages: list[Passage],
                       vecs: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        if not passages:
            return
        vectors.upsert([p.id for p in passages], np.vstack([vecs[p.id][0] for p in passages]),
                       [{"source": p.source, "start": p.start, "end": p.end, "ord": p.ord,
                         "boilerplate": int(p.boilerplate)} for p in passages])

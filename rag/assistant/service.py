"""The entry point: an assistant over one corpus folder and its index directory.

Answers come from an immutable snapshot of the last committed index. Before each question the
assistant checks (in microseconds) whether any process committed since; the first question to notice
loads the new snapshot while concurrent ones keep answering from the old one. A changed corpus
folder is re-indexed in the background; a question never waits on another process's indexing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from rag.answer.conditions import split_conditions
from rag.answer.extractive import ABSTAIN_TEXT
from rag.answer.policy import DEFAULT_POLICY
from rag.answer.reader import load_reader
from rag.assistant.state import AnswerState, DocumentInfo, IndexStatus, PageImage, clean_question
from rag.chat.session import Chat
from rag.errors import CorpusError, IndexBusyError, QuestionError, RagError
from rag.index import ChromaServer, Indexer, IndexReport, IndexStore, Progress
from rag.index.embedder import FIRST_MODEL_NAME, Embedder, MiniLMEmbedding, check_embedder
from rag.ingest.chunk import Chunker
from rag.ingest.corpus import EXTENSIONS, read_document, scan_corpus
from rag.ingest.formats.pdf_view import render_page
from rag.records import Answer, Answerer, Hit, StreamEvent, stream_of
from rag.retrieve.hybrid import HybridRetriever
from rag.settings import Settings, check_k
from rag.text.normalize import content_terms
from rag.verify import Verifier

__all__ = ["Assistant"]

log = logging.getLogger("rag")
#: While a writer commits file after file, a reader loads a new snapshot at most this often.
_RELOAD_GAP = 1.0
_NO_CONTENT = ("Abstained: none of the question's words occur in the documents — ask about what they say.",)


class Assistant:
    """Answers questions over ``corpus_dir`` with cited sentences; indexes incrementally on first use."""

    def __init__(self, corpus_dir: str | Path | None = None, home: str | Path | None = None, *,
                 k: int | None = None, llm: Any = None, settings: Settings | None = None,
                 llm_base_url: str | None = None, keep_unsupported: bool | None = None,
                 embedder: Embedder | None = None):
        base = settings or Settings.from_env(corpus_dir=corpus_dir, home=home)
        if settings is not None and (corpus_dir is not None or home is not None):
            base = replace(settings, corpus_dir=Path(corpus_dir or settings.corpus_dir),
                           home=home if home is not None else (None if corpus_dir is not None else settings.home))
        overrides = {key: v for key, v in (("k", k), ("llm", llm), ("llm_base_url", llm_base_url),
                                            ("keep_unsupported", keep_unsupported)) if v is not None}
        self.settings = replace(base, **overrides) if overrides else base
        self.embedder = MiniLMEmbedding() if embedder is None else check_embedder(embedder)
        chroma = ChromaServer.parse(self.settings.chroma_url) if self.settings.chroma_url else None
        self.store = IndexStore(self.settings.home, chroma)
        self.retriever = HybridRetriever(self.embedder)
        choice = self.settings.reader
        self.reader = None if choice == "none" else load_reader(None if choice == "default" else choice)
        self.policy = replace(DEFAULT_POLICY, decision=self.settings.decision)
        self._indexer = Indexer(self.store.home, self.embedder, Chunker(self.settings.max_passage_tokens),
                                self.settings.index_batch_files, chroma)
        self._index_lock = threading.Lock()  # one indexing run at a time in this process
        self._reload_lock = threading.Lock()  # one snapshot load at a time; others answer meanwhile
        self._first_lock = threading.Lock()
        self._state: AnswerState | None = None
        self._signature: tuple | None = None  # the corpus folder as the last completed run saw it
        self._checked_at = 0.0
        self._reloaded_at = 0.0
        self._background: threading.Thread | None = None
        self.last_report: IndexReport | None = None
        self.last_index_error: str | None = None
        self._llm = None
        if self.settings.llm is not None:
            from rag.llm import resolve_llm

            self._llm = resolve_llm(self.settings.llm, base_url=self.settings.llm_base_url)

    # -- index ---------------------------------------------------------------------------------------
    @property
    def corpus_dir(self) -> Path:
        return self.settings.corpus_dir

    @property
    def home(self) -> Path:
        return Path(self.settings.home)

    @property
    def read_only(self) -> bool:
        """True when this process may only read the index (a shared, read-only index directory)."""
        return not self.store.home.writable

    def _scan(self) -> tuple[list[Path], list] | None:
        try:
            return scan_corpus(self.corpus_dir)
        except CorpusError:
            return None

    def _corpus_signature(self, scan: tuple[list[Path], list] | None = None) -> tuple | None:
        scan = scan or self._scan()
        if scan is None:
            return None
        files, _ = scan
        sig = []
        for f in files:
            try:
                st = f.stat()
                sig.append((str(f), st.st_mtime_ns, st.st_size))
            except OSError:
                sig.append((str(f), -1, -1))
        return tuple(sig)

    def index(self, progress: Progress | None = None, *, rebuild: bool = False,
              wait: bool | float = True) -> IndexReport | None:
        """Bring the index in line with the corpus folder (only changed files are embedded).

        ``wait``: True waits for another indexer to finish, False returns None at once when one is
        running, a number of seconds waits that long and then raises :class:`IndexBusyError`.
        """
        timeout = -1 if wait is True else (0 if wait is False else float(wait))
        if not self._index_lock.acquire(timeout=timeout):
            if wait is False:
                return None
            raise IndexBusyError(f"this process is already indexing {self.home}")
        try:
            scan = self._scan()  # once: at 10k files a scan of the folder is 0.17 s
            signature = self._corpus_signature(scan)
            report = self._indexer.sync(self.corpus_dir, progress, rebuild=rebuild, wait=wait, scan=scan)
            if report is None:
                return None
            self.last_report = report
            self._signature = signature
        finally:
            self._index_lock.release()
        if self._state is not None and self.store.changed_since(self._state.snap):
            self._reload(force=True)  # answering already: switch now; else the first question loads it
        return report

    def _reload(self, force: bool = False) -> None:
        """Load the current snapshot; without ``force``, only when no other thread is loading one."""
        if not self._reload_lock.acquire(blocking=force):
            return
        try:
            state = self._state
            if not force and state is not None and not self.store.changed_since(state.snap):
                return
            try:
                snap = self.store.load(previous=state.snap if state is not None else None)
            except RagError:
                if force or state is None:
                    raise
                log.warning("could not load the new index state; answering from the previous one", exc_info=True)
                return
            if snap is not None:
                made_by = self.store.get_meta("embedder") or FIRST_MODEL_NAME  # indexes from before the field
                if made_by != self.embedder.model_name:  # questions would be compared with another model's vectors
                    raise RagError(f"the index in {self.home} holds vectors of {made_by!r}, not of this assistant's "
                                   f"{self.embedder.model_name!r}; run `rag index --rebuild`")
                # counts are updated only where the load was: after a rebuild every passage differs
                self._state = AnswerState(snap, self.reader, self.policy,
                                          previous=state if snap.loaded.reused else None)
        finally:
            self._reload_lock.release()

    def _first(self) -> AnswerState:
        with self._first_lock:
            if self._state is None:
                if not self.read_only and self.corpus_dir.is_dir() and not self.store.exists():
                    self.index()  # nothing to answer from yet: the first index is this question's work
                if self._state is None:
                    self._reload(force=True)
            if self._state is None:
                if not self.corpus_dir.is_dir():
                    raise CorpusError(f"corpus folder {self.corpus_dir} does not exist and {self.home} holds no index")
                raise RagError(f"nothing is indexed in {self.home} yet; run `rag index`")
            return self._state

    def _ready(self) -> AnswerState:
        """The snapshot to answer from: the last committed state of the index.

        A changed corpus folder is re-indexed in the background (the question that noticed waits
        ``index_wait_seconds`` for it, the others not at all).
        """
        if self._state is None:
            self._first()
        now = time.monotonic()
        if now - self._checked_at >= self.settings.refresh_seconds:
            self._checked_at = now
            self._refresh_corpus()
        if now - self._reloaded_at >= _RELOAD_GAP and self.store.changed_since(self._state.snap):
            self._reloaded_at = now
            self._reload()
        return self._state

    def _refresh_corpus(self) -> None:
        """Re-index a changed corpus folder in the background; wait for it a moment, never longer."""
        if self.read_only or not self.corpus_dir.is_dir():
            return
        worker = self._background
        if worker is None or not worker.is_alive():
            worker = threading.Thread(target=self._background_index, name="rag-index", daemon=True)
            self._background = worker
            worker.start()
        worker.join(self.settings.index_wait_seconds)

    def _background_index(self) -> None:
        signature = self._corpus_signature()
        if signature is None or signature == self._signature:
            return
        try:
            self.index(wait=False)
        except RagError as exc:
            self.last_index_error = str(exc)
            self._signature = signature  # do not retry until the folder changes again
        except Exception as exc:  # noqa: BLE001 - a background run must not disappear silently
            log.exception("background indexing failed")
            self.last_index_error = f"{type(exc).__name__}: {exc}"
            self._signature = signature

    def status(self) -> IndexStatus:
        docs, passages = self.store.counts() if self.store.exists() else (0, 0)
        last = self.store.get_meta("last_indexed") if self.store.exists() else None
        skipped = tuple(s.source for s in self.last_report.skipped) if self.last_report else ()
        when = datetime.fromtimestamp(float(last), tz=timezone.utc) if last else None
        return IndexStatus(docs, passages, self.home, self.corpus_dir, when, skipped, self.read_only)

    def documents(self) -> list[DocumentInfo]:
        if not self.store.exists():
            return []
        return [DocumentInfo(d.source, d.title, d.url, d.chars, d.layout)
                for d in sorted(self.store.documents().values(), key=lambda d: d.source)]

    def _record(self, source: str):
        """The index's row for one document (one row read), or None for any other name."""
        if not isinstance(source, str) or not source or not self.store.exists():
            return None
        return self.store.documents(source).get(source)

    def document(self, source: str) -> DocumentInfo | None:
        """One indexed document's title, URL, size and layout; None for any other name."""
        d = self._record(source)
        return DocumentInfo(d.source, d.title, d.url, d.chars, d.layout) if d else None

    def page_image(self, source: str, start: int, end: int) -> PageImage:
        """The page of an indexed PDF that holds ``[start, end)`` of its text, as it looks, with that
        span marked; RagError for any other name, a non-PDF, or a file changed since it was indexed."""
        doc = self._record(source)
        if doc is None:
            raise RagError(f"{source!r} is not an indexed document")
        page = doc.layout.page_at(start)
        if page is None:
            raise RagError(f"{source} is not a PDF: it has no pages to show")
        path = self.corpus_dir / source
        try:
            st = path.stat()
            inside = path.resolve().is_relative_to(self.corpus_dir.resolve())
        except OSError:
            st, inside = None, False
        if st is None or not inside or (st.st_mtime_ns, st.st_size) != (doc.mtime_ns, doc.size):
            raise RagError(f"{source} changed or was removed since it was indexed; re-index to see its pages")
        text = self.document_text(source)
        png, band = render_page(path, page, text[max(0, start):max(start, end)])
        return PageImage(source, page, png, band)

    def document_text(self, source: str) -> str:
        """The indexed text of a document (what citations quote); any other name is refused."""
        if not isinstance(source, str) or not source:
            raise RagError(f"{source!r} is not an indexed document")
        found = self.store.document_text(source) if self.store.exists() else None
        if found is None:
            raise RagError(f"{source!r} is not an indexed document")
        return found[1]

    # -- questions -------------------------------------------------------------------------------------
    def check_question(self, question: Any) -> str:
        return clean_question(question, self.settings.max_question_chars)

    def retrieve(self, question: str, k: int | None = None, *, context: str = "") -> list[Hit]:
        """The ``k`` best passages for a question (hybrid BM25 + dense, fused by weight)."""
        text = self.check_question(question)
        k = check_k(self.settings.k if k is None else k, QuestionError)
        return self.retriever.retrieve(self._ready().snap, text, k, extra=context)

    def _answerer(self, state: AnswerState):
        extractive = state.extractive
        if self._llm is None:
            return extractive
        from rag.answer.generative import GenerativeAnswerer

        return GenerativeAnswerer(self._llm, fallback=extractive, verifier=Verifier,
                                  keep_unsupported=self.settings.keep_unsupported)

    def _run(self, question: str, k: int | None, context: str, standalone: str | None,
             streaming: bool) -> Iterator[StreamEvent]:
        t0 = time.perf_counter()
        text = original = self.check_question(question)
        k = check_k(self.settings.k if k is None else k, QuestionError)
        state = self._ready()
        query = original_query = standalone or text
        searched = state.speller.correct(query)
        if searched != query:  # typos corrected against the corpus's words, for retrieval and reading
            query, text = searched, state.speller.correct(text)
            standalone = searched if standalone else None
        if not any(state.doc_freq.get(t) for t in content_terms(f"{query} {context}")):
            answer = Answer(question=original, text=ABSTAIN_TEXT, abstained=True, standalone_question=query,
                            notes=_NO_CONTENT, timings_ms={"total": (time.perf_counter() - t0) * 1000})
            yield from stream_of(answer)
            return
        queries = [query, *(split_conditions(query) or ())] if not context else [query]
        hits, stale = self._fresh(self.retriever.retrieve_many(state.snap, queries, k, extra=context), state)
        t1 = time.perf_counter()
        answerer: Answerer = self._answerer(state)
        if streaming:
            events = answerer.stream(text, hits, standalone=standalone, context=context)
        else:
            events = iter([StreamEvent(answer=answerer.answer(text, hits, standalone=standalone, context=context))])
        for event in events:
            if event.answer is None:
                yield event
                continue
            answer = event.answer
            t2 = time.perf_counter()
            timings = dict(answer.timings_ms)
            timings.update(retrieve=(t1 - t0) * 1000, answer=(t2 - t1) * 1000, total=(t2 - t0) * 1000)
            notes = answer.notes + ((f"Left out: {', '.join(stale)} changed since it was indexed; it is being "
                                     "re-indexed — ask again in a moment.",) if stale else ())
            yield StreamEvent(answer=replace(answer, question=original, timings_ms=timings, notes=notes,
                                             standalone_question=answer.standalone_question or query,
                                             searched_for=searched if searched != original_query else None))

    def _fresh(self, hits: list[Hit], state: AnswerState) -> tuple[list[Hit], tuple[str, ...]]:
        """The hits whose file still says what this snapshot indexed, and the files that changed.

        One ``stat`` per retrieved file; a file whose size or time differ is read and the passage
        compared, so no answer can quote a sentence the file no longer says.
        """
        if not hits or not self.corpus_dir.is_dir():
            return hits, ()
        texts: dict[str, str | None] = {}
        stale: list[str] = []
        for hit in hits:
            p = hit.passage
            if p.source not in texts:
                texts[p.source] = self._changed_text(p.source, state)
            text = texts[p.source]
            if text is not None and text[p.start:p.end] != p.text and p.source not in stale:
                stale.append(p.source)
        if stale:
            self._checked_at = 0.0  # look at the folder again at the next question
        return [h for h in hits if h.passage.source not in stale], tuple(stale)

    def _changed_text(self, source: str, state: AnswerState) -> str | None:
        """The file's text now if it changed since the snapshot ('' if it is gone), else None."""
        rec = state.snap.documents.get(source)
        path = self.corpus_dir / source
        try:
            st = path.stat()
            if rec is not None and (st.st_mtime_ns, st.st_size) == (rec.mtime_ns, rec.size):
                return None
            return read_document(path, self.corpus_dir).text if path.suffix.lower() in EXTENSIONS else ""
        except (OSError, RagError):
            return ""

    def ask(self, question: str, k: int | None = None, *, context: str = "", standalone: str | None = None) -> Answer:
        """Answer one question (no history) with cited sentences, or abstain."""
        for event in self._run(question, k, context, standalone, streaming=False):
            if event.answer is not None:
                return event.answer
        raise RagError("no answer was produced")  # pragma: no cover - _run always ends with an answer

    def stream(self, question: str, k: int | None = None, *, context: str = "",
               standalone: str | None = None) -> Iterator[StreamEvent]:
        """The answer as it is produced: text deltas, then a last event carrying the whole Answer."""
        self.check_question(question)  # fail now, not at the first next()
        check_k(self.settings.k if k is None else k, QuestionError)
        return self._run(question, k, context, standalone, streaming=True)

    def chat(self) -> Chat:
        """A conversation whose follow-up questions are resolved against its history."""
        return Chat(self)

    @property
    def llm(self):
        return self._llm

    def close(self) -> None:
        """Release the index files (the assistant reopens them if asked again)."""
        self.store.close()


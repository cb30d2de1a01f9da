"""The entry point: an assistant over one corpus folder and its index directory."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from .answer import Answer, StreamEvent
from .embed import MiniLMEmbedding
from .errors import CorpusError, QuestionError, RagError
from .extractive import ExtractiveAnswerer
from .indexer import IndexReport, Indexer, Progress
from .ingest import EXTENSIONS, scan_corpus
from .passages import Chunker
from .retrieve import Hit, HybridRetriever, Snapshot
from .settings import Settings
from .store import IndexStore
from .text import content_terms

__all__ = ["Assistant", "IndexStatus", "DocumentInfo"]


@dataclass(frozen=True)
class IndexStatus:
    """What the index holds, for a status line."""

    documents: int
    passages: int
    home: Path
    corpus_dir: Path
    last_indexed: datetime | None
    skipped: tuple[str, ...] = ()

    def line(self) -> str:
        when = self.last_indexed.strftime("%Y-%m-%d %H:%M:%S") if self.last_indexed else "never"
        return (f"{self.documents} documents, {self.passages} passages indexed in {self.home} "
                f"(last indexed {when})")


@dataclass(frozen=True)
class DocumentInfo:
    source: str
    title: str
    url: str | None
    chars: int


class _State:
    """The snapshot and the answerer built for it; swapped as a whole after each re-index."""

    def __init__(self, snap: Snapshot):
        self.snap = snap
        df: Counter[str] = Counter()
        self.before: dict[str, set[str]] = {}
        previous: dict[str, set[str]] = {}
        for p in snap.passages:  # ordered by source, then position
            df.update(set(content_terms(p.clean)))
            if p.source in previous:
                self.before[p.id] = previous[p.source]
            previous[p.source] = set(content_terms(p.sentences[-1].clean)) if p.sentences else set()
        self.doc_freq = df
        self.extractive = ExtractiveAnswerer(df, len(snap), before=self.before)


class Assistant:
    """Answers questions over ``corpus_dir`` with cited sentences; indexes incrementally on first use."""

    def __init__(self, corpus_dir: str | Path | None = None, home: str | Path | None = None, *,
                 k: int | None = None, llm: Any = None, settings: Settings | None = None,
                 llm_base_url: str | None = None, keep_unsupported: bool | None = None):
        base = settings or Settings.from_env(corpus_dir=corpus_dir, home=home)
        if settings is not None and (corpus_dir is not None or home is not None):
            base = replace(settings, corpus_dir=Path(corpus_dir or settings.corpus_dir),
                           home=home if home is not None else (None if corpus_dir is not None else settings.home))
        overrides = {key: v for key, v in (("k", k), ("llm", llm), ("llm_base_url", llm_base_url),
                                            ("keep_unsupported", keep_unsupported)) if v is not None}
        self.settings = replace(base, **overrides) if overrides else base
        self.embedder = MiniLMEmbedding()
        self.store = IndexStore(self.settings.home)
        self.retriever = HybridRetriever(self.embedder)
        self._indexer = Indexer(self.store, self.embedder, Chunker(self.settings.max_passage_tokens))
        self._lock = threading.RLock()
        self._state: _State | None = None
        self._signature: tuple | None = None
        self._checked_at = 0.0
        self.last_report: IndexReport | None = None
        self._llm = None
        self._generative = None
        if self.settings.llm is not None:
            from .llm import resolve_llm

            self._llm = resolve_llm(self.settings.llm, base_url=self.settings.llm_base_url)

    # -- index ---------------------------------------------------------------------------------------
    @property
    def corpus_dir(self) -> Path:
        return self.settings.corpus_dir

    @property
    def home(self) -> Path:
        return Path(self.settings.home)

    def _corpus_signature(self) -> tuple:
        files, _ = scan_corpus(self.corpus_dir)
        sig = []
        for f in files:
            try:
                st = f.stat()
                sig.append((str(f), st.st_mtime_ns, st.st_size))
            except OSError:
                sig.append((str(f), -1, -1))
        return tuple(sig)

    def index(self, progress: Progress | None = None, *, rebuild: bool = False) -> IndexReport:
        """Bring the index in line with the corpus folder (only changed files are embedded)."""
        with self._lock:
            if rebuild and self.home.exists():
                self.store.set_aside()
                self.store = IndexStore(self.settings.home)
                self._indexer.store = self.store
            signature = self._corpus_signature()
            report = self._indexer.sync(self.corpus_dir, progress)
            self.last_report = report
            self._signature = signature
            self._checked_at = time.monotonic()
            if report.changed or self._state is None:
                self._state = _State(Snapshot(self.store))
            return report

    def _ready(self) -> _State:
        """The current snapshot, re-indexing first if the corpus changed since the last look."""
        state = self._state
        now = time.monotonic()
        if state is not None and now - self._checked_at < self.settings.refresh_seconds:
            return state
        with self._lock:
            if self._state is None or self._corpus_signature() != self._signature:
                self.index()
            self._checked_at = time.monotonic()
            assert self._state is not None
            return self._state

    def status(self) -> IndexStatus:
        if not self.store.exists():
            return IndexStatus(0, 0, self.home, self.corpus_dir, None)
        db = self.store.db()
        docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
        passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
        last = self.store.get_meta("last_indexed")
        skipped = tuple(s.source for s in self.last_report.skipped) if self.last_report else ()
        return IndexStatus(docs, passages, self.home, self.corpus_dir,
                           datetime.fromtimestamp(float(last)) if last else None, skipped)

    def documents(self) -> list[DocumentInfo]:
        if not self.store.exists():
            return []
        return [DocumentInfo(d.source, d.title, d.url, d.chars)
                for d in sorted(self.store.documents().values(), key=lambda d: d.source)]

    def document_text(self, source: str) -> str:
        """The full text of an indexed file; any other name (or a path trick) is refused."""
        known = self.store.documents() if self.store.exists() else {}
        if source not in known:
            raise RagError(f"{source!r} is not an indexed document")
        path = (self.corpus_dir / source).resolve()
        if not path.is_relative_to(self.corpus_dir.resolve()) or path.suffix.lower() not in EXTENSIONS:
            raise RagError(f"{source!r} is not an indexed document")
        try:
            return path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{source}: cannot be read any more ({exc})") from exc

    # -- questions -------------------------------------------------------------------------------------
    def check_question(self, question: Any) -> str:
        if not isinstance(question, str):
            raise QuestionError(f"the question must be text, got {type(question).__name__}")
        text = question.strip()
        if not text:
            raise QuestionError("the question is empty")
        limit = self.settings.max_question_chars
        if len(text) > limit:
            raise QuestionError(f"the question is {len(text):,} characters long; the limit is {limit:,}")
        return text

    def retrieve(self, question: str, k: int | None = None, *, context: str = "") -> list[Hit]:
        """The ``k`` best passages for a question (hybrid BM25 + dense, fused by weight)."""
        text = self.check_question(question)
        k = self.settings.k if k is None else k
        if not isinstance(k, int) or not 1 <= k <= 50:
            raise QuestionError(f"k must be an integer from 1 to 50, got {k!r}")
        return self.retriever.retrieve(self._ready().snap, text, k, extra=context)

    def _answerer(self, state: _State):
        extractive = state.extractive
        if self._llm is None:
            return extractive
        from .generative import GenerativeAnswerer

        return GenerativeAnswerer(self._llm, fallback=extractive, keep_unsupported=self.settings.keep_unsupported)

    def _run(self, question: str, k: int | None, context: str, standalone: str | None,
             streaming: bool) -> Iterator[StreamEvent]:
        t0 = time.perf_counter()
        text = self.check_question(question)
        state = self._ready()
        k = self.settings.k if k is None else k
        if not isinstance(k, int) or not 1 <= k <= 50:
            raise QuestionError(f"k must be an integer from 1 to 50, got {k!r}")
        query = standalone or text
        hits = self.retriever.retrieve(state.snap, query, k, extra=context)
        t1 = time.perf_counter()
        answerer = self._answerer(state)
        kwargs: dict[str, Any] = {"standalone": standalone}
        if isinstance(answerer, ExtractiveAnswerer):
            kwargs["context"] = context
        if streaming:
            events = answerer.stream(text, hits, **kwargs)
        else:
            events = iter([StreamEvent(answer=answerer.answer(text, hits, **kwargs))])
        for event in events:
            if event.answer is None:
                yield event
                continue
            t2 = time.perf_counter()
            timings = dict(event.answer.timings_ms)
            timings.update(retrieve=(t1 - t0) * 1000, answer=(t2 - t1) * 1000, total=(t2 - t0) * 1000)
            yield StreamEvent(answer=replace(event.answer, timings_ms=timings,
                                             standalone_question=event.answer.standalone_question or query))

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
        return self._run(question, k, context, standalone, streaming=True)

    def chat(self):
        """A conversation whose follow-up questions are resolved against its history."""
        from .chat import Chat

        return Chat(self)

    @property
    def llm(self):
        return self._llm

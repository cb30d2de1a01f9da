"""What an assistant answers from: the loaded snapshot with the corpus statistics built over it, and the
small records it reports (index status, documents)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.policy import DEFAULT_POLICY, ExtractivePolicy
from rag.answer.reader import ReaderModel
from rag.errors import QuestionError
from rag.index import Snapshot
from rag.records import PLAIN, Layout, Passage
from rag.text.lexicon import variants
from rag.text.names import CaseStats
from rag.text.normalize import content_terms, words
from rag.text.sentences import warm_up
from rag.text.spelling import Speller
from rag.text.vocabulary import place_words
from rag.verify import claim_verdict, supports

__all__ = ["AnswerState", "corpus_words", "DocumentInfo", "IndexStatus", "clean_question", "updated_words"]


@dataclass(frozen=True)
class IndexStatus:
    """What the index holds, for a status line."""

    documents: int
    passages: int
    home: Path
    corpus_dir: Path
    last_indexed: datetime | None
    skipped: tuple[str, ...] = ()
    read_only: bool = False

    def line(self) -> str:
        when = self.last_indexed.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if self.last_indexed else "never"
        ro = ", read-only" if self.read_only else ""
        return (f"{self.documents} documents, {self.passages} passages indexed in {self.home} "
                f"(last indexed {when}{ro})")


@dataclass(frozen=True)
class DocumentInfo:
    source: str
    title: str
    url: str | None
    chars: int
    layout: Layout = PLAIN  # the format, a PDF's page offsets, the headings, a web page's date


@dataclass(frozen=True)
class PageImage:
    """A PDF page rendered as PNG with a cited span marked, and ``band``: the strip of the page
    around the marked lines (None when the span could not be found on the page)."""

    source: str
    page: int
    png: bytes
    band: bytes | None

    @property
    def marked(self) -> bool:
        return self.band is not None


def corpus_words(passages: Sequence[Passage], chunk: int = 2000) -> tuple[Counter[str], CaseStats]:
    """The corpus's word counts (for correcting a question's typos) and the words it writes in lower
    case (ordinary words, not names), read from passages joined a few thousand at a time: no word
    crosses the NUL between two passages, so the counts are those of each passage on its own
    (tested), at a fraction of the per-passage calls' cost (BENCHMARKS.md, "100,000 passages")."""
    counts: Counter[str] = Counter()
    cases = CaseStats()
    for i in range(0, len(passages), chunk):
        text = "\x00".join(p.clean for p in passages[i:i + chunk])
        counts.update(words(text))
        cases.add(text)
    return counts, cases


def updated_words(previous: tuple[Counter[str], CaseStats], old: Sequence[Passage], new: Sequence[Passage]
                  ) -> tuple[Counter[str], CaseStats]:
    """:func:`corpus_words` of ``new``, from those of ``old`` and the passages that differ (by id): a
    reload after a few files changed counts those, not the 100,000 others (copies: the previous
    state may still be answering)."""
    old_ids, new_ids = {p.id for p in old}, {p.id for p in new}
    gone = "\x00".join(p.clean for p in old if p.id not in new_ids)
    added = "\x00".join(p.clean for p in new if p.id not in old_ids)
    counts, cases = Counter(previous[0]), previous[1].copy()
    counts.subtract(words(gone))
    counts.update(words(added))
    cases.remove(gone)
    cases.add(added)
    return +counts, cases


class PreviousTerms(Mapping[str, set]):
    """passage id -> the content terms of the last sentence of the passage before it in its file,
    computed when asked (a reader asks for a few retrieved passages, not for all 100,000)."""

    def __init__(self, passages: Sequence[Passage], at: Mapping[str, int] | None = None):
        self._passages = passages  # ordered by source, then position
        self._at = at if at is not None else {p.id: i for i, p in enumerate(passages)}  # id -> position

    def __getitem__(self, pid: str) -> set[str]:
        i = self._at[pid]
        prev = self._passages[i - 1] if i else None
        if prev is None or prev.source != self._passages[i].source:
            raise KeyError(pid)
        return set(content_terms(prev.sentences[-1].clean)) if prev.sentences else set()

    def __iter__(self) -> Iterator[str]:
        return (p.id for i, p in enumerate(self._passages) if i and self._passages[i - 1].source == p.source)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class AnswerState:
    """The snapshot and the answerer built for it; swapped as a whole after each re-index."""

    def __init__(self, snap: Snapshot, reader: ReaderModel | None = None, policy: ExtractivePolicy = DEFAULT_POLICY,
                 previous: "AnswerState | None" = None):
        """``previous``: the state this one replaces, whose corpus counts are updated rather than recounted."""
        self.snap = snap
        warm_up()  # the judge splits passages into sentences on every answer ...
        place_words()  # ... and its guards look names up among places (pycountry)
        variants("")  # ... and every answer matches word forms (lemminflect's table: 0.3-0.4 s to read)
        if previous is None:
            counts, cases = corpus_words(snap.passages)
        else:
            counts, cases = updated_words(previous.words, previous.snap.passages, snap.passages)
        self.words = (counts, cases)
        df = snap.bm25.doc_freq()  # BM25 already counted each term's passages (its tokens are content terms)
        self.before = PreviousTerms(snap.passages, snap.by_id)
        self.doc_freq = df
        self.speller = Speller(counts, df)
        self.extractive = ExtractiveAnswerer(df, len(snap), judge=supports, before=self.before, cases=cases,
                                             reader=reader, policy=policy, verdict=claim_verdict)


def clean_question(question: Any, limit: int) -> str:
    """The question as it will be asked, or a :class:`QuestionError` saying in one line why not."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, got {type(question).__name__}")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in question):
        raise QuestionError("the question contains bytes that are not valid UTF-8 text; retype it")
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in question)  # NUL, controls
    text = " ".join(text.split())
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > limit:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {limit:,}")
    return text

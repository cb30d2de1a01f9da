"""What an assistant answers from: the loaded snapshot with the corpus statistics built over it, and the
small records it reports (index status, documents)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.policy import DEFAULT_POLICY, ExtractivePolicy
from rag.answer.reader import ReaderModel
from rag.errors import QuestionError
from rag.index import Snapshot
from rag.text.names import CaseStats
from rag.text.normalize import content_terms, words
from rag.text.sentences import warm_up
from rag.text.spelling import Speller
from rag.text.vocabulary import place_words
from rag.verify import claim_verdict, supports

__all__ = ["AnswerState", "DocumentInfo", "IndexStatus", "clean_question"]


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


class AnswerState:
    """The snapshot and the answerer built for it; swapped as a whole after each re-index."""

    def __init__(self, snap: Snapshot, reader: ReaderModel | None = None, policy: ExtractivePolicy = DEFAULT_POLICY):
        self.snap = snap
        warm_up()  # the judge splits passages into sentences on every answer ...
        place_words()  # ... and its guards look names up among places (pycountry)
        df: Counter[str] = Counter()
        counts: Counter[str] = Counter()  # words as written, for correcting a question's typos
        cases = CaseStats()  # which words the corpus writes in lower case: ordinary words, not names
        self.before: dict[str, set[str]] = {}
        previous: dict[str, set[str]] = {}
        for p in snap.passages:  # ordered by source, then position
            df.update(set(content_terms(p.clean)))
            counts.update(w.lower() for w in words(p.clean))
            cases.add(p.clean)
            if p.source in previous:
                self.before[p.id] = previous[p.source]
            previous[p.source] = set(content_terms(p.sentences[-1].clean)) if p.sentences else set()
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

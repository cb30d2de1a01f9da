"""Score answers against the gold questions: per question, per kind, overall, and against thresholds.

Works on plain answer dicts (``Answer.to_dict()`` shape), so answers from ``rag`` and answers
written by any other system (``rag eval --answers``) are scored by the same code.  Citations are
judged on what the corpus file says at the cited offsets, not on the quote the answer claims.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from eval.gold import GoldQuestion
from eval.metrics import (
    Span,
    abstention_scores,
    citation_precision,
    citation_recall,
    evidence_rank,
    fact_recall,
    hit_at_k,
    mean,
    mrr,
    overlaps,
    percentile,
    quote_integrity,
    shown_sentences,
)
from rag import CorpusError, read_document

__all__ = ["Run", "QuestionScore", "CorpusFiles", "score_run", "summarize", "by_kind", "check_thresholds"]


@dataclass(frozen=True)
class Run:
    """What the system did for one question: its answer dict, what it retrieved, how long it took."""

    question: GoldQuestion
    answer: Mapping | None
    retrieved: tuple[Span, ...] | None = None
    latency_ms: float | None = None
    error: str = ""


@dataclass(frozen=True)
class QuestionScore:
    id: str
    kind: str
    question: str
    answerable: bool
    abstained: bool
    answer_text: str
    rank: int | None
    fact_recall: float | None
    citation_recall: float | None
    citation_precision: float | None
    quotes_intact: int
    quotes_total: int
    cites_gold_source: bool | None
    cites_gold_span: bool | None
    sentences: int
    removed: int
    latency_ms: float | None
    passed: bool
    failures: tuple[str, ...] = ()
    gold_facts: tuple[tuple[str, ...], ...] = ()
    citations: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return asdict(self)


def _file_text(path: Path, root: Path) -> str | None:
    """A .txt/.md file's text; a PDF's, Word file's or web page's text extracted again, as indexed."""
    if path.suffix.lower() in (".txt", ".md"):
        return path.read_text(encoding="utf-8")
    try:
        return read_document(path, root).text
    except CorpusError:
        return None


class CorpusFiles:
    """File texts of a corpus folder, read once each (extracted ones for PDF, DOCX, HTML); ``None``
    for a file that is not there."""

    def __init__(self, corpus_dir: str | Path):
        self.root = Path(corpus_dir).resolve()
        self._cache: dict[str, str | None] = {}

    def text(self, source: str) -> str | None:
        if source not in self._cache:
            path = (self.root / source).resolve()
            ok = path.is_file() and self.root in path.parents
            self._cache[source] = _file_text(path, self.root) if ok else None
        return self._cache[source]

    def cited_text(self, citation: Mapping) -> str:
        """The cited passage as the file has it; the citation's own quote only when the file is absent."""
        text = self.text(str(citation.get("source", "")))
        if text is None:
            return str(citation.get("quote", ""))
        for a, b in (("passage_start", "passage_end"), ("start", "end")):
            start, end = int(citation.get(a) or 0), int(citation.get(b) or 0)
            if 0 <= start < end <= len(text):
                return text[start:end]
        return ""


def _cites(answer: Mapping, q: GoldQuestion) -> tuple[bool | None, bool | None]:
    if not q.answerable:
        return None, None
    cits = answer.get("citations") or []
    gold = [Span.of(s) for s in q.gold_spans]
    source = any(c.get("source") in q.gold_sources for c in cits)
    span = any(overlaps(Span.of(c), g) for c in cits for g in gold)
    return source, span


def score_run(run: Run, judge: Callable, files: CorpusFiles) -> QuestionScore:
    """Every per-question metric, and why the question failed (empty when it passed)."""
    q, answer = run.question, dict(run.answer or {})
    # A missing answer is no abstention: it fails answerable and unanswerable questions alike.
    abstained = bool(answer.get("abstained", False))
    text = str(answer.get("answer", ""))
    rank = evidence_rank(run.retrieved, [Span.of(s) for s in q.gold_spans]) if run.retrieved is not None else None
    facts = (0.0 if abstained else fact_recall(text, q.gold_facts)) if q.answerable else None
    c_rec = None if abstained else citation_recall(answer, judge, files.cited_text)
    c_prec = None if abstained else citation_precision(answer, judge, files.cited_text)
    intact, total = quote_integrity(answer.get("citations") or [], files.text)
    src, span = _cites(answer, q)
    failures = []
    if run.error:
        failures.append(f"error: {run.error}")
    elif q.answerable:
        if abstained:
            failures.append("abstained on an answerable question")
        elif facts is not None and facts < 1.0:
            failures.append(f"fact recall {facts:.2f}")
        if not abstained and not src:
            failures.append("cites no gold source")
    elif not abstained:
        failures.append("answered an unanswerable question")
    if c_rec is not None and c_rec < 1.0 and not run.error:
        failures.append(f"citation recall {c_rec:.2f}")
    if intact < total:
        failures.append(f"{total - intact} quote(s) differ from the file")
    return QuestionScore(
        id=q.id, kind=q.kind, question=q.question, answerable=q.answerable, abstained=abstained,
        answer_text=text, rank=rank, fact_recall=facts, citation_recall=c_rec, citation_precision=c_prec,
        quotes_intact=intact, quotes_total=total, cites_gold_source=src, cites_gold_span=span,
        sentences=len(shown_sentences(answer)), removed=int(answer.get("removed") or 0),
        latency_ms=run.latency_ms, passed=not failures, failures=tuple(failures), gold_facts=q.gold_facts,
        citations=tuple(f"[{c.get('n')}] {c.get('source')} {c.get('start')}-{c.get('end')}"
                        for c in answer.get("citations") or []),
    )


def _share(flags: Iterable[bool | None]) -> float | None:
    kept = [bool(f) for f in flags if f is not None]
    return sum(kept) / len(kept) if kept else None


def summarize(scores: Sequence[QuestionScore]) -> dict:
    """The headline metrics over a set of scored questions (None where a metric does not apply)."""
    answerable = [s for s in scores if s.answerable]
    ranked = [s.rank for s in answerable] if any(s.rank is not None for s in scores) else []
    abst = abstention_scores((s.answerable, s.abstained) for s in scores)
    intact = sum(s.quotes_intact for s in scores)
    total = sum(s.quotes_total for s in scores)
    latencies = [s.latency_ms for s in scores if s.latency_ms is not None]
    generated = sum(s.sentences + s.removed for s in scores if not s.abstained)
    return {
        "questions": len(scores),
        "pass_rate": _share(s.passed for s in scores),
        "hit_at_1": hit_at_k(ranked, 1) if ranked else None,
        "hit_at_3": hit_at_k(ranked, 3) if ranked else None,
        "hit_at_5": hit_at_k(ranked, 5) if ranked else None,
        "mrr": mrr(ranked) if ranked else None,
        "fact_recall": mean(s.fact_recall for s in answerable),
        "facts_complete": _share(s.fact_recall == 1.0 for s in answerable) if answerable else None,
        "cites_gold_source": _share(s.cites_gold_source for s in answerable if not s.abstained),
        "citation_recall": mean(s.citation_recall for s in scores),
        "citation_precision": mean(s.citation_precision for s in scores),
        "quote_integrity": intact / total if total else None,
        "abstention_precision": abst.precision if abst.abstained else None,
        "abstention_recall": abst.recall if abst.unanswerable else None,
        "false_abstention_rate": abst.false_abstention_rate if abst.answerable else None,
        "removed_share": sum(s.removed for s in scores) / generated if generated else None,
        "latency_p50_ms": percentile(latencies, 50) if latencies else None,
        "latency_p95_ms": percentile(latencies, 95) if latencies else None,
    }


def by_kind(scores: Sequence[QuestionScore]) -> dict[str, dict]:
    kinds = dict.fromkeys(s.kind for s in scores)
    return {k: summarize([s for s in scores if s.kind == k]) for k in kinds}


def check_thresholds(summary: Mapping, thresholds: Mapping[str, float]) -> list[str]:
    """Missed thresholds, one line each.  ``name = x`` is a minimum, ``name_max = x`` a maximum.
    A metric that could not be measured (None) is not a miss; a name that is no metric is."""
    missed = []
    for name, limit in thresholds.items():
        key, is_max = (name[:-4], True) if name.endswith("_max") else (name, False)
        if key not in summary:
            missed.append(f"{name}: no such metric")
            continue
        value = summary[key]
        if value is None:
            continue
        if (value > limit) if is_max else (value < limit):
            missed.append(f"{key} {value:.3f} {'>' if is_max else '<'} {limit}")
    return missed

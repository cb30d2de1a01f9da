"""Run the assistant over the gold questions (or read answers made elsewhere) and score them.

Only ``rag``'s public API is used: ``Assistant.index / ask / chat().ask / retrieve``.  Follow-up
questions replay their history in a fresh chat; retrieval is measured on the standalone question
the assistant reports, so hit@k covers follow-ups too.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from tqdm import tqdm

from eval.errors import EvalError
from eval.gold import GoldQuestion, read_jsonl
from eval.metrics import Span
from eval.scoring import CorpusFiles, QuestionScore, Run, by_kind, score_run, summarize
from rag import Assistant, RagError, parse_reply

__all__ = ["RETRIEVE_K", "run_assistant", "sentences_from_text", "load_answers", "runs_from_answers", "score_runs"]

RETRIEVE_K = 10  # passages retrieved per question for hit@k / MRR


def _ask(assistant: Assistant, q: GoldQuestion) -> tuple[Mapping, float]:
    if q.history:
        chat = assistant.chat()
        for earlier in q.history:
            chat.ask(earlier)
        start = time.perf_counter()
        answer = chat.ask(q.question)
    else:
        start = time.perf_counter()
        answer = assistant.ask(q.question)
    return answer.to_dict(), (time.perf_counter() - start) * 1000


def run_assistant(assistant: Assistant, questions: Sequence[GoldQuestion], progress: bool = True) -> list[Run]:
    """Ask every question (indexing first, so latency is per question, not per index build).

    One question is asked before the timed ones and not counted: the first question of a process
    loads the answering state (`python eval/bench.py` reports that cold start on its own), so every
    latency here is a warm one.
    """
    assistant.index()
    if questions:
        assistant.ask(questions[0].question)
    runs = []
    for q in tqdm(questions, desc="questions", unit="q", disable=not progress, leave=False):
        try:
            answer, latency = _ask(assistant, q)
            query = answer.get("standalone_question") or q.question
            hits = assistant.retrieve(query, k=RETRIEVE_K)
            retrieved = tuple(Span(h.passage.source, h.passage.start, h.passage.end) for h in hits)
            runs.append(Run(q, answer, retrieved, latency))
        except RagError as exc:
            runs.append(Run(q, None, None, None, error=str(exc)))
    return runs


def sentences_from_text(text: str) -> list[dict]:
    """Sentence records for an answer given only as text: each sentence with the [n] marks it
    carries (marks standing alone after a full stop belong to the sentence before), read the way
    the assistant reads an LLM's reply (``rag.parse_reply``)."""
    return [{"text": d.text, "citations": list(d.citations)} for d in parse_reply(text)]


def load_answers(path: str | Path) -> dict[str, dict]:
    """Answers made elsewhere: one JSON object a line, ``Answer.to_dict()`` shape plus ``"id"``.
    Without ``"sentences"``, the answer text is split into sentences and its [n] marks are read."""
    path = Path(path)
    out: dict[str, dict] = {}
    for n, row in read_jsonl(path, "answers"):
        if not isinstance(row, dict) or "id" not in row or ("answer" not in row and "abstained" not in row):
            raise EvalError(f"{path}:{n}: expected an object with \"id\" and \"answer\" (Answer.to_dict() + id)")
        for key in ("citations", "sentences"):
            if not isinstance(row.get(key, []), list):
                raise EvalError(f"{path}:{n}: {key!r} must be a list")
        row.setdefault("abstained", False)
        if "sentences" not in row and not row["abstained"]:
            row["sentences"] = sentences_from_text(str(row.get("answer", "")))
        out[str(row["id"])] = row
    if not out:
        raise EvalError(f"no answers in {path}")
    return out


def runs_from_answers(questions: Iterable[GoldQuestion], answers: Mapping[str, Mapping]) -> list[Run]:
    """Pair gold questions with given answers; a question without an answer counts as failed."""
    runs = []
    for q in questions:
        answer = answers.get(q.id)
        if answer is None:
            runs.append(Run(q, None, error="no answer given"))
            continue
        total = (answer.get("timings_ms") or {}).get("total")
        retrieved = answer.get("retrieved")
        spans = tuple(Span.of(r) for r in retrieved) if isinstance(retrieved, list) else None
        runs.append(Run(q, answer, spans, float(total) if total is not None else None))
    return runs


def score_runs(runs: Sequence[Run], judge: Callable, corpus_dir: str | Path) -> dict:
    """Per-question scores, the overall summary and the summary per question kind."""
    files = CorpusFiles(corpus_dir)
    scores: list[QuestionScore] = [score_run(r, judge, files) for r in runs]
    return {
        "summary": summarize(scores),
        "by_kind": by_kind(scores),
        "questions": [s.to_dict() for s in scores],
    }

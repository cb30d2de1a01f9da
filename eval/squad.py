"""SQuAD 2.0 dev as a public benchmark, with LlamaIndex's plain vector index as the baseline.

Every paragraph becomes one file of a temporary corpus, indexed through the public API.  For each
answerable question: is the gold paragraph in our top 1 / top 5, does our answer contain a gold
answer, does it cite the gold paragraph; for each unanswerable one: did we abstain.  The baseline
is ``VectorStoreIndex`` over an in-memory Chroma collection with default settings and the same
embedder (``rag.MiniLMEmbedding``), retrieval only, on the same questions.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from tqdm import tqdm

from eval.errors import EvalError
from eval.metrics import contains_answer, percentile
from eval.report import reliability_bins
from rag import Assistant, MiniLMEmbedding, RagError, Settings, load_reader

__all__ = ["SquadQuestion", "load_squad", "sample", "write_corpus", "run_squad", "baseline_retriever", "table"]

K = 5


@dataclass(frozen=True)
class SquadQuestion:
    id: str
    question: str
    source: str  # the file its paragraph became
    answers: tuple[str, ...]
    answerable: bool


def load_squad(path: str | Path) -> tuple[dict[str, str], list[SquadQuestion]]:
    """Paragraph texts by file name, and every question with its paragraph's file."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"SQuAD 2.0 dev file not found: {path} (use --data)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EvalError(f"{path}: not a SQuAD 2.0 JSON file ({exc!r})") from None
    paragraphs: dict[str, str] = {}
    questions: list[SquadQuestion] = []
    for a, article in enumerate(data):
        for p, para in enumerate(article["paragraphs"]):
            name = f"{a:02d}_{p:03d}.txt"
            paragraphs[name] = para["context"]
            for qa in para["qas"]:
                answers = tuple(dict.fromkeys(x["text"] for x in qa.get("answers", [])))
                questions.append(SquadQuestion(qa["id"], qa["question"], name, answers,
                                               not qa.get("is_impossible", False)))
    return paragraphs, questions


def sample(questions: Sequence[SquadQuestion], limit: int | None, seed: int) -> list[SquadQuestion]:
    """All questions, or a seeded sample of at most ``limit`` answerable and ``limit`` unanswerable."""
    if limit is None:
        return list(questions)
    if limit < 1:
        raise EvalError(f"--limit must be at least 1, got {limit}")
    rng = random.Random(seed)
    out = []
    for flag in (True, False):
        pool = [q for q in questions if q.answerable is flag]
        out += rng.sample(pool, min(limit, len(pool)))
    return out


def write_corpus(paragraphs: dict[str, str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in paragraphs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def baseline_retriever(paragraphs: dict[str, str], embedder: MiniLMEmbedding, progress: bool):
    """LlamaIndex ``VectorStoreIndex`` over an ephemeral Chroma collection, default settings."""
    import chromadb
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.EphemeralClient()
    collection = client.get_or_create_collection(f"squad_baseline_{int(time.time() * 1000)}")
    store = ChromaVectorStore(chroma_collection=collection)
    docs = [Document(text=text, metadata={"source": name}) for name, text in paragraphs.items()]
    index = VectorStoreIndex.from_documents(
        docs, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embedder,
        show_progress=progress,
    )
    retriever = index.as_retriever(similarity_top_k=K)
    return lambda q: [n.node.metadata.get("source") for n in retriever.retrieve(q)]


def _timed(fn: Callable, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - start) * 1000


def _wh(question: str) -> str:
    """The question word, for the failure breakdown ("how many/much" kept apart from "how")."""
    words = re.findall(r"[a-z]+", question.lower())
    for i, w in enumerate(words[:4]):
        if w == "how":
            return "how many/much" if words[i + 1 : i + 2] in (["many"], ["much"]) else "how"
        if w in ("what", "which", "who", "whom", "whose", "when", "where", "why"):
            return w
    return "other"


def _share(flags) -> float | None:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else None


def _ours(assistant: Assistant, chosen: Sequence[SquadQuestion], progress: bool) -> list[dict]:
    """One row per question: where the gold paragraph ranked, what the answer said, timings."""
    rows = []
    assistant.retrieve(chosen[0].question, k=K)  # warm up
    for q in tqdm(chosen, desc="questions (ours)", unit="q", disable=not progress, leave=False):
        try:
            hits, r_ms = _timed(assistant.retrieve, q.question, K)
            answer, a_ms = _timed(assistant.ask, q.question)
        except RagError as exc:
            raise EvalError(f"question {q.id}: {exc}") from None
        sources = [h.passage.source for h in hits]
        cited = {c.source for c in answer.citations}
        rows.append({"id": q.id, "question": q.question, "gold": list(q.answers), "source": q.source,
                     "answer": answer.text[:400], "wh": _wh(q.question), "answerable": q.answerable,
                     "rank": sources.index(q.source) + 1 if q.source in sources else None,
                     "contains": (not answer.abstained and contains_answer(answer.text, q.answers)),
                     "cites_gold": q.source in cited, "abstained": answer.abstained,
                     "confidence": getattr(answer, "confidence", None), "retrieve_ms": r_ms, "ask_ms": a_ms})
    return rows


def _baseline(paragraphs: dict[str, str], chosen: Sequence[SquadQuestion], progress: bool) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    retrieve = baseline_retriever(paragraphs, MiniLMEmbedding(), progress)
    index_s = time.perf_counter() - t0
    answerable = [q for q in chosen if q.answerable]
    retrieve(answerable[0].question)  # warm up
    rows = []
    for q in tqdm(answerable, desc="questions (baseline)", unit="q", disable=not progress, leave=False):
        sources, ms = _timed(retrieve, q.question)
        rows.append({"rank": sources.index(q.source) + 1 if q.source in sources else None, "ms": ms})
    return rows, index_s


def _summary(rows: list[dict], base_rows: list[dict], paragraphs: int, index_s: float, base_index_s: float) -> dict:
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    summary = {
        "answerable": len(ans), "unanswerable": len(una), "paragraphs": paragraphs,
        "recall_at_1": _share(r["rank"] == 1 for r in ans),
        "recall_at_5": _share(r["rank"] is not None for r in ans),
        "answer_contains_gold": _share(r["contains"] for r in ans),
        "cites_gold_paragraph": _share(r["cites_gold"] for r in ans),
        "false_abstention_rate": _share(r["abstained"] for r in ans),
        "abstention_rate_unanswerable": _share(r["abstained"] for r in una),
        "retrieve_p50_ms": percentile([r["retrieve_ms"] for r in rows], 50) if rows else None,
        "retrieve_p95_ms": percentile([r["retrieve_ms"] for r in rows], 95) if rows else None,
        "ask_p50_ms": percentile([r["ask_ms"] for r in rows], 50) if rows else None,
        "ask_p95_ms": percentile([r["ask_ms"] for r in rows], 95) if rows else None,
        "index_seconds": index_s,
    }
    if base_rows:
        summary.update({
            "baseline_recall_at_1": _share(r["rank"] == 1 for r in base_rows),
            "baseline_recall_at_5": _share(r["rank"] is not None for r in base_rows),
            "baseline_p50_ms": percentile([r["ms"] for r in base_rows], 50),
            "baseline_p95_ms": percentile([r["ms"] for r in base_rows], 95),
            "baseline_index_seconds": base_index_s,
        })
    return summary


def _by_wh(rows: list[dict]) -> dict:
    ans = [r for r in rows if r["answerable"]]
    wh = {}
    for key in dict.fromkeys(r["wh"] for r in ans):
        sub = [r for r in ans if r["wh"] == key]
        wh[key] = {"n": len(sub), "recall_at_1": _share(r["rank"] == 1 for r in sub),
                   "recall_at_5": _share(r["rank"] is not None for r in sub),
                   "answer_contains_gold": _share(r["contains"] for r in sub),
                   "abstained": _share(r["abstained"] for r in sub)}
    return wh


def run_squad(args, settings: Settings) -> dict:
    """The benchmark run behind ``rag eval --dataset squad2-dev``; returns the result for the report."""
    paragraphs, questions = load_squad(args.data)
    chosen = sample(questions, args.limit, args.seed)
    progress = not args.no_progress
    with tempfile.TemporaryDirectory(prefix="rag-squad-") as tmp:
        corpus = write_corpus(paragraphs, Path(tmp) / "corpus")
        assistant = Assistant(settings=settings.with_(corpus_dir=corpus, home=Path(tmp) / "home"))
        bar = tqdm(total=len(paragraphs), desc="indexing", unit="file", disable=not progress, leave=False)
        t0 = time.perf_counter()
        assistant.index(progress=lambda done, total, label: bar.update(done - bar.n))
        bar.close()
        index_s = time.perf_counter() - t0
        rows = _ours(assistant, chosen, progress)
        base_rows, base_index_s = ([], 0.0) if args.no_baseline else _baseline(paragraphs, chosen, progress)
    summary = _summary(rows, base_rows, len(paragraphs), index_s, base_index_s)
    seen = set(load_reader(None if settings.reader == "default" else settings.reader).info.get(
        "training_articles", [])) if settings.reader != "none" else set()
    held = [r for r in rows if int(r["source"][:2]) not in seen]
    if seen and held:  # the honest figures: articles neither the reader's weights nor its threshold saw
        summary["held_out"] = _summary(held, [], len(paragraphs), index_s, 0.0)
        summary["held_out"]["articles"] = sorted({int(r["source"][:2]) for r in held})
    wh = _by_wh(held if seen and held else rows)
    command = "rag eval --dataset squad2-dev" + (f" --limit {args.limit} --seed {args.seed}" if args.limit else "")
    return {"title": "SQuAD 2.0 dev", "summary": summary, "by_wh": wh, "rows": rows,
            "reliability": reliability_bins(held if seen and held else rows),
            "config": {"command": command, "data": str(args.data), "k": K},
            "table": table(summary, command, wh)}


def table(s: dict, command: str, wh: dict | None = None) -> list[str]:
    """The Markdown table of ours against the baseline (and the per-question-word breakdown)."""
    def f(v, pct=False):
        return "n/a" if v is None else (f"{v:.3f}" if pct else f"{v:.1f}")

    lines = [] if "held_out" not in s else [
        f"Held-out articles {s['held_out']['articles']} (the reader was trained on the others): "
        f"{s['held_out']['answerable']} answerable + {s['held_out']['unanswerable']} unanswerable questions:", "",
        "| split | R@1 | R@5 | gold answer in answer | abstains (unanswerable) | false abstentions |", "|---|---|---|---|---|---|",
        *(f"| {name} | {f(v['recall_at_1'], 1)} | {f(v['recall_at_5'], 1)} | {f(v['answer_contains_gold'], 1)} | "
          f"{f(v['abstention_rate_unanswerable'], 1)} | {f(v['false_abstention_rate'], 1)} |"
          for name, v in (("held-out articles", s["held_out"]), ("all articles", s))), ""]
    lines += [f"SQuAD 2.0 dev, {s['paragraphs']} paragraphs as the corpus, {s['answerable']} answerable + "
             f"{s['unanswerable']} unanswerable questions (`{command}`):", "",
             "| system | R@1 | R@5 | gold answer in answer | cites gold paragraph | abstains (unanswerable) "
             "| false abstentions | retrieve p50 / p95 ms | answer p50 / p95 ms |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| rag (hybrid + extractive) | {f(s['recall_at_1'], 1)} | {f(s['recall_at_5'], 1)} | "
             f"{f(s['answer_contains_gold'], 1)} | {f(s['cites_gold_paragraph'], 1)} | "
             f"{f(s['abstention_rate_unanswerable'], 1)} | {f(s['false_abstention_rate'], 1)} | "
             f"{f(s['retrieve_p50_ms'])} / {f(s['retrieve_p95_ms'])} | {f(s['ask_p50_ms'])} / {f(s['ask_p95_ms'])} |"]
    if "baseline_recall_at_1" in s:
        lines.append(f"| LlamaIndex VectorStoreIndex + Chroma (same embedder) | {f(s['baseline_recall_at_1'], 1)} | "
                     f"{f(s['baseline_recall_at_5'], 1)} | — | — | — | — | "
                     f"{f(s['baseline_p50_ms'])} / {f(s['baseline_p95_ms'])} | — |")
    if wh:
        lines += ["", "By question word (answerable" + (", held-out articles" if "held_out" in s else "") + "):", "",
                  "| question word | n | R@1 | R@5 | gold answer in answer | abstained |", "|---|---|---|---|---|---|"]
        for key, v in sorted(wh.items(), key=lambda kv: -kv[1]["n"]):
            lines.append(f"| {key} | {v['n']} | {f(v['recall_at_1'], 1)} | {f(v['recall_at_5'], 1)} | "
                         f"{f(v['answer_contains_gold'], 1)} | {f(v['abstained'], 1)} |")
    return lines


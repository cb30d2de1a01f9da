"""The gold question set (``eval/questions.jsonl``) as validated records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eval.errors import EvalError

__all__ = ["QUESTIONS_PATH", "KINDS", "GoldQuestion", "load_questions"]

QUESTIONS_PATH = Path(__file__).resolve().parent / "questions.jsonl"
KINDS = ("factoid", "quote", "multi_article", "conflicting", "follow_up", "paraphrase", "glued", "unanswerable")


@dataclass(frozen=True)
class GoldQuestion:
    """One question: what to ask (after ``history``), and what a right answer contains and cites."""

    id: str
    kind: str
    question: str
    history: tuple[str, ...]
    gold_sources: tuple[str, ...]
    gold_facts: tuple[tuple[str, ...], ...]
    gold_spans: tuple[dict, ...]
    answerable: bool

    @classmethod
    def from_dict(cls, row: dict, where: str = "") -> "GoldQuestion":
        try:
            q = cls(
                id=str(row["id"]),
                kind=str(row["kind"]),
                question=str(row["question"]),
                history=tuple(str(h) for h in row.get("history", [])),
                gold_sources=tuple(row.get("gold_sources", [])),
                gold_facts=tuple(tuple(str(s) for s in group) for group in row.get("gold_facts", [])),
                gold_spans=tuple(dict(s) for s in row.get("gold_spans", [])),
                answerable=bool(row.get("answerable", True)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EvalError(f"{where}: bad question record ({exc!r})") from None
        if q.kind not in KINDS:
            raise EvalError(f"{where}: unknown kind {q.kind!r}; expected one of {', '.join(KINDS)}")
        if q.answerable and not q.gold_facts:
            raise EvalError(f"{where}: answerable question {q.id!r} has no gold_facts")
        return q


def read_jsonl(path: str | Path, what: str):
    """``(line number, object)`` for each non-empty line of a JSON-lines file; one EvalError line else."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"{what} file not found: {path}")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}:{n}: not JSON ({exc.msg})") from None


def write_jsonl(path: str | Path, rows) -> None:
    """One JSON object a line, UTF-8 kept readable (the gold files are reviewed by people)."""
    with Path(path).open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def load_questions(path: str | Path = QUESTIONS_PATH) -> list[GoldQuestion]:
    """Read and validate a questions file; one :class:`EvalError` line on the first bad record."""
    out, seen = [], set()
    for n, row in read_jsonl(path, "questions"):
        q = GoldQuestion.from_dict(row, f"{path}:{n}")
        if q.id in seen:
            raise EvalError(f"{path}:{n}: duplicate question id {q.id!r}")
        seen.add(q.id)
        out.append(q)
    if not out:
        raise EvalError(f"no questions in {path}")
    return out

"""How good is the support judge?  Accuracy, precision and recall on the labelled pairs file.

``eval/judge_pairs.jsonl`` holds (passage, sentence, supported) pairs written from the corpus, split
into a "tune" half (looked at while the judge was tuned) and a "heldout" half (not looked at).  The
report shows both halves; the held-out figures are the honest ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

__all__ = ["PAIRS_PATH", "JudgeScores", "load_pairs", "score_judge", "validate_judge"]

PAIRS_PATH = Path(__file__).resolve().parent / "judge_pairs.jsonl"


@dataclass(frozen=True)
class JudgeScores:
    """Confusion counts and the usual rates; "positive" means "supported"."""

    n: int
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n if self.n else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def specificity(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else 0.0

    @property
    def balanced_accuracy(self) -> float:
        return (self.recall + self.specificity) / 2

    def to_dict(self) -> dict:
        out = asdict(self)
        for name in ("accuracy", "balanced_accuracy", "precision", "recall", "specificity"):
            out[name] = round(getattr(self, name), 4)
        return out


def load_pairs(path: Path = PAIRS_PATH) -> list[dict]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score_judge(pairs: Iterable[dict], judge: Callable[[str, str], object]) -> tuple[JudgeScores, list[dict]]:
    """Run ``judge(passage, sentence)`` (first item of its result = verdict) over pairs; return the
    scores and the misjudged pairs with the judge's reason."""
    tp = fp = tn = fn = 0
    errors = []
    pairs = list(pairs)
    for pair in pairs:
        verdict = judge(pair["passage"], pair["sentence"])
        said = bool(verdict[0])
        gold = bool(pair["supported"])
        tp += said and gold
        fp += said and not gold
        tn += not said and not gold
        fn += not said and gold
        if said != gold:
            errors.append({**pair, "judged": said, "reason": str(verdict[2]) if len(verdict) > 2 else ""})
    return JudgeScores(len(pairs), tp, fp, tn, fn), errors


def validate_judge(path: Path = PAIRS_PATH, judge: Callable | None = None) -> dict:
    """Scores per split ("tune", "heldout", "all") plus the misjudged pairs, ready for the report."""
    if judge is None:
        from rag import supports as judge  # noqa: PLC0415 - rag sets the offline env first
    pairs = load_pairs(path)
    out: dict = {"pairs": str(path), "splits": {}, "errors": []}
    for split in ("tune", "heldout", "all"):
        chosen = [p for p in pairs if split == "all" or p.get("split") == split]
        scores, errors = score_judge(chosen, judge)
        out["splits"][split] = scores.to_dict()
        if split == "all":
            out["errors"] = [
                {k: e[k] for k in ("id", "split", "kind", "sentence", "supported", "judged", "reason")}
                for e in errors
            ]
    return out

"""The learned reader: the probability that a sentence answers the question, and the abstain line.

A logistic model over :data:`rag.answer.candidates.FEATURES`, trained by ``scripts/train_reader.py``
on SQuAD 2.0 dev articles of one half (answerable questions give the positive sentences, the
unanswerable near misses and every other sentence the negatives). Its threshold was chosen on the
same training articles for a stated false-abstention rate; every figure the model file reports for
other articles was read on articles neither the weights nor the threshold saw. The weights live in
``rag/data/reader.json`` with the training data's sha256 and the command that reproduces them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from rag.answer.candidates import FEATURES
from rag.errors import RagError

__all__ = ["ReaderModel", "load_reader", "READER_PATH", "ReaderError"]

READER_PATH = Path(__file__).resolve().parents[1] / "data" / "reader.json"


class ReaderError(RagError):
    """The reader's model file is missing, malformed, or was trained for other features."""


@dataclass(frozen=True)
class ReaderModel:
    """Standardised logistic regression: p = σ(bias + Σ wᵢ·(xᵢ − meanᵢ)/scaleᵢ)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    info: Mapping[str, Any] = field(default_factory=dict)
    #: Isotonic map from the best sentence's probability to the share of such answers that were right
    #: on the training articles (answerable and unanswerable questions in SQuAD's mix): (x, y) knots.
    calibration: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        n = len(self.features)
        for name in ("mean", "scale", "weights"):
            if len(getattr(self, name)) != n:
                raise ReaderError(f"reader model: {name} has {len(getattr(self, name))} values for {n} features")
        if any(s <= 0 for s in self.scale):
            raise ReaderError("reader model: every scale must be positive")
        if any(not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0) for x, y in self.calibration) or \
                [x for x, _ in self.calibration] != sorted(x for x, _ in self.calibration):
            raise ReaderError("reader model: calibration knots must be increasing points within 0..1")
        if not 0.0 < self.threshold < 1.0:
            raise ReaderError(f"reader model: threshold must be within (0, 1), got {self.threshold!r}")

    def probability(self, x: Sequence[float]) -> float:
        if len(x) != len(self.weights):
            raise ReaderError(f"reader model: {len(x)} features given, the model takes {len(self.weights)}")
        z = self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def confidence(self, probability: float) -> float:
        """How often an answer whose best sentence scored ``probability`` was right (calibrated)."""
        knots = self.calibration
        if not knots:
            return probability
        if probability <= knots[0][0]:
            return knots[0][1]
        for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
            if probability <= x1:
                return y0 if x1 == x0 else y0 + (y1 - y0) * (probability - x0) / (x1 - x0)
        return knots[-1][1]

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "threshold": self.threshold,
                "calibration": [list(k) for k in self.calibration], **dict(self.info)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReaderModel":
        try:
            core = {k: data[k] for k in ("features", "mean", "scale", "weights", "bias", "threshold")}
        except (KeyError, TypeError) as exc:
            raise ReaderError(f"reader model: missing field {exc}") from None
        info = {k: v for k, v in data.items() if k not in core and k != "calibration"}
        knots = tuple((float(x), float(y)) for x, y in data.get("calibration", []))
        return cls(tuple(core["features"]), tuple(map(float, core["mean"])), tuple(map(float, core["scale"])),
                   tuple(map(float, core["weights"])), float(core["bias"]), float(core["threshold"]), info, knots)


def load_reader(path: str | Path | None = None) -> ReaderModel:
    """The shipped model (or the one at ``path``); fails naming the file when it does not fit."""
    path = Path(path) if path is not None else READER_PATH
    try:
        model = ReaderModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ReaderError(f"reader model not found: {path} (python scripts/train_reader.py makes it)") from None
    except (json.JSONDecodeError, ValueError) as exc:
        raise ReaderError(f"{path}: not a reader model ({exc})") from None
    if model.features != FEATURES:
        raise ReaderError(f"{path} was trained for other features than this version computes; "
                          "retrain it with python scripts/train_reader.py")
    return model

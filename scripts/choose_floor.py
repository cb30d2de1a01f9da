"""Choose ``ExtractivePolicy.reader_floor`` for the shipped reader: ``python scripts/choose_floor.py``.

The floor refuses the hand rules' answer when the learned reader's raw probability of the sentence they
pick is under it. It is chosen on the reader's *training* articles (SQuAD 2.0 dev half, the articles
named in ``rag/data/reader.json``) as the highest floor that loses at most 1 % of the right answers
there, and reported on the held-out articles. Every SQuAD question is asked once with no floor; each
row keeps the raw probability of the sentence that decides, so every floor is read from one run.
Rerun it whenever the reader is retrained (its probabilities move).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from eval.squad import _ours, load_squad, write_corpus
from rag import Assistant, Settings

FLOORS = [round(0.05 * i, 2) for i in range(0, 19)]
MAX_LOSS = 0.01  # the share of right answers a floor may cost on the training articles


def rows_without_floor(data: Path) -> tuple[list[dict], list[int]]:
    """One row per SQuAD question, answered by the default answerer with the floor off; ``confidence``
    is the reader's raw probability (calibration removed) of the sentence that decides."""
    paragraphs, questions = load_squad(data)
    with tempfile.TemporaryDirectory(prefix="rag-floor-") as tmp:
        corpus = write_corpus(paragraphs, Path(tmp) / "corpus")
        assistant = Assistant(settings=Settings.from_env(corpus_dir=corpus, home=Path(tmp) / "home"))
        training = list(assistant.reader.info["training_articles"])
        assistant.reader = replace(assistant.reader, calibration=())
        assistant.policy = replace(assistant.policy, reader_floor=0.0)
        assistant.index()
        rows = _ours(assistant, questions, progress=True)
        assistant.close()
    return rows, training


def with_floor(rows: list[dict], floor: float) -> dict:
    """The figures had the rules' answers under ``floor`` been refused."""
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    kept = lambda r: not r["abstained"] and (r["confidence"] is None or r["confidence"] >= floor)  # noqa: E731
    return {"right": sum(kept(r) and r["contains"] for r in ans) / len(ans),
            "false_abstentions": sum(not kept(r) for r in ans) / len(ans),
            "unanswerable_abstained": sum(not kept(r) for r in una) / len(una)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/bench/squad2-dev/dev-v2.0.json")
    p.add_argument("--rows", type=Path, help="reuse (or write) the per-question rows as JSON")
    args = p.parse_args()
    if args.rows and args.rows.is_file():
        saved = json.loads(args.rows.read_text())
        rows, training = saved["rows"], saved["training"]
    else:
        rows, training = rows_without_floor(args.data)
        if args.rows:
            args.rows.write_text(json.dumps({"rows": rows, "training": training}))
    train = [r for r in rows if int(r["source"][:2]) in training]
    held = [r for r in rows if int(r["source"][:2]) not in training]
    base = with_floor(train, 0.0)["right"]
    chosen = max(f for f in FLOORS if with_floor(train, f)["right"] >= base * (1 - MAX_LOSS))
    print(f"training articles {sorted(set(training))}; held out: the others")
    print("| floor | train: right | held-out: right | false abstentions | unanswerable abstained |")
    print("|---|---|---|---|---|")
    for f in FLOORS:
        t, h = with_floor(train, f), with_floor(held, f)
        mark = " (chosen)" if f == chosen else ""
        print(f"| {f:.2f}{mark} | {t['right']:.3f} | {h['right']:.3f} | {h['false_abstentions']:.3f} | "
              f"{h['unanswerable_abstained']:.3f} |")
    print(f"chosen floor: {chosen:.2f} (the highest losing at most {MAX_LOSS:.0%} of right answers on training articles)")


if __name__ == "__main__":
    main()
